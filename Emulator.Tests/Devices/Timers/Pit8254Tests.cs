using Emulator.Core.Interrupts;
using Emulator.Core.Time;
using Emulator.Devices.Timers;

namespace Emulator.Tests.Devices.Timers;

/// <summary>
/// Register-level tests against the Intel 8254 datasheet. Times are in CLK edges: a count
/// written at edge k is loaded on edge k+1 and counted from edge k+2 on.
/// </summary>
public class Pit8254Tests
{
    sealed class Rig
    {
        public readonly VirtualClock Clock = new();
        public readonly List<(long Tick, bool Level)> Irq0 = new();
        public readonly Pit8254 Pit;
        public readonly SystemControlPortB PortB;

        public Rig()
        {
            Pit = new Pit8254(Clock, new IrqLine(0, (_, level) => Irq0.Add((Pit8254.TickAt(Clock.Now), level))));
            PortB = new SystemControlPortB(Pit, Clock);
            Irq0.Clear();
        }

        /// <summary>Moves time to CLK edge <paramref name="tick"/>, running due events on the way.</summary>
        public void To(long tick)
        {
            long target = Pit8254.TimeOfTick(tick);
            while (Clock.NextDue <= target)
            {
                Clock.AdvanceTo(Clock.NextDue);
                Clock.RunDue();
            }
            Clock.AdvanceTo(target);
            Clock.RunDue();
        }

        public void Out(int port, int value) => Pit.Out((ushort)port, 1, (uint)value);
        public int In(int port) => (int)Pit.In((ushort)port, 1);

        public void Program(int counter, int mode, int count, bool bcd = false)
        {
            Out(0x43, counter << 6 | 0x30 | mode << 1 | (bcd ? 1 : 0));
            Out(0x40 + counter, count & 0xFF);
            Out(0x40 + counter, count >> 8 & 0xFF);
        }

        public int ReadCount(int counter) => In(0x40 + counter) | In(0x40 + counter) << 8;

        /// <summary>Counter 0's status byte through the read-back command.</summary>
        public int Out0Status()
        {
            Out(0x43, 0xE2);
            return In(0x40);
        }

        public List<long> Rises => Irq0.Where(e => e.Level).Select(e => e.Tick).ToList();
    }

