namespace Emulator.Core.Io;

/// <summary>
/// The port I/O space: 65536 byte ports. A device claims a range; unclaimed ports
/// read as all ones and ignore writes, as on an ISA bus with nothing driving it.
/// A 16- or 32-bit access goes to the device owning the first port, whole, so devices
/// with word or dword registers (IDE data, PCI config data) see one access.
/// </summary>
public sealed class IoBus
{
    readonly IIoDevice?[] ports = new IIoDevice?[65536];

    /// <summary>Claims ports <paramref name="first"/>..<paramref name="first"/>+<paramref name="count"/>-1.</summary>
    public void Register(ushort first, int count, IIoDevice device)
    {
        for (int i = 0; i < count; i++) ports[(ushort)(first + i)] = device;
    }

    public void Unregister(ushort first, int count)
    {
        for (int i = 0; i < count; i++) ports[(ushort)(first + i)] = null;
    }

    public IIoDevice? DeviceAt(ushort port) => ports[port];

    public uint In(ushort port, int size)
    {
        var d = ports[port];
        if (d != null) return d.In(port, size);
        return size switch { 1 => 0xFFu, 2 => 0xFFFFu, _ => 0xFFFF_FFFFu };
    }

    public void Out(ushort port, int size, uint value) => ports[port]?.Out(port, size, value);
}
