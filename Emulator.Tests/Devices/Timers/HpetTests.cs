using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Core.Time;
using Emulator.Devices.Timers;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Timers;

/// <summary>Register-level tests against the IA-PC HPET specification 1.0a.</summary>
public class HpetTests
{
    const long Us = 1_000, Ms = 1_000_000;
    const ulong Cfg = 0x010, Isr = 0x020, Counter = 0x0F0;
    static ulong TCfg(int n) => 0x100 + 0x20 * (ulong)n;
    static ulong TCmp(int n) => 0x108 + 0x20 * (ulong)n;

    sealed class Rig
    {
        public readonly VirtualClock Clock = new();
        public readonly List<(string Line, long Ns, bool Level)> Edges = new();
        public readonly Hpet Hpet;

        public Rig(uint routeCap = Hpet.DefaultRouteCapability)
        {
            Hpet = new Hpet(Clock, n => Line($"gsi{n}", n), Line("irq0", 0), Line("irq8", 8), routeCap);
        }

        IrqLine Line(string name, int n) => new(n, (_, level) => Edges.Add((name, Clock.Now, level)));

        public ulong R(ulong reg, int size = 8) => Hpet.Read(reg, size);
        public void W(ulong reg, ulong value, int size = 8) => Hpet.Write(reg, size, value);

        public void To(long ns)
        {
            while (Clock.NextDue <= ns)
            {
                Clock.AdvanceTo(Clock.NextDue);
                Clock.RunDue();
            }
            Clock.AdvanceTo(ns);
        }

        public List<long> Rises(string line) => Edges.Where(e => e.Line == line && e.Level).Select(e => e.Ns).ToList();
    }

    [Test]
    public void Capabilities_report_intel_three_64_bit_timers_legacy_route_and_10ns_period()
    {
        var r = new Rig();
        Assert.Multiple(() =>
        {
            Assert.That(r.R(0x000), Is.EqualTo(0x0098_9680_8086_A201UL));
            Assert.That(r.R(0x000, 4), Is.EqualTo(0x8086_A201UL));
            Assert.That(r.R(0x004, 4), Is.EqualTo(10_000_000UL), "COUNTER_CLK_PERIOD in fs");
            Assert.That(r.R(TCfg(0)), Is.EqualTo(0x0000_0004_0000_0030UL), "route cap IRQ 2; periodic and 64-bit capable");
            Assert.That(r.R(TCmp(1)), Is.EqualTo(ulong.MaxValue), "comparators reset to all ones");
            Assert.That(r.R(Cfg), Is.Zero);
        });
    }

    [Test]
    public void Main_counter_runs_at_100_MHz_of_virtual_time_only_while_enabled()
    {
        var r = new Rig();
        r.To(1 * Ms);
        Assert.That(r.R(Counter), Is.Zero, "halted at reset");
        r.W(Cfg, 1);
        r.To(2 * Ms);
        Assert.That(r.R(Counter), Is.EqualTo(100_000UL));
        Assert.That(r.R(Counter + 4, 4), Is.Zero);
        r.W(Cfg, 0);
        r.To(5 * Ms);
        Assert.That(r.R(Counter), Is.EqualTo(100_000UL), "holds while halted");
        r.W(Counter, 0x1_0000_0000UL);
        r.W(Cfg, 1);
        r.To(5 * Ms + 15);
        Assert.That(r.R(Counter), Is.EqualTo(0x1_0000_0001UL));
        Assert.That(r.R(Counter + 4, 4), Is.EqualTo(1UL));
    }

    [Test]
    public void One_shot_edge_comparator_fires_once_when_the_counter_reaches_it()
    {
        var r = new Rig();
        r.W(TCfg(2), 2 << 9 | Hpet.TnIntEnable);        // route to I/O APIC input 2, edge
        r.W(TCmp(2), 1000);                             // 10 us
        r.W(Cfg, 1);
        r.To(10 * Us - 1);
        Assert.That(r.Rises("gsi2"), Is.Empty);
        r.To(1 * Ms);
        Assert.That(r.Rises("gsi2"), Is.EqualTo(new[] { 10 * Us }));
        Assert.That(r.Edges.Last().Level, Is.False, "an edge is a pulse");
        Assert.That(r.R(TCmp(2)), Is.EqualTo(1000UL), "a one-shot comparator is not changed by hardware");
        Assert.That(r.R(Isr), Is.Zero, "edge mode sets no status");
    }

