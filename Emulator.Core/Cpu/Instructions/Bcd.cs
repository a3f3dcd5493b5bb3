using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using static Emulator.Core.Cpu.Instructions.ResultFlags;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// DAA, DAS, AAA, AAS, AAM, AAD (SDM vol. 2), all invalid in 64-bit mode (Iced decodes them as invalid there).
/// <para>The flags the SDM leaves undefined follow what the 80286 produces in every SingleStepTests case
/// (/work/shared/conformance, real-hardware captures), noted per instruction; each instruction writes all
/// six arithmetic flags.</para>
/// </summary>
internal static unsafe class Bcd
{
    static ref byte Al(Cpu c) => ref c.Reg8(0);
    static ref byte Ah(Cpu c) => ref c.Reg8(1);

    /// <summary>SF, ZF, PF of an 8-bit value.</summary>
    static uint Szp8(uint v) => Szp<Size8>(v);

    /// <summary>DAA: SDM pseudo-code. OF (undefined) is the signed overflow of adding the adjustment
    /// (AL_new - AL_old) to the old AL, as on the 286.</summary>
    static void Daa(Cpu c, ref DecodedOp op)
    {
        uint old = Al(c), al = old;
        bool oldCf = c.GetCF(), af = false, cf = false;
        if ((al & 0xF) > 9 || c.GetAF()) { al = (al + 6) & 0xFF; af = true; }
        if (old > 0x99 || oldCf) { al = (al + 0x60) & 0xFF; cf = true; }
        uint adj = (al - old) & 0xFF;
        bool of = ((old ^ al) & (adj ^ al) & 0x80) != 0;
        Al(c) = (byte)al;
        c.SetArithFlags(Szp8(al) | If(cf, CF) | If(af, AF) | If(of, OF));
    }

    /// <summary>DAS: SDM pseudo-code (CF keeps the borrow of the low-nibble step when the high step does not
    /// apply). OF (undefined) is the signed overflow of subtracting the adjustment from the old AL (286).</summary>
    static void Das(Cpu c, ref DecodedOp op)
    {
        uint old = Al(c), al = old;
        bool oldCf = c.GetCF(), af = false, cf = false;
        if ((al & 0xF) > 9 || c.GetAF())
        {
            cf = oldCf || al < 6;
            al = (al - 6) & 0xFF;
            af = true;
        }
        if (old > 0x99 || oldCf) { al = (al - 0x60) & 0xFF; cf = true; }
        uint adj = (old - al) & 0xFF;
        bool of = ((old ^ adj) & (old ^ al) & 0x80) != 0;
        Al(c) = (byte)al;
        c.SetArithFlags(Szp8(al) | If(cf, CF) | If(af, AF) | If(of, OF));
    }

    /// <summary>AAA: AX += 106h when adjusting, then AL &amp;= 0Fh (SDM). The undefined SF, ZF, PF come from AL
    /// after the +6 and before the masking, and OF is the signed overflow of AL + 6 (0 without an
    /// adjustment): the 286's behaviour.</summary>
    static void Aaa(Cpu c, ref DecodedOp op)
    {
        uint al = Al(c);
        uint f = 0;
        if ((al & 0xF) > 9 || c.GetAF())
        {
            uint s = (al + 6) & 0xFF;
            if (((al ^ s) & (6 ^ s) & 0x80) != 0) f |= OF;
            c.Reg16(0) = (ushort)(c.Reg16(0) + 0x106);
            f |= AF | CF;
        }
        f |= Szp8(Al(c));
        Al(c) &= 0x0F;
        c.SetArithFlags(f);
    }

    /// <summary>AAS: AX -= 6 and AH -= 1 when adjusting, then AL &amp;= 0Fh (SDM). Undefined flags as for AAA,
    /// with OF the signed overflow of AL - 6 (286).</summary>
    static void Aas(Cpu c, ref DecodedOp op)
    {
        uint al = Al(c);
        uint f = 0;
        if ((al & 0xF) > 9 || c.GetAF())
        {
            uint s = (al - 6) & 0xFF;
            if (((al ^ 6) & (al ^ s) & 0x80) != 0) f |= OF;
            c.Reg16(0) = (ushort)(c.Reg16(0) - 6 - 0x100);
            f |= AF | CF;
        }
        f |= Szp8(Al(c));
        Al(c) &= 0x0F;
        c.SetArithFlags(f);
    }

    /// <summary>AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE when imm8 is 0 (SDM). SF, ZF, PF from AL; the
    /// undefined OF, AF, CF are 0 (286).</summary>
    static void Aam(Cpu c, ref DecodedOp op)
    {
        uint imm = (byte)op.Imm;
        if (imm == 0) { c.RaiseFault(Vector.DE, 0); return; }
        uint al = Al(c);
        Ah(c) = (byte)(al / imm);
        Al(c) = (byte)(al % imm);
        c.SetArithFlags(Szp8(Al(c)));
    }

    /// <summary>AAD imm8: AL = (AL + AH * imm8) &amp; FFh, AH = 0 (SDM). SF, ZF, PF from AL. The undefined CF and
    /// AF are the carry and auxiliary carry of the 8-bit addition AL + (AH * imm8 &amp; FFh), and OF equals that
    /// CF: what the 286 produces in every test case.</summary>
    static void Aad(Cpu c, ref DecodedOp op)
    {
        uint a = Al(c), b = (Ah(c) * (uint)(byte)op.Imm) & 0xFF, sum = a + b, r = sum & 0xFF;
        bool cf = sum > 0xFF;
        c.Reg16(0) = (ushort)r;
        c.SetArithFlags(Szp8(r) | If(cf, CF | OF) | If(((a ^ b ^ r) & 0x10) != 0, AF));
    }

    public static void Register()
    {
        InstructionTable.Set(Code.Daa, &Daa);
        InstructionTable.Set(Code.Das, &Das);
        InstructionTable.Set(Code.Aaa, &Aaa);
        InstructionTable.Set(Code.Aas, &Aas);
        InstructionTable.Set(Code.Aam_imm8, &Aam);
        InstructionTable.Set(Code.Aad_imm8, &Aad);
    }
}
