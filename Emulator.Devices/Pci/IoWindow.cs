using Emulator.Core.Io;

namespace Emulator.Devices.Pci;

/// <summary>
/// A relocatable range of I/O ports a device decodes (an I/O BAR, the PIIX4 PM and SMBus
/// blocks). Moving or closing the window gives the ports back to whatever device owned them
/// before, so a guest that points a base register at the PIC's ports and then moves it away
/// leaves the PIC as it was.
/// </summary>
public sealed class IoWindow
{
    readonly IoBus bus;
    readonly IIoDevice device;
    readonly Dictionary<ushort, IIoDevice?> displaced = new();

    public IoWindow(IoBus bus, IIoDevice device, int size)
    {
        this.bus = bus;
        this.device = device;
        Size = size;
    }

    public int Size { get; }

    /// <summary>The first port while open; null while closed.</summary>
    public ushort? Base { get; private set; }

    /// <summary>Opens the window at <paramref name="newBase"/>, or closes it when null; ports past 0xFFFF are not decoded.</summary>
    public void MoveTo(ushort? newBase)
    {
        if (newBase == Base) return;
        if (Base is ushort old)
        {
            foreach (var (port, previous) in displaced)
            {
                if (bus.DeviceAt(port) != device) continue;   // someone else claimed it since
                if (previous != null) bus.Register(port, 1, previous);
                else bus.Unregister(port, 1);
            }
            displaced.Clear();
        }
        Base = newBase;
        if (newBase is ushort b)
        {
            for (int i = 0; i < Size && b + i <= 0xFFFF; i++)
            {
                ushort port = (ushort)(b + i);
                displaced[port] = bus.DeviceAt(port);
                bus.Register(port, 1, device);
            }
        }
    }

    /// <summary>True when <paramref name="port"/> is inside the open window.</summary>
    public bool Contains(ushort port) => Base is ushort b && port >= b && port - b < Size;
}
