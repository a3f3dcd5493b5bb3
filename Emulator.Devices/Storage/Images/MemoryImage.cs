namespace Emulator.Devices.Storage.Images;

/// <summary>
/// A disk image held in host memory: a byte array, or a sparse map of 64 KiB chunks for
/// images larger than an array can hold (chunks never written read as zeros and take no
/// memory). Used by tests and for throwaway media; nothing reaches a file.
/// </summary>
public sealed class MemoryImage : IBlockImage
{
    const int ChunkShift = 16;
    const int ChunkSize = 1 << ChunkShift;

    readonly byte[]? flat;
    readonly Dictionary<long, byte[]>? sparse;

    /// <summary>An image over <paramref name="data"/> (not copied; its length must be a multiple of 512).</summary>
    public MemoryImage(byte[] data, bool readOnly = false)
    {
        if (data.Length % 512 != 0) throw new ArgumentException("The image size must be a multiple of 512 bytes.", nameof(data));
        flat = data;
        Length = data.Length;
        ReadOnly = readOnly;
    }

    MemoryImage(long length, bool readOnly)
    {
        sparse = new Dictionary<long, byte[]>();
        Length = length;
        ReadOnly = readOnly;
    }

    /// <summary>A sparse, zero-filled image of <paramref name="length"/> bytes (a multiple of 512).</summary>
    public static MemoryImage Sparse(long length, bool readOnly = false)
    {
        if (length < 0 || length % 512 != 0) throw new ArgumentException("The image size must be a multiple of 512 bytes.", nameof(length));
        return new MemoryImage(length, readOnly);
    }

    public long Length { get; }
    public bool ReadOnly { get; }

    /// <summary>How many times <see cref="Flush"/> was called.</summary>
    public int FlushCount { get; private set; }

    /// <summary>When set, every read and write throws <see cref="IOException"/>, as a failing host disk would.</summary>
    public bool FailIo { get; set; }

    /// <summary>The flat backing array, or null for a sparse image.</summary>
    public byte[]? Data => flat;

    public void Read(long offset, Span<byte> buffer)
    {
        Check(offset, buffer.Length);
        if (flat != null)
        {
            flat.AsSpan((int)offset, buffer.Length).CopyTo(buffer);
            return;
        }
        while (buffer.Length > 0)
        {
            int inChunk = (int)(offset & (ChunkSize - 1));
            int n = Math.Min(buffer.Length, ChunkSize - inChunk);
            if (sparse!.TryGetValue(offset >> ChunkShift, out var chunk)) chunk.AsSpan(inChunk, n).CopyTo(buffer);
            else buffer[..n].Clear();
            buffer = buffer[n..];
            offset += n;
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        Check(offset, data.Length);
        if (ReadOnly) throw new IOException("The image is read-only.");
        if (flat != null)
        {
            data.CopyTo(flat.AsSpan((int)offset));
            return;
        }
        while (data.Length > 0)
        {
            int inChunk = (int)(offset & (ChunkSize - 1));
            int n = Math.Min(data.Length, ChunkSize - inChunk);
            if (!sparse!.TryGetValue(offset >> ChunkShift, out var chunk))
                sparse[offset >> ChunkShift] = chunk = new byte[ChunkSize];
            data[..n].CopyTo(chunk.AsSpan(inChunk));
            data = data[n..];
            offset += n;
        }
    }

    void Check(long offset, int length)
    {
        if (FailIo) throw new IOException("Simulated host I/O error.");
        if (offset < 0 || offset > Length - length) throw new IOException($"Access at {offset} of {length} bytes is beyond the image ({Length} bytes).");
    }

    public void Flush()
    {
        if (FailIo) throw new IOException("Simulated host I/O error.");
        FlushCount++;
    }

    public void Dispose() { }
}
