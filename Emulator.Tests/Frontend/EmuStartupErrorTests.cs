namespace Emulator.Tests.Frontend;

/// <summary>Errors found before the machine runs: BIOS and output files. One line, status 1.</summary>
public class EmuStartupErrorTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static void AssertOneError(EmuRun run, string expected)
    {
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Is.EqualTo(expected + Environment.NewLine));
    }

    [Test]
    public void A_missing_bios_file_is_reported_like_the_c_library()
    {
        string path = dir.File("x.bin");
        AssertOneError(EmuRun.Of("-bios", path), $"emu: -bios: cannot open '{path}': No such file or directory");
    }

    [Test]
    public void A_directory_is_not_a_bios()
    {
        AssertOneError(EmuRun.Of("-bios", dir.Path), $"emu: -bios: cannot open '{dir.Path}': Is a directory");
    }

    [TestCase(0)]
    [TestCase(0xF000)]
    [TestCase(0x10800)]
    [TestCase(0x201000)]
    public void A_bios_of_the_wrong_size_is_refused(int size)
    {
        string path = dir.Write("bad.bin", new byte[size]);
        AssertOneError(EmuRun.Of("-bios", path),
            $"emu: -bios: '{path}' is {size} bytes; a BIOS image must be 64 KiB to 2 MiB and a multiple of 4 KiB");
    }

    [Test]
    public void An_unwritable_log_file_is_reported()
    {
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        string log = Path.Combine(dir.Path, "missing-dir", "log.txt");
        AssertOneError(EmuRun.Of("-bios", bios, "-D", log), $"emu: -D: cannot open '{log}': No such file or directory");
    }

    [Test]
    public void An_unwritable_debugcon_file_is_reported()
    {
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        AssertOneError(EmuRun.Of("-bios", bios, "-debugcon", "file:" + dir.Path),
            $"emu: -debugcon: cannot open '{dir.Path}': Is a directory");
    }
}
