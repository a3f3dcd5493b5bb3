using System.Globalization;
using System.Text;
using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// QEMU's internal snapshots (<c>savevm</c>, <c>loadvm</c>, <c>delvm</c>, <c>info snapshots</c>,
/// <c>-loadvm</c>; QEMU's migration/savevm.c): every writable disk gets a disk snapshot of the
/// same name, and the machine's state (<see cref="PcBoard.Saveables"/>) is stored with the one on
/// the first writable disk. Read-only media (CD-ROMs, <c>readonly=on</c>) take no part. A writable
/// disk whose format keeps no snapshots (<see cref="IInternalSnapshots"/>: raw images) stops
/// savevm and loadvm before anything changes, as in QEMU.
/// </summary>
internal sealed class VmSnapshots(PcBoard board)
{
    /// <summary>The drives with a medium, by QEMU's names: ide0-hd0 ... ide1-hd1, floppy0, floppy1.</summary>
    IEnumerable<(string Name, IBlockImage Image)> BlockDevices()
    {
        for (int c = 0; c < 2; c++)
            for (int u = 0; u < 2; u++)
                if (board.Ide.Channel(c).Device(u) is AtaDisk disk)
                    yield return ($"ide{c}-hd{u}", disk.Image);
        // ATAPI media are read-only (MMC-5: a CD-ROM drive has no write commands here), so CDs are left out.
        for (int i = 0; i < 2; i++)
            if (board.Floppy.Drive(i)?.Image is { } floppy)
                yield return ($"floppy{i}", floppy);
    }

    /// <summary>The writable disks, each able to keep snapshots (QEMU's bdrv_all_can_snapshot).</summary>
    /// <exception cref="MonitorError">A writable disk cannot keep snapshots.</exception>
    List<(string Name, IInternalSnapshots Snapshots)> WritableDisks()
    {
        var result = new List<(string, IInternalSnapshots)>();
        foreach (var (name, image) in BlockDevices())
        {
            if (image.ReadOnly) continue;
            if (image is not IInternalSnapshots snapshots)
                throw new MonitorError($"Device '{name}' is writable but does not support snapshots");
            result.Add((name, snapshots));
        }
        return result;
    }

    /// <summary>The first writable disk, which holds the VM state (QEMU's bdrv_all_find_vmstate_bs).</summary>
    static (string Name, IInternalSnapshots Snapshots) VmStateDisk(List<(string Name, IInternalSnapshots Snapshots)> disks) =>
        disks.Count > 0 ? disks[0] : throw new MonitorError("No block device can accept snapshots");

    /// <summary><c>savevm [tag]</c>: without a tag QEMU names the snapshot vm-YYYYMMDDHHMMSS (local time).</summary>
    public void Save(string? tag)
    {
        var disks = WritableDisks();
        var vmStateDisk = VmStateDisk(disks);
        tag ??= "vm-" + DateTime.Now.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        byte[] state;
        try
        {
            state = MachineStateWriter.Save(board.Saveables);
        }
        catch (SnapshotException e)
        {
            throw new MonitorError($"Error: {e.Message}");
        }
        ulong clock = (ulong)board.Machine.Clock.Now;
        foreach (var (name, snapshots) in disks)
        {
            try
            {
                snapshots.CreateSnapshot(tag, name == vmStateDisk.Name ? state : [], clock);
            }
            catch (Exception e) when (e is IOException or ImageException)
            {
                throw new MonitorError($"Error while creating snapshot on '{name}': {e.Message}");
            }
        }
    }

