using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Timers;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Timers;

/// <summary>A real-mode guest programs PIT counter 0 and counts IRQ 0 interrupts.</summary>
public class PitGuestTests
{
    /// <summary>
    /// A stand-in for the 8259A (the DualPic is on another branch): a rising edge on IRQ 0
    /// requests vector 8, as the BIOS programs the master PIC; the acknowledge clears it.
    /// </summary>
    sealed class Irq0ToVector8 : IInterruptController
    {
        public bool Requested;
        public int Acknowledged;
        public void Line(int irq, bool level) { if (irq == 0 && level) Requested = true; }
        public bool InterruptPending => Requested;
        public byte Acknowledge() { Requested = false; Acknowledged++; return 8; }
    }

    [Test]
    public void Mode2_at_1193_clocks_gives_50_interrupts_in_50_ms_of_virtual_time()
    {
        var m = new TestMachine();
        var pic = new Irq0ToVector8();
        m.Cpu.InterruptController = pic;
        var pit = new Pit8254(m.Machine.Clock, new IrqLine(0, pic.Line));
        m.Machine.Io.Register(Pit8254.BasePort, 4, pit);
        pic.Requested = false;           // the PIT's power-on OUT 0 edge; a real PIC's ICW1 resets edge sense

        const ushort counter = 0x600;
        m.Write32(8 * 4, 0x0000_3000);   // IVT[8] -> 0000:3000
        m.Load(16, 0x3000, a => { a.inc(__word_ptr[counter]); a.iret(); });
        m.Load(16, 0x1000, a =>
        {
            var wait = a.CreateLabel();
            a.cli();
            a.mov(__word_ptr[counter], 0);
            a.mov(al, 0x34);             // counter 0, LSB then MSB, mode 2, binary
            a.@out(0x43, al);
            a.mov(ax, 1193);             // 1193182 / 1193 = 1000.15 Hz
            a.@out(0x40, al);
            a.mov(al, ah);
            a.@out(0x40, al);
            a.sti();
            a.Label(ref wait);
            a.hlt();
            a.cmp(__word_ptr[counter], 50);
            a.jb(wait);
            a.cli();
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        long start = m.Machine.Clock.Now;
        Assert.That(m.Run(1_000_000), Is.EqualTo(StopReason.Halted));
        long elapsed = m.Machine.Clock.Now - start;
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(counter), Is.EqualTo(50));
            Assert.That(pic.Acknowledged, Is.EqualTo(50));
            // The 50th rising edge is 1 + 50 * 1193 CLKs after the count write: 49.99 ms.
            Assert.That(elapsed, Is.InRange(49_990_000L, 50_000_000L));
        });
    }
}
