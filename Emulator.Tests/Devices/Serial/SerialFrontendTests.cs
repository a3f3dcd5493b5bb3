using System.Net;
using System.Net.Sockets;
using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Serial;
using Emulator.Tests.Frontend;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Serial;

/// <summary><c>-serial</c> and <c>-nographic</c> on the command line, and emu end to end with COM1.</summary>
public class SerialCommandLineTests
{
    static EmuOptions Parse(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        Assert.That(stderr.ToString(), Is.Empty);
        return result.Options!;
    }

    static string Error(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        return stderr.ToString().TrimEnd();
    }

    static ChardevOptions Kind(ChardevKind kind, string? path = null) => new(kind, path);

    [Test]
    public void Without_serial_com1_is_on_vc_and_with_nographic_on_stdio()
    {
        // QEMU's default_serial with a graphical display: "vc" (the SDL window's text console).
        Assert.That(Parse().Serials, Is.EqualTo(new[] { Kind(ChardevKind.Vc) }));
        Assert.That(Parse("-serial", "vc").Serials, Is.EqualTo(new[] { Kind(ChardevKind.Vc) }));
        var o = Parse("-nographic");
        Assert.That(o.NoGraphic, Is.True);
        // QEMU's -nographic: COM1 and the monitor share stdio (mon:stdio) unless -monitor is given.
        Assert.That(o.Serials, Is.EqualTo(new[] { new ChardevOptions(ChardevKind.Stdio, Mux: true) }));
        Assert.That(Parse("-nographic", "-monitor", "tcp::4444,server,nowait").Serials, Is.EqualTo(new[] { Kind(ChardevKind.Stdio) }));
        Assert.That(Parse("-serial", "mon:stdio").Serials, Is.EqualTo(new[] { new ChardevOptions(ChardevKind.Stdio, Mux: true) }));
    }

    [Test]
    public void Serial_options_fill_com1_to_com4_in_order_and_none_adds_no_port()
    {
        var o = Parse("-serial", "none", "-serial", "file:a.txt", "-serial", "null", "-nographic", "-serial", "stdio");
        Assert.That(o.Serials, Is.EqualTo(new[] { Kind(ChardevKind.File, "a.txt"), Kind(ChardevKind.Null), Kind(ChardevKind.Stdio) }));
        Assert.That(Parse("-serial", "none").Serials, Is.Empty);
    }

    [TestCase("tcp::4444,server,nowait", "", 4444, true, false)]
    [TestCase("tcp:127.0.0.1:4444,server", "127.0.0.1", 4444, true, true)]
    [TestCase("tcp:localhost:23,server=on,wait=off", "localhost", 23, true, false)]
    [TestCase("tcp:example.org:5555", "example.org", 5555, false, false)]
    [TestCase("tcp:[::1]:7,server,nowait,nodelay", "::1", 7, true, false)]
    public void Tcp_serial_ports_parse_as_qemu(string text, string host, int port, bool server, bool wait)
    {
        Assert.That(Parse("-serial", text).Serials[0], Is.EqualTo(new ChardevOptions(ChardevKind.Tcp, Tcp: new TcpChardev(host, port, server, wait))));
    }

    [TestCase("emu: -serial null: too many serial ports (at most 4)", "-serial", "null", "-serial", "null", "-serial", "null", "-serial", "null", "-serial", "null")]
    [TestCase("emu: cannot use stdio by multiple character devices", "-serial", "stdio", "-serial", "stdio")]
    [TestCase("emu: cannot use stdio by multiple character devices", "-nographic", "-debugcon", "stdio")]
    [TestCase("emu: -serial pty: character device 'pty' is not supported yet (use file:PATH, stdio, tcp:HOST:PORT, vc, null or none)", "-serial", "pty")]
    [TestCase("emu: -monitor pty: character device 'pty' is not supported yet (use stdio, tcp:HOST:PORT, vc or none)", "-monitor", "pty")]
    [TestCase("emu: -serial tcp:host: a TCP address is HOST:PORT with a port from 0 to 65535", "-serial", "tcp:host")]
    [TestCase("emu: -serial tcp::1,telnet: TCP option 'telnet' is not supported (emu implements server, wait, nowait, nodelay)", "-serial", "tcp::1,telnet")]
    [TestCase("emu: -debugcon tcp::1: character device 'tcp' is not supported for -debugcon yet (use file:PATH, stdio, null or none)", "-debugcon", "tcp::1")]
    public void Bad_serial_options_give_one_line_errors(string message, params string[] args)
    {
        Assert.That(Error(args), Is.EqualTo(message));
    }
}

