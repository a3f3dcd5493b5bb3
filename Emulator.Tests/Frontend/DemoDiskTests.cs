using System.Diagnostics;
using System.Text.RegularExpressions;
using Emulator.Devices.Input;
using Emulator.Devices.Storage;
using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The embedded demo disk (demo/src/demo.asm): emu boots it when given no disk, kernel or boot
/// option; headless (<c>-display none</c>), the monitor's screendump shows its text screen with
/// the machine's memory and disk, and after a key its 800x600 frame drawn by the rules the
/// source states (background, title, square, status line, echo box, pointer).
/// </summary>
[NonParallelizable]
public partial class DemoDiskTests
{
    const string SeaBios = "/usr/share/seabios/bios-256k.bin";

    [Test]
    public void CommittedImageMatchesSourceAndIsTheEmbeddedOne()
    {
        string root = DemoScreen.RepoRoot();
        using var dir = new TempDir();
        var psi = new ProcessStartInfo("bash", [Path.Combine(root, "demo", "build.sh"), dir.Path])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), "demo/build.sh failed (is nasm installed? .ci/run installs it): " + err);
        var built = File.ReadAllBytes(dir.File("demo.img"));
        Assert.That(built, Is.EqualTo(File.ReadAllBytes(Path.Combine(root, "demo", "demo.img"))), "demo/demo.img is stale: run demo/build.sh and commit the result");
        Assert.That(DemoDisk.Image(), Is.EqualTo(built), "the embedded image is demo/demo.img");
        Assert.That(built.Length % 512, Is.EqualTo(0));
        Assert.That((built[510], built[511]), Is.EqualTo(((byte)0x55, (byte)0xAA)), "a boot sector");
    }

    [TestCase(new string[0], true)]
    [TestCase(new[] { "-m", "64", "-bios", SeaBios, "-display", "none" }, true)]
    [TestCase(new[] { "-hda", "x.img" }, false)]
    [TestCase(new[] { "-cdrom", "x.iso" }, false)]
    [TestCase(new[] { "-fda", "x.img" }, false)]
    [TestCase(new[] { "-drive", "if=ide,media=cdrom" }, false)]
    [TestCase(new[] { "-kernel", "vmlinuz" }, false)]
    [TestCase(new[] { "-boot", "c" }, false)]
    public void TheDemoIsTheDefaultOnlyWithoutDiskKernelOrBoot(string[] args, bool demo)
    {
        var result = EmuCommandLine.Parse(args, TextWriter.Null, TextWriter.Null);
        Assert.That(result.Options!.DemoDisk, Is.EqualTo(demo));
    }

    [Test]
    public void TheDemoDiskIsAnInMemoryCopyOnThePrimaryMaster()
    {
        var options = EmuCommandLine.Parse(["-display", "none"], TextWriter.Null, TextWriter.Null).Options!;
        using var runner = MachineRunner.Create(options, new ConsoleStreams(TextWriter.Null, TextWriter.Null));
        var drive = runner.IdeDrives[0]!;
        Assert.That(drive.Media, Is.EqualTo(DriveMedia.Disk));
        Assert.That(drive.Image!.Length, Is.EqualTo(2016 * 512), "2 cylinders of 16 heads x 63 sectors");
        byte[] image = DemoDisk.Image();
        var start = new byte[image.Length];
        drive.Image.Read(0, start);
        Assert.That(start, Is.EqualTo(image));
        // Writes stay in this run's copy: the next run starts from the embedded image again.
        drive.Image.Write(0, new byte[512]);
        using var again = MachineRunner.Create(options, new ConsoleStreams(TextWriter.Null, TextWriter.Null));
        var sector = new byte[512];
        again.IdeDrives[0]!.Image!.Read(0, sector);
        Assert.That(sector, Is.EqualTo(image[..512]));
    }

    [GeneratedRegex(@"mouse +(\d+), *(\d+)  buttons (...)  keys (\d+)  ticks (\d+)")]
    internal static partial Regex Status();

    /// <summary>The background where nothing else is drawn (demo.asm's first drawing rule).</summary>
    internal static uint Background(int x, int y) => (uint)(x >> 2) << 16 | (uint)(y / 3) << 8 | 0x50;

    internal const uint TitleBg = 0x202060, SquareColour = 0xFFD040, EchoFg = 0x40FF40;

    /// <summary>The pointer sprite (demo.asm pointer_rows): X black, o white, . transparent.</summary>
    internal static readonly string[] Pointer =
    [
        "X...........", "XX..........", "XoX.........", "XooX........", "XoooX.......", "XooooX......",
        "XoooooX.....", "XooooooX....", "XoooooooX...", "XooooooooX..", "XoooooXXXXX.", "XooXooX.....",
        "XoX.XooX....", "XX..XooX....", "X....XooX...", ".....XooX...", "......XX....",
    ];

    [TestCase(null)]
    [TestCase(SeaBios)]
    public void HeadlessTheTextScreenShowsTheMachineThenAKeyStartsTheGraphics(string? bios)
    {
        string[] args = bios == null ? ["-m", "64"] : ["-m", "64", "-bios", bios];
        using var demo = new DemoMachine(args);

        // The text screen, before its 8 s are up.
        var text = demo.WaitForDump(s => s.Width == 720 && s.TextLines()[24].Contains("Press a key"), "the demo's text screen");
        var lines = text.TextLines();
        string all = string.Join("\n", lines);
        Assert.That(lines[0], Does.Contain("emu demo disk - the BIOS's view of this machine"), all);
        Assert.That(lines[2], Does.Contain("INT 12h: 639 KiB conventional"), all);
        Assert.That(lines[2], Does.Match(@"E820h: 64 MiB of RAM in \d+ entries"), all);
        Assert.That(lines, Has.Some.Contains("E820h: 0000000000100000 + ").And.Some.Contains("usable"), all);
        Assert.That(all, Does.Contain("boot drive 80h; hard disks (INT 13h 08h): 1;"));
        // SeaBIOS keeps the last cylinder out of INT 13h 08h's count, as BIOSes did for diagnostics.
        string cylinders = bios == null ? "2" : "1";
        Assert.That(all, Does.Contain($"80h  C/H/S {cylinders}/16/63  EDD 3.0  2016 sectors of 512 bytes = 1008 KiB"));
        Assert.That(lines, Has.Some.Match(@"^CPU +\w{12}  family \d+  model \d+  stepping \d+"), all);
        Assert.That(all, Does.Contain(" fpu "), "CPUID leaf 1 EDX bit 0");

        // A key: the 800x600x32 frame.
        demo.Monitor.Command("sendkey a");
        // The main loop runs (a tick counted) once the mouse is programmed.
        demo.WaitForDump(s => s.Width == 800 && s.Height == 600 && Status().IsMatch(s.TextAt(8, 440, 60)) && Ticks(s) > 0, "the graphics mode");
        demo.Monitor.Command("sendkey h");
        demo.Monitor.Command("sendkey shift-i");
        demo.Input.Post(new InputEvent.Mouse(50, 20, 0, MouseButtons.Left));   // right 50, down 20
        string? problem = null;
        var frame = demo.WaitForDump(s => s.Width == 800 && Status().IsMatch(s.TextAt(8, 440, 60))
            && Status().Match(s.TextAt(8, 440, 60)).Groups[1].Value == "450" && (problem = FrameProblem(s, 450, 320, "hI")) == null,
            "the keys and the mouse in a whole frame", () => problem);
        var status = Status().Match(frame.TextAt(8, 440, 60));
        Assert.That((status.Groups[2].Value, status.Groups[3].Value, status.Groups[4].Value), Is.EqualTo(("320", "L--", "2")));

        // Alive: the square moves with the timer ticks.
        var later = demo.WaitForDump(s => Ticks(s) >= Ticks(frame) + 3 && (problem = FrameProblem(s, 450, 320, "hI")) == null,
            "three more timer ticks in a whole frame", () => problem);
        Assert.That(SquareBox(later), Is.Not.EqualTo(SquareBox(frame)), "the square moved");
    }

    [Test]
    public void TheMonitorsScreendumpTakesQemusSyntaxAndSaysWhatIsWrongInOneLine()
    {
        using var demo = new DemoMachine(["-m", "64"]);
        using var dir = new TempDir();
        Assert.That(demo.Monitor.Command("help screendump"), Is.EqualTo("screendump filename [-f format] -- save screen from the VGA as an image (png)\n"));
        Assert.That(demo.Monitor.Command("screendump"), Is.EqualTo("screendump: missing filename\n"));
        Assert.That(demo.Monitor.Command($"screendump {dir.File("a.ppm")} -f ppm"), Is.EqualTo("screendump: format 'ppm' is not supported (png)\n"));
        Assert.That(demo.Monitor.Command($"screendump {dir.File("a.png")} -d cirrus"), Is.EqualTo("screendump: Device 'cirrus' not found\n"));
        Assert.That(demo.Monitor.Command($"screendump {dir.File("none/a.png")}"), Does.StartWith($"screendump: cannot write '{dir.File("none/a.png")}': "));
        demo.WaitForDump(s => s.Width == 720 && s.TextLines()[0].Contains("emu demo disk"), "the demo's text screen");
        Assert.That(demo.Monitor.Command($"screendump {dir.File("b.png")} -f png -d vga"), Is.Empty);
        Assert.That(DemoScreen.Read(dir.File("b.png")).TextLines()[0], Does.Contain("emu demo disk"));
    }

    internal static int Ticks(DemoScreen s) => int.Parse(Status().Match(s.TextAt(8, 440, 60)).Groups[5].Value);

    /// <summary>The bounding box of the square's colour.</summary>
    static (int X, int Y, int W, int H) SquareBox(DemoScreen s)
    {
        int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
        for (int y = 0; y < s.Height; y++)
            for (int x = 0; x < s.Width; x++)
                if (s[x, y] == SquareColour) { x0 = Math.Min(x0, x); y0 = Math.Min(y0, y); x1 = Math.Max(x1, x); y1 = Math.Max(y1, y); }
        return x1 < 0 ? default : (x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    }

    /// <summary>
    /// Every pixel of the frame against the drawing rules, the pointer's hot spot at (mx, my) and
    /// <paramref name="echo"/> in the echo box; null when all hold, else the first problem. A
    /// frame read while the demo is between erasing and redrawing (the square, the pointer) is
    /// torn, so callers take frames until one holds.
    /// </summary>
    internal static string? FrameProblem(DemoScreen s, int mx, int my, string echo)
    {
        if ((s.Width, s.Height) != (800, 600)) return $"{s.Width}x{s.Height}, not 800x600";
        if (s.TextAt(8, 8, 20) != "emu demo - VBE mode ") return $"title '{s.TextAt(8, 8, 20)}'";
        if (s[0, 0] != TitleBg || s[799, 31] != TitleBg) return "the title bar's colour";
        var box = SquareBox(s);
        if ((box.W, box.H) != (40, 40)) return $"the square is {box}";
        if (box.Y < 40 || box.Y + box.H > 440) return $"the square {box} is outside its area";
        if (s.TextAt(24, 460, echo.Length + 1) != echo + " ") return $"the echo is '{s.TextAt(24, 460, echo.Length + 1)}'";
        var inEcho = new HashSet<uint>();
        for (int y = 460; y < 476; y++)
            for (int x = 24; x < 24 + 8 * echo.Length; x++) inEcho.Add(s[x, y]);
        if (echo.Length > 0 && !inEcho.SetEquals([EchoFg, 0u])) return "the echo's colours";
        bool InPointer(int x, int y) => x >= mx && x < mx + 12 && y >= my && y < my + 17 && Pointer[y - my][x - mx] != '.';
        for (int y = 0; y < 600; y++)
            for (int x = 0; x < 800; x++)
            {
                uint expected;
                if (InPointer(x, y)) expected = Pointer[y - my][x - mx] == 'X' ? 0u : 0xFFFFFFu;
                else if (y < 32) continue;                                   // title bar: text, checked above
                else if (y >= 440 && y < 456 && x < 8 + 60 * 8) continue;    // status line: text, checked by the caller
                else if (x >= box.X && x < box.X + 40 && y >= box.Y && y < box.Y + 40) expected = SquareColour;
                else if (x >= 16 && x < 784 && y >= 456 && y < 592)
                {
                    if (y >= 460 && y < 476 && x >= 24 && x < 24 + 8 * echo.Length) continue;  // the echo: checked as text
                    expected = 0;
                }
                else expected = Background(x, y);
                if (s[x, y] != expected) return $"({x}, {y}) is {s[x, y]:X6}, not {expected:X6}";
            }
        return null;
    }
}

