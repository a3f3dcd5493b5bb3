using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;

namespace Emulator.Core.State;

/// <summary>
/// Writes a machine snapshot: a versioned container of named sections, one per
/// <see cref="ISaveable"/> in the machine's list, in that order. Layout (little-endian):
/// <code>
/// magic "EMUSNAP\x1A"  u32 format version  i32 section count
/// per section: name (BinaryWriter string)  i32 section version  u8 packing  i32 stored length
///              [packing 1: i32 unpacked length]  stored bytes
/// u64 XxHash64 of everything before it
/// </code>
/// Packing 0 is stored, 1 is one LZ4 block. <see cref="MachineStateReader"/> reads it back.
/// </summary>
public static class MachineStateWriter
{
    internal static ReadOnlySpan<byte> Magic => "EMUSNAP\x1A"u8;
    internal const uint FormatVersion = 1;
    internal const byte PackingStored = 0, PackingLz4 = 1;

    /// <summary>Saves every section into one snapshot blob.</summary>
    /// <exception cref="SnapshotException">The state does not fit in one blob (2 GiB: a MemoryStream's and a byte array's limit).</exception>
    public static byte[] Save(IReadOnlyList<ISaveable> sections)
    {
        try
        {
            return SaveUnchecked(sections);
        }
        catch (Exception e) when (e is OverflowException or IOException or OutOfMemoryException)
        {
            // A guest with more than ~2 GiB of RAM that does not compress. Writing the state as a
            // stream (and the qcow2 VM state with it) would lift this; it is not implemented.
            throw new SnapshotException($"the machine state does not fit in a 2 GiB snapshot ({e.Message})", e);
        }
    }

    static byte[] SaveUnchecked(IReadOnlyList<ISaveable> sections)
    {
        var output = new MemoryStream();
        using var w = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        w.Write(sections.Count);
        var payload = new MemoryStream();
        using var pw = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true);
        foreach (var section in sections)
        {
            w.Write(section.SnapshotName);
            w.Write(section.SnapshotVersion);
            if (section is IPackedSection)
            {
                // Written in place (it is most of the snapshot), its length patched in after.
                w.Write(PackingStored);
                long lengthAt = output.Position;
                w.Write(0);
                section.SaveState(w);
                w.Flush();
                long end = output.Position;
                output.Position = lengthAt;
                w.Write(checked((int)(end - lengthAt - 4)));
                w.Flush();
                output.Position = end;
                continue;
            }
            payload.SetLength(0);
            section.SaveState(pw);
            pw.Flush();
            WritePayload(w, new ReadOnlySpan<byte>(payload.GetBuffer(), 0, (int)payload.Length));
        }
        w.Flush();
        var hash = XxHash64.HashToUInt64(new ReadOnlySpan<byte>(output.GetBuffer(), 0, (int)output.Length));
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(tail, hash);
        output.Write(tail);
        return output.ToArray();
    }

    static void WritePayload(BinaryWriter w, ReadOnlySpan<byte> raw)
    {
        if (raw.Length > 64)
        {
            var packed = new byte[LZ4Codec.MaximumOutputSize(raw.Length)];
            int n = LZ4Codec.Encode(raw, packed, LZ4Level.L00_FAST);
            if (n > 0 && n < raw.Length)
            {
                w.Write(PackingLz4);
                w.Write(n);
                w.Write(raw.Length);
                w.Write(packed, 0, n);
                return;
            }
        }
        w.Write(PackingStored);
        w.Write(raw.Length);
        w.Write(raw);
    }
}
