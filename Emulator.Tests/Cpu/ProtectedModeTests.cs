using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;
using P = Emulator.Tests.Cpu.ProtectedModeSetup;

namespace Emulator.Tests.Cpu;

/// <summary>
/// Protected-mode entry, exception delivery through the IDT with error codes (SDM vol. 3, 6.13 and
/// 6.15), #DF and shutdown (table 6-5), privilege changes through interrupt and call gates (5.8, 6.12).
/// Every exception ends in the halt stub of its vector; frames are read from the ring-0 stack.
/// </summary>
public class ProtectedModeTests
{
    static (P s, uint at) RunFaulting(Action<Assembler> before, Action<Assembler> faulting, Action<P>? setup = null)
    {
        var s = new P();
        setup?.Invoke(s);
        Label l = default;
        s.Build(a =>
        {
            before(a);
            l = a.CreateLabel();
            a.Label(ref l);
            faulting(a);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        return (s, s.BodyLabel(l));
    }

    [Test]
    public void EntersProtectedModeWithFlatSegmentsAndTaskRegister()
    {
        var s = new P();
        s.Build(a => { a.mov(eax, 0x12345678); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.Cpu.Mode, Is.EqualTo(CpuMode.Protected));
            Assert.That(s.Cpu.Cpl, Is.EqualTo(0));
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0x12345678u));
            Assert.That(s.Cpu.GetSegment(SegReg.CS).Selector, Is.EqualTo(P.Code0));
            Assert.That(s.Cpu.GetSegment(SegReg.SS).Selector, Is.EqualTo(P.Data0));
            Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(P.TssA));
            // LTR marks the TSS busy: type 9 → 0xB (SDM vol. 2, LTR).
            Assert.That((s.GetGdt(5) >> 40) & 0xF, Is.EqualTo(0xBUL));
            Assert.That(s.Cpu.GdtLimit, Is.EqualTo(0x7FFu));
        });
    }

    [Test]
    public void SelectorOutsideGdtIsGeneralProtectionWithSelectorErrorCode()
    {
        var (s, at) = RunFaulting(a => a.mov(ax, 0x800), a => a.mov(ds, ax));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Reg32(Gpr.Rsp), Is.EqualTo((uint)P.Stack0Top - 16));
            Assert.That(s.Frame(0), Is.EqualTo(0x800u));     // error code: index 256, TI=0, EXT=0
            Assert.That(s.Frame(1), Is.EqualTo(at));         // fault: EIP of the MOV itself
            Assert.That(s.Frame(2), Is.EqualTo((uint)P.Code0));
        });
    }

    [Test]
    public void NotPresentDataSegmentIsNp()
    {
        var (s, at) = RunFaulting(a => a.mov(ax, 0x40), a => a.mov(es, ax),
            s => s.SetGdt(P.FreeGdtIndex, P.Segment(0, 0xFFFFF, 0x12, 0xC)));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.NP));
            Assert.That(s.Frame(0), Is.EqualTo(0x40u));
            Assert.That(s.Frame(1), Is.EqualTo(at));
        });
    }

    [Test]
    public void NotPresentStackSegmentIsSs()
    {
        var (s, at) = RunFaulting(a => a.mov(ax, 0x40), a => a.mov(ss, ax),
            s => s.SetGdt(P.FreeGdtIndex, P.Segment(0, 0xFFFFF, 0x12, 0xC)));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.SS));
            Assert.That(s.Frame(0), Is.EqualTo(0x40u));
            Assert.That(s.Frame(1), Is.EqualTo(at));
        });
    }

    [Test]
    public void DataSegmentLimitIsGpZero()
    {
        // DS limit 0FFFH (byte granular): a dword at 0FFEH runs past it → #GP(0).
        var (s, at) = RunFaulting(a => { a.mov(ax, 0x40); a.mov(ds, ax); }, a => a.mov(eax, __dword_ptr[0xFFE]),
            s => s.SetGdt(P.FreeGdtIndex, P.Segment(0, 0xFFF, 0x92, 0x4)));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
            Assert.That(s.Frame(1), Is.EqualTo(at));
        });
    }

    [Test]
    public void TssWithTooSmallLimitIsInvalidTss()
    {
        // A 32-bit TSS needs a limit of at least 67H (SDM vol. 3, 8.2.2): limit 40H → #TS(selector).
        var (s, at) = RunFaulting(_ => { }, a => a.jmp(0x40, 0),
            s => s.SetGdt(P.FreeGdtIndex, P.Segment(0x3300, 0x40, 0x89, 0)));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.TS));
            Assert.That(s.Frame(0), Is.EqualTo(0x40u));
            Assert.That(s.Frame(1), Is.EqualTo(at));
        });
    }

    [Test]
    public void Ud2IsInvalidOpcodeWithoutErrorCode()
    {
        var (s, at) = RunFaulting(_ => { }, a => a.ud2());
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.UD));
            Assert.That(s.Reg32(Gpr.Rsp), Is.EqualTo((uint)P.Stack0Top - 12));
            Assert.That(s.Frame(0), Is.EqualTo(at));
            Assert.That(s.Frame(1), Is.EqualTo((uint)P.Code0));
        });
    }

    [Test]
    public void DivideByZeroIsAFaultAtTheDiv()
    {
        var (s, at) = RunFaulting(a => { a.mov(eax, 5); a.xor(ecx, ecx); }, a => a.div(ecx));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.DE));
            Assert.That(s.Frame(0), Is.EqualTo(at));
        });
    }

    [Test]
    public void Int3IsATrapPushingTheNextInstruction()
    {
        var (s, at) = RunFaulting(_ => { }, a => a.int3());
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.BP));
            Assert.That(s.Frame(0), Is.EqualTo(at + 1));   // INT3 is one byte; traps push the following EIP
        });
    }

    [Test]
    public void ContributoryFaultWhileDeliveringContributoryIsDoubleFault()
    {
        // #GP whose IDT gate is not present raises #NP during delivery: two contributory exceptions → #DF(0).
        var (s, _) = RunFaulting(a => a.mov(ax, 0x800), a => a.mov(ds, ax),
            s => s.SetIdt(Vector.GP, P.Gate(P.Code0, (uint)P.HandlerBase + 13 * 16, 0xE, 0, present: false)));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.DF));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
        });
    }

    [Test]
    public void FaultWhileDeliveringDoubleFaultShutsDownAndNoRebootStops()
    {
        var s = new P(noReboot: true);
        s.SetIdt(Vector.GP, 0);   // not present → #NP while delivering #GP → #DF
        s.SetIdt(Vector.DF, 0);   // not present → fault while delivering #DF → shutdown
        s.SetIdt(Vector.NP, 0);
        s.Build(a => { a.mov(ax, 0x800); a.mov(ds, ax); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Reset));
    }

    [Test]
    public void InterruptGateFromRing3SwitchesToRing0StackAndIretReturns()
    {
        var s = new P();
        uint handler = (uint)P.ExtraCode + 0x1000;
        s.SetIdt(0x40, P.Gate(P.Code0, handler, 0xE, 3));
        s.Assemble32(handler, a =>
        {
            a.mov(__dword_ptr[(uint)P.Scratch], esp);
            a.mov(eax, cs); a.mov(__dword_ptr[(uint)P.Scratch + 4], eax);
            a.mov(eax, ss); a.mov(__dword_ptr[(uint)P.Scratch + 8], eax);
            for (int i = 0; i < 5; i++) { a.mov(eax, __dword_ptr[esp + 4 * i]); a.mov(__dword_ptr[(uint)P.Scratch + 0x10 + (uint)(4 * i)], eax); }
            a.iretd();
        });
        Label after = default;
        var user = s.Assemble32(P.ExtraCode, a =>
        {
            after = a.CreateLabel();
            a.mov(eax, 1);
            a.@int(0x40);
            a.Label(ref after);
            a.mov(edx, cs);
            a.mov(esi, ss);
            a.mov(edi, esp);
            a.@int(P.HaltVector);
        });
        s.Build(a => EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(P.HaltVector));
            Assert.That(s.M.Read32(P.Scratch), Is.EqualTo((uint)P.Stack0Top - 20));
            Assert.That(s.M.Read32(P.Scratch + 4), Is.EqualTo((uint)P.Code0));
            Assert.That(s.M.Read32(P.Scratch + 8), Is.EqualTo((uint)P.Data0));
            Assert.That(s.M.Read32(P.Scratch + 0x10), Is.EqualTo((uint)user.GetLabelRIP(after)));
            Assert.That(s.M.Read32(P.Scratch + 0x14), Is.EqualTo((uint)P.Code3));
            Assert.That(s.M.Read32(P.Scratch + 0x18) & 0x20002, Is.EqualTo(2u));   // reserved bit 1, VM clear
            Assert.That(s.M.Read32(P.Scratch + 0x1C), Is.EqualTo((uint)P.Stack3Top));
            Assert.That(s.M.Read32(P.Scratch + 0x20), Is.EqualTo((uint)P.Data3));
            Assert.That(s.Reg32(Gpr.Rdx), Is.EqualTo((uint)P.Code3));
            Assert.That(s.Reg32(Gpr.Rsi), Is.EqualTo((uint)P.Data3));
            Assert.That(s.Reg32(Gpr.Rdi), Is.EqualTo((uint)P.Stack3Top));
        });
    }

    [Test]
    public void SoftwareInterruptThroughDpl0GateFromRing3IsGpWithIdtErrorCode()
    {
        var s = new P();
        s.Assemble32(P.ExtraCode, a => a.@int(0x30));
        s.Build(a => EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            // Error code: index 30H, IDT bit (2) set, EXT clear → 30H × 8 + 2 (SDM vol. 3, 6.13).
            Assert.That(s.Frame(0), Is.EqualTo(0x182u));
            Assert.That(s.Frame(1), Is.EqualTo((uint)P.ExtraCode));
            Assert.That(s.Frame(2), Is.EqualTo((uint)P.Code3));
            Assert.That(s.Frame(4), Is.EqualTo((uint)P.Stack3Top));
        });
    }

    [Test]
    public void CallGateFromRing3CopiesParametersAndFarReturnComesBack()
    {
        var s = new P();
        uint handler = (uint)P.ExtraCode + 0x1000;
        // 32-bit call gate, DPL 3, two dword parameters, to ring-0 code.
        s.SetGdt(P.FreeGdtIndex, P.Gate(P.Code0, handler, 0xC, 3, paramCount: 2));
        s.Assemble32(handler, a =>
        {
            a.mov(__dword_ptr[(uint)P.Scratch], esp);
            a.mov(eax, cs); a.mov(__dword_ptr[(uint)P.Scratch + 4], eax);
            for (int i = 0; i < 6; i++) { a.mov(eax, __dword_ptr[esp + 4 * i]); a.mov(__dword_ptr[(uint)P.Scratch + 0x10 + (uint)(4 * i)], eax); }
            a.retf(8);
        });
        Label after = default;
        var user = s.Assemble32(P.ExtraCode, a =>
        {
            after = a.CreateLabel();
            a.push(0x1111);
            a.push(0x2222);
            a.call(0x43, 0);
            a.Label(ref after);
            a.mov(edx, cs);
            a.mov(edi, esp);
            a.@int(P.HaltVector);
        });
        s.Build(a => EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(P.HaltVector));
            // Figure 5-13: EIP, CS, parameters in caller order, ESP, SS: 6 dwords below ESP0.
            Assert.That(s.M.Read32(P.Scratch), Is.EqualTo((uint)P.Stack0Top - 24));
            Assert.That(s.M.Read32(P.Scratch + 4), Is.EqualTo((uint)P.Code0));
            Assert.That(s.M.Read32(P.Scratch + 0x10), Is.EqualTo((uint)user.GetLabelRIP(after)));
            Assert.That(s.M.Read32(P.Scratch + 0x14), Is.EqualTo((uint)P.Code3));
            Assert.That(s.M.Read32(P.Scratch + 0x18), Is.EqualTo(0x2222u));
            Assert.That(s.M.Read32(P.Scratch + 0x1C), Is.EqualTo(0x1111u));
            Assert.That(s.M.Read32(P.Scratch + 0x20), Is.EqualTo((uint)P.Stack3Top - 8));
            Assert.That(s.M.Read32(P.Scratch + 0x24), Is.EqualTo((uint)P.Data3));
            Assert.That(s.Reg32(Gpr.Rdx), Is.EqualTo((uint)P.Code3));
            Assert.That(s.Reg32(Gpr.Rdi), Is.EqualTo((uint)P.Stack3Top));   // RET 8 released the parameters
        });
    }

    [Test]
    public void CallGateWithDplBelowCplIsGp()
    {
        var s = new P();
        s.SetGdt(P.FreeGdtIndex, P.Gate(P.Code0, 0x1234, 0xC, 0));
        s.Assemble32(P.ExtraCode, a => a.call(0x43, 0));
        s.Build(a => EnterRing3(a, (uint)P.ExtraCode));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0x40u));
        });
    }

    /// <summary>Drops to ring 3 at <paramref name="target"/> with IRETD (flat DPL-3 segments, ESP = ring-3 stack top).</summary>
    internal static void EnterRing3(Assembler a, uint target)
    {
        a.mov(ax, P.Data3);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(fs, ax);
        a.mov(gs, ax);
        a.push(P.Data3);
        a.push((uint)P.Stack3Top);
        a.pushfd();
        a.push(P.Code3);
        a.push(target);
        a.iretd();
    }
}
