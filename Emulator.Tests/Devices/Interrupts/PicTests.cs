using Emulator.Devices.Interrupts;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Interrupts;

/// <summary>Register-level tests of the 8259A pair against the 8259A datasheet (and the PIIX3 ELCR).</summary>
public class PicTests
{
    /// <summary>The PC BIOS sequence: ICW1 0x11, ICW2 0x08/0x70, ICW3 4/2, ICW4 1 (8086 mode, normal EOI).</summary>
    internal static DualPic BiosInit(byte masterIcw4 = 0x01, byte slaveIcw4 = 0x01)
    {
        var pic = new DualPic();
        pic.Out(0x20, 1, 0x11);
        pic.Out(0x21, 1, 0x08);
        pic.Out(0x21, 1, 0x04);
        pic.Out(0x21, 1, masterIcw4);
        pic.Out(0xA0, 1, 0x11);
        pic.Out(0xA1, 1, 0x70);
        pic.Out(0xA1, 1, 0x02);
        pic.Out(0xA1, 1, slaveIcw4);
        return pic;
    }

    static void Pulse(DualPic pic, int irq)
    {
        pic.SetIrq(irq, true);
        pic.SetIrq(irq, false);
    }

    static byte MasterIsr(DualPic pic)
    {
        pic.Out(0x20, 1, 0x0B);   // OCW3: read ISR
        byte v = (byte)pic.In(0x20, 1);
        pic.Out(0x20, 1, 0x0A);   // back to IRR
        return v;
    }

    static byte SlaveIsr(DualPic pic)
    {
        pic.Out(0xA0, 1, 0x0B);
        byte v = (byte)pic.In(0xA0, 1);
        pic.Out(0xA0, 1, 0x0A);
        return v;
    }

