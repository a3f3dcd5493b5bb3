using System.Numerics;

namespace Emulator.Core.Cpu.X87;

/// <summary>
/// A binary floating-point number with a 512-bit significand (m × 2^e, m a signed BigInteger), the working
/// precision of the transcendental instructions: series are summed far beyond the 64 bits of the result, so
/// one final rounding (with the bits below as sticky) lands within one unit in the last place.
/// </summary>
internal readonly struct WideReal
{
    public const int Precision = 512;

    public readonly BigInteger M;
    public readonly int E;

    public WideReal(BigInteger m, int e)
    {
        long excess = (long)m.GetBitLength() - Precision;
        if (excess > 0) { m >>= (int)excess; e += (int)excess; }   // truncation: far below the result's last place
        M = m;
        E = e;
    }

    public static WideReal FromInt(long v) => new(v, 0);

    public static WideReal FromFloat80(Float80 x)
    {
        if (x.IsZero) return new(BigInteger.Zero, 0);
        x.Unpack(out bool sign, out int e, out ulong sig);
        var m = new BigInteger(sig);
        return new(sign ? -m : m, e - Float80.Bias - 63);
    }

    public bool IsZero => M.IsZero;
    public int Sign => M.Sign;
    /// <summary>floor(log2 |x|) for non-zero x.</summary>
    public long Magnitude => (long)BigInteger.Abs(M).GetBitLength() - 1 + E;

    public static WideReal operator -(WideReal a) => new(-a.M, a.E);

    public static WideReal operator +(WideReal a, WideReal b)
    {
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        if (a.E < b.E) (a, b) = (b, a);
        // b is the one with the lower exponent; if it lies entirely below a's precision it cannot matter.
        if (a.Magnitude - b.Magnitude > Precision + 64) return a;
        return new((a.M << (a.E - b.E)) + b.M, b.E);
    }

    public static WideReal operator -(WideReal a, WideReal b) => a + -b;
    public static WideReal operator *(WideReal a, WideReal b) => new(a.M * b.M, a.E + b.E);

    public static WideReal operator /(WideReal a, WideReal b)
    {
        if (a.IsZero) return a;
        int s = Precision + (int)BigInteger.Abs(b.M).GetBitLength() - (int)BigInteger.Abs(a.M).GetBitLength() + 2;
        if (s < 0) s = 0;
        return new((a.M << s) / b.M, a.E - b.E - s);
    }

    public static WideReal operator /(WideReal a, long d) => a / FromInt(d);

    /// <summary>The nearest integer (ties away from zero: only used where ties cannot occur).</summary>
    public BigInteger RoundToInteger()
    {
        if (E >= 0) return M << E;
        var half = BigInteger.One << (-E - 1);
        return M.Sign >= 0 ? (M + half) >> -E : -((-M + half) >> -E);
    }

    /// <summary>
    /// Rounds to an extended value. A series sum is never exact, so by default the bits beyond the working
    /// precision count as inexact; <paramref name="inexact"/> false is for results known to be exact.
    /// </summary>
    public Float80 ToFloat80(ref FpuContext ctx, bool inexact = true, int precision = 64)
    {
        if (IsZero) return Float80.Zero;
        bool sign = M.Sign < 0;
        var mag = BigInteger.Abs(M);
        int len = (int)mag.GetBitLength();
        UInt128 m;
        if (len > 128)
        {
            var low = mag & ((BigInteger.One << (len - 128)) - 1);
            m = (UInt128)(mag >> (len - 128));
            if (inexact || !low.IsZero) m |= 1;
        }
        else m = (UInt128)mag << (128 - len) | (inexact ? UInt128.One : UInt128.Zero);
        long exp = (long)E + len + Float80.Bias - 1;
        exp = Math.Clamp(exp, -1_000_000, 1_000_000);
        return Float80.NormalizeRoundPack(sign, (int)exp, m, precision, ref ctx);
    }
}
