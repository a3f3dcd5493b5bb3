using BenchmarkDotNet.Attributes;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;

namespace Emulator.Benchmarks;

/// <summary>
/// The block layer's throughput on 4 KiB requests, sequential and random, reading and writing a
/// 64 MiB raw or qcow2 (64 KiB clusters) image in the temp directory. The image is filled first,
/// so writes measure overwrites of allocated clusters (the steady state of a guest disk); the host
/// page cache holds the file, so this is the cost of the block layer and the system calls, not of
/// the disk. Time is per 4 KiB operation: MB/s = 4096 / ns * 1000.
/// </summary>
[MemoryDiagnoser]
public class BlockImageBenchmarks
{
    const int ImageSize = 64 << 20;
    const int Block = 4096;
    const int OpsPerInvoke = 4096;

    [Params("raw", "qcow2")] public string Format { get; set; } = "raw";

    string path = "";
    IBlockImage image = null!;
    long[] sequential = null!, random = null!;
    readonly byte[] buffer = new byte[Block];

    [GlobalSetup]
    public void Setup()
    {
        path = Path.Combine(Path.GetTempPath(), $"emu-bench-{Guid.NewGuid():N}.{Format}");
        if (Format == "qcow2") Qcow2Creator.Create(path, ImageSize);
        else File.WriteAllBytes(path, []);
        if (Format == "raw") using (var f = File.OpenWrite(path)) f.SetLength(ImageSize);
        image = ImageOpener.Open(path, null, readOnly: false);
        var fill = new byte[1 << 20];
        new Random(1).NextBytes(fill);
        for (int at = 0; at < ImageSize; at += fill.Length) image.Write(at, fill);
        sequential = new long[OpsPerInvoke];
        random = new long[OpsPerInvoke];
        var rng = new Random(2);
        for (int i = 0; i < OpsPerInvoke; i++)
        {
            sequential[i] = (long)i * Block;
            random[i] = rng.NextInt64(0, ImageSize / Block) * Block;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        image.Dispose();
        File.Delete(path);
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void SequentialRead4K() { foreach (long o in sequential) image.Read(o, buffer); }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void RandomRead4K() { foreach (long o in random) image.Read(o, buffer); }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void SequentialWrite4K() { foreach (long o in sequential) image.Write(o, buffer); }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public void RandomWrite4K() { foreach (long o in random) image.Write(o, buffer); }
}
