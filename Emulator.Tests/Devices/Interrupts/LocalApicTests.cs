using Emulator.Core.Time;
using Emulator.Devices.Interrupts;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Interrupts;

/// <summary>Register-level tests of the local APIC against the Intel SDM vol. 3, chapter 10.</summary>
public class LocalApicTests
{
    const int Id = 0x20, Version = 0x30, Tpr = 0x80, Apr = 0x90, Ppr = 0xA0, Eoi = 0xB0, Ldr = 0xD0, Dfr = 0xE0, Svr = 0xF0,
        Isr = 0x100, Tmr = 0x180, Irr = 0x200, Esr = 0x280, IcrLow = 0x300, IcrHigh = 0x310, LvtTimer = 0x320,
        LvtThermal = 0x330, LvtPerf = 0x340, LvtLint0 = 0x350, LvtLint1 = 0x360, LvtError = 0x370,
        InitialCount = 0x380, CurrentCount = 0x390, Divide = 0x3E0;

    VirtualClock clock = null!;
    LocalApic apic = null!;
    int nmis;
    ulong tsc;

    [SetUp]
    public void SetUp()
    {
        clock = new VirtualClock(5);
        nmis = 0;
        tsc = 1000;
        apic = new LocalApic(clock, () => nmis++, () => tsc);
    }

    uint R(int offset) => (uint)apic.Read((ulong)offset, 4);
    void W(int offset, uint value) => apic.Write((ulong)offset, 4, value);
    void Enable() => W(Svr, 0x1FF);

    void Advance(long ns)
    {
        clock.Advance(ns);
        clock.RunDue();
    }

    /// <summary>Acknowledges and EOIs every deliverable interrupt; returns the vectors in order.</summary>
    List<int> Drain()
    {
        var got = new List<int>();
        while (apic.InterruptPending)
        {
            got.Add(apic.Acknowledge());
            W(Eoi, 0);
        }
        return got;
    }

    [Test]
    public void Reset_values()
    {
        Assert.Multiple(() =>
        {
            Assert.That(R(Id), Is.EqualTo(0));
            Assert.That(R(Version), Is.EqualTo(0x0005_0014));
            Assert.That(R(Tpr), Is.EqualTo(0));
            Assert.That(R(Ppr), Is.EqualTo(0));
            Assert.That(R(Ldr), Is.EqualTo(0));
            Assert.That(R(Dfr), Is.EqualTo(0xFFFF_FFFF));
            Assert.That(R(Svr), Is.EqualTo(0xFF));
            Assert.That(R(LvtTimer), Is.EqualTo(0x1_0000));
            Assert.That(R(LvtThermal), Is.EqualTo(0x1_0000));
            Assert.That(R(LvtPerf), Is.EqualTo(0x1_0000));
            Assert.That(R(LvtLint0), Is.EqualTo(0x700), "virtual wire: ExtINT");
            Assert.That(R(LvtLint1), Is.EqualTo(0x400), "virtual wire: NMI");
            Assert.That(R(LvtError), Is.EqualTo(0x1_0000));
            Assert.That(R(Divide), Is.EqualTo(0));
            Assert.That(apic.ExtIntEnabled, Is.True);
        });
    }

    [Test]
    public void Id_ldr_and_dfr_keep_their_defined_bits()
    {
        W(Id, 0x1234_5678);
        W(Ldr, 0x8765_4321);
        W(Dfr, 0x0000_0000);
        Assert.Multiple(() =>
        {
            Assert.That(R(Id), Is.EqualTo(0x1200_0000));
            Assert.That(R(Ldr), Is.EqualTo(0x8700_0000));
            Assert.That(R(Dfr), Is.EqualTo(0x0FFF_FFFF), "model in 31-28, the rest reads ones");
        });
    }

