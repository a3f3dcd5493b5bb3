namespace Emulator.Devices.Storage;

/// <summary>What kind of drive an IDE position holds.</summary>
public enum DriveMedia
{
    /// <summary>An ATA hard disk.</summary>
    Disk,
    /// <summary>An ATAPI CD-ROM drive (read-only, removable media).</summary>
    CdRom,
}

/// <summary>
/// A drive on an IDE channel. A CD-ROM drive may be empty (<see cref="Image"/> null) and have
/// media inserted later, as QEMU's default <c>ide1-cd0</c>; a disk always has an image.
/// </summary>
public sealed record IdeDrive(DriveMedia Media, IBlockImage? Image);
