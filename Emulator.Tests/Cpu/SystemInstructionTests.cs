using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;
using P = Emulator.Tests.Cpu.ProtectedModeSetup;

namespace Emulator.Tests.Cpu;

/// <summary>System instructions (SDM vol. 2 instruction pages), expected values worked from the SDM.</summary>
public class SystemInstructionTests
{
    static P RunBody(Action<Assembler> body, Action<P>? setup = null)
    {
        var s = new P();
        setup?.Invoke(s);
        s.Build(a => { body(a); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        return s;
    }

    static byte Z(P s, int i) => s.M.Read8(P.Scratch + 0x20 + (ulong)i);

    [Test]
    public void LarLslVerrVerwReportThroughZf()
    {
        var s = RunBody(a =>
        {
            int i = 0;
            void SetZ() => a.setz(__byte_ptr[(uint)P.Scratch + 0x20 + (uint)i++]);
            a.mov(bx, 0x43); a.lar(eax, ebx); SetZ();                       // 0: data DPL 3
            a.lsl(ecx, ebx); SetZ();                                        // 1
            a.verr(bx); SetZ();                                            // 2
            a.verw(bx); SetZ();                                            // 3
            a.mov(bx, 0x48); a.verr(bx); SetZ();                           // 4: execute-only code
            a.verw(bx); SetZ();                                            // 5
            a.lar(edx, ebx); SetZ();                                        // 6
            a.mov(bx, 0x50); a.lar(esi, ebx); SetZ();                       // 7: interrupt gate
            a.lsl(esi, ebx); SetZ();                                        // 8
            a.xor(ebx, ebx); a.verr(bx); SetZ();                           // 9: null selector
            a.mov(__word_ptr[(uint)P.Scratch], P.Data0); a.verw(__word_ptr[(uint)P.Scratch]); SetZ();   // 10: memory form
            a.mov(bx, 0x58); a.lsl(edi, ebx); SetZ();                       // 11: TSS, page granular
        }, s =>
        {
            s.SetGdt(8, P.Segment(0, 0x12345, 0xF2, 0x4));
            s.SetGdt(9, P.Segment(0, 0xFFFF, 0x98, 0x4));
            s.SetGdt(10, P.Gate(P.Code0, 0, 0xE, 0));
            s.SetGdt(11, P.Segment(0x4000, 0x1, 0x89, 0x8));
        });
        Assert.Multiple(() =>
        {
            Assert.That(Enumerable.Range(0, 12).Select(i => Z(s, i)), Is.EqualTo(new byte[] { 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1 }));
            // Second dword 0041F200H (limit 19:16 = 1, flags 4, access F2) masked with 00F0FF00H.
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0x0040F200u));
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo(0x12345u));
            Assert.That(s.Reg32(Gpr.Rdx), Is.EqualTo(0x00409800u));
            Assert.That(s.Reg32(Gpr.Rdi), Is.EqualTo(0x1FFFu));   // limit 1 × 4 KiB + FFFH
        });
    }

    [Test]
    public void ProbesFromRing3SeeOnlyOuterSegments()
    {
        var s = new P();
        s.Assemble32(P.ExtraCode, a =>
        {
            a.mov(bx, P.Data0); a.verw(bx); a.setz(al);
            a.mov(bx, P.Data3); a.verw(bx); a.setz(ah);
            a.mov(bx, P.Code0); a.lar(ecx, ebx); a.setz(dl);
            a.@int(P.HaltVector);
        });
        s.Build(a => ProtectedModeTests.EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x0100u));
            Assert.That(s.Reg32(Gpr.Rdx) & 0xFF, Is.EqualTo(0u));
        });
    }

    [Test]
    public void StoresOfSystemRegisters()
    {
        var s = RunBody(a =>
        {
            a.sgdt(__[(uint)P.Scratch]);
            a.sidt(__[(uint)P.Scratch + 8]);
            a.smsw(eax);
            a.mov(ebx, 0xFFFF0000);
            a.smsw(bx);
            a.mov(ecx, 0xFFFFFFFF);
            a.str(ecx);
            a.mov(edx, 0xFFFFFFFF);
            a.sldt(edx);
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.M.Read16(P.Scratch), Is.EqualTo(0x7FF));
            Assert.That(s.M.Read32(P.Scratch + 2), Is.EqualTo((uint)P.GdtBase));
            Assert.That(s.M.Read16(P.Scratch + 8), Is.EqualTo(0x7FF));
            Assert.That(s.M.Read32(P.Scratch + 10), Is.EqualTo((uint)P.IdtBase));
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0x60000011u));   // reset CR0 60000010H + PE
            Assert.That(s.Reg32(Gpr.Rbx), Is.EqualTo(0xFFFF0011u));   // 16-bit destination keeps the high word
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo((uint)P.TssA));
            Assert.That(s.Reg32(Gpr.Rdx), Is.EqualTo(0u));
        });
    }

    [Test]
    public void Lgdt16BitOperandLoadsA24BitBase()
    {
        var s = RunBody(a =>
        {
            a.mov(__word_ptr[(uint)P.Scratch], 0x7FF);
            a.mov(__dword_ptr[(uint)P.Scratch + 2], unchecked((int)0xAB001000));
            a.db(0x66); a.lgdt(__[(uint)P.Scratch]);   // o16 lgdt
            a.sgdt(__[(uint)P.Scratch + 0x10]);
        });
        Assert.That(s.M.Read32(P.Scratch + 0x12), Is.EqualTo(0x001000u));
    }

    [Test]
    public void ArplRaisesRpl()
    {
        var s = RunBody(a =>
        {
            a.mov(ax, 0x10); a.mov(bx, 3); a.arpl(ax, bx); a.setz(cl);
            a.arpl(ax, bx); a.setz(ch);
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x13u));
            Assert.That(s.Reg32(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x0001u));
        });
    }

    [Test]
    public void PagingWithoutProtectionIsGp()
    {
        var s = RunBody(a => { a.mov(eax, unchecked((int)0x80000000)); a.mov(cr0, eax); });
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
            Assert.That(s.Cpu.Mode, Is.EqualTo(CpuMode.Protected));
        });
    }

    [Test]
    public void Cr4UnsupportedBitIsGpAndSupportedBitsLoad()
    {
        var s = RunBody(a =>
        {
            a.mov(eax, (uint)(CrBits.CR4_PSE | CrBits.CR4_PGE));
            a.mov(cr4, eax);
            a.mov(ebx, cr4);
            a.mov(eax, (uint)CrBits.CR4_PAE);   // the Pentium Pro model has no PAE
            a.mov(cr4, eax);
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rbx), Is.EqualTo(0x90u));
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
        });
    }

    [Test]
    public void LmswSetsLowBitsButCannotClearPe()
    {
        var s = RunBody(a =>
        {
            a.mov(ax, 8); a.lmsw(ax); a.mov(ebx, cr0);   // TS set, PE written 0 but stays
            a.clts(); a.mov(ecx, cr0);
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rbx) & 0xF, Is.EqualTo(9u));
            Assert.That(s.Reg32(Gpr.Rcx) & 0xF, Is.EqualTo(1u));
        });
    }

    [Test]
    public void Dr4AliasesDr6AndDr5AliasesDr7UnlessDe()
    {
        var s = RunBody(a =>
        {
            a.mov(eax, 1); a.mov(dr7, eax);
            a.mov(ebx, dr5);
            a.mov(ecx, dr4);
            a.mov(eax, (uint)CrBits.CR4_DE); a.mov(cr4, eax);
            a.mov(edx, dr4);
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rbx), Is.EqualTo(0x401u));        // DR7 bit 10 reads 1
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo(0xFFFF0FF0u));   // DR6 reset value
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.UD));
        });
    }

    [Test]
    public void MsrReadWriteAndUnknownIsGp()
    {
        var s = RunBody(a =>
        {
            a.mov(ecx, 0x1B); a.rdmsr(); a.mov(esi, eax); a.mov(edi, edx);
            a.mov(ecx, 0x175); a.mov(eax, 0x12345678); a.xor(edx, edx); a.wrmsr();
            a.xor(eax, eax); a.rdmsr(); a.mov(ebp, eax);
            a.mov(ecx, unchecked((int)0xC0000080)); a.rdmsr();   // no EFER on the Pentium Pro model
        });
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rsi), Is.EqualTo(0xFEE00900u));
            Assert.That(s.Reg32(Gpr.Rdi), Is.EqualTo(0u));
            Assert.That(s.Reg32(Gpr.Rbp), Is.EqualTo(0x12345678u));
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
        });
    }

    [Test]
    public void MicrocodeSignatureReadsZero()
    {
        // Linux's early_init_intel: WRMSR 8Bh with 0, CPUID, RDMSR 8Bh: EDX = the update revision,
        // 0 when no update was loaded (SDM vol. 3, 10.11.7.1). A write to 79h (update trigger) with
        // no valid update leaves it at 0.
        var s = RunBody(a =>
        {
            a.mov(ecx, 0x79); a.mov(eax, 0x5000); a.xor(edx, edx); a.wrmsr();
            a.mov(ecx, 0x8B); a.xor(eax, eax); a.xor(edx, edx); a.wrmsr();
            a.mov(eax, 1); a.cpuid();
            a.mov(ecx, 0x8B); a.mov(edx, 0xFFFF_FFFF); a.rdmsr(); a.mov(esi, edx);
            a.hlt();
        });
        Assert.That(s.Reg32(Gpr.Rsi), Is.EqualTo(0u));
        Assert.That(s.HaltedVector, Is.EqualTo(-1), "no fault: the body ran to its HLT");
    }

    [Test]
    public void SysenterSysexitRoundTrip()
    {
        var s = new P();
        uint kernel = (uint)P.ExtraCode + 0x1000;
        s.Assemble32(kernel, a => { a.mov(eax, cs); a.mov(ebx, ss); a.mov(ecx, esp); a.hlt(); });
        s.Assemble32(P.ExtraCode, a => { a.mov(esi, cs); a.mov(edi, ss); a.mov(ebp, esp); a.sysenter(); });
        s.Build(a =>
        {
            void Wrmsr(uint msr, uint v) { a.mov(ecx, msr); a.mov(eax, v); a.xor(edx, edx); a.wrmsr(); }
            Wrmsr(0x174, P.Code0);
            Wrmsr(0x175, (uint)P.Stack0Top - 0x100);
            Wrmsr(0x176, kernel);
            a.mov(ax, P.Data3); a.mov(ds, ax); a.mov(es, ax);
            a.mov(ecx, (uint)P.Stack3Top);
            a.mov(edx, (uint)P.ExtraCode);
            a.sysexit();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            // SYSEXIT: CS = SYSENTER_CS + 16 | 3, SS = + 24 | 3; SYSENTER: CS = SYSENTER_CS, SS = + 8.
            Assert.That(s.Reg32(Gpr.Rsi), Is.EqualTo((uint)P.Code3));
            Assert.That(s.Reg32(Gpr.Rdi), Is.EqualTo((uint)P.Data3));
            Assert.That(s.Reg32(Gpr.Rbp), Is.EqualTo((uint)P.Stack3Top));
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo((uint)P.Code0));
            Assert.That(s.Reg32(Gpr.Rbx), Is.EqualTo((uint)P.Data0));
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo((uint)P.Stack0Top - 0x100));
            Assert.That(s.Cpu.Cpl, Is.EqualTo(0));
        });
    }

    [Test]
    public void LtrOfBusyTssIsGp()
    {
        var s = RunBody(a => { a.mov(ax, P.TssA); a.ltr(ax); });
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo((uint)P.TssA));
        });
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void PrivilegedInstructionsAreGpAtRing3(int which)
    {
        var s = new P();
        s.Assemble32(P.ExtraCode, a =>
        {
            switch (which)
            {
                case 0: a.mov(eax, cr0); break;
                case 1: a.rdpmc(); break;
                default: a.wbinvd(); break;
            }
        });
        s.Build(a => ProtectedModeTests.EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
            Assert.That(s.Frame(1), Is.EqualTo((uint)P.ExtraCode));
        });
    }

    [Test]
    public void LldtInRealModeIsUd()
    {
        var m = new TestMachine();
        m.Write32(6 * 4, 0x0000_2000);   // IVT vector 6 → 0000:2000
        m.Load(16, 0x2000, a => { a.mov(bx, 0xBEEF); a.hlt(); });
        m.Load(16, 0x1000, a => { a.xor(ax, ax); a.lldt(ax); a.hlt(); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0xBEEFu));
            Assert.That(m.Read16(0x8000 - 6), Is.EqualTo(0x1002));   // IP of LLDT (after the 2-byte XOR)
        });
    }
}
