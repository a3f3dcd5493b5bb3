using Emulator.Core.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Cpu.AluHarness;

namespace Emulator.Tests.Cpu;

/// <summary>
/// SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR, SHLD, SHRD (SDM vol. 2). Expected values worked by hand from the SDM
/// pseudo-code; for flags the SDM leaves undefined, the documented choices of ShiftRotate.cs (286 behaviour:
/// AF = bit 4 of the result for SHL, 1 for SHR/SAR; OF from the final result for counts above 1).
/// </summary>
public class ShiftRotateTests
{
    static uint Ax(TestMachine m) => (uint)m.Reg(Gpr.Rax);

    [Test]
    public void ShlBy1()
    {
        // 81 << 1 = 02; CF = old bit 7 = 1; OF = MSB(02) ^ CF = 1; PF: 02 has one bit (odd) = 0; AF = bit 4 of 02 = 0.
        var m = Run(a => { a.mov(al, 0x81); a.shl(al, 1); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x02));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
    }

    [Test]
    public void ShlAxByCl()
    {
        // 1234 << 4 = 2340; CF = bit 12 of 1234 = 1; OF = 0 ^ 1 = 1; PF of 40 (one bit) = 0; AF = bit 4 of 40 = 0.
        var m = Run(a => { a.mov(ax, 0x1234); a.mov(cl, 4); a.shl(ax, cl); });
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x2340));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
    }

    [Test]
    public void ShlSetsAfFromBit4()
    {
        // 08 << 1 = 10: AF = bit 4 of the result = 1 (the 286's choice for the undefined AF); CF = OF = 0.
        var m = Run(a => { a.mov(bl, 0x08); a.shl(bl, 1); });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFF, Is.EqualTo(0x10));
        Assert.That(Flags(m), Is.EqualTo(AF));
    }

    [Test]
    public void CountZeroChangesNothing()
    {
        // CL = 0 and imm 20h (masked to 0): value and all flags stay, even with a memory operand.
        uint f = CF | ZF | SF | OF | AF | PF;
        var m = Run(a =>
        {
            a.mov(ax, 0x1234); a.mov(cl, 0);
            a.shl(ax, cl); a.rcr(ax, cl); a.sar(__word_ptr[0x500], 0x20); a.shr(eax, 0x20);
        }, f, t => t.Write32(0x500, 0x8001));
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x1234));
        Assert.That(m.Read16(0x500), Is.EqualTo(0x8001));
        Assert.That(Flags(m), Is.EqualTo(f));
    }

    [Test]
    public void ShlCountAtAndBeyondOperandSize()
    {
        // 8-bit SHL by 8: result 0, CF = the last bit out = bit 0 of 01 = 1, OF = MSB(0) ^ 1 = 1; ZF, PF set.
        var m = Run(a => { a.mov(bl, 0x01); a.shl(bl, 8); });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFF, Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(CF | OF | ZF | PF));
        // By 9: every bit (and the zero fill) is gone: CF = 0, OF = 0.
        m = Run(a => { a.mov(bl, 0xFF); a.shl(bl, 9); });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFF, Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(ZF | PF));
    }

    [Test]
    public void Shl32By31()
    {
        // 3 << 31 = 80000000; CF = bit 1 of 3 = 1; OF = 1 ^ 1 = 0; SF = 1; PF of low byte 00 = 1.
        var m = Run(a => { a.mov(eax, 3); a.shl(eax, 31); });
        Assert.That(Ax(m), Is.EqualTo(0x8000_0000u));
        Assert.That(Flags(m), Is.EqualTo(CF | SF | PF));
    }

    [Test]
    public void SalAliasD0Slash6()
    {
        // D0 F0 = SAL AL,1 through the undocumented /6 encoding: same as SHL. 40 << 1 = 80; CF = 0; OF = 1 ^ 0 = 1.
        var m = Run(a => { a.mov(al, 0x40); a.db(0xD0, 0xF0); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x80));
        Assert.That(Flags(m), Is.EqualTo(SF | OF));
    }

    [Test]
    public void ShrBy1AndByN()
    {
        // 81 >> 1 = 40; CF = 1; OF = MSB of the original = 1; PF(40) = 0; AF = 1 (286 choice).
        var m = Run(a => { a.mov(al, 0x81); a.shr(al, 1); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x40));
        Assert.That(Flags(m), Is.EqualTo(CF | OF | AF));
        // 83 >> 2 = 20; CF = bit 1 = 1; OF = 0 for counts above 1 (the top two result bits are both 0).
        m = Run(a => { a.mov(al, 0x83); a.mov(cl, 2); a.shr(al, cl); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x20));
        Assert.That(Flags(m), Is.EqualTo(CF | AF));
    }

    [Test]
    public void Shr32CountMaskedTo5Bits()
    {
        // CL = 21h is masked to 1: 80000003 >> 1 = 40000001; CF = 1; OF = old MSB = 1; PF(01) = 0.
        var m = Run(a => { a.mov(eax, 0x8000_0003u); a.mov(cl, 0x21); a.shr(eax, cl); });
        Assert.That(Ax(m), Is.EqualTo(0x4000_0001u));
        Assert.That(Flags(m), Is.EqualTo(CF | OF | AF));
    }

    [Test]
    public void Sar()
    {
        // 8001 SAR 1 = C000; CF = 1; OF = 0; SF = 1; PF of low byte 00 = 1.
        var m = Run(a => { a.mov(ax, 0x8001); a.sar(ax, 1); });
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0xC000));
        Assert.That(Flags(m), Is.EqualTo(CF | SF | PF | AF));
        // 8000 SAR 20 (beyond 16 bits): all copies of the sign; CF = the sign too.
        m = Run(a => { a.mov(ax, 0x8000); a.mov(cl, 20); a.sar(ax, cl); }, OF);
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0xFFFF));
        Assert.That(Flags(m), Is.EqualTo(CF | SF | PF | AF));
    }

    [Test]
    public void RolRorOnlyTouchCfOf()
    {
        // ROL 81,1 = 03; CF = bit 0 = 1; OF = MSB(03) ^ CF = 1. ZF and AF set before are kept.
        var m = Run(a => { a.mov(al, 0x81); a.rol(al, 1); }, ZF | AF);
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x03));
        Assert.That(Flags(m), Is.EqualTo(ZF | AF | CF | OF));
        // ROR 1234,4 = 4123; CF = MSB = 0; OF = bit 15 ^ bit 14 = 0 ^ 1 = 1.
        m = Run(a => { a.mov(ax, 0x1234); a.ror(ax, 4); }, CF);
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x4123));
        Assert.That(Flags(m), Is.EqualTo(OF));
        // ROR 00000001,1 = 80000000; CF = 1; OF = 1 ^ 0 = 1.
        m = Run(a => { a.mov(eax, 1); a.ror(eax, 1); });
        Assert.That(Ax(m), Is.EqualTo(0x8000_0000u));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
    }

    [Test]
    public void RolByOperandSizeUpdatesFlagsOnly()
    {
        // ROL AL,8: the masked count (8) is non-zero, the rotation is a whole turn: AL stays 81, CF = bit 0 = 1,
        // OF = MSB ^ CF = 0 (SDM: the flags depend on the masked count).
        var m = Run(a => { a.mov(al, 0x81); a.rol(al, 8); }, OF);
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x81));
        Assert.That(Flags(m), Is.EqualTo(CF));
    }

    [Test]
    public void RclThroughCarry()
    {
        // RCL 80,1 with CF=0 = 00, CF = 1, OF = 0 ^ 1 = 1; ZF is not touched (stays 0 although the result is 0).
        var m = Run(a => { a.mov(al, 0x80); a.rcl(al, 1); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
        // RCL 8421,4 with CF=1, 17-bit rotate: (8421 << 4) | (CF << 3) | (8421 >> 13) = 4210 | 8 | 4 = 421C;
        // CF = bit 12 of 8421 = 0; OF = MSB(421C) ^ 0 = 0.
        m = Run(a => { a.mov(bx, 0x8421); a.rcl(bx, 4); }, CF);
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x421C));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void RclModulo9And17()
    {
        // RCL AL,9 with CF=1: 9 mod 9 = 0, AL and CF stay; OF = MSB(5A) ^ CF = 1 (what the 286 data shows).
        var m = Run(a => { a.mov(al, 0x5A); a.mov(cl, 9); a.rcl(al, cl); }, CF);
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x5A));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
        // RCL AX,18 = RCL AX,1 (18 mod 17): 4000 -> 8000 | CF(0); CF = 0; OF = 1 ^ 0 = 1.
        m = Run(a => { a.mov(ax, 0x4000); a.mov(cl, 18); a.rcl(ax, cl); });
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x8000));
        Assert.That(Flags(m), Is.EqualTo(OF));
    }

    [Test]
    public void RcrThroughCarry()
    {
        // RCR 01,1 with CF=1 = 80, CF = 1, OF = MSB(dest) ^ CF before = 0 ^ 1 = 1.
        var m = Run(a => { a.mov(al, 0x01); a.rcr(al, 1); }, CF);
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x80));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
        // RCR 12345678,8 with CF=0 (33-bit rotate): 00123456 | (CF << 24) | (78 << 25 -> F0000000) = F0123456;
        // CF = bit 7 of 78 = 0; OF = bit 31 ^ bit 30 = 0.
        m = Run(a => { a.mov(eax, 0x1234_5678); a.rcr(eax, 8); });
        Assert.That(Ax(m), Is.EqualTo(0xF012_3456u));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void MemoryForms()
    {
        // SHL word [500],1: 4001 -> 8002; CF = 0; OF = 1 ^ 0 = 1; SF = 1; PF(02) = 0; AF = bit 4 of 02 = 0.
        var m = Run(a => a.shl(__word_ptr[0x500], 1), 0, t => t.Write32(0x500, 0x4001));
        Assert.That(m.Read16(0x500), Is.EqualTo(0x8002));
        Assert.That(Flags(m), Is.EqualTo(OF | SF));
        // RCR byte [bx],CL (CL=3, CF=1): 9-bit value 1:0000_0110 rotated right by 3: result = (06 >> 3) | (CF << 5)
        // | (06 << 6 & FF) = 00 | 20 | 80 = A0; CF = bit 2 of 06 = 1; OF = bit 7 ^ bit 6 = 1 ^ 0 = 1.
        m = Run(a => { a.mov(bx, 0x500); a.mov(cl, 3); a.rcr(__byte_ptr[bx], cl); }, CF, t => t.Write32(0x500, 0x06));
        Assert.That(m.Read8(0x500), Is.EqualTo(0xA0));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
        // SAR dword [bx+4],4: F0000010 -> FF000001; CF = bit 3 = 0; SF = 1; PF(01) = 0.
        m = Run(a => { a.mov(bx, 0x500); a.sar(__dword_ptr[bx + 4], 4); }, 0, t => t.Write32(0x504, 0xF000_0010));
        Assert.That(m.Read32(0x504), Is.EqualTo(0xFF00_0001u));
        Assert.That(Flags(m), Is.EqualTo(SF | AF));
    }

    [Test]
    public void HighByteRegister()
    {
        // ROL AH,4 swaps its nibbles and leaves AL alone: 12 -> 21; CF = bit 0 = 1; OF = 0 ^ 1 = 1.
        var m = Run(a => { a.mov(ax, 0x12FF); a.rol(ah, 4); });
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x21FF));
        Assert.That(Flags(m) & (CF | OF), Is.EqualTo(CF | OF));
    }

    [Test]
    public void Shld()
    {
        // SHLD AX,BX,4: (1234 << 4) | (ABCD >> 12) = 2340 | A = 234A; CF = bit 12 of 1234 = 1; OF = 0 ^ 1 = 1;
        // PF of 4A (3 bits) = 0; AF cleared (documented choice).
        var m = Run(a => { a.mov(ax, 0x1234); a.mov(bx, 0xABCD); a.shld(ax, bx, 4); }, AF);
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0x234A));
        Assert.That(Flags(m), Is.EqualTo(CF | OF));
        // 32-bit, memory destination, by CL=8: (11223344 << 8) | (AABBCCDD >> 24) = 223344AA; CF = bit 24 = 1;
        // OF = 0 ^ 1 = 1; PF of AA (4 bits) = 1.
        m = Run(a => { a.mov(ebx, 0xAABB_CCDDu); a.mov(cl, 8); a.shld(__dword_ptr[0x500], ebx, cl); }, 0,
            t => t.Write32(0x500, 0x1122_3344));
        Assert.That(m.Read32(0x500), Is.EqualTo(0x2233_44AAu));
        Assert.That(Flags(m), Is.EqualTo(CF | OF | PF));
    }

    [Test]
    public void ShldSixteenBitCountAbove16()
    {
        // Undefined in the SDM; ShiftRotate shifts dest:src:dest = 1234:ABCD:1234 as P6 CPUs do. By 20 the kept
        // 16 bits are bits 28..43 of that 48-bit value: (1234ABCD1234 >> 12) & FFFF = BCD1; CF = bit 28 = bit 12
        // of ABCD = 0; OF = MSB(BCD1) ^ 0 = 1; SF = 1; PF of D1 (4 bits) = 1.
        var m = Run(a => { a.mov(ax, 0x1234); a.mov(bx, 0xABCD); a.mov(cl, 20); a.shld(ax, bx, cl); });
        Assert.That(Ax(m) & 0xFFFF, Is.EqualTo(0xBCD1));
        Assert.That(Flags(m), Is.EqualTo(OF | SF | PF));
    }

    [Test]
    public void Shrd()
    {
        // SHRD EAX,EBX,CL=8: (12345678 >> 8) | (9ABCDEF0 << 24) = 00123456 | F0000000 = F0123456; CF = bit 7 of 78
        // = 0; OF = bit 31 ^ bit 30 = 0; SF = 1; PF of 56 (4 bits) = 1.
        var m = Run(a => { a.mov(eax, 0x1234_5678); a.mov(ebx, 0x9ABC_DEF0u); a.mov(cl, 8); a.shrd(eax, ebx, cl); });
        Assert.That(Ax(m), Is.EqualTo(0xF012_3456u));
        Assert.That(Flags(m), Is.EqualTo(SF | PF));
        // SHRD word [500],DX,1: (8001 >> 1) | (DX bit 0 = 1) << 15 = C000; CF = 1; OF = bit 15 ^ bit 14 = 0 (the
        // sign did not change: 8001 and C000 are both negative); PF(00) = 1.
        m = Run(a => { a.mov(dx, 1); a.shrd(__word_ptr[0x500], dx, 1); }, 0, t => t.Write32(0x500, 0x8001));
        Assert.That(m.Read16(0x500), Is.EqualTo(0xC000));
        Assert.That(Flags(m), Is.EqualTo(CF | SF | PF));
    }

    [Test]
    public void ShldCountZeroKeepsFlags()
    {
        var m = Run(a => { a.mov(eax, 0x1234_5678); a.mov(ebx, 0xFFFF_FFFFu); a.shld(eax, ebx, 0x20); }, ZF | CF);
        Assert.That(Ax(m), Is.EqualTo(0x1234_5678u));
        Assert.That(Flags(m), Is.EqualTo(ZF | CF));
    }
}
