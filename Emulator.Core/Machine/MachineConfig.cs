using Emulator.Core.Cpu;

namespace Emulator.Core.Machine;

/// <summary>What a <see cref="Machine"/> is built with.</summary>
public sealed record MachineConfig
{
    /// <summary>Bytes of RAM (a multiple of 4 KiB).</summary>
    public ulong MemorySize { get; init; } = 128UL << 20;

    public CpuModel CpuModel { get; init; } = CpuModel.PentiumPro;

    /// <summary>Virtual nanoseconds per retired instruction.</summary>
    public long NanosecondsPerInstruction { get; init; } = 5;

    /// <summary>On a reset request (triple fault, port 0xCF9, 8042 pulse) stop instead of restarting (QEMU's -no-reboot).</summary>
    public bool NoReboot { get; init; }

    /// <summary>Pace virtual time to the wall clock (interactive use). Off for tests and benchmarks,
    /// which run as fast as the host allows and stay deterministic.</summary>
    public bool PaceToWallClock { get; init; }
}
