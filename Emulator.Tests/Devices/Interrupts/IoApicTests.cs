using Emulator.Core.Time;
using Emulator.Devices.Interrupts;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Interrupts;

/// <summary>Register-level tests of the IOAPIC against the 82093AA datasheet (QEMU's version 0x20 layout).</summary>
public class IoApicTests
{
    VirtualClock clock = null!;
    LocalApic apic = null!;
    IoApic io = null!;
    int nmis;

    [SetUp]
    public void SetUp()
    {
        clock = new VirtualClock(5);
        nmis = 0;
        apic = new LocalApic(clock, () => nmis++);
        apic.Write(0xF0, 4, 0x1FF);   // software-enable the local APIC
        io = new IoApic(apic);
    }

    uint Reg(int index)
    {
        io.Write(0x00, 4, (uint)index);
        return (uint)io.Read(0x10, 4);
    }

    void SetReg(int index, uint value)
    {
        io.Write(0x00, 4, (uint)index);
        io.Write(0x10, 4, value);
    }

    void Route(int pin, uint low, uint high = 0)
    {
        SetReg(0x11 + 2 * pin, high);
        SetReg(0x10 + 2 * pin, low);
    }

    int AckAndEoi()
    {
        int v = apic.Acknowledge();
        apic.Write(0xB0, 4, 0);
        return v;
    }

    [Test]
    public void Id_version_and_arbitration_registers()
    {
        Assert.That(Reg(0x01), Is.EqualTo(0x0017_0020));
        Assert.That(Reg(0x00), Is.EqualTo(0));
        SetReg(0x00, 0xFFFF_FFFF);
        Assert.That(Reg(0x00), Is.EqualTo(0x0F00_0000), "the ID is bits 27-24");
        Assert.That(Reg(0x02), Is.EqualTo(0x0F00_0000), "the arbitration ID is loaded from the ID");
        SetReg(0x01, 0);
        Assert.That(Reg(0x01), Is.EqualTo(0x0017_0020), "read-only");
        io.Write(0x00, 1, 0x42);
        Assert.That(io.Read(0x00, 4), Is.EqualTo(0x42), "IOREGSEL reads back");
        Assert.That(Reg(0x40), Is.EqualTo(0), "past the 24 entries");
    }

    [Test]
    public void Entries_reset_masked_and_keep_only_their_defined_bits()
    {
        for (int pin = 0; pin < IoApic.Pins; pin++)
            Assert.That(Reg(0x10 + 2 * pin), Is.EqualTo(0x0001_0000));
        SetReg(0x10, 0xFFFF_FFFF);
        SetReg(0x11, 0xFFFF_FFFF);
        Assert.That(Reg(0x10), Is.EqualTo(0x0001_AFFF), "delivery status and remote IRR are read-only");
        Assert.That(Reg(0x11), Is.EqualTo(0xFFFF_0000));
    }

    [Test]
    public void Edge_pin_delivers_on_the_rising_edge_and_loses_masked_edges()
    {
        Route(3, 0x0000_0031);   // fixed, physical destination 0, edge, active high
        io.SetIrq(3, true);
        Assert.That(apic.IsRequested(0x31), Is.True);
        Assert.That(apic.IsLevelTriggered(0x31), Is.False);
        Assert.That(AckAndEoi(), Is.EqualTo(0x31));
        io.SetIrq(3, true);
        Assert.That(apic.InterruptPending, Is.False, "no new edge");
        io.SetIrq(3, false);
        Route(3, 0x0001_0031);   // masked
        io.SetIrq(3, true);
        io.SetIrq(3, false);
        Route(3, 0x0000_0031);
        Assert.That(apic.InterruptPending, Is.False, "an edge while masked is lost");
    }

