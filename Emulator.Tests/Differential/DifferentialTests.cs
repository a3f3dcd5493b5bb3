using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;

namespace Emulator.Tests.Differential;

/// <summary>
/// Differential test of the emulated CPU against the host CPU: random integer
/// instructions run natively (64-bit thunk) and on the emulator (32-bit protected mode),
/// and the registers, defined flags and scratch memory must agree.
/// A fixed seed runs in CI; set <c>DIFF_SEED</c> and <c>DIFF_COUNT</c> to run others.
/// </summary>
[NonParallelizable]
public class DifferentialTests
{
    const int DefaultSeed = 20240601;
    const int DefaultCount = 20_000;

    static void RequireX64Linux()
    {
        Assume.That(RuntimeInformation.ProcessArchitecture, Is.EqualTo(Architecture.X64),
            "the differential test runs instructions on the host CPU, which must be x86-64");
        Assume.That(OperatingSystem.IsLinux(), Is.True, "the native executor uses Linux mmap flags");
    }

    [Test]
    public void RandomInstructionsMatchHostCpu()
    {
        RequireX64Linux();
        int seed = EnvInt("DIFF_SEED", DefaultSeed);
        int count = EnvInt("DIFF_COUNT", DefaultCount);

        var report = Run(seed, count);

        var unexpected = new List<string>();
        var nowPassing = new List<string>();
        foreach (var (name, t) in report.ByMnemonic)
        {
            if (t.Mismatches > 0 || t.OtherFaults > 0) unexpected.Add($"{name}: {t.Mismatches} mismatches, {t.OtherFaults} faults");
            bool known = KnownFailures.Unimplemented.ContainsKey(name);
            if (t.InvalidOpcode > 0 && !known) unexpected.Add($"{name}: {t.InvalidOpcode} #UD (not on the known-unimplemented list)");
            if (t.InvalidOpcode == 0 && known) nowPassing.Add(name);
        }

        var text = new StringBuilder();
        text.Append($"seed {seed}, {report.Cases} cases ({report.PrefixedCases} after a flag-setting instruction)\n").Append(report.Summary());
        if (nowPassing.Count > 0)
            text.Append($"no longer #UD, remove from KnownFailures.Unimplemented: {string.Join(", ", nowPassing)}\n");
        if (report.Details.Count > 0)
            text.Append($"\nfirst {report.Details.Count} mismatches:\n").Append(string.Join("\n", report.Details));
        TestContext.Out.WriteLine(text.ToString());

        Assert.That(unexpected, Is.Empty, text.ToString());
    }

    /// <summary>Runs <paramref name="count"/> cases from <paramref name="seed"/> on both sides.</summary>
    static DiffReport Run(int seed, int count)
    {
        var gen = new RandomInstructionGenerator(seed);
        var emulated = new EmulatedExecutor();
        using var native = new NativeExecutor();
        var report = new DiffReport();
        for (int i = 0; i < count; i++)
        {
            var c = gen.Next();
            var bytes32 = c.Encode(32, EmulatedExecutor.CodeAddress);
            var bytes64 = c.Encode(64, 0);
            var n = native.Run(c, bytes64);
            var e = emulated.Run(c, bytes32);
            report.Add(c, bytes32, n, e);
        }
        return report;
    }

    static int EnvInt(string name, int fallback)
    {
        var s = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(s) ? fallback : int.Parse(s, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The native executor itself, on values worked by hand from the SDM: ADD EAX,EBX with
    /// 0xFFFFFFFF + 1 = 0 sets CF, ZF, PF and AF and clears SF and OF; the other registers and
    /// the callee-saved state survive (a broken thunk would crash or corrupt the runtime).
    /// </summary>
    [Test]
    public void NativeExecutorRunsAnInstruction()
    {
        RequireX64Linux();
        var c = new DiffCase { Code = Code.Add_rm32_r32, Operands = [DiffOperand.Reg(Register.EAX), DiffOperand.Reg(Register.EBX)] };
        uint[] regs = [0xFFFF_FFFF, 0x1111_1111, 0x2222_2222, 1, 0, 0x5555_5555, 0x6666_6666, 0x7777_7777];
        regs.CopyTo(c.Regs, 0);
        c.Flags = UndefinedBehaviour.SF | UndefinedBehaviour.OF;
        using var native = new NativeExecutor();
        var o = native.Run(c, c.Encode(64, 0));
        Assert.Multiple(() =>
        {
            Assert.That(o.Regs, Is.EqualTo(new uint[] { 0, 0x1111_1111, 0x2222_2222, 1, 0, 0x5555_5555, 0x6666_6666, 0x7777_7777 }));
            Assert.That(o.Flags, Is.EqualTo(UndefinedBehaviour.CF | UndefinedBehaviour.ZF | UndefinedBehaviour.PF | UndefinedBehaviour.AF));
        });
    }

    /// <summary>A memory form: ADD [ESI+4],ECX adds into the scratch buffer on both sides alike.</summary>
    [Test]
    public void MemoryFormUsesTheScratchBuffer()
    {
        RequireX64Linux();
        var c = new DiffCase
        {
            Code = Code.Add_rm32_r32,
            Operands = [DiffOperand.Mem(6, -1, 1, 4), DiffOperand.Reg(Register.ECX)],
            ScratchBaseReg = 6,
        };
        c.Regs[1] = 0x0000_0100;
        c.Regs[6] = EmulatedExecutor.ScratchBaseAddress;
        c.WriteOperand(c.Operands[0], 4, 0x1234_5678);
        using var native = new NativeExecutor();
        var n = native.Run(c, c.Encode(64, 0));
        var e = new EmulatedExecutor().Run(c, c.Encode(32, EmulatedExecutor.CodeAddress));
        int at = DiffCase.ScratchBaseOffset + 4;
        Assert.Multiple(() =>
        {
            Assert.That(BitConverter.ToUInt32(n.Scratch, at), Is.EqualTo(0x1234_5778));
            Assert.That(BitConverter.ToUInt32(e.Scratch, at), Is.EqualTo(0x1234_5778));
            Assert.That(n.Regs[6], Is.EqualTo(EmulatedExecutor.ScratchBaseAddress), "native base register kept");
            Assert.That(e.Regs[6], Is.EqualTo(EmulatedExecutor.ScratchBaseAddress), "emulated base register kept");
        });
    }

    /// <summary>Every family the brief lists has encodings in the generator.</summary>
    [Test]
    public void GeneratorCoversTheRequestedFamilies()
    {
        var mnemonics = RandomInstructionGenerator.Families.SelectMany(f => f).Select(c => c.Mnemonic()).ToHashSet();
        Mnemonic[] required =
        [
            Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.Cmp, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor,
            Mnemonic.Test, Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not, Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div,
            Mnemonic.Idiv, Mnemonic.Shl, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr,
            Mnemonic.Shld, Mnemonic.Shrd, Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr,
            Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Xchg, Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Bswap, Mnemonic.Lea,
            Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cwd, Mnemonic.Cdq, Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc,
            Mnemonic.Lahf, Mnemonic.Sahf, Mnemonic.Sete, Mnemonic.Setg, Mnemonic.Cmove, Mnemonic.Cmovl,
        ];
        Assert.That(required.Where(m => !mnemonics.Contains(m)), Is.Empty);
    }
}
