namespace Emulator.Core.Debugging;

/// <summary>
/// The CPU's debugger hooks: breakpoints and watchpoints at linear addresses, single
/// step, and stop requests from other threads. A GDB stub or a monitor drives them; the
/// machine then returns <see cref="Machine.StopReason.Debug"/> from Run with
/// <see cref="LastStop"/> saying why.
/// </summary>
/// <remarks>
/// <para>Cost when unused: the execution loop already branches on one "debug armed" test per
/// block (guest TF, DR7); these hooks add a flag to that test and nothing else to the hot
/// path. While breakpoints exist, blocks end before any instruction whose page offset
/// matches a breakpoint's (so every linear alias of the page is covered), and the loop
/// compares CS:EIP's linear address at each block entry. While watchpoints exist, the TLB
/// holds no entries for watched pages, so their accesses take the slow path, which checks
/// the ranges and ends the block after the accessing instruction.</para>
/// <para>Threading: everything but <see cref="RequestBreak"/> runs on the machine's thread,
/// while the machine is stopped. <see cref="RequestBreak"/> may be called from any thread.</para>
/// </remarks>
public sealed class DebugHooks
{
    readonly Cpu.Cpu cpu;
    readonly HashSet<ulong> breakpoints = new();
    /// <summary>Bit n set when some breakpoint's linear address has page offset n.</summary>
    internal readonly ulong[] breakOffsets = new ulong[4096 / 64];
    readonly List<Watchpoint> watchpoints = new();
    volatile bool breakRequested;
    DebugStop? pending;
    bool stepRequested;

    readonly record struct Watchpoint(ulong Start, ulong Length, WatchKind Kind);

    internal DebugHooks(Cpu.Cpu cpu) => this.cpu = cpu;

    /// <summary>Called by <see cref="RequestBreak"/> to wake a machine that waits for time to pass.</summary>
    internal Action? Wake;

    /// <summary>Why the machine last stopped for the debugger.</summary>
    public DebugStop LastStop { get; private set; } = new(DebugStopKind.Interrupt);

    public IReadOnlyCollection<ulong> Breakpoints => breakpoints;
    public bool HasBreakpoints => breakpoints.Count != 0;
    public int WatchpointCount => watchpoints.Count;

    /// <summary>Adds a breakpoint at a linear address: the CPU stops before executing an instruction that starts there.</summary>
    public void AddBreakpoint(ulong linear)
    {
        if (!breakpoints.Add(linear)) return;
        RebuildOffsets();
    }

    /// <summary>Removes a breakpoint; false if there was none at <paramref name="linear"/>.</summary>
    public bool RemoveBreakpoint(ulong linear)
    {
        if (!breakpoints.Remove(linear)) return false;
        RebuildOffsets();
        return true;
    }

    /// <summary>
    /// Adds a watchpoint over <paramref name="length"/> bytes from <paramref name="linear"/>;
    /// false for an empty or wrapping range. The CPU stops after an instruction whose data
    /// access (including implicit ones: stack pushes, descriptor reads) touches the range.
    /// </summary>
    public bool AddWatchpoint(ulong linear, ulong length, WatchKind kind)
    {
        if (length == 0 || linear + length < linear || (kind & WatchKind.Access) == 0) return false;
        watchpoints.Add(new Watchpoint(linear, length, kind));
        WatchesChanged();
        return true;
    }

    /// <summary>Removes a watchpoint added with the same address, length and kind; false if there is none.</summary>
    public bool RemoveWatchpoint(ulong linear, ulong length, WatchKind kind)
    {
        int i = watchpoints.IndexOf(new Watchpoint(linear, length, kind));
        if (i < 0) return false;
        watchpoints.RemoveAt(i);
        WatchesChanged();
        return true;
    }

    /// <summary>Removes every breakpoint and watchpoint (a debugger detached).</summary>
    public void ClearAll()
    {
        if (breakpoints.Count != 0) { breakpoints.Clear(); RebuildOffsets(); }
        if (watchpoints.Count != 0) { watchpoints.Clear(); WatchesChanged(); }
    }

