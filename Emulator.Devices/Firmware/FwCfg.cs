using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.State;

namespace Emulator.Devices.Firmware;

/// <summary>
/// QEMU's firmware configuration device (fw_cfg) in its x86 port form: the board puts
/// configuration items (RAM size, CPU count, the memory map, named files) in it, and firmware
/// such as SeaBIOS reads them by selector (QEMU's <c>docs/specs/fw_cfg.rst</c>).
/// </summary>
/// <remarks>
/// <para>Ports: 0x510-0x511 selector/data, 0x514-0x51B DMA address. A 16-bit write at 0x510
/// selects an item (QEMU decodes any 16-bit write to the pair as the selector) and rewinds its
/// offset; an 8-bit read of 0x510 or 0x511 returns the item's next byte and advances, or 0 past
/// the end, for an unknown selector, or for a key at or above <see cref="FileFirst"/> +
/// <see cref="FileSlots"/> (which selects nothing). 8-bit writes (QEMU removed data writes in
/// 2.4) and other widths are ignored; 16- and 32-bit reads, which QEMU rejects, read 0.</para>
/// <para>Keys: bit 15 selects the architecture-specific set (x86 keys such as 0x8002), bit 14 is
/// the write channel (no item is writable here), the low 14 bits index the item. Numbered items
/// are below 0x20; named files take the selectors from <see cref="FileFirst"/> in name order,
/// listed by <see cref="FileDir"/>: a big-endian count, then per slot a big-endian size,
/// selector, a reserved word and a 56-byte NUL-terminated name (the directory is sized for all
/// <see cref="FileSlots"/> slots, so reading past the count gives zeros, as in QEMU).</para>
/// <para>DMA: reads of 0x514-0x51B return the bytes "QEMU CFG". A 32-bit write at 0x514 sets the
/// high half of the big-endian 64-bit address of a <c>FWCfgDmaAccess</c> (big-endian control,
/// length, address); a 32-bit write at 0x518 sets the low half and runs the transfer at once:
/// SELECT (bit 3) selects the item in control bits 31-16, then READ (bit 1) copies item bytes to
/// guest memory (zeros past the item's end), WRITE (bit 4) fails (no item is writable), SKIP (bit
/// 2) advances the offset; the control word is written back as 0, or ERROR (bit 0) on failure.
/// The address register is cleared by every transfer.</para>
/// <para>Known limits: a DMA destination outside RAM (ROM, MMIO, the PCI hole) ends the transfer
/// with ERROR, where QEMU writes to ROM and MMIO; the memory-mapped (ARM) form and the
/// <c>-fw_cfg</c> command-line items are absent.</para>
/// </remarks>
public sealed class FwCfg : IIoDevice, ISaveable
{
    public const ushort SelectorPort = 0x510, DataPort = 0x511, DmaPort = 0x514;
    public const int PortCount = 2, DmaPortCount = 8;

    // Numbered items (fw_cfg.rst "Selector Register"; QEMU include/standard-headers/linux/qemu_fw_cfg.h).
    public const ushort Signature = 0x00, Id = 0x01, Uuid = 0x02, RamSize = 0x03, NoGraphic = 0x04, NbCpus = 0x05,
        BootDevice = 0x0C, Numa = 0x0D, BootMenu = 0x0E, MaxCpus = 0x0F, FileDir = 0x19, FileFirst = 0x20;
    public const ushort ArchLocal = 0x8000, WriteChannel = 0x4000, EntryMask = 0x3FFF, Invalid = 0xFFFF;

    /// <summary>QEMU's default number of file slots (FW_CFG_FILE_SLOTS_DFLT).</summary>
    public const int FileSlots = 0x20;
    public const int FileNameLength = 56, FileEntrySize = 64;
    const int EntryCount = FileFirst + FileSlots;

    /// <summary>FW_CFG_ID bits: the traditional port interface, and DMA.</summary>
    public const uint IdTraditional = 0x01, IdDma = 0x02;

    /// <summary>FWCfgDmaAccess control bits.</summary>
    public const uint DmaError = 0x01, DmaRead = 0x02, DmaSkip = 0x04, DmaSelect = 0x08, DmaWrite = 0x10;

    static readonly byte[] DmaSignature = "QEMU CFG"u8.ToArray();

    readonly PhysicalMemory memory;
    readonly byte[]?[][] entries = [new byte[]?[EntryCount], new byte[]?[EntryCount]];
    readonly List<(string Name, byte[] Data)> files = new();

