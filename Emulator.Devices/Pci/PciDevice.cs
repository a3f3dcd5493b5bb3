using Emulator.Core.State;

namespace Emulator.Devices.Pci;

/// <summary>
/// A PCI function: its 256-byte configuration space with a write mask and a write-1-to-clear
/// mask per byte, its base address registers, command-register decode enables and its INTx pin
/// (PCI Local Bus Specification 3.0, 6.1-6.2).
/// </summary>
/// <remarks>
/// <para>As in QEMU, the command register's I/O, memory, bus-master, parity, SERR and
/// interrupt-disable bits are writable, the status register's error bits are write-1-to-clear,
/// and the device-specific area 0x40-0xFF is writable unless a device narrows it.</para>
/// <para>BARs (6.2.5.1): a BAR's low bits below its size are read-only, so writing all ones and
/// reading back gives the size mask with the type bits. A BAR is decoded only while its command
/// enable is set and its address is neither 0 nor wraps past the top of its space (QEMU's rule);
/// the device is told through its mapping callback each time the decoded address changes. The
/// expansion ROM BAR (0x30, 6.2.5.2) decodes while its enable bit 0 and the command register's
/// memory enable are both set. 64-bit BARs are absent.</para>
/// </remarks>
public abstract class PciDevice : ISaveable
{
    public const int CommandIo = 0x1, CommandMemory = 0x2, CommandMaster = 0x4, CommandIntxDisable = 0x400;

    protected readonly byte[] Config = new byte[256];
    /// <summary>Bits the guest may write.</summary>
    protected readonly byte[] WriteMask = new byte[256];
    /// <summary>Bits a guest write of 1 clears.</summary>
    protected readonly byte[] ClearMask = new byte[256];

    readonly Bar?[] bars = new Bar?[6];
    Bar? romBar;
    const int RomBarRegister = 0x30;
    bool intxLevel;

    sealed class Bar(uint size, bool io, byte typeBits, Action<uint?> mapped)
    {
        public readonly uint Size = size;
        public readonly bool Io = io;
        public readonly byte TypeBits = typeBits;
        public readonly Action<uint?> Mapped = mapped;
        public uint? Address;
    }

    protected PciDevice(ushort vendorId, ushort deviceId, byte revision, uint classCode, byte headerType = 0)
    {
        Identity = (vendorId, deviceId, revision, classCode, headerType);
        WriteIdentity();
        SetWord(WriteMask, 0x04, 0x0547);               // I/O, memory, master, parity, SERR, INTx disable
        SetWord(ClearMask, 0x06, 0xF900);               // status error bits
        WriteMask[0x0C] = 0xFF;                         // cache line size
        WriteMask[0x0D] = 0xFF;                         // latency timer
        WriteMask[0x3C] = 0xFF;                         // interrupt line
        for (int i = 0x40; i < 0x100; i++) WriteMask[i] = 0xFF;
    }

    (ushort Vendor, ushort Device, byte Revision, uint Class, byte HeaderType) Identity { get; }

    void WriteIdentity()
    {
        SetWord(Config, 0x00, Identity.Vendor);
        SetWord(Config, 0x02, Identity.Device);
        Config[0x08] = Identity.Revision;
        Config[0x09] = (byte)Identity.Class;
        Config[0x0A] = (byte)(Identity.Class >> 8);
        Config[0x0B] = (byte)(Identity.Class >> 16);
        Config[0x0E] = Identity.HeaderType;
    }

    /// <summary>The bus the function sits on, and its device/function number (device &lt;&lt; 3 | function).</summary>
    public PciBus? Bus { get; internal set; }
    public int DevFn { get; internal set; }

    public ushort VendorId => GetWord(Config, 0x00);
    public ushort DeviceId => GetWord(Config, 0x02);
    public ushort Command => GetWord(Config, 0x04);

    /// <summary>The INTx pin (1 = INTA# .. 4 = INTD#), 0 for none (config 0x3D).</summary>
    public int InterruptPin
    {
        get => Config[0x3D];
        protected set => Config[0x3D] = (byte)value;
    }

    /// <summary>The level the function drives on its INTx pin, after the command register's interrupt disable.</summary>
    public bool IntxAsserted => intxLevel && (Command & CommandIntxDisable) == 0 && InterruptPin != 0;

