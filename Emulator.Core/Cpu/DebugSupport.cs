using Emulator.Core.Debugging;

namespace Emulator.Core.Cpu;

// The CPU side of the debugger hooks (Debugging/DebugHooks.cs): the flags the execution
// loop, the memory slow paths and REP string instructions test, the breakpoint check at a
// block boundary, and the single step.
public sealed partial class Cpu
{
    /// <summary>Breakpoints, watchpoints and single step for a debugger (GDB stub, monitor).</summary>
    public DebugHooks Debug { get; }

    /// <summary>Something of <see cref="Debug"/> or <see cref="InstructionHook"/> wants the loop's debug branch.</summary>
    internal bool debugAttention;
    /// <summary>REP string instructions run one iteration per step (watchpoints, a single step, an instruction hook).</summary>
    internal bool debugIterate;
    /// <summary>Watchpoints exist: the memory slow paths check them.</summary>
    internal bool debugWatch;
    /// <summary>Breakpoints exist: the decoder ends blocks before breakpoint offsets.</summary>
    internal bool debugBreakpoints;
    /// <summary>Linear address of a REP instruction that stopped early to be restarted; the boundary that restarts it is not a new breakpoint hit.</summary>
    internal ulong repRestartLinear = ulong.MaxValue;

    Func<Cpu, bool>? instructionHook;

    /// <summary>Called before each instruction when set (debugger, tracer); forces the slow path.</summary>
    public Func<Cpu, bool>? InstructionHook
    {
        get => instructionHook;
        set { instructionHook = value; UpdateDebugFlags(); }
    }

    internal void UpdateDebugFlags()
    {
        debugBreakpoints = Debug.HasBreakpoints;
        debugWatch = Debug.WatchpointCount != 0;
        debugIterate = debugWatch || Debug.StepRequested || instructionHook != null;
        debugAttention = debugIterate || debugBreakpoints;
    }

    /// <summary>Single-stepping by the guest (TF), DR7 breakpoints or an instruction hook: one instruction at a time.</summary>
    bool Stepwise => (eflagsBits & (uint)EFlags.TF) != 0 || (dr[7] & 0xFF) != 0 || instructionHook != null;

    /// <summary>REP string instructions take one iteration at a time (guest single step, DR7, debugger).</summary>
    internal bool IterationTraps => (eflagsBits & (uint)EFlags.TF) != 0 || (dr[7] & 0xFF) != 0 || debugIterate;

    /// <summary>A debugger stop was recorded: leave the loop before anything else happens (no interrupt is taken first).</summary>
    internal void DebugStopRequested()
    {
        asyncExit = true;
        exitBlock = true;
    }

    /// <summary>At a block boundary with <see cref="debugAttention"/>: true when the loop must stop for the debugger.</summary>
    bool DebugBoundary()
    {
        if (Debug.StopPending) return true;
        if (!debugBreakpoints) return false;
        ulong lin = (Seg((int)SegReg.CS).Base + Rip) & linearMask;
        if (lin == repRestartLinear)
        {
            repRestartLinear = ulong.MaxValue;
            return false;
        }
        repRestartLinear = ulong.MaxValue;
        if (!Debug.IsBreakpoint(lin)) return false;
        Debug.Stop(new DebugStop(DebugStopKind.Breakpoint, lin));
        return true;
    }

    /// <summary>
    /// Runs one step for <see cref="DebugHooks.RequestStep"/> and records the stop; returns the
    /// instructions retired (0 when a halted CPU was woken by an interrupt).
    /// </summary>
    internal long DebugStep()
    {
        if (Halted)
        {
            // Run calls this only once the CPU can wake: the interrupt is delivered and the step ends at its handler.
            CheckInterrupts();
            Debug.Stop(new DebugStop(DebugStopKind.Step));
            return 0;
        }
        exitBlock = false;
        StepDebug();
        Retire(1);
        Debug.Stop(new DebugStop(DebugStopKind.Step));
        return 1;
    }

    /// <summary>A guest data read reached the slow path while watchpoints exist.</summary>
    void WatchRead(ulong lin, int size) => Debug.CheckAccess(lin, size, false);

    void WatchWrite(ulong lin, int size) => Debug.CheckAccess(lin, size, true);
}