public class SerialEndToEndTests
{
    const long Limit = 2_000_000;
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    /// <summary>COM1 at 115200 8N1; prints <paramref name="text"/> polling THRE; exits through isa-debug-exit with 0x21.</summary>
    internal static byte[] PrintingBiosForScratch(string text) => PrintingBios(text);
    static byte[] PrintingBios(string text) => TinyBios.Build(a =>
    {
        InitCom1(a);
        foreach (char c in text)
        {
            var wait = a.CreateLabel();
            a.mov(dx, 0x3FD);
            a.Label(ref wait);
            a.@in(al, dx);
            a.test(al, 0x20);
            a.jz(wait);
            a.mov(dx, 0x3F8);
            a.mov(al, (byte)c);
            a.@out(dx, al);
        }
        a.mov(al, 0x21);
        a.@out((byte)0xF4, al);
        a.hlt();
    });

    static void InitCom1(Assembler a)
    {
        a.mov(dx, 0x3FB); a.mov(al, 0x80); a.@out(dx, al);
        a.mov(dx, 0x3F8); a.mov(al, 1); a.@out(dx, al);
        a.mov(dx, 0x3F9); a.mov(al, 0); a.@out(dx, al);
        a.mov(dx, 0x3FB); a.mov(al, 3); a.@out(dx, al);
    }

