using System.Buffers.Binary;
using System.Text;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Devices.Firmware.Tables;

/// <summary>What the SMBIOS structures describe of the machine.</summary>
/// <param name="RamBelow4G">RAM from address 0.</param>
/// <param name="RamAbove4G">RAM from 4 GiB.</param>
/// <param name="Uuid">The system UUID (16 bytes, the fw_cfg UUID item).</param>
/// <param name="CpuVendor">CPUID.0 vendor string.</param>
/// <param name="CpuBrand">The processor's name.</param>
/// <param name="CpuSignature">CPUID.1:EAX.</param>
/// <param name="CpuFeatures">CPUID.1:EDX.</param>
/// <param name="ProcessorFamily">SMBIOS processor family (7.5.2), e.g. 0Dh Pentium Pro.</param>
public sealed record SmbiosPlatform(ulong RamBelow4G, ulong RamAbove4G, byte[] Uuid, string CpuVendor, string CpuBrand,
    uint CpuSignature, uint CpuFeatures, byte ProcessorFamily);

/// <summary>
/// SMBIOS (DMTF DSP0134 2.8.0) as QEMU hands it to firmware in fw_cfg: <c>etc/smbios/smbios-tables</c>,
/// the structure table, and <c>etc/smbios/smbios-anchor</c>, the 31-byte 2.x entry point (5.2.1)
/// with the table's length and count, a zero table address and both checksums set for that zero
/// address; the firmware puts the table in memory, the entry point in F0000-FFFFF on a 16-byte
/// boundary, and fixes the address and checksums (SeaBIOS's smbios_romfile_setup).
/// </summary>
/// <remarks>
/// <para>Structures: 1 System Information (7.2), 3 System Enclosure (7.4), 4 Processor (7.5), 16
/// Physical Memory Array (7.17), 17 Memory Device (7.18), 19 Memory Array Mapped Address (7.20,
/// one for RAM below 4 GiB and one for RAM above), 32 System Boot Information (7.33), 127
/// End-of-Table (7.45); handles are the type times 100h (plus the instance), as QEMU numbers them.
/// Type 0 (BIOS Information) is left to the firmware, which knows itself: SeaBIOS adds its own when
/// the tables have none, as with QEMU's default tables, and so does the project's BIOS.</para>
/// <para>Unknown values are given as the spec's "unknown" codes: speeds 0, widths FFFFh, no ECC,
/// no serial numbers or asset tags (string 0).</para>
/// </remarks>
public static class Smbios
{
    public const int AnchorLength = 0x1F;
    public const byte Major = 2, Minor = 8;
    public const string Manufacturer = "emu";
    public const string ProductName = "Standard PC (i440FX + PIIX, 1996)";

    public sealed record Files(byte[] Anchor, byte[] Tables);

    public static Files Build(SmbiosPlatform p)
    {
        var structures = new List<byte[]>
        {
            SystemInformation(p), Enclosure(), Processor(p), MemoryArray(p), MemoryDevice(p),
            MappedAddress(0x1300, 0, p.RamBelow4G),
        };
        if (p.RamAbove4G > 0) structures.Add(MappedAddress(0x1301, 1UL << 32, p.RamAbove4G));
        structures.Add(Structure(32, 0x2000, 0x0B, []));      // boot status 0: no errors detected
        structures.Add(Structure(127, 0x7F00, 4, []));
        var tables = structures.SelectMany(s => s).ToArray();
        return new Files(Anchor(tables.Length, structures.Count, structures.Max(s => s.Length)), tables);
    }

    /// <summary>The 2.x entry point (5.2.1) for a table at address 0, both checksums set.</summary>
    static byte[] Anchor(int tableLength, int count, int maxStructure)
    {
        var a = new byte[AnchorLength];
        var s = a.AsSpan();
        Encoding.ASCII.GetBytes("_SM_", s);
        a[5] = AnchorLength;
        a[6] = Major; a[7] = Minor;
        BinaryPrimitives.WriteUInt16LittleEndian(s[8..], (ushort)maxStructure);
        Encoding.ASCII.GetBytes("_DMI_", s[0x10..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x16..], (ushort)tableLength);
        BinaryPrimitives.WriteUInt16LittleEndian(s[0x1C..], (ushort)count);
        a[0x1E] = Major << 4 | Minor;
        AcpiTable.SetChecksum(s[0x10..], 0x15 - 0x10);
        AcpiTable.SetChecksum(s, 4);
        return a;
    }

    /// <summary>A structure: the formatted area (type, length, handle, then <paramref name="length"/> - 4 bytes
    /// filled by <paramref name="fill"/>) and the string set (6.1.3: each string NUL-terminated, the set ended by
    /// another NUL; two NULs when there are none).</summary>
    static byte[] Structure(byte type, ushort handle, int length, string[] strings, SpanAction? fill = null)
    {
        var formatted = new byte[length];
        formatted[0] = type;
        formatted[1] = (byte)length;
        BinaryPrimitives.WriteUInt16LittleEndian(formatted.AsSpan(2), handle);
        fill?.Invoke(formatted);
        var text = new List<byte>();
        foreach (var str in strings) { text.AddRange(Encoding.ASCII.GetBytes(str)); text.Add(0); }
        if (strings.Length == 0) text.Add(0);
        text.Add(0);
        return [.. formatted, .. text];
    }

    delegate void SpanAction(Span<byte> formatted);

