using System.Runtime.InteropServices;

namespace Emulator.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread (Linux CLOCK_THREAD_CPUTIME_ID). On a shared
/// machine wall time includes the time other processes held the core; this does not, so it
/// is the steadier number for comparing changes to the core.
/// </summary>
internal static partial class ThreadCpuClock
{
    const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    struct Timespec { public long Seconds; public long Nanoseconds; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec ts);

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && Probe();

    static bool Probe()
    {
        try { return ClockGetTime(ClockThreadCpuTimeId, out _) == 0; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    /// <summary>Seconds of CPU time of this thread so far, or NaN when not available.</summary>
    public static double Now()
    {
        if (!IsAvailable) return double.NaN;
        ClockGetTime(ClockThreadCpuTimeId, out var ts);
        return ts.Seconds + ts.Nanoseconds * 1e-9;
    }
}
