using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Emulator.Frontend.Serial;

/// <summary>
/// <c>tcp:HOST:PORT[,server][,nowait]</c>, as QEMU: a TCP client that connects at start,
/// or a server that listens (on 127.0.0.1 when HOST is empty) and serves one client at a
/// time, accepting the next when it disconnects.
/// </summary>
/// <remarks>
/// A server without <c>nowait</c> waits for its first client before the machine starts,
/// as QEMU does. Output goes through a queue to a writer thread, so a slow or absent peer
/// never blocks the machine thread: while no client is connected output is discarded (as
/// in QEMU), and beyond <see cref="MaxQueuedOutput"/> bytes waiting for a slow client the
/// newest are dropped. Input is read by the accept/reader thread into the input queue.
/// Not supported: <c>reconnect</c>, <c>telnet</c>, <c>ipv4</c>/<c>ipv6</c> and TLS options.
/// </remarks>
internal sealed class TcpSerialBackend : HostSerialBackend
{
    /// <summary>Bytes of output held for a client that does not read.</summary>
    public const int MaxQueuedOutput = 1 << 20;

    readonly BlockingCollection<byte> output = new(new ConcurrentQueue<byte>(), MaxQueuedOutput);
    readonly TcpListener? listener;
    readonly Thread writer;
    volatile Socket? client;
    volatile bool disposed;

    TcpSerialBackend(TcpListener? listener, Socket? connected)
    {
        this.listener = listener;
        client = connected;
        writer = new Thread(WriteLoop) { IsBackground = true, Name = "serial tcp writer" };
        writer.Start();
    }

    /// <summary>Listens on <paramref name="host"/>:<paramref name="port"/> (port 0 picks a free one); with <paramref name="wait"/> returns once a client has connected.</summary>
    public static TcpSerialBackend Listen(string host, int port, bool wait, TextWriter? waitMessage = null)
    {
        var address = Resolve(host.Length == 0 ? "127.0.0.1" : host);
        var listener = new TcpListener(address, port);
        listener.Start(1);
        var endPoint = (IPEndPoint)listener.LocalEndpoint;
        Socket? first = null;
        if (wait)
        {
            waitMessage?.WriteLine($"emu: waiting for connection on tcp:{endPoint},server");
            first = listener.AcceptSocket();
        }
        var backend = new TcpSerialBackend(listener, null);
        var thread = new Thread(() => backend.ServeLoop(first)) { IsBackground = true, Name = "serial tcp server" };
        thread.Start();
        return backend;
    }

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static TcpSerialBackend Connect(string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host.Length == 0 ? "127.0.0.1" : host, port);
        var backend = new TcpSerialBackend(null, socket);
        backend.StartReader(new NetworkStream(socket, ownsSocket: false), "serial tcp reader", () => backend.client = null);
        return backend;
    }

    static IPAddress Resolve(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var a) ? a : Dns.GetHostAddresses(host).First(x => x.AddressFamily == AddressFamily.InterNetwork);

    /// <summary>The address a server listens on (its port, when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => (IPEndPoint?)listener?.LocalEndpoint;

    /// <summary>Whether a peer is connected now.</summary>
    public bool Connected => client != null;

    public override bool CanReceive => true;

    public override void Write(byte value)
    {
        if (client != null && !disposed) output.TryAdd(value);
    }

    void ServeLoop(Socket? first)
    {
        while (!disposed)
        {
            Socket socket;
            try
            {
                socket = first ?? listener!.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            first = null;
            socket.NoDelay = true;
            client = socket;
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = socket.Receive(buffer)) > 0) Enqueue(buffer.AsSpan(0, n));
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            client = null;
            socket.Dispose();
        }
    }

    void WriteLoop()
    {
        var buffer = new byte[4096];
        try
        {
            while (output.TryTake(out byte first, Timeout.Infinite))
            {
                buffer[0] = first;
                int n = 1;
                while (n < buffer.Length && output.TryTake(out byte b)) buffer[n++] = b;
                var socket = client;
                if (socket == null) continue;
                try
                {
                    socket.Send(buffer.AsSpan(0, n));
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            }
        }
        catch (InvalidOperationException) { }   // completed while waiting
    }

    public override void Dispose()
    {
        if (disposed) return;
        disposed = true;
        output.CompleteAdding();
        writer.Join(TimeSpan.FromSeconds(2));     // let queued output reach the peer
        listener?.Stop();
        var socket = client;
        client = null;
        if (socket != null)
        {
            try { socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { }
            socket.Dispose();
        }
    }
}
