using Emulator.Core.Time;

namespace Emulator.Core.State;

/// <summary>
/// The virtual clock's pending events by name and due time, in queue order: the last section a
/// snapshot loads. Devices save and re-schedule their own events (they know what an event means);
/// this section checks that after every device has loaded, exactly the saved events are pending
/// at the saved times, and restores their order (events due together run in scheduling order).
/// A device that forgot an event fails the load here instead of diverging later.
/// </summary>
public sealed class PendingEventsSnapshot(VirtualClock clock) : ISaveable
{
    public string SnapshotName => "timers";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer)
    {
        var pending = clock.PendingEvents;
        writer.Write(pending.Count);
        foreach (var e in pending)
        {
            writer.Write(e.Name);
            writer.Write(e.Due);
        }
    }

    /// <exception cref="InvalidDataException">The devices did not schedule exactly the saved events.</exception>
    public void LoadState(BinaryReader reader, int version)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > 1 << 16) throw new InvalidDataException($"the snapshot lists {count} pending events");
        var saved = new List<(string Name, long Due)>(count);
        for (int i = 0; i < count; i++) saved.Add((reader.ReadString(), reader.ReadInt64()));

        var unmatched = new List<TimerEvent>(clock.PendingEvents);
        var order = new List<TimerEvent>(count);
        foreach (var (name, due) in saved)
        {
            int i = unmatched.FindIndex(e => e.Name == name && e.Due == due);
            if (i < 0)
                throw new InvalidDataException($"timer event '{name}' due at {due} ns was not re-scheduled by its device");
            order.Add(unmatched[i]);
            unmatched.RemoveAt(i);
        }
        if (unmatched.Count > 0)
            throw new InvalidDataException($"timer event '{unmatched[0].Name}' due at {unmatched[0].Due} ns is pending but was not in the snapshot");
        clock.Reorder(order);
    }
}
