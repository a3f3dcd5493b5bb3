namespace Emulator.Core.Cpu.X87;

// FSCALE and FXTRACT (SDM vol. 2A): the exponent-manipulating operations libm builds on.
public readonly partial struct Float80
{
    /// <summary>
    /// FSCALE: <paramref name="x"/> × 2^trunc(<paramref name="scale"/>), rounded to 64 bits (precision control does
    /// not apply). The special cases follow the FSCALE page's table: 0 × 2^+∞ and ∞ × 2^−∞ are invalid.
    /// </summary>
    public static Float80 Scale(Float80 x, Float80 scale, ref FpuContext ctx)
    {
        if (PropagateNaN(x, scale, ref ctx, out var nan)) return nan;
        if ((x.IsZero && scale.IsInfinity && !scale.Sign) || (x.IsInfinity && scale.IsInfinity && scale.Sign)) return Invalid(ref ctx);
        CheckDenormal(x, scale, ref ctx);
        if (x.IsZero || x.IsInfinity) return x;
        if (scale.IsInfinity) return scale.Sign ? SignedZero(x.Sign) : Infinity(x.Sign);
        x.Unpack(out bool sign, out int e, out ulong sig);
        int n = TruncatedExponentArgument(scale);
        return NormalizeRoundPack(sign, e + n, (UInt128)sig << 64, 64, ref ctx);
    }

    /// <summary>trunc(<paramref name="s"/>) clamped to ±2^20, which already over- or underflows any operand.</summary>
    static int TruncatedExponentArgument(Float80 s)
    {
        if (s.IsZero) return 0;
        s.Unpack(out bool sign, out int e, out ulong sig);
        int u = e - Bias;
        int mag = u < 0 ? 0 : u >= 20 ? 1 << 20 : (int)(sig >> (63 - u));
        return sign ? -mag : mag;
    }

    /// <summary>
    /// FXTRACT: the unbiased exponent as a real and the significand with exponent 0 (SDM vol. 2A, FXTRACT).
    /// Zero gives −∞ and a zero-divide exception; infinity gives +∞ and the infinity; a NaN gives two NaNs.
    /// </summary>
    public static (Float80 Exponent, Float80 Significand) Extract(Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(x, x, ref ctx, out var nan)) return (nan, nan);
        if (x.IsZero)
        {
            ctx.Raised |= FpuExceptions.ZE;
            return (NegativeInfinity, x);
        }
        if (x.IsInfinity) return (PositiveInfinity, x);
        CheckDenormal(x, x, ref ctx);
        x.Unpack(out bool sign, out int e, out ulong sig);
        return (FromInt64(e - Bias), new Float80(sign, Bias, sig));
    }
}
