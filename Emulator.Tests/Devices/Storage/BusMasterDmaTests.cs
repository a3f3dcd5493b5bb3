using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;
using static Emulator.Tests.Devices.Storage.IdeRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>The PIIX3 function's configuration space and its bus-master DMA, at register level.</summary>
public class BusMasterDmaTests
{
    const ushort Bm = 0xC000;
    const ulong Table = 0x10000, Target = 0x20000;

    static IdeRig DmaRig(out MemoryImage image, int sectors = 256)
    {
        image = PatternDisk(sectors);
        var rig = new IdeRig(Disk(image));
        rig.EnableBusMaster(Bm);
        return rig;
    }

    static void StartBm(IdeRig rig, bool toMemory)
    {
        rig.Out8(Bm + 4, 0);
        rig.Machine.Io.Out(Bm + 4, 4, (uint)Table);
        rig.Out8(Bm + 2, 0x06);                         // clear interrupt and error
        rig.Out8(Bm, (byte)((toMemory ? 0x08 : 0) | 1));
    }

    [Test]
    public void Configuration_space_identifies_a_piix3_ide_in_legacy_mode()
    {
        var rig = new IdeRig();
        var ide = rig.Board.Ide;
        Assert.Multiple(() =>
        {
            Assert.That(rig.Board.PciBus.ReadConfig(0, 0x09, 0x00, 4), Is.EqualTo(0x7010_8086));
            Assert.That(ide.ReadConfig(0x08, 4), Is.EqualTo(0x0101_8000), "class 01 01, prog-if 80, revision 0");
            Assert.That(ide.ReadConfig(0x06, 2), Is.EqualTo(0x0280));
            Assert.That(ide.ReadConfig(0x20, 4), Is.EqualTo(0x0000_0001), "BAR4: I/O");
            Assert.That(ide.ReadConfig(0x10, 4), Is.Zero, "no native-mode BARs");
        });
        ide.WriteConfig(0x20, 4, 0xFFFF_FFFF);
        Assert.That(ide.ReadConfig(0x20, 4), Is.EqualTo(0xFFFF_FFF1), "16 ports");
        ide.WriteConfig(0x04, 2, 0xFFFF);
        Assert.That(ide.ReadConfig(0x04, 2), Is.EqualTo(0x0005), "only I/O and bus master enables");
        ide.WriteConfig(0x40, 4, 0x8000_8000);
        ide.WriteConfig(0x48, 1, 0xFF);
        Assert.That(ide.ReadConfig(0x40, 4), Is.EqualTo(0x8000_8000), "IDETIM with both decode enables");
        Assert.That(ide.ReadConfig(0x48, 1), Is.Zero);
        rig.Machine.Reset();
        Assert.That(ide.ReadConfig(0x40, 4), Is.Zero);
    }

