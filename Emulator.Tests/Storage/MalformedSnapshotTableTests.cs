using System.Buffers.Binary;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>
/// A corrupt snapshot table (qcow2 spec, "Snapshots") is refused with one line naming the file,
/// at open (read-only too) or, for tables the snapshot's L1 reaches, before an operation writes
/// anything; never a crash.
/// </summary>
public class MalformedSnapshotTableTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    // The layout Qcow2SnapshotTests works out by hand: a 1 MiB image with one written cluster and
    // snapshot "s": its L1 copy at 0x60000, the table at 0x70000, the file 0x80000 long.
    const int Table = 0x70000, SnapL1 = 0x60000, FileLength = 0x80000;

    string Patched(Action<byte[]> patch)
    {
        string path = dir.File("bad.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            image.Write(0x10200, new byte[512]);
            ((IInternalSnapshots)image).CreateSnapshot("s", [], 0);
        }
        byte[] f = File.ReadAllBytes(path);
        Assert.That(f.Length, Is.EqualTo(FileLength));
        Assert.That(BinaryPrimitives.ReadUInt64BigEndian(f.AsSpan(64)), Is.EqualTo((ulong)Table));
        patch(f);
        File.WriteAllBytes(path, f);
        return path;
    }

    static void U16(byte[] f, int at, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), v);
    static void U32(byte[] f, int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(at), v);
    static void U64(byte[] f, int at, ulong v) => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(at), v);

    static void AssertRefused(string path, string expected)
    {
        foreach (bool readOnly in new[] { true, false })
        {
            var e = Assert.Throws<ImageException>(() => ImageOpener.Open(path, null, readOnly).Dispose());
            Assert.That(e!.Message, Does.Contain(expected));
            Assert.That(e.Message, Does.StartWith($"'{path}': "));
            Assert.That(e.Message, Does.Not.Contain('\n'));
        }
    }

    [Test]
    public void A_huge_snapshot_count() =>
        AssertRefused(Patched(f => U32(f, 60, 0xFFFF_FFFF)), "the snapshot table has too many entries (4294967295, at most 65536)");

    [Test]
    public void More_entries_than_the_file_holds()
    {
        // Two entries claimed, the file cut 16 bytes into the second.
        string path = Patched(f => U32(f, 60, 2));
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(Table + 72 + 16)]);
        AssertRefused(path, "snapshot table entry 1 lies beyond the end of the file");
    }

    [Test]
    public void A_table_beyond_the_end_of_the_file() =>
        AssertRefused(Patched(f => U64(f, 64, 0x1_0000_0000)), "the snapshot table lies beyond the end of the file");

    [Test]
    public void A_misaligned_table() =>
        AssertRefused(Patched(f => U64(f, 64, Table + 8)), "the snapshot table is not cluster aligned");

    [Test]
    public void A_snapshot_l1_table_beyond_the_end_of_the_file() =>
        AssertRefused(Patched(f => U64(f, Table, 0x10_0000)), "snapshot 0 has an L1 table beyond the end of the file");

    [Test]
    public void A_misaligned_snapshot_l1_table() =>
        AssertRefused(Patched(f => U64(f, Table, SnapL1 + 0x200)), "snapshot 0 has an L1 table that is not cluster aligned");

    [Test]
    public void A_snapshot_l1_table_over_the_size_limit() =>
        AssertRefused(Patched(f => U32(f, Table + 8, 0x4000_0000)), "snapshot 0 has an L1 table that is too large");

    [Test]
    public void Too_little_extra_data_in_a_version_3_image() =>
        AssertRefused(Patched(f => U32(f, Table + 36, 8)), "too little extra data for a version 3 image (8 bytes)");

    [Test]
    public void Too_much_extra_data() =>
        AssertRefused(Patched(f => U32(f, Table + 36, 5000)), "too much extra data (5000 bytes)");

    [Test]
    public void A_name_running_past_the_end_of_the_file() =>
        AssertRefused(Patched(f => U16(f, Table + 14, 0xFFFF)), "snapshot table entry 0 lies beyond the end of the file");

    [Test]
    public void Two_entries_with_one_id()
    {
        // A second copy of the entry (72 bytes) right after the first.
        string path = Patched(f =>
        {
            f.AsSpan(Table, 72).CopyTo(f.AsSpan(Table + 72));
            U32(f, 60, 2);
        });
        AssertRefused(path, "snapshot table entries share the ID '1'");
    }

    [Test]
    public void A_snapshot_l2_table_beyond_the_file_is_refused_before_anything_is_written()
    {
        // The snapshot's L1 entry is only followed when the snapshot is used: revert and delete refuse it.
        string path = Patched(f => U64(f, SnapL1, 0x100_0000));
        byte[] before = File.ReadAllBytes(path);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var snapshots = (IInternalSnapshots)image;
            var e = Assert.Throws<ImageException>(() => snapshots.RevertToSnapshot("s"));
            Assert.That(e!.Message, Does.Contain("an L2 table at 0x1000000 lies beyond the end of the file"));
            Assert.Throws<ImageException>(() => snapshots.DeleteSnapshot("s"));
            var read = new byte[512];
            image.Read(0x10200, read);
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }

    [Test]
    public void A_misaligned_data_cluster_in_the_active_state_stops_a_snapshot_before_anything_is_written()
    {
        // Active L2 table at 0x40000; entry 1 points to the data at 0x50000. Make it misaligned.
        string path = Patched(f => U64(f, 0x40000 + 8, 0x50200));
        byte[] before = File.ReadAllBytes(path);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var e = Assert.Throws<ImageException>(() => ((IInternalSnapshots)image).CreateSnapshot("t", new byte[1000], 0));
            Assert.That(e!.Message, Does.Contain("a data cluster at 0x50200 is not cluster aligned"));
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }
}
