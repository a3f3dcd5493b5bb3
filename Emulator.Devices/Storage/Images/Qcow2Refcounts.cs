using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// The refcount table and refcount blocks of a qcow2 image (qcow2 spec, "Host cluster
/// management"), and cluster allocation at the end of the file.
/// </summary>
/// <remarks>
/// Everything is write-through: each refcount change is written to the file when made, so the
/// file is the only copy of the state and a killed process loses no metadata. New clusters are
/// taken from the lowest run of free clusters (refcount 0) big enough, else from the end of the
/// file, as QEMU's allocator does; every caller commits what it reserved before it frees anything,
/// so a reserved cluster is never handed out twice. A missing refcount block is created self-describing (it is
/// placed inside the range it covers and counts itself), written before the table entry that
/// points to it; a full table is copied to a larger one at the end of the file and the header is
/// switched to it in one write. Every step is ordered so that a crash between any two writes
/// leaves at worst clusters whose refcount is higher than their use (leaks), never a used cluster
/// with a refcount of 0.
/// </remarks>
internal sealed class Qcow2Refcounts
{
    const int HeaderRefcountTableField = 48;
    const int BlockCacheSize = 64;

    readonly SafeFileHandle file;
    readonly int clusterBits;
    readonly long clusterSize;
    readonly int refcountBits;
    readonly ulong maxRefcount;
    /// <summary>Refcount entries in one refcount block.</summary>
    readonly long entriesPerBlock;
    ulong[] table;
    long tableOffset;
    readonly Dictionary<long, byte[]> blockCache = new();

    /// <summary>The first cluster past everything allocated: where allocations that find no free run go.</summary>
    public long EndCluster { get; private set; }

    /// <summary>No cluster below this one is free (QEMU's free_cluster_index): where the search for free clusters starts.</summary>
    long freeHint;

    /// <summary>Called with (first cluster, count) when freed clusters are handed out again, so caches of what they held are dropped.</summary>
    public Action<long, long>? Reused { get; set; }

    public Qcow2Refcounts(SafeFileHandle file, Qcow2Header header, long fileLength)
    {
        this.file = file;
        clusterBits = header.ClusterBits;
        clusterSize = header.ClusterSize;
        refcountBits = 1 << header.RefcountOrder;
        maxRefcount = refcountBits == 64 ? ulong.MaxValue : (1UL << refcountBits) - 1;
        entriesPerBlock = clusterSize * 8 / refcountBits;
        tableOffset = (long)header.RefcountTableOffset;
        table = ReadTable(file, tableOffset, (int)(header.RefcountTableClusters * clusterSize / 8));
        EndCluster = (fileLength + clusterSize - 1) >> clusterBits;
    }

    /// <summary>The refcount table entries (offsets of refcount blocks; 0 for none).</summary>
    public IReadOnlyList<ulong> Table => table;

