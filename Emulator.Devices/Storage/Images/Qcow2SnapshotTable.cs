using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Emulator.Devices.Storage.Images;

/// <summary>One entry of a qcow2 snapshot table (qcow2 spec, "Snapshots").</summary>
internal sealed class Qcow2SnapshotEntry
{
    /// <summary>Size of the fixed part of an entry, before the extra data.</summary>
    public const int FixedLength = 40;
    /// <summary>The extra data written for new snapshots: vm_state_size_large, disk_size and icount (QEMU writes the same 24 bytes).</summary>
    public const int OwnExtraLength = 24;

    public ulong L1Offset;
    public uint L1Size;
    /// <summary>id_str and name as stored (not NUL terminated, kept as bytes so a rewrite stores them unchanged).</summary>
    public byte[] IdBytes = [], NameBytes = [];
    public uint DateSec;
    public uint DateNsec;
    public ulong VmClockNs;
    /// <summary>The VM state size: the 64-bit extra-data field when present, else the 32-bit one.</summary>
    public ulong VmStateSize;
    /// <summary>The virtual disk size when the snapshot was taken; null when the entry has no such field (v2 images from old writers).</summary>
    public ulong? DiskSize;
    /// <summary>The extra data as stored, kept whole so fields this implementation does not know survive a table rewrite.</summary>
    public byte[] Extra = [];

    public string Id => Encoding.UTF8.GetString(IdBytes);
    public string Name => Encoding.UTF8.GetString(NameBytes);

    /// <summary>The icount field of the extra data (bytes 16-23), null when absent or -1 (not recorded).</summary>
    public ulong? Icount => Extra.Length >= 24 && BinaryPrimitives.ReadUInt64BigEndian(Extra.AsSpan(16)) is var v && v != ulong.MaxValue ? v : null;

    public ImageSnapshot ToPublic() => new(Id, Name, VmStateSize,
        DateTimeOffset.FromUnixTimeSeconds(DateSec).AddTicks(DateNsec / 100), VmClockNs, Icount);

    public int StoredLength => (FixedLength + Extra.Length + IdBytes.Length + NameBytes.Length + 7) & ~7;

    /// <summary>A new entry with the extra data this implementation writes (icount -1: record/replay is not used).</summary>
    public static Qcow2SnapshotEntry Create(string id, string name, ulong l1Offset, uint l1Size, ulong vmStateSize, ulong diskSize,
        DateTimeOffset now, ulong vmClockNs)
    {
        var extra = new byte[OwnExtraLength];
        BinaryPrimitives.WriteUInt64BigEndian(extra, vmStateSize);
        BinaryPrimitives.WriteUInt64BigEndian(extra.AsSpan(8), diskSize);
        BinaryPrimitives.WriteUInt64BigEndian(extra.AsSpan(16), ulong.MaxValue);
        long unixNs = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        return new Qcow2SnapshotEntry
        {
            L1Offset = l1Offset, L1Size = l1Size, IdBytes = Encoding.UTF8.GetBytes(id), NameBytes = Encoding.UTF8.GetBytes(name),
            DateSec = (uint)(unixNs / 1_000_000_000), DateNsec = (uint)(unixNs % 1_000_000_000),
            VmClockNs = vmClockNs, VmStateSize = vmStateSize, DiskSize = diskSize, Extra = extra,
        };
    }
}

/// <summary>
/// Reading, validating and writing the qcow2 snapshot table (qcow2 spec, "Snapshots"): nb_snapshots
/// entries packed from snapshots_offset, each 8-byte aligned. Everything that points into the file
/// is checked when the table is read, with QEMU's limits, so a corrupt table is one
/// <see cref="ImageException"/> at open instead of a failure half way through an operation.
/// </summary>
internal static class Qcow2SnapshotTable
{
    /// <summary>QEMU's QCOW_MAX_SNAPSHOTS: at most 65536 snapshots.</summary>
    public const int MaxSnapshots = 65536;
    /// <summary>QEMU's QCOW_MAX_SNAPSHOTS_SIZE: the table is at most 64 MiB.</summary>
    public const long MaxTableBytes = 1024L * MaxSnapshots;
    /// <summary>QEMU's QCOW_MAX_SNAPSHOT_EXTRA_DATA.</summary>
    public const int MaxExtraData = 1024;

