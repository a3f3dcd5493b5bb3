using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.Time;

namespace Emulator.Core.Machine;

/// <summary>
/// A CPU with its buses and virtual clock: the part of a PC that knows nothing of
/// devices. Boards (in Emulator.Devices) attach devices to <see cref="Io"/>,
/// <see cref="Memory"/> and <see cref="Clock"/>. One machine is driven by one thread;
/// several machines can run side by side in a process.
/// </summary>
public sealed class Machine
{
    readonly List<Action> resetHandlers = new();
    readonly List<Action> cpuResetHandlers = new();
    volatile bool stopRequested;
    readonly ManualResetEventSlim wake = new(false);
    readonly WallClockPacer? pacer;
    bool exitRequested;
    ResetKind? resetRequested;

    public Machine(MachineConfig config)
    {
        Config = config;
        Memory = new PhysicalMemory(config.MemorySize);
        Io = new IoBus();
        Clock = new VirtualClock(config.NanosecondsPerInstruction);
        Cpu = new Cpu.Cpu(config.CpuModel, Memory, Io, Clock);
        Cpu.Debug.Wake = wake.Set;
        Clock.EarliestChanged = Cpu.RequestExit;   // re-size the slice to an event scheduled mid-slice
        if (config.PaceToWallClock) pacer = new WallClockPacer();
    }

    /// <summary>Wakes a paced machine that is waiting for time to pass (input arrived from another thread).</summary>
    public void Wake() => wake.Set();

    public MachineConfig Config { get; }
    public PhysicalMemory Memory { get; }
    public IoBus Io { get; }
    public VirtualClock Clock { get; }
    public Cpu.Cpu Cpu { get; }

    /// <summary>The CPU's debugger hooks; Run returns <see cref="StopReason.Debug"/> when they stop it.</summary>
    public Debugging.DebugHooks Debug => Cpu.Debug;

    /// <summary>The exit status a device asked for (isa-debug-exit, power-off).</summary>
    public int ExitCode { get; private set; }

    /// <summary>
    /// The <c>-d guest_errors</c>/<c>-d unimp</c> sink, or null when both are off. Setting it attaches it to the
    /// memory map; the board attaches it to its devices (PcBoard.AttachGuestLog).
    /// </summary>
    public Diagnostics.GuestLog? GuestLog
    {
        get => guestLog;
        set { guestLog = value; Memory.GuestLog = value; }
    }
    Diagnostics.GuestLog? guestLog;

    /// <summary>Called when the CPU shuts down on a triple fault, before the reset (or the stop with -no-reboot).</summary>
    public event Action<string>? TripleFault;

    /// <summary>Registers a device's reset, run on every system reset (<see cref="ResetKind.System"/>) after the CPU's.</summary>
    public void OnReset(Action handler) => resetHandlers.Add(handler);

    /// <summary>
    /// Registers a reset of the CPU's own package (the local APIC) or of what stands in for the
    /// firmware, run on every reset, a CPU-only one included, after the devices' resets.
    /// </summary>
    public void OnCpuReset(Action handler) => cpuResetHandlers.Add(handler);

    /// <summary>Asks the machine to exit with a status; Run returns <see cref="StopReason.ExitRequested"/>.</summary>
    public void RequestExit(int code)
    {
        ExitCode = code;
        exitRequested = true;
        Cpu.RequestExit();
    }

    /// <summary>Asks for a system reset.</summary>
    public void RequestReset() => RequestReset(ResetKind.System);

    /// <summary>Asks for a reset of <paramref name="kind"/> (a system reset wins over a CPU one pending).</summary>
    public void RequestReset(ResetKind kind)
    {
        if (resetRequested != ResetKind.System) resetRequested = kind;
        Cpu.RequestExit();
    }

    /// <summary>Stops Run from another thread (debugger interrupt, monitor stop); thread-safe.</summary>
    public void RequestStop()
    {
        stopRequested = true;
        Cpu.RequestExit();
        wake.Set();
    }

    /// <summary>Resets the CPU and every registered device (a system reset).</summary>
    public void Reset()
    {
        Cpu.Reset();
        Memory.A20Enabled = true;
        foreach (var h in resetHandlers) h();
        foreach (var h in cpuResetHandlers) h();
    }

