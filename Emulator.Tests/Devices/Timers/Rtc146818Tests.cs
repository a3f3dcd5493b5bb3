using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Core.Time;
using Emulator.Devices.Timers;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Timers;

/// <summary>Register-level tests against the MC146818 datasheet, at a fixed start date.</summary>
public class Rtc146818Tests
{
    const long Ms = 1_000_000, S = 1_000_000_000;

    sealed class Rig
    {
        public readonly VirtualClock Clock = new();
        public readonly List<(long Ns, bool Level)> Irq = new();
        public readonly Rtc146818 Rtc;

        public Rig(DateTime start)
        {
            Rtc = new Rtc146818(Clock, new IrqLine(8, (_, level) => Irq.Add((Clock.Now, level))), start);
        }

        public byte Get(int reg)
        {
            Rtc.Out(0x70, 1, (uint)reg);
            return (byte)Rtc.In(0x71, 1);
        }

        public void Set(int reg, int value)
        {
            Rtc.Out(0x70, 1, (uint)reg);
            Rtc.Out(0x71, 1, (uint)value);
        }

        public void To(long ns)
        {
            while (Clock.NextDue <= ns)
            {
                Clock.AdvanceTo(Clock.NextDue);
                Clock.RunDue();
            }
            Clock.AdvanceTo(ns);
            Clock.RunDue();
        }

        /// <summary>Runs to <paramref name="ns"/> as an interrupt handler would: each IRQ 8 is answered by reading C.</summary>
        public List<(long Ns, byte C)> Serve(long ns)
        {
            var seen = new List<(long, byte)>();
            while (Clock.NextDue <= ns)
            {
                Clock.AdvanceTo(Clock.NextDue);
                Clock.RunDue();
                if (Rtc.GetCmos(Rtc146818.RegC) >= 0x80) seen.Add((Clock.Now, Get(Rtc146818.RegC)));
            }
            Clock.AdvanceTo(ns);
            return seen;
        }
    }

    static readonly DateTime LeapDay = new(2024, 2, 29, 23, 59, 58);   // a Thursday

    [Test]
    public void Time_reads_in_bcd_24_hour_at_the_fixed_start_date()
    {
        var r = new Rig(LeapDay);
        Assert.Multiple(() =>
        {
            Assert.That(r.Get(0x00), Is.EqualTo(0x58));
            Assert.That(r.Get(0x02), Is.EqualTo(0x59));
            Assert.That(r.Get(0x04), Is.EqualTo(0x23));
            Assert.That(r.Get(0x06), Is.EqualTo(5), "Thursday: Sunday = 1");
            Assert.That(r.Get(0x07), Is.EqualTo(0x29));
            Assert.That(r.Get(0x08), Is.EqualTo(0x02));
            Assert.That(r.Get(0x09), Is.EqualTo(0x24));
            Assert.That(r.Get(0x32), Is.EqualTo(0x20), "century byte");
            Assert.That(r.Get(0x0A), Is.EqualTo(0x26), "divider 010, 1024 Hz rate");
            Assert.That(r.Get(0x0B), Is.EqualTo(0x02), "24-hour, BCD");
            Assert.That(r.Get(0x0D), Is.EqualTo(0x80), "VRT");
        });
    }

    [Test]
    public void Time_advances_with_virtual_time_across_month_end_of_a_leap_year()
    {
        var r = new Rig(LeapDay);
        r.To(1 * S - 1);
        Assert.That(r.Get(0x00), Is.EqualTo(0x58));
        r.To(1 * S);
        Assert.That(r.Get(0x00), Is.EqualTo(0x59));
        r.To(2 * S);
        Assert.Multiple(() =>
        {
            Assert.That(r.Get(0x00), Is.EqualTo(0x00));
            Assert.That(r.Get(0x04), Is.EqualTo(0x00));
            Assert.That(r.Get(0x07), Is.EqualTo(0x01));
            Assert.That(r.Get(0x08), Is.EqualTo(0x03), "29 February 2024 is followed by 1 March");
            Assert.That(r.Get(0x06), Is.EqualTo(6), "Friday");
        });
        r.To(2 * S + 3661 * S);
        Assert.That((r.Get(0x04), r.Get(0x02), r.Get(0x00)), Is.EqualTo(((byte)0x01, (byte)0x01, (byte)0x01)));
    }

