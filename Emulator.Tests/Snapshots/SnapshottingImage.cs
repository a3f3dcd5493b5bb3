using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// A test double for a format with internal snapshots (the contract qcow2 implements): a flat
/// in-memory disk whose snapshots are whole copies of its bytes, with the VM state kept beside.
/// </summary>
internal sealed class SnapshottingImage(byte[] data) : IBlockImage, IInternalSnapshots
{
    readonly List<(ImageSnapshot Info, byte[] Disk, byte[] VmState)> snapshots = new();
    int nextId = 1;

    public byte[] Data { get; } = data;
    public long Length => Data.Length;
    public bool ReadOnly => false;
    public void Read(long offset, Span<byte> buffer) => Data.AsSpan((int)offset, buffer.Length).CopyTo(buffer);
    public void Write(long offset, ReadOnlySpan<byte> bytes) => bytes.CopyTo(Data.AsSpan((int)offset));
    public void Flush() { }
    public void Dispose() { }

    public IReadOnlyList<ImageSnapshot> Snapshots => snapshots.Select(s => s.Info).ToList();

    public ImageSnapshot CreateSnapshot(string name, ReadOnlySpan<byte> vmState, ulong vmClockNs)
    {
        snapshots.RemoveAll(s => s.Info.Name == name);
        var info = new ImageSnapshot((nextId++).ToString(), name, (ulong)vmState.Length, DateTimeOffset.UnixEpoch, vmClockNs);
        snapshots.Add((info, (byte[])Data.Clone(), vmState.ToArray()));
        return info;
    }

    public void RevertToSnapshot(string idOrName) => Get(idOrName).Disk.CopyTo(Data, 0);

    public byte[] ReadVmState(string idOrName) => Get(idOrName).VmState;

    /// <summary>Replaces a snapshot's VM state (a damaged image).</summary>
    public void CorruptVmState(string name, byte[] vmState)
    {
        int i = snapshots.FindIndex(s => s.Info.Name == name);
        snapshots[i] = (snapshots[i].Info, snapshots[i].Disk, vmState);
    }

    public void DeleteSnapshot(string idOrName) => snapshots.Remove(Get(idOrName));

    (ImageSnapshot Info, byte[] Disk, byte[] VmState) Get(string idOrName) =>
        snapshots.Find(s => s.Info.Name == idOrName || s.Info.Id == idOrName) is { Info: not null } s ? s
            : throw new IOException($"no snapshot '{idOrName}'");
}
