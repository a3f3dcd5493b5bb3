using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// Writes to code must be seen by the next execution of that code (SDM vol. 3, 11.6:
/// a write to a code byte that is already decoded takes effect for later executions;
/// for the instruction stream right after the store, x86 CPUs detect the modification).
/// </summary>
public class SelfModifyingCodeTests
{
    [Test]
    public void StoreIntoTheRunningBlockTakesEffectForTheNextInstruction()
    {
        var m = new TestMachine();
        // mov byte [target+1], 0x22 ; target: mov al, 0x11 ; hlt — all in one block.
        // The patched immediate must be the one executed.
        m.Load(16, 0x1000, a =>
        {
            // C6 06 06 10 22 is 5 bytes, so 'mov al, 0x11' (B0 11) starts at 0x1005.
            a.mov(__byte_ptr[0x1006], 0x22);
            a.mov(al, 0x11);
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rax) & 0xFF, Is.EqualTo(0x22));
    }

    [Test]
    public void CodeRewrittenBetweenExecutionsIsRedecoded()
    {
        var m = new TestMachine();
        // A subroutine at 0x2000 is called, then its immediate is rewritten, then called again.
        m.Load(16, 0x2000, a => { a.mov(ax, 0x1111); a.ret(); });
        m.Load(16, 0x1000, a =>
        {
            a.call(0x2000);
            a.mov(bx, ax);
            a.mov(__word_ptr[0x2001], 0x2222);
            a.call(0x2000);
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x1111));
            Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x2222));
            Assert.That(m.Cpu.Blocks.Invalidations, Is.GreaterThan(0));
        });
    }

    [Test]
    public void DmaStyleWriteThroughTheBusInvalidatesDecodedCode()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a => { a.mov(ax, 0x1111); a.hlt(); });
        m.StartReal(0, 0x1000);
        m.Run();
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x1111));
        // A device writes new code over the old (as a disk DMA would).
        m.Load(16, 0x1000, a => { a.mov(ax, 0x3333); a.hlt(); });
        m.StartReal(0, 0x1000);
        m.Cpu.Rip = 0x1000;
        m.Run();
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x3333));
    }
}
