using System.Buffers.Binary;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// Writes a new, empty qcow2 image as <c>qemu-img create -f qcow2</c> lays it out: the header in
/// cluster 0, then the refcount table, the refcount blocks and the L1 table, every one of those
/// clusters with refcount 1 and no data clusters.
/// </summary>
public static class Qcow2Creator
{
    public const int DefaultClusterBits = 16;

    /// <summary>Creates <paramref name="path"/> (replacing any file there).</summary>
    /// <param name="size">Virtual size in bytes (rounded up to 512).</param>
    /// <param name="backingFile">The backing file name to store (as given; relative names are resolved against the image's directory when opened).</param>
    /// <param name="backingFormat">The backing file's format name, stored in a header extension; null to probe at open.</param>
    /// <param name="version">2 (qemu-img's compat=0.10) or 3 (compat=1.1, the default).</param>
    public static void Create(string path, long size, string? backingFile = null, string? backingFormat = null,
        int clusterBits = DefaultClusterBits, int version = 3)
    {
        using var stream = HostFiles.Create(path);
        try
        {
            WriteLayout(stream, size, backingFile, backingFormat, clusterBits, version);
        }
        catch (IOException e)
        {
            throw new ImageException($"Could not create '{path}': {e.Message}");
        }
    }

    /// <summary>Writes the layout of an empty image into <paramref name="stream"/>.</summary>
    internal static void WriteLayout(FileStream stream, long size, string? backingFile, string? backingFormat, int clusterBits, int version)
    {
        if (clusterBits is < Qcow2Header.MinClusterBits or > Qcow2Header.MaxClusterBits)
            throw new ImageException($"cluster size must be a power of two between 512 B and 2 MiB");
        if (size < 0) throw new ImageException("image size must not be negative");
        size = (size + 511) & ~511L;
        long cs = 1L << clusterBits;
        long bytesPerL2 = cs * (cs / 8);
        long l1Size = Math.Max(1, (size + bytesPerL2 - 1) / bytesPerL2);
        if (l1Size * 8 > Qcow2Header.MaxL1Bytes) throw new ImageException($"image size {size} is too large for {cs}-byte clusters");
        long l1Clusters = (l1Size * 8 + cs - 1) / cs;
        long entriesPerBlock = cs * 8 / 16;
        long rtClusters = 1, rbClusters = 1;
        while (true)
        {
            long total = 1 + rtClusters + rbClusters + l1Clusters;
            long rb = (total + entriesPerBlock - 1) / entriesPerBlock;
            long rt = (rb * 8 + cs - 1) / cs;
            if (rb == rbClusters && rt == rtClusters) break;
            rbClusters = rb;
            rtClusters = rt;
        }
        long metaClusters = 1 + rtClusters + rbClusters + l1Clusters;
        var header = new Qcow2Header
        {
            Version = (uint)version,
            ClusterBits = clusterBits,
            Size = (ulong)size,
            L1Size = (uint)l1Size,
            RefcountTableOffset = (ulong)cs,
            RefcountTableClusters = (uint)rtClusters,
            L1TableOffset = (ulong)((1 + rtClusters + rbClusters) * cs),
            RefcountOrder = 4,
            BackingFile = backingFile,
            BackingFormat = backingFile != null ? backingFormat : null,
        };
        var cluster0 = new byte[cs];
        header.Write(cluster0);

        var meta = new byte[metaClusters * cs];
        cluster0.CopyTo(meta, 0);
        for (long i = 0; i < rbClusters; i++)
            BinaryPrimitives.WriteUInt64BigEndian(meta.AsSpan((int)(cs + i * 8)), (ulong)((1 + rtClusters + i) * cs));
        long blocksStart = (1 + rtClusters) * cs;
        for (long c = 0; c < metaClusters; c++)
            BinaryPrimitives.WriteUInt16BigEndian(meta.AsSpan((int)(blocksStart + c * 2)), 1);
        stream.SetLength(0);
        stream.Write(meta);
        stream.Flush(flushToDisk: true);
    }
}
