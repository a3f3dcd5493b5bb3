using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

/// <summary>
/// <c>emu img resize</c> (qemu-img's syntax) and snapshots taken at another disk size: applying
/// one gives the image the size it had then (QEMU's qcow2_snapshot_goto truncates to the snapshot's
/// disk_size), with emu and with Debian's qemu-img on each other's images.
/// </summary>
public class ImageResizeTests
{
    const long MiB = 1 << 20;
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static (int Code, string Stdout, string Stderr) Img(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = EmuMain.Run(["img", .. args], o, e);
        return (code, o.ToString(), e.ToString());
    }

    static long QemuVirtualSize(string path)
    {
        string json = QemuTools.Ok("qemu-img", "info", "--output=json", path);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("virtual-size").GetInt64();
    }

    static long EmuLength(string path)
    {
        using var image = ImageOpener.Open(path, null, readOnly: true);
        return image.Length;
    }

    static byte[] ReadAt(string path, long offset, int length)
    {
        using var image = ImageOpener.Open(path, null, readOnly: true);
        var bytes = new byte[length];
        image.Read(offset, bytes);
        return bytes;
    }

    static void WriteAt(string path, long offset, byte value, int length = 4096)
    {
        using var image = ImageOpener.Open(path, null, readOnly: false);
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        image.Write(offset, bytes);
        image.Flush();
    }

    static byte[] Filled(int length, byte value)
    {
        var b = new byte[length];
        b.AsSpan().Fill(value);
        return b;
    }

    [Test]
    public void Emu_img_resize_grows_a_qcow2_image_and_refuses_to_shrink_it()
    {
        string path = dir.File("d.qcow2");
        Assert.That(Img("create", "-f", "qcow2", path, "64M").Code, Is.Zero);
        WriteAt(path, 0, 0x5A);
        Assert.That(Img("resize", path, "128M"), Is.EqualTo((0, "Image resized.\n", "")));
        Assert.That(EmuLength(path), Is.EqualTo(128 * MiB));
        Assert.That(QemuVirtualSize(path), Is.EqualTo(128 * MiB));
        WriteAt(path, 100 * MiB, 0xA5);
        Assert.That(ReadAt(path, 100 * MiB, 4096), Is.EqualTo(Filled(4096, 0xA5)));
        Assert.That(ReadAt(path, 0, 4096), Is.EqualTo(Filled(4096, 0x5A)));
        Assert.That(ReadAt(path, 127 * MiB, 4096), Is.EqualTo(new byte[4096]), "the new part reads as zeros");
        QemuTools.AssertCheckClean(path);

        Assert.That(Img("resize", path, "+16M").Code, Is.Zero);
        Assert.That(QemuVirtualSize(path), Is.EqualTo(144 * MiB));
        Assert.That(Img("resize", path, "100M"), Is.EqualTo((1, "", "emu img: Use the --shrink option to perform a shrink operation.\n")));
        Assert.That(Img("resize", path, "--", "-8M"), Is.EqualTo((1, "", "emu img: Use the --shrink option to perform a shrink operation.\n")));
        Assert.That(Img("resize", "--shrink", path, "100M"),
            Is.EqualTo((1, "", $"emu img: Could not resize '{path}': shrinking qcow2 images is not supported (emu img shrinks raw images only)\n")));
        Assert.That(Img("resize", path, "0"), Is.EqualTo((1, "", "emu img: New image size must be positive.\n")));
        Assert.That(EmuLength(path), Is.EqualTo(144 * MiB), "a refused resize changes nothing");
        QemuTools.AssertCheckClean(path);
    }

    /// <summary>An image whose L1 table must move to grow: 512-byte clusters map 32 KiB per L1 entry, 64 entries per L1 cluster.</summary>
    [Test]
    public void Growing_past_the_l1_tables_cluster_moves_the_table()
    {
        string path = dir.File("small.qcow2");
        Assert.That(Img("create", "-f", "qcow2", "-o", "cluster_size=512", path, "1M").Code, Is.Zero);
        WriteAt(path, 900 * 1024, 0x33);
        Assert.That(Img("resize", path, "8M").Code, Is.Zero);
        WriteAt(path, 7 * MiB, 0x44);
        Assert.That(ReadAt(path, 900 * 1024, 4096), Is.EqualTo(Filled(4096, 0x33)));
        Assert.That(ReadAt(path, 7 * MiB, 4096), Is.EqualTo(Filled(4096, 0x44)));
        QemuTools.AssertCheckClean(path);
        QemuTools.Ok("qemu-io", "-c", "read -P 0x44 7M 4k", "-c", "read -P 0x33 900k 4k", path);
    }

