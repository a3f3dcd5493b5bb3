using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Emulator.Core.Machine;
using Emulator.Core.State;
using Emulator.Devices.Board;

namespace Emulator.Benchmarks;

/// <summary>
/// Saving and loading a whole machine snapshot (the monitor's savevm/loadvm without the disks)
/// of a PC with 256 MiB of RAM after its BIOS has run, with the RAM otherwise as a guest might
/// leave it: "zero" (a small guest: untouched RAM), "text" (a quarter of RAM holds repetitive
/// data, as code and page cache do) and "random" (half of RAM incompressible, the worst case).
/// Under BenchmarkDotNet (<c>bdn --filter *MachineSnapshot*</c>), or quicker with
/// <c>snapshot</c>, which prints the best of five of each with wall and thread CPU time.
/// </summary>
[MemoryDiagnoser]
public class MachineSnapshotBenchmarks
{
    [Params("zero", "text", "random")] public string Ram { get; set; } = "zero";

    PcBoard board = null!;
    byte[] snapshot = null!;

    [GlobalSetup]
    public void Setup()
    {
        board = new PcBoard(new PcBoardConfig { Machine = new MachineConfig { MemorySize = 256UL << 20 }, Bios = EmbeddedBios.Load() });
        board.Machine.Reset();
        board.Machine.Run(2_000_000);
        var ram = board.Machine.Memory.Ram;
        var from = ram.Length / 2;
        if (Ram == "text")
            for (int i = 0; i < ram.Length / 4; i++) ram[from + i] = (byte)"mov eax, [ebp+8]\ncall printk\n"[i % 29];
        else if (Ram == "random")
            new Random(1).NextBytes(ram[from..]);
        snapshot = MachineStateWriter.Save(board.Saveables);
    }

    [Benchmark]
    public byte[] Save() => MachineStateWriter.Save(board.Saveables);

    [Benchmark]
    public void Load() => MachineStateReader.Load(board.Saveables, snapshot);

    /// <summary>The <c>snapshot</c> command: each RAM fill, save and load, best of five runs.</summary>
    public static int Run()
    {
        foreach (var fill in new[] { "zero", "text", "random" })
        {
            var b = new MachineSnapshotBenchmarks { Ram = fill };
            b.Setup();
            var (saveWall, saveCpu) = Best(() => b.Save());
            var (loadWall, loadCpu) = Best(b.Load);
            Console.WriteLine($"256 MiB RAM, {fill,-6}: snapshot {b.snapshot.Length / 1048576.0,6:F1} MiB; " +
                $"save {saveWall,6:F1} ms (CPU {saveCpu,6:F1} ms), load {loadWall,6:F1} ms (CPU {loadCpu,6:F1} ms)");
        }
        Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return 0;
    }

    static (double WallMs, double CpuMs) Best(Action action)
    {
        double wall = double.MaxValue, cpu = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            double cpu0 = ThreadCpuClock.IsAvailable ? ThreadCpuClock.Now() : 0;
            var sw = Stopwatch.StartNew();
            action();
            wall = Math.Min(wall, sw.Elapsed.TotalMilliseconds);
            if (ThreadCpuClock.IsAvailable) cpu = Math.Min(cpu, (ThreadCpuClock.Now() - cpu0) * 1000);
        }
        return (wall, cpu);
    }
}
