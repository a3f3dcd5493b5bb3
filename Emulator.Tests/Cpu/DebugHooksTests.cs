using Emulator.Core.Cpu;
using Emulator.Core.Debugging;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// The CPU's debugger hooks (Core/Debugging/DebugHooks.cs) on real-mode programs at 0:1000
/// with the stack at 0:8000: where each stop lands, worked out from the program.
/// </summary>
public class DebugHooksTests
{
    /// <summary>AX counts loop passes; BX += 2 each pass; after 100 passes HLT.</summary>
    static TestMachine CountingLoop()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            var loop = a.CreateLabel();
            a.xor(ax, ax);          // 1000 (2 bytes)
            a.xor(bx, bx);          // 1002
            a.Label(ref loop);
            a.inc(ax);              // 1004
            a.inc(bx);              // 1005
            a.inc(bx);              // 1006
            a.cmp(ax, 100);         // 1007 (3 bytes)
            a.jne(loop);            // 100A
            a.hlt();                // 100C
        });
        m.StartReal(0, 0x1000);
        return m;
    }

    [Test]
    public void BreakpointInsideAnAlreadyDecodedAndLinkedBlockStopsBeforeTheInstruction()
    {
        var m = CountingLoop();
        // Run some passes first so the loop body is decoded and linked to itself.
        Assert.That(m.Run(50), Is.EqualTo(StopReason.BudgetExhausted));
        m.Machine.Debug.AddBreakpoint(0x1006);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Machine.Debug.LastStop, Is.EqualTo(new DebugStop(DebugStopKind.Breakpoint, 0x1006)));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x1006UL));
        // The second INC BX of this pass has not run: BX is odd.
        Assert.That(m.Reg(Gpr.Rbx) & 1, Is.EqualTo(1UL));
        ulong ax = m.Reg(Gpr.Rax) & 0xFFFF;
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(ax * 2 - 1));

        // Still armed: the next pass stops at the same place, one more AX later.
        m.Machine.Debug.RequestStep();
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Machine.Debug.LastStop.Kind, Is.EqualTo(DebugStopKind.Step));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x1007UL));
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(ax + 1));

        Assert.That(m.Machine.Debug.RemoveBreakpoint(0x1006), Is.True);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(100UL));
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(200UL));
    }

    [Test]
    public void WriteWatchpointInRepStosbStopsAfterTheIterationThatWroteIt()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            a.mov(di, 0x2000);      // 1000
            a.mov(cx, 16);          // 1003
            a.mov(al, 0xAA);        // 1006
            a.cld();                // 1008
            a.rep.stosb();          // 1009 (F3 AA)
            a.hlt();                // 100B
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Machine.Debug.AddWatchpoint(0x2005, 1, WatchKind.Write), Is.True);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Machine.Debug.LastStop, Is.EqualTo(new DebugStop(DebugStopKind.Watchpoint, 0x2005, WatchKind.Write)));
        // Six bytes (2000-2005) stored: DI = 2006, CX = 10, and the REP goes on from itself.
        Assert.That(m.Reg(Gpr.Rdi) & 0xFFFF, Is.EqualTo(0x2006UL));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(10UL));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x1009UL));
        Assert.That(m.Read8(0x2005), Is.EqualTo(0xAA));
        Assert.That(m.Read8(0x2006), Is.EqualTo(0));
        m.Machine.Debug.ClearAll();
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Read8(0x200F), Is.EqualTo(0xAA));
    }

    [Test]
    public void ReadWatchpointIgnoresWritesAndCatchesTheRead()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            a.mov(__word_ptr[0x3000], 0x1234);   // 1000 (6 bytes): a write
            a.mov(dx, __word_ptr[0x3000]);       // 1006 (4 bytes): the read
            a.inc(dx);                           // 100A
            a.hlt();                             // 100B
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Machine.Debug.AddWatchpoint(0x3001, 1, WatchKind.Read), Is.True);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        // The word read at 3000 touches 3001: reported as the first watched byte.
        Assert.That(m.Machine.Debug.LastStop, Is.EqualTo(new DebugStop(DebugStopKind.Watchpoint, 0x3001, WatchKind.Read)));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x100AUL));
        Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF, Is.EqualTo(0x1234UL));
        Assert.That(m.Machine.Debug.RemoveWatchpoint(0x3001, 1, WatchKind.Read), Is.True);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
    }

    [Test]
    public void StepOfAFaultingInstructionStopsAtTheHandler()
    {
        var m = new TestMachine();
        // #DE (vector 0) -> 0000:5000.
        m.Write32(0, 0x0000_5000);
        m.Load(16, 0x1000, a =>
        {
            a.xor(bl, bl);          // 1000
            a.div(bl);              // 1002: divide by zero
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        m.Machine.Debug.RequestStep();
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x1002UL));
        long before = m.Cpu.InstructionsRetired;
        m.Machine.Debug.RequestStep();
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Machine.Debug.LastStop.Kind, Is.EqualTo(DebugStopKind.Step));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x5000UL), "the fault was delivered and the step stopped at its handler");
        Assert.That(m.Cpu.InstructionsRetired - before, Is.EqualTo(1));
        // #DE is a fault: the pushed IP is the DIV itself (SDM vol. 3, 6.15).
        Assert.That(m.Read16(0x8000 - 6), Is.EqualTo(0x1002));
    }

    [Test]
    public void BreakpointOnALongRepIsHitOnceNotOnEveryRestart()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            a.mov(di, 0x4000);      // 1000
            a.mov(cx, 10000);       // 1003 (more than one slice of REP iterations)
            a.xor(al, al);          // 1006
            a.cld();                // 1008
            a.rep.stosb();          // 1009
            a.hlt();                // 100B
        });
        m.StartReal(0, 0x1000);
        m.Machine.Debug.AddBreakpoint(0x1009);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(10000UL));
        // GDB's way on: step over the breakpoint (one iteration), then continue.
        m.Machine.Debug.RequestStep();
        Assert.That(m.Run(), Is.EqualTo(StopReason.Debug));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(9999UL), "a step is one iteration, as single-step traps are");
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0UL));
    }

    [Test]
    public void BreakRequestFromAnotherThreadStopsASpinningGuest()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            var spin = a.CreateLabel();
            a.Label(ref spin);
            a.jmp(spin);
        });
        m.StartReal(0, 0x1000);
        var run = Task.Run(() => m.Machine.Run());
        Thread.Sleep(50);
        m.Machine.Debug.RequestBreak();
        Assert.That(run.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(run.Result, Is.EqualTo(StopReason.Debug));
        Assert.That(m.Machine.Debug.LastStop.Kind, Is.EqualTo(DebugStopKind.Interrupt));
        Assert.That(m.Cpu.Rip, Is.EqualTo(0x1000UL));
    }
}
