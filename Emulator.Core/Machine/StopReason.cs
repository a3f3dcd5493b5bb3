namespace Emulator.Core.Machine;

/// <summary>Why <see cref="Machine.Run"/> returned.</summary>
public enum StopReason
{
    /// <summary>The instruction budget given to Run was used up.</summary>
    BudgetExhausted,
    /// <summary>The CPU halted with nothing that can wake it (interrupts disabled, or no interrupt source and no timer).</summary>
    Halted,
    /// <summary>A device or the frontend asked the machine to exit (isa-debug-exit, ACPI power-off, quit).</summary>
    ExitRequested,
    /// <summary>The CPU shut down (triple fault) or a reset was requested, and <see cref="MachineConfig.NoReboot"/> is set.</summary>
    Reset,
    /// <summary>Execution stopped by <see cref="Machine.RequestStop"/>.</summary>
    Stopped,
    /// <summary>A debugger stop: breakpoint, watchpoint, finished single step or break request (<see cref="Debugging.DebugHooks.LastStop"/> says which).</summary>
    Debug,
}
