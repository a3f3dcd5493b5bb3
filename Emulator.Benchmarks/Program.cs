using BenchmarkDotNet.Running;
using Emulator.Benchmarks;

// Argument dispatch: "mips" runs the guest-speed benchmark, "bdn" hands the rest to BenchmarkDotNet.
return args.Length == 0 ? Usage() : args[0] switch
{
    "mips" => MipsBenchmark.Run(args[1..]),
    "bdn" => RunBdn(args[1..]),
    _ => Usage(),
};

static int RunBdn(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(MipsBenchmark).Assembly).Run(rest);
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

          bdn [BenchmarkDotNet options, e.g. --filter *]
              Execution-loop micro-benchmarks (ALU loop, memory loop, CALL/RET loop,
              self-modifying code, fresh-code decoding) in ns per guest instruction, with allocations.
        """);
    return 0;
}