    [Test]
    public void Icw1_clears_the_mask_and_the_initialised_pair_gives_bios_vectors()
    {
        var pic = new DualPic();
        pic.Out(0x21, 1, 0x5A);
        Assert.That(pic.In(0x21, 1), Is.EqualTo(0x5A), "OCW1 before any ICW1");
        pic = BiosInit();
        Assert.Multiple(() =>
        {
            Assert.That(pic.In(0x21, 1), Is.EqualTo(0), "ICW1 clears the IMR");
            Assert.That(pic.In(0xA1, 1), Is.EqualTo(0));
            Assert.That(pic.InterruptPending, Is.False);
        });
        Pulse(pic, 0);
        Assert.That(pic.InterruptPending, Is.True);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x08));
        Assert.Multiple(() =>
        {
            Assert.That(MasterIsr(pic), Is.EqualTo(0x01));
            Assert.That(pic.In(0x20, 1), Is.EqualTo(0), "the edge request left IRR at the acknowledge");
            Assert.That(pic.InterruptPending, Is.False);
        });
        pic.Out(0x20, 1, 0x20);   // non-specific EOI
        Assert.That(MasterIsr(pic), Is.EqualTo(0));
    }

    [Test]
    public void Masked_requests_wait_in_irr_and_are_delivered_when_unmasked()
    {
        var pic = BiosInit();
        pic.Out(0x21, 1, 0xFE);
        Pulse(pic, 1);
        Assert.That(pic.InterruptPending, Is.False);
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x02), "IRR holds the masked request");
        pic.Out(0x21, 1, 0x00);
        Assert.That(pic.InterruptPending, Is.True);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x09));
    }

    [Test]
    public void Fully_nested_mode_lets_only_higher_priority_levels_interrupt()
    {
        var pic = BiosInit();
        Pulse(pic, 3);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0B));
        Pulse(pic, 5);
        Assert.That(pic.InterruptPending, Is.False, "IR5 is below IR3 in service");
        Pulse(pic, 1);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x09), "IR1 is above IR3");
        Assert.That(MasterIsr(pic), Is.EqualTo(0x0A));
        pic.Out(0x20, 1, 0x20);   // non-specific EOI clears the highest level in service: IR1
        Assert.That(MasterIsr(pic), Is.EqualTo(0x08));
        Assert.That(pic.InterruptPending, Is.False, "IR3 still blocks IR5");
        pic.Out(0x20, 1, 0x63);   // specific EOI, level 3
        Assert.That(MasterIsr(pic), Is.EqualTo(0));
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0D));
    }

    [Test]
    public void Rotate_on_non_specific_eoi_makes_the_serviced_level_the_lowest()
    {
        var pic = BiosInit();
        Pulse(pic, 3);
        pic.Acknowledge();
        pic.Out(0x20, 1, 0xA0);   // rotate on non-specific EOI: IR3 becomes lowest, IR4 highest
        Pulse(pic, 1);
        Pulse(pic, 4);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0C), "IR4 now outranks IR1");
        pic.Out(0x20, 1, 0x20);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x09));
    }

    [Test]
    public void Rotate_on_specific_eoi_and_set_priority()
    {
        var pic = BiosInit();
        pic.Out(0x20, 1, 0xC4);   // set priority: IR4 lowest, so IR5 highest
        Pulse(pic, 0);
        Pulse(pic, 6);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0E), "IR6 (rank 1) outranks IR0 (rank 3)");
        pic.Out(0x20, 1, 0xE6);   // rotate on specific EOI level 6: IR6 lowest, IR7 highest
        Pulse(pic, 7);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0F));
        pic.Out(0x20, 1, 0x67);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x08));
    }

    [Test]
    public void Automatic_eoi_sets_no_isr_bit_and_can_rotate()
    {
        var pic = BiosInit(masterIcw4: 0x03);
        Pulse(pic, 3);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0B));
        Assert.That(MasterIsr(pic), Is.EqualTo(0), "AEOI: the acknowledge leaves no ISR bit");
        Pulse(pic, 5);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0D), "nothing in service blocks IR5");
        pic.Out(0x20, 1, 0x80);   // rotate in AEOI mode (set)
        Pulse(pic, 1);
        pic.Acknowledge();        // IR1 becomes lowest, IR2 highest
        Pulse(pic, 1);
        Pulse(pic, 6);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0E));
        pic.Out(0x20, 1, 0x00);   // rotate in AEOI mode (clear)
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x09));
    }

    [Test]
    public void Special_mask_mode_enables_lower_levels_while_one_is_in_service()
    {
        var pic = BiosInit();
        Pulse(pic, 3);
        pic.Acknowledge();
        Pulse(pic, 5);
        Assert.That(pic.InterruptPending, Is.False);
        pic.Out(0x20, 1, 0x68);   // OCW3: set special mask mode
        pic.Out(0x21, 1, 0x08);   // mask IR3, the level in service
        Assert.That(pic.InterruptPending, Is.True);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0D));
        Assert.That(MasterIsr(pic), Is.EqualTo(0x28));
        pic.Out(0x20, 1, 0x65);
        pic.Out(0x20, 1, 0x48);   // reset special mask mode
        pic.Out(0x21, 1, 0x00);
        Pulse(pic, 4);
        Assert.That(pic.InterruptPending, Is.False, "fully nested again: IR3 in service blocks IR4");
    }

    [Test]
    public void Poll_command_returns_the_level_and_acts_as_the_acknowledge()
    {
        var pic = BiosInit();
        pic.Out(0x20, 1, 0x0C);   // OCW3 poll
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x00), "no request: W7 = 0");
        Pulse(pic, 6);
        pic.Out(0x20, 1, 0x0C);
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x86));
        Assert.That(MasterIsr(pic), Is.EqualTo(0x40), "the poll read set ISR like an INTA");
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0), "one poll per command: the next read is IRR");
        Pulse(pic, 4);
        pic.Out(0x20, 1, 0x0C);
        Assert.That(pic.In(0x21, 1), Is.EqualTo(0x84), "the poll word is on either port");
    }

    [Test]
    public void Ocw3_selects_irr_or_isr_for_reading()
    {
        var pic = BiosInit();
        pic.Out(0x21, 1, 0xFF);
        Pulse(pic, 0);
        Pulse(pic, 7);
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x81), "IRR is selected after initialization");
        pic.Out(0x20, 1, 0x0B);
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x00), "ISR");
        pic.Out(0x20, 1, 0x08);   // RR = 0: no change of selection
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x00));
        pic.Out(0x20, 1, 0x0A);
        Assert.That(pic.In(0x20, 1), Is.EqualTo(0x81));
    }

    [Test]
    public void Elcr_bits_for_irq_0_1_2_8_and_13_are_read_only_zero()
    {
        var pic = new DualPic();
        pic.Out(0x4D0, 1, 0xFF);
        pic.Out(0x4D1, 1, 0xFF);
        Assert.That(pic.In(0x4D0, 1), Is.EqualTo(0xF8));
        Assert.That(pic.In(0x4D1, 1), Is.EqualTo(0xDE));
        pic.Out(0x4D0, 2, 0x0C20);
        Assert.That(pic.In(0x4D0, 2), Is.EqualTo(0x0C20), "a word access covers both registers");
        pic.Reset();
        Assert.That(pic.In(0x4D0, 2), Is.EqualTo(0));
    }

    [Test]
    public void Level_triggered_line_requests_until_it_is_lowered()
    {
        var pic = BiosInit();
        pic.Out(0x4D1, 1, 0x04);   // IRQ 10 level-triggered
        pic.SetIrq(10, true);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x72));
        Assert.That(pic.InterruptPending, Is.False, "in service");
        pic.Out(0xA0, 1, 0x20);
        pic.Out(0x20, 1, 0x20);
        Assert.That(pic.InterruptPending, Is.True, "still high after the EOI: requests again");
        pic.SetIrq(10, false);
        Assert.That(pic.InterruptPending, Is.False, "a level request leaves IRR with the line");
    }

    [Test]
    public void Ltim_makes_every_input_level_sensitive()
    {
        var pic = new DualPic();
        pic.Out(0x20, 1, 0x19);   // ICW1 with LTIM
        pic.Out(0x21, 1, 0x08);
        pic.Out(0x21, 1, 0x04);
        pic.Out(0x21, 1, 0x01);
        Pulse(pic, 5);
        Assert.That(pic.InterruptPending, Is.False, "a pulse leaves no request in level mode");
        pic.SetIrq(5, true);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0D));
    }

    [Test]
    public void Spurious_irq7_when_a_level_request_goes_away_before_the_acknowledge()
    {
        var pic = BiosInit();
        pic.Out(0x4D0, 1, 0x20);   // IRQ 5 level
        pic.SetIrq(5, true);
        Assert.That(pic.InterruptPending, Is.True);
        pic.SetIrq(5, false);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0F));
        Assert.That(MasterIsr(pic), Is.EqualTo(0), "no ISR bit for a spurious IR7");
    }

    [Test]
    public void Spurious_irq15_from_the_slave_sets_only_the_masters_cascade_bit()
    {
        var pic = BiosInit();
        pic.Out(0x4D1, 1, 0x04);   // IRQ 10 level
        pic.SetIrq(10, true);
        Assert.That(pic.Master.PendingRequest(), Is.EqualTo(2));
        // The slave's request is withdrawn after the master has taken its cascade request (on the
        // bus, between the two INTA pulses): the test holds the master's IR2 up to stand for that moment.
        pic.SetIrq(10, false);
        pic.Master.SetLine(2, true);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x77));
        Assert.Multiple(() =>
        {
            Assert.That(MasterIsr(pic), Is.EqualTo(0x04));
            Assert.That(SlaveIsr(pic), Is.EqualTo(0));
        });
    }

    [Test]
    public void After_icw1_an_edge_input_that_stays_high_needs_a_new_rising_edge()
    {
        var pic = BiosInit();
        pic.Out(0x21, 1, 0xFF);
        pic.SetIrq(4, true);
        pic = Reinit(pic);
        Assert.That(pic.InterruptPending, Is.False);
        pic.SetIrq(4, false);
        pic.SetIrq(4, true);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x0C));

        static DualPic Reinit(DualPic p)
        {
            p.Out(0x20, 1, 0x11);
            p.Out(0x21, 1, 0x08);
            p.Out(0x21, 1, 0x04);
            p.Out(0x21, 1, 0x01);
            return p;
        }
    }

    [Test]
    public void Slave_interrupts_come_through_the_cascade_and_need_two_eois()
    {
        var pic = BiosInit();
        Pulse(pic, 12);
        Assert.That(pic.InterruptPending, Is.True);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x74));
        Assert.Multiple(() =>
        {
            Assert.That(MasterIsr(pic), Is.EqualTo(0x04));
            Assert.That(SlaveIsr(pic), Is.EqualTo(0x10));
        });
        Pulse(pic, 14);
        Assert.That(pic.InterruptPending, Is.False, "IRQ 14 is below IRQ 12 on the slave");
        pic.Out(0xA0, 1, 0x20);
        Assert.That(pic.InterruptPending, Is.False, "the master's ISR2 still blocks the cascade");
        pic.Out(0x20, 1, 0x20);
        Assert.That(pic.Acknowledge(), Is.EqualTo(0x76));
    }

    [Test]
    public void Special_fully_nested_mode_lets_a_higher_slave_level_through_the_busy_cascade()
    {
        var normal = BiosInit();
        Pulse(normal, 12);
        normal.Acknowledge();
        Pulse(normal, 9);
        Assert.That(normal.InterruptPending, Is.False, "fully nested: ISR2 blocks the cascade");

        var sfnm = BiosInit(masterIcw4: 0x11);
        Pulse(sfnm, 12);
        sfnm.Acknowledge();
        Pulse(sfnm, 9);
        Assert.That(sfnm.Acknowledge(), Is.EqualTo(0x71));
    }

    [Test]
    public void Irq2_is_the_cascade_and_not_an_input()
    {
        var pic = BiosInit();
        pic.SetIrq(2, true);
        Assert.That(pic.InterruptPending, Is.False);
    }

    [Test]
    public void Save_and_restore_round_trip()
    {
        var pic = BiosInit();
        pic.Out(0x4D1, 1, 0x04);
        pic.Out(0x21, 1, 0x10);
        Pulse(pic, 3);
        pic.Acknowledge();
        Pulse(pic, 1);
        pic.SetIrq(10, true);
        Pulse(pic, 4);
        pic.Out(0x20, 1, 0xC2);   // set priority
        pic.Out(0xA0, 1, 0x0B);   // slave reads ISR

        byte[] first = Save(pic);
        var copy = new DualPic();
        using (var r = new BinaryReader(new MemoryStream(first))) copy.LoadState(r, pic.SnapshotVersion);
        Assert.That(Save(copy), Is.EqualTo(first));

        for (int i = 0; i < 4; i++)
        {
            Assert.That(copy.InterruptPending, Is.EqualTo(pic.InterruptPending));
            Assert.That(copy.Acknowledge(), Is.EqualTo(pic.Acknowledge()));
            pic.Out(0x20, 1, 0x20);
            copy.Out(0x20, 1, 0x20);
        }
        Assert.That(copy.In(0xA0, 1), Is.EqualTo(pic.In(0xA0, 1)));
    }

}
