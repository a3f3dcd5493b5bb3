using System.Numerics;

namespace Emulator.Core.Cpu.X87;

// Conversions between the extended format and the memory formats FLD/FST/FILD/FIST use
// (SDM vol. 1, 4.2 and 8.2; FST/FIST/FISTTP in vol. 2A). Loads of 32/64-bit reals and of
// integers are exact; stores round by the RC field and the destination's range.
public readonly partial struct Float80
{
    public static Float80 FromInt64(long v)
    {
        if (v == 0) return Zero;
        bool sign = v < 0;
        ulong mag = sign ? (ulong)-(v + 1) + 1 : (ulong)v;
        int lz = BitOperations.LeadingZeroCount(mag);
        return new Float80(sign, Bias + 63 - lz, mag << lz);
    }

    /// <summary>FLD m64fp: exact; a denormal source raises DE, an SNaN raises IE and is quieted.</summary>
    public static Float80 FromDouble(ulong bits, ref FpuContext ctx) => FromIeee(bits, 52, 11, 1023, ref ctx);

    /// <summary>FLD m32fp.</summary>
    public static Float80 FromSingle(uint bits, ref FpuContext ctx) => FromIeee(bits, 23, 8, 127, ref ctx);

    static Float80 FromIeee(ulong bits, int fracBits, int expBits, int bias, ref FpuContext ctx)
    {
        bool sign = (bits >> (fracBits + expBits) & 1) != 0;
        int emax = (1 << expBits) - 1;
        int e = (int)(bits >> fracBits) & emax;
        ulong frac = bits & ((1UL << fracBits) - 1);
        int shift = 63 - fracBits;
        if (e == emax)
        {
            if (frac == 0) return Infinity(sign);
            var nan = new Float80(sign, MaxExponent, IntegerBit | frac << shift);
            if (nan.IsSignalingNaN) { ctx.Raised |= FpuExceptions.IE; nan = nan.Quieted(); }
            return nan;
        }
        if (e == 0)
        {
            if (frac == 0) return SignedZero(sign);
            ctx.Raised |= FpuExceptions.DE;
            int lz = BitOperations.LeadingZeroCount(frac << shift);
            return new Float80(sign, Bias - bias + 1 - lz, frac << shift << lz);
        }
        return new Float80(sign, e - bias + Bias, IntegerBit | frac << shift);
    }

    /// <summary>FST m64fp: rounded by RC to 53 bits and the double range.</summary>
    public static ulong ToDouble(Float80 x, ref FpuContext ctx) => ToIeee(x, 52, 11, 1023, ref ctx);

    /// <summary>FST m32fp: rounded by RC to 24 bits and the single range.</summary>
    public static uint ToSingle(Float80 x, ref FpuContext ctx) => (uint)ToIeee(x, 23, 8, 127, ref ctx);

    static ulong ToIeee(Float80 x, int fracBits, int expBits, int bias, ref FpuContext ctx)
    {
        int emax = (1 << expBits) - 1;
        ulong signBit = x.Sign ? 1UL << (fracBits + expBits) : 0;
        ulong fracMask = (1UL << fracBits) - 1;
        switch (x.Class)
        {
            case Float80Class.Unsupported:
                ctx.Raised |= FpuExceptions.IE;
                return 1UL << (fracBits + expBits) | (ulong)emax << fracBits | 1UL << (fracBits - 1);
            case Float80Class.SignalingNaN:
            case Float80Class.QuietNaN:
                if (x.IsSignalingNaN) ctx.Raised |= FpuExceptions.IE;
                // The significand's top fraction bits are kept and the NaN made quiet (SDM vol. 1, 4.8.3.4).
                return signBit | (ulong)emax << fracBits | ((x.Significand << 1) >> (64 - fracBits)) | 1UL << (fracBits - 1);
            case Float80Class.Infinity:
                return signBit | (ulong)emax << fracBits;
            case Float80Class.Zero:
                return signBit;
        }
        // No denormal-operand exception: FST's only exceptions are IS, IA, U, O and P (SDM vol. 2A, FST/FSTP).
        x.Unpack(out bool sign, out int e, out ulong sig);
        int exp = e - Bias + bias;
        UInt128 m = (UInt128)sig << 64;
        Round(sign, ref exp, ref m, fracBits + 1, emax, ref ctx, toRegister: false);
        return signBit | (ulong)exp << fracBits | ((ulong)(m >> (127 - fracBits)) & fracMask);
    }

    /// <summary>
    /// FRNDINT: rounds to an integral value by the RC field, ignoring precision control
    /// (SDM vol. 2A, FRNDINT). PE when the value changed; C1 when it rounded up in magnitude.
    /// </summary>
    public static Float80 RoundToIntegral(Float80 x, ref FpuContext ctx)
    {
        if (PropagateNaN(x, x, ref ctx, out var nan)) return nan;
        if (x.IsZero || x.IsInfinity) return x;
        CheckDenormal(x, x, ref ctx);
        x.Unpack(out bool sign, out int e, out ulong sig);
        if (e - Bias >= 63) return x;
        UInt128 i = RoundInteger(sign, e, sig, ctx.Rounding, ref ctx);
        if (i == 0) return SignedZero(sign);
        int lz = BitOperations.LeadingZeroCount((ulong)i);
        return new Float80(sign, Bias + 63 - lz, (ulong)i << lz);
    }

    /// <summary>
    /// FIST/FISTP (RC rounding) and FISTTP (truncation) to a <paramref name="bits"/>-bit signed integer.
    /// NaNs, infinities, unsupported formats and out-of-range values raise IE and give the integer
    /// indefinite, the most negative value (SDM vol. 1, 4.8.3.7, 8.5.1.3 and table 8-10).
    /// </summary>
    public static long ToInteger(Float80 x, int bits, RoundingMode mode, ref FpuContext ctx)
    {
        long indefinite = bits == 64 ? long.MinValue : -(1L << (bits - 1));
        switch (x.Class)
        {
            case Float80Class.Zero: return 0;
            case Float80Class.Infinity:
            case Float80Class.QuietNaN:
            case Float80Class.SignalingNaN:
            case Float80Class.Unsupported:
                ctx.Raised |= FpuExceptions.IE;
                return indefinite;
        }
        // FIST/FISTP/FISTTP/FBSTP signal no denormal-operand exception (SDM vol. 2A, their exception lists).
        x.Unpack(out bool sign, out int e, out ulong sig);
        if (e - Bias >= 64) { ctx.Raised |= FpuExceptions.IE; return indefinite; }
        var trial = ctx;
        UInt128 i = e - Bias == 63 ? sig : RoundInteger(sign, e, sig, mode, ref trial);
        UInt128 limit = sign ? (UInt128)1 << (bits - 1) : ((UInt128)1 << (bits - 1)) - 1;
        if (i > limit)
        {
            // An out-of-range result is an invalid operation, not an inexact one.
            ctx.Raised |= FpuExceptions.IE;
            return indefinite;
        }
        ctx = trial;
        return sign ? (long)(0 - (ulong)i) : (long)(ulong)i;
    }

    /// <summary>The integer nearest <paramref name="sig"/> × 2^(e − 16383 − 63) in <paramref name="mode"/>, for exponents below 2^63.</summary>
    static UInt128 RoundInteger(bool sign, int e, ulong sig, RoundingMode mode, ref FpuContext ctx)
    {
        int u = e - Bias;                      // value = sig × 2^(u − 63), u < 63
        UInt128 m = (UInt128)sig << 64;         // value = m × 2^(u − 127)
        int fracBits = 127 - u;
        UInt128 ip, low, half;
        bool lsbSet;
        if (fracBits > 128)
        {
            // |x| < 1/2: the fraction lies strictly between 0 and one half.
            ip = 0; low = 1; half = 2; lsbSet = false;
        }
        else if (fracBits == 128)
        {
            ip = 0; low = m; half = (UInt128)1 << 127; lsbSet = false;
        }
        else
        {
            ip = m >> fracBits;
            low = m & (((UInt128)1 << fracBits) - 1);
            half = (UInt128)1 << (fracBits - 1);
            lsbSet = (ip & 1) != 0;
        }
        if (low == 0) return ip;
        bool inc = mode switch
        {
            RoundingMode.Nearest => low > half || (low == half && lsbSet),
            RoundingMode.Down => sign,
            RoundingMode.Up => !sign,
            _ => false,
        };
        ctx.Raised |= FpuExceptions.PE;
        ctx.RoundedUp = inc;
        return inc ? ip + 1 : ip;
    }
}