    [Test]
    public void The_bus_master_block_is_decoded_only_with_io_enabled_and_the_legacy_ports_always()
    {
        var rig = new IdeRig(Disk(PatternDisk(16)));
        rig.Board.Ide.WriteConfig(0x20, 4, Bm);
        rig.Out8(Bm + 2, 0x60);
        Assert.That(rig.In8(Bm + 2), Is.EqualTo(0xFF), "not decoded yet");
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50), "legacy ports need neither IDETIM nor the command register (QEMU)");
        rig.Board.Ide.WriteConfig(0x04, 2, 1);
        rig.Out8(Bm + 2, 0x66);
        Assert.That(rig.In8(Bm + 2), Is.EqualTo(0x60), "drive-capable bits are read/write; interrupt and error clear on 1");
        rig.Machine.Io.Out(Bm + 4, 4, 0x1234_5677);
        Assert.That(rig.Machine.Io.In(Bm + 4, 4), Is.EqualTo(0x1234_5674), "PRD table address is dword aligned");
        rig.Out8(Bm, 0xFF);
        Assert.That(rig.In8(Bm), Is.EqualTo(0x09));
        Assert.That(rig.In8(Bm + 2) & 1, Is.EqualTo(1), "start sets active");
        rig.Out8(Bm, 0x08);
        Assert.That(rig.In8(Bm + 2) & 1, Is.Zero);
    }

    [Test]
    public void Read_dma_with_an_exact_prd_table_ends_with_interrupt_set_and_active_clear()
    {
        var rig = DmaRig(out _);
        rig.Prd(Table, (uint)Target, 1024, eot: false);
        rig.Prd(Table + 8, (uint)Target + 1024, 0x0C00, eot: true);
        rig.Lba28(8, 8);
        rig.Command(0xC8);
        Assert.That(rig.Alt, Is.EqualTo(0x58), "waiting for the bus master");
        StartBm(rig, toMemory: true);
        Assert.That(rig.Irq14, Is.False);
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(Bm + 2) & 7, Is.EqualTo(0x04));
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        var ram = rig.ReadRam(Target, 4096 + 1);
        Assert.That(ram[0], Is.EqualTo(Pattern(8, 0)));
        Assert.That(ram[1024 + 3], Is.EqualTo(Pattern(10, 3)));
        Assert.That(ram[4095], Is.EqualTo(Pattern(15, 511)));
        Assert.That(ram[4096], Is.Zero, "nothing past the transfer");
    }

    [Test]
    public void A_longer_prd_table_leaves_active_set_and_a_shorter_one_ends_without_interrupt()
    {
        var rig = DmaRig(out _);
        rig.Prd(Table, (uint)Target, 0, eot: true);     // 64 KiB
        StartBm(rig, toMemory: true);
        rig.Lba28(0, 1);
        rig.Command(0xC8);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(Bm + 2) & 7, Is.EqualTo(0x05), "interrupt and active");
        rig.In8(StatusReg);
        rig.Out8(Bm, 0);

        rig.Prd(Table, (uint)Target, 512, eot: true);
        StartBm(rig, toMemory: true);
        rig.Lba28(0, 2);
        rig.Command(0xC8);
        Assert.That(rig.Irq14, Is.False);
        Assert.That(rig.In8(Bm + 2) & 7, Is.Zero, "neither interrupt nor active");
        Assert.That(rig.Alt, Is.EqualTo(0x50));
    }

    [Test]
    public void Write_dma_ext_takes_data_from_memory()
    {
        var rig = DmaRig(out var image);
        var data = Enumerable.Range(0, 1536).Select(i => (byte)(i * 11)).ToArray();
        rig.WriteRam(Target, data);
        rig.Prd(Table, (uint)Target, 1000, eot: false);
        rig.Prd(Table + 8, (uint)Target + 1000, 536, eot: true);
        StartBm(rig, toMemory: false);
        rig.Out8(Device, 0x40);
        rig.Lba48(40, 3);
        rig.Command(0x35);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(image.Data!.AsSpan(40 * 512, 1536).ToArray(), Is.EqualTo(data));
        Assert.That(rig.In8(LbaLow), Is.EqualTo(42));
    }

    [Test]
    public void Wild_prd_addresses_do_not_crash_the_host()
    {
        var rig = DmaRig(out _);
        rig.Prd(Table, 0xFFFF_FF00, 0, eot: false);
        rig.Prd(Table + 8, 0xFEC0_0000, 0, eot: true);   // into the IOAPIC and beyond RAM
        StartBm(rig, toMemory: true);
        rig.Lba28(0, 200);
        rig.Command(0xC8);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        rig.Machine.Io.Out(Bm + 4, 4, 0xFFFF_FFF8);      // the table itself in unmapped space: entries read as ones
        rig.Out8(Bm, 0);
        rig.Out8(Bm, 9);
        rig.Lba28(0, 1);
        rig.Command(0xC8);
        Assert.That(rig.Alt & 0x88, Is.Zero);
    }

    [Test]
    public void A_read_error_during_dma_reports_unc_and_stops_the_engine()
    {
        var rig = DmaRig(out var image);
        image.FailIo = true;
        rig.Prd(Table, (uint)Target, 512, eot: true);
        StartBm(rig, toMemory: true);
        rig.Lba28(3, 1);
        rig.Command(0xC8);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(Bm + 2) & 7, Is.EqualTo(0x04));
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x40));
    }

    [Test]
    public void Nien_keeps_the_bus_master_interrupt_bit_clear()
    {
        var rig = DmaRig(out _);
        rig.Out8(Control, 0x02);
        rig.Prd(Table, (uint)Target, 512, eot: true);
        StartBm(rig, toMemory: true);
        rig.Lba28(3, 1);
        rig.Command(0xC8);
        Assert.That(rig.Irq14, Is.False);
        Assert.That(rig.In8(Bm + 2) & 4, Is.Zero);
        Assert.That(rig.ReadRam(Target, 1)[0], Is.EqualTo(Pattern(3, 0)));
    }
}
