using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// Basic arithmetic (SDM vol. 1, 8.3.5): FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in their memory, integer,
// register and popping forms, and the one-operand FCHS, FABS, FSQRT, FRNDINT.
internal static unsafe partial class X87
{
    static void RegisterArithmetic()
    {
        RegisterOp<AddOp>(Code.Fadd_m32fp, Code.Fadd_m64fp, Code.Fiadd_m16int, Code.Fiadd_m32int, Code.Fadd_st0_sti, Code.Fadd_sti_st0, Code.Faddp_sti_st0);
        RegisterOp<MulOp>(Code.Fmul_m32fp, Code.Fmul_m64fp, Code.Fimul_m16int, Code.Fimul_m32int, Code.Fmul_st0_sti, Code.Fmul_sti_st0, Code.Fmulp_sti_st0);
        RegisterOp<SubOp>(Code.Fsub_m32fp, Code.Fsub_m64fp, Code.Fisub_m16int, Code.Fisub_m32int, Code.Fsub_st0_sti, Code.Fsub_sti_st0, Code.Fsubp_sti_st0);
        RegisterOp<SubrOp>(Code.Fsubr_m32fp, Code.Fsubr_m64fp, Code.Fisubr_m16int, Code.Fisubr_m32int, Code.Fsubr_st0_sti, Code.Fsubr_sti_st0, Code.Fsubrp_sti_st0);
        RegisterOp<DivOp>(Code.Fdiv_m32fp, Code.Fdiv_m64fp, Code.Fidiv_m16int, Code.Fidiv_m32int, Code.Fdiv_st0_sti, Code.Fdiv_sti_st0, Code.Fdivp_sti_st0);
        RegisterOp<DivrOp>(Code.Fdivr_m32fp, Code.Fdivr_m64fp, Code.Fidivr_m16int, Code.Fidivr_m32int, Code.Fdivr_st0_sti, Code.Fdivr_sti_st0, Code.Fdivrp_sti_st0);
        InstructionTable.Set(Code.Fchs, &Fchs);
        InstructionTable.Set(Code.Fabs, &Fabs);
        InstructionTable.Set(Code.Fsqrt, &Unary<SqrtOp>);
        InstructionTable.Set(Code.Frndint, &Unary<RndintOp>);
    }

    static void RegisterOp<T>(Code m32, Code m64, Code i16, Code i32, Code st0Sti, Code stiSt0, Code stiSt0Pop) where T : IBinary
    {
        InstructionTable.Set(m32, &ArithMem<T, M32Real>);
        InstructionTable.Set(m64, &ArithMem<T, M64Real>);
        InstructionTable.Set(i16, &ArithMem<T, MInt<Size16>>);
        InstructionTable.Set(i32, &ArithMem<T, MInt<Size32>>);
        InstructionTable.Set(st0Sti, &ArithSt0Sti<T>);
        InstructionTable.Set(stiSt0, &ArithStiSt0<T, NoPop>);
        InstructionTable.Set(stiSt0Pop, &ArithStiSt0<T, PopOnce>);
    }

    /// <summary>dest ← dest op src; the R forms reverse the operands (SDM vol. 2A, FSUBR, FDIVR).</summary>
    interface IBinary { static abstract Float80 Apply(Float80 dest, Float80 src, ref FpuContext ctx); }
    struct AddOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Add(d, s, ref ctx); }
    struct MulOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Multiply(d, s, ref ctx); }
    struct SubOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Subtract(d, s, ref ctx); }
    struct SubrOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Subtract(s, d, ref ctx); }
    struct DivOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Divide(d, s, ref ctx); }
    struct DivrOp : IBinary { public static Float80 Apply(Float80 d, Float80 s, ref FpuContext ctx) => Float80.Divide(s, d, ref ctx); }

    /// <summary>ST(0) ← ST(0) op m32fp/m64fp/m16int/m32int. An integer operand converts exactly first.</summary>
    static void ArithMem<T, TSrc>(Cpu c, ref DecodedOp op) where T : IBinary where TSrc : ISource
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var ctx = Context(c);
        if (!TSrc.Load(c, op.Seg, ea, op.AddrMask, ref ctx, out var src)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, 0, 0); return; }
        var r = T.Apply(f.St(0), src, ref ctx);
        Deliver(c, 0, r, ref ctx, 0);
    }

    static void ArithSt0Sti<T>(Cpu c, ref DecodedOp op) where T : IBinary
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R1;
        if (f.IsEmpty(0) || f.IsEmpty(i)) { Underflow(c, 0, 0); return; }
        var ctx = Context(c);
        var r = T.Apply(f.St(0), f.St(i), ref ctx);
        Deliver(c, 0, r, ref ctx, 0);
    }

    /// <summary>ST(i) ← ST(i) op ST(0), then the P forms pop.</summary>
    static void ArithStiSt0<T, TPop>(Cpu c, ref DecodedOp op) where T : IBinary where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R0;
        if (f.IsEmpty(0) || f.IsEmpty(i)) { Underflow(c, i, TPop.Count); return; }
        var ctx = Context(c);
        var r = T.Apply(f.St(i), f.St(0), ref ctx);
        Deliver(c, i, r, ref ctx, TPop.Count);
    }

    interface IUnary { static abstract Float80 Apply(Float80 x, ref FpuContext ctx); }
    struct SqrtOp : IUnary { public static Float80 Apply(Float80 x, ref FpuContext ctx) => Float80.Sqrt(x, ref ctx); }
    struct RndintOp : IUnary { public static Float80 Apply(Float80 x, ref FpuContext ctx) => Float80.RoundToIntegral(x, ref ctx); }

    static void Unary<T>(Cpu c, ref DecodedOp op) where T : IUnary
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, 0, 0); return; }
        var ctx = Context(c);
        var r = T.Apply(f.St(0), ref ctx);
        Deliver(c, 0, r, ref ctx, 0);
    }

    /// <summary>FCHS and FABS change only the sign bit, of any operand including NaNs, without exceptions (SDM vol. 2A).</summary>
    static void Fchs(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, 0, 0); return; }
        f.Set(0, f.St(0).Negate());
        SetC1(f, false);
    }

    static void Fabs(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, 0, 0); return; }
        f.Set(0, f.St(0).Abs());
        SetC1(f, false);
    }
}