    /// <summary>Reads and validates the table the header points to.</summary>
    /// <exception cref="ImageException">The table or an entry is malformed or points outside the file.</exception>
    public static List<Qcow2SnapshotEntry> Read(string path, SafeFileHandle file, Qcow2Header h, long fileLength)
    {
        string Bad(string what) => $"'{path}': {what}";
        var result = new List<Qcow2SnapshotEntry>();
        if (h.NbSnapshots == 0) return result;
        if (h.NbSnapshots > MaxSnapshots) throw new ImageException(Bad($"the snapshot table has too many entries ({h.NbSnapshots}, at most {MaxSnapshots})"));
        if (h.SnapshotsOffset == 0 || h.SnapshotsOffset % (ulong)h.ClusterSize != 0) throw new ImageException(Bad("the snapshot table is not cluster aligned"));
        if (h.SnapshotsOffset >= (ulong)fileLength) throw new ImageException(Bad("the snapshot table lies beyond the end of the file"));
        // The table may run to the end of the file, but not past QEMU's 64 MiB limit; entries are read
        // one by one so a huge nb_snapshots costs nothing before it is found wrong.
        long limit = Math.Min(fileLength - (long)h.SnapshotsOffset, MaxTableBytes);
        long pos = 0;
        var ids = new HashSet<string>();
        var fixedPart = new byte[Qcow2SnapshotEntry.FixedLength];
        for (uint i = 0; i < h.NbSnapshots; i++)
        {
            if (pos + Qcow2SnapshotEntry.FixedLength > limit)
                throw new ImageException(Bad($"snapshot table entry {i} lies beyond the end of the file or the 64 MiB table limit"));
            HostFiles.ReadFully(file, fixedPart, (long)h.SnapshotsOffset + pos);
            ReadOnlySpan<byte> f = fixedPart;
            var entry = new Qcow2SnapshotEntry
            {
                L1Offset = BinaryPrimitives.ReadUInt64BigEndian(f),
                L1Size = BinaryPrimitives.ReadUInt32BigEndian(f[8..]),
                DateSec = BinaryPrimitives.ReadUInt32BigEndian(f[16..]),
                DateNsec = BinaryPrimitives.ReadUInt32BigEndian(f[20..]),
                VmClockNs = BinaryPrimitives.ReadUInt64BigEndian(f[24..]),
                VmStateSize = BinaryPrimitives.ReadUInt32BigEndian(f[32..]),
            };
            int idLength = BinaryPrimitives.ReadUInt16BigEndian(f[12..]);
            int nameLength = BinaryPrimitives.ReadUInt16BigEndian(f[14..]);
            uint extraLength = BinaryPrimitives.ReadUInt32BigEndian(f[36..]);
            if (extraLength > MaxExtraData) throw new ImageException(Bad($"snapshot table entry {i} has too much extra data ({extraLength} bytes)"));
            // Version 3 requires vm_state_size_large and disk_size (spec: extra data "must be at least 16 bytes" in v3).
            if (h.Version >= 3 && extraLength < 16) throw new ImageException(Bad($"snapshot table entry {i} has too little extra data for a version 3 image ({extraLength} bytes)"));
            long length = (Qcow2SnapshotEntry.FixedLength + extraLength + idLength + nameLength + 7) & ~7L;
            if (pos + length > limit)
                throw new ImageException(Bad($"snapshot table entry {i} lies beyond the end of the file or the 64 MiB table limit"));
            var rest = new byte[extraLength + idLength + nameLength];
            HostFiles.ReadFully(file, rest, (long)h.SnapshotsOffset + pos + Qcow2SnapshotEntry.FixedLength);
            var e = rest.AsSpan();
            entry.Extra = e[..(int)extraLength].ToArray();
            if (extraLength >= 8) entry.VmStateSize = BinaryPrimitives.ReadUInt64BigEndian(entry.Extra);
            if (extraLength >= 16) entry.DiskSize = BinaryPrimitives.ReadUInt64BigEndian(entry.Extra.AsSpan(8));
            int strings = (int)extraLength;
            entry.IdBytes = e.Slice(strings, idLength).ToArray();
            entry.NameBytes = e.Slice(strings + idLength, nameLength).ToArray();
            if (!ids.Add(entry.Id)) throw new ImageException(Bad($"snapshot table entries share the ID '{entry.Id}'"));
            CheckL1(Bad, h, fileLength, entry, i);
            result.Add(entry);
            pos += length;
        }
        return result;
    }

