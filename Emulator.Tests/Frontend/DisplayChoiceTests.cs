using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>Which display a run gets, and the -display/-nographic/-name/-full-screen/-screendump options.</summary>
public class DisplayChoiceTests
{
    static DisplayChoice.Host Host(bool graphical, string? sdlError, bool terminal) => new(graphical, () => sdlError, terminal);

    [Test]
    public void DefaultIsSdlWhenThereIsADisplayAndSdlLoads()
    {
        var c = DisplayChoice.Choose(null, false, Host(true, null, true));
        Assert.That(c, Is.EqualTo(new DisplayChoice.Choice(DisplayKind.Sdl, null)));
    }

    [Test]
    public void WithoutADisplayTheDefaultIsTheTextConsoleOnATerminalAndSaysSo()
    {
        var c = DisplayChoice.Choose(null, false, Host(false, null, true));
        Assert.That(c.Kind, Is.EqualTo(DisplayKind.Curses));
        Assert.That(c.Note, Is.EqualTo("emu: no graphical display; using the text console (-display curses)"));
    }

    [Test]
    public void WhenSdlDoesNotLoadTheDefaultFallsBackAndGivesTheReason()
    {
        var c = DisplayChoice.Choose(null, false, Host(true, "libSDL2-2.0.so.0 could not be loaded", true));
        Assert.That(c.Kind, Is.EqualTo(DisplayKind.Curses));
        Assert.That(c.Note, Is.EqualTo("emu: libSDL2-2.0.so.0 could not be loaded; using the text console (-display curses)"));
        var headless = DisplayChoice.Choose(null, false, Host(true, "libSDL2-2.0.so.0 could not be loaded", false));
        Assert.That(headless, Is.EqualTo(new DisplayChoice.Choice(DisplayKind.None,
            "emu: libSDL2-2.0.so.0 could not be loaded; running without a display (-display none)")));
    }

    [Test]
    public void WithNeitherDisplayNorTerminalTheDefaultIsNoneSilently()
    {
        Assert.That(DisplayChoice.Choose(null, false, Host(false, null, false)), Is.EqualTo(new DisplayChoice.Choice(DisplayKind.None, null)));
    }

    [Test]
    public void NographicMeansNoDisplayEvenWithOne()
    {
        Assert.That(DisplayChoice.Choose(null, true, Host(true, null, true)).Kind, Is.EqualTo(DisplayKind.None));
    }

    [Test]
    public void AnExplicitDisplayIsKeptAndSdlThatCannotWorkIsAnError()
    {
        Assert.That(DisplayChoice.Choose(DisplayKind.Curses, false, Host(true, null, true)).Kind, Is.EqualTo(DisplayKind.Curses));
        Assert.That(DisplayChoice.Choose(DisplayKind.None, false, Host(true, null, true)).Kind, Is.EqualTo(DisplayKind.None));
        Assert.That(() => DisplayChoice.Choose(DisplayKind.Sdl, false, Host(false, null, true)),
            Throws.TypeOf<EmuError>().With.Message.EqualTo("-display sdl: no graphical display ($DISPLAY and $WAYLAND_DISPLAY are unset)"));
        Assert.That(() => DisplayChoice.Choose(DisplayKind.Sdl, false, Host(true, "libSDL2-2.0.so.0 could not be loaded", true)),
            Throws.TypeOf<EmuError>().With.Message.EqualTo("-display sdl: libSDL2-2.0.so.0 could not be loaded"));
    }

    [Test]
    public void ViewportKeepsFourThirdsForVgaModesAndSquarePixelsForVbe()
    {
        Assert.That(SdlWindow.Viewport(720, 540, 720, 400, Emulator.Devices.Video.VgaDisplayKind.Text), Is.EqualTo((0, 0, 720, 540)));
        Assert.That(SdlWindow.Viewport(1000, 540, 320, 200, Emulator.Devices.Video.VgaDisplayKind.Colors256), Is.EqualTo((140, 0, 720, 540)));
        Assert.That(SdlWindow.Viewport(800, 800, 640, 480, Emulator.Devices.Video.VgaDisplayKind.Planar16), Is.EqualTo((0, 100, 800, 600)));
        Assert.That(SdlWindow.Viewport(1280, 1000, 1280, 720, Emulator.Devices.Video.VgaDisplayKind.Vbe), Is.EqualTo((0, 140, 1280, 720)));
    }

    [Test]
    public void TitleNamesTheGuestAndSaysHowToReleaseTheGrab()
    {
        Assert.That(SdlWindow.Title(null, false), Is.EqualTo("emu"));
        Assert.That(SdlWindow.Title("dos", false), Is.EqualTo("emu (dos)"));
        Assert.That(SdlWindow.Title(null, true), Is.EqualTo("emu - Press Ctrl+Alt+G to release grab"));
    }

    static EmuOptions Parse(params string[] args)
    {
        var r = EmuCommandLine.Parse(args, TextWriter.Null, TextWriter.Null);
        return r.Options ?? throw new AssertionException($"parse failed with {r.ExitCode}");
    }

    static string ErrorOf(params string[] args)
    {
        var err = new StringWriter();
        var r = EmuCommandLine.Parse(args, TextWriter.Null, err);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        return err.ToString().TrimEnd('\n');
    }

    [Test]
    public void DisplayOptionsParse()
    {
        Assert.That(Parse().Display, Is.Null);
        Assert.That(Parse("-display", "sdl").Display, Is.EqualTo(DisplayKind.Sdl));
        Assert.That(Parse("-display", "curses").Display, Is.EqualTo(DisplayKind.Curses));
        Assert.That(Parse("--display", "none").Display, Is.EqualTo(DisplayKind.None));
        Assert.That(Parse("-nographic", "-display", "none").Display, Is.EqualTo(DisplayKind.None));
        var o = Parse("-name", "guest=dos,process=x", "-full-screen", "-screendump", "shot.png");
        Assert.That((o.Name, o.FullScreen, o.ScreenDumpPath), Is.EqualTo(("dos", true, "shot.png")));
        Assert.That(Parse("-name", "plain").Name, Is.EqualTo("plain"));
    }

    [Test]
    public void BadDisplayOptionsAreOneLineErrors()
    {
        Assert.That(ErrorOf("-display", "gtk"), Is.EqualTo("emu: -display gtk: not supported (emu has sdl, curses and none)"));
        Assert.That(ErrorOf("-display", "fancy"), Is.EqualTo("emu: -display fancy: unknown display type (sdl, curses or none)"));
        Assert.That(ErrorOf("-display", "sdl,gl=on"), Is.EqualTo("emu: -display sdl,gl=on: option 'gl' is not supported"));
        Assert.That(ErrorOf("-nographic", "-display", "sdl"), Is.EqualTo("emu: -nographic cannot be used with -display sdl"));
    }

    [Test]
    public void CursesOnATerminalTakenByStdioIsAnError()
    {
        using var dir = new TempDir();
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        var run = EmuRun.Of("-display", "curses", "-serial", "stdio", "-bios", bios);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr.TrimEnd('\n'), Is.EqualTo("emu: -display curses: the terminal is already used by a stdio character device"));
    }
}
