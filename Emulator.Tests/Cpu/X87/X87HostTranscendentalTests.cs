using System.Runtime.InteropServices;
using Iced.Intel;
using Emulator.Core.Cpu.X87;
using static Iced.Intel.AssemblerRegisters;
using Emulator.Tests.Native;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// The transcendentals against the host's x87 (x86-64 Linux hosts). The host is itself only accurate to
/// about one unit in the last place, so finite results may differ by 2 units; the special cases (zeros,
/// infinities, NaNs, unsupported formats, out-of-domain operands) must give the same value and the same
/// invalid, zero-divide and denormal flags.
/// </summary>
public unsafe partial class X87HostTranscendentalTests
{
    public enum Op { Sin, Cos, Tan, F2xm1, Yl2x, Yl2xp1, Patan }

    static byte[] Thunk(Op op)
    {
        var a = new Assembler(64);
        a.fninit();
        a.fldcw(__word_ptr[rdi + 32]);
        a.fld(__tword_ptr[rdi + 16]);
        a.fld(__tword_ptr[rdi]);                  // ST0 = x, ST1 = y
        switch (op)
        {
            case Op.Sin: a.fsin(); break;
            case Op.Cos: a.fcos(); break;
            case Op.Tan: a.fptan(); a.fstp(st0); break;   // drop the pushed 1.0
            case Op.F2xm1: a.f2xm1(); break;
            case Op.Yl2x: a.fyl2x(); break;
            case Op.Yl2xp1: a.fyl2xp1(); break;
            case Op.Patan: a.fpatan(); break;
        }
        a.fnstsw(__word_ptr[rsi + 16]);
        a.fstp(__tword_ptr[rsi]);
        a.fninit();
        a.ret();
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return ms.ToArray();
    }

    static Float80 Compute(Op op, Float80 x, Float80 y, ref FpuContext ctx) => op switch
    {
        Op.Sin => Float80.Trig(x, ref ctx).Sin,
        Op.Cos => Float80.Trig(x, ref ctx).Cos,
        Op.Tan => Float80.Trig(x, ref ctx).Tan,
        Op.F2xm1 => Float80.Exp2Minus1(x, ref ctx),
        Op.Yl2x => Float80.YLog2X(y, x, ref ctx),
        Op.Yl2xp1 => Float80.YLog2XPlus1(y, x, ref ctx),
        _ => Float80.Atan2(y, x, ref ctx),
    };

    static Float80 Operand(Random rng, int maxExponent)
    {
        bool s = rng.Next(2) == 0;
        ulong sig = (ulong)rng.NextInt64() | Float80.IntegerBit;
        return rng.Next(12) switch
        {
            0 => new Float80(s, 0, 0),
            1 => new Float80(s, 0x7FFF, Float80.IntegerBit),
            2 => new Float80(s, 0x7FFF, sig),
            3 => new Float80(s, 0, sig >> 1),
            4 => new Float80(s, rng.Next(1, 0x7FFF), sig >> 1),
            5 => new Float80(false, 0x3FFF, Float80.IntegerBit),
            _ => new Float80(s, rng.Next(0x3FFF - 70, maxExponent + 1), sig),
        };
    }

    /// <summary>The distance in units in the last place between two finite values of one sign.</summary>
    static UInt128 Ulps(Float80 a, Float80 b)
    {
        static UInt128 Key(Float80 v) => ((UInt128)(uint)v.Exponent << 63) + (v.Significand & ~Float80.IntegerBit);
        UInt128 ka = Key(a), kb = Key(b);
        return ka > kb ? ka - kb : kb - ka;
    }

    [TestCase(Op.Sin)]
    [TestCase(Op.Cos)]
    [TestCase(Op.Tan)]
    [TestCase(Op.F2xm1)]
    [TestCase(Op.Yl2x)]
    [TestCase(Op.Yl2xp1)]
    [TestCase(Op.Patan)]
    public void CloseToHostX87(Op op)
    {
        Assume.That(RuntimeInformation.ProcessArchitecture, Is.EqualTo(Architecture.X64), "needs an x86-64 host");
        Assume.That(OperatingSystem.IsLinux(), Is.True, "uses Linux mmap flags");
        var code = Thunk(op);
        Assume.That(HostPages.TryMap(8192, executable: true, out nint mem), Is.True, "mmap of executable memory refused");
        try
        {
            new ReadOnlySpan<byte>(code).CopyTo(new Span<byte>((void*)mem, 4096));
            var thunk = (delegate* unmanaged<byte*, byte*, void>)mem;
            byte* input = (byte*)mem + 4096, output = input + 64;
            var rng = new Random(11 + (int)op);
            // Domains where the host is accurate: |x| < π/4 for the trigonometric functions, |x| ≤ 1 for F2XM1,
            // |x| < 1 − √2/2 for FYL2XP1.
            int xMax = op switch { Op.Sin or Op.Cos or Op.Tan => 0x3FFE, Op.F2xm1 => 0x3FFE, Op.Yl2xp1 => 0x3FFC, _ => 0x3FFF + 60 };
            var failures = new List<string>();
            for (int n = 0; n < 2000 && failures.Count < 5; n++)
            {
                var x = Operand(rng, xMax);
                var y = Operand(rng, 0x3FFF + 60);
                if (op is Op.Sin or Op.Cos or Op.Tan && x.Class == Float80Class.Normal && x.Exponent == 0x3FFE && x.Significand > 0xC90F_DAA2_2168_C234) continue;
                ushort cw = (ushort)(0x37F & ~0xC00 | rng.Next(4) << 10);
                *(ulong*)input = x.Significand; *(ushort*)(input + 8) = x.SignExponent;
                *(ulong*)(input + 16) = y.Significand; *(ushort*)(input + 24) = y.SignExponent;
                *(ushort*)(input + 32) = cw;
                thunk(input, output);
                var host = new Float80(*(ushort*)(output + 8), *(ulong*)output);
                int hostSw = *(ushort*)(output + 16);
                var ctx = FpuContext.FromControlWord(cw);
                var mine = Compute(op, x, y, ref ctx);
                const int strict = 0x07;                 // IE, DE, ZE
                bool finite = host.Class is Float80Class.Normal or Float80Class.Denormal && mine.Class is Float80Class.Normal or Float80Class.Denormal;
                bool same = host == mine || (finite && host.Sign == mine.Sign && Ulps(host, mine) <= 2);
                if (!same || (hostSw & strict) != ((int)ctx.Raised & strict))
                    failures.Add($"{op} x={x} y={y} cw={cw:X4}: host {host} sw={hostSw & 0x3F:X2}, mine {mine} sw={(int)ctx.Raised:X2}");
            }
            Assert.That(failures, Is.Empty);
        }
        finally { HostPages.Unmap(mem, 8192); }
    }
}