    [Test]
    public void A_comparator_behind_the_counter_matches_only_when_the_counter_comes_round()
    {
        var r = new Rig();
        r.W(Counter, 0xFFFF_FF00UL);
        r.W(TCfg(2), 2 << 9 | Hpet.TnIntEnable | Hpet.Tn32Bit);
        r.W(TCmp(2), 0x10);
        r.W(TCfg(1), 2 << 9 | Hpet.TnIntEnable);        // 64-bit, comparator in the past
        r.W(TCmp(1), 0x10);
        r.W(Cfg, 1);
        r.To(1 * Ms);
        Assert.That(r.Rises("gsi2"), Is.EqualTo(new[] { 0x110 * 10L }), "32-bit: after the low half wraps");
    }

    [Test]
    public void Periodic_mode_with_val_set_as_linux_programs_it()
    {
        var r = new Rig();
        r.W(Cfg, 1);
        r.To(1 * Ms);                                   // counter 100,000
        // Linux hpet_set_periodic: SETVAL, comparator = now + delta, then the period = delta.
        r.W(TCfg(0), 2 << 9 | Hpet.TnIntEnable | Hpet.TnPeriodic | Hpet.TnValSet | Hpet.Tn32Bit, 4);
        r.W(TCmp(0), 100_000 + 100_000, 4);             // first at 2 ms
        r.W(TCmp(0), 100_000, 4);                        // then every 1 ms
        Assert.That(r.R(TCfg(0)) & Hpet.TnValSet, Is.Zero, "VAL_SET clears itself");
        r.To(5 * Ms + 500 * Us);
        Assert.That(r.Rises("gsi2"), Is.EqualTo(new[] { 2 * Ms, 3 * Ms, 4 * Ms, 5 * Ms }));
        Assert.That(r.R(TCmp(0)), Is.EqualTo(600_000UL), "the comparator shows the next match");
    }

    [Test]
    public void Level_triggered_timer_sets_status_and_holds_the_line_until_cleared()
    {
        var r = new Rig();
        r.W(TCfg(2), 2 << 9 | Hpet.TnLevel);           // interrupt not enabled yet
        r.W(TCmp(2), 500);
        r.W(Cfg, 1);
        r.To(10 * Us);
        Assert.That(r.R(Isr), Is.EqualTo(4UL), "status is set even with the interrupt disabled");
        Assert.That(r.Edges, Is.Empty);
        r.W(TCfg(2), 2 << 9 | Hpet.TnLevel | Hpet.TnIntEnable);
        Assert.That(r.Edges, Is.EqualTo(new[] { ("gsi2", 10 * Us, true) }));
        r.W(Isr, 1);                                    // wrong bit: no effect
        Assert.That(r.R(Isr), Is.EqualTo(4UL));
        r.W(Isr, 4);
        Assert.That(r.R(Isr), Is.Zero);
        Assert.That(r.Edges.Last(), Is.EqualTo(("gsi2", 10 * Us, false)));
    }

