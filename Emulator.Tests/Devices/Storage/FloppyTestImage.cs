using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Floppy;

namespace Emulator.Tests.Devices.Storage;

/// <summary>
/// A floppy image in memory for the controller tests, whose every sector starts with its own
/// C, H, R and then bytes (k ^ LBA), so a test can tell which sector landed where.
/// </summary>
internal sealed class FloppyTestImage : IBlockImage
{
    public FloppyTestImage(FloppyFormat format, bool readOnly = false)
    {
        Format = format;
        Bytes = new byte[format.Size];
        ReadOnly = readOnly;
        for (int c = 0; c < format.Cylinders; c++)
            for (int h = 0; h < format.Heads; h++)
                for (int r = 1; r <= format.Sectors; r++)
                    Pattern(c, h, r).CopyTo(Bytes, Lba(c, h, r) * FloppyFormat.SectorSize);
    }

    public FloppyFormat Format { get; }

    public byte[] Bytes { get; }

    public long Length => Bytes.Length;

    public bool ReadOnly { get; }

    /// <summary>When set, every read and write throws as a failing host file would.</summary>
    public bool Fail { get; set; }

    public int Lba(int c, int h, int r) => (c * Format.Heads + h) * Format.Sectors + r - 1;

    public byte[] Pattern(int c, int h, int r)
    {
        int lba = Lba(c, h, r);
        var b = new byte[FloppyFormat.SectorSize];
        for (int k = 0; k < b.Length; k++) b[k] = (byte)(k ^ lba);
        b[0] = (byte)c; b[1] = (byte)h; b[2] = (byte)r;
        return b;
    }

    public byte[] Sector(int c, int h, int r) => Bytes.AsSpan(Lba(c, h, r) * FloppyFormat.SectorSize, FloppyFormat.SectorSize).ToArray();

    public void Read(long offset, Span<byte> buffer)
    {
        if (Fail || offset < 0 || offset + buffer.Length > Bytes.Length) throw new IOException("test image read failed");
        Bytes.AsSpan((int)offset, buffer.Length).CopyTo(buffer);
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (Fail || offset < 0 || offset + data.Length > Bytes.Length) throw new IOException("test image write failed");
        if (ReadOnly) throw new IOException("read-only");
        data.CopyTo(Bytes.AsSpan((int)offset));
    }

    public void Flush()
    {
    }

    public void Dispose()
    {
    }
}