    [Test]
    public void A_software_disabled_apic_holds_its_requests()
    {
        apic.Accept(0x40, false);
        Assert.That(apic.InterruptPending, Is.False);
        Assert.That(R(Irr + 0x20), Is.EqualTo(1u), "vector 0x40 is bit 0 of IRR dword 2");
        Enable();
        Assert.That(apic.InterruptPending, Is.True);
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x40));
        Assert.That(R(Irr + 0x20), Is.EqualTo(0));
        Assert.That(R(Isr + 0x20), Is.EqualTo(1u));
        W(Eoi, 0);
        Assert.That(R(Isr + 0x20), Is.EqualTo(0));
    }

    [Test]
    public void Higher_vectors_first_and_only_above_the_class_in_service()
    {
        Enable();
        apic.Accept(0x51, false);
        apic.Accept(0x62, false);
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x62));
        apic.Accept(0x61, false);
        Assert.That(apic.InterruptPending, Is.False, "0x61 and 0x51 are at or below class 6 in service");
        Assert.That(R(Ppr), Is.EqualTo(0x60));
        apic.Accept(0x71, false);
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x71));
        Assert.That(R(Ppr), Is.EqualTo(0x70));
        W(Eoi, 0);   // clears the highest in service: 0x71
        Assert.That(apic.IsInService(0x62), Is.True);
        W(Eoi, 0);
        Assert.That(Drain(), Is.EqualTo(new[] { 0x61, 0x51 }));
    }

    [Test]
    public void Tpr_holds_interrupts_at_or_below_its_class_and_sets_ppr()
    {
        Enable();
        W(Tpr, 0x1_0055);
        Assert.That(R(Tpr), Is.EqualTo(0x55));
        apic.Accept(0x5F, false);
        Assert.That(apic.InterruptPending, Is.False);
        Assert.That(R(Ppr), Is.EqualTo(0x55), "TPR[7:4] >= ISRV[7:4]: PPR = TPR");
        apic.Accept(0x60, false);
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x60));
        Assert.That(R(Ppr), Is.EqualTo(0x60), "ISRV class above TPR: PPR = ISRV[7:4], sub-class 0");
        W(Eoi, 0);
        W(Tpr, 0x40);
        Assert.That(Drain(), Is.EqualTo(new[] { 0x5F }));
    }

    [Test]
    public void Apr_follows_the_p6_arbitration_rule()
    {
        Enable();
        W(Tpr, 0x45);
        Assert.That(R(Apr), Is.EqualTo(0x45), "TPR above the (empty) IRR and ISR");
        apic.Accept(0x81, false);
        W(Tpr, 0x90);
        Assert.That(R(Apr), Is.EqualTo(0x90));
        W(Tpr, 0x20);
        Assert.That(R(Apr), Is.EqualTo(0x80), "IRRV class 8 above TPR class 2");
    }

    [Test]
    public void An_acknowledge_with_nothing_deliverable_returns_the_spurious_vector_without_isr()
    {
        Enable();
        W(Svr, 0x1EF);
        apic.Accept(0x30, false);
        W(Tpr, 0x30);   // raised between INTR and INTA
        Assert.That(apic.Acknowledge(), Is.EqualTo(0xEF));
        Assert.That(R(Isr + 0x30), Is.EqualTo(0));
        Assert.That(apic.IsRequested(0x30), Is.True);
    }

    [Test]
    public void Esr_reports_errors_after_a_write_and_raises_the_error_lvt()
    {
        Enable();
        W(LvtError, 0xFE);
        apic.Accept(0x05, false);
        Assert.That(R(Esr), Is.EqualTo(0), "errors show only after a write to the ESR");
        W(Esr, 0);
        Assert.That(R(Esr), Is.EqualTo(LocalApic.EsrReceiveIllegalVector));
        Assert.That(Drain(), Is.EqualTo(new[] { 0xFE }));
        _ = R(0x290);   // reserved
        W(Esr, 0);
        Assert.That(R(Esr), Is.EqualTo(LocalApic.EsrIllegalRegister));
        W(Esr, 0);
        Assert.That(R(Esr), Is.EqualTo(0));
    }

    [Test]
    public void An_error_lvt_with_an_illegal_vector_does_not_loop()
    {
        Enable();
        W(LvtError, 0x03);
        apic.Accept(0x01, false);
        W(Esr, 0);
        Assert.That(R(Esr), Is.EqualTo(LocalApic.EsrReceiveIllegalVector));
        Assert.That(apic.InterruptPending, Is.False);
    }

    [Test]
    public void Level_triggered_vectors_set_tmr_and_broadcast_their_eoi()
    {
        var eois = new List<byte>();
        apic.LevelTriggeredEoi += eois.Add;
        Enable();
        apic.Accept(0x41, true);
        apic.Accept(0x52, false);
        Assert.That(R(Tmr + 0x20), Is.EqualTo(2u));
        Assert.That(R(Tmr + 0x50), Is.EqualTo(0));
        Assert.That(Drain(), Is.EqualTo(new[] { 0x52, 0x41 }));
        Assert.That(eois, Is.EqualTo(new byte[] { 0x41 }));
    }

    [Test]
    public void Self_ipis_by_shorthand_and_by_destination()
    {
        Enable();
        W(IcrLow, 0x0004_0031);   // fixed, shorthand self
        Assert.That(R(IcrLow), Is.EqualTo(0x0004_0031), "delivery status idle");
        W(IcrHigh, 0x0000_0000);
        W(IcrLow, 0x0000_0032);   // physical destination 0: this APIC
        W(IcrHigh, 0x0100_0000);
        W(IcrLow, 0x0000_0033);   // physical destination 1: no such CPU
        W(IcrLow, 0x000C_0034);   // all excluding self
        W(IcrLow, 0x0008_0035);   // all including self
        W(Ldr, 0x0200_0000);
        W(IcrHigh, 0x0600_0000);
        W(IcrLow, 0x0000_0836);   // logical flat, 0x06 & 0x02
        W(IcrHigh, 0x0100_0000);
        W(IcrLow, 0x0000_0837);   // logical flat, 0x01 & 0x02 = 0
        W(Dfr, 0x0FFF_FFFF);      // cluster model
        W(Ldr, 0x3200_0000);      // cluster 3, member bit 1
        W(IcrHigh, 0x3300_0000);
        W(IcrLow, 0x0000_0838);
        W(IcrHigh, 0x2200_0000);
        W(IcrLow, 0x0000_0839);   // cluster 2: not ours
        W(IcrHigh, 0xFF00_0000);
        W(IcrLow, 0x0000_003A);   // broadcast
        Assert.That(Drain(), Is.EqualTo(new[] { 0x3A, 0x38, 0x36, 0x35, 0x32, 0x31 }));
    }

    [Test]
    public void Nmi_ipi_to_self_and_illegal_ipi_vectors()
    {
        Enable();
        W(IcrLow, 0x0004_0400);
        Assert.That(nmis, Is.EqualTo(1));
        W(IcrLow, 0x0004_0005);
        W(Esr, 0);
        Assert.That(R(Esr), Is.EqualTo(LocalApic.EsrSendIllegalVector));
        Assert.That(apic.InterruptPending, Is.False);
        W(IcrLow, 0x0004_0500);   // INIT to self: accepted, not modelled
        Assert.That(apic.InterruptPending, Is.False);
    }

    [Test]
    public void Software_disable_masks_every_lvt_and_keeps_them_masked()
    {
        Enable();
        W(LvtTimer, 0x20);
        W(LvtError, 0x21);
        W(Svr, 0x0FF);
        Assert.That(R(LvtTimer), Is.EqualTo(0x1_0020));
        Assert.That(R(LvtLint0), Is.EqualTo(0x1_0700));
        Assert.That(apic.ExtIntEnabled, Is.False);
        W(LvtError, 0x21);
        Assert.That(R(LvtError), Is.EqualTo(0x1_0021), "masks cannot be cleared while disabled");
        Enable();
        W(LvtLint0, 0x700);
        Assert.That(apic.ExtIntEnabled, Is.True);
    }

    [Test]
    public void Lvt_entries_keep_only_their_defined_bits()
    {
        Enable();
        foreach (int reg in new[] { LvtTimer, LvtThermal, LvtPerf, LvtLint0, LvtLint1, LvtError })
            W(reg, 0xFFFF_FFFF);
        Assert.Multiple(() =>
        {
            Assert.That(R(LvtTimer), Is.EqualTo(0x0007_00FF));
            Assert.That(R(LvtThermal), Is.EqualTo(0x0001_07FF));
            Assert.That(R(LvtPerf), Is.EqualTo(0x0001_07FF));
            Assert.That(R(LvtLint0), Is.EqualTo(0x0001_A7FF));
            Assert.That(R(LvtLint1), Is.EqualTo(0x0001_A7FF));
            Assert.That(R(LvtError), Is.EqualTo(0x0001_00FF));
        });
    }

    [Test]
    public void Lint1_nmi_on_the_rising_edge()
    {
        apic.SetLint(1, true);
        apic.SetLint(1, true);
        apic.SetLint(1, false);
        apic.SetLint(1, true);
        Assert.That(nmis, Is.EqualTo(2));
    }

    [Test]
    public void Lint0_fixed_level_uses_remote_irr_until_eoi()
    {
        Enable();
        W(LvtLint0, 0x8045);      // fixed, level, vector 0x45
        apic.SetLint(0, true);
        Assert.That(R(LvtLint0) & 0x4000, Is.EqualTo(0x4000), "remote IRR set on acceptance");
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x45));
        Assert.That(apic.IsLevelTriggered(0x45), Is.True);
        W(Eoi, 0);
        Assert.That(apic.IsRequested(0x45), Is.True, "still asserted at the EOI: requested again");
        apic.SetLint(0, false);
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x45));
        W(Eoi, 0);
        Assert.That(R(LvtLint0) & 0x4000, Is.EqualTo(0));
        Assert.That(apic.InterruptPending, Is.False);
    }

    [Test]
    public void One_shot_timer_counts_down_at_the_divided_rate_and_fires_once()
    {
        Enable();
        W(Divide, 0x3);            // divide by 16
        W(LvtTimer, 0x40);         // one-shot, vector 0x40
        W(InitialCount, 100);      // 100 ticks of 16 ns
        Advance(800);
        Assert.That(R(CurrentCount), Is.EqualTo(50));
        Assert.That(apic.InterruptPending, Is.False);
        Advance(799);
        Assert.That(R(CurrentCount), Is.EqualTo(1));
        Assert.That(apic.InterruptPending, Is.False);
        Advance(1);
        Assert.That(R(CurrentCount), Is.EqualTo(0));
        Assert.That(Drain(), Is.EqualTo(new[] { 0x40 }));
        Advance(100_000);
        Assert.That(apic.InterruptPending, Is.False, "one-shot");
        Assert.That(R(InitialCount), Is.EqualTo(100));
    }

    [TestCase(0x0u, 2)]
    [TestCase(0x1u, 4)]
    [TestCase(0x2u, 8)]
    [TestCase(0x3u, 16)]
    [TestCase(0x8u, 32)]
    [TestCase(0x9u, 64)]
    [TestCase(0xAu, 128)]
    [TestCase(0xBu, 1)]
    public void Divide_configuration(uint value, int divisor)
    {
        W(Divide, value | 0xFFFF_FFF4);
        Assert.That(R(Divide), Is.EqualTo(value), "only bits 0, 1 and 3 exist");
        W(InitialCount, 1000);
        Advance(divisor * 10L);
        Assert.That(R(CurrentCount), Is.EqualTo(990));
    }

    [Test]
    public void Periodic_timer_reloads_and_interrupts_every_period()
    {
        Enable();
        W(Divide, 0xB);
        W(LvtTimer, 0x2_0050);     // periodic, vector 0x50
        W(InitialCount, 1000);
        int count = 0;
        for (int i = 0; i < 10; i++)
        {
            Advance(500);
            count += Drain().Count;
        }
        Assert.That(count, Is.EqualTo(5));
        Advance(250);
        Assert.That(R(CurrentCount), Is.EqualTo(750));
        W(InitialCount, 0);
        Advance(10_000);
        Assert.That(apic.InterruptPending, Is.False, "an initial count of 0 stops the timer");
        Assert.That(R(CurrentCount), Is.EqualTo(0));
    }

    [Test]
    public void Masked_timer_counts_without_interrupting()
    {
        Enable();
        W(Divide, 0xB);
        W(LvtTimer, 0x3_0050);     // periodic, masked
        W(InitialCount, 1000);
        Assert.That(clock.PendingEvents, Is.Empty, "nothing to deliver, so nothing scheduled");
        Advance(2300);
        Assert.That(R(CurrentCount), Is.EqualTo(700));
        Assert.That(apic.InterruptPending, Is.False);
        W(LvtTimer, 0x2_0050);     // unmask: the next reload is at 3000 ns
        Advance(699);
        Assert.That(apic.InterruptPending, Is.False);
        Advance(1);
        Assert.That(Drain(), Is.EqualTo(new[] { 0x50 }));
    }

    [Test]
    public void Tsc_deadline_mode_fires_when_the_tsc_reaches_the_deadline()
    {
        Enable();
        apic.WriteTscDeadline(5000);
        Assert.That(apic.ReadTscDeadline(), Is.EqualTo(0), "outside TSC-deadline mode the MSR ignores writes");
        W(LvtTimer, 0x4_0060);     // TSC-deadline, vector 0x60
        W(InitialCount, 1234);
        Assert.That(R(InitialCount), Is.EqualTo(0), "the initial count is ignored in TSC-deadline mode");
        apic.WriteTscDeadline(1100);  // 100 TSC ticks ahead = 100 instructions of 5 ns
        Assert.That(apic.ReadTscDeadline(), Is.EqualTo(1100));
        Advance(499);
        Assert.That(apic.InterruptPending, Is.False);
        Advance(1);
        Assert.That(Drain(), Is.EqualTo(new[] { 0x60 }));
        Assert.That(apic.ReadTscDeadline(), Is.EqualTo(0), "cleared once it has fired");
        apic.WriteTscDeadline(900);   // already passed: fires at once
        Advance(0);
        Assert.That(Drain(), Is.EqualTo(new[] { 0x60 }));
        apic.WriteTscDeadline(2000);
        W(LvtTimer, 0x0_0060);     // leaving TSC-deadline mode disarms
        Advance(1_000_000);
        Assert.That(apic.InterruptPending, Is.False);
        Assert.That(apic.ReadTscDeadline(), Is.EqualTo(0));
    }

    [Test]
    public void Narrow_and_misaligned_accesses_are_ignored()
    {
        Enable();
        apic.Write(0x80, 1, 0x77);
        Assert.That(R(Tpr), Is.EqualTo(0));
        W(Tpr, 0x77);
        Assert.That(apic.Read(0x80, 1), Is.EqualTo(0));
        Assert.That(apic.Read(0x84, 4), Is.EqualTo(0));
        Assert.That(apic.Read(0x80, 8), Is.EqualTo(0x77));
    }

    [Test]
    public void Save_and_restore_round_trip_with_a_running_timer()
    {
        Enable();
        W(Tpr, 0x20);
        W(Ldr, 0x0100_0000);
        W(Divide, 0x1);
        W(LvtTimer, 0x2_0050);
        W(LvtError, 0xFE);
        W(InitialCount, 300);
        apic.Accept(0x90, true);
        apic.Accept(0x33, false);
        apic.Acknowledge();
        apic.Accept(0x02, false);
        Advance(700);

        byte[] first = Save(apic);
        var clock2 = new VirtualClock(5);
        clock2.AdvanceTo(clock.Now);
        var copy = new LocalApic(clock2, () => { }, () => tsc);
        using (var r = new BinaryReader(new MemoryStream(first))) copy.LoadState(r, apic.SnapshotVersion);
        Assert.That(Save(copy), Is.EqualTo(first));
        Assert.That(clock2.PendingEvents, Has.Count.EqualTo(1));
        Assert.That(clock2.NextDue, Is.EqualTo(clock.NextDue));

        for (int step = 0; step < 6; step++)
        {
            Advance(450);
            clock2.Advance(450);
            clock2.RunDue();
            Assert.That(copy.Read(0x390, 4), Is.EqualTo(R(CurrentCount)));
            Assert.That(copy.InterruptPending, Is.EqualTo(apic.InterruptPending));
            if (apic.InterruptPending)
            {
                Assert.That(copy.Acknowledge(), Is.EqualTo(apic.Acknowledge()));
                copy.Write(0xB0, 4, 0);
                W(Eoi, 0);
            }
        }
        Assert.That(Save(copy), Is.EqualTo(Save(apic)));
    }

}
