using Emulator.Devices.Video;

namespace Emulator.Frontend.Display;

/// <summary>
/// The text console (<c>-display curses</c>): the VGA's text mode drawn in the terminal by
/// <see cref="AnsiTextScreen"/> from a timer thread, and keys typed in the terminal sent to
/// the guest (<see cref="TerminalKeys"/>), so text-mode systems work over ssh.
/// </summary>
/// <remarks>
/// Uses the terminal's alternate screen and restores it on exit. Ctrl+C goes to the guest, as
/// in QEMU's curses display; the machine stops when the guest powers off or emu is killed.
/// Graphics modes show one line, "W x H Graphic mode". Input is read with
/// <see cref="Console.ReadKey(bool)"/>, which puts the terminal in raw mode and decodes
/// escape sequences.
/// </remarks>
internal sealed class TextConsole : IDisposable
{
    const int PeriodMs = 33;

    readonly FrameSource frames;
    readonly InputQueue input;
    readonly TextWriter terminal;
    readonly AnsiTextScreen screen = new();
    readonly Timer timer;
    readonly Thread reader;
    readonly object drawing = new();
    volatile bool stopping;

    public TextConsole(FrameSource frames, InputQueue input, TextWriter terminal)
    {
        this.frames = frames;
        this.input = input;
        this.terminal = terminal;
        Console.TreatControlCAsInput = true;
        terminal.Write("\e[?1049h\e[2J");
        terminal.Flush();
        timer = new Timer(_ => Draw(), null, 0, PeriodMs);
        reader = new Thread(ReadKeys) { Name = "text console keys", IsBackground = true };
        reader.Start();
    }

    void Draw()
    {
        lock (drawing)
        {
            if (stopping) return;
            var text = TextScreen.Capture(frames.Vga);
            string output;
            if (text != null)
            {
                output = screen.Update(text);
            }
            else
            {
                var (_, w, h) = frames.Describe();
                output = screen.UpdateGraphics(w, h);
            }
            if (output.Length == 0) return;
            terminal.Write(output);
            terminal.Flush();
        }
    }

    void ReadKeys()
    {
        var events = new List<InputEvent>();
        while (!stopping)
        {
            ConsoleKeyInfo key;
            try { key = Console.ReadKey(intercept: true); }
            catch (InvalidOperationException) { return; }   // no terminal to read
            events.Clear();
            TerminalKeys.Translate(key, events);
            foreach (var e in events) input.Post(e);
        }
    }

    public void Dispose()
    {
        lock (drawing)
        {
            if (stopping) return;
            stopping = true;
            timer.Dispose();
            terminal.Write("\e[0m\e[?25h\e[?1049l");
            terminal.Flush();
        }
    }
}
