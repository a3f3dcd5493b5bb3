namespace Emulator.Core.Cpu;

/// <summary>An interrupt or exception as the CPU is about to deliver it (for <c>-d int</c>).</summary>
/// <param name="Vector">The vector.</param>
/// <param name="ErrorCode">The error code pushed, when <paramref name="HasErrorCode"/>.</param>
/// <param name="Software">True for INT n, INT3 and INTO (QEMU's <c>i=1</c>).</param>
/// <param name="External">True for an interrupt from the interrupt controller or an NMI.</param>
public readonly record struct InterruptEvent(byte Vector, bool HasErrorCode, uint ErrorCode, bool Software, bool External);

// Trace hooks for the frontend's -d log items. Each is null when its item is off, and each
// sits on a path that is already cold: a block decode, an interrupt delivery, or the
// loop's debug branch (which the block hook arms through debugAttention, so the hot
// loop gains no test of its own).
public sealed partial class Cpu
{
    Action<Cpu>? blockTrace;

    /// <summary>
    /// Called after a block is decoded (<c>-d in_asm</c>) with the linear and physical address of
    /// its first byte and its length in bytes; the block's code size is <see cref="CodeBits"/>.
    /// </summary>
    public Action<Cpu, ulong, ulong, int>? BlockDecoded { get; set; }

    /// <summary>Called before an interrupt or exception is delivered, with CS:EIP still at the interrupted (or faulting) instruction (<c>-d int</c>).</summary>
    public Action<Cpu, InterruptEvent>? InterruptDelivering { get; set; }

    /// <summary>
    /// Called before each block runs, with CS:EIP at its first instruction (<c>-d exec</c>). Setting
    /// it sends the loop through its debug branch at every block entry; linking stays on.
    /// </summary>
    public Action<Cpu>? BlockExecuting
    {
        get => blockTrace;
        set { blockTrace = value; UpdateDebugFlags(); }
    }

    /// <summary>16, 32 or 64: the code size instructions at CS:EIP are decoded with.</summary>
    public int CodeBits => codeSize switch { 0 => 16, 1 => 32, _ => 64 };

    /// <summary>The linear address of CS:EIP.</summary>
    public ulong LinearIp => (Seg((int)SegReg.CS).Base + Rip) & linearMask;

    void TraceInterrupt(byte vector, InterruptKind kind, bool hasError, uint error) =>
        InterruptDelivering?.Invoke(this, new InterruptEvent(vector, hasError, error,
            kind == InterruptKind.Software, kind is InterruptKind.External or InterruptKind.Nmi));
}
