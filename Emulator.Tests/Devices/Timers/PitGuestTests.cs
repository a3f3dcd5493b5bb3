using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Interrupts;
using Emulator.Devices.Timers;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Timers;

/// <summary>
/// Real-mode guests that set up the 8259A pair as a BIOS does and take timer interrupts: PIT
/// counter 0 on IRQ 0 and the RTC's periodic interrupt on IRQ 8 (through the slave).
/// </summary>
public class PitGuestTests
{
    const long S = 1_000_000_000;

    static (TestMachine m, DualPic pic) PcWithPic()
    {
        var m = new TestMachine();
        var pic = new DualPic();
        pic.Attach(m.Machine.Io);
        m.Cpu.InterruptController = pic;
        return (m, pic);
    }

    static void InitPic(Iced.Intel.Assembler a, byte masterMask, byte slaveMask)
    {
        a.mov(al, 0x11); a.@out(0x20, al); a.@out(0xA0, al);   // ICW1: edge, cascade, ICW4
        a.mov(al, 0x08); a.@out(0x21, al);                      // ICW2: master vectors 08-0F
        a.mov(al, 0x70); a.@out(0xA1, al);                      //       slave vectors 70-77
        a.mov(al, 0x04); a.@out(0x21, al);                      // ICW3: slave on IR2
        a.mov(al, 0x02); a.@out(0xA1, al);                      //       slave ID 2
        a.mov(al, 0x01); a.@out(0x21, al); a.@out(0xA1, al);   // ICW4: 8086 mode
        a.mov(al, masterMask); a.@out(0x21, al);
        a.mov(al, slaveMask); a.@out(0xA1, al);
    }

    [Test]
    public void Mode2_at_1193_clocks_gives_50_interrupts_in_50_ms_of_virtual_time()
    {
        var (m, pic) = PcWithPic();
        var pit = new Pit8254(m.Machine.Clock, new IrqLine(0, pic.SetIrq));
        m.Machine.Io.Register(Pit8254.BasePort, 4, pit);

        const ushort counter = 0x600;
        m.Write32(8 * 4, 0x0000_3000);   // IVT[8] -> 0000:3000
        m.Load(16, 0x3000, a => { a.inc(__word_ptr[counter]); a.mov(al, 0x20); a.@out(0x20, al); a.iret(); });
        m.Load(16, 0x1000, a =>
        {
            var wait = a.CreateLabel();
            a.cli();
            InitPic(a, 0xFE, 0xFF);      // IRQ 0 only
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
            // The 50th rising edge is 1 + 50 * 1193 CLKs after the count write: 49.99 ms.
            Assert.That(elapsed, Is.InRange(49_990_000L, 50_000_000L));
            Assert.That(pic.Master.Isr, Is.Zero, "every interrupt was acknowledged and ended");
        });
    }

    [Test]
    public void Rtc_periodic_interrupt_at_1024_Hz_through_the_slave_pic()
    {
        var (m, pic) = PcWithPic();
        var rtc = new Rtc146818(m.Machine.Clock, new IrqLine(8, pic.SetIrq), new DateTime(2024, 1, 1));
        m.Machine.Io.Register(Rtc146818.BasePort, 2, rtc);

        const ushort counter = 0x600;
        m.Write32(0x70 * 4, 0x0000_3000);  // IRQ 8 = vector 0x70
        m.Load(16, 0x3000, a =>
        {
            a.inc(__word_ptr[counter]);
            a.mov(al, 0x8C); a.@out(0x70, al); a.@in(al, 0x71);   // read C (NMI kept masked): clears PF, lowers IRQ 8
            a.mov(al, 0x20); a.@out(0xA0, al); a.@out(0x20, al);
            a.iret();
        });
        m.Load(16, 0x1000, a =>
        {
            var wait = a.CreateLabel();
            a.cli();
            InitPic(a, 0xFB, 0xFE);      // cascade and IRQ 8
            a.mov(__word_ptr[counter], 0);
            a.mov(al, 0x8B); a.@out(0x70, al);                      // register B, NMI masked
            a.@in(al, 0x71);
            a.or(al, 0x40);                                         // PIE
            a.@out(0x71, al);
            a.sti();
            a.Label(ref wait);
            a.hlt();
            a.cmp(__word_ptr[counter], 1024);
            a.jb(wait);
            a.cli();
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(10_000_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(counter), Is.EqualTo(1024));
            Assert.That(m.Machine.Clock.Now, Is.InRange(1 * S - 1_000, 1 * S + 1_000), "1024 periods of 976.5625 us");
            Assert.That(rtc.NmiMasked, Is.True);
        });
    }
}