    /// <summary>
    /// <c>loadvm tag</c>: the machine state is loaded first (all or nothing, so a snapshot that does
    /// not fit changes nothing), then every writable disk reverts to its snapshot of that name.
    /// </summary>
    public void Load(string tag)
    {
        var disks = WritableDisks();
        var (vmName, vmDisk) = VmStateDisk(disks);
        foreach (var (name, snapshots) in disks)
            if (Find(snapshots, tag) == null)
                throw new MonitorError(name == vmName
                    ? $"Snapshot '{tag}' does not exist in one or more devices"
                    : $"Device '{name}' does not have the requested snapshot '{tag}'");
        byte[] state;
        try
        {
            state = vmDisk.ReadVmState(tag);
        }
        catch (Exception e) when (e is IOException or ImageException)
        {
            throw new MonitorError($"Error while reading the VM state of '{tag}' on '{vmName}': {e.Message}");
        }
        if (state.Length == 0) throw new MonitorError("This is a disk-only snapshot. Revert to it offline using qemu-img");
        try
        {
            MachineStateReader.Load(board.Saveables, state);
        }
        catch (SnapshotException e)
        {
            throw new MonitorError($"Error: snapshot '{tag}' cannot be loaded: {e.Message}");
        }
        foreach (var (name, snapshots) in disks)
        {
            try
            {
                snapshots.RevertToSnapshot(tag);
            }
            catch (Exception e) when (e is IOException or ImageException)
            {
                throw new MonitorError($"Error while reverting device '{name}' to snapshot '{tag}': {e.Message}");
            }
        }
        // A disk reverted to a snapshot of another size has that size again (qcow2's disk_size);
        // the drive's capacity, loaded with the machine state, is the same unless the snapshot did
        // not record its size, when the drive follows the image as QEMU's resize callback makes it.
        for (int c = 0; c < 2; c++)
            for (int u = 0; u < 2; u++)
                if (board.Ide.Channel(c).Device(u) is AtaDisk disk && disk.Sectors != disk.Image.Length / 512)
                    disk.MediumResized();
    }

    /// <summary><c>delvm tag</c>: removes the snapshot from every disk that has it.</summary>
    public void Delete(string tag)
    {
        foreach (var (name, image) in BlockDevices())
        {
            if (image.ReadOnly || image is not IInternalSnapshots snapshots || Find(snapshots, tag) == null) continue;
            try
            {
                snapshots.DeleteSnapshot(tag);
            }
            catch (Exception e) when (e is IOException or ImageException)
            {
                throw new MonitorError($"Error while deleting snapshot on device '{name}': {e.Message}");
            }
        }
    }

    /// <summary>
    /// <c>info snapshots</c>: the VM-state disk's snapshots that every other writable disk also has,
    /// in QEMU's table (ID is "--": the IDs differ from disk to disk).
    /// </summary>
    public string Info()
    {
        var disks = BlockDevices().Where(d => !d.Image.ReadOnly && d.Image is IInternalSnapshots)
            .Select(d => (d.Name, Snapshots: (IInternalSnapshots)d.Image)).ToList();
        if (disks.Count == 0) return "No available block device supports snapshots\n";
        var list = disks[0].Snapshots.Snapshots;
        if (list.Count == 0) return "There is no snapshot available.\n";
        var onAll = list.Where(s => disks.Skip(1).All(d => Find(d.Snapshots, s.Name) != null)).ToList();
        if (onAll.Count == 0) return "There is no suitable snapshot available\n";
        var sb = new StringBuilder("List of snapshots present on all disks:\n");
        sb.Append($"{"ID",-9} {"TAG",-17} {"VM_SIZE",8} {"DATE",19} {"VM_CLOCK",15} {"ICOUNT",10}\n");
        foreach (var s in onAll)
        {
            ulong ms = s.VmClockNs / 1_000_000;
            string clock = $"{ms / 3_600_000:D2}:{ms / 60_000 % 60:D2}:{ms / 1000 % 60:D2}.{ms % 1000:D3}";
            sb.Append($"{"--",-9} {s.Name,-17} {Size(s.VmStateSize),8} {s.Date.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),19} {clock,15} {"",10}\n");
        }
        return sb.ToString();
    }

    static ImageSnapshot? Find(IInternalSnapshots snapshots, string idOrName) =>
        snapshots.Snapshots.FirstOrDefault(s => s.Name == idOrName) ?? snapshots.Snapshots.FirstOrDefault(s => s.Id == idOrName);

    /// <summary>A size as QEMU's size_to_str prints it: "0 B", "512 B", "1.68 MiB".</summary>
    static string Size(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        if (bytes < 1024) return $"{bytes} B";
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        // Three significant digits, as QEMU's "%0.3g".
        string format = v < 10 ? "0.##" : v < 100 ? "0.#" : "0";
        return v.ToString(format, CultureInfo.InvariantCulture) + " " + units[u];
    }
}