    /// <summary>A snapshot's L1 table must be cluster aligned, inside the file and within QEMU's 32 MiB L1 limit.</summary>
    static void CheckL1(Func<string, string> bad, Qcow2Header h, long fileLength, Qcow2SnapshotEntry entry, uint index)
    {
        long bytes = entry.L1Size * 8L;
        if (bytes > Qcow2Header.MaxL1Bytes) throw new ImageException(bad($"snapshot {index} has an L1 table that is too large ({entry.L1Size} entries)"));
        if (entry.L1Offset % (ulong)h.ClusterSize != 0) throw new ImageException(bad($"snapshot {index} has an L1 table that is not cluster aligned"));
        if (bytes > 0 && (entry.L1Offset == 0 || entry.L1Offset > (ulong)fileLength || (ulong)fileLength - entry.L1Offset < (ulong)bytes))
            throw new ImageException(bad($"snapshot {index} has an L1 table beyond the end of the file"));
    }

    /// <summary>Serializes <paramref name="entries"/> as a table (8-byte aligned entries, zero padded).</summary>
    public static byte[] Serialize(IReadOnlyList<Qcow2SnapshotEntry> entries)
    {
        long total = 0;
        foreach (var e in entries) total += e.StoredLength;
        if (total > MaxTableBytes) throw new IOException("the snapshot table would exceed its 64 MiB limit");
        var bytes = new byte[total];
        int pos = 0;
        foreach (var entry in entries)
        {
            var e = bytes.AsSpan(pos);
            byte[] id = entry.IdBytes, name = entry.NameBytes;
            BinaryPrimitives.WriteUInt64BigEndian(e, entry.L1Offset);
            BinaryPrimitives.WriteUInt32BigEndian(e[8..], entry.L1Size);
            BinaryPrimitives.WriteUInt16BigEndian(e[12..], (ushort)id.Length);
            BinaryPrimitives.WriteUInt16BigEndian(e[14..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt32BigEndian(e[16..], entry.DateSec);
            BinaryPrimitives.WriteUInt32BigEndian(e[20..], entry.DateNsec);
            BinaryPrimitives.WriteUInt64BigEndian(e[24..], entry.VmClockNs);
            // A VM state that does not fit the 32-bit field is stored as 0 there, so older readers see a
            // disk-only snapshot instead of a truncated state (as QEMU writes it).
            BinaryPrimitives.WriteUInt32BigEndian(e[32..], entry.VmStateSize <= uint.MaxValue ? (uint)entry.VmStateSize : 0);
            BinaryPrimitives.WriteUInt32BigEndian(e[36..], (uint)entry.Extra.Length);
            entry.Extra.CopyTo(e[40..]);
            id.CopyTo(e[(40 + entry.Extra.Length)..]);
            name.CopyTo(e[(40 + entry.Extra.Length + id.Length)..]);
            pos += entry.StoredLength;
        }
        return bytes;
    }
}
