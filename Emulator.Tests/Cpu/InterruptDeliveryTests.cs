using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

public class InterruptDeliveryTests
{
    sealed class OneShotController : IInterruptController
    {
        public bool Raised;
        public byte Vector = 0x20;
        public int Acks;
        public bool InterruptPending => Raised;
        public byte Acknowledge() { Raised = false; Acks++; return Vector; }
    }

    [Test]
    public void ExternalInterruptWakesHltAndReturnsAfterIt()
    {
        var m = new TestMachine();
        var pic = new OneShotController();
        m.Cpu.InterruptController = pic;
        m.Write32(0x20 * 4, 0x0000_3000);
        m.Load(16, 0x3000, a => { a.mov(bx, 0x4242); a.iret(); });
        m.Load(16, 0x1000, a => { a.sti(); a.hlt(); a.mov(cx, 0x77); a.cli(); a.hlt(); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.Halted), "halts with nothing to wake it");
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0));
        pic.Raised = true;
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(pic.Acks, Is.EqualTo(1));
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x4242));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0x77), "execution resumed after the first HLT");
        });
    }

    [Test]
    public void StiShadowsTheNextInstruction()
    {
        var m = new TestMachine();
        var pic = new OneShotController { Raised = true };
        m.Cpu.InterruptController = pic;
        m.Write32(0x20 * 4, 0x0000_3000);
        // The handler records CX at the time of the interrupt in DX.
        m.Load(16, 0x3000, a => { a.mov(dx, cx); a.iret(); });
        // STI; MOV CX,1 (shadowed: runs before the interrupt); MOV CX,2; HLT
        m.Load(16, 0x1000, a => { a.sti(); a.mov(cx, 1); a.mov(cx, 2); a.cli(); a.hlt(); });
        m.StartReal(0, 0x1000);
        m.Run(1000);
        Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF, Is.EqualTo(1), "the interrupt is taken after the instruction following STI");
    }

    [Test]
    public void InterruptsAreNotTakenWithIfClear()
    {
        var m = new TestMachine();
        var pic = new OneShotController { Raised = true };
        m.Cpu.InterruptController = pic;
        m.Load(16, 0x1000, a => { a.cli(); a.mov(cx, 5); a.hlt(); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.Halted));
        Assert.That(pic.Acks, Is.EqualTo(0));
    }
}
