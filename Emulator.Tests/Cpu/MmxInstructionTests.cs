using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// Guest programs running each MMX instruction (SDM vol. 2, per instruction) on a Pentium II model, in
/// real mode, in both the register form (source in MM1) and the memory form (source at [SI]). Every
/// expected value is worked by hand from the instruction's definition, lane by lane; the comments give
/// the lanes from the lowest.
/// </summary>
public class MmxInstructionTests
{
    const ushort In = 0x4000, Out = 0x8000;

    /// <summary>One instruction on a destination and a source (or an imm8 count) and the value it must leave.</summary>
    public readonly record struct Case(Code Code, ulong D, ulong S, ulong Expected);

    internal static TestMachine NewMachine() =>
        new(new MachineConfig { MemorySize = 16UL << 20, CpuModel = CpuModel.Pentium2 });

    /// <summary>
    /// Runs each case twice, register form then memory form, storing MM0 after each, and checks both.
    /// An imm8 form (the shifts) runs once, with <see cref="Case.S"/> as the count.
    /// </summary>
    static void RunCases(params Case[] cases)
    {
        var m = NewMachine();
        for (int i = 0; i < cases.Length; i++)
        {
            m.Write64(In + (ulong)i * 16, cases[i].D);
            m.Write64(In + (ulong)i * 16 + 8, cases[i].S);
        }
        m.Load(16, 0x1000, a =>
        {
            for (int i = 0; i < cases.Length; i++)
            {
                var c = cases[i];
                ushort d = (ushort)(In + i * 16), s = (ushort)(d + 8), o = (ushort)(Out + i * 16);
                var info = c.Code.ToOpCode();
                bool imm = info.GetOpKind(1) == OpCodeOperandKind.imm8;
                a.movq(mm0, __qword_ptr[d]);
                if (imm)
                {
                    a.AddInstruction(Instruction.Create(c.Code, Register.MM0, (int)c.S));
                    a.movq(__qword_ptr[o], mm0);
                    continue;
                }
                a.movq(mm1, __qword_ptr[s]);
                a.AddInstruction(Instruction.Create(c.Code, Register.MM0, Register.MM1));
                a.movq(__qword_ptr[o], mm0);
                a.movq(mm0, __qword_ptr[d]);
                a.mov(si, s);
                a.AddInstruction(Instruction.Create(c.Code, Register.MM0, new MemoryOperand(Register.SI)));
                a.movq(__qword_ptr[o + 8], mm0);
            }
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            for (int i = 0; i < cases.Length; i++)
            {
                var c = cases[i];
                ulong o = Out + (ulong)i * 16;
                bool imm = c.Code.ToOpCode().GetOpKind(1) == OpCodeOperandKind.imm8;
                Assert.That(Read64(m, o), Is.EqualTo(c.Expected), $"{c.Code} {c.D:X16}, {c.S:X16} (register form)");
                if (!imm) Assert.That(Read64(m, o + 8), Is.EqualTo(c.Expected), $"{c.Code} {c.D:X16}, {c.S:X16} (memory form)");
            }
        });
    }

    internal static ulong Read64(TestMachine m, ulong a) => m.Read32(a) | (ulong)m.Read32(a + 4) << 32;

