using System.Numerics;

namespace Emulator.Core.Cpu.X87;

// Rounding of an exact intermediate result to a destination format: the extended format at a
// precision-control width, or the double and single formats of FST. One routine serves all three
// so the x87's rules live in one place (SDM vol. 1, 4.8.4 rounding, 4.9.1.4 overflow, 4.9.1.5
// underflow, 8.5.4-8.5.6 for the x87's masked and unmasked responses).
public readonly partial struct Float80
{
    /// <summary>The exponent bias adjustment for unmasked overflow and underflow (SDM vol. 1, 8.5.4, 8.5.5).</summary>
    const int BiasAdjust = 24576;

    /// <summary>
    /// Rounds <paramref name="m"/> × 2^(<paramref name="exp"/> − bias − 127) (<paramref name="m"/> normalized,
    /// bit 127 set, or zero) to <paramref name="precision"/> significand bits in a format whose
    /// all-ones exponent is <paramref name="emax"/>. On return <paramref name="exp"/> is the biased exponent
    /// field (0 for a denormal, <paramref name="emax"/> for infinity) and <paramref name="m"/> holds the
    /// significand in its top bits (bit 127 = the integer bit). <paramref name="toRegister"/>: an unmasked
    /// overflow or underflow delivers the result with its exponent bias-adjusted by 24576 (only a register
    /// destination gets a result; a store to memory is suppressed by the caller).
    /// </summary>
    internal static void Round(bool sign, ref int exp, ref UInt128 m, int precision, int emax, ref FpuContext ctx, bool toRegister)
    {
        if (m == 0) { exp = 0; return; }
        int drop = 128 - precision;
        UInt128 lsb = (UInt128)1 << drop;
        UInt128 mask = lsb - 1;

        if (exp <= 0)
        {
            // Tininess is judged after rounding with an unbounded exponent (SDM vol. 1, 4.9.1.5): a value
            // just below the smallest normal that rounds up to it is not tiny.
            bool carries = (m | mask) == UInt128.MaxValue && Increment(sign, m & mask, lsb, (m & lsb) != 0, ctx.Rounding);
            bool tiny = exp < 0 || !carries;
            if (tiny && !ctx.IsMasked(FpuExceptions.UE) && toRegister)
            {
                ctx.Raised |= FpuExceptions.UE;
                exp += BiasAdjust;
            }
            else if (tiny)
            {
                // Masked (or a memory destination): denormalize, then round at the same bit position
                // (precision control keeps its mask for denormal results).
                if (!ctx.IsMasked(FpuExceptions.UE)) ctx.Raised |= FpuExceptions.UE;
                m = ShiftRightJam(m, 1 - exp);
                UInt128 low = m & mask;
                bool inc = Increment(sign, low, lsb, (m & lsb) != 0, ctx.Rounding);
                m &= ~mask;
                if (inc) m += lsb;
                exp = (m >> 127) != 0 ? 1 : 0;
                if (low != 0)
                {
                    // A masked underflow is reported only when the tiny result is also inexact (SDM vol. 1, 4.9.1.5).
                    ctx.Raised |= FpuExceptions.PE | FpuExceptions.UE;
                    ctx.RoundedUp = inc;
                }
                return;
            }
        }

        UInt128 rem = m & mask;
        bool up = Increment(sign, rem, lsb, (m & lsb) != 0, ctx.Rounding);
        m &= ~mask;
        if (up)
        {
            m += lsb;
            if (m == 0) { m = (UInt128)1 << 127; exp++; }
        }

        if (exp >= emax)
        {
            ctx.Raised |= FpuExceptions.OE;
            if (!ctx.IsMasked(FpuExceptions.OE) && toRegister)
            {
                exp -= BiasAdjust;
                if (rem != 0) { ctx.Raised |= FpuExceptions.PE; ctx.RoundedUp = up; }
                if (exp >= emax) { exp = emax; m = (UInt128)1 << 127; }
                return;
            }
            // Masked overflow: infinity or the largest finite value, by rounding mode and sign (SDM vol. 1, table 4-9).
            ctx.Raised |= FpuExceptions.PE;
            bool toInfinity = ctx.Rounding == RoundingMode.Nearest
                || (ctx.Rounding == RoundingMode.Up && !sign) || (ctx.Rounding == RoundingMode.Down && sign);
            if (toInfinity) { exp = emax; m = (UInt128)1 << 127; ctx.RoundedUp = true; }
            else { exp = emax - 1; m = ~mask; ctx.RoundedUp = false; }
            return;
        }
        if (rem != 0)
        {
            ctx.Raised |= FpuExceptions.PE;
            ctx.RoundedUp = up;
        }
    }

    /// <summary>Whether rounding adds one unit in the last kept place (SDM vol. 1, 4.8.4, table 4-8).</summary>
    static bool Increment(bool sign, UInt128 low, UInt128 lsb, bool lsbSet, RoundingMode mode) => mode switch
    {
        RoundingMode.Nearest => low > (lsb >> 1) || (low == (lsb >> 1) && lsbSet && low != 0),
        RoundingMode.Down => sign && low != 0,
        RoundingMode.Up => !sign && low != 0,
        _ => false,
    };

    /// <summary>Shifts right, ORing every bit shifted out into bit 0 (the sticky bit).</summary>
    internal static UInt128 ShiftRightJam(UInt128 m, int n)
    {
        if (n <= 0) return m;
        if (n >= 128) return m != 0 ? UInt128.One : UInt128.Zero;
        return (m >> n) | ((m << (128 - n)) != 0 ? 1u : 0u);
    }

    /// <summary>Normalizes <paramref name="m"/> (value m × 2^(exp − 16383 − 127)) and rounds it to an extended result.</summary>
    internal static Float80 NormalizeRoundPack(bool sign, int exp, UInt128 m, int precision, ref FpuContext ctx)
    {
        if (m == 0) return SignedZero(sign);
        int lz = (int)UInt128.LeadingZeroCount(m);
        m <<= lz;
        exp -= lz;
        Round(sign, ref exp, ref m, precision, MaxExponent, ref ctx, toRegister: true);
        return new Float80(sign, exp, (ulong)(m >> 64));
    }
}
