using Microsoft.Win32.SafeHandles;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// A raw image: the file is the disk, byte for byte. The virtual size is the file length
/// rounded up to a whole sector; the missing tail of a last partial sector reads as zeros
/// (QEMU rounds the same way). Writes are positional and unbuffered, so a killed process loses
/// nothing the guest completed; <see cref="Flush"/> asks the host to make them durable.
/// </summary>
public sealed class RawImage : IBlockImage
{
    readonly FileStream file;
    readonly SafeFileHandle handle;
    readonly long fileLength;

    RawImage(FileStream file, bool readOnly)
    {
        this.file = file;
        handle = file.SafeFileHandle;
        ReadOnly = readOnly;
        fileLength = file.Length;
        Length = (fileLength + 511) & ~511L;
    }

    /// <summary>Opens <paramref name="path"/>; read-only opens share the file with other readers.</summary>
    /// <exception cref="ImageException">The file cannot be opened.</exception>
    public static RawImage Open(string path, bool readOnly) => new(HostFiles.Open(path, readOnly), readOnly);

    /// <summary>Wraps an open file (the image tool's output).</summary>
    internal static RawImage FromStream(FileStream file, bool readOnly) => new(file, readOnly);

    public long Length { get; }

    public bool ReadOnly { get; }

    public void Read(long offset, Span<byte> buffer)
    {
        BlockChecks.Range(this, offset, buffer.Length);
        int inFile = (int)Math.Clamp(fileLength - offset, 0, buffer.Length);
        HostFiles.ReadFully(handle, buffer[..inFile], offset);
        buffer[inFile..].Clear();
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        BlockChecks.Range(this, offset, data.Length);
        if (ReadOnly) throw new IOException("the image is read-only");
        RandomAccess.Write(handle, data, offset);
    }

    public void Flush()
    {
        if (!ReadOnly) file.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        Flush();
        file.Dispose();
    }
}