    static void U16(Span<byte> s, int o, ulong v) => BinaryPrimitives.WriteUInt16LittleEndian(s[o..], (ushort)v);
    static void U32(Span<byte> s, int o, ulong v) => BinaryPrimitives.WriteUInt32LittleEndian(s[o..], (uint)v);
    static void U64(Span<byte> s, int o, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(s[o..], v);

    /// <summary>Type 1 (7.2, 1Bh bytes): manufacturer 1, product 2, no version or serial, the UUID, wake-up by power switch (06h).</summary>
    static byte[] SystemInformation(SmbiosPlatform p) => Structure(1, 0x0100, 0x1B, [Manufacturer, ProductName], f =>
    {
        f[4] = 1; f[5] = 2;
        p.Uuid.AsSpan(0, 16).CopyTo(f[8..]);
        f[0x18] = 0x06;
    });

    /// <summary>Type 3 (7.4, 16h bytes with no contained elements): manufacturer 1, type Other (01h), states Safe (03h), security Unknown (02h).</summary>
    static byte[] Enclosure() => Structure(3, 0x0300, 0x16, [Manufacturer], f =>
    {
        f[4] = 1; f[5] = 0x01;
        f[9] = 0x03; f[0x0A] = 0x03; f[0x0B] = 0x03; f[0x0C] = 0x02;
    });

    /// <summary>Type 4 (7.5, 2Ah bytes): socket "CPU 0", central processor (03h), the family, CPUID signature and
    /// features as the processor ID, speeds unknown (0), populated and enabled (41h), upgrade Other (01h), no
    /// cache structures (FFFFh), one core and thread, characteristics Unknown (bit 1), family 2 = family.</summary>
    static byte[] Processor(SmbiosPlatform p) => Structure(4, 0x0400, 0x2A, ["CPU 0", p.CpuVendor, p.CpuBrand], f =>
    {
        f[4] = 1; f[5] = 0x03; f[6] = p.ProcessorFamily; f[7] = 2;
        U32(f, 8, p.CpuSignature); U32(f, 0x0C, p.CpuFeatures);
        f[0x10] = 3;
        f[0x18] = 0x41; f[0x19] = 0x01;
        U16(f, 0x1A, 0xFFFF); U16(f, 0x1C, 0xFFFF); U16(f, 0x1E, 0xFFFF);
        f[0x23] = 1; f[0x24] = 1; f[0x25] = 1;
        U16(f, 0x26, 0x0002);
        U16(f, 0x28, p.ProcessorFamily);
    });

    static ulong TotalRam(SmbiosPlatform p) => p.RamBelow4G + p.RamAbove4G;

    /// <summary>Type 16 (7.17, 17h bytes): system board (03h), system memory (03h), no error correction (03h),
    /// capacity in KiB (80000000h and the extended capacity in bytes from 2 TiB), no error information (FFFEh), one device.</summary>
    static byte[] MemoryArray(SmbiosPlatform p) => Structure(16, 0x1000, 0x17, [], f =>
    {
        ulong kib = TotalRam(p) >> 10;
        f[4] = 0x03; f[5] = 0x03; f[6] = 0x03;
        if (kib < 0x8000_0000) U32(f, 7, kib);
        else { U32(f, 7, 0x8000_0000); U64(f, 0x0F, TotalRam(p)); }
        U16(f, 0x0B, 0xFFFE);
        U16(f, 0x0D, 1);
    });

    /// <summary>Type 17 (7.18, 28h bytes): in array 1000h, widths unknown (FFFFh), size in MiB (7FFFh and the
    /// extended size from 32 GiB - 1 MiB), DIMM (09h), locator "DIMM 0", type RAM (07h), detail Other (0002h).</summary>
    static byte[] MemoryDevice(SmbiosPlatform p) => Structure(17, 0x1100, 0x28, ["DIMM 0", Manufacturer], f =>
    {
        ulong mib = TotalRam(p) >> 20;
        U16(f, 4, 0x1000); U16(f, 6, 0xFFFE);
        U16(f, 8, 0xFFFF); U16(f, 0x0A, 0xFFFF);
        if (mib < 0x7FFF) U16(f, 0x0C, mib);
        else { U16(f, 0x0C, 0x7FFF); U32(f, 0x1C, mib); }
        f[0x0E] = 0x09; f[0x10] = 1; f[0x12] = 0x07;
        U16(f, 0x13, 0x0002);
        f[0x17] = 2;
    });

    /// <summary>Type 19 (7.20, 1Fh bytes): start and inclusive end in KiB, in array 1000h, one device wide.</summary>
    static byte[] MappedAddress(ushort handle, ulong start, ulong length) => Structure(19, handle, 0x1F, [], f =>
    {
        ulong first = start >> 10, last = (start + length >> 10) - 1;
        if (last < 0xFFFF_FFFF) { U32(f, 4, first); U32(f, 8, last); }
        else { U32(f, 4, 0xFFFF_FFFF); U32(f, 8, 0xFFFF_FFFF); U64(f, 0x0F, start); U64(f, 0x17, start + length - 1); }
        U16(f, 0x0C, 0x1000);
        f[0x0E] = 1;
    });

    /// <summary>The fw_cfg files QEMU uses for the SMBIOS tables.</summary>
    public const string AnchorFile = "etc/smbios/smbios-anchor", TablesFile = "etc/smbios/smbios-tables";

    public static void AddToFwCfg(FwCfg fwCfg, Files files)
    {
        fwCfg.AddFile(AnchorFile, files.Anchor);
        fwCfg.AddFile(TablesFile, files.Tables);
    }
}
