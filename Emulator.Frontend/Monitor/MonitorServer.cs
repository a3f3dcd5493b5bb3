using System.Net;
using System.Net.Sockets;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// The host ends of <c>-monitor</c>: <c>stdio</c> (one conversation on emu's standard input
/// and output) and <c>tcp:[HOST]:PORT[,server][,nowait]</c> (a server on 127.0.0.1 unless a
/// host is named, serving one client at a time and the next when it leaves; or a client
/// that connects at start). Each conversation runs on its own thread.
/// </summary>
internal sealed class MonitorServer : IDisposable
{
    readonly MonitorQueue queue;
    readonly TcpListener? listener;
    readonly List<Socket> sockets = new();
    volatile bool disposed;

    MonitorServer(MonitorQueue queue, TcpListener? listener)
    {
        this.queue = queue;
        this.listener = listener;
    }

    /// <summary>The bound port of a TCP server (the chosen one when 0 was asked for).</summary>
    public int Port => listener == null ? 0 : ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>A conversation on standard input and output; none when there is no input (tests).</summary>
    public static MonitorServer Stdio(MonitorQueue queue, Stream? input, Action<string> output)
    {
        var server = new MonitorServer(queue, null);
        if (input != null) StartThread(() => new MonitorSession(input, output, queue).Run(), "monitor stdio");
        return server;
    }

    /// <summary>Listens (throws <see cref="SocketException"/>); with <paramref name="wait"/> returns once the first client connected.</summary>
    public static MonitorServer Listen(MonitorQueue queue, string host, int port, bool wait, TextWriter? waitMessage)
    {
        var address = host.Length == 0 ? IPAddress.Loopback
            : IPAddress.TryParse(host.Trim('[', ']'), out var ip) ? ip
            : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        var listener = new TcpListener(address, port);
        listener.Start(1);
        var server = new MonitorServer(queue, listener);
        Socket? first = null;
        if (wait)
        {
            waitMessage?.WriteLine($"emu: waiting for connection on tcp:{listener.LocalEndpoint},server");
            first = listener.AcceptSocket();
        }
        StartThread(() => server.AcceptLoop(first), "monitor tcp server");
        return server;
    }

    /// <summary>Connects to a listening peer (throws <see cref="SocketException"/>) and talks to it.</summary>
    public static MonitorServer Connect(MonitorQueue queue, string host, int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(host.Length == 0 ? "127.0.0.1" : host, port);
        var server = new MonitorServer(queue, null);
        StartThread(() => server.Serve(socket), "monitor tcp client");
        return server;
    }

    static void StartThread(Action body, string name) => new Thread(() => body()) { IsBackground = true, Name = name }.Start();

    void AcceptLoop(Socket? first)
    {
        while (!disposed && !queue.QuitRequested)
        {
            Socket socket;
            try { socket = first ?? listener!.AcceptSocket(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException) { return; }
            first = null;
            socket.NoDelay = true;
            Serve(socket);
        }
    }

    void Serve(Socket socket)
    {
        lock (sockets) sockets.Add(socket);
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: true);
            new MonitorSession(stream, MonitorSession.StreamWriter(stream), queue).Run();
        }
        finally
        {
            lock (sockets) sockets.Remove(socket);
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        listener?.Stop();
        lock (sockets)
        {
            foreach (var s in sockets)
            {
                try { s.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
                s.Dispose();
            }
        }
    }
}
