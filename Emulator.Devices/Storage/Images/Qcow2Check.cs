using System.Buffers.Binary;

namespace Emulator.Devices.Storage.Images;

/// <summary>What <see cref="Qcow2Check.Run"/> found, counted as <c>qemu-img check</c> counts it.</summary>
/// <param name="Corruptions">Clusters whose refcount is below their use, references outside the file or misaligned, wrong COPIED flags.</param>
/// <param name="Leaks">Clusters whose refcount is above their use.</param>
/// <param name="Messages">One line per problem, in qemu-img's wording.</param>
/// <param name="AllocatedClusters">Guest clusters with data in this image (not the backing file).</param>
/// <param name="TotalClusters">Guest clusters in the virtual disk.</param>
/// <param name="ImageEndOffset">The end of the last cluster in use.</param>
public sealed record Qcow2CheckResult(int Corruptions, int Leaks, IReadOnlyList<string> Messages,
    long AllocatedClusters, long TotalClusters, long ImageEndOffset);

/// <summary>
/// Verifies a qcow2 image's refcounts as <c>qemu-img check</c> does: counts every use of every
/// host cluster (header, L1 and refcount tables, refcount blocks, snapshot table and the L1/L2
/// tables and data clusters of the active state and of every snapshot), then compares the counts
/// with the stored refcounts. Reads the file itself rather than through <see cref="Qcow2Image"/>,
/// so it checks what is on disk.
/// </summary>
public static class Qcow2Check
{
    /// <exception cref="ImageException">The image cannot be opened or its header is malformed.</exception>
    public static Qcow2CheckResult Run(string path)
    {
        using var stream = HostFiles.Open(path, readOnly: true);
        var file = stream.SafeFileHandle;
        long fileLength = stream.Length;
        var start = new byte[Math.Min(fileLength, 1 << Qcow2Header.MaxClusterBits)];
        HostFiles.ReadFully(file, start, 0);
        var h = Qcow2Header.Parse(path, start, fileLength);
        int cb = h.ClusterBits;
        long cs = h.ClusterSize;
        long fileClusters = (fileLength + cs - 1) >> cb;
        var messages = new List<string>();
        int corruptions = 0;
        // Uses beyond the end of the file are corruptions; inside, count them per cluster.
        var uses = new ulong[fileClusters];
        int refcountBits = 1 << h.RefcountOrder;
        int csizeShift = 62 - (cb - 8);
        ulong csizeMask = (1UL << (cb - 8)) - 1;
        long allocated = 0;

        bool Use(long offset, long length, string what)
        {
            if (offset < 0 || offset + length > ((fileLength + cs - 1) & ~(cs - 1)) || length <= 0)
            {
                messages.Add($"ERROR {what} at offset 0x{offset:x} is outside the image file");
                corruptions++;
                return false;
            }
            for (long c = offset >> cb; c <= (offset + length - 1) >> cb; c++) uses[c]++;
            return true;
        }

        Use(0, cs, "header");
        Use((long)h.RefcountTableOffset, h.RefcountTableClusters * cs, "refcount table");
        var refTable = Qcow2Refcounts.ReadTable(file, (long)h.RefcountTableOffset, (int)(h.RefcountTableClusters * cs / 8));
        foreach (ulong e in refTable)
        {
            long off = (long)(e & Qcow2Image.OffsetMask);
            if (off == 0) continue;
            if ((off & (cs - 1)) != 0) { messages.Add($"ERROR refcount block offset 0x{off:x} is not cluster aligned"); corruptions++; continue; }
            Use(off, cs, "refcount block");
        }

        var l1Tables = new List<(long Offset, uint Size, bool Active)> { ((long)h.L1TableOffset, h.L1Size, true) };
        if (h.NbSnapshots > 0)
        {
            long pos = (long)h.SnapshotsOffset, tableStart = pos;
            var entry = new byte[40];
            for (uint i = 0; i < h.NbSnapshots; i++)
            {
                HostFiles.ReadFully(file, entry, pos);
                l1Tables.Add(((long)BinaryPrimitives.ReadUInt64BigEndian(entry), BinaryPrimitives.ReadUInt32BigEndian(entry.AsSpan(8)), false));
                int idLen = BinaryPrimitives.ReadUInt16BigEndian(entry.AsSpan(12));
                int nameLen = BinaryPrimitives.ReadUInt16BigEndian(entry.AsSpan(14));
                uint extra = BinaryPrimitives.ReadUInt32BigEndian(entry.AsSpan(36));
                pos += (40 + extra + idLen + nameLen + 7) & ~7L;
            }
            Use(tableStart, pos - tableStart, "snapshot table");
        }

        // Refcounts read back from the stored blocks, for the COPIED flag checks and the comparison.
        var blockCache = new Dictionary<long, byte[]>();
        long perBlock = cs * 8 / refcountBits;
        ulong Stored(long cluster)
        {
            long idx = cluster / perBlock;
            if (idx >= refTable.Length) return 0;
            long off = (long)(refTable[idx] & Qcow2Image.OffsetMask);
            if (off == 0 || off + cs > fileLength || (off & (cs - 1)) != 0) return 0;
            if (!blockCache.TryGetValue(off, out var b))
            {
                b = new byte[cs];
                HostFiles.ReadFully(file, b, off);
                blockCache[off] = b;
            }
            return Qcow2Refcounts.ReadEntry(b, cluster % perBlock, refcountBits);
        }

        foreach (var (l1Offset, l1Size, active) in l1Tables)
        {
            if (!Use(l1Offset, Math.Max(1, l1Size * 8L), "L1 table")) continue;
            var l1 = Qcow2Refcounts.ReadTable(file, l1Offset, (int)l1Size);
            for (int i = 0; i < l1.Length; i++)
            {
                long l2 = (long)(l1[i] & Qcow2Image.OffsetMask);
                if (l2 == 0) continue;
                if ((l2 & (cs - 1)) != 0) { messages.Add($"ERROR L2 table offset 0x{l2:x} is not cluster aligned"); corruptions++; continue; }
                if (!Use(l2, cs, "L2 table")) continue;
                if (active && ((l1[i] & Qcow2Image.Copied) != 0) != (Stored(l2 >> cb) == 1))
                {
                    messages.Add($"ERROR OFLAG_COPIED L2 cluster: l1_index={i} l1_entry={l1[i]:x} refcount={Stored(l2 >> cb)}");
                    corruptions++;
                }
                var l2Table = Qcow2Refcounts.ReadTable(file, l2, (int)(cs / 8));
                for (int j = 0; j < l2Table.Length; j++)
                {
                    ulong e = l2Table[j];
                    if ((e & Qcow2Image.Compressed) != 0)
                    {
                        long host = (long)(e & ((1UL << csizeShift) - 1));
                        long sectors = (long)((e >> csizeShift) & csizeMask) + 1;
                        long last = (host & ~511L) + sectors * 512;
                        if (active) allocated++;
                        Use(host, last - host, "compressed cluster");
                        continue;
                    }
                    long data = (long)(e & Qcow2Image.OffsetMask);
                    if (data == 0) { if (active && (e & Qcow2Image.ZeroFlag) != 0) allocated++; continue; }
                    if (active) allocated++;
                    if ((data & (cs - 1)) != 0) { messages.Add($"ERROR data cluster offset 0x{data:x} is not cluster aligned"); corruptions++; continue; }
                    if (!Use(data, cs, "data cluster")) continue;
                    if (active && ((e & Qcow2Image.Copied) != 0) != (Stored(data >> cb) == 1))
                    {
                        messages.Add($"ERROR OFLAG_COPIED data cluster: l2_entry={e:x} refcount={Stored(data >> cb)}");
                        corruptions++;
                    }
                }
            }
        }

        int leaks = 0;
        long end = 0;
        ulong max = refcountBits == 64 ? ulong.MaxValue : (1UL << refcountBits) - 1;
        void Compare(long c)
        {
            ulong stored = Stored(c);
            ulong used = c < fileClusters ? uses[c] : 0;
            if (used > 0 || stored > 0) end = (c + 1) * cs;
            if (used > max)
            {
                messages.Add($"ERROR cluster {c} refcount overflow: reference={used} exceeds {refcountBits}-bit refcounts");
                corruptions++;
                return;
            }
            if (stored == used) return;
            if (stored < used)
            {
                messages.Add($"ERROR cluster {c} refcount={stored} reference={used}");
                corruptions++;
            }
            else
            {
                messages.Add($"Leaked cluster {c} refcount={stored} reference={used}");
                leaks++;
            }
        }
        for (long c = 0; c < fileClusters; c++) Compare(c);
        // Past the end of the file only refcounts can be wrong (leaks), and only inside existing blocks.
        for (long i = 0; i < refTable.Length; i++)
        {
            if ((refTable[i] & Qcow2Image.OffsetMask) == 0) continue;
            for (long c = Math.Max(i * perBlock, fileClusters); c < (i + 1) * perBlock; c++) Compare(c);
        }
        long total = (long)((h.Size + (ulong)cs - 1) >> cb);
        return new Qcow2CheckResult(corruptions, leaks, messages, allocated, total, end);
    }
}
