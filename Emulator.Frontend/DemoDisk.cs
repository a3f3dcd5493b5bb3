using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;

namespace Emulator.Frontend;

/// <summary>
/// The demo disk emu boots when it is given no disk, kernel or boot option: the image built from
/// <c>demo/src/demo.asm</c> (embedded as <c>demo/demo.img</c>), as the primary master hard disk.
/// </summary>
/// <remarks>
/// The disk is a copy in memory: the guest may write to it, and its writes go nowhere else. Its
/// size is the smallest whole disk of the default ATA geometry (2 cylinders of 16 heads and 63
/// sectors: <see cref="AtaDisk.DefaultCylinders"/> is never below 2), so INT 13h 08h's geometry
/// and 48h's sector count describe the same disk, under the own BIOS and SeaBIOS alike.
/// </remarks>
internal static class DemoDisk
{
    const string ResourceName = "demo/demo.img";

    /// <summary>The disk's size in 512-byte sectors: 2 x 16 x 63.</summary>
    public const int Sectors = 2 * AtaDisk.DefaultHeads * AtaDisk.DefaultSectorsPerTrack;

    /// <summary>The embedded image (the boot record and the program), as built.</summary>
    public static byte[] Image()
    {
        using var resource = typeof(DemoDisk).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new EmuError("no demo disk is embedded in this build; give a disk (-hda, -cdrom...) or -kernel");
        var image = new byte[resource.Length];
        resource.ReadExactly(image);
        return image;
    }

    /// <summary>A fresh in-memory disk holding the image.</summary>
    public static IdeDrive Open()
    {
        byte[] image = Image();
        var disk = new byte[(long)Sectors * 512];
        image.AsSpan(0, Math.Min(image.Length, disk.Length)).CopyTo(disk);
        return new IdeDrive(DriveMedia.Disk, new MemoryImage(disk));
    }
}
