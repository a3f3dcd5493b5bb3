using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// Transcendental instructions (SDM vol. 1, 8.3.9 and 8.3.10; vol. 2A per instruction).
internal static unsafe partial class X87
{
    static void RegisterTranscendental()
    {
        InstructionTable.Set(Code.Fsin, &Trig<SinKind>);
        InstructionTable.Set(Code.Fcos, &Trig<CosKind>);
        InstructionTable.Set(Code.Fsincos, &Fsincos);
        InstructionTable.Set(Code.Fptan, &Fptan);
        InstructionTable.Set(Code.F2xm1, &Unary<Exp2Minus1Op>);
        InstructionTable.Set(Code.Fyl2x, &BinaryPop<YLog2XOp>);
        InstructionTable.Set(Code.Fyl2xp1, &BinaryPop<YLog2XPlus1Op>);
        InstructionTable.Set(Code.Fpatan, &BinaryPop<AtanOp>);
    }

    struct Exp2Minus1Op : IUnary { public static Float80 Apply(Float80 x, ref FpuContext ctx) => Float80.Exp2Minus1(x, ref ctx); }

    /// <summary>f(ST(1), ST(0)) → ST(1), then pop.</summary>
    interface IBinaryPop { static abstract Float80 Apply(Float80 st1, Float80 st0, ref FpuContext ctx); }
    struct YLog2XOp : IBinaryPop { public static Float80 Apply(Float80 y, Float80 x, ref FpuContext ctx) => Float80.YLog2X(y, x, ref ctx); }
    struct YLog2XPlus1Op : IBinaryPop { public static Float80 Apply(Float80 y, Float80 x, ref FpuContext ctx) => Float80.YLog2XPlus1(y, x, ref ctx); }
    struct AtanOp : IBinaryPop { public static Float80 Apply(Float80 y, Float80 x, ref FpuContext ctx) => Float80.Atan2(y, x, ref ctx); }

    static void BinaryPop<T>(Cpu c, ref DecodedOp op) where T : IBinaryPop
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0) || f.IsEmpty(1)) { Underflow(c, 1, 1); return; }
        var ctx = Context(c);
        ctx.Precision = 64;
        var r = T.Apply(f.St(1), f.St(0), ref ctx);
        Deliver(c, 1, r, ref ctx, 1);
    }

    interface ITrigKind { static abstract bool Cosine { get; } }
    struct SinKind : ITrigKind { public static bool Cosine => false; }
    struct CosKind : ITrigKind { public static bool Cosine => true; }

    /// <summary>Sets C2 when the operand is beyond ±2^63 (ST(0) unchanged) and reports whether to go on.</summary>
    static bool TrigOperandInRange(FpuState f)
    {
        bool inRange = Float80.TrigInRange(f.St(0));
        f.Status = (ushort)(inRange ? f.Status & ~FpuState.SwC2 : f.Status | FpuState.SwC2);
        return inRange;
    }

    static void Trig<T>(Cpu c, ref DecodedOp op) where T : ITrigKind
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, 0, 0); return; }
        if (!TrigOperandInRange(f)) return;
        var ctx = Context(c);
        var (sin, cos, _) = Float80.Trig(f.St(0), ref ctx);
        Deliver(c, 0, T.Cosine ? cos : sin, ref ctx, 0);
    }

    /// <summary>FSINCOS: ST(0) ← sin, then cos is pushed.</summary>
    static void Fsincos(Cpu c, ref DecodedOp op) => TrigAndPush(c, ref op, tangent: false);

    /// <summary>FPTAN: ST(0) ← tan, then 1.0 is pushed (for compatibility with the 8087's FPTAN).</summary>
    static void Fptan(Cpu c, ref DecodedOp op) => TrigAndPush(c, ref op, tangent: true);

    static void TrigAndPush(Cpu c, ref DecodedOp op, bool tangent)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0))
        {
            bool masked = Masked(c, FpuExceptions.IE);
            Underflow(c, 0, 0);
            if (masked && !PushOverflows(f)) f.Push(Float80.Indefinite);
            return;
        }
        if (PushOverflows(f)) { Overflow(c); return; }
        if (!TrigOperandInRange(f)) return;
        var ctx = Context(c);
        var (sin, cos, tan) = Float80.Trig(f.St(0), ref ctx);
        if ((ctx.Raised & ~ctx.Masks & (FpuExceptions.IE | FpuExceptions.DE)) == 0)
        {
            f.Set(0, tangent ? tan : sin);
            f.Push(tangent ? (tan.IsNaN ? tan : Float80.One) : cos);
        }
        SetC1(f, (ctx.Raised & FpuExceptions.PE) != 0 && ctx.RoundedUp);
        f.RaiseFlags(ctx.Raised);
    }
}
