namespace Emulator.Core.Cpu;

// Exceptions and interrupts (Intel SDM vol. 3, chapter 6). Handlers call RaiseFault,
// which records the exception and ends the block; the loop restores RIP to the faulting
// instruction and calls DeliverPendingException, which applies the double-fault rules
// (table 6-5) and shuts the CPU down on a triple fault.
public sealed partial class Cpu
{
    internal bool pendingException;
    byte pendingVector;
    bool pendingHasError;
    uint pendingError;
    internal bool nmiPending, nmiBlocked;
    internal bool interruptShadow;
    bool shutdown;

    /// <summary>True after a triple fault until the machine resets the CPU.</summary>
    public bool ShutdownPending => shutdown;

    public void ClearShutdown() => shutdown = false;

    /// <summary>Raises the NMI line (edge).</summary>
    public void RaiseNmi()
    {
        nmiPending = true;
        asyncExit = true;
    }

    /// <summary>Records a fault to deliver when the current instruction is abandoned. Always returns false.</summary>
    internal bool RaiseFault(byte vector, uint error)
    {
        if (!pendingException)
        {
            pendingException = true;
            pendingVector = vector;
            pendingHasError = HasErrorCode(vector);
            pendingError = error;
        }
        else
        {
            // A second fault while the first is still being set up (e.g. during delivery).
            MergeFault(vector, error);
        }
        exitBlock = true;
        return false;
    }

    static bool HasErrorCode(byte v) => v is Vector.DF or Vector.TS or Vector.NP or Vector.SS or Vector.GP or Vector.PF or Vector.AC;

    static bool Contributory(byte v) => v is Vector.DE or Vector.TS or Vector.NP or Vector.SS or Vector.GP;

    void MergeFault(byte vector, uint error)
    {
        pendingVector = vector;
        pendingHasError = HasErrorCode(vector);
        pendingError = error;
    }

    /// <summary>Delivers the recorded exception, escalating to #DF and shutdown per SDM vol. 3, table 6-5.</summary>
    internal void DeliverPendingException()
    {
        byte previous = 0xFF;
        while (pendingException && !shutdown)
        {
            pendingException = false;
            byte v = pendingVector;
            bool hasErr = pendingHasError;
            uint err = pendingError;
            if (previous != 0xFF)
            {
                // A fault while delivering the previous exception.
                if (previous == Vector.DF) { EnterShutdown(); return; }
                if ((Contributory(previous) && Contributory(v)) || (previous == Vector.PF && (Contributory(v) || v == Vector.PF)))
                {
                    v = Vector.DF; hasErr = true; err = 0;
                }
            }
            previous = v;
            Halted = false;
            DeliverInterrupt(v, InterruptKind.Exception, hasErr, err);
        }
        // A task switch during delivery may have flagged its fault for the loop; delivery consumed it.
        faultKeepsRip = false;
        exitBlock = true;
    }

    void EnterShutdown()
    {
        shutdown = true;
        pendingException = false;
        exitBlock = true;
        asyncExit = true;
    }

    /// <summary>Delivers an interrupt, NMI or trap now (from the loop); a fault during delivery is then delivered.</summary>
    internal void DeliverEvent(byte vector, InterruptKind kind, bool hasError, uint error)
    {
        Halted = false;
        DeliverInterrupt(vector, kind, hasError, error);
        if (pendingException) DeliverPendingException();
        exitBlock = true;
    }

    /// <summary>Delivers through the IVT (real mode) or IDT (protected mode).</summary>
    void DeliverInterrupt(byte vector, InterruptKind kind, bool hasError, uint error)
    {
        if (InterruptDelivering != null) TraceInterrupt(vector, kind, hasError, error);
        if (Mode == CpuMode.Real) DeliverReal(vector);
        else if (ControlTransferred != null)
        {
            var from = BeginTransferTrace(0);
            DeliverProtected(vector, kind, hasError, error);
            // Only privilege, task or mode changes are reported: a same-level gate is an ordinary interrupt (-d int).
            if (from.Cpl != Cpl || from.Tr != tr.Selector || from.V86 != (Mode == CpuMode.Virtual8086))
                EndTransferTrace(kind switch
                {
                    InterruptKind.Software => TransferKind.SoftwareInterrupt,
                    InterruptKind.Exception => TransferKind.Exception,
                    _ => TransferKind.ExternalInterrupt,
                }, vector, from);
        }
        else DeliverProtected(vector, kind, hasError, error);
    }

    /// <summary>Real-mode delivery (SDM vol. 3, 20.1.4): push FLAGS, CS, IP; clear IF, TF, AC; jump through the IVT.</summary>
    void DeliverReal(byte vector)
    {
        ulong entry = (ulong)vector * 4;
        if (entry + 3 > IdtLimit) { RaiseFault(Vector.GP, 0); return; }
        if (!ReadSystem(IdtBase + entry, 4, out ulong vec)) return;
        uint flags = Eflags;
        ulong sp = Reg((int)Gpr.Rsp);
        ulong mask = StackMask;
        ulong sp1 = (sp - 2) & mask, sp2 = (sp - 4) & mask, sp3 = (sp - 6) & mask;
        if (!Write<Size16>((int)SegReg.SS, sp1, flags)) return;
        if (!Write<Size16>((int)SegReg.SS, sp2, Seg((int)SegReg.CS).Selector)) return;
        if (!Write<Size16>((int)SegReg.SS, sp3, Rip & 0xFFFF)) return;
        SetSp(sp3);
        eflagsBits &= ~(uint)(EFlags.IF | EFlags.TF | EFlags.AC | EFlags.RF);
        SetSegmentReal(SegReg.CS, (ushort)(vec >> 16));
        Rip = vec & 0xFFFF;
    }

    /// <summary>Software interrupt INT n / INT3 / INTO from a handler: RIP already points past the instruction.</summary>
    internal void SoftwareInterrupt(byte vector)
    {
        if (Mode == CpuMode.Virtual8086 && Iopl < 3)
        {
            // Without VME, INT n in V86 mode with IOPL < 3 is #GP(0) (SDM vol. 3, 20.3.3, table 20-2).
            RaiseFault(Vector.GP, 0);
            return;
        }
        DeliverInterrupt(vector, InterruptKind.Software, false, 0);
        exitBlock = true;
    }
}
