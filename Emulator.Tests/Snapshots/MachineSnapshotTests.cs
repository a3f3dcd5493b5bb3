using Emulator.Core.State;
using Emulator.Devices.Storage.Images;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// Whole-machine snapshots (MachineStateWriter/Reader over PcBoard.Saveables) with a busy guest
/// (<see cref="BusyGuest"/>: PIT at 1 kHz, ATA PIO and DMA, the 8042, HLT): a restored machine
/// continues exactly as the saved one did, and save/load/save gives the same bytes.
/// </summary>
public class MachineSnapshotTests
{
    const long TraceLength = 200_000;

    /// <summary>
    /// Saved at instruction N (during POST, and at two points of the guest's loop, with IDE and
    /// PIT events pending), the original runs on with a trace; a fresh machine loads the snapshot
    /// and runs as long: the traces agree block by block, and so do the two machines' snapshots after.
    /// </summary>
    [TestCase(150_000)]
    [TestCase(1_000_000)]
    [TestCase(1_234_567)]
    public void A_restored_machine_continues_exactly_as_the_saved_one(long saveAt)
    {
        var disk = BusyGuest.DiskBytes();
        var original = BusyGuest.Rig(new MemoryImage((byte[])disk.Clone()));
        original.Run(saveAt);
        var snapshot = MachineStateWriter.Save(original.Board.Saveables);
        var expected = ExecutionTrace.Record(original.Machine, TraceLength);

        var restored = BusyGuest.Rig(new MemoryImage((byte[])disk.Clone()));
        MachineStateReader.Load(restored.Board.Saveables, snapshot);
        var actual = ExecutionTrace.Record(restored.Machine, TraceLength);

        Assert.That(expected.Steps, Has.Count.GreaterThan(1000));
        Assert.That(ExecutionTrace.FirstDifference(expected, actual), Is.Null);
        Assert.That(MachineStateWriter.Save(restored.Board.Saveables), Is.EqualTo(MachineStateWriter.Save(original.Board.Saveables)),
            "the machines' whole state after the run");
    }

    [Test]
    public void Save_load_save_gives_the_same_bytes_in_the_same_and_in_a_fresh_machine()
    {
        var disk = BusyGuest.DiskBytes();
        var rig = BusyGuest.Rig(new MemoryImage((byte[])disk.Clone()));
        rig.Run(1_111_111);
        var first = MachineStateWriter.Save(rig.Board.Saveables);

        MachineStateReader.Load(rig.Board.Saveables, first);
        Assert.That(MachineStateWriter.Save(rig.Board.Saveables), Is.EqualTo(first), "loaded into the machine it came from");

        var fresh = BusyGuest.Rig(new MemoryImage((byte[])disk.Clone()));
        MachineStateReader.Load(fresh.Board.Saveables, first);
        Assert.That(MachineStateWriter.Save(fresh.Board.Saveables), Is.EqualTo(first), "loaded into a new machine");
    }
}
