using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// MMX registers aliased on the x87 registers and its state (SDM vol. 1, 9.5; vol. 3, 12.2, table 12-1),
/// the exceptions MMX instructions raise (SDM vol. 3, 22.25.3, tables 22-7 and 22-8), and a kernel's lazy
/// FPU switch around MMX code. The x87 state is read back the way a guest reads it: FNSTENV, FNSAVE, FXSAVE.
/// </summary>
public class MmxStateTests
{
    const ushort Data = 0x4000, Env = 0x5000, Save = 0x5100;
    static ulong Read64(TestMachine m, ulong a) => MmxInstructionTests.Read64(m, a);

    static TestMachine Run(Action<Iced.Intel.Assembler> build, Action<TestMachine>? setup = null, CpuModel? model = null)
    {
        var m = new TestMachine(new MachineConfig { MemorySize = 16UL << 20, CpuModel = model ?? CpuModel.Pentium2 });
        setup?.Invoke(m);
        m.Load(16, 0x1000, build);
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return m;
    }

    /// <summary>Points real-mode vector <paramref name="vector"/> at a stub that sets CX to <paramref name="marker"/> and halts.</summary>
    static void Trap(TestMachine m, int vector, ushort marker)
    {
        ushort at = (ushort)(0x2000 + vector * 0x10);
        m.Write32((ulong)vector * 4, at);
        m.Load(16, at, a => { a.mov(cx, marker); a.hlt(); });
    }

    [Test]
    public void CpuidReportsMmxOnlyOnThePentiumIIModel()
    {
        static uint[] Cpuid1(CpuModel model)
        {
            var m = Run(a => { a.mov(eax, 1); a.cpuid(); a.hlt(); }, model: model);
            return [(uint)m.Reg(Gpr.Rax), (uint)m.Reg(Gpr.Rdx)];
        }
        var p2 = Cpuid1(CpuModel.Pentium2);
        var ppro = Cpuid1(CpuModel.PentiumPro);
        Assert.Multiple(() =>
        {
            Assert.That(p2[0] & 0x3FFF, Is.EqualTo(0x652u));              // family 6, model 5, stepping 2
            Assert.That(p2[1] & (1u << 23), Is.EqualTo(1u << 23));
            Assert.That(p2[1] & ~(1u << 23), Is.EqualTo(ppro[1]));         // otherwise the Pentium Pro's features
            Assert.That(ppro[1] & (1u << 23), Is.EqualTo(0u));
            Assert.That(CpuModel.Find("pentium2"), Is.SameAs(CpuModel.Pentium2));
        });
    }