    /// <summary>Resets the CPU only (<see cref="ResetKind.Cpu"/>): RAM, A20 and the devices are left alone.</summary>
    public void ResetCpu()
    {
        Cpu.Reset();
        foreach (var h in cpuResetHandlers) h();
    }

    /// <summary>
    /// Runs until <paramref name="maxInstructions"/> have retired or something stops the
    /// machine. Timer events run at their virtual due times; while the CPU halts with
    /// interrupts enabled, time skips to the next event.
    /// </summary>
    public StopReason Run(long maxInstructions = long.MaxValue)
    {
        long remaining = maxInstructions;
        pacer?.Resync(Clock.Now);
        while (true)
        {
            if (exitRequested) { exitRequested = false; return StopReason.ExitRequested; }
            if (stopRequested) { stopRequested = false; return StopReason.Stopped; }
            if (Cpu.Debug.StopPending) { Cpu.Debug.TakeStop(); return StopReason.Debug; }
            if (Cpu.ShutdownPending || resetRequested != null)
            {
                if (Cpu.ShutdownPending)
                {
                    TripleFault?.Invoke(Cpu.ToString());
                    // A triple fault is how some guests reset on purpose, but usually it is a crash (SDM vol. 3, 6.15 #DF).
                    guestLog?.Error("cpu", $"triple fault at {Cpu.GetSegment(Emulator.Core.Cpu.SegReg.CS).Selector:x4}:{Cpu.Rip & 0xFFFF_FFFF:x8}, {(Config.NoReboot ? "stopping (-no-reboot)" : "resetting")}");
                }
                // A triple fault alone is the CPU's shutdown cycle: the chipset answers it with INIT.
                var kind = resetRequested ?? ResetKind.Cpu;
                resetRequested = null;
                if (Config.NoReboot) { Cpu.ClearShutdown(); return StopReason.Reset; }
                if (kind == ResetKind.System) Reset();
                else ResetCpu();
                continue;
            }
            if (remaining <= 0) return StopReason.BudgetExhausted;

            long due = Clock.NextDue;
            if (Cpu.Halted && !Cpu.CanWake())
            {
                if (!Cpu.InterruptsEnabledForWake) return StopReason.Halted;
                if (pacer != null)
                {
                    IdleUntil(due);
                    continue;
                }
                if (due == long.MaxValue) return StopReason.Halted;
                Clock.AdvanceTo(due);
                Clock.RunDue();
                continue;
            }
            if (pacer != null)
            {
                long ahead = pacer.AheadOf(Clock.Now);
                if (ahead > 2_000_000)
                {
                    wake.Wait(TimeSpan.FromTicks(ahead / 100));
                    wake.Reset();
                    continue;
                }
            }

            long slice = pacer != null ? Math.Min(remaining, 1_000_000 / Clock.NanosecondsPerInstruction) : remaining;
            if (due != long.MaxValue)
            {
                long untilDue = (due - Clock.Now + Clock.NanosecondsPerInstruction - 1) / Clock.NanosecondsPerInstruction;
                slice = Math.Min(slice, Math.Max(1, untilDue));
            }
            if (Cpu.Debug.StepRequested)
            {
                remaining -= Cpu.DebugStep();
                Clock.RunDue();
                continue;
            }
            long executed = Cpu.Execute(slice);   // advances the clock as it retires blocks
            remaining -= executed;
            Clock.RunDue();
        }
    }

    /// <summary>
    /// A paced machine whose CPU halts with interrupts enabled: virtual time follows the wall
    /// clock up to the next event, waking early (at least every 10 ms) so input from other
    /// threads is seen.
    /// </summary>
    void IdleUntil(long due)
    {
        long now = pacer!.VirtualNow;
        if (now >= due)
        {
            Clock.AdvanceTo(due);
            Clock.RunDue();
            return;
        }
        long waitNs = Math.Min(due - now, 10_000_000);
        wake.Wait(TimeSpan.FromTicks(Math.Max(1, waitNs / 100)));
        wake.Reset();
        Clock.AdvanceTo(Math.Min(pacer.VirtualNow, due));
        Clock.RunDue();
    }
}
