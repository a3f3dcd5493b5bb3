using Emulator.Devices.Board;
using Emulator.Devices.Storage.Floppy;
using Emulator.Tests.Devices.Board;
using static Emulator.Tests.Devices.Storage.FloppyRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>Diskette formats from image sizes, the drive types CMOS reports, and the media API.</summary>
public class FloppyMediaTests
{
    [TestCase(163_840, "160K", 40, 1, 8, FloppyDataRate.Kbps250, 1)]
    [TestCase(184_320, "180K", 40, 1, 9, FloppyDataRate.Kbps250, 1)]
    [TestCase(327_680, "320K", 40, 2, 8, FloppyDataRate.Kbps250, 1)]
    [TestCase(368_640, "360K", 40, 2, 9, FloppyDataRate.Kbps250, 1)]
    [TestCase(737_280, "720K", 80, 2, 9, FloppyDataRate.Kbps250, 3)]
    [TestCase(1_228_800, "1.2M", 80, 2, 15, FloppyDataRate.Kbps500, 2)]
    [TestCase(1_474_560, "1.44M", 80, 2, 18, FloppyDataRate.Kbps500, 4)]
    [TestCase(2_949_120, "2.88M", 80, 2, 36, FloppyDataRate.Mbps1, 5)]
    public void The_image_size_gives_the_format_and_the_drive_type(long size, string name, int cylinders, int heads, int sectors, FloppyDataRate rate, int cmosType)
    {
        var f = FloppyFormat.FromSize(size);
        Assert.That(f, Is.Not.Null);
        Assert.That((f!.Name, f.Cylinders, f.Heads, f.Sectors, f.Rate, (int)f.CmosType), Is.EqualTo((name, cylinders, heads, sectors, rate, cmosType)));
        var drive = new FloppyDrive(new FloppyTestImage(f));
        Assert.That(drive.CmosType, Is.EqualTo(cmosType));
        Assert.That(drive.DiskChanged, Is.True);
    }

    [Test]
    public void Other_sizes_and_disks_that_do_not_fit_the_drive_are_refused()
    {
        Assert.That(FloppyFormat.FromSize(1_474_560 + 512), Is.Null);
        Assert.That(FloppyFormat.FromSize(0), Is.Null);
        var drive = new FloppyDrive(new FloppyTestImage(FloppyFormat.M1_44));
        Assert.That(() => drive.Insert(new FloppyTestImage(FloppyFormat.M1_2)), Throws.ArgumentException.With.Message.Contains("1.2M"));
        Assert.That(() => drive.Insert(new FloppyTestImage(FloppyFormat.M2_88)), Throws.ArgumentException);
        drive.Insert(new FloppyTestImage(FloppyFormat.K720));
        Assert.That(drive.Format, Is.EqualTo(FloppyFormat.K720), "a 1.44M drive takes 720K disks");
        Assert.That(new FloppyDrive(null).CmosType, Is.EqualTo(4), "an empty drive is a 1.44M drive");
        Assert.That(() => new FloppyDrive(new OddImage()), Throws.ArgumentException.With.Message.Contains("not a floppy"));
        Assert.That(() => new PcBoard(new PcBoardConfig { Bios = BoardTestMachine.HaltBios(), Floppies = [new OddImage()] }), Throws.ArgumentException);
    }

    sealed class OddImage : Emulator.Devices.Storage.IBlockImage
    {
        public long Length => 1_000_448;
        public bool ReadOnly => false;
        public void Read(long offset, Span<byte> buffer) { }
        public void Write(long offset, ReadOnlySpan<byte> data) { }
        public void Flush() { }
        public void Dispose() { }
    }

    [Test]
    public void The_controller_reports_both_drive_types_for_CMOS_register_0x10()
    {
        Assert.That(new FloppyRig(new FloppyTestImage(FloppyFormat.M1_44), new FloppyTestImage(FloppyFormat.K360)).Fdc.CmosDriveTypes, Is.EqualTo(0x41));
        Assert.That(new FloppyRig(new FloppyTestImage(FloppyFormat.M1_2)).Fdc.CmosDriveTypes, Is.EqualTo(0x20));
        Assert.That(new FloppyRig().Fdc.CmosDriveTypes, Is.EqualTo(0x00));
    }

    [Test]
    public void A_360K_disk_reads_at_250_kbit_s_on_its_last_cylinder_and_side()
    {
        var image = new FloppyTestImage(FloppyFormat.K360);
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Out(Ccr, 0x02);
        Assert.That(rig.Seek(0, 39, head: 1), Is.EqualTo(new byte[] { 0x20, 39 }));
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 1, 39, 1, 9, 9));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x04, 0x00, 0x00, 40, 1, 1, 2 }));
        Assert.That(rig.ReadMemory(0x3000, 512), Is.EqualTo(image.Sector(39, 1, 9)));
        Assert.That(image.Lba(39, 1, 9), Is.EqualTo(719), "the last of 720 sectors");

        rig.Out(Ccr, 0x01);
        rig.Command(Rw(0x46, 0, 1, 39, 1, 9, 9));
        rig.Run();
        Assert.That(rig.Results()[..2], Is.EqualTo(new byte[] { 0x44, 0x01 }), "300 kbit/s is a 1.2M drive's rate for this disk: MA");
        Assert.That(rig.Seek(0, 45), Is.EqualTo(new byte[] { 0x20, 45 }));
        Assert.That(rig.Drives[0]!.Cylinder, Is.EqualTo(41), "a 40-track drive's head stops at 41");
    }

    [Test]
    public void Ejecting_during_a_non_DMA_read_ends_the_command_instead_of_throwing()
    {
        var rig = new FloppyRig(new FloppyTestImage(FloppyFormat.M1_44));
        rig.Ready();
        rig.Command(0x03, 0xDF, 0x03);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 2));
        rig.Run();
        for (int i = 0; i < 512; i++) rig.In(Fifo);
        Assert.That(rig.In(Msr), Is.EqualTo(0xF0), "the second sector is ready");
        rig.Drives[0]!.Eject();
        for (int i = 0; i < 512; i++) rig.In(Fifo);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x01, 0x00, 0, 0, 2, 2 }),
            "the disk has gone under sector 2: no address marks");
    }
}
