namespace Emulator.Core.Debugging;

/// <summary>What made the CPU stop for a debugger.</summary>
public enum DebugStopKind
{
    /// <summary>CS:EIP reached a breakpoint's linear address; the instruction there has not run.</summary>
    Breakpoint,
    /// <summary>An instruction accessed a watched range; it has completed (or faulted and its exception was delivered).</summary>
    Watchpoint,
    /// <summary>A requested single step finished.</summary>
    Step,
    /// <summary><see cref="DebugHooks.RequestBreak"/> was called (GDB's Ctrl-C, the monitor's <c>stop</c>).</summary>
    Interrupt,
}

/// <summary>Which accesses a watchpoint catches (GDB's Z2, Z3 and Z4).</summary>
[Flags]
public enum WatchKind
{
    Write = 1,
    Read = 2,
    Access = Write | Read,
}

/// <summary>
/// A debugger stop. <paramref name="Address"/> is the breakpoint's linear address, or for a
/// watchpoint the first watched linear byte the access touched; <paramref name="Watch"/> is
/// the kind of the watchpoint that caught it.
/// </summary>
public readonly record struct DebugStop(DebugStopKind Kind, ulong Address = 0, WatchKind Watch = 0);
