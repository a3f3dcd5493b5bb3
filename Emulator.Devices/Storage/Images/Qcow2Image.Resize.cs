using System.Buffers.Binary;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// Changing a qcow2 image's virtual size (<c>emu img resize</c>, and reverting to a snapshot taken
/// at another size, as QEMU's qcow2_snapshot_goto does from the snapshot's disk_size extra data).
/// </summary>
/// <remarks>
/// <para>Growing only needs the L1 table to cover the new size (spec, "Header": size; the L1 table
/// has at least size / (cluster_size x cluster_size / 8) entries): a larger L1 goes into new
/// clusters, the header's l1_size and l1_table_offset (adjacent, bytes 36-47) switch to it in one
/// write, the old table's clusters are freed after; then the header's size (bytes 24-31). As in
/// QEMU (qcow2_co_truncate), a version 2 image with snapshots is not resized: its snapshot table
/// entries have no room for the disk size the snapshot was taken at.</para>
/// <para>Shrinking an image in place (discarding the clusters past the new end) is not
/// implemented; reverting to a snapshot of a smaller disk needs none of that, since the whole
/// active L1 table is replaced.</para>
/// </remarks>
public sealed partial class Qcow2Image
{
    /// <summary>Grows the virtual size to <paramref name="newSize"/> bytes; the new part reads as zeros (or from the backing file).</summary>
    /// <exception cref="ImageException">Read-only, smaller than now, too large, or a version 2 image with snapshots.</exception>
    public void Grow(long newSize)
    {
        EnsureSnapshotWritable();
        if (newSize < Length) throw new ImageException($"'{path}': shrinking a qcow2 image is not supported");
        if (newSize == (long)header.Size) return;
        if (snapshots.Count > 0 && header.Version < 3) throw new ImageException($"'{path}': Can't resize a v2 image which has snapshots");
        SetVirtualSize((ulong)newSize);
    }

    /// <summary>L1 entries that map <paramref name="size"/> bytes (QEMU's size_to_l1).</summary>
    long L1EntriesFor(ulong size) => (long)((size + (ulong)bytesPerL1Entry - 1) / (ulong)bytesPerL1Entry);

    /// <exception cref="ImageException">The size needs an L1 table larger than the spec allows.</exception>
    void CheckL1Entries(long entries, ulong size)
    {
        if (entries * 8 > Qcow2Header.MaxL1Bytes) throw new ImageException($"'{path}': a virtual size of {size} bytes needs an L1 table larger than {Qcow2Header.MaxL1Bytes >> 20} MiB");
    }

    /// <summary>Makes the L1 table at least <paramref name="entries"/> long (the header's size is not changed).</summary>
    void EnsureL1Entries(long entries)
    {
        if (entries <= l1.Length) return;
        var next = new ulong[entries];
        l1.CopyTo(next, 0);
        long oldOffset = (long)header.L1TableOffset;
        long oldClusters = ((long)l1.Length * 8 + clusterSize - 1) >> clusterBits;
        long offset = WriteNewTable(next);
        Span<byte> field = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(field, (uint)entries);
        BinaryPrimitives.WriteUInt64BigEndian(field[4..], (ulong)offset);
        RandomAccess.Write(file, field, 36);
        header.L1Size = (uint)entries;
        header.L1TableOffset = (ulong)offset;
        l1 = next;
        if (oldOffset != 0 && oldClusters > 0)
        {
            var free = new Dictionary<long, long>();
            for (long c = 0; c < oldClusters; c++) free[(oldOffset >> clusterBits) + c] = -1;
            refcounts.Apply(free);
        }
    }

    /// <summary>Sets the header's virtual size (growing the L1 table first when it must).</summary>
    void SetVirtualSize(ulong size)
    {
        long entries = L1EntriesFor(size);
        CheckL1Entries(entries, size);
        EnsureL1Entries(entries);
        Span<byte> field = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(field, size);
        RandomAccess.Write(file, field, 24);
        header.Size = size;
        Length = (long)((size + 511) & ~511UL);
        diskL1Entries = (int)entries;
    }
}
