namespace Emulator.Core.Cpu.X87;

/// <summary>
/// The constants of FLDPI, FLDL2T, FLDL2E, FLDLG2 and FLDLN2, held to 128 significand bits and rounded
/// to 64 by the RC field when loaded (SDM vol. 1, 8.3.8: the x87 keeps them to 66 bits and rounds per RC,
/// so e.g. π in round-down and round-to-zero is one unit lower than in round-to-nearest). The low
/// 64 bits here are the true values truncated; they are never all zero, so directed rounding sees them as inexact.
/// </summary>
public static class Float80Constants
{
    public static Float80 Pi(RoundingMode mode) => Load(0x4000, 0xC90FDAA2_2168C234, 0xC4C6628B_80DC1CD1, mode);
    public static Float80 Log2Ten(RoundingMode mode) => Load(0x4000, 0xD49A784B_CD1B8AFE, 0x492BF6FF_4DAFDB4C, mode);
    public static Float80 Log2E(RoundingMode mode) => Load(0x3FFF, 0xB8AA3B29_5C17F0BB, 0xBE87FED0_691D3E88, mode);
    public static Float80 Log10Two(RoundingMode mode) => Load(0x3FFD, 0x9A209A84_FBCFF798, 0x8F8959AC_0B7C9178, mode);
    public static Float80 LnTwo(RoundingMode mode) => Load(0x3FFE, 0xB17217F7_D1CF79AB, 0xC9E3B398_03F2F6AF, mode);

    static Float80 Load(int exp, ulong hi, ulong lo, RoundingMode mode)
    {
        var ctx = new FpuContext(mode);   // loading a constant raises no exception
        UInt128 m = new(hi, lo);
        Float80.Round(false, ref exp, ref m, 64, Float80.MaxExponent, ref ctx, toRegister: true);
        return new Float80(false, exp, (ulong)(m >> 64));
    }
}
