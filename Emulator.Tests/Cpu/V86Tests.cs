using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;
using P = Emulator.Tests.Cpu.ProtectedModeSetup;

namespace Emulator.Tests.Cpu;

/// <summary>Virtual-8086 mode (SDM vol. 3, chapter 20): entry by IRETD with VM=1 and by a task switch,
/// INT n to a ring-0 handler with the V86 frame (20.3.1), IOPL-sensitive instructions (20.2.7).</summary>
public class V86Tests
{
    const ushort V86Cs = 0x2000, V86Ds = 0x3000, V86Ss = 0x5000;
    const uint V86Ip = 0x100, V86Sp = 0x1000;
    const uint Vm = 1 << 17, Iopl3 = 3 << 12;

    /// <summary>Ring-0 code that IRETDs into V86 mode at 2000:0100 with DS=3000, SS:SP=5000:1000.</summary>
    static void EnterV86(Assembler a, uint eflags)
    {
        a.push(0);            // GS
        a.push(0);            // FS
        a.push(V86Ds);        // DS
        a.push(0);            // ES
        a.push(V86Ss);        // SS
        a.push(V86Sp);        // ESP
        a.push(eflags);       // EFLAGS with VM
        a.push(V86Cs);        // CS
        a.push(V86Ip);        // EIP
        a.iretd();
    }

