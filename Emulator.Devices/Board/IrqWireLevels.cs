using Emulator.Core.Interrupts;
using Emulator.Core.State;

namespace Emulator.Devices.Board;

/// <summary>
/// The level of every interrupt wire the board created, in creation order, as a snapshot section.
/// A device restores its own outputs if it drives them from its state, but not every device
/// re-drives its line on load, and the wired-OR counts behind each ISA IRQ follow the wires'
/// levels; setting each wire to its saved level after the devices load makes them all agree.
/// The interrupt controllers load after this, so the edges this may show them are overwritten
/// by their own saved input latches.
/// </summary>
public sealed class IrqWireLevels : ISaveable
{
    readonly List<IrqLine> wires = new();

    /// <summary>Records a wire the board made; returns it.</summary>
    public IrqLine Track(IrqLine wire)
    {
        wires.Add(wire);
        return wire;
    }

    public string SnapshotName => "irq-wires";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(wires.Count);
        foreach (var w in wires) writer.Write(w.Level);
    }

    /// <exception cref="InvalidDataException">The snapshot's board had another number of wires.</exception>
    public void LoadState(BinaryReader reader, int version)
    {
        int count = reader.ReadInt32();
        if (count != wires.Count)
            throw new InvalidDataException($"the snapshot's board has {count} interrupt wires, this one {wires.Count}");
        var levels = new bool[count];
        for (int i = 0; i < count; i++) levels[i] = reader.ReadBoolean();
        for (int i = 0; i < count; i++) wires[i].Set(levels[i]);
    }
}
