namespace Emulator.Devices.Storage.Images;

/// <summary>
/// Internal snapshots of a qcow2 image (qcow2 spec, "Snapshots"), interoperable with
/// <c>qemu-img snapshot</c> and QEMU's savevm/loadvm.
/// </summary>
/// <remarks>
/// <para>Refcounts follow QEMU's model, which <c>qemu-img check</c> verifies: a cluster's refcount
/// is the number of L1 tables (the active one and each snapshot's) through which it is reached, so
/// taking a snapshot adds one to every L2 table and data cluster the active L1 reaches and clears
/// their COPIED flags; the next write copies them (see <see cref="EnsureL2"/> and WriteInCluster).</para>
/// <para>The VM state lives where QEMU puts it, in the "VM state area" that starts at the first L1
/// entry past the guest-visible disk. QEMU writes it through the active L1 before copying the L1
/// and discards it from the active L1 afterwards; here it is written straight into L2 tables and
/// clusters that only the snapshot's L1 table references, which gives the same file: the snapshot
/// owns its VM state, with refcount 1. All-zero VM state clusters are left unallocated (they read
/// as zeros). Reverting copies only the disk part of the snapshot's L1 into the active L1, so the
/// active state never references a VM state.</para>
/// <para>Crash ordering: new clusters are written and their refcounts raised first, then the
/// snapshot table, then the header (nb_snapshots and snapshots_offset in one write); references
/// are dropped only after nothing points to them any more. A process killed part way leaves
/// leaked clusters, and at worst COPIED flags that are clear on a cluster nobody else uses (which
/// costs one needless copy, never data). Refcount overflow and underflow are found before anything
/// is written.</para>
/// <para>Loading a snapshot taken at another disk size gives the image that size again, as QEMU's
/// qcow2_snapshot_goto does: the snapshot's disk_size (extra data, spec "Snapshots") becomes the
/// header's size, after the L1 table was made long enough for it.</para>
/// </remarks>
public sealed partial class Qcow2Image : IInternalSnapshots
{
    List<Qcow2SnapshotEntry> snapshots;
    readonly long bytesPerL1Entry;
    /// <summary>L1 entries that map the guest-visible disk; the VM state area starts at the next one (QEMU's l1_vm_state_index).</summary>
    int diskL1Entries;

    public IReadOnlyList<ImageSnapshot> Snapshots => snapshots.Select(s => s.ToPublic()).ToList();

    /// <inheritdoc/>
    /// <exception cref="ImageException">The image is read-only, the name is too long, or the image's refcounts cannot take another reference.</exception>
    public ImageSnapshot CreateSnapshot(string name, ReadOnlySpan<byte> vmState, ulong vmClockNs)
    {
        EnsureSnapshotWritable();
        if (System.Text.Encoding.UTF8.GetByteCount(name) > ushort.MaxValue) throw new ImageException($"'{path}': snapshot name is too long");
        var replaced = snapshots.Where(s => s.Name == name).ToList();
        var kept = snapshots.Where(s => s.Name != name).ToList();

        // Everything the active disk reaches gains a reference; check all of it before writing anything.
        var added = References(l1, diskL1Entries, +1);
        CheckRefcounts(added);
        var releases = new Dictionary<long, long>();
        foreach (var r in replaced) AddReleases(r, releases);
        CheckRefcounts(Merge(added, releases));

        int vmEntries = (int)((vmState.Length + bytesPerL1Entry - 1) / bytesPerL1Entry);
        long l1Entries = (long)diskL1Entries + vmEntries;
        if (l1Entries * 8 > Qcow2Header.MaxL1Bytes) throw new ImageException($"'{path}': the VM state is too large for the snapshot's L1 table");
        var snapL1 = new ulong[Math.Max(1, l1Entries)];
        for (int i = 0; i < diskL1Entries; i++) snapL1[i] = l1[i] & ~Copied;
        WriteVmState(vmState, snapL1, diskL1Entries);

        refcounts.Apply(added);
        UpdateCopiedFlags();
        long l1Offset = WriteNewTable(snapL1);
        var entry = Qcow2SnapshotEntry.Create(NewId(kept), name, (ulong)l1Offset, (uint)snapL1.Length,
            (ulong)vmState.Length, (ulong)Length, DateTimeOffset.UtcNow, vmClockNs);
        kept.Add(entry);
        WriteSnapshotTable(kept);
        if (replaced.Count > 0)
        {
            refcounts.Apply(releases);
            UpdateCopiedFlags();
        }
        return entry.ToPublic();
    }

