using System.Buffers.Binary;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>
/// qcow2 internal snapshots (qcow2 spec, "Snapshots"): the on-disk layout worked by hand, and
/// create/write/revert/delete round trips against byte-array models, checked with emu's own
/// refcount check (the qemu-img side is in <see cref="QemuImgSnapshotInteropTests"/>).
/// </summary>
public class Qcow2SnapshotTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static ulong U64(byte[] f, long at) => BinaryPrimitives.ReadUInt64BigEndian(f.AsSpan((int)at));
    static uint U32(byte[] f, long at) => BinaryPrimitives.ReadUInt32BigEndian(f.AsSpan((int)at));
    static ushort U16(byte[] f, long at) => BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan((int)at));

    /// <summary>Refcount of cluster <paramref name="c"/> in a fresh 64 KiB-cluster image (block at 0x20000, 16-bit entries).</summary>
    static int Ref(byte[] f, int c) => U16(f, 0x20000 + c * 2);

    static IInternalSnapshots Snap(IBlockImage image) => (IInternalSnapshots)image;

    static void AssertClean(string path)
    {
        var check = Qcow2Check.Run(path);
        Assert.That(check.Messages, Is.Empty, string.Join("\n", check.Messages));
    }

    static byte[] Filled(int length, byte value)
    {
        var b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }

    [Test]
    public void Snapshot_write_revert_and_delete_lay_out_clusters_as_the_spec_says()
    {
        // Layout of a new 1 MiB image (Qcow2ImageTests): header, refcount table, refcount block, L1 in
        // clusters 0-3. The first write puts the L2 table in cluster 4 and the data in cluster 5.
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            image.Write(0x10200, Filled(512, 0x5A));
            var s = Snap(image).CreateSnapshot("s", [], 123_000_000);
            Assert.That(s.Id, Is.EqualTo("1"));
            Assert.That(s.Name, Is.EqualTo("s"));
            Assert.That(s.VmClockNs, Is.EqualTo(123_000_000UL));
        }
        byte[] f = File.ReadAllBytes(path);
        Assert.That(f.Length, Is.EqualTo(8 * 0x10000), "the snapshot's L1 copy in cluster 6, the table in cluster 7");
        Assert.That(U32(f, 60), Is.EqualTo(1u), "nb_snapshots");
        Assert.That(U64(f, 64), Is.EqualTo(0x70000UL), "snapshots_offset");
        // Both L1 tables now reach the L2 table and the data cluster: refcount 2, COPIED clear.
        Assert.That(Ref(f, 4), Is.EqualTo(2));
        Assert.That(Ref(f, 5), Is.EqualTo(2));
        Assert.That(Ref(f, 6), Is.EqualTo(1));
        Assert.That(Ref(f, 7), Is.EqualTo(1));
        Assert.That(U64(f, 0x30000), Is.EqualTo(0x40000UL), "active L1[0] without COPIED");
        Assert.That(U64(f, 0x40000 + 8), Is.EqualTo(0x50000UL), "L2[1] without COPIED");
        Assert.That(U64(f, 0x60000), Is.EqualTo(0x40000UL), "the snapshot's L1[0]");
        // Snapshot table entry (spec, "Snapshot table entry"): 40 fixed bytes, 24 bytes of extra data, id, name.
        const int e = 0x70000;
        Assert.That(U64(f, e), Is.EqualTo(0x60000UL), "l1_table_offset");
        Assert.That(U32(f, e + 8), Is.EqualTo(1u), "l1_size");
        Assert.That(U16(f, e + 12), Is.EqualTo(1), "id_str_size");
        Assert.That(U16(f, e + 14), Is.EqualTo(1), "name_size");
        Assert.That(U64(f, e + 24), Is.EqualTo(123_000_000UL), "vm_clock_nsec");
        Assert.That(U32(f, e + 32), Is.EqualTo(0u), "vm_state_size");
        Assert.That(U32(f, e + 36), Is.EqualTo(24u), "extra_data_size");
        Assert.That(U64(f, e + 40), Is.EqualTo(0UL), "vm_state_size_large");
        Assert.That(U64(f, e + 48), Is.EqualTo(1UL << 20), "disk_size");
        Assert.That(U64(f, e + 56), Is.EqualTo(ulong.MaxValue), "icount: -1, not recorded");
        Assert.That(f[e + 64], Is.EqualTo((byte)'1'));
        Assert.That(f[e + 65], Is.EqualTo((byte)'s'));
        AssertClean(path);

        using (var image = ImageOpener.Open(path, null, readOnly: false))
            image.Write(0x10000, Filled(512, 0xA5));
        f = File.ReadAllBytes(path);
        // Copy on write: the shared L2 table is copied to cluster 8, then the data cluster to 9.
        Assert.That(f.Length, Is.EqualTo(10 * 0x10000));
        Assert.That(U64(f, 0x30000), Is.EqualTo(0x8000_0000_0008_0000UL), "active L1[0] -> the copy, COPIED");
        Assert.That(U64(f, 0x80000 + 8), Is.EqualTo(0x8000_0000_0009_0000UL), "L2'[1] -> the new data cluster, COPIED");
        Assert.That(U64(f, 0x40000 + 8), Is.EqualTo(0x50000UL), "the snapshot's L2 still points to the old data");
        Assert.That(Ref(f, 4), Is.EqualTo(1));
        Assert.That(Ref(f, 5), Is.EqualTo(1));
        Assert.That(Ref(f, 8), Is.EqualTo(1));
        Assert.That(Ref(f, 9), Is.EqualTo(1));
        Assert.That(f[0x90000], Is.EqualTo(0xA5));
        Assert.That(f[0x90200], Is.EqualTo(0x5A), "the rest of the cluster was copied");
        Assert.That(f[0x50000], Is.EqualTo(0), "the snapshot's data is untouched");
        AssertClean(path);

        using (var image = ImageOpener.Open(path, null, readOnly: false))
            Snap(image).RevertToSnapshot("s");
        f = File.ReadAllBytes(path);
        Assert.That(U64(f, 0x30000), Is.EqualTo(0x40000UL), "active L1[0] back on the snapshot's L2, shared");
        Assert.That(Ref(f, 4), Is.EqualTo(2));
        Assert.That(Ref(f, 5), Is.EqualTo(2));
        Assert.That(Ref(f, 8), Is.EqualTo(0), "the old active L2 table is free");
        Assert.That(Ref(f, 9), Is.EqualTo(0), "the old active data cluster is free");
        AssertClean(path);

        using (var image = ImageOpener.Open(path, null, readOnly: false))
            Snap(image).DeleteSnapshot("1");
        f = File.ReadAllBytes(path);
        Assert.That(U32(f, 60), Is.EqualTo(0u), "nb_snapshots");
        Assert.That(U64(f, 64), Is.EqualTo(0UL), "snapshots_offset");
        Assert.That(Ref(f, 4), Is.EqualTo(1));
        Assert.That(Ref(f, 5), Is.EqualTo(1));
        Assert.That(Ref(f, 6), Is.EqualTo(0), "the snapshot's L1 table is free");
        Assert.That(Ref(f, 7), Is.EqualTo(0), "the old snapshot table is free");
        Assert.That(U64(f, 0x30000), Is.EqualTo(0x8000_0000_0004_0000UL), "L1[0] owned again: COPIED");
        Assert.That(U64(f, 0x40000 + 8), Is.EqualTo(0x8000_0000_0005_0000UL), "L2[1] owned again: COPIED");
        AssertClean(path);
    }

    [TestCase(16, 3)]
    [TestCase(9, 3)]
    [TestCase(12, 2)]
    public void Reverting_restores_each_snapshot_after_random_writes(int clusterBits, int version)
    {
        string path = dir.File("a.qcow2");
        const int size = 3 << 20;
        Qcow2Creator.Create(path, size, clusterBits: clusterBits, version: version);
        var model = new byte[size];
        var saved = new List<byte[]>();
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            for (int i = 0; i < 3; i++)
            {
                ImageModel.RandomWrites(image, model, 25, seed: clusterBits * 100 + i, maxLength: 120_000);
                Snap(image).CreateSnapshot($"s{i}", [], (ulong)i);
                saved.Add((byte[])model.Clone());
            }
            ImageModel.RandomWrites(image, model, 25, seed: 7, maxLength: 120_000);
            AssertClean(path);
            Snap(image).RevertToSnapshot("s1");
            ImageModel.AssertContents(image, saved[1]);
            // Writes after the revert change the disk, not the snapshot.
            var afterRevert = (byte[])saved[1].Clone();
            ImageModel.RandomWrites(image, afterRevert, 20, seed: 8, maxLength: 120_000);
            Snap(image).RevertToSnapshot("s1");
            ImageModel.AssertContents(image, saved[1]);
            Snap(image).RevertToSnapshot("1");
            ImageModel.AssertContents(image, saved[0]);
            Snap(image).DeleteSnapshot("s0");
            ImageModel.AssertContents(image, saved[0]);
            AssertClean(path);
        }
        using (var reopened = ImageOpener.Open(path, null, readOnly: false))
        {
            Assert.That(Snap(reopened).Snapshots.Select(s => s.Name), Is.EqualTo(new[] { "s1", "s2" }));
            ImageModel.AssertContents(reopened, saved[0]);
            Snap(reopened).RevertToSnapshot("s2");
            ImageModel.AssertContents(reopened, saved[2]);
            Snap(reopened).DeleteSnapshot("s1");
            Snap(reopened).DeleteSnapshot("s2");
            ImageModel.AssertContents(reopened, saved[2]);
        }
        AssertClean(path);
    }

    [Test]
    public void Deleting_every_snapshot_frees_every_cluster_only_they_used()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 4 << 20);
        var model = new byte[4 << 20];
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            ImageModel.RandomWrites(image, model, 20, seed: 1);
            var state = new byte[300_000];
            new Random(2).NextBytes(state);
            Snap(image).CreateSnapshot("a", state, 0);
            ImageModel.RandomWrites(image, model, 20, seed: 3);
            Snap(image).CreateSnapshot("b", [], 0);
            ImageModel.RandomWrites(image, model, 20, seed: 4);
            Snap(image).DeleteSnapshot("a");
            Snap(image).DeleteSnapshot("b");
            ImageModel.AssertContents(image, model);
        }
        var check = Qcow2Check.Run(path);
        Assert.That(check.Messages, Is.Empty);
        // Every cluster still counted is one the active state or the metadata uses: the rest are free.
        long used = 0;
        using (var stream = File.OpenRead(path))
        {
            var f = new byte[stream.Length];
            stream.ReadExactly(f);
            for (int c = 0; c < f.Length / 0x10000; c++) if (Ref(f, c) != 0) used++;
        }
        long dataClusters = check.AllocatedClusters;
        Assert.That(used, Is.EqualTo(4 + 1 + dataClusters), "header, refcount table and block, L1, one L2 table and the data clusters");
    }

    [Test]
    public void The_vm_state_round_trips_and_lives_past_the_disk_in_the_snapshot_only()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 8 << 20);
        // 5 MiB + 1000 bytes of state, with a 1 MiB run of zeros that needs no clusters.
        var state = new byte[(5 << 20) + 1000];
        new Random(9).NextBytes(state);
        state.AsSpan(1 << 20, 1 << 20).Clear();
        long before = new FileInfo(path).Length;
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var s = Snap(image).CreateSnapshot("vm", state, 42);
            Assert.That(s.VmStateSize, Is.EqualTo((ulong)state.Length));
            Assert.That(Snap(image).ReadVmState("vm"), Is.EqualTo(state));
            // The guest-visible disk does not see the state.
            var disk = new byte[8 << 20];
            image.Read(0, disk);
            Assert.That(disk.AsSpan().ContainsAnyExcept((byte)0), Is.False);
        }
        // 81 clusters of state (the last one partial), less the 16 of the zero run, plus one L2 table.
        long grown = new FileInfo(path).Length - before;
        Assert.That(grown, Is.EqualTo((65 + 1 + 1 + 1) * 0x10000L), "state clusters, its L2 table, the snapshot L1 and the table");
        byte[] f = File.ReadAllBytes(path);
        long l1 = (long)U64(f, (long)U64(f, 64));
        Assert.That(U32(f, (long)U64(f, 64) + 8), Is.EqualTo(2u), "L1 entry 0 for the 8 MiB disk, entry 1 for the state area");
        Assert.That(U64(f, l1), Is.EqualTo(0UL), "the disk was never written");
        Assert.That(U64(f, l1 + 8), Is.Not.EqualTo(0UL), "the VM state area starts at the first L1 entry past the disk (512 MiB)");
        AssertClean(path);
        using var reopened = ImageOpener.Open(path, null, readOnly: true);
        Assert.That(Snap(reopened).ReadVmState("1"), Is.EqualTo(state));
    }

    [Test]
    public void A_snapshot_with_the_same_name_is_replaced_and_its_clusters_freed()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 2 << 20);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            image.Write(0, Filled(4096, 1));
            Snap(image).CreateSnapshot("x", Filled(200_000, 7), 0);
            image.Write(0, Filled(4096, 2));
            Snap(image).CreateSnapshot("x", Filled(100_000, 8), 0);
            var list = Snap(image).Snapshots;
            Assert.That(list, Has.Count.EqualTo(1));
            Assert.That(list[0].Id, Is.EqualTo("1"), "IDs count from the largest left");
            Assert.That(Snap(image).ReadVmState("x"), Is.EqualTo(Filled(100_000, 8)));
            image.Write(0, Filled(4096, 3));
            Snap(image).RevertToSnapshot("x");
            var back = new byte[4096];
            image.Read(0, back);
            Assert.That(back, Is.EqualTo(Filled(4096, 2)));
        }
        AssertClean(path);
    }

    [Test]
    public void Freed_clusters_are_reused_so_repeated_savevm_of_one_name_does_not_grow_the_file()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 4 << 20);
        var state = new byte[1 << 20];
        var sizes = new List<long>();
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var model = new byte[4 << 20];
            new Random(1).NextBytes(model);
            image.Write(0, model);
            for (int i = 0; i < 5; i++)
            {
                // Each round the guest overwrites the same three clusters (copies of shared ones) and
                // savevm replaces the snapshot: what the old one alone used is freed and reused next round.
                model.AsSpan(0, 3 << 16).Fill((byte)i);
                image.Write(0, model.AsSpan(0, 3 << 16));
                new Random(i).NextBytes(state);
                Snap(image).CreateSnapshot("x", state, 0);
                sizes.Add(new FileInfo(path).Length);
                Assert.That(Snap(image).ReadVmState("x"), Is.EqualTo(state));
            }
            image.Write(0, new byte[4096]);
            Snap(image).RevertToSnapshot("x");
            ImageModel.AssertContents(image, model);
        }
        AssertClean(path);
        // Round 1 needs room for two states; from round 2 on, each round takes exactly what the last one
        // freed: 3 data clusters, the L2 table copy, the state's 16 clusters and L2 table, the L1 copy, the table.
        Assert.That(sizes[3], Is.EqualTo(sizes[2]), string.Join(", ", sizes));
        Assert.That(sizes[4], Is.EqualTo(sizes[2]), string.Join(", ", sizes));
    }

    [Test]
    public void The_snapshot_overlay_takes_snapshots_without_touching_the_image()
    {
        var original = new byte[1 << 20];
        new Random(4).NextBytes(original);
        string path = dir.Write("disk.raw", original);
        using (var image = ImageOpener.WithSnapshotOverlay(ImageOpener.Open(path, null, readOnly: false)))
        {
            var snapshots = image as IInternalSnapshots;
            Assert.That(snapshots, Is.Not.Null, "-snapshot keeps savevm working, in the temporary overlay as QEMU does");
            var model = (byte[])original.Clone();
            ImageModel.RandomWrites(image, model, 10, seed: 5, maxLength: 50_000);
            var saved = (byte[])model.Clone();
            snapshots!.CreateSnapshot("t", Filled(70_000, 9), 5);
            ImageModel.RandomWrites(image, model, 10, seed: 6, maxLength: 50_000);
            snapshots.RevertToSnapshot("t");
            ImageModel.AssertContents(image, saved);
            Assert.That(snapshots.ReadVmState("t"), Is.EqualTo(Filled(70_000, 9)));
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
    }

    [Test]
    public void Snapshot_operations_on_a_read_only_image_or_a_missing_name_are_one_line_errors()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var e = Assert.Throws<ImageException>(() => Snap(image).RevertToSnapshot("nope"));
            Assert.That(e!.Message, Does.Contain("snapshot 'nope' not found"));
            Assert.Throws<ImageException>(() => Snap(image).DeleteSnapshot("nope"));
            Assert.Throws<ImageException>(() => Snap(image).ReadVmState("nope"));
            Snap(image).CreateSnapshot("a", [], 0);
        }
        byte[] before = File.ReadAllBytes(path);
        using (var image = ImageOpener.Open(path, null, readOnly: true))
        {
            Assert.That(Snap(image).Snapshots, Has.Count.EqualTo(1));
            var e = Assert.Throws<ImageException>(() => Snap(image).CreateSnapshot("b", [], 0));
            Assert.That(e!.Message, Does.Contain("read-only"));
            Assert.Throws<ImageException>(() => Snap(image).RevertToSnapshot("a"));
            Assert.Throws<ImageException>(() => Snap(image).DeleteSnapshot("a"));
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
    }
}
