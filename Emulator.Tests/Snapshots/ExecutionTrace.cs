using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// What the CPU did, block by block (the <c>-d exec</c> hook): CS:EIP, the general registers,
/// EFLAGS, the retired count and the virtual time at each block's first instruction. Two runs
/// that agree on this took the same path with the same data and the same interrupt timing.
/// </summary>
internal sealed class ExecutionTrace
{
    public readonly record struct Step(ushort Cs, ulong Rip, uint Eax, uint Ebx, uint Ecx, uint Edx, uint Esi, uint Edi,
        uint Ebp, uint Esp, uint Eflags, long Retired, long Now);

    public List<Step> Steps { get; } = new();

    /// <summary>Runs <paramref name="machine"/> for <paramref name="instructions"/> with the trace on.</summary>
    public static ExecutionTrace Record(Machine machine, long instructions)
    {
        var trace = new ExecutionTrace();
        var cpu = machine.Cpu;
        cpu.BlockExecuting = c => trace.Steps.Add(new Step(c.GetSegment(SegReg.CS).Selector, c.Rip,
            (uint)c.GetGpr(Gpr.Rax), (uint)c.GetGpr(Gpr.Rbx), (uint)c.GetGpr(Gpr.Rcx), (uint)c.GetGpr(Gpr.Rdx),
            (uint)c.GetGpr(Gpr.Rsi), (uint)c.GetGpr(Gpr.Rdi), (uint)c.GetGpr(Gpr.Rbp), (uint)c.GetGpr(Gpr.Rsp),
            c.Eflags, c.InstructionsRetired, c.Clock.Now));
        try
        {
            machine.Run(instructions);
        }
        finally
        {
            cpu.BlockExecuting = null;
        }
        return trace;
    }

    /// <summary>Null when equal, else where and how the two traces first differ.</summary>
    public static string? FirstDifference(ExecutionTrace expected, ExecutionTrace actual)
    {
        int n = Math.Min(expected.Steps.Count, actual.Steps.Count);
        for (int i = 0; i < n; i++)
            if (expected.Steps[i] != actual.Steps[i])
                return $"block {i}: expected {expected.Steps[i]}, got {actual.Steps[i]}";
        return expected.Steps.Count == actual.Steps.Count ? null : $"expected {expected.Steps.Count} blocks, got {actual.Steps.Count}";
    }
}
