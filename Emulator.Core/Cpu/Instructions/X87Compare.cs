using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// Comparison and classification (SDM vol. 1, 8.3.6 and 8.1.3.4): the FCOM/FUCOM families set C3, C2
// and C0; FCOMI/FUCOMI set ZF, PF and CF; FTST compares with 0.0; FXAM classifies ST(0).
internal static unsafe partial class X87
{
    static void RegisterCompare()
    {
        InstructionTable.Set(Code.Fcom_m32fp, &ComMem<M32Real, NoPop>);
        InstructionTable.Set(Code.Fcom_m64fp, &ComMem<M64Real, NoPop>);
        InstructionTable.Set(Code.Fcomp_m32fp, &ComMem<M32Real, PopOnce>);
        InstructionTable.Set(Code.Fcomp_m64fp, &ComMem<M64Real, PopOnce>);
        InstructionTable.Set(Code.Ficom_m16int, &ComMem<MInt<Size16>, NoPop>);
        InstructionTable.Set(Code.Ficom_m32int, &ComMem<MInt<Size32>, NoPop>);
        InstructionTable.Set(Code.Ficomp_m16int, &ComMem<MInt<Size16>, PopOnce>);
        InstructionTable.Set(Code.Ficomp_m32int, &ComMem<MInt<Size32>, PopOnce>);
        InstructionTable.Set(Code.Fcom_st0_sti, &ComSt<Ordered, NoPop>);
        InstructionTable.Set(Code.Fcom_st0_sti_DCD0, &ComSt<Ordered, NoPop>);
        InstructionTable.Set(Code.Fcomp_st0_sti, &ComSt<Ordered, PopOnce>);
        InstructionTable.Set(Code.Fcomp_st0_sti_DCD8, &ComSt<Ordered, PopOnce>);
        InstructionTable.Set(Code.Fcomp_st0_sti_DED0, &ComSt<Ordered, PopOnce>);
        InstructionTable.Set(Code.Fcompp, &ComSt<Ordered, PopTwice>);
        InstructionTable.Set(Code.Fucom_st0_sti, &ComSt<Unordered, NoPop>);
        InstructionTable.Set(Code.Fucomp_st0_sti, &ComSt<Unordered, PopOnce>);
        InstructionTable.Set(Code.Fucompp, &ComSt<Unordered, PopTwice>);
        InstructionTable.Set(Code.Fcomi_st0_sti, &Comi<Ordered, NoPop>);
        InstructionTable.Set(Code.Fcomip_st0_sti, &Comi<Ordered, PopOnce>);
        InstructionTable.Set(Code.Fucomi_st0_sti, &Comi<Unordered, NoPop>);
        InstructionTable.Set(Code.Fucomip_st0_sti, &Comi<Unordered, PopOnce>);
        InstructionTable.Set(Code.Ftst, &Ftst);
        InstructionTable.Set(Code.Fxam, &Fxam);
    }

    interface IQuietness { static abstract bool QuietNaNsUnordered { get; } }
    struct Ordered : IQuietness { public static bool QuietNaNsUnordered => false; }
    struct Unordered : IQuietness { public static bool QuietNaNsUnordered => true; }

    /// <summary>C3 C2 C0 for each outcome (SDM vol. 1, table 8-6).</summary>
    static ushort ConditionCodes(FpuComparison r) => r switch
    {
        FpuComparison.Greater => 0,
        FpuComparison.Less => FpuState.SwC0,
        FpuComparison.Equal => FpuState.SwC3,
        _ => FpuState.SwC3 | FpuState.SwC2 | FpuState.SwC0,
    };

