namespace Emulator.Core.Cpu.X87;

// The transcendental instructions' operand rules (SDM vol. 2A, the special-case tables of FSIN, FCOS,
// FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1); the finite cases go to TranscendentalSeries.
public readonly partial struct Float80
{
    /// <summary>The operand limit of FSIN, FCOS, FSINCOS and FPTAN: |x| &lt; 2^63, else C2 is set and ST(0) kept.</summary>
    public static bool TrigInRange(Float80 x) => !(x.Class is Float80Class.Normal or Float80Class.Denormal or Float80Class.PseudoDenormal)
        || x.Exponent - Bias < 63;

    /// <summary>sin, cos and tan of <paramref name="x"/> (within range). NaNs propagate; ∞ is invalid; ±0 gives ±0, 1, ±0.</summary>
    public static (Float80 Sin, Float80 Cos, Float80 Tan) Trig(Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(x, x, ref ctx, out var nan)) return (nan, nan, nan);
        if (x.IsInfinity) { var i = Invalid(ref ctx); return (i, i, i); }
        if (x.IsZero) return (x, One, x);
        CheckDenormal(x, x, ref ctx);
        var (s, c) = TranscendentalSeries.SinCos(x);
        var sctx = ctx; var cctx = ctx; var tctx = ctx;
        var sin = s.ToFloat80(ref sctx);
        var cos = c.ToFloat80(ref cctx);
        var tan = (s / c).ToFloat80(ref tctx);
        // The flags of whichever results the instruction delivers are merged by the caller through these.
        ctx.Raised |= sctx.Raised | cctx.Raised | tctx.Raised;
        ctx.RoundedUp = sctx.RoundedUp;
        return (sin, cos, tan);
    }

    /// <summary>F2XM1: 2^x − 1, for −1 ≤ x ≤ 1 (outside, the SDM leaves the result undefined; here it is still 2^x − 1).</summary>
    public static Float80 Exp2Minus1(Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(x, x, ref ctx, out var nan)) return nan;
        if (x.IsZero) return x;
        if (x.IsInfinity) return x.Sign ? One.Negate() : x;
        CheckDenormal(x, x, ref ctx);
        return TranscendentalSeries.Exp2Minus1(x).ToFloat80(ref ctx);
    }

    /// <summary>FYL2X: y × log2 x (SDM vol. 2A, FYL2X: x &lt; 0 and 0 × ∞ forms are invalid, log2 0 divides by zero).</summary>
    public static Float80 YLog2X(Float80 y, Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(y, x, ref ctx, out var nan)) return nan;
        if (x.Sign && !x.IsZero) return Invalid(ref ctx);
        if (x.IsZero)
        {
            if (y.IsZero) return Invalid(ref ctx);
            // The zero divide outranks a denormal y (no DE), as on the host x87.
            if (!y.IsInfinity) ctx.Raised |= FpuExceptions.ZE;
            return Infinity(!y.Sign);
        }
        bool xIsOne = x == One;
        if (x.IsInfinity)
        {
            if (y.IsZero) return Invalid(ref ctx);
            CheckDenormal(y, y, ref ctx);
            return Infinity(y.Sign);
        }
        CheckDenormal(x, y, ref ctx);
        bool below1 = !xIsOne && Compare(x, One, true, ref ctx) == FpuComparison.Less;
        if (xIsOne) return y.IsInfinity ? Invalid(ref ctx) : SignedZero(y.Sign);
        if (y.IsInfinity) return Infinity(y.Sign ^ below1);
        if (y.IsZero) return SignedZero(y.Sign ^ below1);
        var l = TranscendentalSeries.Log2(x, out bool exact);
        return (WideReal.FromFloat80(y) * l).ToFloat80(ref ctx, inexact: !exact);
    }

    /// <summary>FYL2XP1: y × log2(x + 1), accurate for x near 0 (defined for |x| &lt; 1 − √2/2).</summary>
    public static Float80 YLog2XPlus1(Float80 y, Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(y, x, ref ctx, out var nan)) return nan;
        if (x.IsZero)
        {
            if (y.IsInfinity) return Invalid(ref ctx);
            CheckDenormal(y, y, ref ctx);
            return SignedZero(x.Sign ^ y.Sign);
        }
        if (x.IsInfinity)
        {
            // log2(+∞) = +∞ (the x87 computes it although +∞ is outside the documented range); 0 × ∞ and −∞ are invalid.
            if (x.Sign || y.IsZero) return Invalid(ref ctx);
            CheckDenormal(y, y, ref ctx);
            return Infinity(y.Sign);
        }
        if (Compare(x, One.Negate(), true, ref ctx) != FpuComparison.Greater) return Invalid(ref ctx);
        if (y.IsZero) return SignedZero(x.Sign ^ y.Sign);
        if (y.IsInfinity) return Infinity(x.Sign ^ y.Sign);
        CheckDenormal(x, y, ref ctx);
        return (WideReal.FromFloat80(y) * TranscendentalSeries.Log2OnePlus(x)).ToFloat80(ref ctx);
    }

    /// <summary>FPATAN: the angle of the point (x, y), in (−π, π] (SDM vol. 2A, FPATAN table of zeros and infinities).</summary>
    public static Float80 Atan2(Float80 y, Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(y, x, ref ctx, out var nan)) return nan;
        CheckDenormal(x, y, ref ctx);
        var pi = TranscendentalSeries.PiValue;
        WideReal angle;
        if (y.IsZero)
        {
            if (!x.Sign) return y;                                  // ±0 for x ≥ +0
            angle = pi;
        }
        else if (x.IsZero || (y.IsInfinity && !x.IsInfinity)) angle = TranscendentalSeries.HalfPi;
        else if (x.IsInfinity)
        {
            if (!y.IsInfinity) { if (!x.Sign) return SignedZero(y.Sign); angle = pi; }
            else angle = x.Sign ? pi * WideReal.FromInt(3) / 4 : pi / 4;
        }
        else return TranscendentalSeries.Atan2(y, x).ToFloat80(ref ctx);
        return (y.Sign ? -angle : angle).ToFloat80(ref ctx);
    }
}
