using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend;
using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

/// <summary>The drive options (-hda..-hdd, -cdrom, -fda/-fdb, -drive), -boot and -snapshot.</summary>
public class DriveOptionTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    static EmuOptions Parse(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        Assert.That(stderr.ToString(), Is.Empty);
        return result.Options!;
    }

    static string Error(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        Assert.That(result.ExitCode, Is.EqualTo(1));
        return stderr.ToString().TrimEnd('\n', '\r');
    }

    [Test]
    public void Shorthands_take_their_qemu_positions()
    {
        var o = Parse("-hda", "a.img", "-hdb", "b.img", "-hdd", "d.img", "-cdrom", "cd.iso", "-fda", "f.img", "-fdb", "g.img");
        var d = o.Drives.ToDictionary(x => x.File!);
        Assert.That((d["a.img"].Interface, d["a.img"].Index, d["a.img"].Media, d["a.img"].ReadOnly), Is.EqualTo((DriveInterface.Ide, 0, DriveMedia.Disk, false)));
        Assert.That((d["b.img"].Interface, d["b.img"].Index), Is.EqualTo((DriveInterface.Ide, 1)));
        Assert.That((d["d.img"].Interface, d["d.img"].Index), Is.EqualTo((DriveInterface.Ide, 3)));
        Assert.That((d["cd.iso"].Index, d["cd.iso"].Media, d["cd.iso"].ReadOnly), Is.EqualTo((2, DriveMedia.CdRom, true)));
        Assert.That((d["f.img"].Interface, d["f.img"].Index), Is.EqualTo((DriveInterface.Floppy, 0)));
        Assert.That((d["g.img"].Interface, d["g.img"].Index), Is.EqualTo((DriveInterface.Floppy, 1)));
    }

    [Test]
    public void Drive_parses_every_key_and_fills_the_first_free_position()
    {
        var o = Parse("-hda", "a.img", "-drive", "file=x.qcow2,format=qcow2,if=ide,readonly=on,snapshot=on",
            "-drive", "file=f.img,if=floppy,index=1", "-drive", "media=cdrom,bus=1,unit=1");
        var x = o.Drives.Single(d => d.File == "x.qcow2");
        Assert.That((x.Index, x.Format, x.ReadOnly, x.Snapshot), Is.EqualTo((1, (ImageFormat?)ImageFormat.Qcow2, true, true)));
        var f = o.Drives.Single(d => d.File == "f.img");
        Assert.That((f.Interface, f.Index), Is.EqualTo((DriveInterface.Floppy, 1)));
        var cd = o.Drives.Single(d => d.File == null);
        Assert.That((cd.Index, cd.Media), Is.EqualTo((3, DriveMedia.CdRom)));
    }

    [Test]
    public void A_comma_in_a_file_name_is_doubled() =>
        Assert.That(Parse("-drive", "file=a,,b.img").Drives[0].File, Is.EqualTo("a,b.img"));

    [TestCase(new[] { "-hda", "a", "-drive", "file=b,index=0" }, "emu: -drive file=b,index=0: drive with bus=0, unit=0 (index=0) exists (-hda a)")]
    [TestCase(new[] { "-drive", "file=b,if=virtio" }, "emu: -drive file=b,if=virtio: interface if=virtio is not supported (emu has ide and floppy)")]
    [TestCase(new[] { "-drive", "file=b,index=4" }, "emu: -drive file=b,index=4: index 4 is too big (at most 3 for if=ide)")]
    [TestCase(new[] { "-drive", "file=b,format=vmdk" }, "emu: -drive file=b,format=vmdk: Unknown driver 'vmdk' (emu knows raw and qcow2)")]
    [TestCase(new[] { "-drive", "file=b,media=tape" }, "emu: -drive file=b,media=tape: 'tape' invalid media")]
    [TestCase(new[] { "-drive", "file=b,cache=none" }, "emu: -drive file=b,cache=none: parameter 'cache' is not supported (emu implements file, format, if, index, bus, unit, media, readonly, snapshot)")]
    [TestCase(new[] { "-drive", "if=ide" }, "emu: -drive if=ide: a drive without media needs media=cdrom (file= is missing)")]
    [TestCase(new[] { "-boot", "x" }, "emu: -boot x: Invalid boot device 'x'")]
    [TestCase(new[] { "-boot", "order=cdc" }, "emu: -boot order=cdc: Boot device 'c' was given twice")]
    [TestCase(new[] { "-boot", "menu=maybe" }, "emu: -boot menu=maybe: 'menu' takes on or off, not 'maybe'")]
    [TestCase(new[] { "-boot", "splash-time=70000" }, "emu: -boot splash-time=70000: splash-time takes a number of milliseconds (0-65535)")]
    public void Bad_drive_and_boot_options_are_one_line(string[] args, string expected) =>
        Assert.That(Error(args), Is.EqualTo(expected));

    [Test]
    public void Boot_order_forms()
    {
        Assert.That(Parse().BootOrder, Is.EqualTo("cad"));
        Assert.That(Parse("-boot", "d").BootOrder, Is.EqualTo("d"));
        Assert.That(Parse("-boot", "order=dc,menu=on").BootOrder, Is.EqualTo("dc"));
        Assert.That(Parse("-boot", "order=c,once=d").BootOrder, Is.EqualTo("d"));
        Assert.That(Parse("-boot", "d").BootMenu, Is.False);
        Assert.That(Parse("-boot", "order=dc,menu=on").BootMenu, Is.True);
        Assert.That(Parse("-boot", "menu=on,splash-time=1500").BootMenuWaitMs, Is.EqualTo(1500));
        Assert.That(Parse("-boot", "menu=on").BootMenuWaitMs, Is.Null);
        Assert.That(Parse("-snapshot").Snapshot, Is.True);
        Assert.That(Parse().Snapshot, Is.False);
    }

    [Test]
    public void A_missing_image_is_one_line_and_exit_1()
    {
        string path = dir.File("none.img");
        var run = EmuRun.Of("-hda", path);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Is.EqualTo($"emu: -hda {path}: Could not open '{path}': No such file or directory" + Environment.NewLine));
    }

    [Test]
    public void A_malformed_image_is_one_line_and_exit_1()
    {
        string path = dir.Write("bad.qcow2", [0x51, 0x46, 0x49, 0xFB, 0, 0, 0, 9, .. new byte[100]]);
        var run = EmuRun.Of("-drive", $"file={path},format=qcow2");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Is.EqualTo($"emu: -drive file={path},format=qcow2: '{path}': unsupported qcow2 version 9" + Environment.NewLine));
    }

    MachineRunner Runner(params string[] args)
    {
        var options = Parse(["-bios", dir.Write("bios.bin", TinyBios.Hello()), .. args]);
        return MachineRunner.Create(options, new ConsoleStreams(new StringWriter(), new StringWriter()));
    }

    [Test]
    public void The_board_gets_the_drives_and_an_empty_cdrom_at_the_secondary_master_by_default()
    {
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        string floppy = dir.Write("fd.img", new byte[1474560]);
        using var runner = Runner("-hda", disk, "-fdb", floppy);
        Assert.That(runner.IdeDrives[0]!.Media, Is.EqualTo(DriveMedia.Disk));
        Assert.That(runner.IdeDrives[0]!.Image!.Length, Is.EqualTo(1 << 20));
        Assert.That(runner.IdeDrives[1], Is.Null);
        Assert.That(runner.IdeDrives[2], Is.EqualTo(new IdeDrive(DriveMedia.CdRom, null)));
        Assert.That(runner.IdeDrives[3], Is.Null);
        Assert.That(runner.Floppies[0], Is.Null);
        Assert.That(runner.Floppies[1]!.Length, Is.EqualTo(1474560));
    }

    /// <summary>
    /// QEMU's pc-i440fx has one default floppy drive, A:, empty, when no floppy is given; CMOS 10h
    /// then says A: is a 1.44 MB drive and B: none (4 in the high nibble, 0 in the low one), and
    /// 14h has bit 0 (diskettes present) with bits 7-6 = 0 (one drive) (IBM PC/AT Technical
    /// Reference, CMOS map) - what the BIOS's equipment word is built from.
    /// </summary>
    [Test]
    public void Without_floppy_options_the_board_has_one_empty_drive_a()
    {
        using var runner = Runner();
        Assert.That(runner.Floppies, Is.EqualTo(new IBlockImage?[] { null }));
        Assert.That(runner.Board.Rtc.GetCmos(0x10), Is.EqualTo(0x40));
        Assert.That(runner.Board.Rtc.GetCmos(0x14) & 0xC1, Is.EqualTo(0x01));
    }

    [Test]
    public void No_default_cdrom_when_the_secondary_master_is_taken()
    {
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        using var runner = Runner("-hdc", disk);
        Assert.That(runner.IdeDrives[2]!.Media, Is.EqualTo(DriveMedia.Disk));
    }

    [Test]
    public void A_cdrom_is_read_only_and_snapshot_puts_an_overlay_in_front_of_writable_disks()
    {
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        string iso = dir.Write("cd.iso", new byte[1 << 20]);
        using (var runner = Runner("-hda", disk, "-cdrom", iso, "-snapshot"))
        {
            Assert.That(runner.IdeDrives[2]!.Image!.ReadOnly, Is.True);
            Assert.That(runner.IdeDrives[2]!.Image, Is.InstanceOf<RawImage>());
            var hda = runner.IdeDrives[0]!.Image!;
            Assert.That(hda, Is.InstanceOf<Qcow2Image>(), "the temporary overlay");
            hda.Write(0, Enumerable.Repeat((byte)0xEE, 512).ToArray());
        }
        Assert.That(File.ReadAllBytes(disk), Is.All.EqualTo(0), "the image file is unchanged");
    }

    [Test]
    public void Images_are_closed_when_emu_exits()
    {
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        using (ImageOpener.Open(disk, null, readOnly: false))
            Assert.Throws<IOException>(() => new FileStream(disk, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose(),
                "an open image holds the file (the check below can fail)");
        var run = EmuRun.Of("-bios", dir.Write("bios.bin", TinyBios.Hello()), "-hda", disk, "-debugcon", "null");
        Assert.That(run.ExitCode, Is.Not.EqualTo(1), run.Stderr);
        // Opening with no sharing fails while anything still holds the file.
        using var exclusive = new FileStream(disk, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }
}