    struct State
    {
        public ushort CurrentEntry;
        public uint CurrentOffset;
        public ulong DmaAddress;
    }

    State s;

    /// <param name="memory">Guest memory, for DMA transfers.</param>
    public FwCfg(PhysicalMemory memory)
    {
        this.memory = memory;
        AddBytes(Signature, "QEMU"u8.ToArray());
        AddUInt32(Id, IdTraditional | IdDma);
        RebuildDirectory();
        Reset();
    }

    /// <summary>The selected key, <see cref="Invalid"/> when none.</summary>
    public ushort CurrentEntry => s.CurrentEntry;

    /// <summary>Reset selects the signature (QEMU's fw_cfg_reset); the DMA address is kept, as in QEMU.</summary>
    public void Reset() => Select(Signature);

    // ---- configuration (by the board, before the machine runs) ----

    /// <summary>Puts <paramref name="data"/> at numbered key <paramref name="key"/> (bit 15 for the architecture set).</summary>
    /// <exception cref="ArgumentException">The key is a file selector, out of range, or already used.</exception>
    public void AddBytes(ushort key, byte[] data)
    {
        int index = key & EntryMask;
        if ((key & WriteChannel) != 0 || index >= FileFirst)
            throw new ArgumentException($"fw_cfg key 0x{key:X4} is not a numbered item", nameof(key));
        var set = entries[(key & ArchLocal) != 0 ? 1 : 0];
        if (set[index] != null) throw new ArgumentException($"fw_cfg key 0x{key:X4} is already set", nameof(key));
        set[index] = data;
    }

    public void AddUInt16(ushort key, ushort value) => AddBytes(key, LittleEndian(value, 2));
    public void AddUInt32(ushort key, uint value) => AddBytes(key, LittleEndian(value, 4));
    public void AddUInt64(ushort key, ulong value) => AddBytes(key, LittleEndian(value, 8));

