using Emulator.Core.State;

namespace Emulator.Tests.Snapshots;

/// <summary>A device's snapshot section as bytes, for the save/load/save round-trip tests every device has.</summary>
internal static class SnapshotBytes
{
    public static byte[] Save(ISaveable device)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms)) device.SaveState(w);
        return ms.ToArray();
    }

    /// <summary>Loads a section written by <see cref="Save"/> at the device's current version.</summary>
    public static void Load(ISaveable device, byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        device.LoadState(r, device.SnapshotVersion);
    }
}
