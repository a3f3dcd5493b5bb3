using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace Emulator.Core.State;

/// <summary>
/// Reads a snapshot written by <see cref="MachineStateWriter"/> into a machine's sections. All or
/// nothing: the container, its checksum, and the list of section names and versions are checked
/// against the machine's before anything is loaded; if a section still fails to load (a snapshot
/// from a build whose layout changed without a version bump), the machine's own state, saved just
/// before, is loaded back. Either way a failure is one <see cref="SnapshotException"/>.
/// </summary>
public static class MachineStateReader
{
    /// <summary>One section of a snapshot: its name, layout version and unpacked bytes.</summary>
    public sealed record Section(string Name, int Version, ArraySegment<byte> Data);

    /// <summary>
    /// Loads <paramref name="snapshot"/> into <paramref name="sections"/>, in the order of that list
    /// except that <see cref="IPackedSection"/>s load last.
    /// </summary>
    /// <exception cref="SnapshotException">The snapshot does not fit this machine; the machine is unchanged.</exception>
    public static void Load(IReadOnlyList<ISaveable> sections, byte[] snapshot)
    {
        var parsed = Parse(snapshot);
        Match(sections, parsed);
        var ordered = sections.Where(s => s is not IPackedSection).Concat(sections.Where(s => s is IPackedSection)).ToList();
        var backup = MachineStateWriter.Save(ordered.Where(s => s is not IPackedSection).ToList());
        try
        {
            LoadSections(ordered, parsed);
        }
        catch (SnapshotException failure)
        {
            try
            {
                LoadSections(ordered.Where(s => s is not IPackedSection).ToList(), Parse(backup));
            }
            catch (SnapshotException rollback)
            {
                throw new SnapshotException($"{failure.Message}; restoring the machine's own state failed too ({rollback.Message}): reset it", failure);
            }
            throw new SnapshotException(failure.Message + " (the machine was left as it was)", failure.InnerException);
        }
    }

    /// <summary>Checks the container and its checksum and unpacks the sections.</summary>
    /// <exception cref="SnapshotException">Not a snapshot, another format version, or damaged.</exception>
    public static IReadOnlyList<Section> Parse(byte[] snapshot)
    {
        var magic = MachineStateWriter.Magic;
        if (snapshot.Length < magic.Length + 8 + 8 || !snapshot.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw new SnapshotException("not a machine snapshot (bad magic)");
        int bodyLength = snapshot.Length - 8;
        if (XxHash64.HashToUInt64(snapshot.AsSpan(0, bodyLength)) != BinaryPrimitives.ReadUInt64LittleEndian(snapshot.AsSpan(bodyLength)))
            throw new SnapshotException("the machine snapshot is damaged (checksum mismatch)");
        var stream = new MemoryStream(snapshot, 0, bodyLength, writable: false, publiclyVisible: true);
        stream.Position = magic.Length;
        using var r = new BinaryReader(stream);
        try
        {
            uint format = r.ReadUInt32();
            if (format != MachineStateWriter.FormatVersion)
                throw new SnapshotException($"machine snapshot format {format} is not supported (this build reads format {MachineStateWriter.FormatVersion})");
            int count = r.ReadInt32();
            if (count is < 0 or > 4096) throw new SnapshotException($"the machine snapshot claims {count} sections");
            var result = new List<Section>(count);
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                int version = r.ReadInt32();
                result.Add(new Section(name, version, ReadPayload(r, snapshot, name)));
            }
            if (r.BaseStream.Position != r.BaseStream.Length) throw new SnapshotException("the machine snapshot has data after its last section");
            return result;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new SnapshotException("the machine snapshot is truncated", e);
        }
    }

    static ArraySegment<byte> ReadPayload(BinaryReader r, byte[] snapshot, string name)
    {
        byte packing = r.ReadByte();
        int stored = r.ReadInt32();
        if (stored < 0 || stored > r.BaseStream.Length - r.BaseStream.Position - (packing == MachineStateWriter.PackingLz4 ? 4 : 0))
            throw new SnapshotException($"section '{name}' claims {stored} bytes, more than the snapshot holds");
        switch (packing)
        {
            case MachineStateWriter.PackingStored:
                var data = new ArraySegment<byte>(snapshot, (int)r.BaseStream.Position, stored);
                r.BaseStream.Position += stored;
                return data;
            case MachineStateWriter.PackingLz4:
                int unpacked = r.ReadInt32();
                if (unpacked is < 0 or > 1 << 30) throw new SnapshotException($"section '{name}' claims {unpacked} unpacked bytes");
                var packed = new ReadOnlySpan<byte>(snapshot, (int)r.BaseStream.Position, stored);
                r.BaseStream.Position += stored;
                var unpackedData = new byte[unpacked];
                if (LZ4Codec.Decode(packed, unpackedData) != unpacked) throw new SnapshotException($"section '{name}' does not unpack");
                return unpackedData;
            default:
                throw new SnapshotException($"section '{name}' has unknown packing {packing}");
        }
    }

    /// <summary>The snapshot must have exactly the machine's sections, each at the version this build writes.</summary>
    static void Match(IReadOnlyList<ISaveable> sections, IReadOnlyList<Section> parsed)
    {
        var byName = new Dictionary<string, Section>();
        foreach (var s in parsed)
            if (!byName.TryAdd(s.Name, s)) throw new SnapshotException($"the machine snapshot has section '{s.Name}' twice");
        var known = new HashSet<string>();
        foreach (var device in sections)
        {
            known.Add(device.SnapshotName);
            if (!byName.TryGetValue(device.SnapshotName, out var s))
                throw new SnapshotException($"the machine snapshot has no section '{device.SnapshotName}' (it is of another machine configuration)");
            if (s.Version != device.SnapshotVersion)
                throw new SnapshotException($"section '{s.Name}' is version {s.Version}, this build reads version {device.SnapshotVersion}");
        }
        foreach (var s in parsed)
            if (!known.Contains(s.Name))
                throw new SnapshotException($"the machine snapshot has section '{s.Name}', which this machine does not have (it is of another machine configuration)");
    }

    static void LoadSections(IReadOnlyList<ISaveable> sections, IReadOnlyList<Section> parsed)
    {
        var byName = parsed.ToDictionary(s => s.Name);
        foreach (var device in sections)
        {
            var s = byName[device.SnapshotName];
            using var r = new BinaryReader(new MemoryStream(s.Data.Array!, s.Data.Offset, s.Data.Count, writable: false));
            try
            {
                device.LoadState(r, s.Version);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new SnapshotException($"section '{s.Name}': {(e is EndOfStreamException ? "truncated" : e.Message)}", e);
            }
            if (r.BaseStream.Position != r.BaseStream.Length)
                throw new SnapshotException($"section '{s.Name}': {r.BaseStream.Length - r.BaseStream.Position} bytes left over (a layout change without a version bump)");
        }
    }
}
