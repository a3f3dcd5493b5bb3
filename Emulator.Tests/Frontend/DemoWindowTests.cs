using System.Diagnostics;
using System.Text.RegularExpressions;
using Emulator.Devices.Video;
using Emulator.Frontend;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The demo disk in the SDL window on a private X server: its text screen in the 720x540 window,
/// a real X key starting the graphics, the window taking the VBE mode's 800x600, and typed keys
/// echoed in the window's picture, and the grabbed X mouse moving the pointer. Also the window-size rule itself.
/// </summary>
[NonParallelizable]
public partial class DemoWindowTests
{
    [TestCase(720, 400, VgaDisplayKind.Text, 0, 0, 720, 540)]        // 80x25 text: 4:3
    [TestCase(360, 400, VgaDisplayKind.Text, 0, 0, 720, 540)]        // 40x25 text: doubled to 720 wide
    [TestCase(320, 200, VgaDisplayKind.Colors256, 0, 0, 640, 480)]    // mode 13h: doubled, 4:3
    [TestCase(640, 480, VgaDisplayKind.Planar16, 0, 0, 640, 480)]
    [TestCase(640, 350, VgaDisplayKind.Planar16, 0, 0, 640, 480)]    // EGA 350 lines fill the 4:3 screen
    [TestCase(800, 600, VgaDisplayKind.Vbe, 0, 0, 800, 600)]         // VBE: square pixels
    [TestCase(1280, 1024, VgaDisplayKind.Vbe, 1024, 740, 925, 740)]  // too big: scaled to the desktop, 5:4 kept
    [TestCase(1920, 1200, VgaDisplayKind.Vbe, 1024, 768, 1024, 640)]
    public void TheWindowTakesTheModesNaturalSize(int w, int h, VgaDisplayKind kind, int maxW, int maxH, int ew, int eh)
    {
        Assert.That(SdlWindow.NaturalSize(w, h, kind, maxW, maxH), Is.EqualTo((ew, eh)));
    }

    [GeneratedRegex(@"Geometry: (\d+)x(\d+)")]
    private static partial Regex Geometry();

    [Test]
    public void TheDemoRunsInTheWindowWhichFollowsTheModeEchoesTypedKeysAndMovesThePointer()
    {
        using var dir = new TempDir();
        string shot = dir.File("window.png");
        using var x = new Xvfb();
        using var emu = x.StartEmu("-m", "64", "-display", "sdl", "-name", "demo");
        var stderr = emu.StandardError.ReadToEndAsync();
        var stdout = emu.StandardOutput.ReadToEndAsync();
        try
        {
            ulong window = WaitFor(() =>
            {
                if (emu.HasExited) throw new AssertionException($"emu exited with {emu.ExitCode}: {stderr.Result}");
                return x.FindWindow("^emu \\(demo\\)$");
            }, w => w != 0, "the window to appear");
            DemoScreen Shot()
            {
                x.Run("import", "-window", window.ToString(), "png:" + shot);
                return DemoScreen.Read(shot);
            }

            // The text screen: 720x400 shown 4:3 in 720x540; each source row read at its centre.
            var text = WaitFor(() => Shot() is { Width: 720, Height: 540 } s ? Unscale(s) : null,
                s => s != null && s.TextLines()[24].Contains("Press a key"), "the demo's text screen in the window")!;
            Assert.That(text.TextLines()[2], Does.Contain("E820h: 64 MiB of RAM"));

            x.Run("xdotool", "windowfocus", "--sync", window.ToString());
            x.Run("xdotool", "key", "space");
            var size = WaitFor(() => Geometry().Match(x.Run("xdotool", "getwindowgeometry", window.ToString())) is var m && m.Success
                ? (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value)) : (0, 0), s => s == (800, 600), "the window to take 800x600");
            Assert.That(size, Is.EqualTo((800, 600)));
            WaitFor(Shot, s => s.Width == 800 && DemoDiskTests.Status().IsMatch(s.TextAt(8, 440, 60)) && DemoDiskTests.Ticks(s) > 0, "the demo's main loop");

            x.Run("xdotool", "type", "--delay", "50", "ok");
            // A whole frame (the window may show one the demo was redrawing), by the drawing rules.
            string? problem = null;
            var frame = WaitFor(Shot, s => (problem = DemoDiskTests.FrameProblem(s, 400, 300, "ok")) == null, "the typed keys echoed", () => problem);
            Assert.That(frame.TextAt(8, 440, 40), Does.StartWith("mouse 400,300  buttons ---  keys 2"), "the pointer stays where it started: the mouse is not grabbed");

            // A click grabs the mouse (that click is not the guest's); then X pointer motion moves the demo's pointer.
            x.Run("xdotool", "click", "1");
            WaitFor(() => x.Run("xdotool", "getwindowname", window.ToString()).TrimEnd('\n'), t => t.Contains("Ctrl+Alt+G"), "the grab");
            x.Run("xdotool", "mousemove_relative", "--", "30", "20");
            frame = WaitFor(Shot, s => (problem = DemoDiskTests.FrameProblem(s, 430, 320, "ok")) == null, "the pointer moved by 30, 20", () => problem);
            Assert.That(frame.TextAt(8, 440, 40), Does.StartWith("mouse 430,320  buttons ---  keys 2"));

            x.CloseWindow(window);
            Assert.That(emu.WaitForExit(30_000), Is.True, "closing the window powers off");
            Assert.That(emu.ExitCode, Is.EqualTo(0), stderr.Result);
        }
        finally
        {
            if (!emu.HasExited) { emu.Kill(); emu.WaitForExit(5000); }
        }
    }

    /// <summary>The 720x400 picture inside a 720x540 window shot: each source row at its centre's window row.</summary>
    internal static DemoScreen Unscale(DemoScreen s)
    {
        var px = new uint[720 * 400];
        for (int y = 0; y < 400; y++)
            Array.Copy(s.Pixels, (int)((y + 0.5) * 540 / 400) * 720, px, y * 720, 720);
        return new DemoScreen(px, 720, 400);
    }

    static T WaitFor<T>(Func<T> probe, Func<T, bool> done, string what, Func<string?>? why = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (done(value)) return value;
            if (clock.ElapsedMilliseconds > 30_000) throw new AssertionException($"timed out waiting for {what} {why?.Invoke()}");
            Thread.Sleep(100);
        }
    }
}