    [Test]
    public void MmxWriteSetsTopZeroTagsValidAndExponentOnes()
    {
        // FLD1 leaves 1.0 in R7 with TOP = 7. MOVQ MM2 then makes TOP 0 and every tag valid, and R2 gets the
        // value in bits 0-63 with bits 64-79 all ones. FNSTENV stores tags recomputed from the contents
        // (SDM vol. 3, 12.2.1): R7 = 1.0 valid (00), R2 exponent 7FFFh special (10), the reset zeros zero (01).
        var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.movq(mm2, __qword_ptr[Data]);
            a.fnstenv(__[Env]);
            a.fnsave(__[Save]);
            a.hlt();
        }, m => m.Write64(Data, 0x1122_3344_5566_7788));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Env + 2), Is.EqualTo(0x0000));             // status word: TOP = 0, nothing else
            Assert.That(m.Read16(Env + 4), Is.EqualTo(0b00_01_01_01_01_10_01_01));
            // FNSAVE's 16-bit real-mode image: registers from byte 14, ST(i) = Ri as TOP = 0.
            Assert.That(Read64(m, Save + 14 + 20), Is.EqualTo(0x1122_3344_5566_7788UL));
            Assert.That(m.Read16(Save + 14 + 28), Is.EqualTo(0xFFFF));
            Assert.That(Read64(m, Save + 14 + 70), Is.EqualTo(0x8000_0000_0000_0000UL));
            Assert.That(m.Read16(Save + 14 + 78), Is.EqualTo(0x3FFF));
        });
    }

    [Test]
    public void MmxReadAlsoResetsTopAndTagsButKeepsTheExponent()
    {
        // MOVD EAX, MM7 only reads R7 (1.0): TOP = 0 and all tags valid, R7's exponent stays 3FFFh.
        var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.mov(eax, 0xFFFF_FFFF);
            a.movd(eax, mm7);
            a.movq(__qword_ptr[Data], mm7);
            a.fnsave(__[Save]);
            a.hlt();
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(0UL));
            Assert.That(Read64(m, Data), Is.EqualTo(0x8000_0000_0000_0000UL));
            Assert.That(m.Read16(Save + 2), Is.EqualTo(0x0000));
            Assert.That(m.Read16(Save + 4), Is.EqualTo(0b00_01_01_01_01_01_01_01));
            Assert.That(m.Read16(Save + 14 + 78), Is.EqualTo(0x3FFF));
        });
    }

    [Test]
    public void EmmsEmptiesTheTagsSoX87CodeCanFollow()
    {
        // Without EMMS, FLD after MMX code pushes onto R7, which is tagged valid: a stack overflow (IE, SF,
        // C1 = 1; masked, the indefinite is pushed). After EMMS (tag word FFFFh, TOP left at 0) the push works.
        var m = Run(a =>
        {
            a.fninit();
            a.pxor(mm0, mm0);
            a.fld1();
            a.fnstsw(__word_ptr[Data]);
            a.fstp(__tword_ptr[Data + 0x10]);
            a.fninit();
            a.movq(mm1, mm0);
            a.emms();
            a.fnstenv(__[Env]);
            a.fld1();
            a.fnstsw(__word_ptr[Data + 2]);
            a.fstp(__tword_ptr[Data + 0x20]);
            a.hlt();
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data), Is.EqualTo(0x3800 | 0x200 | 0x40 | 0x01));   // TOP 7, C1, SF, IE
            Assert.That(Read64(m, Data + 0x10), Is.EqualTo(0xC000_0000_0000_0000UL));  // the real indefinite
            Assert.That(m.Read16(Env + 4), Is.EqualTo(0xFFFF));
            Assert.That(m.Read16(Env + 2), Is.EqualTo(0x0000));
            Assert.That(m.Read16(Data + 2), Is.EqualTo(0x3800));
            Assert.That(Read64(m, Data + 0x20), Is.EqualTo(0x8000_0000_0000_0000UL));
        });
    }

    [Test]
    public void FxsaveAfterMmxShowsEveryRegisterInUse()
    {
        // The abridged tag word has one bit per register, 1 = not empty (SDM vol. 1, 10.5.1): FFh after MMX code.
        var m = Run(a =>
        {
            a.fninit();
            a.movd(mm5, __dword_ptr[Data]);
            a.fxsave(__[0x6000]);
            a.hlt();
        }, m => m.Write32(Data, 0xCAFE_F00D));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x6004), Is.EqualTo(0xFF));
            Assert.That(m.Read16(0x6002), Is.EqualTo(0));
            Assert.That(Read64(m, 0x6000 + 32 + 16 * 5), Is.EqualTo(0x0000_0000_CAFE_F00DUL));
            Assert.That(m.Read16(0x6000 + 40 + 16 * 5), Is.EqualTo(0xFFFF));
        });
    }

    [Test]
    public void TaskSwitchedRaisesDeviceNotAvailable()
    {
        var m = Run(a =>
        {
            a.mov(eax, cr0);
            a.or(eax, 8);                    // TS
            a.mov(cr0, eax);
            a.mov(bx, 1);
            a.paddb(mm0, mm1);
            a.mov(bx, 2);
            a.hlt();
        }, m => Trap(m, 7, 0x77));
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x77));
    }

    [Test]
    public void EmulationBitRaisesInvalidOpcodeEvenWithTaskSwitched()
    {
        // CR0.EM = 1: MMX instructions raise #UD whatever TS says (SDM vol. 3, 12.5, table 12-1), where x87 ones raise #NM.
        var m = Run(a =>
        {
            a.mov(eax, cr0);
            a.or(eax, 4 | 8);                // EM, TS
            a.mov(cr0, eax);
            a.mov(bx, 1);
            a.emms();
            a.mov(bx, 2);
            a.hlt();
        }, m => { Trap(m, 6, 0x66); Trap(m, 7, 0x77); });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x66));
    }

    [Test]
    public void CpuWithoutMmxRaisesInvalidOpcode()
    {
        var m = Run(a =>
        {
            a.fninit();
            a.mov(bx, 1);
            a.movq(mm0, __qword_ptr[Data]);
            a.mov(bx, 2);
            a.hlt();
        }, m => Trap(m, 6, 0x66), CpuModel.PentiumPro);
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x66));
        Assert.That(m.Cpu.Fpu.TagWord, Is.EqualTo(0xFFFF));
    }

    [Test]
    public void PendingUnmaskedX87ExceptionRaisesMathFault()
    {
        // An unmasked zero divide leaves ES set; with CR0.NE = 1 the next MMX instruction, EMMS included,
        // raises #MF before doing anything (SDM vol. 3, tables 22-7, 22-8; vol. 2A, EMMS).
        var m = Run(a =>
        {
            a.mov(eax, cr0);
            a.or(eax, 0x20);                 // NE
            a.mov(cr0, eax);
            a.fninit();
            a.fldcw(__word_ptr[Data]);       // 037Bh: ZE unmasked
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);
            a.mov(bx, 1);
            a.emms();
            a.mov(bx, 2);
            a.hlt();
        }, m => { m.WriteBytes(Data, 0x7B, 0x03); Trap(m, 16, 0x16); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x16));
            Assert.That(m.Cpu.Fpu.Top, Is.EqualTo(6));                       // not reset by the faulting EMMS
            Assert.That(m.Cpu.Fpu.TagWord, Is.Not.EqualTo(0xFFFF));
        });
    }

    [Test]
    public void SegmentLimitFaultLeavesTheX87StateAlone()
    {
        // MOVQ MM0, [FFFCh] runs past the 64 KiB real-mode segment: #GP (SDM vol. 2, MOVQ, real-address mode
        // exceptions). The faulting instruction changes neither TOP nor the tags.
        var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.mov(bx, 0xFFFC);
            a.mov(dx, 1);
            a.movq(mm0, __qword_ptr[bx]);
            a.mov(dx, 2);
            a.hlt();
        }, m => Trap(m, 13, 0x13));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF, Is.EqualTo(1));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x13));
            Assert.That(m.Cpu.Fpu.Top, Is.EqualTo(7));
            Assert.That(m.Cpu.Fpu.TagWord, Is.EqualTo(0x3FFF));
        });
    }

    [Test]
    public void PageFaultOnASplitStoreWritesNothing()
    {
        // MOVQ [page − 4], MM0 where the next page is not present: #PF with CR2 at the second page, no byte of the
        // first page written and the x87 state untouched (a faulting instruction has no effect).
        const uint page = 0x0004_0000;
        var p = new ProtectedModeSetup(model: CpuModel.Pentium2);
        p.IdentityMapFirst4M();
        p.SetPte(page, 0);                                    // not present
        p.M.Write64(page - 8, 0x5555_5555_5555_5555);
        p.M.Write64(Data, 0x1122_3344_5566_7788);
        p.Build(a =>
        {
            a.mov(eax, (uint)ProtectedModeSetup.PageDirectory);
            a.mov(cr3, eax);
            a.mov(eax, cr0);
            a.or(eax, 0x8000_0000);
            a.mov(cr0, eax);
            a.movq(mm0, __qword_ptr[Data]);
            a.fninit();
            a.fld1();                                      // TOP 7, tag word 3FFFh; R0 keeps MM0's value
            a.movq(__qword_ptr[page - 4], mm0);
            a.hlt();
        });
        Assert.That(p.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(p.HaltedVector, Is.EqualTo(14));
            Assert.That(p.Cpu.Cr2, Is.EqualTo((ulong)page));
            Assert.That(p.Frame(0), Is.EqualTo(2u));                         // write, not present, supervisor
            Assert.That(Read64(p.M, page - 8), Is.EqualTo(0x5555_5555_5555_5555UL));
            Assert.That(p.Cpu.Fpu.Top, Is.EqualTo(7));
            Assert.That(p.Cpu.Fpu.TagWord, Is.EqualTo(0x3FFF));
        });
    }

    [Test]
    public void LazyContextSwitchBetweenMmxAndX87Tasks()
    {
        // A kernel's lazy FPU switch (CR0.TS set on each task switch, the #NM handler does CLTS, FXSAVE of the
        // owner, FXRSTOR of the new task, IRET). Task A holds MMX data in MM0; task B holds π on its x87 stack.
        // Each resumes with its own state: A's PADDB sees its MM0, B's FADD doubles its π.
        var m = Run(a =>
        {
            a.fninit();
            a.fldpi();
            a.fxsave(__[0x3200]);            // task B's image: π in ST(0), TOP = 7
            a.fninit();
            a.movq(mm0, __qword_ptr[Data]);  // task A runs MMX code
            a.mov(eax, cr0);
            a.or(eax, 8);
            a.mov(cr0, eax);                 // switch to B
            a.fadd(st0, st0);                // #NM: save A, load B; then 2π
            a.fstp(__tword_ptr[Data + 0x20]);
            a.mov(eax, cr0);
            a.or(eax, 8);
            a.mov(cr0, eax);                 // switch to A
            a.paddb(mm0, __qword_ptr[Data + 8]);   // #NM: save B, load A; then A's MM0 + 01 per byte
            a.movq(__qword_ptr[Data + 0x30], mm0);
            a.hlt();
        }, m =>
        {
            m.Write64(Data, 0x0123_4567_89AB_CDEF);
            m.Write64(Data + 8, 0x0101_0101_0101_0101);
            m.Write32(7 * 4, 0x0000_2000);
            m.Load(16, 0x2000, a =>
            {
                var second = a.CreateLabel();
                a.clts();
                a.cmp(__byte_ptr[0x2F0], 0);
                a.jne(second);
                a.fxsave(__[0x3000]);
                a.fxrstor(__[0x3200]);
                a.mov(__byte_ptr[0x2F0], 1);
                a.iret();
                a.Label(ref second);
                a.fxsave(__[0x3200]);
                a.fxrstor(__[0x3000]);
                a.iret();
            });
        });
        Assert.Multiple(() =>
        {
            Assert.That(Read64(m, Data + 0x30), Is.EqualTo(0x0224_4668_8AAC_CEF0UL));
            Assert.That(Read64(m, Data + 0x20), Is.EqualTo(0xC90F_DAA2_2168_C235UL));   // 2π: π's significand…
            Assert.That(m.Read16(Data + 0x28), Is.EqualTo(0x4001));                     // …one exponent higher
            // Task A's image: TOP = 0, all eight registers in use, MM0 = R0 = ST(0) with exponent FFFFh.
            Assert.That(m.Read16(0x3002), Is.EqualTo(0));
            Assert.That(m.Read8(0x3004), Is.EqualTo(0xFF));
            Assert.That(Read64(m, 0x3000 + 32), Is.EqualTo(0x0123_4567_89AB_CDEFUL));
            Assert.That(m.Read16(0x3000 + 40), Is.EqualTo(0xFFFF));
            // Task B's image after its FSTP: TOP back to 0, every register empty.
            Assert.That(m.Read16(0x3202), Is.EqualTo(0));
            Assert.That(m.Read8(0x3204), Is.EqualTo(0));
            Assert.That(m.Cpu.Cr0 & 8, Is.EqualTo(0UL));
        });
    }
}
