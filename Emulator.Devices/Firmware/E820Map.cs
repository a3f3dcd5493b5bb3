namespace Emulator.Devices.Firmware;

/// <summary>One range of the PC memory map, as INT 15h E820h and fw_cfg's <c>etc/e820</c> give it
/// (ACPI 6.x, 15.1 "INT 15H, E820H - Query System Address Map": base, length, type).</summary>
public readonly record struct E820Entry(ulong Base, ulong Length, uint Type)
{
    public ulong End => Base + Length;
}

/// <summary>
/// The memory map operations firmware applies to the board's map (<see cref="Board.BoardMemoryMap"/>):
/// the board says what RAM and device ranges exist; firmware claims parts of that RAM for itself
/// (its EBDA, its BIOS area, the tables it installs), which then stop being RAM to the OS.
/// </summary>
public static class E820Map
{
    /// <summary>ACPI 6.x table 15.312, "Address Range Types": 1 memory, 2 reserved, 3 ACPI reclaim.</summary>
    public const uint Ram = 1, Reserved = 2, Acpi = 3;

    /// <summary>
    /// The map with [<paramref name="base"/>, +<paramref name="length"/>) cut out of every entry it
    /// overlaps and, when <paramref name="type"/> is given, added as one entry of that type (null: the
    /// range is left out, neither RAM nor reserved, as the legacy video and option ROM holes are);
    /// sorted by base. Entries cut in two keep their type on both sides.
    /// </summary>
    public static IReadOnlyList<E820Entry> Claim(IReadOnlyList<E820Entry> map, ulong @base, ulong length, uint? type)
    {
        ulong end = @base + length;
        var result = new List<E820Entry>(map.Count + 2);
        foreach (var e in map)
        {
            if (e.End <= @base || e.Base >= end)
            {
                result.Add(e);
                continue;
            }
            if (e.Base < @base) result.Add(e with { Length = @base - e.Base });
            if (e.End > end) result.Add(new E820Entry(end, e.End - end, e.Type));
        }
        if (type is uint t && length != 0) result.Add(new E820Entry(@base, length, t));
        result.Sort((x, y) => x.Base.CompareTo(y.Base));
        return result;
    }
}
