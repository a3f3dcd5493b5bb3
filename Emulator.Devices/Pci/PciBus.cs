using Emulator.Core.Io;
using Emulator.Core.State;

namespace Emulator.Devices.Pci;

/// <summary>
/// PCI bus 0 and its host-side configuration access: configuration mechanism #1 (PCI Local Bus
/// Specification 3.0, 3.2.2.3.2) at ports 0xCF8 (CONFIG_ADDRESS) and 0xCFC-0xCFF (CONFIG_DATA),
/// as the i440FX host bridge decodes it (i440FX datasheet, 3.1). Also counts the INTx
/// assertions per PIRQ line so shared interrupts are wired-OR.
/// </summary>
/// <remarks>
/// <para>CONFIG_ADDRESS: bit 31 enable, 23:16 bus, 15:11 device, 10:8 function, 7:2 register.
/// Only a dword access at 0xCF8 reaches it (3.2.2.3.2); reserved bits 30:24 and 1:0 read as 0.
/// A byte or word access at 0xCF8-0xCFB is an ordinary I/O cycle that nothing here claims: it
/// reads all ones (port 0xCF9 is the PIIX3 reset control register, which the board registers
/// over this range). QEMU keeps all 32 bits and answers any width at 0xCF8; no known guest
/// depends on either.</para>
/// <para>CONFIG_DATA: an access of any width at 0xCFC+n reaches register (CONFIG_ADDRESS[7:2] &lt;&lt; 2) + n.
/// With the enable bit clear, or for a bus other than 0 or an absent function, reads return all
/// ones and writes are dropped (master abort). There are no PCI-to-PCI bridges, so only bus 0
/// exists.</para>
/// <para>Configuration mechanism #2 (ports 0xCF8 as CSE, 0xCFA forward, 0xC000-0xCFFF) is absent,
/// as on the i440FX, which implements only mechanism #1.</para>
/// </remarks>
public sealed class PciBus : IIoDevice, ISaveable
{
    public const ushort ConfigAddressPort = 0xCF8;
    public const ushort ConfigDataPort = 0xCFC;
    public const int PirqCount = 4;

    readonly PciDevice?[] functions = new PciDevice?[256];
    readonly int[] pirqAsserted = new int[PirqCount];
    uint configAddress;
    Func<int, int, int>? mapIntx;
    Action<int, bool>? setPirq;

    /// <summary>The CONFIG_ADDRESS register.</summary>
    public uint ConfigAddress => configAddress;

    /// <summary>Places <paramref name="function"/> at device <paramref name="device"/>, function <paramref name="fn"/>.</summary>
    public void Attach(PciDevice function, int device, int fn)
    {
        int devfn = device << 3 | fn;
        if (device is < 0 or > 31 || fn is < 0 or > 7) throw new ArgumentOutOfRangeException(nameof(device));
        if (functions[devfn] != null) throw new InvalidOperationException($"PCI {device:X2}.{fn} is taken");
        functions[devfn] = function;
        function.Bus = this;
        function.DevFn = devfn;
    }

    public PciDevice? FunctionAt(int devfn) => functions[devfn];

    /// <summary>
    /// Connects INTx: <paramref name="map"/> gives the PIRQ line (0-3) for a function's devfn and
    /// pin (1-4), and <paramref name="set"/> receives each PIRQ line's level when it changes (the
    /// PIIX3 routes them to ISA IRQs).
    /// </summary>
    public void ConnectIntx(Func<int, int, int> map, Action<int, bool> set)
    {
        mapIntx = map;
        setPirq = set;
    }

    /// <summary>True while at least one function asserts an INTx pin mapped to <paramref name="pirq"/>.</summary>
    public bool PirqLevel(int pirq) => pirqAsserted[pirq] > 0;

    internal void IntxChanged(PciDevice function, bool asserted)
    {
        if (mapIntx == null) return;
        int pirq = mapIntx(function.DevFn, function.InterruptPin) & (PirqCount - 1);
        int before = pirqAsserted[pirq];
        pirqAsserted[pirq] = Math.Max(0, before + (asserted ? 1 : -1));
        if ((before > 0) != (pirqAsserted[pirq] > 0)) setPirq?.Invoke(pirq, pirqAsserted[pirq] > 0);
    }

    /// <summary>Reads configuration space as CONFIG_ADDRESS selects it would (for tests and firmware loaders).</summary>
    public uint ReadConfig(int bus, int devfn, int offset, int size) =>
        bus == 0 && functions[devfn] is { } f ? f.ReadConfig(offset, size) : size == 4 ? 0xFFFF_FFFFu : (1u << (8 * size)) - 1;

    public void WriteConfig(int bus, int devfn, int offset, int size, uint value)
    {
        if (bus == 0) functions[devfn]?.WriteConfig(offset, size, value);
    }

    public uint In(ushort port, int size)
    {
        uint ones = size == 4 ? 0xFFFF_FFFFu : (1u << (8 * size)) - 1;
        if (port == ConfigAddressPort && size == 4) return configAddress;
        if (port < ConfigDataPort || (configAddress & 0x8000_0000) == 0) return ones;
        var (bus, devfn, offset) = Decode(port);
        return ReadConfig(bus, devfn, offset, Math.Min(size, 4 - (port - ConfigDataPort)))
            | (size > 4 - (port - ConfigDataPort) ? ones & ~((1u << (8 * (4 - (port - ConfigDataPort)))) - 1) : 0);
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port == ConfigAddressPort && size == 4)
        {
            configAddress = value & 0x80FF_FFFC;
            return;
        }
        if (port < ConfigDataPort || (configAddress & 0x8000_0000) == 0) return;
        var (bus, devfn, offset) = Decode(port);
        WriteConfig(bus, devfn, offset, Math.Min(size, 4 - (port - ConfigDataPort)), value);
    }

    (int Bus, int DevFn, int Offset) Decode(ushort port) =>
        ((int)(configAddress >> 16) & 0xFF, (int)(configAddress >> 8) & 0xFF, (int)(configAddress & 0xFC) + (port - ConfigDataPort));

    /// <summary>Reset: CONFIG_ADDRESS cleared. The PIRQ counts follow the functions, which release INTx on reset.</summary>
    public void Reset() => configAddress = 0;

    public string SnapshotName => "pcibus";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(configAddress);
        foreach (int n in pirqAsserted) writer.Write(n);
    }

    public void LoadState(BinaryReader reader, int version)
    {
        configAddress = reader.ReadUInt32() & 0x80FF_FFFC;
        for (int i = 0; i < PirqCount; i++) pirqAsserted[i] = Math.Max(0, reader.ReadInt32());
    }
}
