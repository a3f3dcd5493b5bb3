namespace Emulator.Core.Time;

/// <summary>
/// Guest time and its event queue. Time is virtual, in nanoseconds, advanced by the
/// CPU from its instruction count (and skipped forward while the CPU halts), so a run
/// with the same inputs is the same run every time. Devices schedule
/// <see cref="TimerEvent"/>s; the CPU runs until <see cref="NextDue"/> then calls
/// <see cref="RunDue"/>.
/// </summary>
public sealed class VirtualClock
{
    readonly List<TimerEvent> queue = new();   // sorted by Due; a PC has a handful of timers

    /// <summary>Virtual nanoseconds per retired instruction (the guest's nominal speed).</summary>
    public long NanosecondsPerInstruction { get; }

    public VirtualClock(long nanosecondsPerInstruction = 5) => NanosecondsPerInstruction = nanosecondsPerInstruction;

    /// <summary>The current virtual time in nanoseconds.</summary>
    public long Now { get; private set; }

    /// <summary>The due time of the earliest event, or <see cref="long.MaxValue"/>.</summary>
    public long NextDue => queue.Count > 0 ? queue[0].Due : long.MaxValue;

    /// <summary>Advances time; never backwards.</summary>
    public void Advance(long nanoseconds)
    {
        if (nanoseconds > 0) Now += nanoseconds;
    }

    /// <summary>Sets the time forward to <paramref name="time"/> (used while halted).</summary>
    public void AdvanceTo(long time)
    {
        if (time > Now) Now = time;
    }

    /// <summary>
    /// Called when a newly scheduled event becomes the earliest. The machine uses it to end the
    /// CPU's current slice, which was sized to the previous earliest event, so an event a device
    /// schedules mid-slice (a UART's transmit-done after an OUT) runs on time.
    /// </summary>
    public Action? EarliestChanged { get; set; }

    public void Schedule(TimerEvent e, long due)
    {
        if (e.Pending) queue.Remove(e);
        e.Due = due;
        e.Pending = true;
        int i = queue.Count;
        while (i > 0 && queue[i - 1].Due > due) i--;
        queue.Insert(i, e);
        if (i == 0) EarliestChanged?.Invoke();
    }

    public void Cancel(TimerEvent e)
    {
        if (!e.Pending) return;
        queue.Remove(e);
        e.Pending = false;
    }

    /// <summary>Runs every event due at or before <see cref="Now"/>, in order.</summary>
    public void RunDue()
    {
        while (queue.Count > 0 && queue[0].Due <= Now)
        {
            var e = queue[0];
            queue.RemoveAt(0);
            e.Pending = false;
            e.Callback(e.Due);
        }
    }

    public IReadOnlyList<TimerEvent> PendingEvents => queue;

    /// <summary>
    /// A snapshot being loaded: time becomes <paramref name="now"/> (also backwards) and no event is
    /// pending; each device then schedules its own events again from its saved due times.
    /// </summary>
    internal void Restore(long now)
    {
        foreach (var e in queue) e.Pending = false;
        queue.Clear();
        Now = now;
    }

    /// <summary>
    /// Puts the pending events in <paramref name="order"/>, which must list exactly the pending
    /// events: events due at the same time run in the order they were scheduled, which devices
    /// re-scheduling in load order would not keep.
    /// </summary>
    internal void Reorder(IReadOnlyList<TimerEvent> order)
    {
        if (order.Count != queue.Count) throw new ArgumentException("not the pending events", nameof(order));
        queue.Clear();
        queue.AddRange(order);
    }
}
