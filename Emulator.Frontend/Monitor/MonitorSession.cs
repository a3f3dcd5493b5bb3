using System.Text;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// One monitor conversation over a byte stream, as QEMU's HMP on a character device: a
/// banner, then the <c>(qemu) </c> prompt before each command line; each line goes to the
/// machine thread through <see cref="MonitorQueue"/> and its output comes back before the
/// next prompt. Lines end with LF (a CR before it is dropped); a line longer than
/// <see cref="MaxLine"/> bytes is refused with one error line. Ends when the peer closes,
/// after <c>quit</c>, or when the machine ends.
/// </summary>
internal sealed class MonitorSession
{
    public const int MaxLine = 4096;
    public const string Prompt = "(qemu) ";

    readonly Stream input;
    readonly Action<string> write;
    readonly MonitorQueue queue;

    /// <param name="write">Writes (and flushes) text to the peer.</param>
    public MonitorSession(Stream input, Action<string> write, MonitorQueue queue)
    {
        this.input = input;
        this.write = write;
        this.queue = queue;
    }

    /// <summary>A writer for a byte stream: UTF-8, flushed each time.</summary>
    public static Action<string> StreamWriter(Stream output) => text =>
    {
        output.Write(Encoding.UTF8.GetBytes(text));
        output.Flush();
    };

    public static string Banner => $"{EmuCommandLine()} monitor - type 'help' for more information\n";

    static string EmuCommandLine() => "emu " + CommandLine.EmuCommandLine.VersionText["emu version ".Length..];

    /// <summary>Serves until the conversation ends; I/O errors end it quietly.</summary>
    public void Run()
    {
        try
        {
            Write(Banner + Prompt);
            var line = new List<byte>();
            bool tooLong = false;
            var buffer = new byte[4096];
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                for (int i = 0; i < n; i++)
                {
                    byte b = buffer[i];
                    if (b != (byte)'\n')
                    {
                        if (line.Count < MaxLine) line.Add(b);
                        else tooLong = true;
                        continue;
                    }
                    if (line.Count > 0 && line[^1] == (byte)'\r') line.RemoveAt(line.Count - 1);
                    string text = Encoding.UTF8.GetString(line.ToArray());
                    line.Clear();
                    if (tooLong)
                    {
                        tooLong = false;
                        Write($"command line too long (at most {MaxLine} bytes)\n{Prompt}");
                        continue;
                    }
                    if (!Execute(text)) return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException) { }
    }

    /// <summary>Runs one line; false when the conversation is over.</summary>
    bool Execute(string text)
    {
        string reply;
        try
        {
            reply = queue.Post(text).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            return false;   // the machine has ended
        }
        try
        {
            if (queue.QuitRequested) return false;
            Write(reply + Prompt);
            return true;
        }
        finally
        {
            queue.ReplySent();
        }
    }

    void Write(string text) => write(text);
}
