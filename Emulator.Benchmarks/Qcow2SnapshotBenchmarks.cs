using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;

namespace Emulator.Benchmarks;

/// <summary>
/// The cost of a qcow2 internal snapshot as savevm takes it: a 1 GiB image (64 KiB clusters) with
/// 100 MiB of guest data written in 1 MiB pieces spread over the disk, and a 64 MiB VM state of
/// random bytes (no all-zero clusters to skip: the worst case). Each iteration starts from a fresh
/// image, so it is a cold-start measurement: one snapshot per iteration, with and without the
/// fsync that makes it durable. Run: <c>dotnet run -c Release --project Emulator.Benchmarks -- bdn --filter '*Qcow2Snapshot*'</c>.
/// </summary>
[Config(typeof(ColdStartConfig))]
[MemoryDiagnoser]
public class Qcow2SnapshotBenchmarks
{
    const long ImageSize = 1L << 30;
    const int Written = 100 << 20;
    const int VmStateSize = 64 << 20;

    sealed class ColdStartConfig : ManualConfig
    {
        public ColdStartConfig() => AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.ColdStart).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5));
    }

    string path = "";
    IBlockImage image = null!;
    readonly byte[] vmState = new byte[VmStateSize];

    [IterationSetup]
    public void Setup()
    {
        path = Path.Combine(Path.GetTempPath(), $"emu-bench-qcow2-snapshot-{Guid.NewGuid():N}.qcow2");
        Qcow2Creator.Create(path, ImageSize);
        image = ImageOpener.Open(path, null, readOnly: false);
        var rng = new Random(1);
        var chunk = new byte[1 << 20];
        const long stride = 10 << 20;
        for (long at = 0; at < (long)Written / chunk.Length * stride; at += stride)
        {
            rng.NextBytes(chunk);
            image.Write(at, chunk);
        }
        rng.NextBytes(vmState);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        image.Dispose();
        File.Delete(path);
    }

    [Benchmark]
    public ImageSnapshot CreateSnapshot() => ((IInternalSnapshots)image).CreateSnapshot("bench", vmState, 0);

    [Benchmark]
    public ImageSnapshot CreateSnapshotAndFlush()
    {
        var s = ((IInternalSnapshots)image).CreateSnapshot("bench", vmState, 0);
        image.Flush();
        return s;
    }
}