    [Test]
    public void AddAndSubtractWrapAndSaturate()
    {
        // Bytes of D: 10 00 FF FF 80 7F 02 01; of S: F0 00 FF 01 80 01 FE 01.
        const ulong bd = 0x0102_7F80_FFFF_0010, bs = 0x01FE_0180_01FF_00F0;
        RunCases(
            // 100→00, 00, 1FE→FE, 100→00, 100→00, 80, 100→00, 02.
            new(Code.Paddb_mm_mmm64, bd, bs, 0x0200_8000_00FE_0000),
            // Signed: 16−16=0, 0, −1−1=−2, 0, −128−128 → −128 (80), 127+1 → 127 (7F), 0, 2.
            new(Code.Paddsb_mm_mmm64, bd, bs, 0x0200_7F80_00FE_0000),
            // Unsigned: FF, 00, FF, FF, FF, 80, FF, 02.
            new(Code.Paddusb_mm_mmm64, bd, bs, 0x02FF_80FF_FFFF_00FF),
            // 80−81 = FF, 00−01 = FF (wrapping).
            new(Code.Psubb_mm_mmm64, 0x80, 0x0181, 0xFFFF),
            // Signed: 16+16=20h, 0, 0, −2, 0, 126, 4, 0.
            new(Code.Psubsb_mm_mmm64, bd, bs, 0x0004_7E00_FE00_0020),
            // −128−1 → −128 (80), 127−(−1) → 127 (7F).
            new(Code.Psubsb_mm_mmm64, 0x7F80, 0xFF01, 0x7F80),
            // Unsigned: 00−01 → 0, FF−01 = FE, 10−20 → 0, 05−06 → 0.
            new(Code.Psubusb_mm_mmm64, 0x0510_FF00, 0x0620_0101, 0xFE00),
            // Words of D: 1234 FFFF 8000 7FFF; of S: 1111 0001 8000 0001.
            new(Code.Paddw_mm_mmm64, 0x7FFF_8000_FFFF_1234, 0x0001_8000_0001_1111, 0x8000_0000_0000_2345),
            new(Code.Paddsw_mm_mmm64, 0x7FFF_8000_FFFF_1234, 0x0001_8000_0001_1111, 0x7FFF_8000_0000_2345),
            new(Code.Paddusw_mm_mmm64, 0x7FFF_8000_FFFF_1234, 0x0001_8000_0001_1111, 0x8000_FFFF_FFFF_2345),
            new(Code.Psubw_mm_mmm64, 0x7FFF_8000_FFFF_1234, 0x0001_8000_0001_1111, 0x7FFE_0000_FFFE_0123),
            // Words of D: 0000 0005 7FFF 8000; of S: 0000 0007 FFFF 0001. Signed: 0, −2, 32768 → 7FFF, −32769 → 8000.
            new(Code.Psubsw_mm_mmm64, 0x8000_7FFF_0005_0000, 0x0001_FFFF_0007_0000, 0x8000_7FFF_FFFE_0000),
            // Unsigned: 0, 5−7 → 0, 7FFF−FFFF → 0, 8000−1 = 7FFF.
            new(Code.Psubusw_mm_mmm64, 0x8000_7FFF_0005_0000, 0x0001_FFFF_0007_0000, 0x7FFF_0000_0000_0000),
            // Doublewords: 7FFFFFFF+1 = 80000000, FFFFFFFF+2 = 1 (wrapping).
            new(Code.Paddd_mm_mmm64, 0xFFFF_FFFF_7FFF_FFFF, 0x0000_0002_0000_0001, 0x0000_0001_8000_0000),
            new(Code.Psubd_mm_mmm64, 0x0000_0000_0000_0005, 0x0000_0001_0000_0006, 0xFFFF_FFFF_FFFF_FFFF));
    }

    [Test]
    public void CompareMultiplyAndLogic()
    {
        RunCases(
            new(Code.Pcmpeqb_mm_mmm64, 0x1122_3344_5566_7788, 0x1100_3300_5500_7700, 0xFF00_FF00_FF00_FF00),
            new(Code.Pcmpeqw_mm_mmm64, 0x1234_5678_9ABC_DEF0, 0x1234_0000_9ABC_0000, 0xFFFF_0000_FFFF_0000),
            new(Code.Pcmpeqd_mm_mmm64, 0x1234_5678_9ABC_DEF0, 0x1234_5678_0000_0000, 0xFFFF_FFFF_0000_0000),
            // Signed bytes: 1 > 0, −128 > 127 no, 127 > −128, −1 > 0 no, 0 > 0 no.
            new(Code.Pcmpgtb_mm_mmm64, 0x0000_0000_FF7F_8001, 0x0000_0000_0080_7F00, 0x0000_0000_00FF_00FF),
            new(Code.Pcmpgtw_mm_mmm64, 0x0000_0000_8000_0001, 0x0000_0000_7FFF_0000, 0x0000_0000_0000_FFFF),
            new(Code.Pcmpgtd_mm_mmm64, 0x7FFF_FFFF_8000_0000, 0x8000_0000_7FFF_FFFF, 0xFFFF_FFFF_0000_0000),
            // Products: 1234×10 = 12340, 100×100 = 10000, (−1)(−1) = 1, (−32768)² = 40000000.
            new(Code.Pmullw_mm_mmm64, 0x8000_FFFF_0100_1234, 0x8000_FFFF_0100_0010, 0x0000_0001_0000_2340),
            new(Code.Pmulhw_mm_mmm64, 0x8000_FFFF_0100_1234, 0x8000_FFFF_0100_0010, 0x4000_0000_0001_0001),
            // −2 × 3 = FFFFFFFA: high word FFFF.
            new(Code.Pmulhw_mm_mmm64, 0xFFFE, 0x0003, 0xFFFF),
            // 3×4 + 2×5 = 22; 8000h×8000h + 8000h×8000h = 2^31, which wraps to 80000000h.
            new(Code.Pmaddwd_mm_mmm64, 0x8000_8000_0002_0003, 0x8000_8000_0005_0004, 0x8000_0000_0000_0016),
            // −1 × 5 + 0 = −5.
            new(Code.Pmaddwd_mm_mmm64, 0xFFFF, 0x0005, 0x0000_0000_FFFF_FFFB),
            new(Code.Pand_mm_mmm64, 0xFF00_F0F0_CCCC_AAAA, 0x0FF0_FF00_AAAA_5555, 0x0F00_F000_8888_0000),
            new(Code.Pandn_mm_mmm64, 0xFF00_F0F0_CCCC_AAAA, 0x0FF0_FF00_AAAA_5555, 0x00F0_0F00_2222_5555),
            new(Code.Por_mm_mmm64, 0xFF00_F0F0_CCCC_AAAA, 0x0FF0_FF00_AAAA_5555, 0xFFF0_FFF0_EEEE_FFFF),
            new(Code.Pxor_mm_mmm64, 0xFF00_F0F0_CCCC_AAAA, 0x0FF0_FF00_AAAA_5555, 0xF0F0_0FF0_6666_FFFF));
    }

