namespace Emulator.Tests.Frontend;

/// <summary>
/// <c>-loadvm TAG</c> refused as QEMU refuses it when the disks cannot hold the snapshot: one
/// line, status 1, before the guest runs an instruction (the guest's E9h output would show).
/// </summary>
public class LoadVmOptionTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    [Test]
    public void A_raw_disk_cannot_hold_snapshots()
    {
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        var run = EmuRun.Of("-bios", bios, "-hda", disk, "-loadvm", "snap1", "-display", "none");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Is.EqualTo("emu: Device 'ide0-hd0' is writable but does not support snapshots" + Environment.NewLine));
    }

    [Test]
    public void Without_a_writable_disk_there_is_no_snapshot_to_load()
    {
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        string disk = dir.Write("disk.img", new byte[1 << 20]);
        var run = EmuRun.Of("-bios", bios, "-drive", $"file={disk},format=raw,readonly=on", "-loadvm", "snap1", "-display", "none");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Is.EqualTo("emu: No block device can accept snapshots" + Environment.NewLine));
    }
}