    [Test]
    public void Legacy_replacement_routes_timer0_to_irq0_and_timer1_to_irq8_and_tells_the_board()
    {
        var r = new Rig();
        var changes = new List<bool>();
        r.Hpet.LegacyReplacementChanged += changes.Add;
        r.W(TCfg(0), Hpet.TnIntEnable);
        r.W(TCmp(0), 100);
        r.W(TCfg(1), Hpet.TnIntEnable);
        r.W(TCmp(1), 200);
        r.W(Cfg, Hpet.CfgEnable | Hpet.CfgLegacy);
        Assert.That(r.Hpet.LegacyReplacement, Is.True);
        r.To(1 * Ms);
        Assert.That(r.Rises("irq0"), Is.EqualTo(new[] { 1 * Us }));
        Assert.That(r.Rises("irq8"), Is.EqualTo(new[] { 2 * Us }));
        r.W(Cfg, Hpet.CfgEnable);
        Assert.That(changes, Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void A_route_outside_the_capability_is_not_taken()
    {
        var r = new Rig();
        r.W(TCfg(2), 2 << 9);
        r.W(TCfg(2), 5 << 9);
        Assert.That(r.R(TCfg(2)) >> 9 & 0x1F, Is.EqualTo(2UL));
        var q = new Rig(0x00FF_0104);                   // Q35's: IRQ 2, 8, 16-23
        q.W(TCfg(2), 17 << 9);
        Assert.That(q.R(TCfg(2)) >> 9 & 0x1F, Is.EqualTo(17UL));
    }

    [Test]
    public void Save_and_load_round_trip_and_continue_identically()
    {
        var a = new Rig();
        a.W(Cfg, 1);
        a.W(TCfg(0), 2 << 9 | Hpet.TnIntEnable | Hpet.TnPeriodic | Hpet.TnValSet);
        a.W(TCmp(0), 10_000);
        a.W(TCmp(0), 10_000);
        a.W(TCfg(2), 2 << 9 | Hpet.TnLevel | Hpet.TnIntEnable);
        a.W(TCmp(2), 250);
        a.To(345 * Us);
        byte[] saved = Save(a.Hpet);

        var b = new Rig();
        b.Clock.AdvanceTo(a.Clock.Now);
        Load(b.Hpet, saved);
        Assert.That(Save(b.Hpet), Is.EqualTo(saved));
        Assert.That(b.Edges.Last(), Is.EqualTo(("gsi2", 345 * Us, true)), "the level line is driven again");
        a.W(Isr, 4);                                    // release the level line so timer 0's edges show
        b.W(Isr, 4);
        a.Edges.Clear();
        b.Edges.Clear();
        a.To(2 * Ms);
        b.To(2 * Ms);
        Assert.That(b.Edges, Is.EqualTo(a.Edges));
        Assert.That(b.Rises("gsi2"), Has.Count.EqualTo(17), "timer 0's periodic event was re-armed");
        Assert.That(b.R(Counter), Is.EqualTo(a.R(Counter)));
    }

    [Test]
    public void Guest_in_protected_mode_times_100_us_with_the_counter_and_a_level_comparator()
    {
        var pm = new ProtectedModeSetup();
        var m = pm.M.Machine;
        var hpet = new Hpet(m.Clock, n => IrqLine.Unconnected(n), IrqLine.Unconnected(0), IrqLine.Unconnected(8));
        m.Memory.MapMmio(Hpet.BaseAddress, Hpet.Size, hpet);
        const uint b = (uint)Hpet.BaseAddress;
        pm.Build(a =>
        {
            var wait = a.CreateLabel();
            a.mov(__dword_ptr[b + 0x140], 0x2 | 2 << 9);            // timer 2: level, routed to 2, no interrupt
            a.mov(__dword_ptr[b + 0x148], 10_000);                  // comparator: 100 us
            a.mov(__dword_ptr[b + 0x14C], 0);
            a.mov(__dword_ptr[b + 0x010], 1);                       // ENABLE_CNF
            a.Label(ref wait);
            a.mov(eax, __dword_ptr[b + 0x020]);
            a.test(eax, 4);
            a.jz(wait);
            a.mov(ebx, __dword_ptr[b + 0x0F0]);                     // the counter after the match
            a.mov(__dword_ptr[b + 0x020], 4);                       // clear the status
            a.mov(ecx, __dword_ptr[b + 0x020]);
            a.mov(edx, __dword_ptr[b + 0x000]);                     // capabilities, low half
            a.hlt();
        });
        Assert.That(pm.Run(1_000_000), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(pm.Reg32(Gpr.Rbx), Is.InRange(10_000u, 10_010u));
            Assert.That(pm.Reg32(Gpr.Rcx), Is.Zero);
            Assert.That(pm.Reg32(Gpr.Rdx), Is.EqualTo(0x8086_A201u));
        });
    }
}
