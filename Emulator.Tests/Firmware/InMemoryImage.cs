using Emulator.Devices.Storage;

namespace Emulator.Tests.Firmware;

/// <summary>A disk image held in a byte array, for firmware tests.</summary>
public sealed class InMemoryImage(byte[] bytes, bool readOnly = false) : IBlockImage
{
    public InMemoryImage(long length) : this(new byte[length]) { }

    public byte[] Bytes { get; } = bytes;
    public long Length => Bytes.Length;
    public bool ReadOnly { get; } = readOnly;

    public void Read(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset + buffer.Length > Length) throw new IOException("read beyond the image");
        Bytes.AsSpan((int)offset, buffer.Length).CopyTo(buffer);
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (ReadOnly || offset < 0 || offset + data.Length > Length) throw new IOException("write refused");
        data.CopyTo(Bytes.AsSpan((int)offset));
    }

    public void Flush() { }
    public void Dispose() { }
}