    /// <inheritdoc/>
    /// <exception cref="ImageException">No such snapshot, the image is read-only, or the snapshot's disk size needs a larger L1 table than the spec allows.</exception>
    public void RevertToSnapshot(string idOrName)
    {
        EnsureSnapshotWritable();
        var s = Find(idOrName);
        // A snapshot without disk_size (an old version 2 entry) was taken at the image's size.
        ulong size = s.DiskSize ?? header.Size;
        long entries = L1EntriesFor(size);
        CheckL1Entries(entries, size);
        var snapL1 = Qcow2Refcounts.ReadTable(file, (long)s.L1Offset, (int)s.L1Size);
        var next = new ulong[Math.Max(l1.Length, entries)];
        int n = (int)Math.Min(entries, snapL1.Length);
        for (int i = 0; i < n; i++) next[i] = snapL1[i] & ~Copied;
        var added = References(next, n, +1);
        var dropped = References(l1, l1.Length, -1);
        CheckRefcounts(added);
        CheckRefcounts(Merge(added, dropped));

        // As QEMU: the L1 table grows to the snapshot's size first, the size itself changes last.
        EnsureL1Entries(entries);
        // The snapshot's clusters gain the active state's reference before the active L1 points to
        // them; the old active state's clusters lose it only after the L1 no longer does.
        refcounts.Apply(added);
        var bytes = new byte[next.Length * 8];
        EncodeTable(next, bytes);
        RandomAccess.Write(file, bytes, (long)header.L1TableOffset);
        next.CopyTo(l1, 0);
        refcounts.Apply(dropped);
        decompressedHost = -1;
        UpdateCopiedFlags();
        if (size != header.Size) SetVirtualSize(size);
    }

    /// <inheritdoc/>
    /// <exception cref="ImageException">No such snapshot, the VM state is larger than a byte array, or the snapshot's tables point outside the file.</exception>
    public byte[] ReadVmState(string idOrName)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var s = Find(idOrName);
        if (s.VmStateSize == 0) return [];
        if (s.VmStateSize > (ulong)Array.MaxLength) throw new ImageException($"'{path}': the VM state of snapshot '{idOrName}' is too large ({s.VmStateSize} bytes)");
        var snapL1 = Qcow2Refcounts.ReadTable(file, (long)s.L1Offset, (int)s.L1Size);
        var result = new byte[s.VmStateSize];
        // QEMU's qcow2_vm_state_offset: the first L1 entry past the disk as it was when the snapshot was taken.
        ulong disk = s.DiskSize ?? header.Size;
        long start = (long)((disk + (ulong)bytesPerL1Entry - 1) / (ulong)bytesPerL1Entry) * bytesPerL1Entry;
        long fileLength = stream.Length;
        for (long pos = 0; pos < result.Length;)
        {
            long offset = start + pos;
            int within = (int)(offset & (clusterSize - 1));
            int n = (int)Math.Min(result.Length - pos, clusterSize - within);
            var dest = result.AsSpan((int)pos, n);
            long vcluster = offset >> clusterBits;
            long l1Index = vcluster >> l2Bits;
            long l2 = l1Index < snapL1.Length ? (long)(snapL1[l1Index] & OffsetMask) : 0;
            ulong entry = 0;
            if (l2 != 0)
            {
                CheckCluster(l2, fileLength, "an L2 table of the VM state");
                entry = L2Table(l2)[vcluster & ((1 << l2Bits) - 1)];
            }
            long host = (long)(entry & OffsetMask);
            if ((entry & Compressed) != 0) ReadCluster(entry, 0, within, dest);
            else if (host == 0 || ((entry & ZeroFlag) != 0 && header.Version >= 3)) dest.Clear(); // never from the backing file
            else
            {
                CheckCluster(host, fileLength, "a VM state cluster");
                HostFiles.ReadFully(file, dest, host + within);
            }
            pos += n;
        }
        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="ImageException">No such snapshot, or the image is read-only.</exception>
    public void DeleteSnapshot(string idOrName)
    {
        EnsureSnapshotWritable();
        var s = Find(idOrName);
        var releases = new Dictionary<long, long>();
        AddReleases(s, releases);
        CheckRefcounts(releases);
        // The table stops pointing to the snapshot first; its clusters are freed after.
        WriteSnapshotTable(snapshots.Where(x => x != s).ToList());
        refcounts.Apply(releases);
        UpdateCopiedFlags();
    }

