using System.Runtime.InteropServices;
using Iced.Intel;
using Emulator.Core.Cpu.X87;
using static Iced.Intel.AssemblerRegisters;
using Emulator.Tests.Native;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// Float80 against the host CPU's own x87 (x86-64 Linux hosts): random operands, including zeros, denormals,
/// pseudo-denormals, unnormals, infinities and NaNs, in random rounding modes and precisions, all exceptions
/// masked (so the host never traps). The result bits, the six exception flags and C1 must match.
/// </summary>
public unsafe partial class X87HostDifferentialTests
{
    public enum Op { Add, Sub, Mul, Div, Sqrt, Rndint, Scale, Prem, Prem1, StoreSingle, StoreDouble, StoreInt16, StoreInt32, StoreInt64, TruncInt32, Com, Ucom }

    /// <summary>thunk(in, out): in = a (10 bytes) at 0, b at 16, control word at 32; out = result at 0, status word at 16.</summary>
    static byte[] Thunk(Op op)
    {
        var a = new Assembler(64);
        a.fninit();
        a.fldcw(__word_ptr[rdi + 32]);
        a.fld(__tword_ptr[rdi + 16]);
        a.fld(__tword_ptr[rdi]);                  // ST0 = a, ST1 = b
        switch (op)
        {
            case Op.Add: a.fadd(st0, st1); break;
            case Op.Sub: a.fsub(st0, st1); break;
            case Op.Mul: a.fmul(st0, st1); break;
            case Op.Div: a.fdiv(st0, st1); break;
            case Op.Sqrt: a.fsqrt(); break;
            case Op.Rndint: a.frndint(); break;
            case Op.Scale: a.fscale(); break;
            case Op.Prem: a.fprem(); break;
            case Op.Prem1: a.fprem1(); break;
        }
        switch (op)
        {
            case Op.StoreSingle: a.fst(__dword_ptr[rsi]); break;
            case Op.StoreDouble: a.fst(__qword_ptr[rsi]); break;
            case Op.StoreInt16: a.fist(__word_ptr[rsi]); break;
            case Op.StoreInt32: a.fist(__dword_ptr[rsi]); break;
            case Op.StoreInt64: a.fld(st0); a.fistp(__qword_ptr[rsi]); break;
            case Op.TruncInt32: a.fld(st0); a.fisttp(__dword_ptr[rsi]); break;
            case Op.Com: a.fcom(st0, st1); break;
            case Op.Ucom: a.fucom(st0, st1); break;
        }
        a.fnstsw(__word_ptr[rsi + 16]);
        if (op < Op.StoreSingle) a.fstp(__tword_ptr[rsi]);
        a.fninit();
        a.ret();
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return ms.ToArray();
    }

    static Float80 Compute(Op op, Float80 x, Float80 y, ref FpuContext ctx, out int cc)
    {
        cc = 0;
        switch (op)
        {
            case Op.Add: return Float80.Add(x, y, ref ctx);
            case Op.Sub: return Float80.Subtract(x, y, ref ctx);
            case Op.Mul: return Float80.Multiply(x, y, ref ctx);
            case Op.Div: return Float80.Divide(x, y, ref ctx);
            case Op.Sqrt: return Float80.Sqrt(x, ref ctx);
            case Op.Rndint: return Float80.RoundToIntegral(x, ref ctx);
            case Op.Scale: return Float80.Scale(x, y, ref ctx);
            case Op.StoreSingle: return new Float80(0, Float80.ToSingle(x, ref ctx));
            case Op.StoreDouble: return new Float80(0, Float80.ToDouble(x, ref ctx));
            case Op.StoreInt16: return new Float80(0, (ulong)Float80.ToInteger(x, 16, ctx.Rounding, ref ctx) & 0xFFFF);
            case Op.StoreInt32: return new Float80(0, (ulong)Float80.ToInteger(x, 32, ctx.Rounding, ref ctx) & 0xFFFF_FFFF);
            case Op.StoreInt64: return new Float80(0, (ulong)Float80.ToInteger(x, 64, ctx.Rounding, ref ctx));
            case Op.TruncInt32: return new Float80(0, (ulong)Float80.ToInteger(x, 32, RoundingMode.Zero, ref ctx) & 0xFFFF_FFFF);
            case Op.Com:
            case Op.Ucom:
                cc = Float80.Compare(x, y, op == Op.Ucom, ref ctx) switch
                {
                    FpuComparison.Greater => 0, FpuComparison.Less => 0x100, FpuComparison.Equal => 0x4000, _ => 0x4500,
                };
                return default;
            default:
                var r = Float80.Remainder(x, y, op == Op.Prem1, ref ctx);
                cc = r.Incomplete ? 0x400 : ((r.QuotientLow & 4) != 0 ? 0x100 : 0) | ((r.QuotientLow & 2) != 0 ? 0x4000 : 0) | ((r.QuotientLow & 1) != 0 ? 0x200 : 0);
                return r.Value;
        }
    }

