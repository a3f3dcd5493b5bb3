using System.Net.Sockets;
using System.Text;
using Iced.Intel;
using Emulator.Frontend;
using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

/// <summary>
/// A PC run by <see cref="MachineRunner"/> with the human monitor on a free TCP port
/// (<c>-monitor tcp:127.0.0.1:0,server,nowait</c>): a tiny BIOS jumps to 0000:7C00, where the
/// test's 16-bit program was loaded, as a boot sector would be.
/// </summary>
internal sealed class MonitorTestGuest : IDisposable
{
    public const ushort CodeAddress = 0x7C00;

    readonly TempDir dir = new();
    readonly MachineRunner runner;
    readonly Thread thread;
    int exitCode = -1;

    public MachineRunner Runner => runner;
    public TempDir Dir => dir;

    public MonitorTestGuest(Action<Assembler> program, bool startPaused = false)
    {
        string bios = dir.Write("bios.bin", TinyBios.Build(a => a.jmp(0x0000, CodeAddress)));
        var options = new EmuOptions
        {
            BiosPath = bios,
            MemorySize = 16 << 20,
            Monitor = new ChardevOptions(ChardevKind.Tcp, Tcp: new TcpChardev("127.0.0.1", 0, Server: true, Wait: false)),
            WaitForDebugger = startPaused,
        };
        runner = MachineRunner.Create(options, new ConsoleStreams(TextWriter.Null, TextWriter.Null));
        var a = new Assembler(16);
        program(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), CodeAddress);
        runner.Machine.Memory.Write(CodeAddress, ms.ToArray());
        thread = new Thread(() => exitCode = runner.Run(instructionLimit: 2_000_000_000)) { IsBackground = true };
        thread.Start();
    }

    public int WaitForExit(TimeSpan timeout) => thread.Join(timeout) ? exitCode : -1;

    public MonitorClient Connect() => new(runner.MonitorServer!.Port);

    public void Dispose()
    {
        runner.Machine.RequestExit(0);
        if (!thread.Join(TimeSpan.FromSeconds(1)))
        {
            // A paused VM does not run, so it ends through the monitor.
            try { using var c = Connect(); c.Send("quit"); } catch (Exception e) when (e is IOException or SocketException) { }
            thread.Join(TimeSpan.FromSeconds(5));
        }
        runner.Dispose();
        dir.Dispose();
    }
}

/// <summary>The client end of the monitor: sends a line and reads up to the next prompt.</summary>
internal sealed class MonitorClient : IDisposable
{
    readonly TcpClient client;
    readonly NetworkStream stream;

    public MonitorClient(int port)
    {
        client = new TcpClient("127.0.0.1", port) { NoDelay = true };
        stream = client.GetStream();
        stream.ReadTimeout = 10_000;
        Banner = ReadToPrompt();
    }

    /// <summary>What came before the first prompt.</summary>
    public string Banner { get; }

    /// <summary>Sends <paramref name="line"/> and returns the output before the next prompt.</summary>
    public string Command(string line)
    {
        Send(line);
        return ReadToPrompt();
    }

    public void Send(string line)
    {
        stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        stream.Flush();
    }

    public void SendRaw(byte[] bytes) => stream.Write(bytes);

    public string ReadToPrompt()
    {
        var sb = new StringBuilder();
        while (!sb.ToString().EndsWith("(qemu) ", StringComparison.Ordinal))
        {
            int b = stream.ReadByte();
            if (b < 0) throw new EndOfStreamException($"the monitor closed the connection after: {sb}");
            sb.Append((char)b);
        }
        return sb.ToString()[..^"(qemu) ".Length];
    }

    /// <summary>True when the server closed the connection (reads end).</summary>
    public bool Closed()
    {
        try { return stream.ReadByte() < 0; }
        catch (IOException) { return true; }
    }

    /// <summary>Repeats <paramref name="line"/> until its output satisfies <paramref name="done"/> (at most 10 s).</summary>
    public string Until(string line, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            string output = Command(line);
            if (done(output) || DateTime.UtcNow > deadline) return output;
            Thread.Sleep(5);
        }
    }

    public void Dispose() => client.Dispose();
}