    void EnsureSnapshotWritable()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (ReadOnly) throw new ImageException($"'{path}': the image is read-only; snapshots cannot be created, loaded or deleted");
    }

    /// <summary>By ID first, then by name, as QEMU's find_snapshot_by_id_or_name looks them up.</summary>
    Qcow2SnapshotEntry Find(string idOrName) =>
        snapshots.FirstOrDefault(s => s.Id == idOrName) ?? snapshots.FirstOrDefault(s => s.Name == idOrName)
        ?? throw new ImageException($"'{path}': snapshot '{idOrName}' not found");

    /// <summary>QEMU's find_new_snapshot_id: one more than the largest numeric ID.</summary>
    static string NewId(IEnumerable<Qcow2SnapshotEntry> entries)
    {
        ulong max = 0;
        foreach (var e in entries)
            if (ulong.TryParse(e.Id, out ulong v)) max = Math.Max(max, v);
        return (max + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every reference of a snapshot to drop when it goes: what its L1 reaches, and its L1 table's clusters.</summary>
    void AddReleases(Qcow2SnapshotEntry s, Dictionary<long, long> into)
    {
        var snapL1 = Qcow2Refcounts.ReadTable(file, (long)s.L1Offset, (int)s.L1Size);
        foreach (var (c, d) in References(snapL1, snapL1.Length, -1)) into[c] = into.GetValueOrDefault(c) + d;
        long clusters = (s.L1Size * 8L + clusterSize - 1) >> clusterBits;
        for (long c = 0; c < clusters; c++)
        {
            long cluster = ((long)s.L1Offset >> clusterBits) + c;
            into[cluster] = into.GetValueOrDefault(cluster) - 1;
        }
    }

    static Dictionary<long, long> Merge(Dictionary<long, long> a, Dictionary<long, long> b)
    {
        var m = new Dictionary<long, long>(a);
        foreach (var (c, d) in b) m[c] = m.GetValueOrDefault(c) + d;
        return m;
    }

    void CheckRefcounts(Dictionary<long, long> deltas)
    {
        if (refcounts.Check(deltas) is { } problem) throw new ImageException($"'{path}': {problem}");
    }

    void CheckCluster(long offset, long fileLength, string what)
    {
        if ((offset & (clusterSize - 1)) != 0) throw new ImageException($"'{path}': {what} at 0x{offset:x} is not cluster aligned");
        if (offset + clusterSize > fileLength) throw new ImageException($"'{path}': {what} at 0x{offset:x} lies beyond the end of the file");
    }

    /// <summary>
    /// The clusters the first <paramref name="count"/> entries of an L1 table reach (its L2 tables,
    /// their data clusters, the clusters compressed clusters touch), each with <paramref name="sign"/>
    /// times the number of references, as QEMU's qcow2_update_snapshot_refcount counts them. Every
    /// offset is checked against the file first.
    /// </summary>
    Dictionary<long, long> References(ulong[] table, int count, int sign)
    {
        var result = new Dictionary<long, long>();
        void Add(long cluster) => result[cluster] = result.GetValueOrDefault(cluster) + sign;
        long fileLength = stream.Length;
        for (int i = 0; i < count; i++)
        {
            long l2 = (long)(table[i] & OffsetMask);
            if (l2 == 0) continue;
            CheckCluster(l2, fileLength, "an L2 table");
            Add(l2 >> clusterBits);
            foreach (ulong e in L2Table(l2))
            {
                if ((e & Compressed) != 0)
                {
                    long host = (long)(e & ((1UL << csizeShift) - 1));
                    int sectors = (int)((e >> csizeShift) & csizeMask) + 1;
                    long last = ((host & ~511L) + sectors * 512L - 1) >> clusterBits;
                    if (host == 0 || (last << clusterBits) >= fileLength) throw new ImageException($"'{path}': a compressed cluster at 0x{host:x} lies beyond the end of the file");
                    for (long c = host >> clusterBits; c <= last; c++) Add(c);
                    continue;
                }
                long data = (long)(e & OffsetMask);
                if (data == 0) continue;
                CheckCluster(data, fileLength, "a data cluster");
                Add(data >> clusterBits);
            }
        }
        return result;
    }

    /// <summary>
    /// Sets the COPIED flag of every active L1 and L2 entry to "refcount is exactly one" (spec,
    /// "Cluster mapping"), as QEMU does after changing refcounts for snapshots. Each L2 table that
    /// changes is written once, before its L1 entry.
    /// </summary>
    void UpdateCopiedFlags()
    {
        var bytes = new byte[clusterSize];
        for (long i = 0; i < l1.Length; i++)
        {
            long l2 = (long)(l1[i] & OffsetMask);
            if (l2 == 0) continue;
            var table = L2Table(l2);
            bool changed = false;
            for (int j = 0; j < table.Length; j++)
            {
                ulong e = table[j];
                long host = (long)(e & OffsetMask);
                ulong want = (e & Compressed) != 0 || host == 0 || refcounts.Get(host >> clusterBits) != 1 ? e & ~Copied : e | Copied;
                if (want == e) continue;
                table[j] = want;
                changed = true;
            }
            if (changed)
            {
                EncodeTable(table, bytes);
                RandomAccess.Write(file, bytes, l2);
            }
            ulong l1Want = refcounts.Get(l2 >> clusterBits) == 1 ? (ulong)l2 | Copied : (ulong)l2;
            if (l1Want != l1[i]) SetL1Entry(i, l1Want);
        }
    }

    /// <summary>Writes <paramref name="table"/> into new clusters (contents before refcounts) and returns their offset.</summary>
    long WriteNewTable(ulong[] table)
    {
        int clusters = (int)((table.Length * 8L + clusterSize - 1) >> clusterBits);
        var bytes = new byte[(long)clusters << clusterBits];
        EncodeTable(table, bytes);
        long offset = refcounts.Reserve(clusters);
        RandomAccess.Write(file, bytes, offset);
        refcounts.Commit(offset, clusters);
        return offset;
    }

    /// <summary>
    /// Writes the VM state into the VM state area of a snapshot's L1 table (entries from
    /// <paramref name="firstEntry"/> on): for each L1 entry, a new L2 table and the clusters that
    /// are not all zeros, placed in free runs of the file (or at its end) and written with one
    /// write per run, then counted, all before the L1 table that points to them exists.
    /// </summary>
    void WriteVmState(ReadOnlySpan<byte> vmState, ulong[] snapL1, int firstEntry)
    {
        var tail = new byte[clusterSize];
        for (int k = 0; (long)k * bytesPerL1Entry < vmState.Length; k++)
        {
            long chunkStart = k * bytesPerL1Entry;
            var chunk = vmState.Slice((int)chunkStart, (int)Math.Min(bytesPerL1Entry, vmState.Length - chunkStart));
            int clusters = (chunk.Length + clusterSize - 1) >> clusterBits;
            var used = new List<int>();
            for (int c = 0; c < clusters; c++)
            {
                var piece = chunk.Slice(c << clusterBits, Math.Min(clusterSize, chunk.Length - (c << clusterBits)));
                if (piece.ContainsAnyExcept((byte)0)) used.Add(c);
            }
            if (used.Count == 0) continue;
            var taken = new Dictionary<long, long>();
            long l2 = refcounts.Reserve(1);
            taken[l2 >> clusterBits] = 1;
            var table = new ulong[clusterSize / 8];
            for (int u = 0; u < used.Count;)
            {
                var (run, runCount) = refcounts.ReserveUpTo(used.Count - u);
                for (int i = 0; i < runCount; i++) taken[(run >> clusterBits) + i] = 1;
                // Within the run, consecutive VM state clusters go out in one write.
                for (int i = 0; i < runCount;)
                {
                    int j = i + 1;
                    while (j < runCount && used[u + j] == used[u + j - 1] + 1) j++;
                    int first = used[u + i], last = used[u + j - 1];
                    long host = run + ((long)i << clusterBits);
                    int fullEnd = Math.Min(last + 1, chunk.Length >> clusterBits);
                    if (fullEnd > first) RandomAccess.Write(file, chunk.Slice(first << clusterBits, (fullEnd - first) << clusterBits), host);
                    if (fullEnd <= last)
                    {
                        // The last cluster is partial: padded to its end, so the file covers it.
                        tail.AsSpan().Clear();
                        chunk[(last << clusterBits)..].CopyTo(tail);
                        RandomAccess.Write(file, tail, host + ((long)(last - first) << clusterBits));
                    }
                    for (int c = first; c <= last; c++) table[c] = (ulong)(host + ((long)(c - first) << clusterBits));
                    i = j;
                }
                u += runCount;
            }
            var bytes = new byte[clusterSize];
            EncodeTable(table, bytes);
            RandomAccess.Write(file, bytes, l2);
            refcounts.Apply(taken);
            snapL1[firstEntry + k] = (ulong)l2;
        }
    }

    /// <summary>
    /// Replaces the snapshot table: the new table goes into new clusters, then the header's
    /// nb_snapshots and snapshots_offset (adjacent, bytes 60-71) switch to it in one write, then the
    /// old table's clusters are freed.
    /// </summary>
    void WriteSnapshotTable(List<Qcow2SnapshotEntry> entries)
    {
        byte[] bytes = Qcow2SnapshotTable.Serialize(entries);
        long offset = 0;
        int clusters = 0;
        if (entries.Count > 0)
        {
            clusters = (int)((bytes.Length + clusterSize - 1) >> clusterBits);
            var padded = new byte[(long)clusters << clusterBits];
            bytes.CopyTo(padded, 0);
            offset = refcounts.Reserve(clusters);
            RandomAccess.Write(file, padded, offset);
            refcounts.Commit(offset, clusters);
        }
        long oldOffset = (long)header.SnapshotsOffset;
        long oldBytes = 0;
        foreach (var e in snapshots) oldBytes += e.StoredLength;
        int oldClusters = header.NbSnapshots == 0 ? 0 : (int)((oldBytes + clusterSize - 1) >> clusterBits);

        Span<byte> field = stackalloc byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(field, (uint)entries.Count);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(field[4..], (ulong)offset);
        RandomAccess.Write(file, field, 60);
        header.NbSnapshots = (uint)entries.Count;
        header.SnapshotsOffset = (ulong)offset;
        snapshots = entries;
        if (oldClusters > 0)
        {
            var free = new Dictionary<long, long>();
            for (int c = 0; c < oldClusters; c++) free[(oldOffset >> clusterBits) + c] = -1;
            refcounts.Apply(free);
        }
    }
}
