using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Machine;
using Emulator.Devices.Interrupts;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Interrupts;

/// <summary>Guest programs that program the interrupt controllers and take interrupts the test raises.</summary>
public class InterruptGuestTests
{
    const uint ApicBase = 0xFEE0_0000, IoApicBase = 0xFEC0_0000;

    /// <summary>A device register that lowers an IRQ line when written (the handler's "acknowledge the device").</summary>
    sealed class AckPort(IrqLine line) : IIoDevice
    {
        public uint In(ushort port, int size) => 0;
        public void Out(ushort port, int size, uint value) => line.Lower();
    }

    /// <summary>
    /// Real mode: the BIOS initialisation of both PICs, IRQ 0 (vector 8) and IRQ 12 (vector 0x74)
    /// unmasked, then HLT in a loop. Each handler counts and sends its EOIs. Run directly on the
    /// DualPic, and through the local APIC in its reset (virtual wire) state.
    /// </summary>
    [TestCase(false)]
    [TestCase(true)]
    public void Real_mode_bios_pic_setup_takes_irq0_and_a_slave_irq(bool throughApic)
    {
        var m = new TestMachine();
        var pic = new DualPic();
        pic.Attach(m.Machine.Io);
        var apic = new LocalApic(m.Machine.Clock, m.Cpu.RaiseNmi, () => m.Cpu.TimeStampCounter);
        m.Cpu.InterruptController = throughApic ? new ApicInterruptController(apic, pic) : pic;

        m.Write32(0x08 * 4, 0x0000_3000);
        m.Write32(0x74 * 4, 0x0000_3100);
        m.Write32(0x09 * 4, 0x0000_3200);   // IRQ 1: must stay masked
        m.Load(16, 0x3000, a => { a.inc(__word_ptr[0x500]); a.mov(al, 0x20); a.@out(0x20, al); a.iret(); });
        m.Load(16, 0x3100, a => { a.inc(__word_ptr[0x502]); a.mov(al, 0x20); a.@out(0xA0, al); a.@out(0x20, al); a.iret(); });
        m.Load(16, 0x3200, a => { a.inc(__word_ptr[0x504]); a.mov(al, 0x20); a.@out(0x20, al); a.iret(); });
        m.Load(16, 0x1000, a =>
        {
            var loop = a.CreateLabel();
            a.cli();
            a.mov(al, 0x11); a.@out(0x20, al); a.@out(0xA0, al);   // ICW1: edge, cascade, ICW4
            a.mov(al, 0x08); a.@out(0x21, al);                      // ICW2: master vectors 08-0F
            a.mov(al, 0x70); a.@out(0xA1, al);                      //       slave vectors 70-77
            a.mov(al, 0x04); a.@out(0x21, al);                      // ICW3: slave on IR2
            a.mov(al, 0x02); a.@out(0xA1, al);                      //       slave ID 2
            a.mov(al, 0x01); a.@out(0x21, al); a.@out(0xA1, al);   // ICW4: 8086 mode
            a.mov(al, 0xFA); a.@out(0x21, al);                      // unmask IRQ 0 and the cascade
            a.mov(al, 0xEF); a.@out(0xA1, al);                      // unmask IRQ 12
            a.sti();
            a.Label(ref loop);
            a.hlt();
            a.jmp(loop);
        });
        m.StartReal(0, 0x1000);

        Assert.That(m.Run(10_000), Is.EqualTo(StopReason.Halted));
        pic.SetIrq(0, true);
        pic.SetIrq(0, false);
        Assert.That(m.Run(10_000), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Read16(0x500), Is.EqualTo(1), "IRQ 0 handled");
        pic.SetIrq(1, true);   // masked: stays in IRR
        pic.SetIrq(12, true);
        pic.SetIrq(12, false);
        Assert.That(m.Run(10_000), Is.EqualTo(StopReason.Halted));
        pic.SetIrq(0, true);
        pic.SetIrq(0, false);
        Assert.That(m.Run(10_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x500), Is.EqualTo(2));
            Assert.That(m.Read16(0x502), Is.EqualTo(1), "IRQ 12 through the cascade");
            Assert.That(m.Read16(0x504), Is.EqualTo(0), "IRQ 1 masked");
            Assert.That(pic.Master.Isr | pic.Slave.Isr, Is.EqualTo(0), "every handler sent its EOIs");
            Assert.That(pic.Master.Irr, Is.EqualTo(0x02));
        });
    }

    /// <summary>Protected mode with the local APIC mapped; the machine's CPU takes interrupts through the combined controller.</summary>
    static (ProtectedModeSetup pm, LocalApic apic, DualPic pic) ApicMachine()
    {
        var pm = new ProtectedModeSetup();
        var machine = pm.M.Machine;
        var pic = new DualPic();
        pic.Attach(machine.Io);
        var apic = new LocalApic(machine.Clock, machine.Cpu.RaiseNmi, () => machine.Cpu.TimeStampCounter);
        machine.Memory.MapMmio(LocalApic.DefaultBase, LocalApic.Length, apic);
        machine.Cpu.InterruptController = new ApicInterruptController(apic, pic);
        return (pm, apic, pic);
    }

    /// <summary>A handler at <paramref name="address"/> for <paramref name="vector"/>: counts in the dword at <paramref name="counter"/>, optionally writes a port, sends the APIC EOI.</summary>
    static void CountingHandler(ProtectedModeSetup pm, int vector, ulong address, uint counter, ushort? ackPort = null)
    {
        pm.Assemble32(address, a =>
        {
            a.inc(__dword_ptr[counter]);
            if (ackPort is ushort port) { a.mov(dx, port); a.@out(dx, al); }
            a.mov(__dword_ptr[ApicBase + 0xB0], 0);
            a.iretd();
        });
        pm.SetIdt(vector, ProtectedModeSetup.Gate(ProtectedModeSetup.Code0, (uint)address, 0xE, 0));
    }

    [Test]
    public void Protected_mode_apic_timer_in_periodic_mode_interrupts_every_period()
    {
        var (pm, apic, _) = ApicMachine();
        CountingHandler(pm, 0x40, ProtectedModeSetup.ExtraCode, 0x500);
        pm.Build(a =>
        {
            var loop = a.CreateLabel();
            a.mov(__dword_ptr[ApicBase + 0xF0], 0x1FF);       // SVR: software enable, spurious vector 0xFF
            a.mov(__dword_ptr[ApicBase + 0x3E0], 0xB);        // divide by 1
            a.mov(__dword_ptr[ApicBase + 0x320], 0x2_0040);   // LVT timer: periodic, vector 0x40
            a.mov(__dword_ptr[ApicBase + 0x380], 10_000);     // 10 000 ticks of 1 ns
            a.sti();
            a.Label(ref loop);
            a.hlt();
            a.cmp(__dword_ptr[0x500], 5);
            a.jb(loop);
            a.cli();
            a.mov(__dword_ptr[ApicBase + 0x380], 0);          // stop the timer
            a.hlt();
        });
        long start = pm.M.Machine.Clock.Now;
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        long elapsed = pm.M.Machine.Clock.Now - start;
        Assert.Multiple(() =>
        {
            Assert.That(pm.HaltedVector, Is.EqualTo(-1), "no unexpected vector");
            Assert.That(pm.M.Read32(0x500), Is.EqualTo(5));
            Assert.That(elapsed, Is.InRange(50_000L, 51_000L), "five periods of 10 µs");
            Assert.That(apic.IsInService(0x40), Is.False);
        });
    }

    [Test]
    public void Protected_mode_self_ipi_while_running()
    {
        var (pm, _, _) = ApicMachine();
        CountingHandler(pm, 0x61, ProtectedModeSetup.ExtraCode, 0x500);
        pm.Build(a =>
        {
            var wait = a.CreateLabel();
            a.mov(__dword_ptr[ApicBase + 0xF0], 0x1FF);
            a.sti();
            a.mov(__dword_ptr[ApicBase + 0x300], 0x4_0061);   // ICR: fixed, self, vector 0x61
            a.Label(ref wait);
            a.cmp(__dword_ptr[0x500], 0);
            a.je(wait);
            a.cli();
            a.hlt();
        });
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        Assert.That(pm.HaltedVector, Is.EqualTo(-1));
        Assert.That(pm.M.Read32(0x500), Is.EqualTo(1));
    }

    /// <summary>
    /// The board's fan-out: ISA IRQ 0 goes to the PIC and to IOAPIC pin 2 (the interrupt source
    /// override), a PCI-style level line to pin 10. The guest masks the 8259s, routes pin 2 (edge,
    /// vector 0x30) and pin 10 (level, vector 0x50), and its pin-10 handler acknowledges the device
    /// (lowering the line) before the EOI, which clears the IOAPIC's remote IRR.
    /// </summary>
    [Test]
    public void Protected_mode_ioapic_routes_pins_to_vectors()
    {
        var (pm, apic, pic) = ApicMachine();
        var machine = pm.M.Machine;
        var ioapic = new IoApic(apic);
        machine.Memory.MapMmio(IoApic.DefaultBase, IoApic.Length, ioapic);
        void Isa(int irq, bool level)
        {
            pic.SetIrq(irq, level);
            ioapic.SetIrq(irq == 0 ? 2 : irq, level);
        }
        var irq0 = new IrqLine(0, Isa);
        var pciLine = new IrqLine(10, ioapic.SetIrq);
        machine.Io.Register(0x510, 1, new AckPort(pciLine));
        CountingHandler(pm, 0x30, ProtectedModeSetup.ExtraCode, 0x504);
        CountingHandler(pm, 0x50, ProtectedModeSetup.ExtraCode + 0x100, 0x500, ackPort: 0x510);

        pm.Build(a =>
        {
            var loop = a.CreateLabel();
            a.mov(al, 0xFF); a.@out(0x21, al); a.@out(0xA1, al);   // mask both 8259s
            a.mov(__dword_ptr[ApicBase + 0xF0], 0x1FF);
            a.mov(__dword_ptr[IoApicBase], 0x15);                  // pin 2 high: destination APIC 0
            a.mov(__dword_ptr[IoApicBase + 0x10], 0);
            a.mov(__dword_ptr[IoApicBase], 0x14);                  // pin 2 low: fixed, edge, vector 0x30
            a.mov(__dword_ptr[IoApicBase + 0x10], 0x30);
            a.mov(__dword_ptr[IoApicBase], 0x25);                  // pin 10 high
            a.mov(__dword_ptr[IoApicBase + 0x10], 0);
            a.mov(__dword_ptr[IoApicBase], 0x24);                  // pin 10 low: fixed, level, vector 0x50
            a.mov(__dword_ptr[IoApicBase + 0x10], 0x8050);
            a.sti();
            a.Label(ref loop);
            a.hlt();
            a.mov(eax, __dword_ptr[0x500]);
            a.add(eax, __dword_ptr[0x504]);
            a.cmp(eax, 3);
            a.jb(loop);
            a.cli();
            a.hlt();
        });
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        Assert.That(pm.HaltedVector, Is.EqualTo(-1));
        pciLine.Raise();
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(pm.M.Read32(0x500), Is.EqualTo(1), "the level interrupt is taken once");
            Assert.That(pciLine.Level, Is.False, "the handler acknowledged the device");
            Assert.That(ioapic.Entry(10) & 0x4000, Is.EqualTo(0), "the EOI cleared remote IRR");
        });
        irq0.Pulse();
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        Assert.That(pm.M.Read32(0x504), Is.EqualTo(1), "ISA IRQ 0 through IOAPIC pin 2");
        pciLine.Raise();
        Assert.That(pm.Run(100_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(pm.M.Read32(0x500), Is.EqualTo(2));
            Assert.That(pm.HaltedVector, Is.EqualTo(-1));
            Assert.That(pic.Master.Irr & 1, Is.EqualTo(1), "the masked 8259 saw IRQ 0 too");
        });
    }
}
