using System.Buffers.Binary;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>qcow2 layout worked by hand from the qcow2 spec, and round trips against a byte-array model.</summary>
public class Qcow2ImageTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static ulong U64(byte[] file, long at) => BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)at));
    static uint U32(byte[] file, long at) => BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)at));
    static ushort U16(byte[] file, long at) => BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan((int)at));

    [Test]
    public void A_new_image_has_header_refcount_table_block_and_l1_in_four_clusters()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        byte[] f = File.ReadAllBytes(path);
        Assert.That(f.Length, Is.EqualTo(4 * 0x10000));
        Assert.That(U32(f, 0), Is.EqualTo(0x514649FBu), "magic QFI\\xfb");
        Assert.That(U32(f, 4), Is.EqualTo(3u), "version");
        Assert.That(U32(f, 20), Is.EqualTo(16u), "cluster_bits");
        Assert.That(U64(f, 24), Is.EqualTo(1UL << 20), "size");
        // 1 MiB / (64 KiB per cluster * 8192 entries per L2) rounds up to one L1 entry.
        Assert.That(U32(f, 36), Is.EqualTo(1u), "l1_size");
        Assert.That(U64(f, 40), Is.EqualTo(0x30000UL), "l1_table_offset");
        Assert.That(U64(f, 48), Is.EqualTo(0x10000UL), "refcount_table_offset");
        Assert.That(U32(f, 56), Is.EqualTo(1u), "refcount_table_clusters");
        Assert.That(U32(f, 96), Is.EqualTo(4u), "refcount_order (16-bit)");
        Assert.That(U32(f, 100), Is.EqualTo(104u), "header_length");
        Assert.That(U64(f, 0x10000), Is.EqualTo(0x20000UL), "refcount table entry 0 -> block");
        for (int c = 0; c < 4; c++) Assert.That(U16(f, 0x20000 + c * 2), Is.EqualTo(1), $"refcount of cluster {c}");
        Assert.That(U16(f, 0x20000 + 4 * 2), Is.EqualTo(0));
        Assert.That(U64(f, 0x30000), Is.EqualTo(0UL), "L1 entry 0 unallocated");
    }

    [Test]
    public void The_first_write_allocates_an_l2_table_then_a_data_cluster_with_copied_flags()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var sector = new byte[512];
            sector.AsSpan().Fill(0x5A);
            image.Write(0x10200, sector); // virtual cluster 1, offset 0x200 in it
        }
        byte[] f = File.ReadAllBytes(path);
        Assert.That(f.Length, Is.EqualTo(6 * 0x10000));
        Assert.That(U64(f, 0x30000), Is.EqualTo(0x8000_0000_0004_0000UL), "L1[0]: L2 at cluster 4, COPIED");
        Assert.That(U64(f, 0x40000 + 8), Is.EqualTo(0x8000_0000_0005_0000UL), "L2[1]: data at cluster 5, COPIED");
        Assert.That(U64(f, 0x40000), Is.EqualTo(0UL), "L2[0] still unallocated");
        Assert.That(U16(f, 0x20000 + 4 * 2), Is.EqualTo(1), "refcount of the L2 table");
        Assert.That(U16(f, 0x20000 + 5 * 2), Is.EqualTo(1), "refcount of the data cluster");
        Assert.That(f[0x50000 + 0x1FF], Is.EqualTo(0), "unwritten part of the cluster is zero");
        Assert.That(f[0x50000 + 0x200], Is.EqualTo(0x5A));
        Assert.That(f[0x50000 + 0x3FF], Is.EqualTo(0x5A));
        Assert.That(f[0x50000 + 0x400], Is.EqualTo(0));
    }

    [TestCase(16, 3)]
    [TestCase(9, 3)]
    [TestCase(12, 2)]
    public void Random_writes_read_back_as_a_byte_array_model_and_after_reopening(int clusterBits, int version)
    {
        string path = dir.File("a.qcow2");
        const int size = 4 << 20;
        Qcow2Creator.Create(path, size, clusterBits: clusterBits, version: version);
        var model = new byte[size];
        using (var image = ImageOpener.Open(path, null, readOnly: false))
            ImageModel.RandomWrites(image, model, 80, seed: clusterBits * 10 + version);
        using var reopened = ImageOpener.Open(path, null, readOnly: true);
        ImageModel.AssertContents(reopened, model);
    }

    [Test]
    public void Small_clusters_grow_the_refcount_table_and_stay_consistent()
    {
        // 512-byte clusters: a refcount block covers 256 clusters (128 KiB) and a one-cluster refcount
        // table 64 blocks (8 MiB), so 10 MiB of writes must add blocks and move the table.
        string path = dir.File("a.qcow2");
        const int size = 10 << 20;
        Qcow2Creator.Create(path, size, clusterBits: 9);
        var model = new byte[size];
        var rng = new Random(3);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var chunk = new byte[256 << 10];
            for (int at = 0; at < size; at += chunk.Length)
            {
                rng.NextBytes(chunk);
                image.Write(at, chunk);
                chunk.CopyTo(model, at);
            }
        }
        byte[] f = File.ReadAllBytes(path);
        Assert.That(U32(f, 56), Is.GreaterThan(1u), "refcount_table_clusters grew");
        var check = Qcow2Check.Run(path);
        Assert.That(check.Messages, Is.Empty);
        using var reopened = ImageOpener.Open(path, null, readOnly: true);
        ImageModel.AssertContents(reopened, model);
    }

    [Test]
    public void Unallocated_clusters_read_from_a_raw_backing_file_which_is_never_written()
    {
        const int size = 2 << 20;
        var backingData = new byte[size - 100_000]; // shorter than the overlay: the rest reads as zeros
        new Random(5).NextBytes(backingData);
        string basePath = dir.Write("base.raw", backingData);
        string top = dir.File("top.qcow2");
        Qcow2Creator.Create(top, size, "base.raw", "raw");
        var model = new byte[size];
        backingData.CopyTo(model, 0);
        // the last partial sector of the backing file is padded to 512 with zeros, as the block layer does
        using (var image = ImageOpener.Open(top, null, readOnly: false))
        {
            ImageModel.AssertContents(image, model);
            ImageModel.RandomWrites(image, model, 40, seed: 9, maxLength: 70_000);
        }
        Assert.That(File.ReadAllBytes(basePath), Is.EqualTo(backingData));
        using var reopened = ImageOpener.Open(top, null, readOnly: true);
        ImageModel.AssertContents(reopened, model);
    }

    [Test]
    public void Snapshot_overlay_takes_the_writes_and_leaves_the_image_file_untouched()
    {
        var original = new byte[1 << 20];
        new Random(7).NextBytes(original);
        string path = dir.Write("disk.raw", original);
        var model = (byte[])original.Clone();
        string? overlayPath;
        using (var image = ImageOpener.WithSnapshotOverlay(ImageOpener.Open(path, null, readOnly: false)))
        {
            ImageModel.RandomWrites(image, model, 40, seed: 11, maxLength: 50_000);
            ImageModel.AssertContents(image, model);
            overlayPath = Directory.GetFiles(Path.GetTempPath(), "emu-snapshot-*.qcow2").FirstOrDefault();
            Assert.That(overlayPath, Is.Not.Null, "the overlay lives in the temp directory while open");
        }
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(original));
        Assert.That(File.Exists(overlayPath), Is.False, "the overlay is deleted on close");
    }

    [Test]
    public void Read_only_images_refuse_writes_with_an_io_error()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using var image = ImageOpener.Open(path, null, readOnly: true);
        Assert.That(image.ReadOnly, Is.True);
        Assert.Throws<IOException>(() => image.Write(0, new byte[512]));
    }

    [Test]
    public void Accesses_beyond_the_virtual_size_are_io_errors()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        using var image = ImageOpener.Open(path, null, readOnly: false);
        Assert.Throws<IOException>(() => image.Read((1 << 20) - 511, new byte[512]));
        Assert.Throws<IOException>(() => image.Write(-512, new byte[512]));
    }
}
