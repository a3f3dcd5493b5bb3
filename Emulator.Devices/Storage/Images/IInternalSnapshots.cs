namespace Emulator.Devices.Storage.Images;

/// <summary>One internal snapshot of an image, as `qemu-img snapshot -l` and the monitor's
/// `info snapshots` list it (qcow2 spec, "Snapshots": id, name, VM state size, date, VM clock, and
/// the record/replay instruction count, null when none was recorded, as qemu-img shows a blank).</summary>
public sealed record ImageSnapshot(string Id, string Name, ulong VmStateSize, DateTimeOffset Date, ulong VmClockNs, ulong? Icount = null);

/// <summary>
/// An image that keeps internal snapshots: the disk contents at a point, plus an optional
/// VM state blob (the machine's saved state) stored with it, as QEMU's savevm does in qcow2.
/// The monitor's savevm/loadvm/delvm and `emu img snapshot` work through this; an image that
/// does not implement it cannot take part in savevm (QEMU: "Device '...' is writable but does
/// not support snapshots").
/// </summary>
public interface IInternalSnapshots
{
    IReadOnlyList<ImageSnapshot> Snapshots { get; }

    /// <summary>Takes a snapshot of the current disk contents and stores <paramref name="vmState"/>
    /// with it (empty for a disk-only snapshot). A snapshot with the same name is replaced.</summary>
    /// <exception cref="ImageException">The image is read-only or cannot take the snapshot (one line, nothing changed); IOException: host I/O failed.</exception>
    ImageSnapshot CreateSnapshot(string name, ReadOnlySpan<byte> vmState, ulong vmClockNs);

    /// <summary>Makes the disk contents those of the snapshot (by id or name); later writes do not change it.</summary>
    /// <exception cref="ImageException">No such snapshot, the image is read-only, or its tables are corrupt.</exception>
    void RevertToSnapshot(string idOrName);

    /// <summary>The VM state stored with the snapshot (empty if it has none).</summary>
    byte[] ReadVmState(string idOrName);

    void DeleteSnapshot(string idOrName);
}
