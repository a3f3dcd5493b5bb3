using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// Builds the machine's ACPI tables the way QEMU does (hw/i386/acpi-build.c): by the machine,
/// as two fw_cfg files and a loader script that links them, for any firmware to install.
/// </summary>
/// <remarks>
/// <para><c>etc/acpi/tables</c> holds, in order, the FACS (first, for its 64-byte alignment),
/// DSDT, FADT, MADT, HPET and RSDT; <c>etc/acpi/rsdp</c> the 20-byte revision 0 RSDP (ACPI 1.0,
/// as QEMU's <c>pc</c> gives, with the RSDT and no XSDT). Pointers between tables hold offsets
/// in the tables file, and every checksum is zero: the loader script allocates the tables in high
/// memory (aligned to 64) and the RSDP in the F segment (aligned to 16), adds the tables' address
/// to each pointer, and then sets each table's checksum, as QEMU's script does.</para>
/// <para>Absent: an XSDT and revision 2 RSDP, SSDTs (CPU, hot-plug). The MP table, $PIR and
/// SMBIOS are built next to these, in <see cref="Tables"/>.</para>
/// </remarks>
public static class AcpiBuilder
{
    public const int RsdpLength = 20;
    public const int FacsLength = 64;
    public const uint TablesAlign = 64, RsdpAlign = 16;
    public const int RsdpRsdtOffset = 16, RsdpChecksumLength = 20;

    /// <summary>The built files: fw_cfg contents, and where each table is in the tables file.</summary>
    public sealed record Files(byte[] Tables, byte[] Rsdp, byte[] Loader, IReadOnlyDictionary<string, int> Offsets);

    public static Files Build(AcpiPlatform platform)
    {
        var linker = new BiosLinkerLoader();
        const string T = BiosLinkerLoader.TablesFile, R = BiosLinkerLoader.RsdpFile;
        linker.Allocate(T, TablesAlign, BiosLinkerLoader.ZoneHigh);

        var blob = new List<byte>();
        var offsets = new Dictionary<string, int>();
        int Add(string signature, byte[] table, params int[] pointers)
        {
            int at = blob.Count;
            offsets[signature] = at;
            foreach (int p in pointers) linker.AddPointer(T, T, (uint)(at + p), 4);
            if (signature != "FACS")
            {
                table[AcpiTable.ChecksumOffset] = 0;
                linker.AddChecksum(T, (uint)(at + AcpiTable.ChecksumOffset), (uint)at, (uint)table.Length);
            }
            blob.AddRange(table);
            return at;
        }

        int facs = Add("FACS", Facs());
        int dsdt = Add("DSDT", AcpiDsdt.Build(platform));
        int fadt = Add("FACP", Fadt.Build(platform, (uint)facs, (uint)dsdt), Fadt.FirmwareCtrlOffset, Fadt.DsdtOffset);
        int madt = Add("APIC", Madt.Build());
        int hpet = Add("HPET", HpetTable.Build());
        int[] entries = [fadt, madt, hpet];
        var rsdtPointers = new int[entries.Length];
        for (int i = 0; i < entries.Length; i++) rsdtPointers[i] = AcpiTable.HeaderLength + 4 * i;
        int rsdt = Add("RSDT", Rsdt(entries), rsdtPointers);

        var rsdp = Rsdp((uint)rsdt);
        linker.Allocate(R, RsdpAlign, BiosLinkerLoader.ZoneFseg);
        linker.AddPointer(R, T, RsdpRsdtOffset, 4);
        linker.AddChecksum(R, 8, 0, RsdpChecksumLength);
        return new Files(blob.ToArray(), rsdp, linker.ToArray(), offsets);
    }

    /// <summary>The fw_cfg files QEMU's <c>pc</c> machine provides for ACPI.</summary>
    public static void AddToFwCfg(FwCfg fwCfg, Files files)
    {
        fwCfg.AddFile(BiosLinkerLoader.TablesFile, files.Tables);
        fwCfg.AddFile(BiosLinkerLoader.RsdpFile, files.Rsdp);
        fwCfg.AddFile(BiosLinkerLoader.ScriptFile, files.Loader);
    }

    /// <summary>The Firmware ACPI Control Structure (ACPI 6.4 5.2.10): no hardware signature,
    /// waking vector or global lock in use; version 0 of the ACPI 1.0 layout. No checksum.</summary>
    static byte[] Facs()
    {
        var t = new byte[FacsLength];
        Encoding.ASCII.GetBytes("FACS", t);
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(4), FacsLength);
        return t;
    }

    /// <summary>The Root System Description Table (5.2.7): 32-bit pointers, here tables-file offsets.</summary>
    static byte[] Rsdt(int[] entries)
    {
        var t = AcpiTable.Create("RSDT", AcpiTable.HeaderLength + 4 * entries.Length, 1);
        for (int i = 0; i < entries.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(AcpiTable.HeaderLength + 4 * i), (uint)entries[i]);
        return t;
    }

    /// <summary>The Root System Description Pointer (5.2.5.3), revision 0: signature, checksum over
    /// the 20 bytes (left zero for the loader), OEM ID, revision, RSDT address.</summary>
    static byte[] Rsdp(uint rsdt)
    {
        var r = new byte[RsdpLength];
        Encoding.ASCII.GetBytes("RSD PTR ", r);
        Encoding.ASCII.GetBytes(AcpiTable.OemId, r.AsSpan(9, 6));
        r[15] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(RsdpRsdtOffset), rsdt);
        return r;
    }
}
