using BenchmarkDotNet.Attributes;
using Emulator.Core.Cpu.Instructions;

namespace Emulator.Benchmarks;

/// <summary>
/// The MMX lane operations (Instructions/MmxLanes.cs) against plain per-lane integer loops doing the same thing,
/// in ns per operation over 1024 operand pairs: the measurement behind using <c>Vector128</c> for the lane
/// arithmetic, compares, multiplies and packs, and shifts and masks for the unpacks.
/// </summary>
public class MmxLaneBenchmarks
{
    const int N = 1024;
    readonly ulong[] a = new ulong[N], b = new ulong[N];

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(7);
        for (int i = 0; i < N; i++) { a[i] = (ulong)r.NextInt64(); b[i] = (ulong)r.NextInt64(); }
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PADDUSB Vector128")]
    public ulong AddUsbVector() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.AddUSB.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PADDUSB per-lane loop")]
    public ulong AddUsbScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 64; l += 8) r |= (ulong)Math.Min(255, (int)(byte)(d >> l) + (byte)(s >> l)) << l;
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PADDSW Vector128")]
    public ulong AddSwVector() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.AddSW.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PADDSW per-lane loop")]
    public ulong AddSwScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 64; l += 16) r |= (ulong)(ushort)Math.Clamp((short)(d >> l) + (short)(s >> l), short.MinValue, short.MaxValue) << l;
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PCMPGTB Vector128")]
    public ulong CmpGtbVector() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.CmpGtB.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PCMPGTB per-lane loop")]
    public ulong CmpGtbScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 64; l += 8) if ((sbyte)(d >> l) > (sbyte)(s >> l)) r |= 0xFFUL << l;
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PACKUSWB per-lane loop")]
    public ulong PackUswbScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 4; l++)
            {
                r |= (ulong)(byte)Math.Clamp((short)(d >> (16 * l)), (short)0, (short)255) << (8 * l);
                r |= (ulong)(byte)Math.Clamp((short)(s >> (16 * l)), (short)0, (short)255) << (8 * l + 32);
            }
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PMULHW per-lane loop")]
    public ulong MulHwScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 64; l += 16) r |= (ulong)(ushort)(((short)(d >> l) * (short)(s >> l)) >> 16) << l;
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PUNPCKLBW per-lane loop")]
    public ulong UnpackLbwScalar()
    {
        ulong x = 0;
        for (int i = 0; i < N; i++)
        {
            ulong d = a[i], s = b[i], r = 0;
            for (int l = 0; l < 4; l++) r |= ((d >> (8 * l)) & 0xFF) << (16 * l) | ((s >> (8 * l)) & 0xFF) << (16 * l + 8);
            x ^= r;
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = N, Description = "PMULHW Vector128 (as implemented)")]
    public ulong MulHw() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.MulHW.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PUNPCKLBW shifts and masks (as implemented)")]
    public ulong UnpackLbw() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.UnpackLBW.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PACKUSWB Vector128 (as implemented)")]
    public ulong PackUswb() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.PackUsWb.Exec(a[i], b[i]); return x; }

    [Benchmark(OperationsPerInvoke = N, Description = "PMADDWD integer (as implemented)")]
    public ulong MAddWd() { ulong x = 0; for (int i = 0; i < N; i++) x ^= Mmx.Lanes.MAddWD.Exec(a[i], b[i]); return x; }
}
