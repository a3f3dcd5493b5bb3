using System.Diagnostics;

namespace Emulator.Core.Time;

/// <summary>
/// Ties virtual time to the host's wall clock for interactive use (DESIGN.md, Time): the
/// machine may not run ahead of real time, and while the guest idles, virtual time follows
/// the wall clock instead of jumping to the next event. When emulation falls behind (a
/// slow host), the lag is dropped rather than caught up in a burst.
/// </summary>
public sealed class WallClockPacer
{
    readonly Stopwatch stopwatch = Stopwatch.StartNew();
    long virtualBase, wallBase;

    /// <summary>How far behind real time the guest may fall before the pacer stops trying to catch up.</summary>
    public long MaxLagNanoseconds { get; init; } = 100_000_000;

    long WallNanoseconds => (long)(stopwatch.ElapsedTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>Makes <paramref name="virtualNow"/> correspond to the current wall time.</summary>
    public void Resync(long virtualNow)
    {
        virtualBase = virtualNow;
        wallBase = WallNanoseconds;
    }

    /// <summary>Nanoseconds virtual time is ahead of the wall clock (negative when behind).</summary>
    public long AheadOf(long virtualNow)
    {
        long ahead = (virtualNow - virtualBase) - (WallNanoseconds - wallBase);
        if (ahead < -MaxLagNanoseconds)
        {
            Resync(virtualNow);
            return 0;
        }
        return ahead;
    }

    /// <summary>The virtual time that corresponds to now on the wall clock.</summary>
    public long VirtualNow => virtualBase + (WallNanoseconds - wallBase);
}
