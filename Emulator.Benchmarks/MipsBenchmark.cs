using System.Diagnostics;
using System.Globalization;
using Iced.Intel;
using Emulator.Benchmarks.GuestPrograms;
using Emulator.Core.Cpu;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Machine;

namespace Emulator.Benchmarks;

/// <summary>
/// Guest speed in millions of retired instructions per second, on <see cref="MixedWorkload"/>
/// in 32-bit protected mode with paging. One warm-up run (JIT tiering, block cache, TLB),
/// then timed runs; the final line is the best run.
/// </summary>
internal static class MipsBenchmark
{
    public const int DefaultIterations = 8_000_000;
    public const int DefaultRuns = 5;

    public static int Run(string[] args)
    {
        int iterations = DefaultIterations, runs = DefaultRuns;
        bool? strings = null;
        bool forceApi = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--iterations": iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--strings": strings = true; break;
                case "--no-strings": strings = false; break;
                case "--api": forceApi = true; break;
                default: Console.Error.WriteLine($"mips: unknown option {args[i]}"); return 2;
            }
        }

        bool stringsImplemented = InstructionTable.IsImplemented(Code.Movsd_m32_m32) && InstructionTable.IsImplemented(Code.Stosd_m32_EAX);
        bool useStrings = strings ?? stringsImplemented;
        if (useStrings && !stringsImplemented)
        {
            Console.Error.WriteLine("mips: --strings given but REP MOVSD/STOSD are not implemented in this build");
            return 2;
        }
        var path = !forceApi && ProtectedModeSetup.StubSupported ? SetupPath.RealModeStub : SetupPath.DirectApi;

        var machine = new Machine(new MachineConfig { MemorySize = 64UL << 20, NoReboot = true });
        ProtectedModeSetup.WriteSystemStructures(machine, MixedWorkload.CodeAddress);
        var code = GuestCode.Load(machine, 32, MixedWorkload.CodeAddress, MixedWorkload.Build(iterations, useStrings));

        Console.WriteLine($"workload: {iterations:N0} iterations, {code.Length} bytes of code at {MixedWorkload.CodeAddress:X}h, 32-bit protected mode, paging on (8 MiB identity, 4 KiB pages)");
        Console.WriteLine(path == SetupPath.RealModeStub
            ? "mode setup: real-mode stub (LGDT, MOV CR0.PE, far JMP, MOV CR3, MOV CR0.PG)"
            : "mode setup: direct via Cpu.SetSegment/SetControlRegister" + (forceApi ? " (--api)" : " (LGDT/MOV CRn not implemented in this build)"));
        Console.WriteLine(useStrings
            ? $"string ops: REP MOVSD + REP STOSD of {MixedWorkload.StringDwords} dwords every 8th iteration"
            : "string ops: left out" + (stringsImplemented ? " (--no-strings)" : " (REP MOVSD/STOSD not implemented in this build; --strings when they are)"));

        var results = new List<(long Instructions, double Seconds, double CpuSeconds)>();
        for (int r = -1; r < runs; r++)
        {
            // Fresh data each run: the data-dependent branch then takes the same path every run.
            machine.Memory.Write(MixedWorkload.ArrayA, new byte[0x20000]);
            ProtectedModeSetup.Enter(machine, path, MixedWorkload.CodeAddress);
            var cpu = machine.Cpu;
            long before = cpu.InstructionsRetired;
            long allocBefore = GC.GetAllocatedBytesForCurrentThread();
            double cpu0 = ThreadCpuClock.Now();
            var sw = Stopwatch.StartNew();
            var stop = machine.Run();
            sw.Stop();
            double cpuSeconds = ThreadCpuClock.Now() - cpu0;
            long alloc = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
            long retired = cpu.InstructionsRetired - before;
            if (stop != StopReason.Halted || !ProtectedModeSetup.InFlatPagedMode(cpu) || cpu.GetGpr(Gpr.Rbp) != 0)
            {
                Console.Error.WriteLine($"mips: the guest did not finish as expected (stop={stop}, retired={retired}, unimplemented hits={cpu.UnimplementedHits})");
                Console.Error.WriteLine(cpu.ToString());
                return 1;
            }
            double s = sw.Elapsed.TotalSeconds;
            string label = r < 0 ? "warm-up" : $"run {r + 1}";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{label,-8} {retired,14:N0} instructions  {s,7:F3} s  {retired / s / 1e6,7:F1} MIPS  (thread CPU {cpuSeconds,6:F3} s, {retired / cpuSeconds / 1e6,6:F1} MIPS)  allocated {alloc:N0} B  blocks {cpu.Blocks.Count}  invalidations {cpu.Blocks.Invalidations}"));
            if (r >= 0) results.Add((retired, s, cpuSeconds));
        }

        var mips = results.Select(x => x.Instructions / x.Seconds / 1e6).OrderBy(x => x).ToArray();
        var cpuMips = results.Select(x => x.Instructions / x.CpuSeconds / 1e6).OrderBy(x => x).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wall time:  best {mips[^1]:F1}  median {Median(mips):F1}  worst {mips[0]:F1} MIPS over {mips.Length} runs"));
        if (ThreadCpuClock.IsAvailable)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"thread CPU: best {cpuMips[^1]:F1}  median {Median(cpuMips):F1}  worst {cpuMips[0]:F1} MIPS (excludes time other processes held the core)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"guest MIPS: {mips[^1]:F1}"));
        return 0;
    }

    static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
