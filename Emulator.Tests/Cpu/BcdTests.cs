using Emulator.Core.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Cpu.AluHarness;

namespace Emulator.Tests.Cpu;

/// <summary>
/// DAA, DAS, AAA, AAS, AAM, AAD (SDM vol. 2), worked by hand from the SDM pseudo-code. Flags the SDM leaves
/// undefined follow the 80286 captures (see Bcd.cs): DAA/DAS OF = signed overflow of applying the adjustment;
/// AAA/AAS SF/ZF/PF from AL before the masking and OF from AL +/- 6; AAM CF=OF=AF=0; AAD CF/AF from the
/// final 8-bit addition and OF = CF.
/// </summary>
public class BcdTests
{
    static uint Ax(TestMachine m) => (uint)m.Reg(Gpr.Rax) & 0xFFFF;

    [Test]
    public void DaaAfterAdd()
    {
        // 79 + 35 = AE (AF = 0: 9 + 5 does not carry out of bit 3; CF = 0). DAA: low nibble E > 9 -> +6 = B4, AF = 1;
        // old AL AE > 99 -> +60 = 14 (carry), CF = 1. BCD 79 + 35 = 114. PF of 14 (2 bits) = 1.
        // OF: AE + 66 cannot overflow (negative + positive) = 0.
        var m = Run(a => { a.mov(al, 0x79); a.add(al, 0x35); a.daa(); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x14));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | PF));
    }

    [Test]
    public void DaaSignedOverflow()
    {
        // AL = 7A, no flags: low nibble A > 9 -> 80, AF = 1; 7A <= 99 and CF = 0 -> no high step, CF = 0.
        // SF = 1; PF of 80 = 0; OF = 7A + 06 overflows (positive + positive = negative) = 1 (286).
        var m = Run(a => { a.mov(al, 0x7A); a.daa(); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x80));
        Assert.That(Flags(m), Is.EqualTo(AF | SF | OF));
    }

    [Test]
    public void DasAfterSub()
    {
        // 35 - 47 = EE with CF = 1 (borrow) and AF = 1 (5 - 7 borrows). DAS: E > 9 -> E8, CF = 1, AF = 1;
        // old CF = 1 -> -60 = 88, CF = 1. BCD 35 - 47 = -12 = 88 with borrow. SF = 1; PF of 88 (2 bits) = 1;
        // OF: EE - 66 = 88 (negative - positive = negative) = 0.
        var m = Run(a => { a.mov(al, 0x35); a.sub(al, 0x47); a.das(); });
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0x88));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | SF | PF));
    }

    [Test]
    public void DasKeepsLowStepBorrow()
    {
        // AL = 03, AF = 1, CF = 0: 03 - 6 = FD borrows, so CF = 1 and AF = 1; old AL <= 99 and old CF = 0: no high
        // step, and the SDM's DAS does not clear CF there. SF = 1; PF of FD (7 bits) = 0; OF = 0.
        var m = Run(a => { a.mov(al, 0x03); a.das(); }, AF);
        Assert.That(Ax(m) & 0xFF, Is.EqualTo(0xFD));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | SF));
    }

    [Test]
    public void AaaAdjusts()
    {
        // 09 + 08 = 11 with AF = 1. AAA: AX + 106 = 0117, AL & 0F -> 0107, AF = CF = 1.
        // SF/ZF/PF from 17 (before masking): PF (4 bits) = 1; OF: 11 + 6 = 17 no overflow.
        var m = Run(a => { a.mov(ax, 0x0009); a.add(al, 8); a.aaa(); });
        Assert.That(Ax(m), Is.EqualTo(0x0107));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | PF));
    }

    [Test]
    public void AaaWithoutAdjustment()
    {
        // AL = 25, AF = 0: low nibble 5 <= 9 -> no adjustment; AL = 05, AH kept; CF = AF = 0;
        // SZP from 25 before masking: PF (3 bits) = 0. CF set before is cleared.
        var m = Run(a => { a.mov(ax, 0x1225); a.aaa(); }, CF);
        Assert.That(Ax(m), Is.EqualTo(0x1205));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void AaaOverflowAndCarryIntoAh()
    {
        // AL = 7A: 7A + 6 = 80 (signed overflow -> OF = 1 on the 286), AX 007A + 106 = 0180 -> AL & 0F = 0100.
        // SF from 80 = 1; PF of 80 = 0; CF = AF = 1.
        var m = Run(a => { a.mov(ax, 0x007A); a.aaa(); });
        Assert.That(Ax(m), Is.EqualTo(0x0100));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | OF | SF));
    }

    [Test]
    public void AasAdjusts()
    {
        // AX = 0203, AF = 1: AX - 6 = 01FD, AH - 1 = 00FD, AL & 0F -> 000D; CF = AF = 1.
        // SZP from FD: SF = 1, PF (7 bits) = 0; OF: 03 - 06 no overflow.
        var m = Run(a => { a.mov(ax, 0x0203); a.aas(); }, AF);
        Assert.That(Ax(m), Is.EqualTo(0x000D));
        Assert.That(Flags(m), Is.EqualTo(CF | AF | SF));
    }

    [Test]
    public void Aam()
    {
        // AL = 4F (79) / 10: AH = 7, AL = 9. SZP from 09: PF (2 bits) = 1; CF, OF, AF cleared.
        var m = Run(a => { a.mov(ax, 0x004F); a.aam(10); }, CF | OF | AF);
        Assert.That(Ax(m), Is.EqualTo(0x0709));
        Assert.That(Flags(m), Is.EqualTo(PF));
        // Base 16: FF -> AH = 0F, AL = 0F; PF of 0F (4 bits) = 1.
        m = Run(a => { a.mov(ax, 0x00FF); a.aam(16); });
        Assert.That(Ax(m), Is.EqualTo(0x0F0F));
        Assert.That(Flags(m), Is.EqualTo(PF));
    }

    [Test]
    public void AamZeroRaisesDivideError()
    {
        // AAM 0 -> #DE through IVT vector 0 (handler at 0:2000 sets BX and halts); AX unchanged.
        var m = Run(a => { a.mov(ax, 0x1234); a.aam(0); }, 0, t =>
        {
            t.Write32(0, 0x0000_2000);
            t.Load(16, 0x2000, b => { b.mov(bx, 0xBEEF); b.hlt(); });
        });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0xBEEF));
        Assert.That(Ax(m), Is.EqualTo(0x1234));
        // The fault pushes the address of the AAM itself (after the 3-byte MOV at 1000).
        Assert.That(m.Read16(0x8000 - 6), Is.EqualTo(0x1003));
    }

    [Test]
    public void Aad()
    {
        // AX = 0709, base 10: AL = 9 + 7*10 = 4F, AH = 0. PF of 4F (5 bits) = 0; 09 + 46 no carry, no AF
        // (09 ^ 46 ^ 4F = 00) -> all flags clear.
        var m = Run(a => { a.mov(ax, 0x0709); a.aad(10); }, CF | ZF);
        Assert.That(Ax(m), Is.EqualTo(0x004F));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void AadCarry()
    {
        // AX = 0FFF, base 16: AH * 16 = F0; FF + F0 = 1EF -> AL = EF, AH = 0; CF = 1 and OF = CF (286);
        // AF: FF ^ F0 ^ EF = E0, bit 4 clear = 0; SF = 1; PF of EF (7 bits) = 0.
        var m = Run(a => { a.mov(ax, 0x0FFF); a.aad(16); });
        Assert.That(Ax(m), Is.EqualTo(0x00EF));
        Assert.That(Flags(m), Is.EqualTo(CF | OF | SF));
    }
}
