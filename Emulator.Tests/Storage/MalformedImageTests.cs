using System.Buffers.Binary;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>Malformed qcow2 images are refused at open with one message naming the file and the fault.</summary>
public class MalformedImageTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    /// <summary>A valid 1 MiB image (four 64 KiB clusters: header, refcount table, block, L1) with header bytes patched.</summary>
    string Patched(Action<byte[]> patch)
    {
        string path = dir.File("bad.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        byte[] f = File.ReadAllBytes(path);
        patch(f);
        File.WriteAllBytes(path, f);
        return path;
    }

    static void U32(byte[] f, int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(at), v);
    static void U64(byte[] f, int at, ulong v) => BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan(at), v);

    static void AssertRefused(string path, string expected, ImageFormat? format = null)
    {
        var e = Assert.Throws<ImageException>(() => ImageOpener.Open(path, format, readOnly: false).Dispose());
        Assert.That(e!.Message, Does.Contain(expected));
        Assert.That(e.Message, Does.Not.Contain('\n'));
    }

    [Test]
    public void Bad_magic_when_qcow2_is_asked_for() =>
        AssertRefused(Patched(f => f[3] = 0xFA), "image is not in qcow2 format", ImageFormat.Qcow2);

    [TestCase(1u)]
    [TestCase(4u)]
    public void Unknown_versions(uint version) =>
        AssertRefused(Patched(f => U32(f, 4, version)), $"unsupported qcow2 version {version}");

    [TestCase(8u)]
    [TestCase(22u)]
    public void Cluster_bits_out_of_range(uint bits) =>
        AssertRefused(Patched(f => U32(f, 20, bits)), $"cluster_bits {bits} is out of range");

    [Test]
    public void L1_table_beyond_the_end_of_the_file() =>
        AssertRefused(Patched(f => U64(f, 40, 0x100000)), "the L1 table lies beyond the end of the file");

    [Test]
    public void L1_table_too_small_for_the_size() =>
        AssertRefused(Patched(f => U64(f, 24, 1UL << 40)), "is too small for the virtual size");

    [Test]
    public void Refcount_table_beyond_the_end_of_the_file() =>
        AssertRefused(Patched(f => U32(f, 56, 100)), "the refcount table lies beyond the end of the file");

    [Test]
    public void L2_table_beyond_the_end_of_the_file() =>
        AssertRefused(Patched(f => U64(f, 0x30000, 0x8000_0000_0100_0000UL)), "an L2 table lies beyond the end of the file");

    [Test]
    public void Encrypted_images() =>
        AssertRefused(Patched(f => U32(f, 32, 1)), "encrypted qcow2 images are not supported");

    [Test]
    public void Refcount_order_above_six() =>
        AssertRefused(Patched(f => U32(f, 96, 7)), "refcount_order 7 is out of range");

    [Test]
    public void Extended_l2_entries() =>
        AssertRefused(Patched(f => U64(f, 72, 16)), "extended L2 entries, which is not supported");

    [Test]
    public void A_truncated_header()
    {
        byte[] f = File.ReadAllBytes(Patched(_ => { }));
        string path = dir.Write("short.qcow2", f[..50]);
        AssertRefused(path, "qcow2 header is truncated");
    }

    [Test]
    public void A_dirty_image_opens_only_read_only()
    {
        string path = Patched(f => U64(f, 72, 1));
        AssertRefused(path, "the image is marked dirty");
        ImageOpener.Open(path, null, readOnly: true).Dispose();
    }

    [Test]
    public void A_backing_chain_that_loops()
    {
        string a = dir.File("a.qcow2"), b = dir.File("b.qcow2");
        Qcow2Creator.Create(a, 1 << 20, "b.qcow2", "qcow2");
        Qcow2Creator.Create(b, 1 << 20, "a.qcow2", "qcow2");
        AssertRefused(a, "the backing chain loops back to");
    }

    [Test]
    public void A_backing_chain_deeper_than_the_limit()
    {
        // sub -> . makes "sub/a.qcow2", "sub/sub/a.qcow2"... distinct paths to one file: only the depth limit stops it.
        Directory.CreateSymbolicLink(dir.File("sub"), dir.Path);
        string a = dir.File("a.qcow2");
        Qcow2Creator.Create(a, 1 << 20, "sub/a.qcow2", "qcow2");
        AssertRefused(a, $"the backing chain is deeper than {ImageOpener.MaxBackingDepth} images");
    }

    [Test]
    public void A_missing_backing_file()
    {
        string a = dir.File("a.qcow2");
        Qcow2Creator.Create(a, 1 << 20, "gone.raw", "raw");
        AssertRefused(a, "backing file: Could not open");
    }

    [Test]
    public void A_missing_image()
    {
        string path = dir.File("none.img");
        AssertRefused(path, $"Could not open '{path}': No such file or directory");
    }
}