    [Test]
    public void Level_pin_holds_remote_irr_until_the_local_apic_eoi()
    {
        Route(9, 0x0000_8049);   // fixed, level
        io.SetIrq(9, true);
        Assert.That(Reg(0x10 + 18) & 0x4000, Is.EqualTo(0x4000), "remote IRR");
        Assert.That(apic.Acknowledge(), Is.EqualTo(0x49));
        Assert.That(apic.IsLevelTriggered(0x49), Is.True);
        apic.Write(0xB0, 4, 0);   // EOI, broadcast to the IOAPIC; the pin is still asserted
        Assert.That(apic.IsRequested(0x49), Is.True, "delivered again");
        Assert.That(Reg(0x10 + 18) & 0x4000, Is.EqualTo(0x4000));
        io.SetIrq(9, false);
        Assert.That(AckAndEoi(), Is.EqualTo(0x49));
        Assert.That(Reg(0x10 + 18) & 0x4000, Is.EqualTo(0));
        Assert.That(apic.InterruptPending, Is.False);
    }

    [Test]
    public void Eoi_register_clears_remote_irr()
    {
        Route(10, 0x0000_8050);
        io.SetIrq(10, true);
        apic.Acknowledge();
        io.SetIrq(10, false);
        io.Write(0x40, 4, 0x50);
        Assert.That(Reg(0x10 + 20) & 0x4000, Is.EqualTo(0));
    }

    [Test]
    public void Unmasking_an_asserted_level_pin_delivers_it()
    {
        Route(11, 0x0001_8051);
        io.SetIrq(11, true);
        Assert.That(apic.InterruptPending, Is.False);
        Route(11, 0x0000_8051);
        Assert.That(AckAndEoi(), Is.EqualTo(0x51));
    }

    [Test]
    public void Destinations_physical_logical_and_other_cpus()
    {
        Route(1, 0x0000_0041, 0x0100_0000);   // physical APIC 1: no such CPU
        io.SetIrq(1, true);
        Assert.That(apic.InterruptPending, Is.False);
        apic.Write(0xD0, 4, 0x0100_0000);      // LDR: logical ID bit 0
        Route(4, 0x0000_0942, 0x0300_0000);   // lowest priority, logical 0x03
        io.SetIrq(4, true);
        Assert.That(AckAndEoi(), Is.EqualTo(0x42));
        Route(5, 0x0000_0843, 0xFF00_0000);   // fixed, broadcast
        io.SetIrq(5, true);
        Assert.That(AckAndEoi(), Is.EqualTo(0x43));
    }

    [Test]
    public void Nmi_delivery_mode_reaches_the_cpu_nmi_input()
    {
        Route(7, 0x0000_0400);
        io.SetIrq(7, true);
        Assert.That(nmis, Is.EqualTo(1));
        Assert.That(apic.InterruptPending, Is.False);
    }

    [Test]
    public void Iowin_byte_accesses_read_and_merge_the_addressed_bytes()
    {
        io.Write(0x00, 4, 0x12);
        io.Write(0x10, 4, 0x0001_0033);
        Assert.That(io.Read(0x12, 1), Is.EqualTo(0x01));
        io.Write(0x10, 1, 0x44);
        Assert.That(io.Read(0x10, 4), Is.EqualTo(0x0001_0044));
        io.Write(0x12, 1, 0x00);
        Assert.That(io.Read(0x10, 4), Is.EqualTo(0x0000_0044), "unmasked by a byte write");
    }

    [Test]
    public void Save_and_restore_round_trip()
    {
        Route(9, 0x0000_8049);
        Route(2, 0x0000_0030);
        SetReg(0x00, 0x0200_0000);
        io.SetIrq(9, true);
        io.SetIrq(2, true);
        io.Write(0x00, 4, 0x13);

        byte[] first = Save(io);
        var apic2 = new LocalApic(new VirtualClock(5), () => { });
        apic2.Write(0xF0, 4, 0x1FF);
        var copy = new IoApic(apic2);
        using (var r = new BinaryReader(new MemoryStream(first))) copy.LoadState(r, io.SnapshotVersion);
        Assert.That(Save(copy), Is.EqualTo(first));

        // The pin 9 request is already in the first APIC; the copy re-delivers after the EOI like the original.
        apic2.Accept(0x49, true);
        apic2.Acknowledge();
        apic2.Write(0xB0, 4, 0);
        apic.Acknowledge();   // 0x49
        apic.Write(0xB0, 4, 0);
        Assert.That(apic.IsRequested(0x49), Is.True);
        Assert.That(apic2.IsRequested(0x49), Is.True);
        Assert.That(copy.Read(0x10, 4), Is.EqualTo(io.Read(0x10, 4)));
    }

}