    /// <summary>
    /// Sets the condition codes (C1 cleared) and pops, unless an unmasked invalid-operation or denormal
    /// exception stops the instruction: then the codes are not set (SDM vol. 2A, FCOM "FPU flags affected").
    /// </summary>
    static void FinishCompare(Cpu c, FpuComparison r, ref FpuContext ctx, int pops)
    {
        var f = c.fpu;
        if ((ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE)) == 0)
        {
            f.SetConditionCodes(ConditionCodes(r));
            for (int i = 0; i < pops; i++) f.Pop();
        }
        f.RaiseFlags(ctx.Raised);
    }

    /// <summary>An empty operand: underflow, and the masked response reports "unordered".</summary>
    static void CompareUnderflow(Cpu c, int pops)
    {
        if (Masked(c, FpuExceptions.IE)) c.fpu.SetConditionCodes(ConditionCodes(FpuComparison.Unordered));
        Underflow(c, -1, pops);
    }

    static void ComMem<TSrc, TPop>(Cpu c, ref DecodedOp op) where TSrc : ISource where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var ctx = Context(c);
        if (!TSrc.Load(c, op.Seg, ea, op.AddrMask, ref ctx, out var src)) return;
        if (c.fpu.IsEmpty(0)) { CompareUnderflow(c, TPop.Count); return; }
        var r = Float80.Compare(c.fpu.St(0), src, false, ref ctx);
        FinishCompare(c, r, ref ctx, TPop.Count);
    }

    static void ComSt<TQ, TPop>(Cpu c, ref DecodedOp op) where TQ : IQuietness where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R1 == Cpu.ZeroReg ? 1 : op.R1;
        if (f.IsEmpty(0) || f.IsEmpty(i)) { CompareUnderflow(c, TPop.Count); return; }
        var ctx = Context(c);
        var r = Float80.Compare(f.St(0), f.St(i), TQ.QuietNaNsUnordered, ref ctx);
        FinishCompare(c, r, ref ctx, TPop.Count);
    }

    /// <summary>FCOMI/FUCOMI: ZF, PF, CF as the FCOMI page of SDM vol. 2A gives them; OF, SF and AF cleared; C1 cleared.</summary>
    static void Comi<TQ, TPop>(Cpu c, ref DecodedOp op) where TQ : IQuietness where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R1;
        const uint unordered = (uint)(EFlags.ZF | EFlags.PF | EFlags.CF);
        if (f.IsEmpty(0) || f.IsEmpty(i))
        {
            if (Masked(c, FpuExceptions.IE)) c.SetArithFlags(unordered);
            Underflow(c, -1, TPop.Count);
            return;
        }
        var ctx = Context(c);
        var r = Float80.Compare(f.St(0), f.St(i), TQ.QuietNaNsUnordered, ref ctx);
        if ((ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE)) == 0)
        {
            c.SetArithFlags(r switch
            {
                FpuComparison.Greater => 0u,
                FpuComparison.Less => (uint)EFlags.CF,
                FpuComparison.Equal => (uint)EFlags.ZF,
                _ => unordered,
            });
            if (TPop.Count > 0) f.Pop();
        }
        SetC1(f, false);
        f.RaiseFlags(ctx.Raised);
    }

    static void Ftst(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        if (c.fpu.IsEmpty(0)) { CompareUnderflow(c, 0); return; }
        var ctx = Context(c);
        var r = Float80.Compare(c.fpu.St(0), Float80.Zero, false, ref ctx);
        FinishCompare(c, r, ref ctx, 0);
    }

    /// <summary>FXAM: C1 = sign; C3 C2 C0 = the class (SDM vol. 2A, FXAM); an empty register is 101.</summary>
    static void Fxam(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        var v = f.St(0);
        ushort cc = f.IsEmpty(0) ? (ushort)(FpuState.SwC3 | FpuState.SwC0) : (ushort)(v.Class switch
        {
            Float80Class.Unsupported => 0,
            Float80Class.QuietNaN or Float80Class.SignalingNaN => FpuState.SwC0,
            Float80Class.Normal => FpuState.SwC2,
            Float80Class.Infinity => FpuState.SwC2 | FpuState.SwC0,
            Float80Class.Zero => FpuState.SwC3,
            _ => FpuState.SwC3 | FpuState.SwC2,   // denormal and pseudo-denormal
        });
        if (v.Sign) cc = (ushort)(cc | FpuState.SwC1);
        f.SetConditionCodes(cc);
    }
}
