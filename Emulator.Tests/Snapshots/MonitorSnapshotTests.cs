using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend.Monitor;
using Emulator.Tests.Firmware;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// The monitor's savevm, loadvm, delvm and info snapshots, with disks that keep internal
/// snapshots (<see cref="SnapshottingImage"/>), raw disks that do not, and CD-ROMs (skipped).
/// Messages are QEMU's (migration/savevm.c, block/snapshot.c).
/// </summary>
public class MonitorSnapshotTests
{
    static HumanMonitor Monitor(PcBoard board) =>
        new(board, new MonitorQueue(board.Machine), _ => throw new MonitorError("no media here"));

    /// <summary>
    /// savevm in one machine, loadvm in a new machine over the same disk image (all that a new emu
    /// process shares with the old one): the new machine continues as the old one did, and the disk
    /// is back as it was at savevm although it was written after.
    /// </summary>
    [Test]
    public void Loadvm_in_a_new_machine_continues_where_savevm_left_off()
    {
        var disk = new SnapshottingImage(BusyGuest.DiskBytes());
        var first = BusyGuest.Rig(disk);
        first.Run(1_100_000);
        var monitor = Monitor(first.Board);
        Assert.That(monitor.Execute("savevm before"), Is.Empty);
        var expected = ExecutionTrace.Record(first.Machine, 150_000);
        disk.Write(512 * 100, new byte[512]);   // a later write, which the snapshot does not have
        var diskAtSave = (byte[])BusyGuest.DiskBytes().Clone();

        var second = BusyGuest.Rig(disk);
        second.Run(10_000);   // a different state, replaced wholesale
        var monitor2 = Monitor(second.Board);
        Assert.That(monitor2.Execute("info snapshots"), Does.Match(
            "^List of snapshots present on all disks:\nID +TAG +VM_SIZE +DATE +VM_CLOCK +ICOUNT\n-- +before +[0-9.]+ KiB [0-9-]+ [0-9:]+ +00:00:00\\.[0-9]{3} +\n$"));
        Assert.That(monitor2.Execute("loadvm before"), Is.Empty);
        Assert.That(disk.Data, Is.EqualTo(diskAtSave));
        var actual = ExecutionTrace.Record(second.Machine, 150_000);
        Assert.That(ExecutionTrace.FirstDifference(expected, actual), Is.Null);
        Assert.That(MachineStateWriter.Save(second.Board.Saveables), Is.EqualTo(MachineStateWriter.Save(first.Board.Saveables)));
    }

