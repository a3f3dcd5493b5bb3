using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Pci;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Pci;

/// <summary>A function with an I/O BAR (32 ports) and a memory BAR (4 KiB) that records its mappings.</summary>
sealed class TestFunction : PciDevice
{
    public readonly List<ushort?> IoMaps = new();
    public readonly List<uint?> MemoryMaps = new();

    public TestFunction(int pin = 1) : base(0x1234, 0x5678, 0x01, 0xFF_00_00)
    {
        DefineIoBar(0, 32, IoMaps.Add);
        DefineMemoryBar(1, 0x1000, prefetchable: false, MemoryMaps.Add);
        InterruptPin = pin;
    }

    public void Interrupt(bool level) => SetIntx(level);

    public override string SnapshotName => "test";
    public override int SnapshotVersion => 1;
}

/// <summary>Configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2) and the PCI function base.</summary>
public class PciBusTests
{
    [Test]
    public void A_guest_reads_the_vendor_and_device_of_00_0_01_0_and_01_3()
    {
        var m = new BoardTestMachine();
        var reason = m.RunReal(a =>
        {
            PciAsm.ReadDword(a, 0x00, 0); a.mov(ebx, eax);
            PciAsm.ReadDword(a, 0x08, 0); a.mov(ecx, eax);
            PciAsm.ReadDword(a, 0x0B, 0); a.mov(esi, eax);
            PciAsm.ReadDword(a, 0x18, 0); a.mov(edi, eax);   // 03.0: nothing there (02.0 is the VGA)
            PciAsm.ReadDword(a, 0x08, 0x0C);                 // 01.0 header type (byte 0x0E)
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx), Is.EqualTo(0x1237_8086));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x7000_8086));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x7113_8086));
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0xFFFF_FFFF));
            Assert.That((m.Reg(Gpr.Rax) >> 16) & 0xFF, Is.EqualTo(0x80), "PIIX3 is multi-function");
        });
    }

    [Test]
    public void Byte_and_word_accesses_reach_the_register_at_the_data_port_offset()
    {
        var m = new BoardTestMachine();
        m.RunReal(a =>
        {
            a.mov(eax, 0x8000_0800u);            // 01.0, register 0
            a.mov(dx, 0xCF8);
            a.@out(dx, eax);
            a.mov(dx, 0xCFE);
            a.@in(ax, dx); a.mov(bx, ax);        // device ID
            a.mov(dx, 0xCFD);
            a.@in(al, dx); a.mov(cl, al);        // vendor high byte
            a.mov(eax, 0x8000_0808u);            // register 8: class code in bytes 9-B
            a.mov(dx, 0xCF8);
            a.@out(dx, eax);
            a.mov(dx, 0xCFF);
            a.@in(al, dx); a.mov(ch, al);        // base class
            a.hlt();
        });
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x7000));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFF, Is.EqualTo(0x80));
        Assert.That((m.Reg(Gpr.Rcx) >> 8) & 0xFF, Is.EqualTo(0x06));
    }

    [Test]
    public void Config_address_takes_only_dword_accesses_and_reads_back_without_reserved_bits()
    {
        var bus = new PciBus();
        bus.Out(0xCF8, 4, 0xFFFF_FFFF);
        Assert.That(bus.In(0xCF8, 4), Is.EqualTo(0x80FF_FFFC));
        bus.Out(0xCF8, 1, 0);
        bus.Out(0xCF8, 2, 0);
        Assert.That(bus.In(0xCF8, 4), Is.EqualTo(0x80FF_FFFC));
        Assert.That(bus.In(0xCF8, 2), Is.EqualTo(0xFFFF), "a word read is an ordinary I/O cycle");
    }

    [Test]
    public void With_the_enable_bit_clear_data_reads_all_ones_and_writes_are_dropped()
    {
        var bus = new PciBus();
        var f = new TestFunction();
        bus.Attach(f, 0, 0);
        bus.Out(0xCF8, 4, 0x0000_003C);
        Assert.That(bus.In(0xCFC, 4), Is.EqualTo(0xFFFF_FFFF));
        bus.Out(0xCFC, 1, 0x0B);
        bus.Out(0xCF8, 4, 0x8000_003C);
        Assert.That(bus.In(0xCFC, 1), Is.Zero);
        bus.Out(0xCFC, 1, 0x0B);
        Assert.That(bus.In(0xCFC, 1), Is.EqualTo(0x0B), "interrupt line is writable");
        bus.Out(0xCF8, 4, 0x8001_0000);                      // bus 1 does not exist
        Assert.That(bus.In(0xCFC, 4), Is.EqualTo(0xFFFF_FFFF));
    }

    [Test]
    public void A_guest_sizes_the_bars_by_writing_all_ones()
    {
        var m = new BoardTestMachine();
        var f = new TestFunction();
        m.Board.PciBus.Attach(f, 3, 0);
        m.RunReal(a =>
        {
            PciAsm.WriteDword(a, 0x18, 0x10, 0xFFFF_FFFF);
            PciAsm.ReadDword(a, 0x18, 0x10); a.mov(ebx, eax);
            PciAsm.WriteDword(a, 0x18, 0x14, 0xFFFF_FFFF);
            PciAsm.ReadDword(a, 0x18, 0x14); a.mov(ecx, eax);
            PciAsm.WriteDword(a, 0x18, 0x18, 0xFFFF_FFFF);
            PciAsm.ReadDword(a, 0x18, 0x18); a.mov(esi, eax);  // no BAR 2: reads 0
            a.hlt();
        });
        Assert.That(m.Reg(Gpr.Rbx), Is.EqualTo(0xFFFF_FFE1), "32 ports: ~31 with the I/O space bit");
        Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0xFFFF_F000), "4 KiB, 32-bit, not prefetchable");
        Assert.That(m.Reg(Gpr.Rsi), Is.Zero);
        Assert.That(f.IoMaps, Is.Empty, "decode is off: sizing maps nothing");
    }

    [Test]
    public void Bars_are_mapped_while_their_command_enable_is_set()
    {
        var bus = new PciBus();
        var f = new TestFunction();
        bus.Attach(f, 3, 0);
        bus.WriteConfig(0, 0x18, 0x10, 4, 0xC01F);        // low bits below the size are ignored
        bus.WriteConfig(0, 0x18, 0x14, 4, 0xE000_0ABC);
        Assert.That(f.IoMaps, Is.Empty);
        bus.WriteConfig(0, 0x18, 0x04, 2, PciDevice.CommandIo);
        Assert.That(f.IoMaps, Is.EqualTo(new ushort?[] { 0xC000 }));
        Assert.That(bus.ReadConfig(0, 0x18, 0x10, 4), Is.EqualTo(0xC001));
        bus.WriteConfig(0, 0x18, 0x04, 2, PciDevice.CommandIo | PciDevice.CommandMemory);
        Assert.That(f.MemoryMaps, Is.EqualTo(new uint?[] { 0xE000_0000 }));
        bus.WriteConfig(0, 0x18, 0x10, 4, 0xFFFF_FFFF);   // sizing with decode on: I/O past 0xFFFF
        bus.WriteConfig(0, 0x18, 0x04, 2, 0);
        Assert.That(f.IoMaps, Is.EqualTo(new ushort?[] { 0xC000, null }));
        Assert.That(f.MemoryMaps, Is.EqualTo(new uint?[] { 0xE000_0000, null }));
    }

    [Test]
    public void Command_and_status_obey_their_masks()
    {
        var bus = new PciBus();
        var f = new TestFunction();
        bus.Attach(f, 3, 0);
        bus.WriteConfig(0, 0x18, 0x04, 2, 0xFFFF);
        Assert.That(bus.ReadConfig(0, 0x18, 0x04, 2), Is.EqualTo(0x0547));
        bus.WriteConfig(0, 0x18, 0x00, 4, 0);
        Assert.That(bus.ReadConfig(0, 0x18, 0x00, 4), Is.EqualTo(0x5678_1234), "IDs are read-only");
        bus.WriteConfig(0, 0x18, 0x3D, 1, 4);
        Assert.That(bus.ReadConfig(0, 0x18, 0x3D, 1), Is.EqualTo(1), "the interrupt pin is read-only");
    }

    [Test]
    public void Intx_is_routed_through_the_pirq_to_the_isa_irq_the_piix3_names()
    {
        var m = new BoardTestMachine();
        var slot3 = new TestFunction(pin: 1);    // INTA# of slot 3 -> PIRQC (QEMU's pci_slot_get_pirq)
        var slot4 = new TestFunction(pin: 4);    // INTD# of slot 4 -> (3 + 3) & 3 = PIRQC
        m.Board.PciBus.Attach(slot3, 3, 0);
        m.Board.PciBus.Attach(slot4, 4, 0);
        m.RunReal(a => { PciAsm.WriteByte(a, 0x08, 0x62, 11); a.hlt(); });

        slot3.Interrupt(true);
        Assert.That(m.Board.IsaIrqLevel(11), Is.True);
        slot4.Interrupt(true);
        slot3.Interrupt(false);
        Assert.That(m.Board.IsaIrqLevel(11), Is.True, "PIRQC is shared: wired-OR");
        slot4.Interrupt(false);
        Assert.That(m.Board.IsaIrqLevel(11), Is.False);

        slot3.Interrupt(true);
        m.Board.PciBus.WriteConfig(0, 0x18, 0x04, 2, PciDevice.CommandIntxDisable);
        Assert.That(m.Board.IsaIrqLevel(11), Is.False, "interrupt disable releases INTx");
        m.Board.PciBus.WriteConfig(0, 0x18, 0x04, 2, 0);
        Assert.That(m.Board.IsaIrqLevel(11), Is.True);
        m.Board.PciBus.WriteConfig(0, 0x08, 0x62, 1, 10);
        Assert.That(m.Board.IsaIrqLevel(11), Is.False);
        Assert.That(m.Board.IsaIrqLevel(10), Is.True, "rerouting moves the level");
        m.Board.PciBus.WriteConfig(0, 0x08, 0x62, 1, 0x80);
        Assert.That(m.Board.IsaIrqLevel(10), Is.False, "bit 7 disables the route");
    }

    [Test]
    public void The_bus_round_trips_its_state()
    {
        var bus = new PciBus();
        bus.Out(0xCF8, 4, 0x8000_1234);
        var saved = Snapshot.Save(bus);
        var fresh = new PciBus();
        Snapshot.Load(fresh, saved);
        Assert.That(Snapshot.Save(fresh), Is.EqualTo(saved));
        Assert.That(fresh.In(0xCF8, 4), Is.EqualTo(0x8000_1234));
    }

    [Test]
    public void A_function_round_trips_its_config_space_and_remaps_its_bars()
    {
        var bus = new PciBus();
        var f = new TestFunction();
        bus.Attach(f, 3, 0);
        bus.WriteConfig(0, 0x18, 0x10, 4, 0xC000);
        bus.WriteConfig(0, 0x18, 0x04, 2, PciDevice.CommandIo);
        var saved = Snapshot.Save(f);
        var fresh = new TestFunction();
        Snapshot.Load(fresh, saved);
        Assert.That(Snapshot.Save(fresh), Is.EqualTo(saved));
        Assert.That(fresh.IoMaps, Is.EqualTo(new ushort?[] { 0xC000 }));
    }
}
