using Iced.Intel;

namespace Emulator.Tests.Differential;

/// <summary>
/// What the SDM leaves undefined for a case, masked out of the comparison: flags per
/// instruction (Intel SDM vol. 2, each instruction's "Flags Affected"; vol. 1, appendix A)
/// and destination registers whose value is undefined.
/// </summary>
internal static class UndefinedBehaviour
{
    public const uint CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    public const uint AllArith = CF | PF | AF | ZF | SF | OF;

    /// <summary>The operand size in bytes of the first operand (0 when there is none).</summary>
    public static int OperandSize(DiffCase c)
    {
        var info = c.Code.ToOpCode();
        return info.OpCount == 0 ? 0 : RandomInstructionGenerator.OperandBytes(info.GetOpKind(0));
    }

    /// <summary>A shift or rotate count as the CPU uses it: masked to 5 bits (no 64-bit operands here).</summary>
    public static int Count(DiffCase c)
    {
        var op = c.Mnemonic is Mnemonic.Shld or Mnemonic.Shrd ? c.Operands[2] : c.Operands[1];
        return (int)(c.ReadOperand(op, 1) & 31);
    }

    public static uint UndefinedFlags(DiffCase c)
    {
        switch (c.Mnemonic)
        {
            // MUL/IMUL: SF, ZF, AF and PF are undefined.
            case Mnemonic.Mul or Mnemonic.Imul: return SF | ZF | AF | PF;
            // DIV/IDIV: all six are undefined.
            case Mnemonic.Div or Mnemonic.Idiv: return AllArith;
            // AND/OR/XOR/TEST: AF is undefined.
            case Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Test: return AF;
            // SAL/SAR/SHL/SHR: no flags change for count 0; otherwise AF undefined, OF undefined unless
            // the count is 1, and CF undefined for SHL/SHR when the count is at least the operand width.
            case Mnemonic.Shl or Mnemonic.Shr or Mnemonic.Sar:
            {
                int n = Count(c);
                if (n == 0) return 0;
                uint u = AF | (n > 1 ? OF : 0);
                if (c.Mnemonic != Mnemonic.Sar && n >= OperandSize(c) * 8) u |= CF;
                return u;
            }
            // RCL/RCR/ROL/ROR: only CF and OF change; OF is undefined for counts other than 1; SF, ZF, AF, PF keep their values.
            case Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr:
                return Count(c) > 1 ? OF : 0;
            // SHLD/SHRD: no change for count 0; AF undefined after a shift; OF undefined for counts above 1.
            case Mnemonic.Shld or Mnemonic.Shrd:
            {
                int n = Count(c);
                return n == 0 ? 0 : AF | (n > 1 ? OF : 0);
            }
            // BT/BTS/BTR/BTC: CF is the bit, ZF unaffected; OF, SF, AF and PF undefined.
            case Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc: return OF | SF | AF | PF;
            // BSF/BSR: ZF says whether the source was 0; the rest are undefined.
            case Mnemonic.Bsf or Mnemonic.Bsr: return CF | OF | SF | AF | PF;
            default: return 0;
        }
    }

    /// <summary>Per-GPR masks of the bits whose final value is defined.</summary>
    public static uint[] DefinedRegisterBits(DiffCase c)
    {
        var m = new uint[8];
        Array.Fill(m, 0xFFFF_FFFFu);
        m[4] = 0;
        // BSF/BSR with a zero source: the destination is undefined.
        if (c.Mnemonic is Mnemonic.Bsf or Mnemonic.Bsr && c.ReadOperand(c.Operands[1], OperandSize(c)) == 0)
        {
            var (gpr, shift, mask) = DiffCase.Locate(c.Operands[0].Register);
            m[gpr] &= ~(mask << shift);
        }
        return m;
    }
}
