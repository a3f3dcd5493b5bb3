using Iced.Intel;

namespace Emulator.Core.Cpu.Decoding;

/// <summary>How an instruction's first two explicit operands are laid out, read from Iced's opcode tables
/// so families register handlers by shape instead of listing every encoding.</summary>
internal enum Shape { Other, RmReg, RegRm, RmImm, RegImm, Rm, Reg }

internal static class OperandShape
{
    public static (Shape Shape, int Bytes) Of(Code code)
    {
        var info = code.ToOpCode();
        if (info.OpCount == 0) return (Shape.Other, 0);
        var k0 = info.GetOpKind(0);
        int bytes = Bytes(k0);
        if (info.OpCount == 1)
            return (IsRm(k0) ? Shape.Rm : IsReg(k0) ? Shape.Reg : Shape.Other, bytes);
        var k1 = info.GetOpKind(1);
        if (IsRm(k0) && IsReg(k1)) return (Shape.RmReg, bytes);
        if (IsReg(k0) && IsRm(k1)) return (Shape.RegRm, bytes);
        if (IsRm(k0) && IsImm(k1)) return (Shape.RmImm, bytes);
        if (IsReg(k0) && IsImm(k1)) return (Shape.RegImm, bytes);
        return (Shape.Other, bytes);
    }

    static bool IsRm(OpCodeOperandKind k) => k.ToString().EndsWith("_or_mem", StringComparison.Ordinal);

    static bool IsReg(OpCodeOperandKind k)
    {
        var s = k.ToString();
        return s is "al" or "ax" or "eax" or "rax" or "cl" || (s.StartsWith('r') && (s.EndsWith("_reg", StringComparison.Ordinal) || s.EndsWith("_opcode", StringComparison.Ordinal)));
    }

    static bool IsImm(OpCodeOperandKind k) => k.ToString().StartsWith("imm", StringComparison.Ordinal);

    public static int Bytes(OpCodeOperandKind k)
    {
        var s = k.ToString();
        if (s is "al" or "cl") return 1;
        if (s == "ax") return 2;
        if (s == "eax") return 4;
        if (s == "rax") return 8;
        if (s.StartsWith("r8", StringComparison.Ordinal)) return 1;
        if (s.StartsWith("r16", StringComparison.Ordinal)) return 2;
        if (s.StartsWith("r32", StringComparison.Ordinal)) return 4;
        if (s.StartsWith("r64", StringComparison.Ordinal)) return 8;
        return 0;
    }
}
