using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Chipset;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Chipset;

/// <summary>The i440FX PMC: PAM (datasheet 3.2.17), SMRAM (3.2.23), and QEMU's RAM size byte.</summary>
public class I440fxHostBridgeTests
{
    [Test]
    public void Reset_values_are_qemus()
    {
        var m = new BoardTestMachine(memory: 128UL << 20);
        var hb = m.Board.HostBridge;
        Assert.Multiple(() =>
        {
            Assert.That(hb.ReadConfig(0x08, 4), Is.EqualTo(0x0600_0002), "class 06 00 00, revision 2");
            Assert.That(hb.ReadConfig(0x0E, 1), Is.Zero);
            for (int i = 0; i < I440fxHostBridge.PamCount; i++) Assert.That(hb.ReadRegister(0x59 + i), Is.Zero);
            Assert.That(hb.ReadRegister(0x72), Is.EqualTo(0x02));
            Assert.That(hb.ReadRegister(0x57), Is.EqualTo(16), "128 MiB in 8 MiB units");
        });
    }

    [Test]
    public void A_guest_shadows_f0000_into_ram_then_write_protects_it()
    {
        var m = new BoardTestMachine();
        var reason = m.RunReal(a =>
        {
            a.mov(ax, 0xF000);
            a.mov(ds, ax);
            a.mov(bl, __byte_ptr[0]);                 // ROM: 0xB5
            PciAsm.WriteByte(a, 0x00, 0x59, 0x30);    // F0000-FFFFF: read and write DRAM
            a.mov(__byte_ptr[0], 0x5C);
            a.mov(bh, __byte_ptr[0]);                 // RAM: 0x5C
            PciAsm.WriteByte(a, 0x00, 0x59, 0x10);    // read DRAM, writes to PCI (dropped)
            a.mov(__byte_ptr[0], 0x99);
            a.mov(cl, __byte_ptr[0]);                 // still 0x5C
            PciAsm.WriteByte(a, 0x00, 0x59, 0x00);    // back to the ROM
            a.mov(ch, __byte_ptr[0]);                 // 0xB5
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        uint bx = m.Reg(Gpr.Rbx), cx = m.Reg(Gpr.Rcx);
        Assert.Multiple(() =>
        {
            Assert.That(bx & 0xFF, Is.EqualTo(0xB5));
            Assert.That((bx >> 8) & 0xFF, Is.EqualTo(0x5C));
            Assert.That(cx & 0xFF, Is.EqualTo(0x5C), "writes are dropped while write-protected");
            Assert.That((cx >> 8) & 0xFF, Is.EqualTo(0xB5));
        });
    }

    [Test]
    public void Write_only_mode_reads_the_rom_and_writes_the_ram_below()
    {
        var m = new BoardTestMachine();
        var bus = m.Board.PciBus;
        bus.WriteConfig(0, 0, 0x59, 1, 0x20);
        m.Machine.Memory.WriteSlow(0xF0000, 1, 0x77);
        Assert.That(m.Read8(0xF0000), Is.EqualTo(0xB5));
        bus.WriteConfig(0, 0, 0x59, 1, 0x30);
        Assert.That(m.Read8(0xF0000), Is.EqualTo(0x77));
    }

    [TestCase(0x5A, 0x01, 0xC0000u, 0xC3FFFu)]
    [TestCase(0x5A, 0x10, 0xC4000u, 0xC7FFFu)]
    [TestCase(0x5D, 0x01, 0xD8000u, 0xDBFFFu)]
    [TestCase(0x5F, 0x10, 0xEC000u, 0xEFFFFu)]
    [TestCase(0x59, 0x10, 0xF0000u, 0xFFFFFu)]
    public void Each_pam_nibble_controls_its_segment(int reg, int value, uint first, uint last)
    {
        var m = new BoardTestMachine();
        m.Board.PciBus.WriteConfig(0, 0, reg, 1, (uint)value);
        var mem = m.Machine.Memory;
        Assert.That(mem.GetRoute(first), Is.EqualTo((true, false)));
        Assert.That(mem.GetRoute(last), Is.EqualTo((true, false)));
        Assert.That(mem.GetRoute(first - 1), Is.EqualTo((false, false)), "the segment below (or closed SMRAM) is untouched");
        if (last < 0xFFFFF) Assert.That(mem.GetRoute(last + 1), Is.EqualTo((false, false)));
    }

    [Test]
    public void Pam_reserved_bits_are_read_only()
    {
        var m = new BoardTestMachine();
        m.Board.PciBus.WriteConfig(0, 0, 0x59, 4, 0xFFFF_FFFF);
        Assert.That(m.Board.PciBus.ReadConfig(0, 0, 0x59, 4), Is.EqualTo(0x7777_7770));
    }

    [Test]
    public void Smram_closed_sends_a0000_to_pci_open_shows_ram_and_the_lock_closes_it_until_reset()
    {
        var m = new BoardTestMachine();
        var bus = m.Board.PciBus;
        var mem = m.Machine.Memory;
        Assert.That(m.Read8(0xA0000), Is.EqualTo(0xFF), "no VGA yet: the PCI side is empty");
        bus.WriteConfig(0, 0, 0x72, 1, 0x40);
        mem.WriteSlow(0xBFFFF, 1, 0x12);
        Assert.That(m.Read8(0xBFFFF), Is.EqualTo(0x12));
        Assert.That(bus.ReadConfig(0, 0, 0x72, 1), Is.EqualTo(0x42), "C_BASE_SEG stays 010");

        bus.WriteConfig(0, 0, 0x72, 1, 0x58);                       // D_OPEN | D_LCK | G_SMRAME
        Assert.That(bus.ReadConfig(0, 0, 0x72, 1), Is.EqualTo(0x1A), "the lock clears D_OPEN");
        Assert.That(m.Read8(0xBFFFF), Is.EqualTo(0xFF));
        bus.WriteConfig(0, 0, 0x72, 1, 0x40);
        Assert.That(bus.ReadConfig(0, 0, 0x72, 1), Is.EqualTo(0x1A), "locked bits are read-only");

        m.Machine.Reset();
        Assert.That(bus.ReadConfig(0, 0, 0x72, 1), Is.EqualTo(0x02));
        bus.WriteConfig(0, 0, 0x72, 1, 0x40);
        Assert.That(m.Read8(0xBFFFF), Is.EqualTo(0x12));
    }

    [Test]
    public void A_machine_reset_puts_the_bios_back_in_front_of_the_shadow()
    {
        var m = new BoardTestMachine();
        m.Board.PciBus.WriteConfig(0, 0, 0x59, 1, 0x30);
        m.Machine.Memory.WriteSlow(0xF0000, 1, 0x01);
        m.Machine.Reset();
        Assert.That(m.Read8(0xF0000), Is.EqualTo(0xB5));
    }

    [Test]
    public void The_state_round_trips_and_the_routes_follow_it()
    {
        var m = new BoardTestMachine();
        m.Board.PciBus.WriteConfig(0, 0, 0x59, 1, 0x30);
        m.Board.PciBus.WriteConfig(0, 0, 0x5A, 1, 0x13);
        m.Board.PciBus.WriteConfig(0, 0, 0x72, 1, 0x10);
        var saved = Snapshot.Save(m.Board.HostBridge);

        var other = new BoardTestMachine();
        Snapshot.Load(other.Board.HostBridge, saved);
        Assert.That(Snapshot.Save(other.Board.HostBridge), Is.EqualTo(saved));
        var mem = other.Machine.Memory;
        Assert.That(mem.GetRoute(0xF0000), Is.EqualTo((true, true)));
        Assert.That(mem.GetRoute(0xC0000), Is.EqualTo((true, true)));
        Assert.That(mem.GetRoute(0xC4000), Is.EqualTo((true, false)));
        other.Board.PciBus.WriteConfig(0, 0, 0x72, 1, 0x40);
        Assert.That(other.Board.PciBus.ReadConfig(0, 0, 0x72, 1), Is.EqualTo(0x12), "the lock survives the round trip");
    }
}
