using System.Numerics;

namespace Emulator.Core.Cpu.X87;

/// <summary>
/// The transcendental instructions' mathematics (SDM vol. 2A: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1,
/// FYL2X, FYL2XP1), computed in <see cref="WideReal"/> (512 bits) from the exact operand and rounded once,
/// so results are within one unit in the last place of the true value. (Real x87s reduce FSIN/FCOS/FPTAN
/// arguments with a 66-bit π and are less accurate for large arguments; this follows the issue's
/// "within 1 ulp of the true value".) Special operands are handled in Float80Transcendentals.cs.
/// </summary>
internal static class TranscendentalSeries
{
    static readonly WideReal Ln2 = ComputeLn2();
    static readonly WideReal Pi = ComputePi();
    public static WideReal HalfPi => new(Pi.M, Pi.E - 1);

    /// <summary>ln 2 = 2 atanh(1/3).</summary>
    static WideReal ComputeLn2()
    {
        var t = WideReal.FromInt(1) / 3;
        var r = Atanh(t);
        return new(r.M, r.E + 1);
    }

    /// <summary>Machin: π = 16 atan(1/5) − 4 atan(1/239).</summary>
    static WideReal ComputePi()
    {
        var a = AtanSmall(WideReal.FromInt(1) / 5);
        var b = AtanSmall(WideReal.FromInt(1) / 239);
        return new WideReal(a.M, a.E + 4) - new WideReal(b.M, b.E + 2);
    }

    /// <summary>atanh(t) = Σ t^(2n+1)/(2n+1), for |t| ≤ 1/3 or so.</summary>
    static WideReal Atanh(WideReal t)
    {
        var t2 = t * t;
        var power = t;
        var sum = t;
        for (int n = 1; n < 400; n++)
        {
            power *= t2;
            if (power.IsZero || sum.Magnitude - power.Magnitude > WideReal.Precision + 8) break;
            sum += power / (2 * n + 1);
        }
        return sum;
    }

    /// <summary>Euler's series: atan(t) = t/(1+t²) Σ (2^2n (n!)²/(2n+1)!) (t²/(1+t²))^n, for |t| ≤ 1.</summary>
    static WideReal AtanSmall(WideReal t)
    {
        if (t.IsZero) return t;
        var one = WideReal.FromInt(1);
        var t2 = t * t;
        var z = t2 / (one + t2);
        var term = one;
        var sum = one;
        for (int n = 1; n < 2000; n++)
        {
            term = term * z * WideReal.FromInt(2 * n) / (2 * n + 1);
            if (term.IsZero || sum.Magnitude - term.Magnitude > WideReal.Precision + 8) break;
            sum += term;
        }
        return t / (one + t2) * sum;
    }

    /// <summary>atan(t) for t ≥ 0 of any size: π/2 − atan(1/t) above 1.</summary>
    static WideReal AtanNonNegative(WideReal t) =>
        t.Magnitude >= 0 && (t - WideReal.FromInt(1)).Sign > 0 ? HalfPi - AtanSmall(WideReal.FromInt(1) / t) : AtanSmall(t);

    static (WideReal Sin, WideReal Cos) SinCosReduced(WideReal r)
    {
        var r2 = r * r;
        var sinTerm = r;
        var sin = r;
        var cosTerm = WideReal.FromInt(1);
        var cos = cosTerm;
        for (int i = 1; i < 200; i++)
        {
            sinTerm = -(sinTerm * r2) / ((2L * i) * (2L * i + 1));
            cosTerm = -(cosTerm * r2) / ((2L * i - 1) * (2L * i));
            bool sinDone = sinTerm.IsZero || sin.Magnitude - sinTerm.Magnitude > WideReal.Precision + 8;
            bool cosDone = cosTerm.IsZero || cos.Magnitude - cosTerm.Magnitude > WideReal.Precision + 8;
            if (!sinDone) sin += sinTerm;
            if (!cosDone) cos += cosTerm;
            if (sinDone && cosDone) break;
        }
        return (sin, cos);
    }

    /// <summary>sin x and cos x for a finite x with |x| &lt; 2^63: reduce by the nearest multiple of π/2.</summary>
    public static (WideReal Sin, WideReal Cos) SinCos(Float80 x)
    {
        var X = WideReal.FromFloat80(x);
        BigInteger k = (X / HalfPi).RoundToInteger();
        var r = X - HalfPi * new WideReal(k, 0);
        var (s, c) = SinCosReduced(r);
        return (int)(k & 3) switch
        {
            0 => (s, c),
            1 => (c, -s),
            2 => (-s, -c),
            _ => (-c, s),
        };
    }

    /// <summary>2^x − 1 = expm1(x ln 2).</summary>
    public static WideReal Exp2Minus1(Float80 x)
    {
        var y = WideReal.FromFloat80(x) * Ln2;
        var term = y;
        var sum = y;
        for (int i = 2; i < 400; i++)
        {
            term = term * y / i;
            if (term.IsZero || sum.Magnitude - term.Magnitude > WideReal.Precision + 8) break;
            sum += term;
        }
        return sum;
    }

    /// <summary>log2 x for finite x &gt; 0: the exponent plus log2 of a significand kept within [√½, √2).</summary>
    public static WideReal Log2(Float80 x, out bool exact)
    {
        x.Unpack(out _, out int e, out ulong sig);
        long k = e - Float80.Bias;
        var m = new WideReal(new BigInteger(sig), -63);
        if (sig > 0xB504_F333_F9DE_6484UL) { m = new WideReal(m.M, m.E - 1); k++; }   // above √2: halve
        exact = sig == Float80.IntegerBit;
        if (exact) return WideReal.FromInt(k);
        var one = WideReal.FromInt(1);
        var lnM = Atanh((m - one) / (m + one));
        lnM = new WideReal(lnM.M, lnM.E + 1);
        return WideReal.FromInt(k) + lnM / Ln2;
    }

    /// <summary>log2(1 + x) = 2 atanh(x / (2 + x)) / ln 2, accurate for small x.</summary>
    public static WideReal Log2OnePlus(Float80 x)
    {
        var X = WideReal.FromFloat80(x);
        var r = Atanh(X / (WideReal.FromInt(2) + X));
        return new WideReal(r.M, r.E + 1) / Ln2;
    }

    /// <summary>atan2(y, x) for finite non-zero y and x.</summary>
    public static WideReal Atan2(Float80 y, Float80 x)
    {
        var t = WideReal.FromFloat80(y.Abs()) / WideReal.FromFloat80(x.Abs());
        var a = AtanNonNegative(t);
        if (x.Sign) a = Pi - a;
        return y.Sign ? -a : a;
    }

    public static WideReal PiValue => Pi;
}
