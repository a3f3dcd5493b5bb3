using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;
using static Emulator.Tests.Devices.Storage.IdeRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>The ATA disk at register level, against ATA/ATAPI-6.</summary>
public class AtaDiskTests
{
    const int DiskSectors = 131072;         // 64 MiB

    static IdeRig DiskRig(out MemoryImage image, int sectors = 2048)
    {
        image = PatternDisk(sectors);
        return new IdeRig(Disk(image));
    }

    [Test]
    public void Identify_device_reports_geometry_capacity_modes_and_swapped_strings()
    {
        var rig = new IdeRig(Disk(MemoryImage.Sparse(DiskSectors * 512L)));
        rig.Out8(Device, 0xA0);
        rig.Out8(CommandReg, 0xEC);
        Assert.That(rig.Alt, Is.EqualTo(0x80), "BSY while the command runs");
        Assert.That(rig.Irq14, Is.False);
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x58), "DRDY DSC DRQ");
        Assert.That(rig.Irq14, Is.False, "reading status clears the interrupt");
        var id = rig.ReadData(512);
        Assert.That(rig.Alt, Is.EqualTo(0x50));
        Assert.Multiple(() =>
        {
            Assert.That(Word(id, 0), Is.EqualTo(0x0040));
            Assert.That(Word(id, 1), Is.EqualTo(130), "131072 / (16 * 63)");
            Assert.That(Word(id, 3), Is.EqualTo(16));
            Assert.That(Word(id, 6), Is.EqualTo(63));
            Assert.That(Word(id, 47), Is.EqualTo(0x8010));
            Assert.That(Word(id, 49) & 0x0300, Is.EqualTo(0x0300), "LBA and DMA");
            Assert.That(Word(id, 53), Is.EqualTo(0x0007));
            Assert.That(Word(id, 54), Is.EqualTo(130));
            Assert.That(Word(id, 57) | Word(id, 58) << 16, Is.EqualTo(130 * 16 * 63));
            Assert.That(Word(id, 59), Is.EqualTo(0x0110), "multiple 16 valid");
            Assert.That(Word(id, 60) | Word(id, 61) << 16, Is.EqualTo(DiskSectors));
            Assert.That(Word(id, 63), Is.EqualTo(0x0007));
            Assert.That(Word(id, 83) & 0x0400, Is.EqualTo(0x0400), "48-bit address feature set");
            Assert.That(Word(id, 86) & 0x0400, Is.EqualTo(0x0400));
            Assert.That(Word(id, 88), Is.EqualTo(0x203F), "UDMA 0-5 supported, 5 selected");
            Assert.That(Word(id, 100) | Word(id, 101) << 16, Is.EqualTo(DiskSectors));
            Assert.That(Word(id, 102) | Word(id, 103), Is.Zero);
            Assert.That(System.Text.Encoding.ASCII.GetString(id, 54, 4), Is.EqualTo("ME U"), "\"EMU \" with the bytes of each word swapped");
            Assert.That(id[510], Is.EqualTo(0xA5));
            Assert.That(id.Aggregate(0, (s, b) => s + b) & 0xFF, Is.Zero, "integrity word");
        });
    }

    [Test]
    public void Set_features_transfer_mode_moves_the_selected_bits()
    {
        var rig = DiskRig(out _);
        rig.Out8(Feature, 0x03);
        rig.Out8(Count, 0x22);                  // multiword DMA mode 2
        rig.Command(0xEF);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        rig.Command(0xEC);
        var id = rig.ReadData(512);
        Assert.That(Word(id, 63), Is.EqualTo(0x0407));
        Assert.That(Word(id, 88), Is.EqualTo(0x003F));
        rig.Out8(Feature, 0x03);
        rig.Out8(Count, 0x46);                  // UDMA 6: not supported
        rig.Command(0xEF);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x04));
    }

    [Test]
    public void Read_sectors_lba28_gives_one_interrupt_per_sector_and_none_after_the_last()
    {
        var rig = DiskRig(out _);
        rig.Lba28(5, 2);
        rig.Command(0x20);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x58));
        var first = rig.ReadData(512);
        Assert.That(rig.Alt, Is.EqualTo(0x80), "BSY between blocks");
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x58));
        var second = rig.ReadData(512);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Alt, Is.EqualTo(0x50));
            Assert.That(rig.Irq14, Is.False);
            Assert.That(first[0], Is.EqualTo(Pattern(5, 0)));
            Assert.That(first[511], Is.EqualTo(Pattern(5, 511)));
            Assert.That(second[100], Is.EqualTo(Pattern(6, 100)));
            Assert.That(rig.In8(LbaLow), Is.EqualTo(6), "the address registers hold the last sector");
        });
    }

    [Test]
    public void Chs_address_uses_the_16_head_63_sector_translation()
    {
        var rig = DiskRig(out _);
        rig.Out8(Device, 0xA1);                 // CHS, head 1
        rig.Out8(Count, 1);
        rig.Out8(LbaLow, 2);                    // sector 2
        rig.Out8(LbaMid, 1);                    // cylinder 1
        rig.Out8(LbaHigh, 0);
        rig.Command(0x20);
        var data = rig.ReadData(512);
        long lba = (1 * 16 + 1) * 63 + 2 - 1;   // 1072
        Assert.That(data[0], Is.EqualTo(Pattern(lba, 0)));
        Assert.That(data[7], Is.EqualTo(Pattern(lba, 7)));
    }

    [Test]
    public void Initialize_device_parameters_changes_the_translation()
    {
        var rig = DiskRig(out _);
        rig.Out8(Device, 0xA3);                 // 4 heads
        rig.Out8(Count, 17);                    // 17 sectors per track
        rig.Command(0x91);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        rig.Command(0xEC);
        var id = rig.ReadData(512);
        Assert.That(Word(id, 54), Is.EqualTo(2048 / (4 * 17)));
        Assert.That(Word(id, 55), Is.EqualTo(4));
        Assert.That(Word(id, 56), Is.EqualTo(17));
        rig.Out8(Device, 0xA2);                 // head 2
        rig.Out8(Count, 1);
        rig.Out8(LbaLow, 1);
        rig.Out8(LbaMid, 1);
        rig.Out8(LbaHigh, 0);
        rig.Command(0x20);
        var data = rig.ReadData(512);
        Assert.That(data[3], Is.EqualTo(Pattern((1 * 4 + 2) * 17, 3)));
    }

    [Test]
    public void Write_sectors_asks_for_the_first_block_without_an_interrupt_then_interrupts_when_done()
    {
        var rig = DiskRig(out var image);
        rig.Lba28(10, 1);
        rig.Command(0x30);
        Assert.That(rig.Irq14, Is.False, "no interrupt before the first block of a PIO write");
        Assert.That(rig.Alt, Is.EqualTo(0x58));
        var data = Enumerable.Range(0, 512).Select(i => (byte)(i ^ 0x5A)).ToArray();
        rig.WriteData(data);
        Assert.That(rig.Alt, Is.EqualTo(0x80));
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(image.Data!.AsSpan(10 * 512, 512).ToArray(), Is.EqualTo(data));
        Assert.That(image.Data![11 * 512], Is.EqualTo(Pattern(11, 0)));
    }

    [Test]
    public void Read_multiple_moves_blocks_of_the_set_multiple_count()
    {
        var rig = DiskRig(out _);
        rig.Out8(Count, 3);
        rig.Command(0xC6);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51), "3 is not a power of two");
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x04));
        rig.Out8(Count, 4);
        rig.Command(0xC6);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        rig.Lba28(100, 8);
        rig.Command(0xC4);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x58));
        var block1 = rig.ReadData(2048);
        Assert.That(rig.Alt, Is.EqualTo(0x80), "four sectors per interrupt");
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        rig.In8(StatusReg);
        var block2 = rig.ReadData(2048);
        Assert.That(rig.Alt, Is.EqualTo(0x50));
        Assert.That(block1[3 * 512 + 9], Is.EqualTo(Pattern(103, 9)));
        Assert.That(block2[3 * 512 + 9], Is.EqualTo(Pattern(107, 9)));
    }

    [Test]
    public void Write_multiple_commits_each_block()
    {
        var rig = DiskRig(out var image);
        rig.Out8(Count, 2);
        rig.Command(0xC6);
        rig.In8(StatusReg);
        rig.Lba28(20, 4);
        rig.Command(0xC5);
        rig.WriteData(new byte[1024]);
        rig.Settle();
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x58), "DRQ for the second block");
        Assert.That(image.Data![21 * 512 + 5], Is.Zero);
        Assert.That(image.Data![22 * 512 + 5], Is.EqualTo(Pattern(22, 5)));
        rig.WriteData(new byte[1024]);
        rig.Settle();
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(image.Data![23 * 512 + 5], Is.Zero);
    }

    [Test]
    public void Lba48_reaches_beyond_128_GiB_and_28_bit_commands_stop_at_2_pow_28()
    {
        const long sectors = 200L << 21;        // 200 GiB
        var image = MemoryImage.Sparse(sectors * 512);
        var rig = new IdeRig(Disk(image));
        rig.Command(0xEC);
        var id = rig.ReadData(512);
        Assert.That(Word(id, 60) | Word(id, 61) << 16, Is.EqualTo(0x0FFF_FFFF));
        Assert.That(Word(id, 100) | (long)Word(id, 101) << 16 | (long)Word(id, 102) << 32, Is.EqualTo(sectors));
        Assert.That(Word(id, 1), Is.EqualTo(16383));

        const ulong lba = 300_000_000;          // past 2^28
        rig.Lba48(lba, 1);
        rig.Command(0x34);
        var data = Enumerable.Range(0, 512).Select(i => (byte)(i * 3)).ToArray();
        rig.WriteData(data);
        rig.Settle();
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        var check = new byte[512];
        image.Read((long)lba * 512, check);
        Assert.That(check, Is.EqualTo(data));

        rig.Lba48(lba, 1);
        rig.Command(0x24);
        Assert.That(rig.ReadData(512), Is.EqualTo(data));
        rig.Out8(Control, 0x80);
        Assert.That(rig.In8(LbaLow), Is.EqualTo((byte)(lba >> 24)), "HOB reads the high address byte");
        rig.Out8(Control, 0x00);

        rig.Lba28(0x0FFF_FFFF, 1);
        rig.Command(0x20);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x10), "IDNF: past the 28-bit address space");
    }

    [Test]
    public void Reading_past_the_end_fails_with_idnf()
    {
        var rig = DiskRig(out _);
        rig.Lba28(2047, 2);
        rig.Command(0x20);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x10));
    }

    [TestCase((byte)0x00)]          // NOP always aborts
    [TestCase((byte)0x8F)]
    [TestCase((byte)0xA0)]          // PACKET to a disk
    [TestCase((byte)0xA1)]
    public void Unknown_commands_abort(byte command)
    {
        var rig = DiskRig(out _);
        rig.Command(command);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x04));
    }

    [Test]
    public void A_host_read_error_is_unc_with_the_failing_sector()
    {
        var rig = DiskRig(out var image);
        image.FailIo = true;
        rig.Lba28(33, 1);
        rig.Command(0x20);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x40));
        Assert.That(rig.In8(LbaLow), Is.EqualTo(33));
    }

    [Test]
    public void Writing_a_read_only_image_aborts()
    {
        var image = PatternDisk(64, readOnly: true);
        var rig = new IdeRig(Disk(image));
        rig.Lba28(1, 1);
        rig.Command(0x30);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x04));
        Assert.That(image.Data![512], Is.EqualTo(Pattern(1, 0)));
    }

    [Test]
    public void Flush_cache_flushes_the_image_and_a_disabled_write_cache_flushes_every_write()
    {
        var rig = DiskRig(out var image);
        rig.Command(0xE7);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(image.FlushCount, Is.EqualTo(1));
        rig.Command(0xEA);
        Assert.That(image.FlushCount, Is.EqualTo(2));
        rig.Out8(Feature, 0x82);
        rig.Command(0xEF);
        rig.Lba28(3, 1);
        rig.Command(0x30);
        rig.WriteData(new byte[512]);
        rig.Settle();
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(image.FlushCount, Is.EqualTo(3));
    }

    [Test]
    public void Read_verify_checks_the_range_without_data()
    {
        var rig = DiskRig(out var image);
        rig.Lba28(0, 16);
        rig.Command(0x40);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(rig.In8(LbaLow), Is.EqualTo(15));
        image.FailIo = true;
        rig.Lba28(0, 1);
        rig.Command(0x40);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x51));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x40));
    }

    [Test]
    public void Check_power_mode_follows_standby_and_idle()
    {
        var rig = DiskRig(out _);
        rig.Command(0xE5);
        Assert.That(rig.In8(Count), Is.EqualTo(0xFF));
        rig.Command(0xE0);
        rig.Command(0xE5);
        Assert.That(rig.In8(Count), Is.EqualTo(0x00));
        rig.Command(0xE1);
        rig.Command(0xE5);
        Assert.That(rig.In8(Count), Is.EqualTo(0xFF));
    }

    [Test]
    public void Nien_masks_the_irq_but_the_interrupt_stays_pending()
    {
        var rig = DiskRig(out _);
        rig.Out8(Control, 0x02);
        rig.Command(0xE7);
        Assert.That(rig.Irq14, Is.False);
        Assert.That(rig.Alt, Is.EqualTo(0x50));
        rig.Out8(Control, 0x00);
        Assert.That(rig.Irq14, Is.True, "INTRQ follows the pending interrupt once nIEN is clear");
        rig.In8(StatusReg);
        Assert.That(rig.Irq14, Is.False);
    }

    [Test]
    public void Software_reset_posts_signatures_for_a_disk_and_a_packet_device()
    {
        var rig = new IdeRig(Disk(PatternDisk(64)), Cd(null));
        rig.Out8(Device, 0xB0);
        rig.Out8(LbaMid, 0x55);
        rig.Out8(Control, 0x04);
        Assert.That(rig.Alt, Is.EqualTo(0x80), "BSY during SRST");
        rig.Out8(Control, 0x00);
        Assert.Multiple(() =>
        {
            Assert.That(rig.In8(Device) & 0x10, Is.Zero, "device 0 selected");
            Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
            Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x01));
            Assert.That(new[] { rig.In8(Count), rig.In8(LbaLow), rig.In8(LbaMid), rig.In8(LbaHigh) }, Is.EqualTo(new byte[] { 1, 1, 0, 0 }));
            Assert.That(rig.Irq14, Is.False);
        });
        rig.Out8(Device, 0xB0);
        Assert.Multiple(() =>
        {
            Assert.That(rig.In8(StatusReg), Is.EqualTo(0x00));
            Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x01));
            Assert.That(new[] { rig.In8(Count), rig.In8(LbaLow), rig.In8(LbaMid), rig.In8(LbaHigh) }, Is.EqualTo(new byte[] { 1, 1, 0x14, 0xEB }));
        });
    }

    [Test]
    public void A_missing_slave_and_an_empty_channel_read_zero()
    {
        var rig = DiskRig(out _);
        rig.Out8(Device, 0xB0);
        rig.Out8(LbaMid, 0x12);
        Assert.Multiple(() =>
        {
            Assert.That(rig.In8(StatusReg), Is.Zero);
            Assert.That(rig.Alt, Is.Zero);
            Assert.That(rig.In8(ErrorReg), Is.Zero);
            Assert.That(rig.In8(LbaMid), Is.EqualTo(0x12), "the master's copy of the shared registers");
            Assert.That(rig.In8(0x177), Is.Zero);
            Assert.That(rig.In8(0x174), Is.Zero);
        });
        rig.Out8(CommandReg, 0xEC);
        rig.Settle();
        Assert.That(rig.Irq14, Is.False, "a command to an absent device is ignored");
    }

    [Test]
    public void Hob_selects_the_previous_register_values()
    {
        var rig = DiskRig(out _);
        rig.Out8(Count, 0x12);
        rig.Out8(Count, 0x34);
        Assert.That(rig.In8(Count), Is.EqualTo(0x34));
        rig.Out8(Control, 0x80);
        Assert.That(rig.In8(Count), Is.EqualTo(0x12));
        rig.Out8(LbaLow, 0);
        rig.Out8(Count, 0x56);
        Assert.That(rig.In8(Count), Is.EqualTo(0x56), "a register write clears HOB");
    }

    [Test]
    public void Execute_device_diagnostic_posts_the_signature_with_an_interrupt()
    {
        var rig = DiskRig(out _);
        rig.Out8(LbaMid, 0x77);
        rig.Command(0x90);
        Assert.That(rig.Irq14, Is.True);
        Assert.That(rig.In8(StatusReg), Is.EqualTo(0x50));
        Assert.That(rig.In8(ErrorReg), Is.EqualTo(0x01));
        Assert.That(rig.In8(LbaMid), Is.Zero);
    }

    [Test]
    public void Snapshot_in_the_middle_of_a_pio_read_round_trips()
    {
        var rig = DiskRig(out _);
        rig.Lba28(5, 2);
        rig.Command(0x20);
        rig.ReadData(100);
        var saved = Emulator.Tests.Devices.Board.Snapshot.Save(rig.Board.Ide);
        var other = DiskRig(out _);
        Emulator.Tests.Devices.Board.Snapshot.Load(other.Board.Ide, saved);
        Assert.That(Emulator.Tests.Devices.Board.Snapshot.Save(other.Board.Ide), Is.EqualTo(saved));
        var rest = other.ReadData(412);
        Assert.That(rest[0], Is.EqualTo(Pattern(5, 100)));
        Assert.That(other.Alt, Is.EqualTo(0x80));
        other.Settle();
        Assert.That(other.ReadData(2)[0], Is.EqualTo(Pattern(6, 0)));
    }
}
