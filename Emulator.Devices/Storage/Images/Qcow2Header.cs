using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Storage.Images;

/// <summary>
/// The qcow2 header (qcow2 spec, "Header" and "Header extensions"), parsed and validated. Every
/// field that locates a table is checked against the file before any table is read, so a
/// malformed or truncated image is refused with one message instead of failing later.
/// </summary>
internal sealed class Qcow2Header
{
    public const int V2Length = 72;
    public const int V3Length = 104;
    public const int MinClusterBits = 9;
    /// <summary>QEMU's implementation limit of 2 MiB clusters (spec note on cluster_bits).</summary>
    public const int MaxClusterBits = 21;
    /// <summary>QEMU's limits on the L1 table (32 MiB) and refcount table (8 MiB) sizes.</summary>
    public const long MaxL1Bytes = 32L << 20, MaxRefcountTableBytes = 8L << 20;

    public const ulong IncompatDirty = 1, IncompatCorrupt = 2, IncompatExternalData = 4, IncompatCompression = 8, IncompatExtendedL2 = 16;
    public const ulong CompatLazyRefcounts = 1;
    public const uint ExtEnd = 0, ExtBackingFormat = 0xE2792ACA, ExtFeatureNames = 0x6803F857;

    public uint Version;
    public ulong BackingFileOffset;
    public uint BackingFileSize;
    public int ClusterBits;
    public ulong Size;
    public uint CryptMethod;
    public uint L1Size;
    public ulong L1TableOffset;
    public ulong RefcountTableOffset;
    public uint RefcountTableClusters;
    public uint NbSnapshots;
    public ulong SnapshotsOffset;
    public ulong IncompatibleFeatures;
    public ulong CompatibleFeatures;
    public ulong AutoclearFeatures;
    public int RefcountOrder = 4;
    public uint HeaderLength = V2Length;

    public string? BackingFile;
    public string? BackingFormat;

    public long ClusterSize => 1L << ClusterBits;

    /// <summary>Reads and validates the header of a qcow2 file of length <paramref name="fileLength"/>.</summary>
    /// <param name="cluster0">The start of the file, at least the first cluster or the whole file if shorter.</param>
    /// <exception cref="ImageException">The header is malformed or uses a feature not implemented.</exception>
    public static Qcow2Header Parse(string path, ReadOnlySpan<byte> cluster0, long fileLength)
    {
        string Bad(string what) => $"'{path}': {what}";
        if (cluster0.Length < V2Length) throw new ImageException(Bad("qcow2 header is truncated"));
        var h = new Qcow2Header();
        if (BinaryPrimitives.ReadUInt32BigEndian(cluster0) != ImageFormats.Qcow2Magic) throw new ImageException(Bad("image is not in qcow2 format"));
        h.Version = U32(cluster0, 4);
        if (h.Version is not (2 or 3)) throw new ImageException(Bad($"unsupported qcow2 version {h.Version}"));
        h.BackingFileOffset = U64(cluster0, 8);
        h.BackingFileSize = U32(cluster0, 16);
        uint clusterBits = U32(cluster0, 20);
        if (clusterBits is < MinClusterBits or > MaxClusterBits)
            throw new ImageException(Bad($"cluster_bits {clusterBits} is out of range (cluster size must be 512 B to 2 MiB)"));
        h.ClusterBits = (int)clusterBits;
        h.Size = U64(cluster0, 24);
        h.CryptMethod = U32(cluster0, 32);
        h.L1Size = U32(cluster0, 36);
        h.L1TableOffset = U64(cluster0, 40);
        h.RefcountTableOffset = U64(cluster0, 48);
        h.RefcountTableClusters = U32(cluster0, 56);
        h.NbSnapshots = U32(cluster0, 60);
        h.SnapshotsOffset = U64(cluster0, 64);
        if (h.Version >= 3)
        {
            if (cluster0.Length < V3Length) throw new ImageException(Bad("qcow2 version 3 header is truncated"));
            h.IncompatibleFeatures = U64(cluster0, 72);
            h.CompatibleFeatures = U64(cluster0, 80);
            h.AutoclearFeatures = U64(cluster0, 88);
            uint order = U32(cluster0, 96);
            if (order > 6) throw new ImageException(Bad($"refcount_order {order} is out of range (at most 6, 64-bit refcounts)"));
            h.RefcountOrder = (int)order;
            h.HeaderLength = U32(cluster0, 100);
            if (h.HeaderLength < V3Length || h.HeaderLength % 8 != 0 || h.HeaderLength > h.ClusterSize || h.HeaderLength > cluster0.Length)
                throw new ImageException(Bad($"invalid qcow2 header length {h.HeaderLength}"));
        }
        if (h.CryptMethod != 0) throw new ImageException(Bad("encrypted qcow2 images are not supported"));
        ulong unknown = h.IncompatibleFeatures & ~(IncompatDirty | IncompatCorrupt);
        if (unknown != 0)
        {
            string what = unknown switch
            {
                IncompatExternalData => "an external data file",
                IncompatCompression => "a compression type other than zlib",
                IncompatExtendedL2 => "extended L2 entries",
                _ => $"incompatible features 0x{unknown:x}",
            };
            throw new ImageException(Bad($"the image uses {what}, which is not supported"));
        }

        long cs = h.ClusterSize;
        long l2Entries = cs / 8;
        // The L1 table must map the whole virtual disk (qcow2 spec, "Cluster mapping").
        if (h.Size > (ulong)long.MaxValue) throw new ImageException(Bad("virtual size is too large"));
        ulong needed = (h.Size + (ulong)(cs * l2Entries) - 1) / (ulong)(cs * l2Entries);
        if (h.L1Size < needed) throw new ImageException(Bad($"the L1 table ({h.L1Size} entries) is too small for the virtual size {h.Size}"));
        if ((long)h.L1Size * 8 > MaxL1Bytes) throw new ImageException(Bad($"the L1 table is too large ({h.L1Size} entries)"));
        CheckTable(Bad, "L1 table", h.L1TableOffset, (long)h.L1Size * 8, cs, fileLength);
        if (h.RefcountTableClusters == 0) throw new ImageException(Bad("the image has no refcount table"));
        if (h.RefcountTableClusters * cs > MaxRefcountTableBytes) throw new ImageException(Bad($"the refcount table is too large ({h.RefcountTableClusters} clusters)"));
        CheckTable(Bad, "refcount table", h.RefcountTableOffset, h.RefcountTableClusters * cs, cs, fileLength);
        if (h.NbSnapshots > 0 && h.SnapshotsOffset % (ulong)cs != 0) throw new ImageException(Bad("the snapshot table is not cluster aligned"));

        int extStart = (int)(h.Version >= 3 ? h.HeaderLength : V2Length);
        int extLimit = (int)Math.Min(cs, cluster0.Length);
        if (h.BackingFileOffset != 0)
        {
            if (h.BackingFileSize is 0 or > 1023) throw new ImageException(Bad($"invalid backing file name length {h.BackingFileSize}"));
            if (h.BackingFileOffset + h.BackingFileSize > (ulong)extLimit) throw new ImageException(Bad("the backing file name lies outside the first cluster"));
            h.BackingFile = Encoding.UTF8.GetString(cluster0.Slice((int)h.BackingFileOffset, (int)h.BackingFileSize));
            extLimit = Math.Min(extLimit, (int)h.BackingFileOffset);
        }
        ReadExtensions(h, cluster0, extStart, extLimit, Bad);
        return h;
    }

