using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// A qcow2 image, versions 2 and 3 (QEMU's docs/interop/qcow2.txt): the guest disk mapped
/// through the L1 table and one-cluster L2 tables, clusters allocated on first write with their
/// refcounts, reads of unallocated clusters from the backing image, zero clusters (v3) and
/// compressed clusters (raw deflate) on read.
/// </summary>
/// <remarks>
/// <para>Metadata is write-through (L1 in memory, L2 tables and refcount blocks in small
/// caches, every change written when made), and an allocating write goes in the order data,
/// refcount, L2 entry, L1 entry, so a killed process leaves at worst leaked clusters.</para>
/// <para>A cluster is written in place only when the COPIED flag (bit 63) of its L2 entry, and of
/// the L1 entry above it, says its refcount is exactly one (spec, "Cluster mapping"); otherwise it is
/// shared with an internal snapshot (or a compressed cluster), and the write copies it: a shared L2
/// table is copied first, then the data cluster, and only then is the old cluster's refcount
/// dropped. Writing a compressed cluster rewrites it uncompressed and releases the compressed
/// sectors; writing an owned preallocated zero cluster reuses its host cluster. Lazy refcounts are
/// not used: the image is never marked dirty. Internal snapshots: see Qcow2Image.Snapshots.cs.</para>
/// <para>Not implemented: writing images marked dirty or corrupt (they open read-only);
/// encryption, external data files, extended L2 entries and non-zlib compression (refused at
/// open); shrinking (see Qcow2Image.Resize.cs); writing compressed clusters; shrinking the file (freed clusters are reused
/// by later allocations, but the file never gets shorter).</para>
/// </remarks>
public sealed partial class Qcow2Image : IBlockImage
{
    /// <summary>Bits 9-55 of an L1/L2/refcount-table entry: the host offset (spec, "Cluster mapping").</summary>
    public const ulong OffsetMask = 0x00FF_FFFF_FFFF_FE00;
    /// <summary>L1/L2 bit 63: refcount exactly one, so the cluster may be written in place.</summary>
    public const ulong Copied = 1UL << 63;
    /// <summary>L2 bit 62: a compressed cluster.</summary>
    public const ulong Compressed = 1UL << 62;
    /// <summary>L2 bit 0 (v3): the cluster reads as zeros.</summary>
    public const ulong ZeroFlag = 1;
    const int L2CacheSize = 32;

    readonly string path;
    readonly FileStream stream;
    readonly SafeFileHandle file;
    readonly Qcow2Header header;
    readonly IBlockImage? backing;
    readonly int clusterBits;
    readonly int clusterSize;
    readonly int l2Bits;
    ulong[] l1;
    readonly Qcow2Refcounts refcounts;
    readonly Dictionary<long, ulong[]> l2Cache = new();
    readonly int csizeShift;
    readonly ulong csizeMask;
    readonly byte[] clusterBuffer;
    readonly byte[] decompressed;
    long decompressedHost = -1;
    bool disposed;

    Qcow2Image(string path, FileStream stream, Qcow2Header header, IBlockImage? backing, bool readOnly)
    {
        this.path = path;
        this.stream = stream;
        file = stream.SafeFileHandle;
        this.header = header;
        this.backing = backing;
        ReadOnly = readOnly;
        clusterBits = header.ClusterBits;
        clusterSize = 1 << clusterBits;
        l2Bits = clusterBits - 3;
        Length = (long)((header.Size + 511) & ~511UL);
        l1 = Qcow2Refcounts.ReadTable(file, (long)header.L1TableOffset, (int)header.L1Size);
        refcounts = new Qcow2Refcounts(file, header, stream.Length);
        refcounts.Reused = ForgetClusters;
        snapshots = Qcow2SnapshotTable.Read(path, file, header, stream.Length);
        bytesPerL1Entry = (long)clusterSize << l2Bits;
        diskL1Entries = (int)((header.Size + (ulong)bytesPerL1Entry - 1) / (ulong)bytesPerL1Entry);
        // Compressed cluster descriptor: x = 62 - (cluster_bits - 8) (spec, "Compressed Clusters Descriptor").
        csizeShift = 62 - (clusterBits - 8);
        csizeMask = (1UL << (clusterBits - 8)) - 1;
        clusterBuffer = new byte[clusterSize];
        decompressed = new byte[clusterSize];
    }

    /// <summary>The virtual size, rounded up to a whole sector (it changes with <see cref="Grow"/> and when a snapshot of another size is loaded).</summary>
    public long Length { get; private set; }

