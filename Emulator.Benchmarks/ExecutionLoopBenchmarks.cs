using BenchmarkDotNet.Attributes;
using Iced.Intel;
using Emulator.Benchmarks.GuestPrograms;
using Emulator.Core.Machine;

namespace Emulator.Benchmarks;

/// <summary>
/// The execution loop on small guest loops in 32-bit protected mode with paging, in ns per
/// guest instruction (OperationsPerInvoke = the instruction budget of one invocation). The
/// loops never end; each invocation runs whole blocks until the budget is used, so a block
/// or so more than the budget may retire (under 0.01 %). Allocations are reported per
/// guest instruction and should be 0 in steady state.
/// </summary>
[MemoryDiagnoser]
public class ExecutionLoopBenchmarks
{
    const int Budget = 1_000_000;
    const ulong Code = 0x10000;

    Machine machine = null!;

    byte[] Prepare(Action<Assembler> build, Emulator.Core.Cpu.CpuModel? model = null)
    {
        machine = new Machine(new MachineConfig { MemorySize = 64UL << 20, NoReboot = true, CpuModel = model ?? Emulator.Core.Cpu.CpuModel.PentiumPro });
        var path = ProtectedModeSetup.StubSupported ? SetupPath.RealModeStub : SetupPath.DirectApi;
        ProtectedModeSetup.WriteSystemStructures(machine, Code);
        var bytes = GuestCode.Load(machine, 32, Code, build);
        ProtectedModeSetup.Enter(machine, path, Code);
        machine.Cpu.SetGpr(Emulator.Core.Cpu.Gpr.Rsp, MixedWorkload.StackTop);
        // Reach the steady state: blocks decoded, TLB filled, JIT tiered up.
        for (int i = 0; i < 5; i++) machine.Run(Budget / 10);
        if (!ProtectedModeSetup.InFlatPagedMode(machine.Cpu))
            throw new InvalidOperationException("guest left flat paged protected mode:\n" + machine.Cpu);
        return bytes;
    }

    [GlobalSetup(Target = nameof(AluLoopBench))] public void SetupAlu() => _ = Prepare(AluLoop.Build);
    [GlobalSetup(Target = nameof(MemoryLoopBench))] public void SetupMemory() => _ = Prepare(MemoryLoop.Build);
    [GlobalSetup(Target = nameof(CallRetLoopBench))] public void SetupCallRet() => _ = Prepare(CallRetLoop.Build);
    [GlobalSetup(Target = nameof(MmxLoopBench))] public void SetupMmx() => _ = Prepare(MmxLoop.Build, Emulator.Core.Cpu.CpuModel.Pentium2);
    [GlobalSetup(Target = nameof(SelfModifyingBench))] public void SetupSmc() => SelfModifyingLoop.Verify(Prepare(SelfModifyingLoop.Build(Code)));

    /// <summary>Eight ALU instructions + DEC + JNZ per block.</summary>
    [Benchmark(OperationsPerInvoke = Budget, Description = "ALU loop (ns/instr)")]
    public StopReason AluLoopBench() => machine.Run(Budget);

    /// <summary>Loads, stores and an RMW over 32 TLB-resident pages.</summary>
    [Benchmark(OperationsPerInvoke = Budget, Description = "memory loop, TLB hits (ns/instr)")]
    public StopReason MemoryLoopBench() => machine.Run(Budget);

    /// <summary>CALL/PUSH/CALL/RET/POP/RET: blocks of 1-3 instructions.</summary>
    [Benchmark(OperationsPerInvoke = Budget, Description = "call/ret loop (ns/instr)")]
    public StopReason CallRetLoopBench() => machine.Run(Budget);

    /// <summary>Eight MMX instructions + DEC + JNZ per block.</summary>
    [Benchmark(OperationsPerInvoke = Budget, Description = "MMX loop (ns/instr)")]
    public StopReason MmxLoopBench() => machine.Run(Budget);

    /// <summary>A store into its own code page every 5 instructions: invalidate + re-decode each iteration.</summary>
    [Benchmark(OperationsPerInvoke = Budget / 10, Description = "self-modifying code (ns/instr, 5 per iteration)")]
    public StopReason SelfModifyingBench() => machine.Run(Budget / 10);
}

/// <summary>
/// Decoding cost: the first execution of new code. Each invocation resets the CPU (which
/// empties the block cache) and runs <see cref="FreshCode"/> once, so every instruction
/// is decoded by Iced, turned into a handler record, and executed once.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    const ulong Code = 0x10000;
    Machine machine = null!;

    [GlobalSetup]
    public void Setup()
    {
        machine = new Machine(new MachineConfig { MemorySize = 64UL << 20, NoReboot = true });
        ProtectedModeSetup.WriteSystemStructures(machine, Code);
        GuestCode.Load(machine, 32, Code, FreshCode.Build);
        long before = machine.Cpu.InstructionsRetired;
        FreshRun();
        long retired = machine.Cpu.InstructionsRetired - before;
        if (retired != FreshCode.Instructions)
            throw new InvalidOperationException($"fresh-code guest retired {retired}, expected {FreshCode.Instructions}:\n{machine.Cpu}");
    }

    [Benchmark(OperationsPerInvoke = FreshCode.Instructions, Description = "fresh code: decode + run once (ns/instr)")]
    public StopReason FreshRun()
    {
        // The direct path: the stub's own blocks would add decode work unrelated to the measured code.
        ProtectedModeSetup.Enter(machine, SetupPath.DirectApi, Code);
        return machine.Run();
    }
}