    [Test]
    public void PackAndUnpack()
    {
        const ulong ud = 0x8877_6655_4433_2211, us = 0xFFEE_DDCC_BBAA_9988;
        RunCases(
            // D words 0001 0080 FF7F FFFF → 01 7F 80 FF; S words 007F FF80 7FFF 8000 → 7F 80 7F 80.
            new(Code.Packsswb_mm_mmm64, 0xFFFF_FF7F_0080_0001, 0x8000_7FFF_FF80_007F, 0x807F_807F_FF80_7F01),
            // D dwords 00008000 FFFF7FFF → 7FFF 8000; S dwords FFFFFFFE 00001234 → FFFE 1234.
            new(Code.Packssdw_mm_mmm64, 0xFFFF_7FFF_0000_8000, 0x0000_1234_FFFF_FFFE, 0x1234_FFFE_8000_7FFF),
            // D words 0100 00FF FFFF 0080 → FF FF 00 80; S words 8000 7FFF 0000 0001 → 00 FF 00 01.
            new(Code.Packuswb_mm_mmm64, 0x0080_FFFF_00FF_0100, 0x0001_0000_7FFF_8000, 0x0100_FF00_8000_FFFF),
            // Low halves interleaved, destination first: 11 88 22 99 33 AA 44 BB.
            new(Code.Punpcklbw_mm_mmm32, ud, us, 0xBB44_AA33_9922_8811),
            new(Code.Punpcklwd_mm_mmm32, ud, us, 0xBBAA_4433_9988_2211),
            new(Code.Punpckldq_mm_mmm32, ud, us, 0xBBAA_9988_4433_2211),
            // High halves: 55 CC 66 DD 77 EE 88 FF.
            new(Code.Punpckhbw_mm_mmm64, ud, us, 0xFF88_EE77_DD66_CC55),
            new(Code.Punpckhwd_mm_mmm64, ud, us, 0xFFEE_8877_DDCC_6655),
            new(Code.Punpckhdq_mm_mmm64, ud, us, 0xFFEE_DDCC_8877_6655));
    }

    [Test]
    public void ShiftsIncludingCountsBeyondTheWidth()
    {
        // Words 8001 4002 2004 F008 (from the top); doublewords 80014002 2004F008.
        const ulong v = 0x8001_4002_2004_F008;
        RunCases(
            new(Code.Psllw_mm_imm8, v, 4, 0x0010_0020_0040_0080),
            new(Code.Psllw_mm_mmm64, v, 15, 0x8000_0000_0000_0000),
            new(Code.Psllw_mm_mmm64, v, 16, 0),
            new(Code.Psrlw_mm_mmm64, v, 4, 0x0800_0400_0200_0F00),
            // The count is all 64 bits: 1_00000004h is not 4.
            new(Code.Psrlw_mm_mmm64, v, 0x1_0000_0004, 0),
            new(Code.Psrlw_mm_imm8, v, 16, 0),
            new(Code.Psraw_mm_mmm64, v, 4, 0xF800_0400_0200_FF00),
            // Past the width the sign fills each word.
            new(Code.Psraw_mm_imm8, v, 255, 0xFFFF_0000_0000_FFFF),
            new(Code.Psraw_mm_mmm64, v, 0x8000_0000_0000_0000, 0xFFFF_0000_0000_FFFF),
            new(Code.Pslld_mm_imm8, v, 8, 0x0140_0200_04F0_0800),
            new(Code.Pslld_mm_mmm64, v, 32, 0),
            new(Code.Psrld_mm_mmm64, v, 8, 0x0080_0140_0020_04F0),
            new(Code.Psrld_mm_imm8, v, 31, 0x0000_0001_0000_0000),
            new(Code.Psrad_mm_mmm64, v, 8, 0xFF80_0140_0020_04F0),
            new(Code.Psrad_mm_imm8, v, 32, 0xFFFF_FFFF_0000_0000),
            new(Code.Psllq_mm_mmm64, v, 4, 0x0014_0022_004F_0080),
            new(Code.Psllq_mm_imm8, v, 64, 0),
            new(Code.Psrlq_mm_mmm64, v, 4, 0x0800_1400_2200_4F00),
            new(Code.Psrlq_mm_imm8, v, 63, 1),
            new(Code.Psrlq_mm_mmm64, v, 64, 0));
    }

