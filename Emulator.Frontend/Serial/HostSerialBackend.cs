using System.Collections.Concurrent;
using Emulator.Devices.Serial;

namespace Emulator.Frontend.Serial;

/// <summary>
/// A serial backend doing host I/O. Input arrives on a host thread and waits in a
/// thread-safe queue until the UART (on the machine thread) takes it; nothing here
/// blocks the machine thread except the output stream of stdio or a file.
/// </summary>
internal abstract class HostSerialBackend : ISerialBackend, IDisposable
{
    readonly ConcurrentQueue<byte> input = new();

    public abstract void Write(byte value);

    public abstract bool CanReceive { get; }

    public bool TryRead(out byte value) => input.TryDequeue(out value);

    /// <summary>Called on the reader thread after input arrived (the runner passes <c>Machine.Wake</c>, so a paced, idle machine sees it at once).</summary>
    public Action? InputArrived { get; set; }

    /// <summary>Queues bytes for the guest; called from a reader thread.</summary>
    protected void Enqueue(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) input.Enqueue(b);
        InputArrived?.Invoke();
    }

    /// <summary>Pushes buffered output to the host.</summary>
    public virtual void Flush() { }

    public virtual void Dispose() => Flush();

    /// <summary>Starts a background thread copying <paramref name="source"/> into the input queue until it ends.</summary>
    protected Thread StartReader(Stream source, string name, Action? onEnd = null)
    {
        var thread = new Thread(() =>
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = source.Read(buffer)) > 0) Enqueue(buffer.AsSpan(0, n));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException) { }
            onEnd?.Invoke();
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }
}

/// <summary><c>file:PATH</c>: the guest's output goes to a file; nothing is received (as QEMU's file chardev without <c>input-path</c>).</summary>
internal sealed class FileSerialBackend(Stream file) : HostSerialBackend
{
    public override void Write(byte value)
    {
        file.WriteByte(value);
        if (value == (byte)'\n') file.Flush();
    }

    public override bool CanReceive => false;

    public override void Flush() => file.Flush();

    public override void Dispose()
    {
        file.Dispose();
    }
}

/// <summary>
/// <c>stdio</c>: output to emu's standard output, flushed each byte as for a terminal;
/// input from standard input, read by a background thread. Raw terminal mode (so keys
/// reach the guest one at a time, Ctrl-C included) is the text console's job and not done here.
/// </summary>
internal sealed class StdioSerialBackend : HostSerialBackend
{
    readonly Stream? outBytes;
    readonly TextWriter? outText;

    /// <param name="inBytes">Standard input, or null for a backend that never receives or receives through <see cref="Receive"/>.</param>
    /// <param name="muxed">Input arrives through <see cref="Receive"/> from the stdio multiplexer.</param>
    public StdioSerialBackend(Stream? outBytes, TextWriter outText, Stream? inBytes, bool muxed = false)
    {
        if (outBytes != null) this.outBytes = outBytes;
        else this.outText = outText;
        CanReceive = inBytes != null || muxed;
        if (inBytes != null) StartReader(inBytes, "serial stdin");
    }

    /// <summary>Bytes for the guest from the stdio multiplexer's thread.</summary>
    public void Receive(ReadOnlySpan<byte> bytes) => Enqueue(bytes);

    public override void Write(byte value)
    {
        if (outBytes != null)
        {
            outBytes.WriteByte(value);
            outBytes.Flush();
        }
        else
        {
            outText!.Write((char)value);
            outText.Flush();
        }
    }

    public override bool CanReceive { get; }
}

/// <summary><c>null</c>: output is discarded and nothing is received.</summary>
internal sealed class NullHostSerialBackend : HostSerialBackend
{
    public override void Write(byte value) { }

    public override bool CanReceive => false;
}