    static Float80 RandomOperand(Random rng)
    {
        ulong sig = (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33);
        int kind = rng.Next(20);
        return kind switch
        {
            0 => new Float80(rng.Next(2) == 0, 0, 0),                                          // ±0
            1 => new Float80(rng.Next(2) == 0, 0, sig >> 1),                                   // denormal
            2 => new Float80(rng.Next(2) == 0, 0x7FFF, Float80.IntegerBit),                   // ±∞
            3 => new Float80(rng.Next(2) == 0, 0x7FFF, sig | Float80.IntegerBit),             // NaN
            4 => new Float80(rng.Next(2) == 0, rng.Next(1, 0x7FFF), sig >> 1),                // unnormal
            5 => new Float80(rng.Next(2) == 0, 0, sig | Float80.IntegerBit),                  // pseudo-denormal
            6 => new Float80(rng.Next(2) == 0, rng.Next(1, 70), sig | Float80.IntegerBit),    // near underflow
            7 => new Float80(rng.Next(2) == 0, rng.Next(0x7FC0, 0x7FFF), sig | Float80.IntegerBit), // near overflow
            8 => new Float80(rng.Next(2) == 0, 0x3FFF + rng.Next(-3, 70), sig & ~((1UL << rng.Next(0, 63)) - 1) | Float80.IntegerBit), // short integers/fractions
            _ => new Float80(rng.Next(2) == 0, 0x3FFF + rng.Next(-80, 80), sig | Float80.IntegerBit),
        };
    }

    [TestCase(Op.Add)]
    [TestCase(Op.Sub)]
    [TestCase(Op.Mul)]
    [TestCase(Op.Div)]
    [TestCase(Op.Sqrt)]
    [TestCase(Op.Rndint)]
    [TestCase(Op.Scale)]
    [TestCase(Op.Prem)]
    [TestCase(Op.Prem1)]
    [TestCase(Op.StoreSingle)]
    [TestCase(Op.StoreDouble)]
    [TestCase(Op.StoreInt16)]
    [TestCase(Op.StoreInt32)]
    [TestCase(Op.StoreInt64)]
    [TestCase(Op.TruncInt32)]
    [TestCase(Op.Com)]
    [TestCase(Op.Ucom)]
    public void MatchesHostX87(Op op)
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
            var rng = new Random(7 + (int)op);
            var failures = new List<string>();
            for (int n = 0; n < 3000 && failures.Count < 5; n++)
            {
                var x = RandomOperand(rng);
                var y = RandomOperand(rng);
                ushort cw = (ushort)(0x3F | 0x40 | rng.Next(4) << 10 | new[] { 0, 2, 3 }[rng.Next(3)] << 8);
                *(ulong*)input = x.Significand; *(ushort*)(input + 8) = x.SignExponent;
                *(ulong*)(input + 16) = y.Significand; *(ushort*)(input + 24) = y.SignExponent;
                *(ushort*)(input + 32) = cw;
                if (op >= Op.StoreSingle) { *(ulong*)output = 0; *(ushort*)(output + 8) = 0; }
                thunk(input, output);
                int width = op switch { Op.StoreSingle or Op.StoreInt32 or Op.TruncInt32 => 4, Op.StoreInt16 => 2, _ => 8 };
                var host = op >= Op.StoreSingle
                    ? new Float80(0, op >= Op.Com ? 0 : *(ulong*)output & (width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1))
                    : new Float80(*(ushort*)(output + 8), *(ulong*)output);
                int hostSw = *(ushort*)(output + 16);
                var ctx = FpuContext.FromControlWord(cw);
                var mine = Compute(op, x, y, ref ctx, out int cc);
                int mySw = (int)ctx.Raised | ((ctx.Raised & FpuExceptions.PE) != 0 && ctx.RoundedUp ? 0x200 : 0) | cc;
                int mask = 0x3F | 0x200 | (op is Op.Prem or Op.Prem1 or Op.Com or Op.Ucom ? 0x4700 : 0);
                if (op is Op.Prem or Op.Prem1 && (hostSw & 0x400) != 0) mask &= ~0x200;   // C1 meaningless when incomplete
                if (host != mine || (hostSw & mask) != (mySw & mask))
                    failures.Add($"{op} {x} , {y} cw={cw:X4}: host {host} sw={hostSw & mask:X4}, mine {mine} sw={mySw & mask:X4}");
            }
            Assert.That(failures, Is.Empty);
        }
        finally { HostPages.Unmap(mem, 8192); }
    }
}
