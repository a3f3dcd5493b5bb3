using System.Net;
using System.Net.Sockets;

namespace Emulator.Frontend.Debugging;

/// <summary>
/// The GDB server of <c>-s</c> and <c>-gdb tcp:[HOST]:PORT</c>: listens on TCP (127.0.0.1
/// unless a host is named) and serves one debugger at a time on its own thread; a second
/// connection while one is open is closed at once, as QEMU does.
/// </summary>
internal sealed class GdbServer : IDisposable
{
    readonly TcpListener listener;
    readonly DebugTarget target;
    readonly IMonitorCommands monitor;
    readonly CancellationTokenSource cancel = new();
    readonly Thread thread;
    int sessionOpen;

    /// <summary>Binds the listening socket (throws <see cref="SocketException"/>) and starts accepting.</summary>
    public GdbServer(string host, int port, DebugTarget target, IMonitorCommands monitor)
    {
        this.target = target;
        this.monitor = monitor;
        var address = host.Length == 0 ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var ip) ? ip
            : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        listener = new TcpListener(address, port);
        listener.Start(1);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        thread = new Thread(() => AcceptLoopAsync().GetAwaiter().GetResult()) { IsBackground = true, Name = "gdb server" };
        thread.Start();
    }

    /// <summary>The bound port (the chosen one when 0 was asked for).</summary>
    public int Port { get; }

    public DebugTarget Target => target;

    async Task AcceptLoopAsync()
    {
        while (!cancel.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(cancel.Token); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException) { return; }
            if (Interlocked.CompareExchange(ref sessionOpen, 1, 0) != 0)
            {
                client.Dispose();
                continue;
            }
            client.NoDelay = true;
            _ = ServeAsync(client);
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
                await new GdbSession(client.GetStream(), target, monitor).RunAsync(cancel.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref sessionOpen, 0);
        }
    }

    public void Dispose()
    {
        cancel.Cancel();
        listener.Stop();
    }
}
