using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary><c>emu img</c>: qemu-img's syntax, output and exit statuses.</summary>
public class ImageToolTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static EmuRun Img(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(["img", .. args], stdout, stderr);
        return new EmuRun(code, stdout.ToString(), stderr.ToString());
    }

    [TestCase("1G", 1L << 30)]
    [TestCase("512M", 512L << 20)]
    [TestCase("1000", 1024L)]
    [TestCase("1.5k", 1536L)]
    public void Create_raw_makes_a_file_of_the_size_rounded_to_sectors(string size, long expected)
    {
        string path = dir.File("a.img");
        var run = Img("create", "-f", "raw", path, size);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo($"Formatting '{path}', fmt=raw size={expected}" + Environment.NewLine));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(expected));
    }

    [Test]
    public void Info_describes_a_qcow2_image_with_its_backing_file()
    {
        string basePath = dir.File("base.img");
        Assert.That(Img("create", "-f", "raw", basePath, "2M").ExitCode, Is.EqualTo(0));
        string top = dir.File("top.qcow2");
        Assert.That(Img("create", "-f", "qcow2", "-b", "base.img", "-F", "raw", top).ExitCode, Is.EqualTo(0));
        var run = Img("info", top);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.Contain("file format: qcow2\n"));
        Assert.That(run.Stdout, Does.Contain("virtual size: 2 MiB (2097152 bytes)\n"), "the size comes from the backing file");
        Assert.That(run.Stdout, Does.Contain("cluster_size: 65536\n"));
        Assert.That(run.Stdout, Does.Contain("backing file: base.img\n"));
        Assert.That(run.Stdout, Does.Contain("backing file format: raw\n"));
    }

    [Test]
    public void Check_of_a_fresh_image_is_clean_and_raw_images_cannot_be_checked()
    {
        string q = dir.File("a.qcow2");
        Img("create", "-f", "qcow2", "-o", "cluster_size=4k", q, "10M");
        var run = Img("check", q);
        Assert.That(run.ExitCode, Is.EqualTo(0));
        Assert.That(run.Stdout, Does.StartWith("No errors were found on the image.\n0/2560 = 0.00% allocated\n"));
        string raw = dir.File("a.img");
        Img("create", "-f", "raw", raw, "1M");
        var r = Img("check", raw);
        Assert.That((r.ExitCode, r.Stderr), Is.EqualTo((63, "emu img: This image format does not support checks" + Environment.NewLine)));
    }

    [Test]
    public void Convert_copies_the_contents_and_draws_a_progress_bar()
    {
        var data = new byte[3 << 20];
        new Random(2).NextBytes(data.AsSpan(0, 100_000));
        data.AsSpan(2 << 20, 5000).Fill(0x42);
        string src = dir.Write("src.img", data);
        string q = dir.File("out.qcow2"), back = dir.File("back.img");
        var run = Img("convert", "-p", "-f", "raw", "-O", "qcow2", src, q);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Stderr);
        Assert.That(run.Stdout, Does.StartWith("    (0.00/100%)\r"));
        Assert.That(run.Stdout, Does.EndWith("    (100.00/100%)\r" + Environment.NewLine));
        Assert.That(Img("convert", "-O", "raw", q, back).ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllBytes(back), Is.EqualTo(data));
        // Only the clusters with data were written: 2 (first 100 000 bytes) + 1, plus 4 metadata clusters and one L2 table.
        Assert.That(new FileInfo(q).Length, Is.EqualTo(8 * 65536));
    }

    [TestCase(new[] { "create", "-f", "qcow2", "x.qcow2" }, "emu img: Image creation needs a size parameter")]
    [TestCase(new[] { "create", "-f", "vmdk", "x", "1M" }, "emu img: Unknown file format 'vmdk' (emu img knows raw and qcow2)")]
    [TestCase(new[] { "create", "-f", "raw", "-b", "b", "x", "1M" }, "emu img: Backing file not supported for file format 'raw'")]
    [TestCase(new[] { "create", "x", "12Q" }, "emu img: Invalid image size specified. You may use k, M, G, T, P or E suffixes for kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes: '12Q'")]
    [TestCase(new[] { "info", "/nonexistent/x.img" }, "emu img: Could not open '/nonexistent/x.img': No such file or directory")]
    [TestCase(new[] { "frobnicate" }, "emu img: 'frobnicate': unexpected argument")]
    public void Errors_are_one_line_and_exit_1(string[] args, string expected)
    {
        var run = Img(args);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Is.EqualTo(expected + Environment.NewLine));
    }
}
