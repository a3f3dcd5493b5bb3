using Emulator.Core.Cpu;
using Emulator.Core.Cpu.X87;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// Guest programs exercising the x87 instructions in real mode. Expected values are worked from the
/// formats (SDM vol. 1, 4.2) and the instruction pages of SDM vol. 2A.
/// </summary>
public class X87GuestTests
{
    const ushort Data = 0x600;

    static TestMachine Run(Action<Iced.Intel.Assembler> build, Action<TestMachine>? setup = null)
    {
        var m = new TestMachine();
        setup?.Invoke(m);
        m.Load(16, 0x1000, build);
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return m;
    }

    static ulong Read64(TestMachine m, ulong a) => m.Read32(a) | (ulong)m.Read32(a + 4) << 32;
    static Float80 Read80(TestMachine m, ulong a) => new(m.Read16(a + 8), Read64(m, a));

    [Test]
    public void LinuxPresenceProbe()
    {
        // Linux fpu__init_check: FNINIT; FNSTSW into a word preset to FFFFh must give 0; FNSTCW must give 037Fh.
        var m = Run(a =>
        {
            a.mov(__word_ptr[Data], 0xFFFF);
            a.mov(__word_ptr[Data + 2], 0xFFFF);
            a.fninit();
            a.fnstsw(__word_ptr[Data]);
            a.fnstcw(__word_ptr[Data + 2]);
            a.mov(eax, 1);
            a.cpuid();
            a.hlt();
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data), Is.EqualTo(0));
            Assert.That(m.Read16(Data + 2), Is.EqualTo(0x037F));
            Assert.That(m.Reg(Gpr.Rdx) & CpuModel.Edx.FPU, Is.EqualTo(CpuModel.Edx.FPU));
        });
    }

    [Test]
    public void PentiumFdivBugCheck()
    {
        // Linux check_fpu: x − (x / y) × y with x = 4195835, y = 3145727 is 0 on a correct FPU (256 on the flawed
        // Pentium). 4195835 = 1.000365…×2^22 → double 4150017EC0000000; 3145727 → 4147FFFF80000000.
        var m = Run(a =>
        {
            a.fninit();
            a.fld(__qword_ptr[Data]);
            a.fdiv(__qword_ptr[Data + 8]);
            a.fld(st0);
            a.fstp(__tword_ptr[Data + 0x20]);
            a.fmul(__qword_ptr[Data + 8]);
            a.fld(__qword_ptr[Data]);
            a.fsubp(st1, st0);
            a.fistp(__dword_ptr[Data + 0x10]);
            a.wait();
            a.fnstsw(ax);
            a.hlt();
        }, m =>
        {
            m.Write64(Data, 0x4150_017E_C000_0000);
            m.Write64(Data + 8, 0x4147_FFFF_8000_0000);
            m.Write32(Data + 0x10, 0xDEAD_BEEF);
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(Data + 0x10), Is.EqualTo(0u));
            Assert.That(Read80(m, Data + 0x20), Is.EqualTo(new Float80(0x3FFF, 0xAABA_A0E3_E35A_14BD)));
            Assert.That(m.Cpu.Fpu.Top, Is.EqualTo(0));
            Assert.That(m.Cpu.Fpu.TagWord, Is.EqualTo(0xFFFF));
        });
    }

    [Test]
    public void LoadsStoresAndConstants()
    {
        var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.fld1();
            a.faddp(st1, st0);                       // 2.0
            a.fst(__qword_ptr[Data]);                // 4000000000000000
            a.fild(__word_ptr[Data + 0x40]);         // −7
            a.fist(__dword_ptr[Data + 8]);
            a.fmulp(st1, st0);                       // −14
            a.fistp(__qword_ptr[Data + 0x10]);
            a.fldpi();
            a.fstp(__tword_ptr[Data + 0x20]);
            a.fld1();
            a.fld(__dword_ptr[Data + 0x44]);         // 3.0f
            a.fdivp(st1, st0);                       // 1/3
            a.fst(__dword_ptr[Data + 0x30]);         // 3EAAAAAB
            a.fstp(__qword_ptr[Data + 0x38]);        // 3FD5555555555555
            a.fldz();
            a.fchs();
            a.fstp(__tword_ptr[Data + 0x50]);        // −0
            a.hlt();
        }, m =>
        {
            m.WriteBytes(Data + 0x40, 0xF9, 0xFF);   // −7
            m.Write32(Data + 0x44, 0x4040_0000);     // 3.0f
        });
        Assert.Multiple(() =>
        {
            Assert.That(Read64(m, Data), Is.EqualTo(0x4000_0000_0000_0000UL));
            Assert.That(m.Read32(Data + 8), Is.EqualTo(unchecked((uint)-7)));
            Assert.That(Read64(m, Data + 0x10), Is.EqualTo(unchecked((ulong)-14L)));
            Assert.That(Read80(m, Data + 0x20), Is.EqualTo(new Float80(0x4000, 0xC90F_DAA2_2168_C235)));
            Assert.That(m.Read32(Data + 0x30), Is.EqualTo(0x3EAA_AAABu));
            Assert.That(Read64(m, Data + 0x38), Is.EqualTo(0x3FD5_5555_5555_5555UL));
            Assert.That(Read80(m, Data + 0x50), Is.EqualTo(new Float80(0x8000, 0)));
            Assert.That(m.Cpu.Fpu.StatusWord & 0x3F, Is.EqualTo((ushort)FpuExceptions.PE));
        });
    }

    [Test]
    public void RoundingControlAndIntegerStores()
    {
        // 2.5 (double 4004000000000000): FIST rounds by RC (nearest → 2, up → 3, down → 2); FISTTP truncates;
        // −2.5 with FRNDINT in round-down gives −3.
        var m = Run(a =>
        {
            a.fninit();
            a.fld(__qword_ptr[Data]);
            a.fist(__word_ptr[Data + 0x10]);
            a.fldcw(__word_ptr[Data + 0x40]);        // RC = up
            a.fist(__word_ptr[Data + 0x12]);
            a.fldcw(__word_ptr[Data + 0x42]);        // RC = down
            a.fist(__word_ptr[Data + 0x14]);
            a.fldcw(__word_ptr[Data + 0x40]);
            a.fisttp(__word_ptr[Data + 0x16]);       // truncates to 2 despite RC = up
            a.fld(__qword_ptr[Data]);
            a.fchs();
            a.fldcw(__word_ptr[Data + 0x42]);
            a.frndint();
            a.fistp(__dword_ptr[Data + 0x18]);
            a.fild(__dword_ptr[Data + 0x20]);        // 100000
            a.fistp(__word_ptr[Data + 0x1C]);        // out of range: integer indefinite 8000h, IE (masked)
            a.fnstsw(ax);
            a.hlt();
        }, m =>
        {
            m.Write64(Data, 0x4004_0000_0000_0000);
            m.WriteBytes(Data + 0x40, 0x7F, 0x0B, 0x7F, 0x07);   // 0B7Fh (RC=10b up), 077Fh (RC=01b down)
            m.Write32(Data + 0x20, 100000);
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data + 0x10), Is.EqualTo(2));
            Assert.That(m.Read16(Data + 0x12), Is.EqualTo(3));
            Assert.That(m.Read16(Data + 0x14), Is.EqualTo(2));
            Assert.That(m.Read16(Data + 0x16), Is.EqualTo(2));
            Assert.That(m.Read32(Data + 0x18), Is.EqualTo(unchecked((uint)-3)));
            Assert.That(m.Read16(Data + 0x1C), Is.EqualTo(0x8000));
            Assert.That(m.Reg(Gpr.Rax) & 0x21, Is.EqualTo(0x21));   // IE and PE
        });
    }

    [Test]
    public void ComparesSetConditionCodesAndEflags()
    {
        // FCOM 1 vs 2: C0 (less) → FNSTSW AX; SAHF puts C0 in CF and C3 in ZF. FCOMI sets ZF/PF/CF directly.
        var m = Run(a =>
        {
            a.fninit();
            a.fld(__qword_ptr[Data]);      // 2.0
            a.fld1();                      // ST0 = 1, ST1 = 2
            a.fcom(st0, st1);
            a.fnstsw(ax);
            a.mov(__word_ptr[Data + 0x10], ax);
            a.fcomi(st0, st1);
            a.pushf();
            a.pop(__word_ptr[Data + 0x12]);
            a.fxch(st0, st1);                  // ST0 = 2, ST1 = 1
            a.fucomi(st0, st1);
            a.pushf();
            a.pop(__word_ptr[Data + 0x14]);
            a.fcmovnbe(st0, st1);          // above (CF=0, ZF=0): ST0 ← 1
            a.ftst();
            a.fnstsw(ax);
            a.mov(__word_ptr[Data + 0x16], ax);
            a.fcompp();
            a.fxam();                      // empty ST0: C3 and C0
            a.fnstsw(ax);
            a.mov(__word_ptr[Data + 0x18], ax);
            a.hlt();
        }, m => m.Write64(Data, 0x4000_0000_0000_0000));
        const ushort C0 = 0x100, C2 = 0x400, C3 = 0x4000;
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data + 0x10) & (C3 | C2 | C0), Is.EqualTo(C0));
            Assert.That(m.Read16(Data + 0x12) & 0x45, Is.EqualTo(0x01));      // CF
            Assert.That(m.Read16(Data + 0x14) & 0x45, Is.EqualTo(0x00));      // greater
            Assert.That(m.Read16(Data + 0x16) & (C3 | C2 | C0), Is.EqualTo(0));  // 1 > 0
            Assert.That(m.Read16(Data + 0x18) & (C3 | C2 | C0), Is.EqualTo(C3 | C0));
            Assert.That(m.Cpu.Fpu.Top, Is.EqualTo(0));
        });
    }

    [Test]
    public void SquareRootAndStackOverflow()
    {
        var m = Run(a =>
        {
            a.fninit();
            a.fld(__qword_ptr[Data]);      // 2.0
            a.fsqrt();
            a.fstp(__tword_ptr[Data + 0x10]);
            for (int i = 0; i < 9; i++) a.fld1();   // the ninth push overflows: masked → the real indefinite
            a.fnstsw(ax);
            a.fstp(__tword_ptr[Data + 0x20]);
            a.hlt();
        }, m => m.Write64(Data, 0x4000_0000_0000_0000));
        Assert.Multiple(() =>
        {
            Assert.That(Read80(m, Data + 0x10), Is.EqualTo(new Float80(0x3FFF, 0xB504_F333_F9DE_6484)));
            // IE | SF | C1 (overflow), plus PE from the square root.
            Assert.That(m.Reg(Gpr.Rax) & 0x0261, Is.EqualTo(0x0261));
            Assert.That(Read80(m, Data + 0x20), Is.EqualTo(Float80.Indefinite));
        });
    }

    [Test]
    public void DeviceNotAvailableWhenTaskSwitched()
    {
        // CR0.TS: every x87 instruction raises #NM (vector 7); WAIT only when MP is also set (SDM vol. 3, table 2-2).
        var m = Run(a =>
        {
            a.mov(eax, cr0);
            a.or(eax, 8);                  // TS
            a.mov(cr0, eax);
            a.wait();                     // MP = 0: no fault
            a.mov(bx, 1);
            a.fld1();
            a.mov(bx, 2);
            a.hlt();
        }, m =>
        {
            m.Write32(7 * 4, 0x0000_2000);
            m.Load(16, 0x2000, a => { a.mov(cx, 0x77); a.hlt(); });
        });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x77));
    }

    [Test]
    public void UnmaskedExceptionRaisesMathFaultWhenNeIsSet()
    {
        // Zero-divide unmasked (control word 037Bh); FDIV sets ZE and ES without faulting; the next waiting
        // instruction raises #MF (vector 16) because CR0.NE = 1 (SDM vol. 1, 8.7). The destination is unchanged.
        var m = Run(a =>
        {
            a.mov(eax, cr0);
            a.or(eax, 0x20);               // NE
            a.mov(cr0, eax);
            a.fninit();
            a.fldcw(__word_ptr[Data]);
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);
            a.mov(bx, 1);
            a.fnstsw(__word_ptr[Data + 2]);    // no-wait: runs with the exception pending
            a.fld1();
            a.mov(bx, 2);
            a.hlt();
        }, m =>
        {
            m.WriteBytes(Data, 0x7B, 0x03);
            m.Write32(16 * 4, 0x0000_2000);
            m.Load(16, 0x2000, a => { a.mov(cx, 0x16); a.hlt(); });
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x16));
            Assert.That(m.Read16(Data + 2) & 0x80FF, Is.EqualTo(0x8084));   // B, ES, ZE
            Assert.That(m.Cpu.Fpu.St(0), Is.EqualTo(Float80.Zero));          // not popped, ST1 still 1
            Assert.That(m.Cpu.Fpu.St(1), Is.EqualTo(Float80.One));
        });
    }

    [Test]
    public void LegacyErrorReportingSignalsFerr()
    {
        // CR0.NE = 0: no #MF; FERR# (the ErrorSignal callback, IRQ 13 on a PC) goes active with the exception
        // and inactive on FNCLEX.
        var signals = new List<bool>();
        var m = Run(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data]);
            a.fld1();
            a.fldz();
            a.fdivp(st1, st0);
            a.fld1();
            a.fnclex();
            a.hlt();
        }, m =>
        {
            m.WriteBytes(Data, 0x7B, 0x03);
            m.Cpu.Fpu.ErrorSignal = signals.Add;
        });
        Assert.That(signals, Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void SaveRestoreAndEnvironment16BitReal()
    {
        // FNSAVE (94 bytes in a 16-bit real-mode layout) then FNINIT; FRSTOR brings ST(0) = 1.0, ST(1) = π back.
        var m = Run(a =>
        {
            a.fninit();
            a.fldpi();
            a.fld1();
            a.fnsave(__[Data]);
            a.fnstsw(__word_ptr[Data + 0x80]);    // after FNSAVE's reinitialization: 0
            a.frstor(__[Data]);
            a.fstp(__tword_ptr[Data + 0x90]);
            a.fstp(__tword_ptr[Data + 0xA0]);
            a.fldcw(__word_ptr[Data + 0xC0]);
            a.fnstenv(__[Data + 0xD0]);
            a.fnstcw(__word_ptr[Data + 0xB0]);
            a.hlt();
        }, m => m.WriteBytes(Data + 0xC0, 0x40, 0x0C));   // control word 0C40h: RC = zero, all exceptions unmasked
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data), Is.EqualTo(0x037F));                  // saved control word
            Assert.That(m.Read16(Data + 2), Is.EqualTo(0x3000));              // status: TOP = 6
            Assert.That(m.Read16(Data + 4), Is.EqualTo(0x0FFF));              // R6 and R7 valid, the rest empty
            Assert.That(Read80(m, Data + 14), Is.EqualTo(Float80.One));       // ST(0)
            Assert.That(m.Read16(Data + 0x80), Is.EqualTo(0));
            Assert.That(Read80(m, Data + 0x90), Is.EqualTo(Float80.One));
            Assert.That(Read80(m, Data + 0xA0), Is.EqualTo(new Float80(0x4000, 0xC90F_DAA2_2168_C235)));
            Assert.That(m.Read16(Data + 0xD0), Is.EqualTo(0x0C40));           // FNSTENV stores the control word…
            Assert.That(m.Read16(Data + 0xB0), Is.EqualTo(0x0C7F));           // …then masks every exception
            Assert.That(m.Read16(Data + 0xD4), Is.EqualTo(0xFFFF));           // all empty
        });
    }

    [Test]
    public void ReservedEscapeEncodingIsInvalidOpcode()
    {
        // D9 D1 is a reserved x87 encoding (SDM vol. 2, appendix A.5.1, table A-8): #UD now that an FPU is present.
        var m = Run(a =>
        {
            a.fninit();
            a.mov(bx, 1);
            a.db(0xD9, 0xD1);
            a.mov(bx, 2);
            a.hlt();
        }, m =>
        {
            m.Write32(6 * 4, 0x0000_2000);
            m.Load(16, 0x2000, a => { a.mov(cx, 0x66); a.hlt(); });
        });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x66));
    }

    [Test]
    public void TranscendentalInstructions()
    {
        // FPATAN(1, 1) = π/4; FPTAN(0) pushes 1.0 after tan 0 = 0; FYL2X(y = 3, x = 8) = 9; F2XM1(0.5) = √2 − 1;
        // FSIN of 2^63 is out of range: C2 set, operand kept.
        var m = Run(a =>
        {
            a.fninit();
            a.fld1();
            a.fld1();
            a.fpatan();
            a.fstp(__tword_ptr[Data]);
            a.fldz();
            a.fptan();
            a.fstp(__tword_ptr[Data + 0x10]);     // 1.0
            a.fstp(__tword_ptr[Data + 0x20]);     // +0
            a.fild(__word_ptr[Data + 0x80]);      // y = 3
            a.fild(__word_ptr[Data + 0x82]);      // x = 8
            a.fyl2x();
            a.fistp(__word_ptr[Data + 0x30]);
            a.fld(__qword_ptr[Data + 0x88]);      // 0.5
            a.f2xm1();
            a.fstp(__tword_ptr[Data + 0x40]);
            a.fld(__tword_ptr[Data + 0x90]);      // 2^63
            a.fsin();
            a.fnstsw(ax);
            a.fstp(__tword_ptr[Data + 0x50]);
            a.hlt();
        }, m =>
        {
            m.WriteBytes(Data + 0x80, 3, 0, 8, 0);
            m.Write64(Data + 0x88, 0x3FE0_0000_0000_0000);
            m.Write64(Data + 0x90, 0x8000_0000_0000_0000);
            m.WriteBytes(Data + 0x98, 0x3E, 0x40);
        });
        Assert.Multiple(() =>
        {
            Assert.That(Read80(m, Data), Is.EqualTo(new Float80(0x3FFE, 0xC90F_DAA2_2168_C235)));
            Assert.That(Read80(m, Data + 0x10), Is.EqualTo(Float80.One));
            Assert.That(Read80(m, Data + 0x20), Is.EqualTo(Float80.Zero));
            Assert.That(m.Read16(Data + 0x30), Is.EqualTo(9));
            Assert.That(Read80(m, Data + 0x40), Is.EqualTo(new Float80(0x3FFD, 0xD413_CCCF_E779_9211)));
            Assert.That(m.Reg(Gpr.Rax) & 0x400, Is.EqualTo(0x400));
            Assert.That(Read80(m, Data + 0x50), Is.EqualTo(new Float80(0x403E, 0x8000_0000_0000_0000)));
        });
    }

    [Test]
    public void LazyContextSwitchWithFxsave()
    {
        // A kernel's lazy FPU switch: it sets CR0.TS on a task switch; the new task's first x87 instruction raises
        // #NM; the handler clears TS (CLTS), saves the previous owner's state (FXSAVE), loads the new task's
        // (FXRSTOR) and returns, and the instruction runs again. Task A: 1.0 on the stack; task B: π.
        var m = Run(a =>
        {
            a.fninit();
            a.fxsave(__[0x3200]);          // task B's initial image: empty stack, control word 037F
            a.fld1();                      // task A
            a.mov(eax, cr0);
            a.or(eax, 8);
            a.mov(cr0, eax);               // switch to B: TS
            a.fldpi();                     // #NM: save A, load B; then runs
            a.mov(eax, cr0);
            a.or(eax, 8);
            a.mov(cr0, eax);               // switch back to A
            a.fadd(st0, st0);              // #NM: save B, load A; then 1 + 1
            a.fstp(__tword_ptr[0x4000]);
            a.hlt();
        }, m =>
        {
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
            Assert.That(Read80(m, 0x4000), Is.EqualTo(new Float80(0x4000, 0x8000_0000_0000_0000)));   // 2.0
            // Task A's image: FSW with TOP = 7, abridged tag bit 7, ST(0) = 1.0 at byte 32.
            Assert.That(m.Read16(0x3002), Is.EqualTo(0x3800));
            Assert.That(m.Read8(0x3004), Is.EqualTo(0x80));
            Assert.That(Read80(m, 0x3000 + 32), Is.EqualTo(Float80.One));
            // Task B's image holds π.
            Assert.That(Read80(m, 0x3200 + 32), Is.EqualTo(new Float80(0x4000, 0xC90F_DAA2_2168_C235)));
            Assert.That(m.Cpu.Cr0 & 8, Is.EqualTo(0UL));
        });
    }

    [Test]
    public void UnmaskedExceptionsAndPrecisionControl()
    {
        // CR0.NE = 0 and nothing on FERR#, so pending exceptions are only observed in the status word.
        var m = Run(a =>
        {
            a.fninit();
            a.fldcw(__word_ptr[Data]);               // 037E: IE unmasked
            a.fldz();
            a.fldz();
            a.fdivp(st1, st0);                       // 0/0: invalid; unmasked → no result, no pop
            a.fnstsw(__word_ptr[Data + 0x10]);
            a.fld(__qword_ptr[Data + 0x08]);         // 1e10
            a.fist(__word_ptr[Data + 0x12]);         // out of range, unmasked → memory untouched
            a.fninit();
            a.fldcw(__word_ptr[Data + 2]);           // 0377: OE unmasked
            a.fld(__tword_ptr[Data + 0x20]);         // the largest finite value
            a.fadd(st0, st0);                        // overflow → bias-adjusted result in ST(0)
            a.fstp(__tword_ptr[Data + 0x30]);
            a.fninit();
            a.fldcw(__word_ptr[Data + 4]);           // 007F: precision control 24 bits
            a.fld1();
            a.fild(__word_ptr[Data + 6]);            // 3
            a.fdivp(st1, st0);
            a.fstp(__tword_ptr[Data + 0x40]);
            a.hlt();
        }, m =>
        {
            m.WriteBytes(Data, 0x7E, 0x03, 0x77, 0x03, 0x7F, 0x00, 3, 0);
            m.Write64(Data + 0x08, 0x4202_A05F_2000_0000);   // 1e10 = 10^10 exactly
            m.WriteBytes(Data + 0x12, 0x34, 0x12);
            m.Write64(Data + 0x20, 0xFFFF_FFFF_FFFF_FFFF);
            m.WriteBytes(Data + 0x28, 0xFE, 0x7F);
        });
        static ulong R64(TestMachine m, ulong a) => m.Read32(a) | (ulong)m.Read32(a + 4) << 32;
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(Data + 0x10), Is.EqualTo(0xB081));           // B, TOP = 6, ES, IE
            Assert.That(m.Read16(Data + 0x12), Is.EqualTo(0x1234));
            // 2 × (2 − 2^−63) × 2^16383: exponent 7FFFh, less the 24576 (6000h) bias adjustment: 1FFFh (SDM vol. 1, 8.5.4).
            Assert.That(m.Read16(Data + 0x38), Is.EqualTo(0x1FFF));
            Assert.That(R64(m, Data + 0x30), Is.EqualTo(0xFFFF_FFFF_FFFF_FFFFUL));
            // 1/3 to 24 bits: AAAAAB000000000 (SDM vol. 1, 8.1.5.2).
            Assert.That(m.Read16(Data + 0x48), Is.EqualTo(0x3FFD));
            Assert.That(R64(m, Data + 0x40), Is.EqualTo(0xAAAA_AB00_0000_0000UL));
        });
    }
}