    [Test]
    public void Binary_12_hour_mode_rolls_11_59_59_pm_to_12_am_of_the_next_day()
    {
        var r = new Rig(LeapDay);
        r.Set(0x0B, 0x80 | 0x04);          // SET, binary, 12-hour
        r.Set(0x00, 59);
        r.Set(0x02, 59);
        r.Set(0x04, 0x80 | 11);            // 11 PM
        r.Set(0x07, 31);
        r.Set(0x08, 12);
        r.Set(0x09, 99);
        r.Set(0x32, 0x19);                 // the century byte is kept by the board/BIOS in BCD here
        r.Set(0x32, 19);                   // ... but decoded in the current (binary) mode
        r.To(5 * S);
        Assert.That(r.Get(0x00), Is.EqualTo(59), "SET stops updates");
        r.Set(0x0B, 0x04);                 // clear SET
        r.To(6 * S);
        Assert.Multiple(() =>
        {
            Assert.That(r.Get(0x04), Is.EqualTo(12), "12 AM: PM bit clear");
            Assert.That(r.Get(0x02), Is.EqualTo(0));
            Assert.That(r.Get(0x00), Is.EqualTo(0));
            Assert.That(r.Get(0x07), Is.EqualTo(1));
            Assert.That(r.Get(0x08), Is.EqualTo(1));
            Assert.That(r.Get(0x09), Is.EqualTo(0), "1999 -> 2000");
            Assert.That(r.Get(0x32), Is.EqualTo(20));
        });
        r.To(6 * S + 12 * 3600 * S);
        Assert.That(r.Get(0x04), Is.EqualTo(0x80 | 12), "12 PM");
    }

    [Test]
    public void Uip_is_set_for_the_244_us_before_each_update()
    {
        var r = new Rig(LeapDay);
        // 8 cycles of 32.768 kHz = 244.140625 us: UIP from 999,755,859.4 ns.
        r.To(999_755_000);
        Assert.That(r.Get(0x0A) & 0x80, Is.Zero);
        r.To(999_756_000);
        Assert.That(r.Get(0x0A) & 0x80, Is.EqualTo(0x80));
        Assert.That(r.Get(0x00), Is.EqualTo(0x58), "time registers not yet updated");
        r.To(1 * S);
        Assert.That(r.Get(0x0A) & 0x80, Is.Zero);
        Assert.That(r.Get(0x00), Is.EqualTo(0x59));
        r.Set(0x0B, 0x82);
        r.To(2 * S - 100_000);
        Assert.That(r.Get(0x0A) & 0x80, Is.Zero, "SET clears UIP");
    }

    [TestCase(6, 1024)]
    [TestCase(15, 2)]
    [TestCase(3, 8192)]
    [TestCase(1, 256)]
    [TestCase(2, 128)]
    public void Periodic_interrupt_at_the_selected_rate(int rs, int perSecond)
    {
        var r = new Rig(LeapDay);
        r.Set(0x0A, 0x20 | rs);
        r.Set(0x0B, 0x02 | 0x40);          // PIE
        long window = rs == 3 ? S / 8 : S;
        var seen = r.Serve(window);
        Assert.That(seen, Has.Count.EqualTo(perSecond * window / S));
        Assert.That(seen.All(e => (e.C & 0xE0) == 0xC0), Is.True, "IRQF | PF (UF too after an update)");
        long period = S / perSecond;
        Assert.That(seen[1].Ns - seen[0].Ns, Is.InRange(period - 1, period + 1));
    }

