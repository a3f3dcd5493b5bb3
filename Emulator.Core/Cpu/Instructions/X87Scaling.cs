using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// FSCALE, FXTRACT, FPREM and FPREM1 (SDM vol. 1, 8.3.7 and 8.3.10; vol. 2A per instruction).
internal static unsafe partial class X87
{
    static void RegisterScaling()
    {
        InstructionTable.Set(Code.Fscale, &Fscale);
        InstructionTable.Set(Code.Fxtract, &Fxtract);
        InstructionTable.Set(Code.Fprem, &Fprem<TruncatedQuotient>);
        InstructionTable.Set(Code.Fprem1, &Fprem<RoundedQuotient>);
    }

    static void Fscale(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0) || f.IsEmpty(1)) { Underflow(c, 0, 0); return; }
        var ctx = Context(c);
        var r = Float80.Scale(f.St(0), f.St(1), ref ctx);
        Deliver(c, 0, r, ref ctx, 0);
    }

    /// <summary>FXTRACT: ST(0) becomes the exponent, then the significand is pushed.</summary>
    static void Fxtract(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (PushOverflows(f)) { Overflow(c); return; }
        if (f.IsEmpty(0))
        {
            // Masked: both results are the real indefinite.
            bool masked = Masked(c, FpuExceptions.IE);
            Underflow(c, 0, 0);
            if (masked) f.Push(Float80.Indefinite);
            return;
        }
        var ctx = Context(c);
        var (exponent, significand) = Float80.Extract(f.St(0), ref ctx);
        if ((ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE | FpuExceptions.ZE)) == 0)
        {
            f.Set(0, exponent);
            f.Push(significand);
        }
        SetC1(f, false);
        f.RaiseFlags(ctx.Raised);
    }

    interface IRemainderKind { static abstract bool Nearest { get; } }
    struct TruncatedQuotient : IRemainderKind { public static bool Nearest => false; }
    struct RoundedQuotient : IRemainderKind { public static bool Nearest => true; }

    /// <summary>FPREM/FPREM1: C2 = incomplete; when complete, C0, C3, C1 = the quotient's bits 2, 1, 0.</summary>
    static void Fprem<T>(Cpu c, ref DecodedOp op) where T : IRemainderKind
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0) || f.IsEmpty(1)) { Underflow(c, 0, 0); return; }
        var ctx = Context(c);
        var r = Float80.Remainder(f.St(0), f.St(1), T.Nearest, ref ctx);
        if ((ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE)) != 0) { f.RaiseFlags(ctx.Raised); return; }
        f.Set(0, r.Value);
        int q = r.QuotientLow;
        ushort cc = r.Incomplete ? FpuState.SwC2 : (ushort)(((q & 4) != 0 ? FpuState.SwC0 : 0)
            | ((q & 2) != 0 ? FpuState.SwC3 : 0) | ((q & 1) != 0 ? FpuState.SwC1 : 0));
        f.SetConditionCodes(cc);
        f.RaiseFlags(ctx.Raised);
    }
}
