namespace Emulator.Core.Cpu.X87;

// The 80-bit packed BCD integer of FBLD/FBSTP (SDM vol. 1, 4.7, figure 4-10): bytes 0-8 hold 18 decimal
// digits, two per byte with the less significant digit in the low nibble and byte 0 the least significant;
// bit 7 of byte 9 is the sign.
public readonly partial struct Float80
{
    const long MaxBcd = 999_999_999_999_999_999;

    /// <summary>FBLD: exact. Invalid digits (A-F) give an undefined result (SDM vol. 2A, FBLD); here they weigh as their value.</summary>
    public static Float80 FromPackedBcd(ReadOnlySpan<byte> b)
    {
        long v = 0;
        for (int i = 8; i >= 0; i--)
            v = v * 100 + (b[i] >> 4) * 10 + (b[i] & 0xF);
        bool sign = (b[9] & 0x80) != 0;
        return v == 0 ? SignedZero(sign) : FromInt64(sign ? -v : v);
    }

    /// <summary>
    /// FBSTP: rounds by RC to an integer; a NaN, an infinity, an unsupported format or a magnitude above
    /// 10^18 − 1 is invalid and stores the packed BCD indefinite (FFFFH, C000000000000000H) (SDM vol. 1, 4.8.3.7).
    /// </summary>
    public static void ToPackedBcd(Float80 x, Span<byte> b, ref FpuContext ctx)
    {
        var trial = ctx;
        long v = x.IsZero ? 0 : ToInteger(x, 64, ctx.Rounding, ref trial);
        if ((trial.Raised & FpuExceptions.IE) != 0 || v > MaxBcd || v < -MaxBcd)
        {
            ctx.Raised |= FpuExceptions.IE;
            b.Clear();
            b[7] = 0xC0; b[8] = 0xFF; b[9] = 0xFF;
            return;
        }
        ctx = trial;
        ulong mag = (ulong)Math.Abs(v);
        for (int i = 0; i < 9; i++)
        {
            b[i] = (byte)((mag % 10) | (mag / 10 % 10) << 4);
            mag /= 100;
        }
        b[9] = (byte)(x.Sign ? 0x80 : 0);
    }
}