    [Test]
    public void Raw_images_grow_and_shrink_with_shrink()
    {
        string path = dir.File("d.raw");
        Assert.That(Img("create", "-f", "raw", path, "1M").Code, Is.Zero);
        Assert.That(Img("resize", "-f", "raw", path, "+1M").Code, Is.Zero);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(2 * MiB));
        Assert.That(Img("resize", "-f", "raw", path, "512K").Code, Is.EqualTo(1));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(2 * MiB));
        Assert.That(Img("resize", "-f", "raw", "--shrink", path, "512K"), Is.EqualTo((0, "Image resized.\n", "")));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(512 * 1024));
    }

    /// <summary>The brief's case: a snapshot at 64 MiB, the image grown to 128 MiB, the snapshot applied by emu.</summary>
    [Test]
    public void Emu_img_snapshot_apply_restores_the_size_the_snapshot_was_taken_at()
    {
        string path = dir.File("d.qcow2");
        Assert.That(Img("create", "-f", "qcow2", path, "64M").Code, Is.Zero);
        WriteAt(path, 0, 0x11);
        Assert.That(Img("snapshot", "-c", "small", path).Code, Is.Zero);
        WriteAt(path, 0, 0x22);
        Assert.That(Img("resize", path, "128M").Code, Is.Zero);
        WriteAt(path, 100 * MiB, 0x33);
        Assert.That(Img("snapshot", "-c", "big", path).Code, Is.Zero);

        Assert.That(Img("snapshot", "-a", "small", path), Is.EqualTo((0, "", "")));
        Assert.That(EmuLength(path), Is.EqualTo(64 * MiB));
        Assert.That(QemuVirtualSize(path), Is.EqualTo(64 * MiB));
        Assert.That(ReadAt(path, 0, 4096), Is.EqualTo(Filled(4096, 0x11)));
        QemuTools.AssertCheckClean(path);

        // Back to the larger snapshot: the size and the data past 64 MiB come back.
        Assert.That(Img("snapshot", "-a", "big", path).Code, Is.Zero);
        Assert.That(QemuVirtualSize(path), Is.EqualTo(128 * MiB));
        Assert.That(ReadAt(path, 100 * MiB, 4096), Is.EqualTo(Filled(4096, 0x33)));
        Assert.That(ReadAt(path, 0, 4096), Is.EqualTo(Filled(4096, 0x22)));
        QemuTools.AssertCheckClean(path);
        QemuTools.Ok("qemu-io", "-c", "read -P 0x33 100M 4k", path);
    }

    [Test]
    public void Qemu_img_applies_an_emu_snapshot_across_an_emu_resize()
    {
        string path = dir.File("d.qcow2");
        Assert.That(Img("create", "-f", "qcow2", path, "64M").Code, Is.Zero);
        WriteAt(path, 0, 0x11);
        Assert.That(Img("snapshot", "-c", "small", path).Code, Is.Zero);
        Assert.That(Img("resize", path, "128M").Code, Is.Zero);
        WriteAt(path, 100 * MiB, 0x33);
        QemuTools.AssertCheckClean(path);
        QemuTools.Ok("qemu-img", "snapshot", "-a", "small", path);
        Assert.That(QemuVirtualSize(path), Is.EqualTo(64 * MiB));
        Assert.That(EmuLength(path), Is.EqualTo(64 * MiB));
        Assert.That(ReadAt(path, 0, 4096), Is.EqualTo(Filled(4096, 0x11)));
        QemuTools.AssertCheckClean(path);
    }

    [Test]
    public void Emu_applies_a_qemu_img_snapshot_across_a_qemu_img_resize()
    {
        string path = dir.File("q.qcow2");
        QemuTools.Ok("qemu-img", "create", "-f", "qcow2", path, "64M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x55 0 64k", path);
        QemuTools.Ok("qemu-img", "snapshot", "-c", "small", path);
        QemuTools.Ok("qemu-img", "resize", path, "128M");
        QemuTools.Ok("qemu-io", "-c", "write -P 0x66 100M 64k", "-c", "write -P 0x77 0 4k", path);
        Assert.That(EmuLength(path), Is.EqualTo(128 * MiB));
        Assert.That(Img("snapshot", "-a", "small", path).Code, Is.Zero);
        Assert.That(EmuLength(path), Is.EqualTo(64 * MiB));
        Assert.That(QemuVirtualSize(path), Is.EqualTo(64 * MiB));
        QemuTools.Ok("qemu-io", "-c", "read -P 0x55 0 64k", path);
        QemuTools.AssertCheckClean(path);
        // Growing again after the revert: the old data past 64 MiB does not come back.
        Assert.That(Img("resize", path, "128M").Code, Is.Zero);
        Assert.That(ReadAt(path, 100 * MiB, 4096), Is.EqualTo(new byte[4096]));
        QemuTools.AssertCheckClean(path);
    }

    [Test]
    public void A_version_2_image_with_snapshots_is_not_resized()
    {
        string path = dir.File("v2.qcow2");
        Assert.That(Img("create", "-f", "qcow2", "-o", "compat=0.10", path, "4M").Code, Is.Zero);
        Assert.That(Img("snapshot", "-c", "s", path).Code, Is.Zero);
        Assert.That(Img("resize", path, "8M"), Is.EqualTo((1, "", $"emu img: '{path}': Can't resize a v2 image which has snapshots\n")));
        Assert.That(QemuVirtualSize(path), Is.EqualTo(4 * MiB));
    }
}
