using System.Buffers.Binary;

namespace Emulator.Devices.Storage.Images;

/// <summary>The image formats the block layer reads and writes.</summary>
public enum ImageFormat
{
    /// <summary>A flat file of sectors.</summary>
    Raw,
    /// <summary>QEMU's copy-on-write format, versions 2 and 3.</summary>
    Qcow2,
}

/// <summary>Format names as qemu-img spells them, and probing by content.</summary>
public static class ImageFormats
{
    /// <summary>The qcow2 magic "QFI\xfb" read as a big-endian word (qcow2 spec, Header bytes 0-3).</summary>
    public const uint Qcow2Magic = 0x514649FB;

    /// <summary>qemu-img's name for <paramref name="format"/>: <c>raw</c> or <c>qcow2</c>.</summary>
    public static string Name(ImageFormat format) => format == ImageFormat.Qcow2 ? "qcow2" : "raw";

    /// <summary>Parses a format name; false for names the block layer does not know.</summary>
    public static bool TryParse(string name, out ImageFormat format)
    {
        switch (name)
        {
            case "raw": format = ImageFormat.Raw; return true;
            case "qcow2": format = ImageFormat.Qcow2; return true;
            default: format = default; return false;
        }
    }

    /// <summary>
    /// Guesses the format from the first bytes, as QEMU's probing does for the formats here:
    /// the qcow2 magic with version 2 or 3 (any version, so a bad version is reported as a bad
    /// qcow2 rather than silently read as raw), else raw.
    /// </summary>
    public static ImageFormat Probe(ReadOnlySpan<byte> start) =>
        start.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(start) == Qcow2Magic ? ImageFormat.Qcow2 : ImageFormat.Raw;
}
