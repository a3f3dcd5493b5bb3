using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// The x87 FPU instructions (SDM vol. 1, ch. 8; vol. 2A/2B per instruction). This file holds what every
/// x87 handler shares: the device-not-available and pending-error checks, the last-instruction and
/// last-operand pointers, the stack-fault responses and the delivery of a result under the exception masks.
/// </summary>
internal static unsafe partial class X87
{
    public static void Register()
    {
        RegisterControl();
        RegisterLoadStore();
        RegisterArithmetic();
        RegisterCompare();
        RegisterEnvironment();
        RegisterScaling();
        RegisterFxsave();
        RegisterTranscendental();
    }

    /// <summary>#NM when CR0.EM or CR0.TS is set (SDM vol. 3, 2.5, table 2-2), so kernels can emulate or switch the FPU lazily.</summary>
    static bool Available(Cpu c)
    {
        if ((c.cr0 & (CrBits.CR0_EM | CrBits.CR0_TS)) != 0) return c.RaiseFault(Vector.NM, 0);
        return true;
    }

    /// <summary>
    /// A waiting instruction first reports a pending unmasked exception (SDM vol. 1, 8.7): #MF when CR0.NE=1.
    /// With NE=0 the error went out on FERR# (<see cref="FpuState.ErrorSignal"/>, IRQ 13 on a PC) when it was
    /// raised; a PC's chipset then asserts IGNNE# (the handler's write to port F0h), so the instruction runs.
    /// </summary>
    internal static bool NoPendingError(Cpu c)
    {
        if (c.fpu.ErrorPending && (c.cr0 & CrBits.CR0_NE) != 0) return c.RaiseFault(Vector.MF, 0);
        return true;
    }

    /// <summary>Entry of a non-control instruction: #NM, #MF, then the last-instruction pointer (SDM vol. 1, 8.1.8).</summary>
    static bool Begin(Cpu c, ref DecodedOp op)
    {
        if (!Available(c) || !NoPendingError(c)) return false;
        var f = c.fpu;
        f.InstructionPointer = c.InstructionStart(ref op);
        f.InstructionSelector = c.Seg((int)SegReg.CS).Selector;
        f.Opcode = (ushort)op.Imm;
        return true;
    }

    /// <summary>Records the last data pointer of a memory-operand instruction (SDM vol. 1, 8.1.8).</summary>
    static ulong OperandAddress(Cpu c, ref DecodedOp op)
    {
        ulong ea = c.EffectiveAddress(ref op);
        c.fpu.DataPointer = ea;
        c.fpu.DataSelector = c.Seg(op.Seg).Selector;
        return ea;
    }

    static FpuContext Context(Cpu c) => FpuContext.FromControlWord(c.fpu.ControlWord);

    static bool Masked(Cpu c, FpuExceptions e) => (c.fpu.ControlWord & (ushort)e) == (ushort)e;

    static void SetC1(FpuState f, bool on) => f.Status = (ushort)(on ? f.Status | FpuState.SwC1 : f.Status & ~FpuState.SwC1);

    /// <summary>
    /// Stack underflow, an empty register read (SDM vol. 1, 8.5.1.1): IE and SF with C1=0. Masked, the
    /// destination ST(<paramref name="dest"/>) gets the real indefinite (−1 for none) and a popping
    /// instruction pops; unmasked, nothing changes.
    /// </summary>
    static void Underflow(Cpu c, int dest, int pops)
    {
        var f = c.fpu;
        SetC1(f, false);
        f.Status |= FpuState.SwSF;
        if (Masked(c, FpuExceptions.IE))
        {
            if (dest >= 0) f.Set(dest, Float80.Indefinite);
            for (int i = 0; i < pops; i++) f.Pop();
        }
        f.RaiseFlags(FpuExceptions.IE);
    }

    /// <summary>Stack overflow, a push onto a non-empty ST(7) (SDM vol. 1, 8.5.1.1): IE, SF, C1=1; masked, the real indefinite is pushed.</summary>
    static void Overflow(Cpu c)
    {
        var f = c.fpu;
        SetC1(f, true);
        f.Status |= FpuState.SwSF;
        if (Masked(c, FpuExceptions.IE)) f.Push(Float80.Indefinite);
        f.RaiseFlags(FpuExceptions.IE);
    }

    /// <summary>Whether a push would overflow the stack.</summary>
    static bool PushOverflows(FpuState f) => !f.IsEmpty(7);

    /// <summary>
    /// Writes a result to ST(<paramref name="dest"/>) and pops <paramref name="pops"/> times, unless an
    /// unmasked invalid-operation, denormal or zero-divide exception stops the instruction (SDM vol. 1, 8.5:
    /// those leave the destination and stack unchanged; unmasked overflow and underflow deliver the
    /// bias-adjusted result, an unmasked precision exception the rounded one). C1 reports rounding up.
    /// </summary>
    static void Deliver(Cpu c, int dest, Float80 result, ref FpuContext ctx, int pops)
    {
        var f = c.fpu;
        var stop = ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE | FpuExceptions.ZE);
        if (stop == 0)
        {
            f.Set(dest, result);
            for (int i = 0; i < pops; i++) f.Pop();
        }
        SetC1(f, (ctx.Raised & FpuExceptions.PE) != 0 && ctx.RoundedUp);
        f.RaiseFlags(ctx.Raised);
    }

    /// <summary>Whether a store to memory happens: not after an unmasked IE, DE, OE or UE (SDM vol. 1, 8.5.4, 8.5.5; vol. 2A, FST).</summary>
    static bool StoreAllowed(ref FpuContext ctx) =>
        (ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE | FpuExceptions.OE | FpuExceptions.UE)) == 0;

    /// <summary>Commits the exceptions of a store to memory and pops if asked and allowed.</summary>
    static void FinishStore(Cpu c, ref FpuContext ctx, bool pop)
    {
        var f = c.fpu;
        if (pop && StoreAllowed(ref ctx)) f.Pop();
        SetC1(f, (ctx.Raised & FpuExceptions.PE) != 0 && ctx.RoundedUp);
        f.RaiseFlags(ctx.Raised);
    }

    static bool ReadFloat80(Cpu c, int seg, ulong ea, ulong addrMask, out Float80 v)
    {
        v = default;
        if (!c.Read<Size64>(seg, ea, out ulong sig)) return false;
        if (!c.Read<Size16>(seg, (ea + 8) & addrMask, out ulong se)) return false;
        v = new Float80((ushort)se, sig);
        return true;
    }

    static bool WriteFloat80(Cpu c, int seg, ulong ea, ulong addrMask, Float80 v)
    {
        if (!c.ProbeWrite(seg, ea, 10, addrMask)) return false;
        return c.Write<Size64>(seg, ea, v.Significand) && c.Write<Size16>(seg, (ea + 8) & addrMask, v.SignExponent);
    }
}