    /// <summary>
    /// Makes the next Run execute exactly one instruction and stop with
    /// <see cref="DebugStopKind.Step"/>. Maskable interrupts and NMIs are held off during the
    /// step (as QEMU's gdbstub does by default), so a step never wanders into an interrupt
    /// handler; an instruction that faults, or raises INT n, INT3 or INTO, has its exception
    /// delivered and the step stops at the first instruction of the handler. If the CPU is
    /// halted, the step waits for the interrupt that wakes it, delivers it and stops at the
    /// handler's first instruction (no instruction executed).
    /// </summary>
    public void RequestStep()
    {
        stepRequested = true;
        cpu.UpdateDebugFlags();
    }

    /// <summary>Asks the machine to stop with <see cref="DebugStopKind.Interrupt"/> at the next block boundary. Thread-safe.</summary>
    public void RequestBreak()
    {
        breakRequested = true;
        cpu.RequestExit();
        Wake?.Invoke();
    }

    /// <summary>Withdraws a <see cref="RequestBreak"/> that has not stopped the machine yet (it stopped for another reason first).</summary>
    public void CancelBreak() => breakRequested = false;

    internal bool StepRequested => stepRequested;

    /// <summary>True when Run must return <see cref="Machine.StopReason.Debug"/>.</summary>
    internal bool StopPending => pending != null || breakRequested;

    /// <summary>Moves the pending stop to <see cref="LastStop"/>; called by Run as it returns.</summary>
    internal void TakeStop()
    {
        if (pending is { } p) LastStop = p;
        else LastStop = new DebugStop(DebugStopKind.Interrupt);
        pending = null;
        breakRequested = false;
        if (stepRequested) { stepRequested = false; cpu.UpdateDebugFlags(); }
    }

    /// <summary>Records a stop (the first one wins) and makes the CPU leave its loop at the next boundary.</summary>
    internal void Stop(DebugStop stop)
    {
        pending ??= stop;
        cpu.DebugStopRequested();
    }

    internal bool IsBreakpoint(ulong linear) =>
        (breakOffsets[(int)(linear & 0xFFF) >> 6] & (1UL << (int)(linear & 63))) != 0 && breakpoints.Contains(linear);

    /// <summary>Which TLB entries a linear page must not get: read-watched pages none, write-watched pages no write entries.</summary>
    internal void WatchedPage(ulong page, out bool noRead, out bool noWrite)
    {
        noRead = noWrite = false;
        foreach (var w in watchpoints)
        {
            if (w.Start > page + 0xFFF || w.Start + w.Length - 1 < page) continue;
            noWrite = true;   // a read-modify-write reads through the write entry, so read watches drop it too
            if ((w.Kind & WatchKind.Read) != 0) noRead = true;
        }
    }

    /// <summary>Checks a data access of <paramref name="size"/> bytes at linear <paramref name="linear"/> against the watchpoints.</summary>
    internal void CheckAccess(ulong linear, int size, bool write)
    {
        ulong last = linear + (ulong)size - 1;
        foreach (var w in watchpoints)
        {
            if ((w.Kind & (write ? WatchKind.Write : WatchKind.Read)) == 0) continue;
            if (w.Start > last || w.Start + w.Length - 1 < linear) continue;
            Stop(new DebugStop(DebugStopKind.Watchpoint, Math.Max(linear, w.Start), w.Kind));
            return;
        }
    }

    void RebuildOffsets()
    {
        Array.Clear(breakOffsets);
        foreach (ulong b in breakpoints) breakOffsets[(int)(b & 0xFFF) >> 6] |= 1UL << (int)(b & 63);
        // Blocks decoded before may run across the new address; decode them anew.
        cpu.Blocks.Clear();
        cpu.UpdateDebugFlags();
    }

    void WatchesChanged()
    {
        // Watched pages must lose their TLB entries so their accesses reach the slow path.
        cpu.FlushTlb();
        cpu.UpdateDebugFlags();
    }
}
