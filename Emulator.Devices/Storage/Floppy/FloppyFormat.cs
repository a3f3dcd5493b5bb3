namespace Emulator.Devices.Storage.Floppy;

/// <summary>The data rates of the 82077AA's DSR/CCR bits 1:0 (datasheet, DSR data rate select).</summary>
public enum FloppyDataRate : byte
{
    Kbps500 = 0,
    Kbps300 = 1,
    Kbps250 = 2,
    Mbps1 = 3,
}

/// <summary>
/// A standard PC diskette format: geometry, recording data rate and the drive it belongs in,
/// recognised from the size of a raw image. All are MFM with 512-byte sectors (N = 2),
/// numbered 1..<see cref="Sectors"/> on each side.
/// </summary>
/// <param name="Name">What users call it ("1.44M").</param>
/// <param name="Cylinders">Tracks per side.</param>
/// <param name="Heads">Sides (1 or 2).</param>
/// <param name="Sectors">Sectors per track.</param>
/// <param name="Rate">The data rate the controller must be set to in the drive that takes it.</param>
/// <param name="CmosType">The drive type for CMOS register 0x10 of the drive built for it: 1 = 360K 5.25",
/// 2 = 1.2M 5.25", 3 = 720K 3.5", 4 = 1.44M 3.5", 5 = 2.88M 3.5".</param>
public sealed record FloppyFormat(string Name, int Cylinders, int Heads, int Sectors, FloppyDataRate Rate, byte CmosType)
{
    public const int SectorSize = 512;

    /// <summary>Bytes in an image of this format.</summary>
    public long Size => (long)Cylinders * Heads * Sectors * SectorSize;

    /// <summary>Double-density 5.25" formats are read at 250 kbit/s in a 300 rpm 360K drive.</summary>
    public static readonly FloppyFormat K160 = new("160K", 40, 1, 8, FloppyDataRate.Kbps250, 1);
    public static readonly FloppyFormat K180 = new("180K", 40, 1, 9, FloppyDataRate.Kbps250, 1);
    public static readonly FloppyFormat K320 = new("320K", 40, 2, 8, FloppyDataRate.Kbps250, 1);
    public static readonly FloppyFormat K360 = new("360K", 40, 2, 9, FloppyDataRate.Kbps250, 1);
    public static readonly FloppyFormat K720 = new("720K", 80, 2, 9, FloppyDataRate.Kbps250, 3);
    public static readonly FloppyFormat M1_2 = new("1.2M", 80, 2, 15, FloppyDataRate.Kbps500, 2);
    public static readonly FloppyFormat M1_44 = new("1.44M", 80, 2, 18, FloppyDataRate.Kbps500, 4);
    public static readonly FloppyFormat M2_88 = new("2.88M", 80, 2, 36, FloppyDataRate.Mbps1, 5);

    public static IReadOnlyList<FloppyFormat> All { get; } = [K160, K180, K320, K360, K720, M1_2, M1_44, M2_88];

    /// <summary>The format whose image is exactly <paramref name="size"/> bytes, or null.</summary>
    public static FloppyFormat? FromSize(long size)
    {
        foreach (var f in All)
            if (f.Size == size) return f;
        return null;
    }
}
