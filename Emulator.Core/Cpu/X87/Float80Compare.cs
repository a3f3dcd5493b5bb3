namespace Emulator.Core.Cpu.X87;

/// <summary>The outcome of an x87 comparison (SDM vol. 1, 8.1.3.4, tables 8-6 and 8-7).</summary>
public enum FpuComparison : byte { Greater, Less, Equal, Unordered }

public readonly partial struct Float80
{
    /// <summary>
    /// Compares <paramref name="a"/> with <paramref name="b"/>. An unsupported operand or an SNaN always
    /// raises IE; a QNaN raises IE only for the ordered compares (FCOM, FCOMI, FTST), not for the
    /// unordered ones (FUCOM, FUCOMI) (SDM vol. 2A, FCOM and FUCOM). The signs of zeros are ignored.
    /// </summary>
    public static FpuComparison Compare(Float80 a, Float80 b, bool quietNaNsAreUnordered, ref FpuContext ctx)
    {
        if (a.IsUnsupported || b.IsUnsupported) { ctx.Raised |= FpuExceptions.IE; return FpuComparison.Unordered; }
        if (a.IsNaN || b.IsNaN)
        {
            if (!quietNaNsAreUnordered || a.IsSignalingNaN || b.IsSignalingNaN) ctx.Raised |= FpuExceptions.IE;
            return FpuComparison.Unordered;
        }
        CheckDenormal(a, b, ref ctx);
        if (a.IsZero && b.IsZero) return FpuComparison.Equal;
        int c = OrderKey(a).CompareTo(OrderKey(b));
        return c == 0 ? FpuComparison.Equal : c < 0 ? FpuComparison.Less : FpuComparison.Greater;
    }

    /// <summary>A signed integer that orders ordinary values (zero, denormal, normal, infinity) like the reals they denote.</summary>
    static Int128 OrderKey(Float80 x)
    {
        if (x.IsZero) return 0;
        x.Unpack(out bool sign, out int e, out ulong sig);
        if (x.IsInfinity) e = int.MaxValue / 2;
        Int128 mag = ((Int128)(e + 64) << 64) | sig;   // e ≥ −63 after normalizing a denormal
        return sign ? -mag : mag;
    }
}
