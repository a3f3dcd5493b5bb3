using System.Net.Sockets;
using System.Text;
using Iced.Intel;
using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// A PC run by <see cref="MachineRunner"/> with the GDB server on a free port and <c>-S</c>:
/// a tiny BIOS jumps to 0000:7C00, where the test's 16-bit program was loaded, as a boot
/// sector would be. isa-debug-exit sits at port 0xF4.
/// </summary>
internal sealed class GdbTestGuest : IDisposable
{
    public const ushort CodeAddress = 0x7C00;

    readonly TempDir dir = new();
    readonly MachineRunner runner;
    readonly Thread thread;
    int exitCode = -1;

    public int Port { get; }

    GdbTestGuest(Action<Assembler> program, bool waitForDebugger)
    {
        string bios = dir.Write("bios.bin", TinyBios.Build(a => a.jmp(0x0000, CodeAddress)));
        var options = new EmuOptions
        {
            BiosPath = bios,
            MemorySize = 16 << 20,
            Devices = [DeviceCatalog.Parse("isa-debug-exit,iobase=0xf4,iosize=0x04")],
            Gdb = new GdbEndpoint("127.0.0.1", 0),
            WaitForDebugger = waitForDebugger,
        };
        runner = MachineRunner.Create(options, new ConsoleStreams(TextWriter.Null, TextWriter.Null));
        var a = new Assembler(16);
        program(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), CodeAddress);
        runner.Machine.Memory.Write(CodeAddress, ms.ToArray());
        Port = runner.GdbServer!.Port;
        thread = new Thread(() => exitCode = runner.Run(instructionLimit: 200_000_000)) { IsBackground = true };
        thread.Start();
    }

    public static GdbTestGuest Start(Action<Assembler> program, bool waitForDebugger = true) => new(program, waitForDebugger);

    /// <summary>
    /// The program most tests use: computes AX = 1234h + 5678h, stores it at 0500h, increments
    /// the word at 0502h three times in a loop, then writes 21h to isa-debug-exit (emu exits
    /// with status 43h).
    /// </summary>
    public static void Program(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ax, 0x1234);                  // 7C00
        a.mov(bx, 0x5678);                  // 7C03
        a.add(ax, bx);                      // 7C06
        a.mov(__word_ptr[0x500], ax);       // 7C08
        a.mov(cx, 3);                       // 7C0B
        a.Label(ref loop);
        a.inc(__word_ptr[0x502]);           // 7C0E
        a.dec(cx);                          // 7C12
        a.jnz(loop);                        // 7C13
        a.mov(al, 0x21);                    // 7C15
        a.@out(0xF4, al);                   // 7C17
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.jmp(spin);
    }

    /// <summary>Waits for emu to end and returns its exit status (-1 if it did not end in time).</summary>
    public int WaitForExit(TimeSpan timeout) => thread.Join(timeout) ? exitCode : -1;

    public GdbWire Connect() => new(Port);

    public void Dispose()
    {
        // End the machine first (a guest left running would spin to the instruction limit),
        // then the debugger connection, which lets a stopped machine go on to that exit.
        runner.Machine.RequestExit(0);
        runner.GdbServer!.Dispose();
        thread.Join(TimeSpan.FromSeconds(5));
        runner.Dispose();
        dir.Dispose();
    }
}

/// <summary>The client end of the remote protocol for tests: framing, checksums and acks done by hand.</summary>
internal sealed class GdbWire : IDisposable
{
    readonly TcpClient client;
    readonly NetworkStream stream;
    public bool NoAck;

    public GdbWire(int port)
    {
        client = new TcpClient("127.0.0.1", port) { NoDelay = true };
        stream = client.GetStream();
        stream.ReadTimeout = 10_000;
    }

    public static string Frame(string body)
    {
        int sum = 0;
        foreach (char c in body) sum += c;
        return $"${body}#{sum & 0xFF:x2}";
    }

    public void SendRaw(string text) => SendRaw(Encoding.Latin1.GetBytes(text));

    public void SendRaw(byte[] bytes)
    {
        stream.Write(bytes);
        stream.Flush();
    }

    public int ReadByte()
    {
        int b = stream.ReadByte();
        if (b < 0) throw new EndOfStreamException("the server closed the connection");
        return b;
    }

    /// <summary>Sends a packet and returns the reply's body, checking the ack and the reply's checksum.</summary>
    public string Request(string body)
    {
        SendRaw(Frame(body));
        if (!NoAck) Assert.That((char)ReadByte(), Is.EqualTo('+'), $"ack for {body}");
        return ReadPacket();
    }

    /// <summary>Sends 'k' (no reply is due) and waits for the server to close the connection.</summary>
    public void Kill()
    {
        SendRaw(Frame("k"));
        if (!NoAck) Assert.That((char)ReadByte(), Is.EqualTo('+'));
        Assert.That(stream.ReadByte(), Is.EqualTo(-1), "the connection closes after kill");
    }

    /// <summary>Reads one packet (skipping nothing: the next byte must be '$'), acks it and returns its body.</summary>
    public string ReadPacket()
    {
        Assert.That((char)ReadByte(), Is.EqualTo('$'));
        var body = new StringBuilder();
        int sum = 0;
        while (true)
        {
            int b = ReadByte();
            if (b == '#') break;
            sum += b;
            body.Append((char)b);
        }
        string check = $"{(char)ReadByte()}{(char)ReadByte()}";
        Assert.That(check, Is.EqualTo($"{sum & 0xFF:x2}"), "reply checksum");
        if (!NoAck) SendRaw("+");
        return body.ToString();
    }

    /// <summary>True when nothing arrives (and the connection stays open) for <paramref name="milliseconds"/>.</summary>
    public bool Silent(int milliseconds) => !client.Client.Poll(milliseconds * 1000, SelectMode.SelectRead);

    public void Dispose() => client.Dispose();
}
