using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// MOVS, CMPS, SCAS, LODS, STOS with and without REP/REPE/REPNE (SDM vol. 2, each instruction
/// and "REP/REPE/REPZ/REPNE/REPNZ"). Real-mode programs run at 0000:1000 with DS = ES = 0
/// unless a test says otherwise; expected values are worked from the SDM pseudocode.
/// </summary>
public class StringInstructionTests
{
    const uint CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    const uint ArithFlags = CF | PF | AF | ZF | SF | OF;

    static TestMachine Real(Action<Assembler> build, Action<TestMachine>? setup = null)
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, build);
        m.StartReal(0, 0x1000);
        setup?.Invoke(m);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return m;
    }

    static ulong Lo16(TestMachine m, Gpr r) => m.Reg(r) & 0xFFFF;

    // ---------------- MOVS ----------------

    [Test]
    public void MovsbCopiesOneByteAndStepsSiDi()
    {
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.mov(cx, 7); a.movsb(); a.hlt(); },
            m => m.WriteBytes(0x2000, 0x5A, 0x6B));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0x5A));
            Assert.That(m.Read8(0x3001), Is.EqualTo(0), "only one element without REP");
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2001));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3001));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(7), "CX is only used with REP");
        });
    }

    [Test]
    public void RepMovswCopiesCxWords()
    {
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.mov(cx, 3); a.rep.movsw(); a.hlt(); },
            m => m.WriteBytes(0x2000, 1, 2, 3, 4, 5, 6, 7, 8));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(0x3000), Is.EqualTo(0x04030201u));
            Assert.That(m.Read16(0x3004), Is.EqualTo(0x0605));
            Assert.That(m.Read16(0x3006), Is.EqualTo(0), "CX = 3 words");
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2006));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3006));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
        });
    }

    [Test]
    public void RepMovsbWithDfSetCopiesDownward()
    {
        var m = Real(a => { a.std(); a.mov(si, 0x2003); a.mov(di, 0x3003); a.mov(cx, 4); a.rep.movsb(); a.hlt(); },
            m => m.WriteBytes(0x1FFF, 0xEE, 0x10, 0x20, 0x30, 0x40));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(0x3000), Is.EqualTo(0x40302010u));
            Assert.That(m.Read8(0x2FFF), Is.EqualTo(0), "stops after CX elements");
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x1FFF));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x2FFF));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
        });
    }

    [Test]
    public void MovsdWithDfSetStepsByFour()
    {
        var m = Real(a => { a.std(); a.mov(si, 0x2004); a.mov(di, 0x3004); a.movsd(); a.hlt(); },
            m => m.Write32(0x2004, 0xCAFEBABE));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(0x3004), Is.EqualTo(0xCAFEBABEu));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2000));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3000));
        });
    }

    [Test]
    public void SegmentOverrideAppliesToTheSourceOnly()
    {
        // FS base 0x2000: FS:0010 is 0x2010; DS:0010 holds something else. The destination stays ES:DI.
        var m = Real(a =>
        {
            a.mov(ax, 0x0200); a.mov(fs, ax);
            a.mov(si, 0x0010); a.mov(di, 0x3000);
            a.db(0x64, 0xA4);   // FS: MOVSB
            a.hlt();
        }, m => { m.WriteBytes(0x2010, 0xC3); m.WriteBytes(0x0010, 0x77); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0xC3));
            Assert.That(m.Read8(0x5000), Is.EqualTo(0), "FS:DI is not the destination");
        });
    }

    [Test]
    public void StosIgnoresSegmentOverride()
    {
        var m = Real(a =>
        {
            a.mov(ax, 0x0200); a.mov(fs, ax);
            a.mov(al, 0x99); a.mov(di, 0x3000);
            a.db(0x64, 0xAA);   // FS: STOSB still writes ES:DI (SDM vol. 2, STOS: ES cannot be overridden)
            a.hlt();
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0x99));
            Assert.That(m.Read8(0x5000), Is.EqualTo(0));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3001));
        });
    }

    // ---------------- LODS / STOS ----------------

    [Test]
    public void LodsLoadsAccumulatorOfEachSize()
    {
        var m = Real(a =>
        {
            a.mov(eax, 0x11223344);
            a.mov(si, 0x2000);
            a.lodsb(); a.mov(bl, al);      // AL = 0x81, upper AX bits kept
            a.mov(edx, eax);
            a.lodsw(); a.mov(cx, ax);      // AX = 0x8382
            a.lodsd();                     // EAX = 0x87868584
            a.hlt();
        }, m => m.WriteBytes(0x2000, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF_FFFF, Is.EqualTo(0x11223381));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0x8382));
            Assert.That(m.Reg(Gpr.Rax) & 0xFFFF_FFFF, Is.EqualTo(0x87868584));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2007));
        });
    }

    [Test]
    public void LodsWithEsOverrideAndRepKeepsLastElement()
    {
        var m = Real(a =>
        {
            a.mov(ax, 0x0300); a.mov(es, ax);    // ES base 0x3000
            a.mov(si, 0x0010); a.mov(cx, 3);
            a.db(0xF3, 0x26, 0xAC);              // REP ES: LODSB
            a.hlt();
        }, m => { m.WriteBytes(0x3010, 1, 2, 3, 4); m.WriteBytes(0x0010, 9, 9, 9, 9); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rax) & 0xFF, Is.EqualTo(3));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x0013));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
        });
    }

    [Test]
    public void RepStoswFillsWords()
    {
        var m = Real(a => { a.mov(ax, 0xABCD); a.mov(di, 0x3000); a.mov(cx, 3); a.rep.stosw(); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(0x3000), Is.EqualTo(0xABCDABCDu));
            Assert.That(m.Read16(0x3004), Is.EqualTo(0xABCD));
            Assert.That(m.Read16(0x3006), Is.EqualTo(0));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3006));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
        });
    }

    [Test]
    public void RepStosdWithDfSetFillsDownward()
    {
        var m = Real(a => { a.std(); a.mov(eax, 0x01020304); a.mov(di, 0x3008); a.mov(cx, 3); a.rep.stosd(); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read32(0x3000), Is.EqualTo(0x01020304u));
            Assert.That(m.Read32(0x3004), Is.EqualTo(0x01020304u));
            Assert.That(m.Read32(0x3008), Is.EqualTo(0x01020304u));
            Assert.That(m.Read32(0x2FFC), Is.EqualTo(0u));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x2FFC));
        });
    }

    // ---------------- CMPS / SCAS ----------------

    [Test]
    public void RepeCmpsbStopsAtFirstMismatch()
    {
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.mov(cx, 10); a.repe.cmpsb(); a.hlt(); },
            m => { m.WriteBytes(0x2000, "ABCDxQ"u8.ToArray()); m.WriteBytes(0x3000, "ABCDyQ"u8.ToArray()); });
        // Fifth compare: 'x' - 'y' = 0x78 - 0x79 = 0xFF: borrow, negative, even parity, borrow from bit 3.
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(5));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2005));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3005));
            Assert.That(m.Flags & ArithFlags, Is.EqualTo(CF | SF | PF | AF));
        });
    }

    [Test]
    public void RepeCmpsbEqualStringsRunCxToZero()
    {
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.mov(cx, 4); a.repe.cmpsb(); a.hlt(); },
            m => { m.WriteBytes(0x2000, "ABCD"u8.ToArray()); m.WriteBytes(0x3000, "ABCD"u8.ToArray()); });
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2004));
            Assert.That(m.Flags & ArithFlags, Is.EqualTo(ZF | PF));
        });
    }

    [Test]
    public void RepneCmpswStopsAtFirstMatch()
    {
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.mov(cx, 5); a.repne.cmpsw(); a.hlt(); },
            m => { m.WriteBytes(0x2000, 1, 0, 2, 0, 3, 0); m.WriteBytes(0x3000, 9, 0, 9, 0, 3, 0); });
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(2));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2006));
            Assert.That(m.Flags & ZF, Is.EqualTo(ZF));
        });
    }

    [Test]
    public void CmpswSetsFlagsOfSourceMinusDestination()
    {
        // DS:[SI] - ES:[DI] = 0x8000 - 0x0001 = 0x7FFF: signed overflow, no borrow, a borrow from bit 3 (AF),
        // low byte 0xFF has eight set bits (PF).
        var m = Real(a => { a.mov(si, 0x2000); a.mov(di, 0x3000); a.cmpsw(); a.hlt(); },
            m => { m.WriteBytes(0x2000, 0x00, 0x80); m.WriteBytes(0x3000, 0x01, 0x00); });
        Assert.That(m.Flags & ArithFlags, Is.EqualTo(OF | PF | AF));
    }

    [Test]
    public void RepneScasbFindsByte()
    {
        var m = Real(a => { a.xor(al, al); a.mov(di, 0x3000); a.mov(cx, 0xFFFF); a.repne.scasb(); a.hlt(); },
            m => m.WriteBytes(0x3000, "hello\0"u8.ToArray()));
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3006), "DI points one past the match");
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0xFFFF - 6));
            Assert.That(m.Flags & ZF, Is.EqualTo(ZF));
        });
    }

    [Test]
    public void RepneScasbWithoutMatchRunsCxOut()
    {
        var m = Real(a => { a.mov(al, (byte)'z'); a.mov(di, 0x3000); a.mov(cx, 3); a.repne.scasb(); a.hlt(); },
            m => m.WriteBytes(0x3000, "hello"u8.ToArray()));
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3003));
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(0));
            Assert.That(m.Flags & ZF, Is.EqualTo(0));
        });
    }

    [Test]
    public void RepeScaswStopsOnDifferentWord()
    {
        // AX - [DI] on the third word: 5 - 7 = 0xFFFE: borrow, negative, low byte 0xFE has 7 bits (odd), AF from 5-7.
        var m = Real(a => { a.mov(ax, 5); a.mov(di, 0x3000); a.mov(cx, 4); a.repe.scasw(); a.hlt(); },
            m => m.WriteBytes(0x3000, 5, 0, 5, 0, 7, 0, 5, 0));
        Assert.Multiple(() =>
        {
            Assert.That(Lo16(m, Gpr.Rcx), Is.EqualTo(1));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3006));
            Assert.That(m.Flags & ArithFlags, Is.EqualTo(CF | SF | AF));
        });
    }

    [Test]
    public void RepWithCxZeroDoesNothing()
    {
        var m = Real(a =>
        {
            a.mov(si, 0x2000); a.mov(di, 0x3000); a.xor(cx, cx); a.mov(al, 0x5A);
            a.stc();
            a.rep.movsb(); a.rep.stosb(); a.repe.cmpsb(); a.repne.scasb(); a.rep.lodsb();
            a.hlt();
        }, m => m.WriteBytes(0x2000, 0x11));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0));
            Assert.That(Lo16(m, Gpr.Rsi), Is.EqualTo(0x2000));
            Assert.That(Lo16(m, Gpr.Rdi), Is.EqualTo(0x3000));
            Assert.That(m.Reg(Gpr.Rax) & 0xFF, Is.EqualTo(0x5A));
            Assert.That(m.Flags & CF, Is.EqualTo(CF), "CMPS/SCAS did not run, so STC's CF survives");
        });
    }

    // ---------------- address size ----------------

    [Test]
    public void SixteenBitAddressingChangesOnlyLowHalvesAndWraps()
    {
        var m = Real(a =>
        {
            a.mov(esi, 0x1234FFFF); a.mov(edi, 0x56783000); a.mov(ecx, 0x00010001);
            a.rep.movsb();   // CX = 1: one byte from DS:FFFF; SI wraps to 0
            a.hlt();
        }, m => m.WriteBytes(0xFFFF, 0x4E));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0x4E));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x12340000UL));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x56783001UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x00010000UL));
        });
    }

    [Test]
    public void ThirtyTwoBitAddressingUsesEsiEdiEcx()
    {
        var m = Real(a =>
        {
            a.mov(esi, 0xFFFE); a.mov(edi, 0x3000); a.mov(ecx, 2);
            a.db(0x67, 0xF3, 0xA4);   // a32 REP MOVSB
            a.hlt();
        }, m => m.WriteBytes(0xFFFE, 0xA1, 0xB2));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x3000), Is.EqualTo(0xB2A1));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x10000UL), "ESI does not wrap at 64K");
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x3002UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0UL));
        });
    }

    [Test]
    public void RepWithCxZeroButEcxNonZeroUsesCx()
    {
        var m = Real(a => { a.mov(ecx, 0x00010000); a.mov(di, 0x3000); a.mov(al, 1); a.rep.stosb(); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3000), Is.EqualTo(0));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x00010000UL));
        });
    }

    // ---------------- faults and interrupts mid-way ----------------

    /// <summary>Real mode: vector 13 (#GP) through the IVT to 0000:2000, which halts.</summary>
    static TestMachine RunToGp(Action<Assembler> build, Action<TestMachine> setup)
    {
        var m = new TestMachine();
        m.Write32(13 * 4, 0x0000_2000);
        m.Load(16, 0x2000, a => a.hlt());
        m.Load(16, 0x1000, build);
        m.StartReal(0, 0x1000);
        setup(m);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x2001UL), "halted in the #GP handler");
        return m;
    }

    [Test]
    public void FaultInRepMovswLeavesRegistersAtFaultingElement()
    {
        // ES limit is 0xFFFF: words at DI = FFFB and FFFD fit, the word at FFFF does not → #GP(0)
        // (SDM vol. 2, MOVS, real-address mode exceptions). The first two iterations are committed.
        var m = RunToGp(a => { a.rep.movsw(); a.hlt(); }, m =>
        {
            m.Cpu.SetSegmentReal(SegReg.ES, 0x1000);
            m.Cpu.SetGpr(Gpr.Rsi, 0x4000);
            m.Cpu.SetGpr(Gpr.Rdi, 0xFFFB);
            m.Cpu.SetGpr(Gpr.Rcx, 5);
            m.WriteBytes(0x4000, 1, 2, 3, 4, 5, 6);
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x4004UL));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0xFFFFUL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(3UL));
            Assert.That(m.Read32(0x1FFFB), Is.EqualTo(0x04030201u));
            Assert.That(m.Read8(0x1FFFF), Is.EqualTo(0), "the faulting element wrote nothing");
            Assert.That(m.Read16(0x8000 - 6), Is.EqualTo(0x1000), "return IP is the REP instruction, so it restarts");
            Assert.That(m.Read16(0x8000 - 4), Is.EqualTo(0x0000), "return CS");
        });
    }

    [Test]
    public void FaultWithThirtyTwoBitAddressingPastTheLimit()
    {
        var m = RunToGp(a => { a.db(0x67, 0xF3, 0xA4); a.hlt(); }, m =>
        {
            m.Cpu.SetGpr(Gpr.Rsi, 0x4000);
            m.Cpu.SetGpr(Gpr.Rdi, 0xFFFE);
            m.Cpu.SetGpr(Gpr.Rcx, 4);
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x4002UL));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x10000UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(2UL));
        });
    }

    sealed class OneShotInterrupt(byte vector, int pollsBefore) : IInterruptController
    {
        int polls;
        public bool Fired;
        public bool InterruptPending => !Fired && ++polls > pollsBefore;
        public byte Acknowledge() { Fired = true; return vector; }
    }

    [Test]
    public void LongRepStosbIsInterruptibleAndResumes()
    {
        // An interrupt between iterations returns to the REP instruction with the registers showing
        // the progress so far (SDM vol. 2, REP: "the instruction is restarted at the point of interruption").
        var m = new TestMachine();
        m.Write32(0x20 * 4, 0x0000_2000);
        m.Load(16, 0x2000, a =>
        {
            a.mov(__word_ptr[0x500], cx);
            a.mov(__word_ptr[0x502], di);
            a.mov(bp, sp);
            a.mov(ax, __word_ptr[bp]);
            a.mov(__word_ptr[0x504], ax);
            a.mov(ax, 0x0077);
            a.iret();
        });
        m.Load(16, 0x1000, a => { a.rep.stosb(); a.hlt(); });
        m.StartReal(0, 0x1000);
        m.Cpu.SetSegmentReal(SegReg.ES, 0x1000);
        m.Cpu.SetGpr(Gpr.Rax, 0x77);
        m.Cpu.SetGpr(Gpr.Rcx, 20000);
        m.Cpu.Eflags = 0x202;
        var pic = new OneShotInterrupt(0x20, 1);
        m.Cpu.InterruptController = pic;
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        ushort cxSeen = m.Read16(0x500), diSeen = m.Read16(0x502);
        Assert.Multiple(() =>
        {
            Assert.That(pic.Fired, Is.True);
            Assert.That(cxSeen, Is.InRange(1, 19999), "taken in the middle of the REP");
            Assert.That(diSeen, Is.EqualTo(20000 - cxSeen), "DI and CX agree at the interruption");
            Assert.That(m.Read16(0x504), Is.EqualTo(0x1000), "return IP is the REP instruction");
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0));
            Assert.That(m.Reg(Gpr.Rdi) & 0xFFFF, Is.EqualTo(20000));
            Assert.That(m.Read8(0x10000), Is.EqualTo(0x77));
            Assert.That(m.Read8(0x10000 + 19999), Is.EqualTo(0x77));
            Assert.That(m.Read8(0x10000 + 20000), Is.EqualTo(0));
        });
    }

    // ---------------- 32-bit flat: page crossings, overlap, self-modifying code ----------------

    /// <summary>Flat 32-bit protected mode at CPL 0, paging off, code at <paramref name="codeAt"/>.</summary>
    static TestMachine Flat32(ulong codeAt, Action<Assembler> build, Action<TestMachine>? setup = null)
    {
        var m = new TestMachine();
        m.Load(32, codeAt, build);
        var c = m.Cpu;
        c.SetControlRegister(0, c.Cr0 | CrBits.CR0_PE);
        var data = new SegmentCache { Selector = 0x10, Base = 0, Limit = 0xFFFF_FFFF, Attributes = 0xCF93 };
        foreach (var s in new[] { SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS }) c.SetSegment(s, data);
        c.SetSegment(SegReg.CS, new SegmentCache { Selector = 0x08, Base = 0, Limit = 0xFFFF_FFFF, Attributes = 0xCF9B });
        c.SetGpr(Gpr.Rsp, 0x8000);
        c.Rip = codeAt;
        setup?.Invoke(m);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return m;
    }

    static byte[] Pattern(int n, int seed)
    {
        var b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte)(i * 7 + seed + (i >> 8));
        return b;
    }

    static byte[] ReadBytes(TestMachine m, ulong addr, int n)
    {
        var b = new byte[n];
        m.Machine.Memory.Read(addr, b);
        return b;
    }

    [Test]
    public void RepMovsdAcrossPagesMisaligned()
    {
        var src = Pattern(0x4000, 3);
        var m = Flat32(0x1000, a => { a.mov(esi, 0x100003); a.mov(edi, 0x200101); a.mov(ecx, 0x1000); a.rep.movsd(); a.hlt(); },
            m => m.WriteBytes(0x100003, src));
        Assert.Multiple(() =>
        {
            Assert.That(ReadBytes(m, 0x200101, 0x4000), Is.EqualTo(src));
            Assert.That(m.Read8(0x200101 + 0x4000), Is.EqualTo(0));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x104003UL));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x204101UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0UL));
        });
    }

    [Test]
    public void RepMovsdBackwardAcrossPages()
    {
        var src = Pattern(0x3000, 11);
        var m = Flat32(0x1000, a => { a.std(); a.mov(esi, 0x100000 + 0x3000 - 4); a.mov(edi, 0x200802 + 0x3000 - 4); a.mov(ecx, 0xC00); a.rep.movsd(); a.hlt(); },
            m => m.WriteBytes(0x100000, src));
        Assert.Multiple(() =>
        {
            Assert.That(ReadBytes(m, 0x200802, 0x3000), Is.EqualTo(src));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x100000UL - 4));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x200802UL - 4));
        });
    }

    [Test]
    public void OverlappingForwardMovsbReplicatesLikeTheCpu()
    {
        // DI = SI + 1: each element reads the byte the previous one just wrote, so the first byte
        // spreads over the whole range (element-by-element semantics, SDM vol. 2, MOVS).
        var m = Flat32(0x1000, a => { a.mov(esi, 0x300000); a.lea(edi, __[esi + 1]); a.mov(ecx, 0x2100); a.rep.movsb(); a.hlt(); },
            m => { m.WriteBytes(0x300000, Pattern(0x2200, 5)); m.WriteBytes(0x300000, 0x42); });
        var got = ReadBytes(m, 0x300000, 0x2101);
        Assert.That(got.All(b => b == 0x42), Is.True);
    }

    [Test]
    public void OverlappingForwardMovsdByThreeBytes()
    {
        // DI = SI + 3 with dwords: element i reads bytes that element i-1 partly overwrote.
        var init = Pattern(0x40, 1);
        var m = Flat32(0x1000, a => { a.mov(esi, 0x300FF0); a.mov(edi, 0x300FF3); a.mov(ecx, 8); a.rep.movsd(); a.hlt(); },
            m => m.WriteBytes(0x300FF0, init));
        var expect = (byte[])init.Clone();
        for (int i = 0; i < 8; i++)
        {
            var tmp = expect.AsSpan(i * 4, 4).ToArray();
            tmp.CopyTo(expect, 3 + i * 4);
        }
        Assert.That(ReadBytes(m, 0x300FF0, 0x40), Is.EqualTo(expect));
    }

    [Test]
    public void RepStosdLargeFill()
    {
        var m = Flat32(0x1000, a => { a.mov(eax, 0xDEADBEEF); a.mov(edi, 0x400002); a.mov(ecx, 0x1801); a.rep.stosd(); a.hlt(); });
        var got = ReadBytes(m, 0x400002, 0x1801 * 4 + 1);
        bool ok = true;
        for (int i = 0; i < 0x1801; i++) ok &= BitConverter.ToUInt32(got, i * 4) == 0xDEADBEEF;
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.True);
            Assert.That(got[^1], Is.EqualTo(0));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x400002UL + 0x1801 * 4));
        });
    }

    [Test]
    public void RepMovsbOverFollowingCodeIsSeen()
    {
        // Self-modifying code: the copy rewrites "mov eax, 1" just after the REP MOVSB in the same
        // decoded block; the new instruction must run (SDM vol. 3, 11.6).
        byte[] code = [];
        var m = Flat32(0x1000, a =>
        {
            a.mov(esi, 0x2000);       // BE imm32: 5 bytes
            a.mov(edi, 0x1011);       // BF imm32: 5 bytes
            a.mov(ecx, 5);            // B9 imm32: 5 bytes
            a.rep.movsb();            // F3 A4:     2 bytes → the next instruction is at 0x1011
            a.mov(eax, 1);
            a.hlt();
        }, m =>
        {
            code = ReadBytes(m, 0x1011, 5);
            m.WriteBytes(0x2000, 0xB8, 0x02, 0x00, 0x00, 0x00);   // mov eax, 2
        });
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(new byte[] { 0xB8, 1, 0, 0, 0 }), "layout assumed by the test");
            Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(2UL));
        });
    }

    [Test]
    public void RepStosbOverFollowingCodeIsSeen()
    {
        // STOSB writes NOPs (0x90) over "mov eax, 1", so EAX keeps 0x90.
        var m = Flat32(0x1000, a =>
        {
            a.mov(eax, 0x90);         // 5 bytes; AL = NOP
            a.mov(edi, 0x1011);       // 5
            a.mov(ecx, 5);            // 5
            a.rep.stosb();            // 2 → 0x1011
            a.mov(eax, 1);            // overwritten
            a.hlt();
        });
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(0x90UL));
    }
}
