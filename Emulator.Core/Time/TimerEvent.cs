namespace Emulator.Core.Time;

/// <summary>
/// A callback a device schedules on the virtual clock. One object per timer, re-armed
/// as often as needed; the stable <see cref="Name"/> lets snapshots record pending events.
/// </summary>
public sealed class TimerEvent
{
    public TimerEvent(string name, Action<long> callback)
    {
        Name = name;
        Callback = callback;
    }

    public string Name { get; }

    /// <summary>Called with the virtual time (ns) the event was due at.</summary>
    public Action<long> Callback { get; }

    /// <summary>Due time in virtual nanoseconds, when <see cref="Pending"/>.</summary>
    public long Due { get; internal set; }

    public bool Pending { get; internal set; }
}
