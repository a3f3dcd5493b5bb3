using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Tests.Conformance;

/// <summary>
/// Runs SingleStepTests on one reusable machine (16 MiB of RAM, nothing on the I/O bus so
/// port reads return 0xFF): loads a test's initial state, executes until the HLT after
/// the instruction (or the HLT that starts the exception handler), and compares.
/// </summary>
public sealed class SstRunner
{
    /// <summary>Instructions allowed per test; a test needs the instruction, a few REP iterations at most, and the HLT.</summary>
    const long Budget = 1000;

    /// <summary>FLAGS bits 12-15 (IOPL, NT, bit 15): forced to 0 by the 286 in real mode, masked by the README.</summary>
    const ushort RealModeFlagsMask = 0x0FFF;

    static readonly (MooRegister Moo, Gpr Gpr)[] GprMap =
    [
        (MooRegister.AX, Gpr.Rax), (MooRegister.BX, Gpr.Rbx), (MooRegister.CX, Gpr.Rcx), (MooRegister.DX, Gpr.Rdx),
        (MooRegister.SP, Gpr.Rsp), (MooRegister.BP, Gpr.Rbp), (MooRegister.SI, Gpr.Rsi), (MooRegister.DI, Gpr.Rdi),
    ];

    static readonly (MooRegister Moo, SegReg Seg)[] SegMap =
    [
        (MooRegister.CS, SegReg.CS), (MooRegister.SS, SegReg.SS), (MooRegister.DS, SegReg.DS), (MooRegister.ES, SegReg.ES),
    ];

    readonly Machine machine = new(new MachineConfig { MemorySize = 16UL << 20 });

    /// <summary>RAM bytes the previous test set or was expected to write; cleared before the next one.</summary>
    readonly List<uint> touched = new();

    readonly Dictionary<uint, byte> expectedRam = new();

    /// <summary>Runs one test. Returns null when it passes, otherwise a one-line description of the differences.</summary>
    /// <param name="flagsMask">The defined FLAGS bits for this opcode (metadata <c>flags-mask</c>).</param>
    public string? Run(MooTest test, ushort flagsMask)
    {
        var cpu = machine.Cpu;
        var ram = machine.Memory.Ram;
        foreach (var a in touched) ram[(int)a] = 0;
        touched.Clear();

        foreach (var b in test.Initial.Ram)
        {
            if (b.Address >= (uint)ram.Length) return $"initial RAM address {b.Address:X} outside RAM";
            ram[(int)b.Address] = b.Value;
            touched.Add(b.Address);
        }
        foreach (var b in test.Final.Ram)
            if (b.Address < (uint)ram.Length) touched.Add(b.Address);

        var init = test.Initial.Registers;
        StopReason reason;
        try
        {
            // Reset after the RAM writes: they bypass code-page tracking, and Reset clears the decoded-block cache.
            cpu.Reset();
            foreach (var (moo, seg) in SegMap) cpu.SetSegmentReal(seg, init[moo]);
            foreach (var (moo, gpr) in GprMap) cpu.SetGpr(gpr, init[moo]);
            cpu.Rip = init[MooRegister.IP];
            cpu.Eflags = (uint)(init[MooRegister.FLAGS] & RealModeFlagsMask);
            reason = machine.Run(Budget);
        }
        catch (Exception e)
        {
            return $"threw {e.GetType().Name}: {FirstLine(e.Message)}";
        }

        return Compare(test, flagsMask, reason);
    }

    string? Compare(MooTest test, ushort flagsMask, StopReason reason)
    {
        var cpu = machine.Cpu;
        var ram = machine.Memory.Ram;
        var init = test.Initial.Registers;
        var fina = test.Final.Registers;
        var diffs = new List<string>();

        if (!cpu.Halted) diffs.Add($"no HLT reached ({reason})");

        foreach (var (moo, gpr) in GprMap)
        {
            ulong expected = fina.GetOr(moo, init);
            ulong actual = cpu.GetGpr(gpr);
            if (actual != expected) diffs.Add($"{moo} exp {expected:X4} got {actual:X4}");
        }
        foreach (var (moo, seg) in SegMap)
        {
            ushort expected = fina.GetOr(moo, init);
            var actual = cpu.GetSegment(seg);
            if (actual.Selector != expected) diffs.Add($"{moo} exp {expected:X4} got {actual.Selector:X4}");
            else if (actual.Base != (ulong)expected << 4) diffs.Add($"{moo}.base exp {(ulong)expected << 4:X5} got {actual.Base:X}");
        }
        {
            ulong expected = fina.GetOr(MooRegister.IP, init);
            if (cpu.Rip != expected) diffs.Add($"IP exp {expected:X4} got {cpu.Rip:X4}");
        }
        {
            ushort mask = (ushort)(flagsMask & RealModeFlagsMask);
            uint expected = fina.GetOr(MooRegister.FLAGS, init);
            uint actual = cpu.Eflags;
            if (((expected ^ actual) & mask) != 0)
                diffs.Add($"FLAGS exp {expected & mask:X4} got {actual & mask:X4} ({FlagNames((expected ^ actual) & mask)})");
        }

        // RAM: every final byte must match; initial bytes the final state does not list must be unchanged.
        expectedRam.Clear();
        foreach (var b in test.Initial.Ram) expectedRam[b.Address] = b.Value;
        foreach (var b in test.Final.Ram) expectedRam[b.Address] = b.Value;
        foreach (var (address, value) in expectedRam)
        {
            if (address >= (uint)ram.Length) { diffs.Add($"RAM address {address:X} outside RAM"); continue; }
            byte mask = 0xFF;
            if (test.Exception is MooException ex)
            {
                // The FLAGS image the exception pushed: its undefined bits are not compared.
                if (address == ex.FlagsAddress) mask = (byte)flagsMask;
                else if (address == ex.FlagsAddress + 1) mask = (byte)(flagsMask >> 8);
            }
            byte actual = ram[(int)address];
            if (((actual ^ value) & mask) != 0) diffs.Add($"[{address:X5}] exp {value & mask:X2} got {actual & mask:X2}");
        }

        if (diffs.Count == 0) return null;
        const int shown = 5;
        var text = string.Join("; ", diffs.Take(shown));
        return diffs.Count > shown ? $"{text}; +{diffs.Count - shown} more" : text;
    }

    static string FlagNames(uint bits)
    {
        var names = new List<string>();
        ReadOnlySpan<(int Bit, string Name)> known =
            [(11, "OF"), (10, "DF"), (9, "IF"), (8, "TF"), (7, "SF"), (6, "ZF"), (4, "AF"), (2, "PF"), (0, "CF")];
        foreach (var (bit, name) in known)
            if ((bits >> bit & 1) != 0) names.Add(name);
        return names.Count == 0 ? $"bits {bits:X4}" : string.Join(',', names);
    }

    static string FirstLine(string s)
    {
        int nl = s.IndexOfAny(['\r', '\n']);
        return nl < 0 ? s : s[..nl];
    }
}
