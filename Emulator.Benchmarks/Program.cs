using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Emulator.Benchmarks;

// Argument dispatch: "mips" runs the guest-speed benchmark, "bdn" hands the rest to BenchmarkDotNet.
return args.Length == 0 ? Usage() : args[0] switch
{
    "mips" => MipsBenchmark.Run(args[1..]),
    "linux" => LinuxBootBenchmark.Run(args[1..]),
    "snapshot" => MachineSnapshotBenchmarks.Run(),
    "bdn" => RunBdn(args[1..]),
    _ => Usage(),
};

static int RunBdn(string[] rest)
{
    // In-process: no extra project build on the shared machine. --cpu-time measures this
    // thread's CPU time instead of wall time, so other processes' load does not count.
    bool cpuTime = rest.Contains("--cpu-time");
    var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(10);
    if (cpuTime) job = job.WithClock(new ThreadCpuBdnClock()).WithId("ThreadCpuTime");
    var config = DefaultConfig.Instance.AddJob(job.AsDefault());
    BenchmarkSwitcher.FromAssembly(typeof(MipsBenchmark).Assembly).Run(rest.Where(a => a != "--cpu-time").ToArray(), config);
    return 0;
}

static int Usage()
{
    Console.WriteLine("""
        usage: dotnet run -c Release --project Emulator.Benchmarks -- <command> [options]

          mips [--iterations N] [--runs R] [--strings|--no-strings] [--api]
              Guest speed on a fixed 32-bit protected-mode program with paging on.
              Prints each run and a last line "guest MIPS: X" (best run).
              --strings/--no-strings: force REP MOVSD/STOSD in or out (default: in when implemented).
              --api: enter protected mode through Cpu.SetSegment/SetControlRegister instead of the real-mode stub.

          linux [--guests DIR] [--memory MiB] [--timeout S] [--no-qemu] [--no-bochs] [--no-emu] [--bochs-ips N] [--profile]
              Boots the Debian i386 guest of tests/guests/build.sh (default DIR $EMU_GUEST_DIR, else ~/.cache/emu-guests) once,
              unpaced, with -kernel/-initrd/-append console=ttyS0, and reports instructions, virtual and
              wall time to the kernel banner, the init marker and power-off/halt, and guest MIPS; then the
              same under qemu-system-i386 -accel tcg and Bochs (linux.iso from its CD) when installed,
              in one table with ratios to emu's times and the load average.
              --profile: sample the guest CS:EIP every ~1 ms of wall time and list the hottest addresses.

          snapshot
              Whole-machine snapshot save and load with 256 MiB of RAM (zero, text-like, half random):
              best of five, wall and thread CPU time, snapshot size.

          bdn [--cpu-time] [BenchmarkDotNet options, e.g. --filter *]
              Execution-loop micro-benchmarks (ALU loop, memory loop, CALL/RET loop,
              self-modifying code, fresh-code decoding) in ns per guest instruction, with allocations;
              disk images (BlockImageBenchmarks: raw and qcow2, 4 KiB sequential/random reads and writes)
              in ns per 4 KiB operation (MB/s = 4096 / ns * 1000); whole-machine snapshots
              (MachineSnapshotBenchmarks: save and load with 256 MiB of RAM).
              --cpu-time: time with this thread's CPU time instead of wall time (shared machines).
        """);
    return 0;
}
