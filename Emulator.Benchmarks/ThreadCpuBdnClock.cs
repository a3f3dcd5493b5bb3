using Perfolizer.Horology;

namespace Emulator.Benchmarks;

/// <summary>A BenchmarkDotNet clock that counts this thread's CPU time (see <see cref="ThreadCpuClock"/>), for <c>bdn --cpu-time</c>.</summary>
internal sealed class ThreadCpuBdnClock : IClock
{
    public string Title => "thread CPU time";
    public bool IsAvailable => ThreadCpuClock.IsAvailable;
    public Frequency Frequency => new(1e9);
    public long GetTimestamp() => (long)(ThreadCpuClock.Now() * 1e9);
}
