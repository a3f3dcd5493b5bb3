using Emulator.Core.Time;

namespace Emulator.Core.State;

/// <summary>
/// The virtual clock's time, the first section a snapshot loads: loading it sets the time and
/// drops every pending event, so the devices loaded after it re-schedule their events at their
/// saved due times against the restored time. <see cref="PendingEventsSnapshot"/>, loaded last,
/// checks they did.
/// </summary>
public sealed class ClockSnapshot(VirtualClock clock) : ISaveable
{
    public string SnapshotName => "clock";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(clock.NanosecondsPerInstruction);
        writer.Write(clock.Now);
    }

    /// <exception cref="InvalidDataException">The snapshot ran at another speed (its due times would mean other instruction counts).</exception>
    public void LoadState(BinaryReader reader, int version)
    {
        long nsPerInstruction = reader.ReadInt64();
        if (nsPerInstruction != clock.NanosecondsPerInstruction)
            throw new InvalidDataException($"the snapshot's clock runs at {nsPerInstruction} ns per instruction, this machine's at {clock.NanosecondsPerInstruction}");
        long now = reader.ReadInt64();
        if (now < 0) throw new InvalidDataException($"the snapshot's virtual time {now} is negative");
        clock.Restore(now);
    }
}