/// <summary>
/// emu, headless, as the command line would build it with the monitor on a free TCP port and
/// an input queue for the mouse, running on its own thread; dumps go through the monitor.
/// </summary>
internal sealed class DemoMachine : IDisposable
{
    readonly TempDir dir = new();
    readonly MachineRunner runner;
    readonly DisplaySession display;
    readonly Thread thread;
    int dumps;

    public DemoMachine(string[] args)
    {
        var parsed = EmuCommandLine.Parse([.. args, "-display", "none", "-monitor", "tcp:127.0.0.1:0,server,nowait"], TextWriter.Null, TextWriter.Null);
        var options = parsed.Options ?? throw new InvalidOperationException($"bad arguments: {string.Join(' ', args)}");
        runner = MachineRunner.Create(options, new ConsoleStreams(TextWriter.Null, TextWriter.Null));
        display = DisplaySession.Start(options, runner.Board, TextWriter.Null, TextWriter.Null, onTerminal: false);
        runner.AttachScreen(display.Frames);
        Input = new InputQueue(runner.Machine, runner.Board.Keyboard, runner.Board.Mouse);
        Input.Start();
        thread = new Thread(() => runner.Run()) { IsBackground = true, Name = "demo machine" };
        thread.Start();
        Monitor = new MonitorClient(runner.MonitorServer!.Port);
    }

    public MonitorClient Monitor { get; }
    public InputQueue Input { get; }

    /// <summary>Dumps the screen through the monitor until <paramref name="done"/> holds (at most 60 s).</summary>
    public DemoScreen WaitForDump(Func<DemoScreen, bool> done, string what, Func<string?>? why = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string path = dir.File($"dump{dumps++}.png");
            Assert.That(Monitor.Command($"screendump {path}"), Is.Empty);
            var screen = DemoScreen.Read(path);
            if (done(screen)) return screen;
            if (clock.ElapsedMilliseconds > 60_000)
                throw new AssertionException($"timed out waiting for {what}; {why?.Invoke()}; the last dump is {screen.Width}x{screen.Height}"
                    + (screen.Width == 800 ? $", status line '{screen.TextAt(8, 440, 60)}', echo '{screen.TextAt(24, 460, 8)}'" : "")
                    + (screen.Width == 720 ? ":\n" + string.Join("\n", screen.TextLines()) : ""));
            Thread.Sleep(200);
        }
    }

    public void Dispose()
    {
        Monitor.Dispose();
        runner.Machine.RequestExit(0);
        thread.Join(TimeSpan.FromSeconds(10));
        display.Dispose();
        runner.Dispose();
        dir.Dispose();
    }
}
