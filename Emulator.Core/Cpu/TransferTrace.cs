namespace Emulator.Core.Cpu;

/// <summary>The instruction or event behind a <see cref="ControlTransferEvent"/>.</summary>
public enum TransferKind : byte
{
    /// <summary>Far JMP.</summary>
    Jump,
    /// <summary>Far CALL.</summary>
    Call,
    /// <summary>Far RET.</summary>
    Return,
    /// <summary>IRET/IRETD.</summary>
    InterruptReturn,
    /// <summary>INT n, INT3, INTO (software interrupts).</summary>
    SoftwareInterrupt,
    /// <summary>An exception.</summary>
    Exception,
    /// <summary>An external interrupt or NMI.</summary>
    ExternalInterrupt,
}

/// <summary>
/// A protected-mode control transfer that went through a system descriptor or changed privilege,
/// task or mode, as it completed (for <c>-d pcall</c>).
/// </summary>
/// <param name="Kind">What caused it.</param>
/// <param name="Vector">The vector, for interrupts and exceptions.</param>
/// <param name="GateType">The system-descriptor type the transfer went through (SDM vol. 3, table 3-2):
/// 1/9 TSS, 4/0xC call gate, 5 task gate, 6/7/0xE/0xF interrupt and trap gates; 0 for none (RET, IRET).</param>
/// <param name="GateSelector">The gate's or TSS's selector for JMP/CALL; 0 for interrupts (the vector names the gate).</param>
/// <param name="ParameterCount">A call gate's parameter count (words or dwords copied to the new stack).</param>
/// <param name="From">CS:EIP, CPL, SS:ESP and TR before the transfer; EIP is the instruction's for
/// JMP/CALL/RET/IRET and the one pushed for interrupts.</param>
/// <param name="To">The same after it.</param>
public readonly record struct ControlTransferEvent(TransferKind Kind, byte Vector, byte GateType, ushort GateSelector,
    byte ParameterCount, TransferPoint From, TransferPoint To)
{
    /// <summary>True when the transfer switched tasks (TR changed).</summary>
    public bool TaskSwitched => From.Tr != To.Tr;

    /// <summary>True when the stack was switched (privilege change, task switch or virtual-8086 entry/exit).</summary>
    public bool StackSwitched => From.Cpl != To.Cpl || From.Ss != To.Ss || From.V86 != To.V86 || TaskSwitched;
}

/// <summary>One side of a <see cref="ControlTransferEvent"/>.</summary>
public readonly record struct TransferPoint(ushort Cs, uint Eip, int Cpl, ushort Ss, uint Esp, ushort Tr, bool V86);

/// <summary>Receives a completed <see cref="ControlTransferEvent"/>.</summary>
public delegate void ControlTransferHandler(Cpu cpu, in ControlTransferEvent transfer);

// The -d pcall hook. Far transfers, IRET and protected-mode interrupt delivery are already off the
// hot path (each ends its block); with the hook null each pays one field test. With it set, the
// CPU state before is captured on the stack, the transfer runs unchanged, and the handler sees
// before and after when the transfer completed without a fault (a fault is -d int's business).
public sealed partial class Cpu
{
    /// <summary>
    /// Called after each protected-mode far JMP/CALL through a gate or TSS, far RET or IRET to another
    /// privilege level, task or virtual-8086 mode, and interrupt or exception that changed privilege or task
    /// (<c>-d pcall</c>). Null when off.
    /// </summary>
    public ControlTransferHandler? ControlTransferred { get; set; }

    // Set by the gate and TSS paths (cold) for the trace to report what the transfer went through.
    byte transferGateType;
    ushort transferGateSelector;
    byte transferParameterCount;

    TransferPoint CaptureTransferPoint(ulong eip) => new(
        Seg((int)SegReg.CS).Selector, (uint)eip, Cpl, Seg((int)SegReg.SS).Selector,
        (uint)Reg((int)Gpr.Rsp), tr.Selector, Mode == CpuMode.Virtual8086);

    /// <summary>Before a traced transfer: CS:EIP of the instruction (<paramref name="instructionLength"/> bytes before RIP, 0 for interrupts).</summary>
    TransferPoint BeginTransferTrace(int instructionLength)
    {
        transferGateType = 0;
        transferGateSelector = 0;
        transferParameterCount = 0;
        return CaptureTransferPoint((Rip - (ulong)instructionLength) & IpMask);
    }

    /// <summary>After a traced transfer: reports it if it completed and was more than a same-privilege code-segment transfer.</summary>
    void EndTransferTrace(TransferKind kind, byte vector, in TransferPoint from)
    {
        var handler = ControlTransferred;
        if (handler == null || pendingException || shutdown) return;
        var to = CaptureTransferPoint(Rip);
        if (transferGateType == 0 && from.Cpl == to.Cpl && from.Tr == to.Tr && from.V86 == to.V86) return;
        handler(this, new ControlTransferEvent(kind, vector, transferGateType, transferGateSelector, transferParameterCount, from, to));
    }
}
