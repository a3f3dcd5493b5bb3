namespace Emulator.Devices.Storage.Floppy;

/// <summary>
/// A diskette drive on the 82077AA's drive interface: its type (as CMOS register 0x10 gives
/// it), the disk in it, the head's physical cylinder, the disk-change line and where the disk
/// has turned to. The media API (<see cref="Insert"/>, <see cref="Eject"/>) is for the monitor
/// and the frontend; it must be called on the machine thread.
/// </summary>
/// <remarks>
/// <para>Which disks a drive takes: a 360K drive (type 1) the 160K-360K formats; a 1.2M drive
/// (type 2) 1.2M disks (360K disks in a 1.2M drive need double stepping, which is not
/// modelled); a 720K drive (type 3) 720K disks; a 1.44M drive (type 4) 720K and 1.44M; a 2.88M
/// drive (type 5) 720K, 1.44M and 2.88M.</para>
/// <para>The disk-change line (DSKCHG, read in DIR bit 7) goes active when a disk is inserted or
/// removed and is reset by a seek while a disk is in the drive.</para>
/// </remarks>
public sealed class FloppyDrive
{
    /// <summary>A drive of the type <paramref name="image"/>'s format needs, holding it; an empty 1.44M drive when null.</summary>
    /// <exception cref="ArgumentException">The image size is not one of the formats of <see cref="FloppyFormat.All"/>.</exception>
    public FloppyDrive(IBlockImage? image)
    {
        CmosType = image == null ? FloppyFormat.M1_44.CmosType : FormatOf(image).CmosType;
        if (image != null) Insert(image);
        DiskChanged = true;   // the line is active at power-on until the first step
    }

    /// <summary>An empty drive of CMOS type <paramref name="cmosType"/> (1-5).</summary>
    public FloppyDrive(byte cmosType)
    {
        if (cmosType is < 1 or > 5) throw new ArgumentOutOfRangeException(nameof(cmosType), "floppy drive type must be 1-5");
        CmosType = cmosType;
        DiskChanged = true;
    }

    /// <summary>The drive type for CMOS register 0x10 (1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M, 5 = 2.88M).</summary>
    public byte CmosType { get; }

    /// <summary>The last cylinder the head can reach (40-track drives step a little past 39, 80-track ones past 79).</summary>
    public int MaxCylinder => CmosType == 1 ? 41 : 83;

    public IBlockImage? Image { get; private set; }

    /// <summary>The format of the disk in the drive, null when empty.</summary>
    public FloppyFormat? Format { get; private set; }

    public bool HasDisk => Image != null;

    /// <summary>The write-protect sensor: a read-only image is a protected disk; an empty drive also reads as protected (no disk covers the sensor).</summary>
    public bool WriteProtected => Image?.ReadOnly ?? true;

    /// <summary>The DSKCHG line.</summary>
    public bool DiskChanged { get; internal set; }

    /// <summary>The cylinder the head is over.</summary>
    public int Cylinder { get; internal set; }

    /// <summary>The sector whose ID field passes under the head next (1-based), a deterministic stand-in for rotation.</summary>
    internal int NextSector { get; set; } = 1;

    /// <summary>Raised after <see cref="Insert"/> or <see cref="Eject"/>.</summary>
    public event Action? MediaChanged;

    /// <summary>Puts <paramref name="image"/> in the drive (ejecting any disk), and activates the disk-change line.</summary>
    /// <exception cref="ArgumentException">The image size is not a floppy format, or the format does not fit this drive.</exception>
    public void Insert(IBlockImage image)
    {
        var format = FormatOf(image);
        if (!Accepts(CmosType, format))
            throw new ArgumentException($"a {format.Name} disk does not fit a type {CmosType} ({TypeName(CmosType)}) floppy drive");
        Image = image;
        Format = format;
        DiskChanged = true;
        NextSector = 1;
        MediaChanged?.Invoke();
    }

    /// <summary>Takes the disk out (returning it, or null if the drive was empty) and activates the disk-change line.</summary>
    public IBlockImage? Eject()
    {
        var image = Image;
        Image = null;
        Format = null;
        DiskChanged = true;
        MediaChanged?.Invoke();
        return image;
    }

    static FloppyFormat FormatOf(IBlockImage image) =>
        FloppyFormat.FromSize(image.Length)
        ?? throw new ArgumentException($"a {image.Length}-byte image is not a floppy disk (160K, 180K, 320K, 360K, 720K, 1.2M, 1.44M or 2.88M)");

    static string TypeName(byte cmosType) => cmosType switch { 1 => "360K", 2 => "1.2M", 3 => "720K", 4 => "1.44M", _ => "2.88M" };

    static bool Accepts(byte cmosType, FloppyFormat f) => cmosType switch
    {
        1 => f.CmosType == 1,
        2 => f == FloppyFormat.M1_2,
        3 => f == FloppyFormat.K720,
        4 => f == FloppyFormat.K720 || f == FloppyFormat.M1_44,
        5 => f == FloppyFormat.K720 || f == FloppyFormat.M1_44 || f == FloppyFormat.M2_88,
        _ => false,
    };
}
