using Emulator.Core.Memory;
using Emulator.Devices.Chipset;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// Installs the machine's ACPI tables straight into guest memory, for boots without firmware
/// (<see cref="Multiboot.MultibootDirectBoot"/>): it does what SeaBIOS does with the same fw_cfg files. It
/// runs the loader script (<see cref="TableLoader"/>) with the tables at the top of RAM (the
/// last <see cref="RegionSize"/> bytes, which the caller's E820 map must give as ACPI, type 3)
/// and the RSDP at the start of the EBDA (0x9FC00, with its segment in the BDA word at 0x40E),
/// where an OS looks for it (ACPI 6.4 5.2.5.1: the first KiB of the EBDA, then E0000-FFFFF,
/// which is ROM here). It also programs the PIIX4 PM I/O base and enables its decoding, the
/// part of the firmware's PCI set-up the tables depend on.
/// </summary>
public static class AcpiDirectInstall
{
    public const ulong RegionSize = 64 << 10;
    public const ulong EbdaBase = 0x9FC00;
    const ulong BdaEbdaSegment = 0x40E;

    /// <summary>Where the tables went: the RSDP, and the ACPI region at the top of RAM.</summary>
    public sealed record Installed(ulong Rsdp, ulong RegionBase, ulong RegionSize);

    /// <exception cref="InvalidOperationException">RAM is too small or the tables do not fit.</exception>
    public static Installed Install(PhysicalMemory memory, Piix4Acpi pm, ushort pmBase, AcpiBuilder.Files files)
    {
        ulong ram = memory.RamSize;
        if (ram < 2 * RegionSize + 0x100000) throw new InvalidOperationException("too little RAM for the ACPI tables");
        ulong regionBase = ram - RegionSize;
        ulong high = ram, low = EbdaBase;

        ulong Allocate(string name, int size, uint align, byte zone)
        {
            ulong mask = ~(ulong)(align - 1);
            if (zone == BiosLinkerLoader.ZoneFseg)
            {
                // The EBDA's first KiB stands in for the F segment, which is ROM on this board.
                ulong at = (low + align - 1) & mask;
                if (at + (ulong)size > EbdaBase + 0x400) throw new InvalidOperationException($"{name} does not fit in the EBDA's first KiB");
                low = at + (ulong)size;
                return at;
            }
            ulong a = (high - (ulong)size) & mask;
            if (a < regionBase) throw new InvalidOperationException($"{name} does not fit in the ACPI region");
            return high = a;
        }

        var loaded = TableLoader.Execute(files.Loader, name => name switch
        {
            BiosLinkerLoader.TablesFile => files.Tables,
            BiosLinkerLoader.RsdpFile => files.Rsdp,
            _ => null,
        }, Allocate);
        ulong rsdp = 0;
        foreach (var f in loaded)
        {
            memory.Write(f.Address, f.Data);
            if (f.Name == BiosLinkerLoader.RsdpFile) rsdp = f.Address;
        }
        memory.Write(BdaEbdaSegment, [(byte)((EbdaBase >> 4) & 0xFF), (byte)(EbdaBase >> 12)]);

        // PMBA (config 0x40) and PMREGMISC's I/O enable (0x80 bit 0), as SeaBIOS's piix4_pm_setup.
        pm.WriteConfig(0x40, 4, pmBase | 1u);
        pm.WriteConfig(0x80, 1, 1);
        return new Installed(rsdp, regionBase, RegionSize);
    }
}
