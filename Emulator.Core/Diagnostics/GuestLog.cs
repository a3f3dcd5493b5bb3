using Emulator.Core.Time;

namespace Emulator.Core.Diagnostics;

/// <summary>What a <see cref="GuestLog"/> line reports (QEMU's <c>-d</c> item names).</summary>
public enum GuestLogKind : byte
{
    /// <summary><c>guest_errors</c>: something real hardware tolerates but that usually means a guest bug.</summary>
    GuestError,
    /// <summary><c>unimp</c>: a feature the guest used that emu knows it does not implement.</summary>
    Unimplemented,
}

/// <summary>
/// The sink for <c>-d guest_errors</c> and <c>-d unimp</c>: devices, the memory map and the machine
/// report here, one line per event, "guest_errors: SOURCE: MESSAGE" or "unimp: SOURCE: MESSAGE".
/// </summary>
/// <remarks>
/// <para>Reporters hold a <c>GuestLog?</c> that is null while logging is off, so an event costs a
/// null test and nothing else (the message is only formatted behind it).</para>
/// <para>Rate limit: a guest that repeats a mistake in a loop must not fill the disk. Each
/// (kind, source) pair prints at most <see cref="Burst"/> lines per window of
/// <see cref="WindowNs"/> virtual nanoseconds; the rest are counted, and the count is printed as
/// "N similar messages suppressed" when the pair reports again in a later window or at
/// <see cref="Flush"/>. The window is in virtual time, so the log of a run does not depend on the
/// host's speed.</para>
/// </remarks>
public sealed class GuestLog
{
    /// <summary>Lines each (kind, source) pair may print per window.</summary>
    public const int Burst = 10;

    /// <summary>The rate-limit window: one virtual second.</summary>
    public const long WindowNs = 1_000_000_000;

    sealed class Budget
    {
        public long WindowStart;
        public int Printed;
        public long Suppressed;
    }

    readonly VirtualClock clock;
    readonly Action<string> write;
    readonly Dictionary<(GuestLogKind, string), Budget> budgets = new();

    /// <param name="clock">Virtual time, for the rate-limit window.</param>
    /// <param name="write">Writes one line (without its newline).</param>
    /// <param name="errors">Print <see cref="GuestLogKind.GuestError"/> lines.</param>
    /// <param name="unimplemented">Print <see cref="GuestLogKind.Unimplemented"/> lines.</param>
    public GuestLog(VirtualClock clock, Action<string> write, bool errors, bool unimplemented)
    {
        this.clock = clock;
        this.write = write;
        ErrorsEnabled = errors;
        UnimplementedEnabled = unimplemented;
    }

    public bool ErrorsEnabled { get; }
    public bool UnimplementedEnabled { get; }

    /// <summary>Reports a guest error (<c>-d guest_errors</c>). <paramref name="source"/> is a short fixed name ("ide0", "fdc", "memory").</summary>
    public void Error(string source, string message) => Report(GuestLogKind.GuestError, source, message);

    /// <summary>Reports use of something not implemented (<c>-d unimp</c>).</summary>
    public void Unimplemented(string source, string message) => Report(GuestLogKind.Unimplemented, source, message);

    public void Report(GuestLogKind kind, string source, string message)
    {
        if (!(kind == GuestLogKind.GuestError ? ErrorsEnabled : UnimplementedEnabled)) return;
        if (!budgets.TryGetValue((kind, source), out var b))
        {
            b = new Budget { WindowStart = clock.Now };
            budgets.Add((kind, source), b);
        }
        long now = clock.Now;
        // A loadvm can take virtual time back: that starts a new window too.
        if (now - b.WindowStart >= WindowNs || now < b.WindowStart)
        {
            WriteSuppressed(kind, source, b);
            b.WindowStart = now;
            b.Printed = 0;
        }
        if (b.Printed >= Burst)
        {
            b.Suppressed++;
            return;
        }
        b.Printed++;
        write($"{Prefix(kind)}: {source}: {message}");
    }

    /// <summary>Prints the counts still suppressed (at exit, so a flood's size is not lost).</summary>
    public void Flush()
    {
        foreach (var ((kind, source), b) in budgets) WriteSuppressed(kind, source, b);
    }

    void WriteSuppressed(GuestLogKind kind, string source, Budget b)
    {
        if (b.Suppressed == 0) return;
        write($"{Prefix(kind)}: {source}: {b.Suppressed} similar message{(b.Suppressed == 1 ? "" : "s")} suppressed");
        b.Suppressed = 0;
    }

    static string Prefix(GuestLogKind kind) => kind == GuestLogKind.GuestError ? "guest_errors" : "unimp";
}