    [Test]
    public void MovdAndMovqBetweenRegistersAndMemory()
    {
        var m = NewMachine();
        m.Write64(In, 0x1122_3344_5566_7788);
        m.Write64(In + 8, 0xAAAA_AAAA_AAAA_AAAA);
        m.Write64(Out, 0xCCCC_CCCC_CCCC_CCCC);
        m.Load(16, 0x1000, a =>
        {
            a.mov(eax, 0x8765_4321);
            a.movd(mm3, eax);                      // zero-extended: 00000000_87654321
            a.movq(__qword_ptr[Out + 0x10], mm3);
            a.movq(mm4, __qword_ptr[In]);
            a.movd(ecx, mm4);                      // the low doubleword: 55667788
            a.movd(__dword_ptr[Out], mm4);         // only four bytes written: CCCCCCCC_55667788
            a.movd(mm5, __dword_ptr[In + 8]);      // 00000000_AAAAAAAA
            a.movq(mm6, mm5);
            a.movq(__qword_ptr[Out + 0x18], mm6);
            a.movq(mm7, mm4);
            a.movq(mm7, mm7);
            a.movq(__qword_ptr[Out + 0x20], mm7);
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(Read64(m, Out + 0x10), Is.EqualTo(0x0000_0000_8765_4321UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x5566_7788UL));
            Assert.That(Read64(m, Out), Is.EqualTo(0xCCCC_CCCC_5566_7788UL));
            Assert.That(Read64(m, Out + 0x18), Is.EqualTo(0x0000_0000_AAAA_AAAAUL));
            Assert.That(Read64(m, Out + 0x20), Is.EqualTo(0x1122_3344_5566_7788UL));
        });
    }

    [Test]
    public void EveryMmxOnlyEncodingHasAHandler()
    {
        // Iced tags each encoding with the CPUID features it needs; those needing only MMX are the MMX instruction
        // set, except PADDQ mm, mm/m64, which Iced lists as MMX but which came with SSE2 (SDM vol. 2B, PADDQ).
        var mmx = Enum.GetValues<Code>().Where(c => c.CpuidFeatures() is [CpuidFeature.MMX] && c != Code.Paddq_mm_mmm64).ToList();
        Assert.That(mmx.Where(c => !Emulator.Core.Cpu.Decoding.InstructionTable.IsImplemented(c)), Is.Empty);
        // 47 instructions in 59 encodings: six moves (MOVD and MOVQ to and from MMX registers, and the REX.W
        // MOVQ r/m64 forms of 64-bit mode), 37 other register/memory forms, and the eight shifts twice (mm/m64, imm8).
        Assert.That(mmx, Has.Count.EqualTo(59));
    }

    [Test]
    public void LowUnpackReadsOnlyFourBytes()
    {
        // PUNPCKLBW mm, m32 at DS:FFFC reads FFFC-FFFF, inside the 64 KiB real-mode segment; a 64-bit read there
        // would run past FFFFh and raise #GP (SDM vol. 2, PUNPCKLBW: "m32"; real-address mode exceptions).
        var m = NewMachine();
        m.WriteBytes(0xFFFC, 0x11, 0x22, 0x33, 0x44);
        m.Load(16, 0x1000, a =>
        {
            a.pxor(mm0, mm0);
            a.mov(bx, 0xFFFC);
            a.punpcklbw(mm0, __dword_ptr[bx]);     // 00 11 00 22 00 33 00 44
            a.movq(__qword_ptr[Out], mm0);
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(Read64(m, Out), Is.EqualTo(0x4400_3300_2200_1100UL));
    }
}