    public static ulong[] ReadTable(SafeFileHandle file, long offset, int entries)
    {
        var bytes = new byte[entries * 8];
        HostFiles.ReadFully(file, bytes, offset);
        var result = new ulong[entries];
        for (int i = 0; i < entries; i++) result[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * 8));
        return result;
    }

    /// <summary>Reads refcount entry <paramref name="index"/> of a block of <paramref name="bits"/>-bit entries.</summary>
    public static ulong ReadEntry(ReadOnlySpan<byte> block, long index, int bits)
    {
        if (bits >= 8)
        {
            int n = bits / 8;
            var s = block.Slice((int)(index * n), n);
            return n switch
            {
                1 => s[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(s),
                4 => BinaryPrimitives.ReadUInt32BigEndian(s),
                _ => BinaryPrimitives.ReadUInt64BigEndian(s),
            };
        }
        // Sub-byte widths: bit 0 of an entry is the least significant bit (spec, "Refcount block entry").
        long bit = index * bits;
        return (ulong)(block[(int)(bit >> 3)] >> (int)(bit & 7)) & ((1UL << bits) - 1);
    }

    /// <summary>Stores an entry; returns the byte range of <paramref name="block"/> that changed.</summary>
    static (int Start, int Length) WriteEntry(Span<byte> block, long index, int bits, ulong value)
    {
        if (bits >= 8)
        {
            int n = bits / 8;
            var s = block.Slice((int)(index * n), n);
            switch (n)
            {
                case 1: s[0] = (byte)value; break;
                case 2: BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)value); break;
                case 4: BinaryPrimitives.WriteUInt32BigEndian(s, (uint)value); break;
                default: BinaryPrimitives.WriteUInt64BigEndian(s, value); break;
            }
            return ((int)(index * n), n);
        }
        long bit = index * bits;
        int at = (int)(bit >> 3), shift = (int)(bit & 7);
        int mask = ((1 << bits) - 1) << shift;
        block[at] = (byte)((block[at] & ~mask) | ((int)value << shift & mask));
        return (at, 1);
    }

    byte[] Block(long offset)
    {
        if (blockCache.TryGetValue(offset, out var block)) return block;
        if (blockCache.Count >= BlockCacheSize) blockCache.Clear();
        block = new byte[clusterSize];
        HostFiles.ReadFully(file, block, offset);
        blockCache[offset] = block;
        return block;
    }

    /// <summary>The refcount of host cluster <paramref name="cluster"/> (0 where no block exists).</summary>
    public ulong Get(long cluster)
    {
        long index = cluster / entriesPerBlock;
        if (index >= table.Length) return 0;
        long blockOffset = (long)(table[index] & Qcow2Image.OffsetMask);
        return blockOffset == 0 ? 0 : ReadEntry(Block(blockOffset), cluster % entriesPerBlock, refcountBits);
    }

    /// <summary>Sets the refcount of <paramref name="cluster"/>, creating its refcount block if needed.</summary>
    public void Set(long cluster, ulong value)
    {
        if (value > maxRefcount) throw new IOException($"refcount overflow on cluster {cluster} (at most {maxRefcount} with {refcountBits}-bit refcounts)");
        EnsureBlock(cluster / entriesPerBlock);
        long blockOffset = (long)(table[cluster / entriesPerBlock] & Qcow2Image.OffsetMask);
        var block = Block(blockOffset);
        var (start, length) = WriteEntry(block, cluster % entriesPerBlock, refcountBits, value);
        RandomAccess.Write(file, block.AsSpan(start, length), blockOffset + start);
        if (value == 0) freeHint = Math.Min(freeHint, cluster);
    }

    /// <summary>Adds <paramref name="delta"/> (±1) to a cluster's refcount; the refcount never goes below 0 or above its width.</summary>
    public void Adjust(long cluster, int delta)
    {
        ulong current = Get(cluster);
        if (delta < 0 && current == 0) throw new IOException($"refcount of cluster {cluster} would drop below zero");
        Set(cluster, delta < 0 ? current - 1 : current + 1);
    }

    /// <summary>
    /// Reserves <paramref name="count"/> contiguous free clusters (the first run big enough, else at
    /// the end of the file) and returns the
    /// offset of the first; their refcounts stay 0 until <see cref="Commit"/>, so the caller writes
    /// their contents first (a crash before the commit leaves only unused space).
    /// </summary>
    public long Reserve(int count)
    {
        long free = FindFreeRun(count);
        if (free >= 0) return free << clusterBits;
        // Make sure every refcount block the new clusters need exists before they are handed out;
        // creating a block takes a cluster from the end too, so start over after each one.
        while (true)
        {
            long first = EndCluster, last = first + count - 1;
            long missing = -1;
            for (long i = first / entriesPerBlock; i <= last / entriesPerBlock; i++)
                if (i >= table.Length || table[i] == 0) { missing = i; break; }
            if (missing < 0)
            {
                EndCluster = last + 1;
                // Reserved clusters keep refcount 0 until their commit: the free search must not find them.
                if (freeHint >= first) freeHint = EndCluster;
                return first << clusterBits;
            }
            EnsureBlock(missing);
        }
    }

    /// <summary>The first run of <paramref name="count"/> free clusters below <see cref="EndCluster"/>, or -1; moves the hint past what it hands out.</summary>
    long FindFreeRun(int count)
    {
        long start = -1;
        bool seenFree = false;
        for (long c = freeHint; c < EndCluster; c++)
        {
            if (Get(c) != 0) { start = -1; continue; }
            if (!seenFree) { freeHint = c; seenFree = true; }
            if (start < 0) start = c;
            if (c - start + 1 < count) continue;
            if (freeHint == start) freeHint = start + count;
            Reused?.Invoke(start, count);
            return start;
        }
        if (!seenFree) freeHint = EndCluster;
        return -1;
    }

    /// <summary>
    /// Reserves up to <paramref name="max"/> contiguous clusters: the first free run (however short),
    /// else <paramref name="max"/> at the end of the file. For data that may be scattered (the VM
    /// state), so fragmented free space is used instead of growing the file. Successive calls never
    /// overlap, even before their commit.
    /// </summary>
    public (long Offset, int Count) ReserveUpTo(int max)
    {
        for (long c = freeHint; c < EndCluster; c++)
        {
            if (Get(c) != 0) continue;
            long end = c + 1;
            while (end < EndCluster && end - c < max && Get(end) == 0) end++;
            freeHint = end;
            Reused?.Invoke(c, end - c);
            return (c << clusterBits, (int)(end - c));
        }
        freeHint = EndCluster;
        return (Reserve(max), max);
    }

    /// <summary>Sets the refcount of reserved clusters to 1 (one write per refcount block touched).</summary>
    public void Commit(long offset, int count)
    {
        var deltas = new Dictionary<long, long>(count);
        for (int i = 0; i < count; i++) deltas[(offset >> clusterBits) + i] = 1;
        Apply(deltas);
    }

    /// <summary>
    /// Adds each delta to its cluster's refcount. Every new value is checked first (no refcount below 0
    /// or above the refcount width), so a refused change leaves the file as it was; then each
    /// refcount block touched is written once, covering the entries that changed.
    /// </summary>
    public void Apply(IReadOnlyDictionary<long, long> deltas)
    {
        if (Check(deltas) is { } problem) throw new IOException(problem);
        var updates = new List<(long Cluster, ulong Value)>(deltas.Count);
        foreach (var (cluster, delta) in deltas)
        {
            if (delta == 0) continue;
            ulong current = Get(cluster);
            updates.Add((cluster, delta < 0 ? current - (ulong)-delta : current + (ulong)delta));
        }
        updates.Sort((a, b) => a.Cluster.CompareTo(b.Cluster));
        int i = 0;
        while (i < updates.Count)
        {
            long index = updates[i].Cluster / entriesPerBlock;
            EnsureBlock(index);
            long blockOffset = (long)(table[index] & Qcow2Image.OffsetMask);
            var block = Block(blockOffset);
            int lo = int.MaxValue, hi = 0;
            for (; i < updates.Count && updates[i].Cluster / entriesPerBlock == index; i++)
            {
                var (start, length) = WriteEntry(block, updates[i].Cluster % entriesPerBlock, refcountBits, updates[i].Value);
                if (updates[i].Value == 0) freeHint = Math.Min(freeHint, updates[i].Cluster);
                lo = Math.Min(lo, start);
                hi = Math.Max(hi, start + length);
            }
            RandomAccess.Write(file, block.AsSpan(lo, hi - lo), blockOffset + lo);
        }
    }

    /// <summary>Why <see cref="Apply"/> would refuse <paramref name="deltas"/> (a refcount below 0 or above its width), or null.</summary>
    public string? Check(IReadOnlyDictionary<long, long> deltas)
    {
        foreach (var (cluster, delta) in deltas)
        {
            if (delta == 0) continue;
            ulong current = Get(cluster);
            if (delta < 0 && current < (ulong)-delta)
                return $"the refcount of cluster {cluster} would drop below zero (the image's refcounts are inconsistent; repair it with qemu-img check -r all)";
            if (delta > 0 && maxRefcount - current < (ulong)delta)
                return $"refcount overflow on cluster {cluster} (at most {maxRefcount} with {refcountBits}-bit refcounts)";
        }
        return null;
    }

    /// <summary>The largest refcount the image's refcount width holds.</summary>
    public ulong MaxRefcount => maxRefcount;

    /// <summary>Reserves, and commits at once, clusters whose content is written later (metadata whose pointer comes last).</summary>
    public long Allocate(int count)
    {
        long offset = Reserve(count);
        Commit(offset, count);
        return offset;
    }

    void EnsureBlock(long index)
    {
        while (index >= table.Length) GrowTable(index);
        if (table[index] != 0) return;
        long at = EndCluster++;
        var block = new byte[clusterSize];
        bool self = at / entriesPerBlock == index;
        if (self) WriteEntry(block, at % entriesPerBlock, refcountBits, 1);
        RandomAccess.Write(file, block, at << clusterBits);
        blockCache[at << clusterBits] = block;
        if (!self) Set(at, 1);
        SetTableEntry(index, (ulong)(at << clusterBits));
    }

    void SetTableEntry(long index, ulong value)
    {
        table[index] = value;
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        RandomAccess.Write(file, b, tableOffset + index * 8);
    }

    /// <summary>
    /// Moves the refcount table to a larger copy at the end of the file, with new refcount blocks
    /// for the clusters the move takes. Order: new blocks and table written, then refcounts in old
    /// blocks, then the header switched, then the old table's clusters freed.
    /// </summary>
    void GrowTable(long neededIndex)
    {
        long entriesPerCluster = clusterSize / 8;
        long newEntries = Math.Max(neededIndex + 1, table.Length * 2L);
        long start = EndCluster;
        List<long> newBlockIndexes;
        long tableClusters, end;
        while (true)
        {
            tableClusters = (newEntries + entriesPerCluster - 1) / entriesPerCluster;
            newEntries = tableClusters * entriesPerCluster;
            // Blocks needed for [start, end), where end grows with the blocks themselves.
            newBlockIndexes = new List<long>();
            end = start + tableClusters;
            for (int pass = 0; pass < 64; pass++)
            {
                var needed = new List<long>();
                for (long i = start / entriesPerBlock; i <= (end + needed.Count - 1) / entriesPerBlock; i++)
                    if (i >= table.Length || table[i] == 0) needed.Add(i);
                long newEnd = start + tableClusters + needed.Count;
                newBlockIndexes = needed;
                if (newEnd == end) break;
                end = newEnd;
            }
            end = start + tableClusters + newBlockIndexes.Count;
            long maxIndex = newBlockIndexes.Count > 0 ? newBlockIndexes[^1] : 0;
            if (maxIndex < newEntries && neededIndex < newEntries) break;
            newEntries = Math.Max(maxIndex, neededIndex) + 1;
        }
        if (newEntries * 8 > Qcow2Header.MaxRefcountTableBytes) throw new IOException("the refcount table would exceed its size limit");

        var newTable = new ulong[newEntries];
        Array.Copy(table, newTable, table.Length);
        long blockCluster = start + tableClusters;
        var blocks = new Dictionary<long, byte[]>();
        foreach (long i in newBlockIndexes)
        {
            newTable[i] = (ulong)(blockCluster << clusterBits);
            blocks[i] = new byte[clusterSize];
            blockCluster++;
        }
        // Refcounts of the new clusters [start, end) that fall in new blocks go into those blocks.
        var inOldBlocks = new List<long>();
        for (long c = start; c < end; c++)
        {
            if (blocks.TryGetValue(c / entriesPerBlock, out var b)) WriteEntry(b, c % entriesPerBlock, refcountBits, 1);
            else inOldBlocks.Add(c);
        }
        foreach (var (i, b) in blocks)
        {
            long off = (long)newTable[i];
            RandomAccess.Write(file, b, off);
            blockCache[off] = b;
        }
        var tableBytes = new byte[tableClusters * clusterSize];
        for (long i = 0; i < newEntries; i++) BinaryPrimitives.WriteUInt64BigEndian(tableBytes.AsSpan((int)(i * 8)), newTable[i]);
        RandomAccess.Write(file, tableBytes, start << clusterBits);
        EndCluster = end;
        foreach (long c in inOldBlocks) Set(c, 1);

        long oldOffset = tableOffset;
        long oldClusters = table.Length / entriesPerCluster;
        Span<byte> field = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(field, (ulong)(start << clusterBits));
        BinaryPrimitives.WriteUInt32BigEndian(field[8..], (uint)tableClusters);
        RandomAccess.Write(file, field, HeaderRefcountTableField);
        table = newTable;
        tableOffset = start << clusterBits;
        for (long c = 0; c < oldClusters; c++) Adjust((oldOffset >> clusterBits) + c, -1);
    }
}
