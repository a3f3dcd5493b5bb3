using System.Text;

namespace Emulator.Frontend.Terminal;

/// <summary>
/// QEMU's character-device multiplexer on standard input (<c>-nographic</c>, <c>-serial mon:stdio</c>):
/// keys go to the guest's serial port, except after the escape key Ctrl-A, which starts a
/// command (QEMU's "Keys in the character backend multiplexer"):
/// <list type="table">
/// <item><term>C-a h, C-a ?</term><description>print the list of commands</description></item>
/// <item><term>C-a x</term><description>exit emu (images are flushed and closed as on any clean exit)</description></item>
/// <item><term>C-a s</term><description>flush the disk images to their files</description></item>
/// <item><term>C-a c</term><description>switch between the serial console and the monitor</description></item>
/// <item><term>C-a C-a</term><description>send Ctrl-A itself</description></item>
/// </list>
/// QEMU's C-a b (a serial break) and C-a t (timestamps) are absent: the UART has no break input.
/// The guest's output is not routed here: the serial port writes to standard output whatever the
/// focus, as QEMU's mux does. While the monitor has the focus, this class echoes and edits the
/// line (the terminal is in raw mode, so nothing else does) and hands the monitor whole lines.
/// </summary>
internal sealed class StdioMux
{
    /// <summary>QEMU's default escape character, Ctrl-A.</summary>
    public const byte EscapeKey = 0x01;

    public const string Help =
        "\n" +
        "C-a h    print this help\n" +
        "C-a x    exit emulator\n" +
        "C-a s    save disk data back to file\n" +
        "C-a c    switch between console and monitor\n" +
        "C-a C-a  sends C-a\n";

    readonly Action<string> write;
    readonly Action<ReadOnlySpan<byte>> toSerial;
    readonly Func<Stream>? openMonitor;
    readonly Action quit;
    readonly Action flushDisks;
    readonly List<byte> line = new();
    Stream? monitorInput;
    bool escaped, monitorFocused, lastWasCr;

    /// <param name="write">Writes text to the terminal (and flushes).</param>
    /// <param name="toSerial">Delivers bytes to the serial port's receiver.</param>
    /// <param name="openMonitor">Starts the monitor conversation the first time it gets the focus and returns the stream its input lines are written to; null when the mux has no monitor.</param>
    /// <param name="quit">Ends emu cleanly.</param>
    /// <param name="flushDisks">Asks for the images to be flushed (on the machine thread).</param>
    public StdioMux(Action<string> write, Action<ReadOnlySpan<byte>> toSerial, Func<Stream>? openMonitor, Action quit, Action flushDisks)
    {
        this.write = write;
        this.toSerial = toSerial;
        this.openMonitor = openMonitor;
        this.quit = quit;
        this.flushDisks = flushDisks;
    }

    /// <summary>True while typed lines go to the monitor.</summary>
    public bool MonitorFocused => monitorFocused;

    /// <summary>Reads <paramref name="input"/> on a background thread until it ends.</summary>
    public void Start(Stream input)
    {
        new Thread(() =>
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = input.Read(buffer)) > 0) Process(buffer.AsSpan(0, n));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        })
        { IsBackground = true, Name = "stdio mux" }.Start();
    }

    /// <summary>Handles bytes typed on the terminal, in order.</summary>
    public void Process(ReadOnlySpan<byte> bytes)
    {
        int run = 0;   // start of the pending run of bytes for the serial port
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (!escaped && b != EscapeKey && !monitorFocused) continue;   // part of the serial run
            if (i > run && !monitorFocused) toSerial(bytes[run..i]);
            run = i + 1;
            if (escaped)
            {
                escaped = false;
                Command(b);
            }
            else if (b == EscapeKey) escaped = true;
            else ToMonitor(b);
        }
        if (run < bytes.Length && !monitorFocused && !escaped) toSerial(bytes[run..]);
    }

    void Command(byte key)
    {
        switch (key)
        {
            case EscapeKey:
                if (monitorFocused) ToMonitor(key);
                else toSerial([key]);
                break;
            case (byte)'h' or (byte)'?':
                write(Help);
                break;
            case (byte)'x':
                write("emu: Terminated\n");
                quit();
                break;
            case (byte)'s':
                flushDisks();
                break;
            case (byte)'c':
                if (openMonitor == null) break;
                monitorFocused = !monitorFocused;
                if (monitorFocused && monitorInput == null) monitorInput = openMonitor();   // the session prints its banner and prompt
                else if (monitorFocused) write(Monitor.MonitorSession.Prompt);
                else write("\n");
                break;
        }
    }

    /// <summary>A byte typed while the monitor has the focus: line editing with echo, as a terminal in cooked mode would do.</summary>
    void ToMonitor(byte b)
    {
        bool cr = lastWasCr;
        lastWasCr = b == (byte)'\r';
        switch (b)
        {
            case (byte)'\n' when cr:
                return;   // the LF of a CR LF pair
            case (byte)'\r' or (byte)'\n':
                write("\n");
                line.Add((byte)'\n');
                try
                {
                    monitorInput!.Write(line.ToArray());
                    monitorInput.Flush();
                }
                catch (IOException) { }   // the conversation ended (quit)
                line.Clear();
                return;
            case 0x7F or 0x08:
                if (line.Count == 0) return;
                // Remove a whole UTF-8 character: its continuation bytes, then its lead byte.
                while (line.Count > 1 && (line[^1] & 0xC0) == 0x80) line.RemoveAt(line.Count - 1);
                line.RemoveAt(line.Count - 1);
                write("\b \b");
                return;
            case < 0x20:
                return;   // other control keys have no meaning in a monitor line
            default:
                if (line.Count >= Monitor.MonitorSession.MaxLine) return;
                line.Add(b);
                // A multi-byte UTF-8 character is echoed once its last byte arrived.
                if (b < 0x80) write(((char)b).ToString());
                else if (IsCompleteUtf8Tail()) write(Encoding.UTF8.GetString(LastCharacter()));
                return;
        }
    }

    bool IsCompleteUtf8Tail()
    {
        var last = LastCharacter();
        return last.Length > 0 && last.Length == Utf8Length(last[0]);
    }

    byte[] LastCharacter()
    {
        int start = line.Count - 1;
        while (start > 0 && (line[start] & 0xC0) == 0x80) start--;
        return line.GetRange(start, line.Count - start).ToArray();
    }

    static int Utf8Length(byte lead) => lead switch { < 0x80 => 1, >= 0xF0 => 4, >= 0xE0 => 3, >= 0xC0 => 2, _ => 0 };
}