    public bool ReadOnly { get; }

    /// <summary>The image's cluster size in bytes.</summary>
    public int ClusterSize => clusterSize;

    /// <summary>The backing file name as stored in the header, or null.</summary>
    public string? BackingFileName => header.BackingFile;

    /// <summary>The backing file format from the header extension, or null (probed).</summary>
    public string? BackingFormatName => header.BackingFormat;

    /// <summary>The qcow2 version, 2 or 3.</summary>
    public int Version => (int)header.Version;

    /// <summary>The backing image, or null.</summary>
    public IBlockImage? Backing => backing;

    /// <summary>
    /// Opens a qcow2 file. <paramref name="openBacking"/> opens the backing file named in the
    /// header (the opener resolves the path and guards against loops); it is not called when
    /// <paramref name="backingImage"/> is given (the <c>-snapshot</c> overlay).
    /// </summary>
    internal static Qcow2Image Open(string path, FileStream stream, bool readOnly,
        Func<Qcow2Header, IBlockImage>? openBacking, IBlockImage? backingImage = null)
    {
        try
        {
            long fileLength = stream.Length;
            var start = new byte[Math.Min(fileLength, 1 << Qcow2Header.MaxClusterBits)];
            HostFiles.ReadFully(stream.SafeFileHandle, start, 0);
            var header = Qcow2Header.Parse(path, start, fileLength);
            if (!readOnly)
            {
                if ((header.IncompatibleFeatures & Qcow2Header.IncompatCorrupt) != 0)
                    throw new ImageException($"'{path}': the image is marked corrupt; open it read-only or repair it with qemu-img check -r all");
                if ((header.IncompatibleFeatures & Qcow2Header.IncompatDirty) != 0)
                    throw new ImageException($"'{path}': the image is marked dirty (refcounts may be stale); open it read-only or repair it with qemu-img check -r all");
            }
            CheckL1(path, header, start, fileLength, stream.SafeFileHandle);
            IBlockImage? backing = backingImage ?? (header.BackingFile != null ? openBacking?.Invoke(header) : null);
            try
            {
                var image = new Qcow2Image(path, stream, header, backing, readOnly);
                if (!readOnly && header.AutoclearFeatures != 0)
                {
                    // Autoclear bits describe data this implementation does not maintain (bitmaps):
                    // a writer must clear them first (spec, autoclear_features).
                    Span<byte> zero = stackalloc byte[8];
                    RandomAccess.Write(stream.SafeFileHandle, zero, 88);
                }
                return image;
            }
            catch
            {
                if (backingImage == null) backing?.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Every L2 table the L1 table points to must be cluster aligned and inside the file.</summary>
    static void CheckL1(string path, Qcow2Header h, byte[] start, long fileLength, SafeFileHandle file)
    {
        var l1 = Qcow2Refcounts.ReadTable(file, (long)h.L1TableOffset, (int)h.L1Size);
        foreach (ulong e in l1)
        {
            ulong off = e & OffsetMask;
            if (off == 0) continue;
            if ((off & (ulong)(h.ClusterSize - 1)) != 0) throw new ImageException($"'{path}': an L2 table offset is not cluster aligned");
            if (off + (ulong)h.ClusterSize > (ulong)fileLength) throw new ImageException($"'{path}': an L2 table lies beyond the end of the file");
        }
    }

    /// <summary>Drops cached L2 tables and the decompressed cluster held by clusters that were freed and are being reused.</summary>
    void ForgetClusters(long first, long count)
    {
        foreach (long offset in l2Cache.Keys.ToList())
            if ((offset >> clusterBits) - first is var k && k >= 0 && k < count) l2Cache.Remove(offset);
        if (decompressedHost >= 0 && (decompressedHost >> clusterBits) - first is var d && d >= 0 && d < count) decompressedHost = -1;
    }

    /// <summary>The L2 entry mapping virtual cluster <paramref name="vcluster"/> (0 when its L2 table is absent).</summary>
    ulong L2Entry(long vcluster)
    {
        long l1Index = vcluster >> l2Bits;
        ulong l2Offset = l1[l1Index] & OffsetMask;
        return l2Offset == 0 ? 0 : L2Table((long)l2Offset)[vcluster & ((1 << l2Bits) - 1)];
    }

    ulong[] L2Table(long offset)
    {
        if (l2Cache.TryGetValue(offset, out var table)) return table;
        if (l2Cache.Count >= L2CacheSize) l2Cache.Clear();
        table = Qcow2Refcounts.ReadTable(file, offset, clusterSize / 8);
        l2Cache[offset] = table;
        return table;
    }

    public void Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        BlockChecks.Range(this, offset, buffer.Length);
        while (buffer.Length > 0)
        {
            long vcluster = offset >> clusterBits;
            int within = (int)(offset & (clusterSize - 1));
            int n = Math.Min(buffer.Length, clusterSize - within);
            ulong entry = L2Entry(vcluster);
            long host = (long)(entry & OffsetMask);
            if ((entry & Compressed) == 0 && host != 0 && (entry & ZeroFlag) == 0)
            {
                // Extend the read over following clusters that are contiguous in the file.
                while (n < buffer.Length)
                {
                    long k = (within + n) >> clusterBits;
                    ulong next = L2Entry(vcluster + k);
                    if ((next & (Compressed | ZeroFlag)) != 0 || (long)(next & OffsetMask) != host + (k << clusterBits)) break;
                    n = Math.Min(buffer.Length, n + clusterSize);
                }
                HostFiles.ReadFully(file, buffer[..n], host + within);
            }
            else ReadCluster(entry, offset - within, within, buffer[..n]);
            buffer = buffer[n..];
            offset += n;
        }
    }

    /// <summary>Reads part of one virtual cluster that is not a plain allocated cluster (or is, for copy-on-write).</summary>
    void ReadCluster(ulong entry, long clusterStart, int within, Span<byte> dest)
    {
        if ((entry & Compressed) != 0)
        {
            Decompress(entry);
            decompressed.AsSpan(within, dest.Length).CopyTo(dest);
            return;
        }
        long host = (long)(entry & OffsetMask);
        if ((entry & ZeroFlag) != 0 && header.Version >= 3) { dest.Clear(); return; }
        if (host != 0) { HostFiles.ReadFully(file, dest, host + within); return; }
        ReadBacking(clusterStart + within, dest);
    }

    void ReadBacking(long offset, Span<byte> dest)
    {
        if (backing == null) { dest.Clear(); return; }
        int inBacking = (int)Math.Clamp(backing.Length - offset, 0, dest.Length);
        if (inBacking > 0) backing.Read(offset, dest[..inBacking]);
        dest[inBacking..].Clear();
    }

    /// <summary>Inflates a compressed cluster into <see cref="decompressed"/> (zlib's raw deflate, as QEMU writes it).</summary>
    void Decompress(ulong entry)
    {
        long host = (long)(entry & ((1UL << csizeShift) - 1));
        if (host == decompressedHost) return;
        int sectors = (int)((entry >> csizeShift) & csizeMask) + 1;
        long size = sectors * 512L - (host & 511);
        size = Math.Min(size, stream.Length - host);
        if (size <= 0) throw new IOException($"compressed cluster at {host} lies beyond the end of the image file");
        var compressed = new byte[size];
        HostFiles.ReadFully(file, compressed, host);
        decompressedHost = -1;
        try
        {
            using var inflater = new DeflateStream(new MemoryStream(compressed), CompressionMode.Decompress);
            int total = 0;
            while (total < clusterSize)
            {
                int got = inflater.Read(decompressed, total, clusterSize - total);
                if (got == 0) throw new IOException($"compressed cluster at {host} is truncated");
                total += got;
            }
        }
        catch (InvalidDataException e)
        {
            throw new IOException($"compressed cluster at {host} is corrupt: {e.Message}");
        }
        decompressedHost = host;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        BlockChecks.Range(this, offset, data.Length);
        if (ReadOnly) throw new IOException("the image is read-only");
        while (data.Length > 0)
        {
            long vcluster = offset >> clusterBits;
            int within = (int)(offset & (clusterSize - 1));
            int n = Math.Min(data.Length, clusterSize - within);
            WriteInCluster(vcluster, within, data[..n]);
            data = data[n..];
            offset += n;
        }
    }

    void WriteInCluster(long vcluster, int within, ReadOnlySpan<byte> data)
    {
        ulong entry = L2Entry(vcluster);
        long host = (long)(entry & OffsetMask);
        bool compressed = (entry & Compressed) != 0;
        bool zero = !compressed && (entry & ZeroFlag) != 0 && header.Version >= 3;
        if (!compressed && !zero && host != 0 && (entry & Copied) != 0 && (l1[vcluster >> l2Bits] & Copied) != 0)
        {
            RandomAccess.Write(file, data, host + within);
            return;
        }

        // Build the whole new cluster: the old contents (or zeros) with the new bytes over them.
        var cluster = clusterBuffer.AsSpan();
        if (data.Length < clusterSize)
        {
            if (zero) cluster.Clear();
            else ReadCluster(entry, vcluster << clusterBits, 0, cluster);
        }
        data.CopyTo(cluster[within..]);

        // The L2 table must be this image's own before an entry in it changes (a shared one is copied).
        long l2 = EnsureL2(vcluster);
        entry = L2Table(l2)[vcluster & ((1 << l2Bits) - 1)];
        if (!compressed && host != 0 && ((entry & Copied) != 0 || refcounts.Get(host >> clusterBits) == 1))
        {
            // Owned by the active state alone: a preallocated zero cluster (or a data cluster whose
            // COPIED flag was clear though nothing else uses it) is filled in place, then the entry says so.
            RandomAccess.Write(file, cluster, host);
            SetL2Entry(vcluster, (ulong)host | Copied, l2);
            return;
        }
        long newHost = refcounts.Reserve(1);
        RandomAccess.Write(file, cluster, newHost);
        refcounts.Commit(newHost, 1);
        SetL2Entry(vcluster, (ulong)newHost | Copied, l2);
        // The old cluster is released only once nothing in the active state points to it.
        if (compressed) ReleaseCompressed(entry);
        else if (host != 0) refcounts.Adjust(host >> clusterBits, -1);
    }

    /// <summary>Drops one reference from each host cluster a compressed cluster's sectors touch.</summary>
    void ReleaseCompressed(ulong entry)
    {
        long host = (long)(entry & ((1UL << csizeShift) - 1));
        int sectors = (int)((entry >> csizeShift) & csizeMask) + 1;
        long last = ((host & ~511L) + sectors * 512L - 1) >> clusterBits;
        for (long c = host >> clusterBits; c <= last; c++) refcounts.Adjust(c, -1);
        if (decompressedHost == host) decompressedHost = -1;
    }

    /// <summary>
    /// The offset of the L2 table for <paramref name="vcluster"/>, owned by the active state alone:
    /// an absent table is allocated empty, a shared one (COPIED clear, refcount above one) is copied
    /// with its entries' COPIED flags cleared (their clusters stay shared), the L1 entry switched to
    /// the copy, and only then the old table's refcount dropped.
    /// </summary>
    long EnsureL2(long vcluster)
    {
        long l1Index = vcluster >> l2Bits;
        ulong l1Entry = l1[l1Index];
        long old = (long)(l1Entry & OffsetMask);
        if (old != 0 && (l1Entry & Copied) != 0) return old;
        if (old != 0 && refcounts.Get(old >> clusterBits) == 1)
        {
            SetL1Entry(l1Index, (ulong)old | Copied);
            return old;
        }
        var table = new ulong[clusterSize / 8];
        var bytes = new byte[clusterSize];
        if (old != 0)
        {
            var source = L2Table(old);
            for (int i = 0; i < table.Length; i++) table[i] = source[i] & ~Copied;
            EncodeTable(table, bytes);
        }
        long l2 = refcounts.Reserve(1);
        RandomAccess.Write(file, bytes, l2);
        refcounts.Commit(l2, 1);
        if (l2Cache.Count >= L2CacheSize) l2Cache.Clear();
        l2Cache[l2] = table;
        SetL1Entry(l1Index, (ulong)l2 | Copied);
        if (old != 0) refcounts.Adjust(old >> clusterBits, -1);
        return l2;
    }

    void SetL1Entry(long index, ulong value)
    {
        l1[index] = value;
        WriteEntry((long)header.L1TableOffset + index * 8, value);
    }

    static void EncodeTable(ReadOnlySpan<ulong> table, Span<byte> bytes)
    {
        for (int i = 0; i < table.Length; i++) BinaryPrimitives.WriteUInt64BigEndian(bytes[(i * 8)..], table[i]);
    }

    void SetL2Entry(long vcluster, ulong value, long l2 = 0)
    {
        if (l2 == 0) l2 = (long)(l1[vcluster >> l2Bits] & OffsetMask);
        int index = (int)(vcluster & ((1 << l2Bits) - 1));
        L2Table(l2)[index] = value;
        WriteEntry(l2 + index * 8L, value);
    }

    void WriteEntry(long at, ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        RandomAccess.Write(file, b, at);
    }

    public void Flush()
    {
        if (!disposed && !ReadOnly) stream.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        if (disposed) return;
        Flush();
        disposed = true;
        stream.Dispose();
        backing?.Dispose();
    }
}