    static void CheckTable(Func<string, string> bad, string name, ulong offset, long bytes, long clusterSize, long fileLength)
    {
        if (offset % (ulong)clusterSize != 0) throw new ImageException(bad($"the {name} is not cluster aligned"));
        if (bytes > 0 && (offset == 0 || offset > (ulong)fileLength || (ulong)fileLength - offset < (ulong)bytes))
            throw new ImageException(bad($"the {name} lies beyond the end of the file"));
    }

    /// <summary>Walks the header extensions (type, length, data padded to 8 bytes) until the end marker.</summary>
    static void ReadExtensions(Qcow2Header h, ReadOnlySpan<byte> c0, int pos, int limit, Func<string, string> bad)
    {
        while (pos + 8 <= limit)
        {
            uint type = U32(c0, pos);
            uint length = U32(c0, pos + 4);
            if (type == ExtEnd) return;
            if (length > (uint)(limit - pos - 8)) throw new ImageException(bad($"header extension 0x{type:x8} runs past the header area"));
            var data = c0.Slice(pos + 8, (int)length);
            if (type == ExtBackingFormat) h.BackingFormat = Encoding.UTF8.GetString(data);
            pos += 8 + (int)((length + 7) & ~7u);
        }
    }

    /// <summary>Serializes the header and extensions into the start of <paramref name="cluster0"/> (which is cleared).</summary>
    public void Write(Span<byte> cluster0)
    {
        cluster0.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(cluster0, ImageFormats.Qcow2Magic);
        W32(cluster0, 4, Version);
        W32(cluster0, 20, (uint)ClusterBits);
        W64(cluster0, 24, Size);
        W32(cluster0, 32, CryptMethod);
        W32(cluster0, 36, L1Size);
        W64(cluster0, 40, L1TableOffset);
        W64(cluster0, 48, RefcountTableOffset);
        W32(cluster0, 56, RefcountTableClusters);
        W32(cluster0, 60, NbSnapshots);
        W64(cluster0, 64, SnapshotsOffset);
        int pos = V2Length;
        if (Version >= 3)
        {
            HeaderLength = V3Length;
            W64(cluster0, 72, IncompatibleFeatures);
            W64(cluster0, 80, CompatibleFeatures);
            W64(cluster0, 88, AutoclearFeatures);
            W32(cluster0, 96, (uint)RefcountOrder);
            W32(cluster0, 100, HeaderLength);
            pos = V3Length;
        }
        if (BackingFormat != null)
        {
            byte[] fmt = Encoding.UTF8.GetBytes(BackingFormat);
            W32(cluster0, pos, ExtBackingFormat);
            W32(cluster0, pos + 4, (uint)fmt.Length);
            fmt.CopyTo(cluster0[(pos + 8)..]);
            pos += 8 + ((fmt.Length + 7) & ~7);
        }
        pos += 8; // the end-of-extensions marker (type 0, length 0)
        if (BackingFile != null)
        {
            byte[] name = Encoding.UTF8.GetBytes(BackingFile);
            if (name.Length > 1023 || pos + name.Length > cluster0.Length)
                throw new ImageException($"backing file name '{BackingFile}' is too long");
            BackingFileOffset = (ulong)pos;
            BackingFileSize = (uint)name.Length;
            name.CopyTo(cluster0[pos..]);
        }
        else
        {
            BackingFileOffset = 0;
            BackingFileSize = 0;
        }
        W64(cluster0, 8, BackingFileOffset);
        W32(cluster0, 16, BackingFileSize);
    }

    static uint U32(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt32BigEndian(b[o..]);
    static ulong U64(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt64BigEndian(b[o..]);
    static void W32(Span<byte> b, int o, uint v) => BinaryPrimitives.WriteUInt32BigEndian(b[o..], v);
    static void W64(Span<byte> b, int o, ulong v) => BinaryPrimitives.WriteUInt64BigEndian(b[o..], v);
}
