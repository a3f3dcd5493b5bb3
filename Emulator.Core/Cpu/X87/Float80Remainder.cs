namespace Emulator.Core.Cpu.X87;

/// <summary>The outcome of FPREM/FPREM1: the (partial) remainder, the low three quotient bits, and whether the reduction is incomplete (C2).</summary>
public readonly record struct PartialRemainder(Float80 Value, int QuotientLow, bool Incomplete);

public readonly partial struct Float80
{
    /// <summary>
    /// FPREM (<paramref name="nearest"/> false: the quotient truncated, as the 8087 defined it) and FPREM1 (IEEE
    /// remainder: the quotient rounded to nearest even) of <paramref name="a"/> by <paramref name="b"/> (SDM vol. 2A).
    /// The remainder is exact. When the exponents differ by 64 or more the reduction is partial: the quotient is
    /// formed only down to 2^(D−N) with N = 32 + D mod 32 (the bound AMD documents; Intel's manual allows 32..63),
    /// and C2 tells software to repeat.
    /// </summary>
    public static PartialRemainder Remainder(Float80 a, Float80 b, bool nearest, ref FpuContext ctx)
    {
        if (PropagateNaN(a, b, ref ctx, out var nan)) return new(nan, 0, false);
        if (a.IsInfinity || b.IsZero) return new(Invalid(ref ctx), 0, false);
        CheckDenormal(a, b, ref ctx);
        // The dividend comes back unchanged, except that a pseudo-denormal is rewritten in normal form (exponent 1).
        if (a.IsZero || b.IsInfinity) return new(a.Class == Float80Class.PseudoDenormal ? new Float80(a.Sign, 1, a.Significand) : a, 0, false);
        a.Unpack(out bool sign, out int ea, out ulong ma);
        b.Unpack(out _, out int eb, out ulong mb);
        int d = ea - eb;
        if (d >= 64)
        {
            int n = 32 + d % 32;
            UInt128 r = ((UInt128)ma << n) % mb;
            return new(NormalizeRoundPack(sign, ea - n, r << 64, 64, ref ctx), 0, true);
        }
        UInt128 q, rem;
        int remExp;
        if (d >= 0)
        {
            UInt128 x = (UInt128)ma << d;
            q = x / mb;
            rem = x % mb;
            remExp = eb;
            if (nearest)
            {
                UInt128 twice = rem << 1;
                if (twice > mb || (twice == mb && (q & 1) != 0))
                {
                    q++;
                    rem = mb - rem;
                    sign = !sign;
                }
            }
        }
        else
        {
            // |a| < |b|: FPREM keeps a; FPREM1 subtracts b once when |a| is more than half of |b|.
            q = 0;
            rem = ma;
            remExp = ea;
            if (nearest && d == -1)
            {
                UInt128 bAtA = (UInt128)mb << 1;          // b at a's exponent
                if ((UInt128)ma << 1 > bAtA)
                {
                    q = 1;
                    rem = bAtA - ma;
                    sign = !sign;
                }
            }
        }
        var value = rem == 0 ? SignedZero(a.Sign) : NormalizeRoundPack(sign, remExp, rem << 64, 64, ref ctx);
        return new(value, (int)(q & 7), false);
    }
}