    /// <summary>Reads <paramref name="size"/> bytes at <paramref name="offset"/>, little-endian; bytes past 0xFF read as ones.</summary>
    public uint ReadConfig(int offset, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++)
            v |= (uint)(offset + i < 256 ? Config[offset + i] : 0xFF) << (8 * i);
        return v;
    }

    /// <summary>Writes <paramref name="size"/> bytes through the write masks, then lets the device react.</summary>
    public void WriteConfig(int offset, int size, uint value)
    {
        bool intxBefore = IntxAsserted;
        int n = Math.Min(size, 256 - offset);
        if (n <= 0) return;
        for (int i = 0; i < n; i++)
        {
            int a = offset + i;
            byte b = (byte)(value >> (8 * i));
            Config[a] = (byte)((Config[a] & ~WriteMask[a]) | (b & WriteMask[a]));
            Config[a] &= (byte)~(b & ClearMask[a]);
        }
        if (Overlaps(offset, n, 0x04, 2) || Overlaps(offset, n, 0x10, 24) || Overlaps(offset, n, RomBarRegister, 4)) UpdateBars();
        if (IntxAsserted != intxBefore) Bus?.IntxChanged(this, IntxAsserted);
        ConfigWritten(offset, n);
    }

    /// <summary>Called after a guest write to configuration space, with the bytes it touched.</summary>
    protected virtual void ConfigWritten(int offset, int size) { }

    protected static bool Overlaps(int offset, int size, int start, int length) => offset < start + length && start < offset + size;

    /// <summary>Defines I/O BAR <paramref name="index"/> of <paramref name="size"/> ports (a power of two, at least 4).</summary>
    protected void DefineIoBar(int index, uint size, Action<ushort?> mapped) =>
        DefineBar(index, size, true, 0x01, a => mapped(a is uint v ? (ushort)v : null));

    /// <summary>Defines a 32-bit memory BAR <paramref name="index"/> of <paramref name="size"/> bytes (a power of two, at least 16).</summary>
    protected void DefineMemoryBar(int index, uint size, bool prefetchable, Action<uint?> mapped) =>
        DefineBar(index, size, false, (byte)(prefetchable ? 0x08 : 0x00), mapped);

    void DefineBar(int index, uint size, bool io, byte typeBits, Action<uint?> mapped)
    {
        if (size < (io ? 4u : 16u) || (size & (size - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(size));
        bars[index] = new Bar(size, io, typeBits, mapped);
        int reg = 0x10 + 4 * index;
        SetDword(WriteMask, reg, ~(size - 1));
        SetDword(Config, reg, typeBits);
    }

    /// <summary>Defines the expansion ROM BAR of <paramref name="size"/> bytes (a power of two, at least 2 KiB).</summary>
    protected void DefineRomBar(uint size, Action<uint?> mapped)
    {
        if (size < 0x800 || (size & (size - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(size));
        romBar = new Bar(size, false, 0, mapped);
        SetDword(WriteMask, RomBarRegister, ~(size - 1) | 1);
    }

    /// <summary>The address a BAR decodes now, or null when it is not decoded.</summary>
    public uint? BarAddress(int index) => bars[index]?.Address;

    /// <summary>The address the expansion ROM BAR decodes now, or null.</summary>
    public uint? RomBarAddress => romBar?.Address;

    void UpdateBars()
    {
        for (int i = 0; i < 6; i++)
        {
            var bar = bars[i];
            if (bar == null) continue;
            uint? address = Decode(bar, GetDword(Config, 0x10 + 4 * i));
            if (address == bar.Address) continue;
            bar.Address = address;
            bar.Mapped(address);
        }
        if (romBar != null)
        {
            uint value = GetDword(Config, RomBarRegister);
            uint? address = (value & 1) != 0 ? Decode(romBar, value & ~1u) : null;
            if (address != romBar.Address)
            {
                romBar.Address = address;
                romBar.Mapped(address);
            }
        }
    }

    uint? Decode(Bar bar, uint value)
    {
        if ((Command & (bar.Io ? CommandIo : CommandMemory)) == 0) return null;
        ulong start = value & ~(bar.Size - 1);
        ulong last = start + bar.Size - 1;
        if (start == 0 || last >= (bar.Io ? 0x1_0000UL : 0xFFFF_FFFFUL)) return null;
        return (uint)start;
    }

    /// <summary>Drives the function's INTx pin (level-triggered, active while <paramref name="level"/>).</summary>
    protected void SetIntx(bool level)
    {
        bool before = IntxAsserted;
        intxLevel = level;
        if (IntxAsserted != before) Bus?.IntxChanged(this, IntxAsserted);
    }

    /// <summary>
    /// PCI reset (RST#): command and status cleared, cache line size, interrupt line and BARs
    /// back to their defaults, INTx released; devices then set their own reset values.
    /// </summary>
    public virtual void Reset()
    {
        SetIntx(false);
        ushort cmdBits = (ushort)(GetWord(WriteMask, 0x04) | GetWord(ClearMask, 0x04));
        SetWord(Config, 0x04, (ushort)(Command & ~cmdBits));
        ushort stsBits = (ushort)(GetWord(WriteMask, 0x06) | GetWord(ClearMask, 0x06));
        SetWord(Config, 0x06, (ushort)(GetWord(Config, 0x06) & ~stsBits));
        Config[0x0C] = 0;
        Config[0x3C] = 0;
        for (int i = 0; i < 6; i++)
            if (bars[i] is { } bar) SetDword(Config, 0x10 + 4 * i, bar.TypeBits);
        if (romBar != null) SetDword(Config, RomBarRegister, 0);
        UpdateBars();
    }

    public abstract string SnapshotName { get; }
    public abstract int SnapshotVersion { get; }

    /// <summary>Saves configuration space and the INTx level; devices append their own state after calling this.</summary>
    public virtual void SaveState(BinaryWriter writer)
    {
        writer.Write(Config);
        writer.Write(intxLevel);
    }

    /// <summary>
    /// Loads what <see cref="SaveState"/> wrote and re-decodes the BARs. The INTx level is restored
    /// without telling the bus, whose counts are saved with it (as QEMU's post-load does).
    /// </summary>
    public virtual void LoadState(BinaryReader reader, int version)
    {
        reader.ReadExactly(Config);
        intxLevel = reader.ReadBoolean();
        UpdateBars();
    }

    protected static ushort GetWord(byte[] a, int o) => (ushort)(a[o] | a[o + 1] << 8);
    protected static uint GetDword(byte[] a, int o) => (uint)(a[o] | a[o + 1] << 8 | a[o + 2] << 16 | a[o + 3] << 24);
    protected static void SetWord(byte[] a, int o, ushort v) { a[o] = (byte)v; a[o + 1] = (byte)(v >> 8); }
    protected static void SetDword(byte[] a, int o, uint v) { SetWord(a, o, (ushort)v); SetWord(a, o + 2, (ushort)(v >> 16)); }
}
