using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;
using P = Emulator.Tests.Cpu.ProtectedModeSetup;

namespace Emulator.Tests.Cpu;

/// <summary>Hardware task switches (SDM vol. 3, 8.3): JMP/CALL to a TSS, task gates, IRET with NT, and a
/// task gate in the IDT with the error code pushed on the new task's stack.</summary>
public class TaskSwitchTests
{
    const uint TaskBStack = 0x50000;

    static uint TssType(P s, int index) => (uint)(s.GetGdt(index) >> 40) & 0xF;

    [Test]
    public void JmpToTssAndBackThroughTaskGate()
    {
        var s = new P();
        s.SetGdt(P.FreeGdtIndex, P.Gate(P.TssA, 0, 5, 0));   // task gate 40H → TSS A
        Label bAfter = default;
        var b = s.Assemble32(P.ExtraCode, a =>
        {
            bAfter = a.CreateLabel();
            a.mov(__dword_ptr[(uint)P.Scratch], ebx);
            a.pushfd(); a.pop(eax); a.mov(__dword_ptr[(uint)P.Scratch + 4], eax);
            a.mov(ecx, 0x77);
            a.jmp(0x40, 0);
            a.Label(ref bAfter);
            a.hlt();
        });
        s.WriteTss32(P.TssBBase, (uint)P.ExtraCode, 2, TaskBStack);
        s.M.Write32(P.TssBBase + 0x34, 0xB0B);   // EBX of task B
        Label aAfter = default;
        s.Build(a =>
        {
            aAfter = a.CreateLabel();
            a.mov(eax, 0xA);
            a.mov(ecx, 0x55);
            a.jmp(P.TssB, 0);
            a.Label(ref aAfter);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(-1));
            Assert.That(s.Cpu.Rip, Is.EqualTo((ulong)s.BodyLabel(aAfter) + 1));
            Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(P.TssA));
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0xAu));
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo(0x55u));
            Assert.That(s.M.Read32(P.Scratch), Is.EqualTo(0xB0Bu));
            Assert.That(s.M.Read32(P.Scratch + 4) & 0x4000, Is.EqualTo(0u));   // JMP does not nest: NT clear
            Assert.That(s.M.Read32(P.TssBBase + 0x20), Is.EqualTo((uint)b.GetLabelRIP(bAfter)));
            Assert.That(s.M.Read32(P.TssBBase + 0x2C), Is.EqualTo(0x77u));
            Assert.That(s.M.Read32(P.TssABase + 0x20), Is.EqualTo(s.BodyLabel(aAfter)));
            Assert.That(TssType(s, 5), Is.EqualTo(0xBu));   // A busy again
            Assert.That(TssType(s, 6), Is.EqualTo(0x9u));   // JMP away cleared B's busy bit
            Assert.That(s.Cpu.Cr0 & CrBits.CR0_TS, Is.Not.Zero);
        });
    }

    [Test]
    public void CallToTssNestsAndIretReturns()
    {
        var s = new P();
        Label bAfter = default;
        var b = s.Assemble32(P.ExtraCode, a =>
        {
            bAfter = a.CreateLabel();
            a.pushfd(); a.pop(eax); a.mov(__dword_ptr[(uint)P.Scratch], eax);
            a.mov(eax, __dword_ptr[(uint)P.TssBBase]); a.mov(__dword_ptr[(uint)P.Scratch + 4], eax);
            a.mov(eax, 0x1234);
            a.iretd();
            a.Label(ref bAfter);
            a.hlt();
        });
        s.WriteTss32(P.TssBBase, (uint)P.ExtraCode, 2, TaskBStack);
        s.Build(a =>
        {
            a.mov(eax, 0xA);
            a.call(P.TssB, 0);
            a.pushfd(); a.pop(ebx);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.M.Read32(P.Scratch) & 0x4000, Is.EqualTo(0x4000u));   // NT set in the called task
            Assert.That(s.M.Read32(P.Scratch + 4), Is.EqualTo((uint)P.TssA));     // back link
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0xAu));                      // A's registers restored
            Assert.That(s.Reg32(Gpr.Rbx) & 0x4000, Is.EqualTo(0u));
            Assert.That(s.M.Read32(P.TssBBase + 0x28), Is.EqualTo(0x1234u));       // B's EAX saved on IRET
            Assert.That(s.M.Read32(P.TssBBase + 0x20), Is.EqualTo((uint)b.GetLabelRIP(bAfter)));
            Assert.That(s.M.Read32(P.TssBBase + 0x24) & 0x4000, Is.EqualTo(0u));  // IRET clears NT in the saved image
            Assert.That(TssType(s, 5), Is.EqualTo(0xBu));
            Assert.That(TssType(s, 6), Is.EqualTo(0x9u));   // IRET clears the busy bit of the task it leaves
            Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(P.TssA));
        });
    }

    [Test]
    public void JmpToBusyTssIsGp()
    {
        var s = new P();
        s.Build(a => { a.jmp(P.TssA, 0); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo((uint)P.TssA));
        });
    }

    [Test]
    public void ExceptionThroughTaskGatePushesErrorCodeOnNewTaskStack()
    {
        var s = new P();
        s.SetIdt(Vector.GP, P.Gate(P.TssB, 0, 5, 0));
        s.Assemble32(P.ExtraCode, a => a.hlt());
        s.WriteTss32(P.TssBBase, (uint)P.ExtraCode, 2, TaskBStack);
        Label fault = default;
        s.Build(a =>
        {
            fault = a.CreateLabel();
            a.mov(ax, 0x800);
            a.Label(ref fault);
            a.mov(ds, ax);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(P.TssB));
            Assert.That(s.Cpu.Rip, Is.EqualTo(P.ExtraCode + 1));
            Assert.That(s.Reg32(Gpr.Rsp), Is.EqualTo(TaskBStack - 4));
            Assert.That(s.M.Read32(TaskBStack - 4), Is.EqualTo(0x800u));
            Assert.That(s.M.Read32(P.TssABase + 0x20), Is.EqualTo(s.BodyLabel(fault)));   // fault: EIP of the MOV
            Assert.That(s.M.Read16(P.TssBBase), Is.EqualTo(P.TssA));
            Assert.That(s.Cpu.Eflags & 0x4000, Is.EqualTo(0x4000u));
        });
    }

    [Test]
    public void BadCodeSegmentInNewTaskIsTsInTheNewTask()
    {
        var s = new P();
        s.Assemble32(P.ExtraCode, a => a.hlt());
        // CS of the new task is a data segment → #TS(CS selector), raised after the switch (table 8-1).
        s.WriteTss32(P.TssBBase, (uint)P.ExtraCode, 2, TaskBStack, cs: P.Data0);
        s.Build(a => { a.jmp(P.TssB, 0); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.TS));
            Assert.That(s.Frame(0), Is.EqualTo((uint)P.Data0));
            Assert.That(s.Frame(1), Is.EqualTo((uint)P.ExtraCode));   // the new task's EIP
            Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(P.TssB));
        });
    }
}
