using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>Single-step (TF) and DR0-DR3 instruction breakpoints (SDM vol. 3, 18.2-18.3).</summary>
public class DebugFacilityTests
{
    [Test]
    public void TrapFlagTrapsAfterEachInstructionThatStartsWithTfSet()
    {
        var m = new TestMachine();
        m.Write32(1 * 4, 0x0000_3000);                       // #DB → 0000:3000
        m.Load(16, 0x3000, a => { a.inc(__word_ptr[0x500]); a.iret(); });
        m.Load(16, 0x1000, a =>
        {
            a.pushf(); a.pop(ax); a.or(ax, 0x100); a.push(ax);
            a.popf();                                         // sets TF: no trap after POPF itself
            a.nop(); a.nop(); a.nop();                        // 3 traps
            a.pushf(); a.pop(ax); a.and(ax, 0xFEFF); a.push(ax);
            a.popf();                                         // 5 more: TF was set when each began
            a.mov(bx, 1);                                     // TF clear: no trap
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x500), Is.EqualTo(8));
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(1));
            Assert.That(m.Cpu.GetDr(6) & 0x4000, Is.Not.Zero, "DR6.BS set by a single-step trap");
        });
    }

    [Test]
    public void Dr0ExecuteBreakpointFaultsBeforeTheInstruction()
    {
        var m = new TestMachine();
        m.Write32(1 * 4, 0x0000_3000);
        // The handler stores the pushed IP, disables the breakpoint (DR7 = 0) and returns.
        m.Load(16, 0x3000, a =>
        {
            a.mov(bp, sp);
            a.mov(ax, __word_ptr[bp]);
            a.mov(__word_ptr[0x502], ax);
            a.xor(eax, eax);
            a.mov(dr7, eax);
            a.iret();
        });
        m.Load(16, 0x1000, a =>
        {
            a.mov(eax, 0x1100);
            a.mov(dr0, eax);
            a.mov(eax, 1);                                    // L0, R/W0 = 00 (execute), LEN0 = 00
            a.mov(dr7, eax);
            a.jmp(0x1100);
        });
        m.Load(16, 0x1100, a => { a.mov(bx, 0x55); a.hlt(); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x502), Is.EqualTo(0x1100), "fault: the pushed IP is the breakpointed instruction");
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x55), "the instruction runs after the handler returns");
            Assert.That(m.Cpu.GetDr(6) & 1, Is.EqualTo(1UL), "DR6.B0");
        });
    }

    [Test]
    public void NmiIsDeliveredThroughVector2AndBlockedUntilIret()
    {
        var m = new TestMachine();
        m.Write32(2 * 4, 0x0000_3000);
        m.Load(16, 0x3000, a => { a.inc(__word_ptr[0x500]); a.iret(); });
        m.Load(16, 0x1000, a =>
        {
            var idle = a.CreateLabel();
            a.cli(); a.mov(cx, 3); a.hlt(); a.mov(cx, 4);
            a.Label(ref idle);
            a.hlt();
            a.jmp(idle);
        });
        m.StartReal(0, 0x1000);
        m.Run(100);
        m.Cpu.RaiseNmi();
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.Halted));
        m.Cpu.RaiseNmi();   // unblocked by the handler's IRET: taken again, ending the second HLT
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x500), Is.EqualTo(2), "NMI is taken even with IF clear, again after IRET");
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(4), "HLT is left after the NMI handler returns");
        });
    }
}