    [Test]
    public void Alarm_interrupt_at_the_alarm_time_and_dont_care_fields()
    {
        var r = new Rig(new DateTime(2024, 5, 1, 12, 0, 0));
        r.Set(0x01, 0x05);
        r.Set(0x03, 0x00);
        r.Set(0x05, 0x12);
        r.Set(0x0B, 0x02 | 0x20);          // AIE
        var seen = r.Serve(10 * S);
        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0].Ns, Is.EqualTo(5 * S));
        Assert.That(seen[0].C, Is.EqualTo(0xA0 | 0x40 | 0x10), "IRQF | AF, and PF and UF (set whether enabled or not)");

        r.Set(0x03, 0xC0);                 // any minute
        r.Set(0x05, 0xFF);                 // any hour
        r.Set(0x01, 0x30);
        seen = r.Serve(10 * S + 180 * S);
        Assert.That(seen.Select(e => e.Ns), Is.EqualTo(new[] { 30 * S, 90 * S, 150 * S }));
    }

    [Test]
    public void Alarm_flag_is_set_while_polling_without_aie()
    {
        var r = new Rig(new DateTime(2024, 5, 1, 12, 0, 0));
        r.Set(0x01, 0x03);
        r.Set(0x03, 0x00);
        r.Set(0x05, 0x12);
        r.To(100 * S);
        Assert.That(r.Get(0x0C), Is.EqualTo(0x20 | 0x10 | 0x40), "AF, UF and PF set, no IRQF");
        Assert.That(r.Irq, Is.Empty);
    }

    [Test]
    public void Update_ended_interrupt_every_second()
    {
        var r = new Rig(new DateTime(2024, 5, 1, 12, 0, 0));
        r.To(S / 3);
        r.Set(0x0B, 0x02 | 0x10);          // UIE
        var seen = r.Serve(3 * S + S / 2);
        Assert.That(seen.Select(e => e.Ns), Is.EqualTo(new[] { 1 * S, 2 * S, 3 * S }));
        Assert.That(seen.Select(e => e.C), Is.All.EqualTo(0x90 | 0x40).Or.EqualTo(0x90));
    }

    [Test]
    public void Register_c_read_clears_flags_and_lowers_irq8_and_enabling_a_set_flag_raises_it()
    {
        var r = new Rig(LeapDay);
        r.To(2 * S);                        // PF, UF and AF (the alarm is 00:00:00 at power-on) are set, nothing enabled
        Assert.That(r.Irq, Is.Empty);
        r.Set(0x0B, 0x02 | 0x10);          // UIE with UF already set: IRQ at once
        Assert.That(r.Irq, Is.EqualTo(new[] { (2 * S, true) }));
        Assert.That(r.Get(0x0C), Is.EqualTo(0x80 | 0x40 | 0x20 | 0x10));
        Assert.That(r.Irq, Is.EqualTo(new[] { (2 * S, true), (2 * S, false) }));
        Assert.That(r.Get(0x0C), Is.Zero, "cleared by the read");
        r.Set(0x0C, 0xFF);
        r.Set(0x0D, 0x00);
        Assert.That((r.Get(0x0C), r.Get(0x0D)), Is.EqualTo(((byte)0, (byte)0x80)), "C and D are read-only");
    }

    [Test]
    public void Set_bit_clears_uie()
    {
        var r = new Rig(LeapDay);
        r.Set(0x0B, 0x80 | 0x10 | 0x02);
        Assert.That(r.Get(0x0B), Is.EqualTo(0x82));
    }

    [Test]
    public void Divider_reset_holds_time_and_the_first_update_is_500_ms_after_release()
    {
        var r = new Rig(LeapDay);
        r.Set(0x0A, 0x76);                 // DV = 111: divider reset
        r.To(10 * S);
        Assert.That(r.Get(0x00), Is.EqualTo(0x58));
        r.Set(0x0A, 0x26);
        r.To(10 * S + 500 * Ms - 1);
        Assert.That(r.Get(0x00), Is.EqualTo(0x58));
        r.To(10 * S + 500 * Ms);
        Assert.That(r.Get(0x00), Is.EqualTo(0x59));
        r.To(11 * S + 500 * Ms);
        Assert.That(r.Get(0x00), Is.EqualTo(0x00));
    }

    [Test]
    public void Port_0x70_bit_7_masks_nmi_and_selects_with_bits_0_to_6()
    {
        var r = new Rig(LeapDay);
        r.Rtc.Out(0x70, 1, 0x80 | 0x09);
        Assert.That(r.Rtc.NmiMasked, Is.True);
        Assert.That(r.Rtc.In(0x71, 1), Is.EqualTo(0x24));
        r.Rtc.Out(0x70, 1, 0x0F);
        Assert.That(r.Rtc.NmiMasked, Is.False);
        Assert.That(r.Rtc.Index, Is.EqualTo(0x0F));
        Assert.That(r.Rtc.In(0x70, 1), Is.EqualTo(0xFF));
    }

    [Test]
    public void Cmos_ram_and_the_checksum_over_0x10_to_0x2D()
    {
        var r = new Rig(LeapDay);
        r.Rtc.SetCmos(0x10, 0x40);
        r.Rtc.SetCmos(0x14, 0x0D);
        r.Rtc.SetCmos(0x15, 0x80);
        r.Rtc.SetCmos(0x16, 0x02);
        r.Rtc.SetCmos(0x2D, 0xFF);
        r.Rtc.SetCmos(0x30, 0xFF);          // outside the checksum range
        r.Rtc.UpdateChecksum();
        // 0x40 + 0x0D + 0x80 + 0x02 + 0xFF = 0x1CE
        Assert.That((r.Get(0x2E), r.Get(0x2F)), Is.EqualTo(((byte)0x01, (byte)0xCE)));
        r.Set(0x7F, 0x5A);
        Assert.That(r.Get(0x7F), Is.EqualTo(0x5A));
    }

    [Test]
    public void Reset_clears_enables_and_flags_but_keeps_time_and_ram()
    {
        var r = new Rig(LeapDay);
        r.Set(0x0B, 0x02 | 0x40 | 0x20 | 0x10 | 0x08 | 0x04);
        r.To(S / 2);
        r.Set(0x40, 0x77);
        r.Rtc.Reset();
        Assert.Multiple(() =>
        {
            Assert.That(r.Get(0x0B), Is.EqualTo(0x06));
            Assert.That(r.Get(0x0C), Is.Zero);
            Assert.That(r.Irq.Last().Level, Is.False);
            Assert.That(r.Get(0x40), Is.EqualTo(0x77));
            Assert.That(r.Get(0x00), Is.EqualTo(0x58));
        });
    }

    [Test]
    public void Save_and_load_round_trip_and_continue_identically()
    {
        var a = new Rig(LeapDay);
        a.Set(0x0A, 0x2A);                  // 64 Hz
        a.Set(0x0B, 0x02 | 0x40 | 0x10);
        a.Set(0x01, 0xC0); a.Set(0x03, 0xC0); a.Set(0x05, 0xC0);
        a.Serve(1234 * Ms);
        a.Rtc.Out(0x70, 1, 0x8B);
        byte[] saved = Save(a.Rtc);

        var b = new Rig(new DateTime(2000, 1, 1));
        b.Clock.AdvanceTo(a.Clock.Now);
        Load(b.Rtc, saved);
        Assert.That(Save(b.Rtc), Is.EqualTo(saved));
        Assert.That(b.Rtc.NmiMasked, Is.True);
        var sa = a.Serve(4 * S);
        var sb = b.Serve(4 * S);
        Assert.That(sb, Is.EqualTo(sa));
        Assert.That(sb, Has.Count.GreaterThan(100), "the periodic event was re-armed");
        Assert.That(b.Get(0x00), Is.EqualTo(a.Get(0x00)));
    }

    [Test]
    public void Guest_waits_for_an_update_by_polling_uip_and_reads_the_new_time()
    {
        var m = new TestMachine();
        var rtc = new Rtc146818(m.Machine.Clock, IrqLine.Unconnected(8), LeapDay);
        m.Machine.Io.Register(Rtc146818.BasePort, 2, rtc);
        m.Load(16, 0x1000, a =>
        {
            var high = a.CreateLabel();
            var low = a.CreateLabel();
            a.cli();
            a.Label(ref high);                  // wait for UIP = 1 ...
            a.mov(al, 0x0A);
            a.@out(0x70, al);
            a.@in(al, 0x71);
            a.test(al, 0x80);
            a.jz(high);
            a.Label(ref low);                   // ... then for UIP = 0: the update has happened
            a.@in(al, 0x71);
            a.test(al, 0x80);
            a.jnz(low);
            foreach (var (reg, at) in new[] { (0x00, 0x600), (0x02, 0x601), (0x04, 0x602), (0x07, 0x603), (0x08, 0x604) })
            {
                a.mov(al, (byte)reg);
                a.@out(0x70, al);
                a.@in(al, 0x71);
                a.mov(__byte_ptr[at], al);
            }
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        m.Machine.Clock.AdvanceTo(999 * Ms);    // the RTC started at 0: 1 ms before its first update
        Assert.That(m.Run(10_000_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x600), Is.EqualTo(0x59), "23:59:58 + 1 s");
            Assert.That(m.Read8(0x601), Is.EqualTo(0x59));
            Assert.That(m.Read8(0x602), Is.EqualTo(0x23));
            Assert.That(m.Read8(0x603), Is.EqualTo(0x29));
            Assert.That(m.Read8(0x604), Is.EqualTo(0x02));
            Assert.That(m.Machine.Clock.Now, Is.InRange(1 * S, 1 * S + 10_000), "the update is at 1 s of virtual time");
        });
    }
}
