using System.Buffers.Binary;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>
/// Interoperability with Debian's qemu-utils: <c>qemu-img check</c> finds the images emu writes
/// clean, emu reads exactly what qemu-img and qemu-io write (v2 and v3, zero clusters, compressed
/// clusters, backing chains), and <c>qemu-img compare</c> agrees with <c>emu img convert</c>.
/// These tests fail when qemu-utils is missing.
/// </summary>
public class QemuImgInteropTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    /// <summary>Reads a raw file as qemu-img converts an image: the image's guest contents.</summary>
    byte[] QemuContents(string image)
    {
        string raw = dir.File(Path.GetFileName(image) + ".qemu.raw");
        QemuTools.Ok("qemu-img", "convert", "-O", "raw", image, raw);
        return File.ReadAllBytes(raw);
    }

    static int Img(out string stdout, params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = EmuMain.Run(["img", .. args], o, e);
        stdout = o.ToString() + e.ToString();
        return code;
    }

    [Test]
    public void An_image_emu_creates_is_clean_and_described_alike()
    {
        string path = dir.File("a.qcow2");
        Assert.That(Img(out _, "create", "-f", "qcow2", path, "1G"), Is.EqualTo(0));
        QemuTools.AssertCheckClean(path);
        string info = QemuTools.Ok("qemu-img", "info", path);
        Assert.That(info, Does.Contain("file format: qcow2"));
        Assert.That(info, Does.Contain("virtual size: 1 GiB (1073741824 bytes)"));
        Assert.That(info, Does.Contain("cluster_size: 65536"));
    }

    [TestCase(16, "1.1")]
    [TestCase(9, "1.1")]
    [TestCase(16, "0.10")]
    public void After_many_random_writes_qemu_img_check_is_clean_and_reads_the_same(int clusterBits, string compat)
    {
        string path = dir.File("a.qcow2");
        const int size = 6 << 20;
        Qcow2Creator.Create(path, size, clusterBits: clusterBits, version: compat == "1.1" ? 3 : 2);
        var model = new byte[size];
        var image = ImageOpener.Open(path, null, readOnly: false);
        ImageModel.RandomWrites(image, model, 60, seed: clusterBits);
        // Not flushed or closed yet: a process killed now leaves this file, which must already be consistent.
        QemuTools.AssertCheckClean(path);
        image.Dispose();
        QemuTools.AssertCheckClean(path);
        Assert.That(QemuContents(path), Is.EqualTo(model));
    }

    [Test]
    public void An_overlay_emu_writes_over_a_raw_backing_file_is_clean_and_reads_the_same()
    {
        const int size = 3 << 20;
        var model = new byte[size];
        new Random(1).NextBytes(model);
        dir.Write("base.raw", model);
        string top = dir.File("top.qcow2");
        Assert.That(Img(out _, "create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", top), Is.EqualTo(0));
        using (var image = ImageOpener.Open(top, null, readOnly: false))
            ImageModel.RandomWrites(image, model, 50, seed: 2, maxLength: 100_000);
        QemuTools.AssertCheckClean(top);
        Assert.That(QemuTools.Ok("qemu-img", "info", top), Does.Contain("backing file: base.raw"));
        Assert.That(QemuContents(top), Is.EqualTo(model));
    }

    [TestCase("1.1")]
    [TestCase("0.10")]
    public void Emu_reads_what_qemu_io_writes_including_zero_clusters(string compat)
    {
        string path = dir.File("q.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-o", $"compat={compat}", path, "4M");
        // Patterns at cluster-aligned and unaligned places, then zeroes over part of the first.
        QemuTools.Ok("qemu-io", "-c", "write -P 0x11 0 192k", "-c", "write -P 0x22 1000k 3000", "-c", "write -P 0x33 3m 1m",
            "-c", "write -z 64k 64k", path);
        var model = new byte[4 << 20];
        model.AsSpan(0, 192 << 10).Fill(0x11);
        model.AsSpan(1000 << 10, 3000).Fill(0x22);
        model.AsSpan(3 << 20, 1 << 20).Fill(0x33);
        model.AsSpan(64 << 10, 64 << 10).Clear();
        using var image = ImageOpener.Open(path, null, readOnly: true);
        ImageModel.AssertContents(image, model);
    }

    [Test]
    public void Emu_reads_compressed_clusters_from_qemu_img_convert_c_and_writes_over_them()
    {
        // Compressible content with a known pattern: each 16-byte line names its own offset.
        var model = new byte[2 << 20];
        for (int i = 0; i < model.Length; i += 16) System.Text.Encoding.ASCII.GetBytes($"{i,15:x}\n").CopyTo(model, i);
        string raw = dir.Write("text.raw", model);
        string compressed = dir.File("c.qcow2");
        QemuTools.Ok("qemu-img", "convert", "-c", "-O", "qcow2", raw, compressed);
        Assert.That(new FileInfo(compressed).Length, Is.LessThan(model.Length / 2), "qemu-img stored compressed clusters");
        using (var image = ImageOpener.Open(compressed, null, readOnly: false))
        {
            ImageModel.AssertContents(image, model);
            ImageModel.RandomWrites(image, model, 30, seed: 4, maxLength: 80_000);
        }
        QemuTools.AssertCheckClean(compressed);
        Assert.That(QemuContents(compressed), Is.EqualTo(model));
    }

    [Test]
    public void Emu_reads_a_backing_chain_qemu_builds_with_relative_names()
    {
        var baseData = new byte[2 << 20];
        new Random(8).NextBytes(baseData);
        Directory.CreateDirectory(dir.File("images"));
        dir.Write("images/base.raw", baseData);
        string mid = dir.File("images/mid.qcow2"), top = dir.File("images/top.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", mid);
        QemuTools.Ok("qemu-io", "-c", "write -P 0x44 100k 200k", mid);
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", top);
        QemuTools.Ok("qemu-io", "-c", "write -P 0x55 250k 100k", "-c", "write -z 1m 64k", top);
        byte[] expected = QemuContents(top);
        using var image = ImageOpener.Open(top, null, readOnly: true);
        ImageModel.AssertContents(image, expected);
        Assert.That(expected[150 << 10], Is.EqualTo(0x44));
        Assert.That(expected[300 << 10], Is.EqualTo(0x55));
    }

    [TestCase("qcow2")]
    [TestCase("raw")]
    public void Qemu_img_compare_finds_emu_convert_output_identical(string format)
    {
        string src = dir.File("src.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", src, "3M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x66 0 100k", "-c", "write -P 0x77 2m 300k", src);
        string output = dir.File("out." + format);
        Assert.That(Img(out string text, "convert", "-p", "-O", format, src, output), Is.EqualTo(0));
        Assert.That(text, Does.Contain("(100.00/100%)"));
        QemuTools.Ok("qemu-img", "compare", src, output);
        if (format == "qcow2") QemuTools.AssertCheckClean(output);
    }

    [Test]
    public void Check_counts_leaks_and_corruptions_with_qemu_img_exit_statuses()
    {
        string path = dir.File("a.qcow2");
        Qcow2Creator.Create(path, 1 << 20);
        // Layout (see Qcow2ImageTests): refcount block at 0x20000, clusters 0-3 used.
        byte[] f = File.ReadAllBytes(path);
        Array.Resize(ref f, 5 * 0x10000);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(0x20000 + 4 * 2), 1); // cluster 4: refcount 1, unused
        File.WriteAllBytes(path, f);
        Assert.That(QemuTools.Run("qemu-img", "check", path).ExitCode, Is.EqualTo(3));
        Assert.That(Img(out string leak, "check", path), Is.EqualTo(3));
        Assert.That(leak, Does.Contain("Leaked cluster 4 refcount=1 reference=0"));
        Assert.That(leak, Does.Contain("1 leaked clusters were found on the image."));

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(0x20000 + 3 * 2), 0); // the L1 table: refcount 0, used
        File.WriteAllBytes(path, f);
        Assert.That(QemuTools.Run("qemu-img", "check", path).ExitCode, Is.EqualTo(2));
        Assert.That(Img(out string bad, "check", path), Is.EqualTo(2));
        Assert.That(bad, Does.Contain("ERROR cluster 3 refcount=0 reference=1"));
        Assert.That(bad, Does.Contain("1 errors were found on the image."));
    }

    [Test]
    public void Check_reports_refcount_overflow_with_one_bit_refcounts()
    {
        string path = dir.File("a.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", "-o", "refcount_bits=1", path, "1M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x12 0 64k", path);
        // Point virtual cluster 1 at cluster 0's data too: two references, a 1-bit refcount holds one.
        byte[] f = File.ReadAllBytes(path);
        long l2 = (long)(BinaryPrimitives.ReadUInt64BigEndian(f.AsSpan(0x30000)) & Qcow2Image.OffsetMask);
        ulong entry = BinaryPrimitives.ReadUInt64BigEndian(f.AsSpan((int)l2));
        BinaryPrimitives.WriteUInt64BigEndian(f.AsSpan((int)l2 + 8), entry & ~Qcow2Image.Copied);
        File.WriteAllBytes(path, f);
        Assert.That(Img(out string text, "check", path), Is.EqualTo(2));
        Assert.That(text, Does.Contain("refcount overflow"));
    }
}