    static byte[] LittleEndian(ulong value, int size)
    {
        var b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte)(value >> (8 * i));
        return b;
    }

    /// <summary>Adds a named file; files take selectors from <see cref="FileFirst"/> in name order (QEMU sorts them by name with strcmp).</summary>
    /// <exception cref="ArgumentException">The name is empty, too long, not ASCII, a duplicate, or all slots are used.</exception>
    public void AddFile(string name, byte[] data)
    {
        if (name.Length == 0 || name.Length >= FileNameLength || !Ascii.IsValid(name) || name.Contains('\0'))
            throw new ArgumentException($"fw_cfg file name '{name}' must be 1 to {FileNameLength - 1} ASCII characters", nameof(name));
        if (files.Count == FileSlots) throw new ArgumentException($"fw_cfg has no free file slot for '{name}'", nameof(name));
        if (files.Exists(f => f.Name == name)) throw new ArgumentException($"duplicate fw_cfg file name: {name}", nameof(name));
        files.Add((name, data));
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        RebuildDirectory();
    }

    /// <summary>Gives existing file <paramref name="name"/> new contents (its selector stays), as QEMU's fw_cfg_modify_file.</summary>
    /// <exception cref="ArgumentException">There is no such file.</exception>
    public void ReplaceFile(string name, byte[] data)
    {
        int i = files.FindIndex(f => f.Name == name);
        if (i < 0) throw new ArgumentException($"no fw_cfg file named {name}", nameof(name));
        files[i] = (name, data);
        RebuildDirectory();
    }

    /// <summary>The selector of file <paramref name="name"/>, or null if there is none.</summary>
    public ushort? FileSelector(string name)
    {
        int i = files.FindIndex(f => f.Name == name);
        return i < 0 ? null : (ushort)(FileFirst + i);
    }

    void RebuildDirectory()
    {
        var dir = new byte[4 + FileSlots * FileEntrySize];
        BinaryPrimitives.WriteUInt32BigEndian(dir, (uint)files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var entry = dir.AsSpan(4 + i * FileEntrySize, FileEntrySize);
            BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)files[i].Data.Length);
            BinaryPrimitives.WriteUInt16BigEndian(entry[4..], (ushort)(FileFirst + i));
            Encoding.ASCII.GetBytes(files[i].Name, entry[8..]);
            entries[0][FileFirst + i] = files[i].Data;
        }
        entries[0][FileDir] = dir;
    }

    // ---- the guest's side ----

    byte[]? CurrentData =>
        s.CurrentEntry == Invalid ? null : entries[(s.CurrentEntry & ArchLocal) != 0 ? 1 : 0][s.CurrentEntry & EntryMask];

    void Select(ushort key)
    {
        s.CurrentOffset = 0;
        s.CurrentEntry = (key & EntryMask) >= EntryCount ? Invalid : key;
    }

    byte ReadDataByte()
    {
        var data = CurrentData;
        if (data == null || s.CurrentOffset >= data.Length) return 0;
        return data[s.CurrentOffset++];
    }

    public uint In(ushort port, int size)
    {
        if (port >= DmaPort) return ReadDmaSignature(port - DmaPort, size);
        return size == 1 ? ReadDataByte() : 0u;
    }

    /// <summary>The signature bytes at <paramref name="offset"/>, lowest port in the lowest byte; bytes past the register read as an empty bus.</summary>
    static uint ReadDmaSignature(int offset, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++)
            v |= (uint)(offset + i < DmaSignature.Length ? DmaSignature[offset + i] : 0xFF) << (8 * i);
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port < DmaPort)
        {
            if (size == 2) Select((ushort)value);
            return;
        }
        if (size != 4) return;
        // The register is big-endian: the byte at the lowest port is the most significant.
        uint half = BinaryPrimitives.ReverseEndianness(value);
        if (port == DmaPort)
        {
            s.DmaAddress = (ulong)half << 32;
        }
        else if (port == DmaPort + 4)
        {
            s.DmaAddress |= half;
            RunDma();
        }
    }

    /// <summary>One DMA transfer as QEMU's fw_cfg_dma_transfer performs it.</summary>
    void RunDma()
    {
        ulong descriptor = s.DmaAddress;
        s.DmaAddress = 0;
        Span<byte> access = stackalloc byte[16];
        memory.Read(descriptor, access);
        uint control = BinaryPrimitives.ReadUInt32BigEndian(access);
        ulong length = BinaryPrimitives.ReadUInt32BigEndian(access[4..]);
        ulong address = BinaryPrimitives.ReadUInt64BigEndian(access[8..]);

        if ((control & DmaSelect) != 0) Select((ushort)(control >> 16));
        bool read = (control & DmaRead) != 0;
        bool write = !read && (control & DmaWrite) != 0;
        if (!read && !write && (control & DmaSkip) == 0) length = 0;

        uint status = 0;
        while (length > 0 && status == 0)
        {
            var data = CurrentData;
            ulong len;
            if (data == null || s.CurrentOffset >= data.Length)
            {
                len = length;
                if (read && !FillZero(address, len)) status = DmaError;
                if (write) status = DmaError;
            }
            else
            {
                len = Math.Min(length, (ulong)data.Length - s.CurrentOffset);
                if (read && !CopyOut(address, data.AsSpan((int)s.CurrentOffset, (int)len))) status = DmaError;
                if (write) status = DmaError;   // no item accepts writes
                s.CurrentOffset += (uint)len;
            }
            address += len;
            length -= len;
        }
        Span<byte> result = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(result, status);
        memory.Write(descriptor, result);
    }

    /// <summary>True when [address, address + length) is guest RAM, the only DMA destination modelled.</summary>
    bool InRam(ulong address, ulong length) => address < memory.RamSize && length <= memory.RamSize - address;

    bool CopyOut(ulong address, ReadOnlySpan<byte> bytes)
    {
        if (!InRam(address, (ulong)bytes.Length)) return false;
        memory.Write(address, bytes);
        return true;
    }

    static readonly byte[] Zeros = new byte[PhysicalMemory.PageSize];

    bool FillZero(ulong address, ulong length)
    {
        if (!InRam(address, length)) return false;
        while (length > 0)
        {
            int chunk = (int)Math.Min(length, (ulong)Zeros.Length);
            memory.Write(address, Zeros.AsSpan(0, chunk));
            address += (ulong)chunk;
            length -= (ulong)chunk;
        }
        return true;
    }

    // ---- snapshots ----

    public string SnapshotName => "fw_cfg";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(s.CurrentEntry);
        writer.Write(s.CurrentOffset);
        writer.Write(s.DmaAddress);
    }

    public void LoadState(BinaryReader reader, int version)
    {
        s.CurrentEntry = reader.ReadUInt16();
        s.CurrentOffset = reader.ReadUInt32();
        s.DmaAddress = reader.ReadUInt64();
    }
}
