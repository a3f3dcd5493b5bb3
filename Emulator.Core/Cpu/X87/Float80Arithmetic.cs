namespace Emulator.Core.Cpu.X87;

// Add, subtract, multiply, divide and square root on the integer fields, exact to the
// intermediate and then rounded once (SDM vol. 1, 4.8.4: "as if computed to infinite precision").
// Operand checks follow the x87's priority (SDM vol. 1, 4.9.2): NaN and unsupported operands,
// then other invalid operations, then denormal operands, then the result exceptions.
public readonly partial struct Float80
{
    public static Float80 Add(Float80 a, Float80 b, ref FpuContext ctx) => AddSigned(a, b, false, ref ctx);

    public static Float80 Subtract(Float80 a, Float80 b, ref FpuContext ctx) => AddSigned(a, b, true, ref ctx);

    static Float80 AddSigned(Float80 a, Float80 b, bool negateB, ref FpuContext ctx)
    {
        if (PropagateNaN(a, b, ref ctx, out var nan)) return nan;
        bool bSign = b.Sign ^ negateB;
        if (a.IsInfinity && b.IsInfinity && a.Sign != bSign) return Invalid(ref ctx);
        CheckDenormal(a, b, ref ctx);
        if (a.IsInfinity) return a;
        if (b.IsInfinity) return Infinity(bSign);

        a.Unpack(out bool sa, out int ea, out ulong ma);
        b.Unpack(out _, out int eb, out ulong mb);
        bool sb = bSign;
        bool downZero = ctx.Rounding == RoundingMode.Down;
        if (ma == 0 && mb == 0) return SignedZero(sa == sb ? sa : downZero);
        if (ma == 0) return NormalizeRoundPack(sb, eb, (UInt128)mb << 64, ctx.Precision, ref ctx);
        if (mb == 0) return NormalizeRoundPack(sa, ea, (UInt128)ma << 64, ctx.Precision, ref ctx);

        if (ea < eb || (ea == eb && ma < mb))
        {
            (sa, sb) = (sb, sa);
            (ea, eb) = (eb, ea);
            (ma, mb) = (mb, ma);
        }
        // Bit 126 holds the integer bit: room for the carry above and 63 guard bits below.
        UInt128 x = (UInt128)ma << 63;
        UInt128 y = ShiftRightJam((UInt128)mb << 63, ea - eb);
        UInt128 r;
        if (sa == sb) r = x + y;
        else
        {
            r = x - y;
            // An exact zero difference is +0, or −0 when rounding toward −∞ (SDM vol. 1, 4.8.3.1, table 4-11).
            if (r == 0) return SignedZero(downZero);
        }
        return NormalizeRoundPack(sa, ea + 1, r, ctx.Precision, ref ctx);
    }

    public static Float80 Multiply(Float80 a, Float80 b, ref FpuContext ctx)
    {
        if (PropagateNaN(a, b, ref ctx, out var nan)) return nan;
        bool sign = a.Sign ^ b.Sign;
        if ((a.IsInfinity && b.IsZero) || (a.IsZero && b.IsInfinity)) return Invalid(ref ctx);
        CheckDenormal(a, b, ref ctx);
        if (a.IsInfinity || b.IsInfinity) return Infinity(sign);
        a.Unpack(out _, out int ea, out ulong ma);
        b.Unpack(out _, out int eb, out ulong mb);
        if (ma == 0 || mb == 0) return SignedZero(sign);
        return NormalizeRoundPack(sign, ea + eb - Bias + 1, (UInt128)ma * mb, ctx.Precision, ref ctx);
    }

    public static Float80 Divide(Float80 a, Float80 b, ref FpuContext ctx)
    {
        if (PropagateNaN(a, b, ref ctx, out var nan)) return nan;
        bool sign = a.Sign ^ b.Sign;
        if ((a.IsZero && b.IsZero) || (a.IsInfinity && b.IsInfinity)) return Invalid(ref ctx);
        if (b.IsZero && !a.IsInfinity)
        {
            // Zero divide: a finite non-zero dividend over zero (SDM vol. 1, 4.9.1.3). It outranks the
            // denormal-operand exception: a denormal dividend over zero raises ZE alone (as the host x87 does).
            ctx.Raised |= FpuExceptions.ZE;
            return Infinity(sign);
        }
        CheckDenormal(a, b, ref ctx);
        if (a.IsInfinity) return Infinity(sign);
        if (b.IsInfinity) return SignedZero(sign);
        if (a.IsZero) return SignedZero(sign);
        a.Unpack(out _, out int ea, out ulong ma);
        b.Unpack(out _, out int eb, out ulong mb);
        // Long division in two 64-bit steps: 128 quotient bits, then the remainder as the sticky bit.
        UInt128 num = (UInt128)ma << 63;
        UInt128 q1 = num / mb;
        UInt128 r1 = num % mb;
        UInt128 q2 = (r1 << 64) / mb;
        UInt128 r2 = (r1 << 64) % mb;
        UInt128 q = (q1 << 64) | q2 | (r2 != 0 ? 1u : 0u);
        return NormalizeRoundPack(sign, ea - eb + Bias, q, ctx.Precision, ref ctx);
    }

    public static Float80 Sqrt(Float80 a, ref FpuContext ctx)
    {
        if (PropagateNaN(a, a, ref ctx, out var nan)) return nan;
        if (a.IsZero) return a;                                   // √−0 = −0
        if (a.Sign) return Invalid(ref ctx);                      // negative non-zero, including −∞ and −denormal
        CheckDenormal(a, a, ref ctx);
        if (a.IsInfinity) return a;
        a.Unpack(out _, out int e, out ulong sig);
        // value = sig × 2^(x − 63); shift sig by 63 or 64 so the remaining power of two is even.
        int x = e - Bias;
        int s = ((x - 63 - 63) & 1) == 0 ? 63 : 64;
        UInt128 n = (UInt128)sig << s;
        UInt128 root = ISqrt(n, out UInt128 rem);
        // Two more root bits (digit by digit), then the remainder as the sticky bit.
        for (int i = 0; i < 2; i++)
        {
            UInt128 t = (root << 2) + 1;
            rem <<= 2;
            if (rem >= t) { rem -= t; root = (root << 1) | 1; }
            else root <<= 1;
        }
        UInt128 m = (root << 62) | (rem != 0 ? 1u : 0u);
        return NormalizeRoundPack(false, ((x - 63 - s) >> 1) + 63 + Bias, m, ctx.Precision, ref ctx);
    }

    /// <summary>The integer square root and its remainder, bit by bit.</summary>
    static UInt128 ISqrt(UInt128 n, out UInt128 rem)
    {
        UInt128 res = 0;
        UInt128 bit = (UInt128)1 << 126;
        while (bit > n) bit >>= 2;
        while (bit != 0)
        {
            if (n >= res + bit) { n -= res + bit; res = (res >> 1) + bit; }
            else res >>= 1;
            bit >>= 2;
        }
        rem = n;
        return res;
    }

    /// <summary>A masked invalid operation yields the real indefinite (SDM vol. 1, 4.9.1.1).</summary>
    internal static Float80 Invalid(ref FpuContext ctx)
    {
        ctx.Raised |= FpuExceptions.IE;
        return Indefinite;
    }

    internal static void CheckDenormal(Float80 a, Float80 b, ref FpuContext ctx)
    {
        if (a.IsDenormal || b.IsDenormal) ctx.Raised |= FpuExceptions.DE;
    }

    /// <summary>
    /// NaN and unsupported operands (SDM vol. 1, 4.8.3.5, table 4-7, x87 column): an unsupported format or
    /// an SNaN raises IE; an SNaN and a QNaN give the QNaN; two NaNs of one kind give the one with the larger
    /// significand; a single NaN is returned quieted.
    /// </summary>
    internal static bool PropagateNaN(Float80 a, Float80 b, ref FpuContext ctx, out Float80 result)
    {
        result = default;
        if (a.IsUnsupported || b.IsUnsupported) { result = Invalid(ref ctx); return true; }
        bool an = a.IsNaN, bn = b.IsNaN;
        if (!an && !bn) return false;
        if (a.IsSignalingNaN || b.IsSignalingNaN) ctx.Raised |= FpuExceptions.IE;
        if (an && bn)
        {
            if (a.IsSignalingNaN != b.IsSignalingNaN) result = a.IsSignalingNaN ? b : a;
            else if (a.Significand != b.Significand) result = a.Significand > b.Significand ? a : b;
            else result = a.Sign ? b : a;
        }
        else result = an ? a : b;
        result = result.Quieted();
        return true;
    }
}