    [Test]
    public void IretEntersV86AndIntGoesToRing0HandlerWithV86Frame()
    {
        var s = new P();
        uint handler = (uint)P.ExtraCode + 0x1000;
        s.SetIdt(0x42, P.Gate(P.Code0, handler, 0xE, 3));
        s.Assemble32(handler, a =>
        {
            a.mov(ecx, ds);                   // null on entry from V86
            a.mov(dx, P.Data0); a.mov(ds, dx);
            a.mov(__dword_ptr[(uint)P.Scratch], esp);
            a.mov(__dword_ptr[(uint)P.Scratch + 4], ecx);
            for (int i = 0; i < 9; i++) { a.mov(eax, __dword_ptr[esp + 4 * i]); a.mov(__dword_ptr[(uint)P.Scratch + 0x10 + (uint)(4 * i)], eax); }
            a.iretd();
        });
        Label after = default;
        var v86 = s.Assemble(16, V86Cs * 16 + V86Ip, a =>
        {
            after = a.CreateLabel();
            a.mov(ax, 0x1234);
            a.mov(__word_ptr[0x10], ax);
            a.@int(0x42);
            a.Label(ref after);
            a.mov(bx, 0x5678);
            a.mov(si, ds);
            a.@int(P.HaltVector);
        });
        s.Build(a => EnterV86(a, Vm | Iopl3 | 2));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        uint afterIp = (uint)v86.GetLabelRIP(after) - V86Cs * 16u;
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(P.HaltVector));
            Assert.That(s.M.Read16(V86Ds * 16u + 0x10), Is.EqualTo(0x1234));   // DS base = 3000H × 16
            Assert.That(s.M.Read32(P.Scratch), Is.EqualTo((uint)P.Stack0Top - 36));
            Assert.That(s.M.Read32(P.Scratch + 4), Is.EqualTo(0u));
            Assert.That(s.M.Read32(P.Scratch + 0x10), Is.EqualTo(afterIp));
            Assert.That(s.M.Read32(P.Scratch + 0x14), Is.EqualTo((uint)V86Cs));
            Assert.That(s.M.Read32(P.Scratch + 0x18) & (Vm | Iopl3), Is.EqualTo(Vm | Iopl3));
            Assert.That(s.M.Read32(P.Scratch + 0x1C), Is.EqualTo(V86Sp));
            Assert.That(s.M.Read32(P.Scratch + 0x20), Is.EqualTo((uint)V86Ss));
            Assert.That(s.M.Read32(P.Scratch + 0x24), Is.EqualTo(0u));        // ES
            Assert.That(s.M.Read32(P.Scratch + 0x28), Is.EqualTo((uint)V86Ds)); // DS
            Assert.That(s.M.Read32(P.Scratch + 0x2C), Is.EqualTo(0u));        // FS
            Assert.That(s.M.Read32(P.Scratch + 0x30), Is.EqualTo(0u));        // GS
            Assert.That(s.Reg32(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x5678u));
            Assert.That(s.Reg32(Gpr.Rsi) & 0xFFFF, Is.EqualTo((uint)V86Ds));    // IRETD restored DS
            Assert.That(s.Frame(2) & Vm, Is.EqualTo(Vm));                       // the halt came from V86 too
            Assert.That(s.Cpu.Mode, Is.EqualTo(CpuMode.Protected));
        });
    }

    [TestCase(new byte[] { 0xFA }, TestName = "Cli")]
    [TestCase(new byte[] { 0xFB }, TestName = "Sti")]
    [TestCase(new byte[] { 0x9C }, TestName = "Pushf")]
    [TestCase(new byte[] { 0x9D }, TestName = "Popf")]
    [TestCase(new byte[] { 0xCD, 0x21 }, TestName = "IntN")]
    [TestCase(new byte[] { 0xCF }, TestName = "Iret")]
    public void IoplSensitiveInstructionIsGpWhenIoplBelow3(byte[] code)
    {
        var s = new P();
        s.M.WriteBytes(V86Cs * 16u + V86Ip, code);
        s.Build(a => EnterV86(a, Vm | 2));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.GP));
            Assert.That(s.Frame(0), Is.EqualTo(0u));
            Assert.That(s.Frame(1), Is.EqualTo(V86Ip));         // fault: IP of the instruction
            Assert.That(s.Frame(2), Is.EqualTo((uint)V86Cs));
            Assert.That(s.Frame(3) & Vm, Is.EqualTo(Vm));
            Assert.That(s.Frame(4), Is.EqualTo(V86Sp));
        });
    }

    [Test]
    public void CliStiPushfPopfRunWithIopl3()
    {
        var s = new P();
        s.Assemble(16, V86Cs * 16 + V86Ip, a =>
        {
            a.sti();
            a.cli();
            a.pushf();
            a.pop(ax);
            a.push(0x0202);
            a.popf();
            a.pushf();
            a.pop(cx);
            a.@int(P.HaltVector);
        });
        s.Build(a => EnterV86(a, Vm | Iopl3 | 2));
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(P.HaltVector));
            Assert.That(s.Reg32(Gpr.Rax) & 0x3200, Is.EqualTo(0x3000u));   // IF clear, IOPL 3
            Assert.That(s.Reg32(Gpr.Rcx) & 0x3200, Is.EqualTo(0x3200u));   // POPF set IF, kept IOPL
        });
    }

    [Test]
    public void TaskSwitchIntoV86Task()
    {
        var s = new P();
        s.Assemble(16, V86Cs * 16 + V86Ip, a => { a.mov(ax, ss); a.@int(P.HaltVector); });
        s.WriteTss32(P.TssBBase, V86Ip, Vm | Iopl3 | 2, V86Sp, cs: V86Cs, ds: V86Ds, ss: V86Ss);
        s.M.Write32(P.TssBBase + 4, (uint)P.Stack0Top);   // ESP0/SS0 for the INT out of the V86 task
        s.M.Write32(P.TssBBase + 8, P.Data0);
        s.Build(a => { a.jmp(P.TssB, 0); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(P.HaltVector));
            Assert.That(s.Reg32(Gpr.Rax) & 0xFFFF, Is.EqualTo((uint)V86Ss));
            Assert.That(s.Frame(1), Is.EqualTo((uint)V86Cs));
            Assert.That(s.Frame(2) & Vm, Is.EqualTo(Vm));
            Assert.That(s.Frame(5), Is.EqualTo((uint)V86Ds));   // ES from the TSS
            Assert.That(s.Frame(6), Is.EqualTo((uint)V86Ds));   // DS
        });
    }
}
