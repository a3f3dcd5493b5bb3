using Emulator.Devices.Board;
using Emulator.Frontend.CommandLine;

namespace Emulator.Frontend.Display;

/// <summary>
/// The display of one emu run: chooses it (<see cref="DisplayChoice"/>), opens the SDL window
/// or the text console with the input queue feeding the PS/2 devices, and on
/// <see cref="Stop"/> closes it and writes <c>-screendump</c>. The monitor reaches the screen
/// through <see cref="Frames"/> and <see cref="ScreenDump"/>.
/// </summary>
internal sealed class DisplaySession : IDisposable
{
    readonly IDisposable? view;
    readonly string? screenDumpPath;
    bool stopped;

    DisplaySession(FrameSource frames, DisplayKind kind, IDisposable? view, string? screenDumpPath)
    {
        Frames = frames;
        Kind = kind;
        this.view = view;
        this.screenDumpPath = screenDumpPath;
    }

    /// <summary>The screen, for screen dumps (the monitor's <c>screendump</c>).</summary>
    public FrameSource Frames { get; }

    /// <summary>The display in use.</summary>
    public DisplayKind Kind { get; }

    /// <summary>
    /// Chooses and opens the display; call on the machine thread before the machine runs.
    /// <paramref name="onTerminal"/>: emu's standard input and output are the user's terminal.
    /// </summary>
    public static DisplaySession Start(EmuOptions options, PcBoard board, TextWriter terminal, TextWriter stderr,
        bool onTerminal, DisplayChoice.Host? host = null) =>
        Start(options, Choose(options, stderr, onTerminal, host), board, terminal, null);

    /// <summary>
    /// Chooses the display (printing the note of a fallback); throws <see cref="EmuError"/> for one
    /// that cannot work. Called before the machine is built, since the default <c>vc</c> serial port
    /// and monitor exist only with the SDL window.
    /// </summary>
    public static DisplayChoice.Choice Choose(EmuOptions options, TextWriter stderr, bool onTerminal, DisplayChoice.Host? host = null)
    {
        bool stdioTaken = options.Serials.Any(s => s.Kind == ChardevKind.Stdio) || options.DebugCon?.Kind == ChardevKind.Stdio;
        if (options.Display == DisplayKind.Curses && stdioTaken)
            throw new EmuError("-display curses: the terminal is already used by a stdio character device");
        if (options.Display == DisplayKind.Curses && !onTerminal)
            throw new EmuError("-display curses: standard input and output must be a terminal");
        var choice = DisplayChoice.Choose(options.Display, options.NoGraphic, host ?? DisplayChoice.Probe(onTerminal && !stdioTaken));
        if (choice.Note != null) stderr.WriteLine(choice.Note);
        return choice;
    }

    /// <summary>Opens the chosen display; <paramref name="textConsoles"/> are the SDL window's consoles after the VGA.</summary>
    public static DisplaySession Start(EmuOptions options, DisplayChoice.Choice choice, PcBoard board, TextWriter terminal,
        TextConsoles? textConsoles)
    {
        var frames = new FrameSource(board.Vga);
        IDisposable? view = null;
        if (choice.Kind != DisplayKind.None)
        {
            var input = new InputQueue(board.Machine, board.Keyboard, board.Mouse);
            view = choice.Kind == DisplayKind.Sdl
                ? SdlWindow.Open(frames, input, options.Name, options.FullScreen, textConsoles?.All ?? [])
                : new TextConsole(frames, input, terminal);
            input.Start();
        }
        return new DisplaySession(frames, choice.Kind, view, options.ScreenDumpPath);
    }

    /// <summary>Closes the display and writes the <c>-screendump</c> file; throws <see cref="EmuError"/> when it cannot be written.</summary>
    public void Stop()
    {
        if (stopped) return;
        stopped = true;
        view?.Dispose();
        if (screenDumpPath != null) ScreenDump.Write(Frames, screenDumpPath);
    }

    public void Dispose()
    {
        if (stopped) return;
        stopped = true;
        view?.Dispose();
    }
}
