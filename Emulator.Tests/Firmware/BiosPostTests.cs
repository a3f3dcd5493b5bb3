using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Pci;
using Emulator.Devices.Serial;

namespace Emulator.Tests.Firmware;

/// <summary>
/// What the BIOS's POST leaves in the machine, booted from the reset vector on the board with
/// no disks (so it ends at INT 18h). Expected values come from the IBM PC/AT BDA layout, the
/// i440FX/PIIX3 datasheets and the board's configuration.
/// </summary>
public class BiosPostTests
{
    static BiosRig Booted(ulong memory = 64UL << 20, IReadOnlyList<ISerialBackend>? serials = null, Action<PcBoard>? wire = null)
    {
        var rig = new BiosRig(memory, serials: serials, wire: wire);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        return rig;
    }

    static int Word(BiosRig rig, int address) => rig.Machine.Memory.Ram[address] | rig.Machine.Memory.Ram[address + 1] << 8;
    static (int Segment, int Offset) Vector(BiosRig rig, int n) => (Word(rig, n * 4 + 2), Word(rig, n * 4));

    [Test]
    public void Post_runs_to_the_boot_and_reports_no_bootable_device()
    {
        var rig = Booted();
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console, Does.StartWith("emu BIOS 0.2\r\nMemory: 65536 KiB below 4 GiB\r\n"));
            Assert.That(rig.Console, Does.Contain("Booting from hard disk...\r\nBoot failed"));
            Assert.That(rig.Console, Does.EndWith("No bootable device.\r\n"));
            Assert.That(rig.PostCodes, Is.EqualTo(Enumerable.Range(1, 13).Select(i => (byte)i)));
        });
    }

    [Test]
    public void The_banner_reports_the_ram_cmos_describes()
    {
        Assert.That(Booted(8UL << 20).Console, Does.StartWith("emu BIOS 0.2\r\nMemory: 8192 KiB below 4 GiB\r\n"));
    }

    [Test]
    public void The_bios_is_shadowed_and_write_protected_in_ram()
    {
        var rig = Booted();
        var image = BiosRig.BiosImage();
        var hb = rig.Board.HostBridge;
        Assert.Multiple(() =>
        {
            // PAM0 high nibble 01 = read DRAM, write PCI; PAM1-6 11 = DRAM both ways.
            Assert.That(hb.ReadRegister(0x59), Is.EqualTo(0x10));
            for (int r = 0x5A; r <= 0x5F; r++) Assert.That(hb.ReadRegister(r), Is.EqualTo(0x33), $"PAM {r:X2}");
            // The entry points and reset vector (the last 8 KiB; POST keeps its variables below them).
            Assert.That(rig.Machine.Memory.Ram.Slice(0xFE000, 0x2000).ToArray(), Is.EqualTo(image[0xE000..]));
            Assert.That(rig.Machine.Memory.GetRoute(0xF0000), Is.EqualTo((true, false)));
        });
    }

    [Test]
    public void Interrupt_vectors()
    {
        var rig = Booted();
        var bios = BiosRig.BiosImage();
        Assert.Multiple(() =>
        {
            foreach (int n in new[] { 0x08, 0x09, 0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x18, 0x19, 0x1A, 0x70 })
            {
                var (seg, off) = Vector(rig, n);
                Assert.That(seg, Is.EqualTo(0xF000), $"INT {n:X2}h segment");
                Assert.That(off, Is.Not.EqualTo(0xFF53), $"INT {n:X2}h has a handler");
            }
            // Vectors nobody claims go to the IRET at F000:FF53; INT 1Eh is the diskette table at F000:EFC7.
            Assert.That(Vector(rig, 0x60), Is.EqualTo((0xF000, 0xFF53)));
            Assert.That(bios[0xFF53], Is.EqualTo(0xCF));
            Assert.That(Vector(rig, 0x1E), Is.EqualTo((0xF000, 0xEFC7)));
            Assert.That(bios[0xEFC7 + 4], Is.EqualTo(18), "sectors per track of a 1.44 MB diskette");
        });
    }

    [Test]
    public void Bios_data_area_and_ebda()
    {
        var rig = Booted(serials: [new NullSerial()]);
        var ram = rig.Machine.Memory.Ram.ToArray();
        // 13:45:30 = 49530 s; 18.2065 ticks per second (1193182 / 65536).
        long ticksAtBoot = 49530L * 1193182 / 65536;
        long ticks = (long)BitConverter.ToUInt32(ram, 0x46C);
        Assert.Multiple(() =>
        {
            Assert.That(Word(rig, 0x413), Is.EqualTo(639), "base memory less 1 KiB of EBDA");
            Assert.That(Word(rig, 0x40E), Is.EqualTo(0x9FC0), "EBDA segment");
            Assert.That(ram[0x9FC00], Is.EqualTo(1), "EBDA size in KiB");
            Assert.That(Word(rig, 0x400), Is.EqualTo(0x3F8), "COM1");
            Assert.That(Word(rig, 0x402), Is.EqualTo(0), "no COM2");
            // FPU (1), PS/2 mouse (2), 80x25 colour (5-4 = 10), one serial port (11-9 = 001).
            Assert.That(Word(rig, 0x410), Is.EqualTo(0x0226));
            Assert.That(Word(rig, 0x41A), Is.EqualTo(0x1E));
            Assert.That(Word(rig, 0x41C), Is.EqualTo(0x1E));
            Assert.That(Word(rig, 0x480), Is.EqualTo(0x1E));
            Assert.That(Word(rig, 0x482), Is.EqualTo(0x3E));
            Assert.That(ticks, Is.InRange(ticksAtBoot, ticksAtBoot + 5));
        });
    }

    /// <summary>
    /// PCI Firmware Specification 3.0, 5.1.1: the VGA's expansion ROM is copied to C0000, even when
    /// an ISA option ROM (the rig's, at C8000) is already in the option ROM area; the ISA ROM stays.
    /// </summary>
    [Test]
    public void The_vga_bios_goes_to_c0000_around_an_isa_rom_already_there()
    {
        var vga = BiosRig.VgaBiosImage();
        var rig = new BiosRig(vgaBios: vga, bootCode: a => { a.cli(); a.hlt(); });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        var c0000 = new byte[3];
        var c8000 = new byte[3];
        rig.Machine.Memory.Read(0xC0000, c0000);
        rig.Machine.Memory.Read(BiosRig.TestRomAddress, c8000);
        Assert.Multiple(() =>
        {
            Assert.That(c0000, Is.EqualTo(vga[..3]), "55AA and the VGA BIOS's size at C0000");
            Assert.That(c8000, Is.EqualTo(new byte[] { 0x55, 0xAA, 8 }), "the rig's 4 KiB ISA ROM at C8000");
        });
    }

    sealed class NullSerial : ISerialBackend
    {
        public void Write(byte value) { }
        public bool CanReceive => false;
        public bool TryRead(out byte value) { value = 0; return false; }
    }

    /// <summary>A PCI function with the BARs and interrupt pin a test gives it.</summary>
    sealed class BarDevice : PciDevice
    {
        public BarDevice(int pin, params (bool Io, uint Size)[] bars) : base(0x1234, 0x5678, 0, 0x02_00_00)
        {
            for (int i = 0; i < bars.Length; i++)
            {
                if (bars[i].Io) DefineIoBar(i, bars[i].Size, _ => { });
                else DefineMemoryBar(i, bars[i].Size, false, _ => { });
            }
            InterruptPin = pin;
            Reset();
        }
        public override string SnapshotName => "test";
        public override int SnapshotVersion => 1;
    }

    [Test]
    public void Pci_bars_are_assigned_largest_first_and_interrupt_lines_follow_the_pirq_routing()
    {
        var a = new BarDevice(1, (true, 0x100), (false, 0x1000), (false, 0x10_0000));
        var b = new BarDevice(2, (true, 0x20), (false, 0x100_0000));
        var rig = Booted(wire: board =>
        {
            board.PciBus.Attach(a, 3, 0);
            board.PciBus.Attach(b, 4, 0);
        });
        var piix3 = rig.Board.Piix3;
        Assert.Multiple(() =>
        {
            // Memory from E0000000, largest first: 16 MiB (the standard VGA's LFB at 02.0 first, then
            // b at 04.0), then 1 MiB, then 4 KiB (the VGA's MMIO BAR2, then a's); I/O from C000: 100h, then 20h.
            Assert.That(rig.Board.Vga.BarAddress(0), Is.EqualTo(0xE000_0000u));
            Assert.That(b.BarAddress(1), Is.EqualTo(0xE100_0000u));
            Assert.That(a.BarAddress(2), Is.EqualTo(0xE200_0000u));
            Assert.That(rig.Board.Vga.BarAddress(2), Is.EqualTo(0xE210_0000u));
            Assert.That(a.BarAddress(1), Is.EqualTo(0xE210_1000u));
            Assert.That(a.BarAddress(0), Is.EqualTo(0xC000u));
            Assert.That(b.BarAddress(0), Is.EqualTo(0xC100u));
            Assert.That(a.Command & 3, Is.EqualTo(3));
            Assert.That(b.Command & 3, Is.EqualTo(3));
            // PIRQA-D -> IRQ 10, 10, 11, 11: the one IRQ each link's bitmap in the board's $PIR allows
            // (FwCfgSetup.PirqIrqs), which the BIOS reads; the cards at slots 3 and 4 were added after
            // the board built its tables, and are still routed, for the $PIR covers every slot.
            Assert.That(Enumerable.Range(0, 4).Select(piix3.PirqRoute), Is.EqualTo(new[] { 10, 10, 11, 11 }));
            // ELCR (PIIX3 datasheet 2.4.4): the SCI's IRQ 9 and the routed IRQs 10, 11 level-triggered.
            Assert.That(rig.Board.Pic.Master.Elcr, Is.EqualTo(0x00));
            Assert.That(rig.Board.Pic.Slave.Elcr, Is.EqualTo(0x0E));
            // Slot 3 INTA -> PIRQ (3 - 1 + 0) mod 4 = C -> IRQ 11; slot 4 INTB -> PIRQ (4 - 1 + 1) mod 4 = A -> IRQ 10.
            Assert.That(a.ReadConfig(0x3C, 1), Is.EqualTo(11));
            Assert.That(b.ReadConfig(0x3C, 1), Is.EqualTo(10));
            // PIIX4 power management: PM I/O at 600h enabled, SCI on IRQ 9.
            Assert.That(rig.Board.Acpi.ReadConfig(0x40, 4) & 0xFFC0, Is.EqualTo(0x600));
            Assert.That(rig.Board.Acpi.ReadConfig(0x80, 1) & 1, Is.EqualTo(1));
            Assert.That(rig.Board.Acpi.ReadConfig(0x3C, 1), Is.EqualTo(9));
        });
    }
}
