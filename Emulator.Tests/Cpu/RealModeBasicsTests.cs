using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

public class RealModeBasicsTests
{
    [Test]
    public void ResetVectorState()
    {
        var m = new TestMachine();
        var cs = m.Cpu.GetSegment(SegReg.CS);
        Assert.Multiple(() =>
        {
            Assert.That(cs.Selector, Is.EqualTo(0xF000));
            Assert.That(cs.Base, Is.EqualTo(0xFFFF0000UL));
            Assert.That(m.Cpu.Rip, Is.EqualTo(0xFFF0UL));
            Assert.That(m.Cpu.Eflags, Is.EqualTo(2u));
            Assert.That(m.Cpu.Mode, Is.EqualTo(CpuMode.Real));
        });
    }

    [Test]
    public void AddLoopAndCall()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            var func = a.CreateLabel();
            var loop = a.CreateLabel();
            a.mov(cx, 10);
            a.xor(ax, ax);
            a.Label(ref loop);
            a.add(ax, cx);
            a.loop(loop);
            a.call(func);
            a.hlt();
            a.Label(ref func);
            a.mov(bx, 0x1234);
            a.ret();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(55));
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x1234));
            Assert.That(m.Reg(Gpr.Rsp) & 0xFFFF, Is.EqualTo(0x8000));
        });
    }

    [Test]
    public void DivideByZeroGoesThroughIvt()
    {
        var m = new TestMachine();
        // Vector 0 → 0000:2000, where the handler sets BX and halts.
        m.Write32(0, 0x0000_2000);
        m.Load(16, 0x2000, a => { a.mov(bx, 0xBEEF); a.hlt(); });
        m.Load(16, 0x1000, a => { a.mov(ax, 5); a.xor(cl, cl); a.div(cl); a.hlt(); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0xBEEF));
            // The fault pushes the address of the DIV itself (fault semantics).
            Assert.That(m.Read16(0x8000 - 6), Is.EqualTo(0x1005));
        });
    }
}