    [Test]
    public void Every_writable_disk_gets_the_snapshot_and_the_first_holds_the_vm_state()
    {
        var hd0 = new SnapshottingImage(new byte[1 << 20]);
        var hd1 = new SnapshottingImage(new byte[1 << 20]);
        var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, hd0), new IdeDrive(DriveMedia.Disk, hd1),
            new IdeDrive(DriveMedia.CdRom, new MemoryImage(new byte[2048 * 16], readOnly: true))]);
        var monitor = Monitor(rig.Board);
        Assert.That(monitor.Execute("info snapshots"), Is.EqualTo("There is no snapshot available.\n"));
        Assert.That(monitor.Execute("savevm"), Is.Empty);
        Assert.That(hd0.Snapshots.Single().Name, Does.Match("^vm-[0-9]{14}$"));
        Assert.That(hd0.Snapshots.Single().VmStateSize, Is.GreaterThan(0));
        Assert.That(hd1.Snapshots.Single().Name, Is.EqualTo(hd0.Snapshots.Single().Name));
        Assert.That(hd1.Snapshots.Single().VmStateSize, Is.Zero);
        Assert.That(monitor.Execute("savevm two"), Is.Empty);
        Assert.That(monitor.Execute("info snapshots").Split('\n'), Has.Length.EqualTo(5));   // title, header, 2 rows, ""
        Assert.That(monitor.Execute("delvm two"), Is.Empty);
        Assert.That(hd0.Snapshots.Select(s => s.Name), Has.No.Member("two"));
        Assert.That(hd1.Snapshots.Select(s => s.Name), Has.No.Member("two"));
        Assert.That(monitor.Execute("loadvm two"), Is.EqualTo("Snapshot 'two' does not exist in one or more devices\n"));
        hd1.DeleteSnapshot(hd1.Snapshots.Single().Name);
        Assert.That(monitor.Execute("info snapshots"), Is.EqualTo("There is no suitable snapshot available\n"));
        Assert.That(monitor.Execute($"loadvm {hd0.Snapshots.Single().Name}"),
            Is.EqualTo($"Device 'ide0-hd1' does not have the requested snapshot '{hd0.Snapshots.Single().Name}'\n"));
    }

    [Test]
    public void A_writable_disk_without_snapshots_stops_savevm_before_anything_is_saved()
    {
        var hd0 = new SnapshottingImage(new byte[1 << 20]);
        var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, hd0), new IdeDrive(DriveMedia.Disk, new MemoryImage(new byte[1 << 20]))]);
        var monitor = Monitor(rig.Board);
        Assert.That(monitor.Execute("savevm s"), Is.EqualTo("Device 'ide0-hd1' is writable but does not support snapshots\n"));
        Assert.That(hd0.Snapshots, Is.Empty);
        Assert.That(monitor.Execute("loadvm s"), Is.EqualTo("Device 'ide0-hd1' is writable but does not support snapshots\n"));
    }

    [Test]
    public void Without_a_writable_disk_there_is_nowhere_to_save()
    {
        var cdOnly = new BiosRig(16UL << 20, ide: [null, null, new IdeDrive(DriveMedia.CdRom, new MemoryImage(new byte[2048 * 16], readOnly: true))]);
        var monitor = Monitor(cdOnly.Board);
        Assert.That(monitor.Execute("savevm s"), Is.EqualTo("No block device can accept snapshots\n"));
        Assert.That(monitor.Execute("info snapshots"), Is.EqualTo("No available block device supports snapshots\n"));
        var readOnlyDisk = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, new MemoryImage(new byte[1 << 20], readOnly: true))]);
        Assert.That(Monitor(readOnlyDisk.Board).Execute("savevm"), Is.EqualTo("No block device can accept snapshots\n"));
    }

    [Test]
    public void A_damaged_vm_state_is_refused_and_nothing_changes()
    {
        var hd0 = new SnapshottingImage(new byte[1 << 20]);
        var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, hd0)]);
        rig.Run(200_000);
        var monitor = Monitor(rig.Board);
        Assert.That(monitor.Execute("savevm s"), Is.Empty);
        var state = hd0.ReadVmState("s");
        state[state.Length / 2] ^= 1;
        hd0.CorruptVmState("s", state);
        rig.Run(50_000);
        hd0.Data[0] = 0x42;   // written after the snapshot: loadvm must not revert it when it fails
        var before = MachineStateWriter.Save(rig.Board.Saveables);
        Assert.That(monitor.Execute("loadvm s"),
            Is.EqualTo("Error: snapshot 's' cannot be loaded: the machine snapshot is damaged (checksum mismatch)\n"));
        Assert.That(MachineStateWriter.Save(rig.Board.Saveables), Is.EqualTo(before));
        Assert.That(hd0.Data[0], Is.EqualTo(0x42));
        hd0.CorruptVmState("s", []);
        Assert.That(monitor.Execute("loadvm s"), Is.EqualTo("This is a disk-only snapshot. Revert to it offline using qemu-img\n"));
    }

    [Test]
    public void Bad_arguments_are_one_error_line()
    {
        var monitor = Monitor(new BiosRig(16UL << 20).Board);
        Assert.That(monitor.Execute("loadvm"), Is.EqualTo("loadvm: usage: loadvm tag\n"));
        Assert.That(monitor.Execute("delvm a b"), Is.EqualTo("delvm: usage: delvm tag\n"));
        Assert.That(monitor.Execute("savevm a b"), Is.EqualTo("savevm: too many arguments\n"));
        Assert.That(monitor.Execute("help savevm"), Is.EqualTo("savevm [tag] -- save a VM snapshot. If no tag is provided, a new snapshot is created\n"));
    }

    /// <summary>
    /// savevm on a 64 MiB qcow2 disk, then (as a user would between two emu runs) <c>emu img resize</c>
    /// to 128 MiB: loadvm gives the image its 64 MiB again (the snapshot's disk_size, as QEMU's
    /// qcow2_snapshot_goto), and the drive, whose capacity is in the loaded machine state, says
    /// so in IDENTIFY (words 60-61 and 100-103, ATA/ATAPI-6 8.15) read by port I/O.
    /// </summary>
    [Test]
    public void Loadvm_gives_the_disk_and_the_drive_the_size_the_snapshot_was_taken_at()
    {
        using var dir = new Emulator.Tests.Frontend.TempDir();
        string path = dir.File("d.qcow2");
        Assert.That(Emulator.Frontend.EmuMain.Run(["img", "create", "-f", "qcow2", path, "64M"], new StringWriter(), new StringWriter()), Is.Zero);
        byte[] expected;
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, image)]);
            rig.Run(3_000_000);   // past POST: the BIOS found nothing to boot, and no IDE command is under way
            Assert.That(Monitor(rig.Board).Execute("savevm small"), Is.Empty);
            expected = MachineStateWriter.Save(rig.Board.Saveables);
        }
        var err = new StringWriter();
        Assert.That(Emulator.Frontend.EmuMain.Run(["img", "resize", path, "128M"], new StringWriter(), err), Is.Zero, err.ToString());

        // First with the VM state damaged in the file: one error, and neither the machine nor the
        // disk's size changes.
        var file = File.ReadAllBytes(path);
        int at = file.AsSpan().IndexOf("EMUSNAP\x1A"u8);
        Assert.That(at, Is.GreaterThan(0), "the VM state's first cluster");
        file[at + 200] ^= 0x40;
        File.WriteAllBytes(path, file);
        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, image)]);
            rig.Run(1000);
            var before = MachineStateWriter.Save(rig.Board.Saveables);
            Assert.That(Monitor(rig.Board).Execute("loadvm small"),
                Is.EqualTo("Error: snapshot 'small' cannot be loaded: the machine snapshot is damaged (checksum mismatch)\n"));
            Assert.That(image.Length, Is.EqualTo(128L << 20));
            Assert.That(MachineStateWriter.Save(rig.Board.Saveables), Is.EqualTo(before));
        }
        file[at + 200] ^= 0x40;
        File.WriteAllBytes(path, file);

        using (var image = ImageOpener.Open(path, null, readOnly: false))
        {
            var rig = new BiosRig(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, image)]);
            var drive = (Emulator.Devices.Storage.Ide.AtaDisk)rig.Board.Ide.Channel(0).Device(0)!;
            Assert.That(drive.Sectors, Is.EqualTo(128L << 11), "powered on with the resized image");
            Assert.That(Monitor(rig.Board).Execute("loadvm small"), Is.Empty);
            Assert.That(image.Length, Is.EqualTo(64L << 20));
            Assert.That(drive.Sectors, Is.EqualTo(64L << 11));
            Assert.That(drive.DefaultCylinders, Is.EqualTo(130), "64 MiB / (16 x 63 x 512)");
            Assert.That(MachineStateWriter.Save(rig.Board.Saveables), Is.EqualTo(expected));
            var identify = Identify(rig.Board);
            Assert.That(identify[60] | identify[61] << 16, Is.EqualTo(64 << 11), "LBA28 capacity");
            Assert.That(identify[100] | identify[101] << 16, Is.EqualTo(64 << 11), "LBA48 capacity");
            Assert.That(identify[1], Is.EqualTo(130), "cylinders");
        }
        Emulator.Tests.Storage.QemuTools.AssertCheckClean(path);
    }

    /// <summary>IDENTIFY DEVICE on the primary master through the ports, the clock moved past its command delay (the CPU does not run).</summary>
    static ushort[] Identify(PcBoard board)
    {
        var io = board.Machine.Io;
        var clock = board.Machine.Clock;
        io.Out(0x1F6, 1, 0xA0);
        io.Out(0x1F7, 1, 0xEC);
        clock.AdvanceTo(clock.Now + Emulator.Devices.Storage.Ide.IdeDevice.StepDelayNs);
        clock.RunDue();
        Assert.That(io.In(0x1F7, 1) & 0x08, Is.EqualTo(0x08), "DRQ for the IDENTIFY data");
        var words = new ushort[256];
        for (int i = 0; i < 256; i++) words[i] = (ushort)io.In(0x1F0, 2);
        return words;
    }
}