    [Test]
    public void Tick_conversion_is_exact_at_1193182_Hz()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Pit8254.TickAt(1_000_000_000), Is.EqualTo(1_193_182));
            Assert.That(Pit8254.TimeOfTick(1_193_182), Is.EqualTo(1_000_000_000));
            Assert.That(Pit8254.TimeOfTick(1), Is.EqualTo(839), "838.095 ns rounded up to the first whole ns at or after the edge");
            Assert.That(Pit8254.TickAt(Pit8254.TimeOfTick(12345)), Is.EqualTo(12345));
            Assert.That(Pit8254.TickAt(Pit8254.TimeOfTick(12345) - 1), Is.EqualTo(12344));
        });
    }

    [Test]
    public void Mode0_out_goes_high_N_plus_1_clocks_after_the_count_write_and_stays_high()
    {
        var r = new Rig();
        r.To(100);
        r.Out(0x43, 0x30);   // counter 0, LSB/MSB, mode 0, binary
        Assert.That(r.Pit.GetOut(0), Is.False, "OUT low after the mode 0 control word");
        r.Out(0x40, 10);
        r.Out(0x40, 0);
        r.To(105);
        Assert.That(r.ReadCount(0), Is.EqualTo(6), "loaded with 10 on edge 101, decremented on 102..105");
        r.To(110);
        Assert.That(r.Pit.GetOut(0), Is.False);
        r.To(111);
        Assert.That(r.Pit.GetOut(0), Is.True, "terminal count on edge 111 = write + N + 1");
        r.To(113);
        Assert.That(r.ReadCount(0), Is.EqualTo(0xFFFE), "the counter keeps counting through 0 to FFFF");
        r.To(200_000);
        Assert.That(r.Pit.GetOut(0), Is.True, "stays high");
        Assert.That(r.Irq0, Is.EqualTo(new[] { (100L, false), (111L, true) }));
    }

    [Test]
    public void Mode0_first_byte_of_a_two_byte_count_stops_counting_and_sets_out_low()
    {
        var r = new Rig();
        r.Program(0, 0, 5);
        r.To(10);
        Assert.That(r.Pit.GetOut(0), Is.True);
        r.Out(0x40, 3);
        Assert.That(r.Pit.GetOut(0), Is.False, "OUT low at once");
        r.To(50);
        Assert.That(r.Pit.GetOut(0), Is.False, "no counting between the two bytes");
        r.Out(0x40, 0);
        r.To(53);
        Assert.That(r.Pit.GetOut(0), Is.False);
        r.To(54);
        Assert.That(r.Pit.GetOut(0), Is.True, "count 3: high on edge 50 + 3 + 1");
    }

    [Test]
    public void Mode2_rate_generator_pulses_low_for_one_clock_every_N_clocks()
    {
        var r = new Rig();
        r.Program(0, 2, 100);   // written at edge 0, loaded on edge 1
        r.To(99);
        Assert.That(r.Pit.GetOut(0), Is.True);
        Assert.That(r.ReadCount(0), Is.EqualTo(2));
        r.To(100);
        Assert.That(r.Pit.GetOut(0), Is.False, "low while the count is 1");
        Assert.That(r.ReadCount(0), Is.EqualTo(1));
        r.To(101);
        Assert.That(r.Pit.GetOut(0), Is.True);
        Assert.That(r.ReadCount(0), Is.EqualTo(100), "reloaded");
        r.To(1001);
        Assert.That(r.Rises, Is.EqualTo(new long[] { 101, 201, 301, 401, 501, 601, 701, 801, 901, 1001 }));
        Assert.That(r.Irq0.Count(e => !e.Level), Is.EqualTo(10));
    }

    [Test]
    public void Mode2_new_count_takes_effect_at_the_end_of_the_current_period()
    {
        var r = new Rig();
        r.Program(0, 2, 100);
        r.To(150);
        r.Out(0x40, 50);
        r.Out(0x40, 0);
        Assert.That(r.Out0Status(), Is.EqualTo(0x80 | 0x40 | 0x34), "null count until the new count is loaded");
        r.To(400);
        Assert.That(r.Rises, Is.EqualTo(new long[] { 101, 201, 251, 301, 351, 401 }.Where(t => t <= 400)));
        Assert.That(r.Out0Status() & 0x40, Is.Zero);
    }

    [Test]
    public void Mode3_even_count_is_a_square_wave_half_high_half_low()
    {
        var r = new Rig();
        r.PortB.Out(0x61, 1, 0x01);      // GATE 2 high
        r.Program(2, 3, 10);             // loaded on edge 1
        var outs = new List<bool>();
        var counts = new List<int>();
        for (long t = 1; t <= 20; t++)
        {
            r.To(t);
            outs.Add(r.Pit.GetOut(2));
            counts.Add(r.Pit.GetCount(2));
        }
        Assert.That(outs, Is.EqualTo(new[] { true, true, true, true, true, false, false, false, false, false,
                                             true, true, true, true, true, false, false, false, false, false }));
        Assert.That(counts.Take(10), Is.EqualTo(new[] { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2 }), "counts down by two");
    }

    [Test]
    public void Mode3_odd_count_is_high_one_clock_longer_than_low()
    {
        var r = new Rig();
        r.PortB.Out(0x61, 1, 0x01);
        r.Program(2, 3, 9);
        var outs = new List<bool>();
        for (long t = 1; t <= 18; t++)
        {
            r.To(t);
            outs.Add(r.Pit.GetOut(2));
        }
        // (N+1)/2 = 5 high, (N-1)/2 = 4 low.
        Assert.That(outs, Is.EqualTo(new[] { true, true, true, true, true, false, false, false, false,
                                             true, true, true, true, true, false, false, false, false }));
    }

    [Test]
    public void Mode3_on_counter0_gives_irq0_rising_edges_every_N_clocks()
    {
        var r = new Rig();
        r.Program(0, 3, 0);   // count 0 = 65536: the BIOS's 18.2 Hz
        r.To(65536 * 3 + 1);
        Assert.That(r.Rises, Is.EqualTo(new long[] { 65537, 131073, 196609 }));
    }

    [Test]
    public void Mode4_strobes_out_low_for_one_clock_N_plus_1_clocks_after_the_write()
    {
        var r = new Rig();
        r.Program(0, 4, 5);
        r.To(5);
        Assert.That(r.Pit.GetOut(0), Is.True);
        r.To(6);
        Assert.That(r.Pit.GetOut(0), Is.False);
        r.To(7);
        Assert.That(r.Pit.GetOut(0), Is.True);
        r.To(70_000);
        Assert.That(r.Irq0, Is.EqualTo(new[] { (6L, false), (7L, true) }), "a single strobe");
    }

    [Test]
    public void Mode1_one_shot_is_triggered_by_the_gate_and_retriggerable()
    {
        var r = new Rig();
        r.Program(2, 1, 4);
        r.To(10);
        Assert.That(r.Pit.GetOut(2), Is.True, "waits for a trigger");
        r.PortB.Out(0x61, 1, 0x01);   // trigger between edges 10 and 11
        r.To(10);
        Assert.That(r.Pit.GetOut(2), Is.True);
        r.To(11);
        Assert.That(r.Pit.GetOut(2), Is.False, "low on the CLK after the trigger");
        r.To(14);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.To(15);
        Assert.That(r.Pit.GetOut(2), Is.True, "high after N = 4 CLKs");
        r.PortB.Out(0x61, 1, 0x00);
        r.PortB.Out(0x61, 1, 0x01);   // retrigger at 15
        r.To(18);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.PortB.Out(0x61, 1, 0x00);
        r.PortB.Out(0x61, 1, 0x01);   // retrigger at 18 restarts the one-shot
        r.To(22);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.To(23);
        Assert.That(r.Pit.GetOut(2), Is.True);
    }

    [Test]
    public void Mode5_strobe_is_triggered_by_the_gate()
    {
        var r = new Rig();
        r.Program(2, 5, 3);
        r.To(20);
        Assert.That(r.Pit.GetOut(2), Is.True);
        r.PortB.Out(0x61, 1, 0x01);   // trigger at 20: loaded on 21, strobe on 24
        r.To(23);
        Assert.That(r.Pit.GetOut(2), Is.True);
        r.To(24);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.To(25);
        Assert.That(r.Pit.GetOut(2), Is.True);
    }

    [Test]
    public void Gate_low_in_mode0_suspends_counting()
    {
        var r = new Rig();
        r.PortB.Out(0x61, 1, 0x01);
        r.Program(2, 0, 10);          // loaded on 1
        r.To(4);
        Assert.That(r.ReadCount(2), Is.EqualTo(7));
        r.PortB.Out(0x61, 1, 0x00);
        r.To(100);
        Assert.That(r.ReadCount(2), Is.EqualTo(7), "held while GATE is low");
        r.PortB.Out(0x61, 1, 0x01);
        r.To(106);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.To(107);
        Assert.That(r.Pit.GetOut(2), Is.True, "7 more CLKs after GATE rose");
    }

    [Test]
    public void Gate_low_in_mode2_forces_out_high_and_rising_gate_reloads()
    {
        var r = new Rig();
        r.PortB.Out(0x61, 1, 0x01);
        r.Program(2, 2, 5);           // loaded on 1, low on 5
        r.To(5);
        Assert.That(r.Pit.GetOut(2), Is.False);
        r.PortB.Out(0x61, 1, 0x00);
        Assert.That(r.Pit.GetOut(2), Is.True, "GATE low sets OUT high at once");
        r.To(50);
        r.PortB.Out(0x61, 1, 0x01);   // reload on 51, low on 55
        r.To(54);
        Assert.That(r.Pit.GetOut(2), Is.True);
        Assert.That(r.ReadCount(2), Is.EqualTo(2));
        r.To(55);
        Assert.That(r.Pit.GetOut(2), Is.False);
    }

    [Test]
    public void Counter_latch_command_freezes_the_count_until_both_bytes_are_read()
    {
        var r = new Rig();
        r.Program(0, 2, 1000);
        r.To(101);
        r.Out(0x43, 0x00);            // latch counter 0
        r.To(300);
        r.Out(0x43, 0x00);            // ignored: already latched
        Assert.That(r.ReadCount(0), Is.EqualTo(900), "1000 - 100 at edge 101");
        Assert.That(r.ReadCount(0), Is.EqualTo(701), "live again after the latched value is read");
    }

    [Test]
    public void Lsb_only_and_msb_only_access()
    {
        var r = new Rig();
        r.Out(0x43, 0x14);            // counter 0, LSB only, mode 2
        r.Out(0x40, 0x80);            // count 0x0080
        r.To(17);
        Assert.That(r.In(0x40), Is.EqualTo(0x70), "0x80 - 16");
        Assert.That(r.In(0x40), Is.EqualTo(0x70), "LSB-only reads have no flip-flop");
        r.Out(0x43, 0x24);            // MSB only, mode 2
        r.Out(0x40, 0x02);            // count 0x0200
        r.To(17 + 1 + 0x100);
        Assert.That(r.In(0x40), Is.EqualTo(0x01), "0x200 - 0x100 = 0x100: MSB 01");
    }

    [Test]
    public void Read_back_latches_status_then_count_for_the_selected_counters()
    {
        var r = new Rig();
        r.Out(0x43, 0xB6);            // counter 2, LSB/MSB, mode 3, binary
        r.Out(0x43, 0xE8);            // read-back status of counter 2 (bit 5 = 1: no count)
        Assert.That(r.In(0x42), Is.EqualTo(0x80 | 0x40 | 0x36), "OUT high, null count, RW=3, mode 3");
        r.Out(0x42, 0x00);
        r.Out(0x42, 0x01);            // count 256, GATE 2 low: not loaded yet
        r.PortB.Out(0x61, 1, 0x01);   // GATE high at edge 0: loads on 1
        r.To(3);
        r.Out(0x43, 0xC8);            // read-back count and status of counter 2
        r.To(50);
        Assert.That(r.In(0x42), Is.EqualTo(0x80 | 0x36), "status first: null count cleared by the load");
        Assert.That(r.ReadCount(2), Is.EqualTo(256 - 4), "then the count latched at edge 3 (mode 3 counts by 2)");
        Assert.That(r.In(0x43), Is.EqualTo(0xFF), "the control register is write-only");
    }

    [Test]
    public void Read_back_of_counter0_gives_status_with_mode_6_as_written()
    {
        var r = new Rig();
        r.Out(0x43, 0x3C);            // counter 0, mode 6 (= mode 2), binary
        r.Out(0x40, 4);
        r.Out(0x40, 0);
        r.To(2);
        r.Out(0x43, 0xE2);            // status of counter 0
        Assert.That(r.In(0x40), Is.EqualTo(0x80 | 0x3C));
        r.To(4);
        Assert.That(r.Pit.GetOut(0), Is.False, "behaves as mode 2: low when the count is 1");
    }

    [Test]
    public void Bcd_counting_reads_decimal_digits_and_zero_means_10000()
    {
        var r = new Rig();
        r.Program(0, 2, 0x0100, bcd: true);   // 100 decimal
        r.To(12);
        Assert.That(r.ReadCount(0), Is.EqualTo(0x0089), "100 - 11 = 89, in BCD");
        r.To(101);
        Assert.That(r.Rises, Is.EqualTo(new long[] { 101 }), "period of 100, not 0x100");
        var q = new Rig();
        q.Program(0, 0, 0, bcd: true);        // 0 = 10000 in BCD
        q.To(2);
        Assert.That(q.ReadCount(0), Is.EqualTo(0x9999));
        q.To(10_000);
        Assert.That(q.Pit.GetOut(0), Is.False);
        q.To(10_001);
        Assert.That(q.Pit.GetOut(0), Is.True);
    }

    [Test]
    public void Port61_reports_gate_speaker_out2_and_a_refresh_toggle_every_15us()
    {
        var r = new Rig();
        r.PortB.Out(0x61, 1, 0xFF);
        Assert.That(r.PortB.In(0x61, 1) & 0xCF, Is.EqualTo(0x0F), "bits 0-3 as written, 6-7 clear");
        Assert.That(r.PortB.SpeakerData, Is.True);
        Assert.That(r.Pit.GetGate(2), Is.True);
        var toggles = new List<int>();
        for (long ns = 0; ns < 60_000; ns += 5_000)
        {
            r.Clock.AdvanceTo(ns);
            toggles.Add((int)(r.PortB.In(0x61, 1) >> 4 & 1));
        }
        Assert.That(toggles, Is.EqualTo(new[] { 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1 }));
        r.Program(2, 0, 5);
        Assert.That(r.PortB.In(0x61, 1) & 0x20, Is.Zero, "OUT2 low in mode 0");
        r.To(Pit8254.TickAt(r.Clock.Now) + 6);
        Assert.That(r.PortB.In(0x61, 1) & 0x20, Is.EqualTo(0x20), "OUT2 high at terminal count");
    }

    [Test]
    public void Wide_accesses_are_split_into_byte_accesses()
    {
        var r = new Rig();
        r.Out(0x43, 0x34);
        r.Pit.Out(0x40, 2, 0x0000);   // word write to 0x40/0x41: the second byte goes to counter 1
        Assert.That(r.Pit.In(0x42, 4) >> 16, Is.EqualTo(0xFFFFu), "0x44 and 0x45 are not the PIT's");
    }

    [Test]
    public void Save_and_load_round_trip_and_continue_identically()
    {
        var a = new Rig();
        a.Program(0, 2, 1193);
        a.PortB.Out(0x61, 1, 0x03);
        a.Program(2, 3, 77);
        a.To(3000);
        a.Out(0x40, 100);             // count change pending until the end of the period
        a.Out(0x40, 0);
        a.Out(0x43, 0x80);            // latch counter 2
        byte[] saved = Save(a.Pit, a.PortB);

        var b = new Rig();
        b.Clock.AdvanceTo(a.Clock.Now);
        Load(b.Pit, b.PortB, saved);
        Assert.That(Save(b.Pit, b.PortB), Is.EqualTo(saved));
        a.Irq0.Clear();
        b.Irq0.Clear();
        a.To(10_000);
        b.To(10_000);
        Assert.That(b.Irq0, Is.EqualTo(a.Irq0));
        Assert.That(b.Irq0, Is.Not.Empty, "the edge event was re-armed");
        Assert.That(b.ReadCount(2), Is.EqualTo(a.ReadCount(2)));
        Assert.That(b.ReadCount(2), Is.EqualTo(a.ReadCount(2)));
        Assert.That(b.PortB.In(0x61, 1), Is.EqualTo(a.PortB.In(0x61, 1)));
    }

    static byte[] Save(Pit8254 pit, SystemControlPortB portB)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            pit.SaveState(w);
            portB.SaveState(w);
        }
        return ms.ToArray();
    }

    static void Load(Pit8254 pit, SystemControlPortB portB, byte[] data)
    {
        using var rd = new BinaryReader(new MemoryStream(data));
        pit.LoadState(rd, pit.SnapshotVersion);
        portB.LoadState(rd, portB.SnapshotVersion);
    }
}
