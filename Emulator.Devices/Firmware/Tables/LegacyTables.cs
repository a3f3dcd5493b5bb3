using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Devices.Firmware.Tables;

/// <summary>
/// The MP table and the $PIR table as fw_cfg files with a loader script of their own, for the
/// project's BIOS: QEMU has no fw_cfg files for them (SeaBIOS builds both itself and ignores these
/// names), so the board offers them under <c>etc/emu/</c>, and the BIOS runs
/// <see cref="ScriptFile"/> with the same loader it runs <c>etc/table-loader</c> with: both tables in
/// the F segment on 16-byte boundaries, where the specifications say an OS searches (MP 1.4 4.1:
/// E0000-FFFFF among others; $PIR 1.0: F0000-FFFFF), and the MP floating pointer's address field
/// pointed at the configuration table that follows it, then its checksum set.
/// </summary>
public static class LegacyTables
{
    public const string ScriptFile = "etc/emu/table-loader", MpFile = "etc/emu/mptable", PirFile = "etc/emu/pir";
    public const uint Align = 16;

    public sealed record Files(byte[] MpTable, byte[] Pir, byte[] Loader);

    public static Files Build(MpPlatform mp, byte[] pir)
    {
        var linker = new BiosLinkerLoader();
        linker.Allocate(MpFile, Align, BiosLinkerLoader.ZoneFseg);
        linker.AddPointer(MpFile, MpFile, MpTable.PointerOffset, 4);
        linker.AddChecksum(MpFile, MpTable.FloatingChecksumOffset, 0, MpTable.FloatingLength);
        linker.Allocate(PirFile, Align, BiosLinkerLoader.ZoneFseg);
        return new Files(MpTable.Build(mp), pir, linker.ToArray());
    }

    public static void AddToFwCfg(FwCfg fwCfg, Files files)
    {
        fwCfg.AddFile(MpFile, files.MpTable);
        fwCfg.AddFile(PirFile, files.Pir);
        fwCfg.AddFile(ScriptFile, files.Loader);
    }
}