    static (int Code, string Stdout, string Stderr) Run(Stream? stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(args, stdout, stderr, instructionLimit: Limit, stdinBytes: stdin);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Test]
    public void Serial_file_receives_what_the_bios_prints_on_com1()
    {
        string bios = dir.Write("bios.bin", PrintingBios("COM1 ok\n"));
        string output = dir.File("out.txt");

        var run = Run(null, "-bios", bios, "-serial", "file:" + output, "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.Code, Is.EqualTo(0x43), run.Stderr + "[" + File.ReadAllText(output) + "]");
        Assert.That(File.ReadAllText(output), Is.EqualTo("COM1 ok\n"));
        Assert.That(run.Stdout + run.Stderr, Is.Empty);
    }

    [Test]
    public void Nographic_puts_com1_on_stdout()
    {
        string bios = dir.Write("bios.bin", PrintingBios("hi"));

        var run = Run(null, "-bios", bios, "-nographic", "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.Code, Is.EqualTo(0x43), run.Stderr);
        Assert.That(run.Stdout, Is.EqualTo("hi"));
    }

    [Test]
    public void Serial_stdio_delivers_standard_input_to_the_guest()
    {
        // The guest waits for a byte on COM1 and exits with it: status (0x21 << 1) | 1.
        string bios = dir.Write("bios.bin", TinyBios.Build(a =>
        {
            var wait = a.CreateLabel();
            InitCom1(a);
            a.mov(dx, 0x3FD);
            a.Label(ref wait);
            a.@in(al, dx);
            a.test(al, 1);
            a.jz(wait);
            a.mov(dx, 0x3F8);
            a.@in(al, dx);
            a.@out((byte)0xF4, al);
            a.hlt();
        }));
        var stdout = new StringWriter();
        int code = EmuMain.Run(["-bios", bios, "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"],
            stdout, new StringWriter(), instructionLimit: 200_000_000, stdinBytes: new MemoryStream([0x21]));

        Assert.That(code, Is.EqualTo(0x43));
    }

    [Test]
    public void A_serial_file_that_cannot_be_created_is_an_error()
    {
        var run = Run(null, "-serial", "file:" + dir.File("no/such/dir/out.txt"));
        Assert.That(run.Code, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.StartWith("emu: -serial: cannot open"));
    }
}

public class TcpSerialBackendTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            Thread.Sleep(5);
        }
    }

    static string Drain(TcpSerialBackend backend, int count)
    {
        var got = new List<byte>();
        WaitFor(() =>
        {
            while (backend.TryRead(out byte b)) got.Add(b);
            return got.Count >= count;
        }, "input");
        return new string(got.Select(b => (char)b).ToArray());
    }

    static string ReadExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        socket.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        int n = 0;
        while (n < count) n += socket.Receive(buffer, n, count - n, SocketFlags.None);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    [Test]
    public void A_server_on_an_ephemeral_port_exchanges_bytes_with_its_client()
    {
        using var backend = TcpSerialBackend.Listen("", 0, wait: false);
        var endPoint = backend.LocalEndPoint!;
        Assert.That(endPoint.Address, Is.EqualTo(IPAddress.Loopback), "an empty host binds 127.0.0.1");
        backend.Write((byte)'x');                     // no client yet: discarded, as QEMU does

        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        client.Connect(endPoint);
        WaitFor(() => backend.Connected, "the connection");
        client.Send("abc"u8.ToArray());
        Assert.That(Drain(backend, 3), Is.EqualTo("abc"));

        foreach (char c in "hello") backend.Write((byte)c);
        Assert.That(ReadExactly(client, 5), Is.EqualTo("hello"));
    }

    [Test]
    public void A_server_accepts_the_next_client_after_the_first_leaves()
    {
        using var backend = TcpSerialBackend.Listen("127.0.0.1", 0, wait: false);
        using (var first = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            first.Connect(backend.LocalEndPoint!);
            WaitFor(() => backend.Connected, "the first connection");
        }
        WaitFor(() => !backend.Connected, "the disconnect");
        using var second = new Socket(SocketType.Stream, ProtocolType.Tcp);
        second.Connect(backend.LocalEndPoint!);
        WaitFor(() => backend.Connected, "the second connection");
        second.Send("2"u8.ToArray());
        Assert.That(Drain(backend, 1), Is.EqualTo("2"));
    }

    [Test]
    public void A_waiting_server_returns_once_a_client_connects()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var message = new StringWriter();
        var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var connector = Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                try { await client.ConnectAsync(IPAddress.Loopback, port); return; }
                catch (SocketException) { await Task.Delay(10); }
            }
        });
        using var backend = TcpSerialBackend.Listen("127.0.0.1", port, wait: true, message);
        Assert.That(connector.Wait(Patience), Is.True);
        Assert.That(backend.Connected || WaitConnected(backend));
        Assert.That(message.ToString(), Does.StartWith($"emu: waiting for connection on tcp:127.0.0.1:{port},server"));
        client.Dispose();
    }

    static bool WaitConnected(TcpSerialBackend backend)
    {
        WaitFor(() => backend.Connected, "the connection");
        return true;
    }

    [Test]
    public void A_client_connects_to_a_listening_peer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var backend = TcpSerialBackend.Connect("127.0.0.1", port);
            using var peer = listener.AcceptSocket();
            peer.Send("in"u8.ToArray());
            Assert.That(Drain(backend, 2), Is.EqualTo("in"));
            backend.Write((byte)'o');
            Assert.That(ReadExactly(peer, 1), Is.EqualTo("o"));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Test]
    public void A_client_without_a_peer_is_a_startup_error()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var stderr = new StringWriter();
        int code = EmuMain.Run(["-serial", $"tcp:127.0.0.1:{port}"], new StringWriter(), stderr, instructionLimit: 1000);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.StartWith($"emu: -serial tcp:127.0.0.1:{port}: Failed to connect to '127.0.0.1:{port}'"));
    }
}
