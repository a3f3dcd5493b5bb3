namespace Emulator.Devices.Serial;

/// <summary>
/// The far end of a UART's serial line: where the guest's transmitted bytes go and where
/// received bytes come from. Both members are called on the machine thread and must not
/// block; a backend fed by another thread (stdin, a socket) hands bytes over through a
/// thread-safe queue.
/// </summary>
public interface ISerialBackend
{
    /// <summary>A byte the guest transmitted.</summary>
    void Write(byte value);

    /// <summary>
    /// Whether this backend can ever deliver input. The UART polls <see cref="TryRead"/> once
    /// per character time only for backends that can, so output-only backends cost no timer.
    /// </summary>
    bool CanReceive { get; }

    /// <summary>Takes the next byte for the guest, if one has arrived.</summary>
    bool TryRead(out byte value);
}

/// <summary>A line to nothing: output is discarded, nothing is ever received (QEMU's <c>null</c> chardev).</summary>
public sealed class NullSerialBackend : ISerialBackend
{
    public static readonly NullSerialBackend Instance = new();

    public void Write(byte value) { }

    public bool CanReceive => false;

    public bool TryRead(out byte value)
    {
        value = 0;
        return false;
    }
}
