namespace Emulator.Devices.Firmware;

/// <summary>
/// The E820 memory map a loader that starts a kernel without firmware hands over (Multiboot's
/// <see cref="Multiboot.MultibootDirectBoot"/>): what the firmware would report for this PC, as
/// INT 15h E820 ranges (ACPI 6.4, 15.1 "INT 15H, E820H - Query System Address Map").
/// </summary>
public static class DirectBootMemoryMap
{
    /// <summary>One E820 range: base, length and type (1 RAM, 2 reserved, 3 ACPI tables).</summary>
    public readonly record struct E820Entry(ulong Base, ulong Length, uint Type);

    public const uint E820Ram = 1, E820Reserved = 2, E820Acpi = 3;

    /// <summary>
    /// The memory map of the PC for RAM of <paramref name="ramSize"/> bytes below 4 GiB, the last
    /// <paramref name="acpiSize"/> bytes of which hold the ACPI tables (type 3, reclaimable once
    /// the OS has read them). The EBDA's KiB below 0xA0000, which holds the RSDP, is reserved.
    /// </summary>
    public static IReadOnlyList<E820Entry> MemoryMap(ulong ramSize, ulong acpiSize = 0)
    {
        var map = new List<E820Entry>
        {
            new(0, 0x9FC00, E820Ram),
            new(0x9FC00, 0x400, E820Reserved),
            new(0xF0000, 0x10000, E820Reserved),
            new(0x100000, ramSize - acpiSize - 0x100000, E820Ram),
        };
        if (acpiSize != 0) map.Add(new(ramSize - acpiSize, acpiSize, E820Acpi));
        map.Add(new(0xFFFC0000, 0x40000, E820Reserved));
        return map;
    }
}
