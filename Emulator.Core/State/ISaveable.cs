namespace Emulator.Core.State;

/// <summary>
/// A device (or the CPU) whose state is saved in a snapshot. The state is written beside
/// the fields it comes from, versioned, and <see cref="LoadState"/> recomputes anything
/// derived (STYLE.md, save-state). A round trip (save, load, save) must give the same bytes.
/// </summary>
public interface ISaveable
{
    /// <summary>A stable name for the section in a snapshot (e.g. "pic0", "pit").</summary>
    string SnapshotName { get; }

    /// <summary>The version of the layout <see cref="SaveState"/> writes.</summary>
    int SnapshotVersion { get; }

    void SaveState(BinaryWriter writer);

    /// <summary>Loads a section written by <see cref="SaveState"/> at <paramref name="version"/>.</summary>
    void LoadState(BinaryReader reader, int version);
}
