using System.Text;

namespace Emulator.Tests.Differential;

/// <summary>
/// Compares native and emulated outcomes with the undefined parts masked, tallies results
/// per mnemonic, and formats a readable report of the first mismatches.
/// </summary>
internal sealed class DiffReport
{
    public const int MaxDetails = 20;

    static readonly string[] RegNames = ["EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"];
    static readonly (uint Bit, string Name)[] FlagNames =
        [(UndefinedBehaviour.CF, "CF"), (UndefinedBehaviour.PF, "PF"), (UndefinedBehaviour.AF, "AF"),
         (UndefinedBehaviour.ZF, "ZF"), (UndefinedBehaviour.SF, "SF"), (UndefinedBehaviour.OF, "OF")];

    public sealed class Tally
    {
        public int Cases, Passed, Mismatches, InvalidOpcode, OtherFaults;
        /// <summary>Cases whose SDM-undefined flags differ from the host's (information only: the host's choice is not a spec).</summary>
        public int UndefinedFlagsDiffer;
        public readonly Dictionary<string, int> DifferingParts = new();
    }

    public SortedDictionary<string, Tally> ByMnemonic { get; } = new(StringComparer.Ordinal);
    public List<string> Details { get; } = new();
    public int Cases { get; private set; }
    /// <summary>Cases run after a flag-setting prefix instruction (flags held lazily).</summary>
    public int PrefixedCases { get; private set; }

    /// <summary>Records one case; returns true when the outcomes agree.</summary>
    public bool Add(DiffCase c, byte[] bytes32, DiffOutcome native, DiffOutcome emulated)
    {
        Cases++;
        if (c.Prefix != null) PrefixedCases++;
        var name = c.MnemonicName;
        if (!ByMnemonic.TryGetValue(name, out var t)) ByMnemonic[name] = t = new Tally();
        t.Cases++;
        if (emulated.Exception == 6) { t.InvalidOpcode++; return false; }
        if (emulated.Exception >= 0 || emulated.RunError != null)
        {
            t.OtherFaults++;
            AddDetail(c, bytes32, native, emulated,
                [emulated.RunError ?? $"emulated CPU raised exception vector {emulated.Exception} (native ran without a fault)"]);
            return false;
        }
        if (((native.Flags ^ emulated.Flags) & UndefinedBehaviour.UndefinedFlags(c)) != 0) t.UndefinedFlagsDiffer++;
        var diffs = Compare(c, native, emulated, out var parts);
        if (diffs.Count == 0) { t.Passed++; return true; }
        t.Mismatches++;
        foreach (var p in parts) t.DifferingParts[p] = t.DifferingParts.GetValueOrDefault(p) + 1;
        AddDetail(c, bytes32, native, emulated, diffs);
        return false;
    }

    static List<string> Compare(DiffCase c, DiffOutcome native, DiffOutcome emulated, out List<string> parts)
    {
        var diffs = new List<string>();
        parts = new List<string>();
        var defined = UndefinedBehaviour.DefinedRegisterBits(c);
        for (int i = 0; i < 8; i++)
        {
            uint x = (native.Regs[i] ^ emulated.Regs[i]) & defined[i];
            if (x == 0) continue;
            diffs.Add($"{RegNames[i]}: native {native.Regs[i]:X8} emulated {emulated.Regs[i]:X8} (differing bits {x:X8})");
            parts.Add(RegNames[i]);
        }
        uint undefinedFlags = UndefinedBehaviour.UndefinedFlags(c);
        uint fx = (native.Flags ^ emulated.Flags) & UndefinedBehaviour.AllArith & ~undefinedFlags;
        if (fx != 0)
        {
            var names = FlagNames.Where(f => (fx & f.Bit) != 0).Select(f => f.Name).ToList();
            diffs.Add($"flags {string.Join(",", names)}: native {FlagString(native.Flags)} emulated {FlagString(emulated.Flags)}" +
                (undefinedFlags != 0 ? $" (undefined, ignored: {FlagList(undefinedFlags)})" : ""));
            parts.AddRange(names);
        }
        for (int i = 0; i < DiffCase.ScratchSize; i++)
        {
            if (native.Scratch[i] == emulated.Scratch[i]) continue;
            int end = i;
            while (end + 1 < DiffCase.ScratchSize && native.Scratch[end + 1] != emulated.Scratch[end + 1]) end++;
            int n = Math.Min(end - i + 1, 8);
            diffs.Add($"memory [base{i - DiffCase.ScratchBaseOffset:+#;-#;+0}]: native {Hex(native.Scratch, i, n)} emulated {Hex(emulated.Scratch, i, n)}");
            parts.Add("memory");
            break;
        }
        return diffs;
    }

    void AddDetail(DiffCase c, byte[] bytes32, DiffOutcome native, DiffOutcome emulated, List<string> diffs)
    {
        if (Details.Count >= MaxDetails) return;
        var sb = new StringBuilder();
        sb.Append($"#{Details.Count + 1}  {c.Format()}   ({Convert.ToHexString(bytes32)}, {c.Code})\n");
        sb.Append("  in:  ").Append(RegLine(c.Regs)).Append($" flags {FlagString(c.Flags)}");
        var mem = Array.Find(c.Operands, o => o.Kind == DiffOperandKind.Memory);
        if (c.ScratchBaseReg >= 0)
            sb.Append($" mem[{RegNames[c.ScratchBaseReg]}{mem.Displacement:+#;-#;+0}]={Hex(c.Scratch, c.ScratchOffset(mem), 4)}");
        sb.Append('\n');
        sb.Append("  native:   ").Append(RegLine(native.Regs)).Append($" flags {FlagString(native.Flags)}\n");
        sb.Append("  emulated: ").Append(RegLine(emulated.Regs)).Append($" flags {FlagString(emulated.Flags)}\n");
        foreach (var d in diffs) sb.Append("  ! ").Append(d).Append('\n');
        Details.Add(sb.ToString());
    }

    static string RegLine(uint[] r) =>
        string.Join(" ", Enumerable.Range(0, 8).Where(i => i != 4).Select(i => $"{RegNames[i]}={r[i]:X8}"));

    public static string FlagString(uint f) =>
        string.Concat(Enumerable.Reverse(FlagNames).Select(x => (f & x.Bit) != 0 ? x.Name : x.Name.ToLowerInvariant()).Select(s => s + " ")).TrimEnd();

    static string FlagList(uint f) => string.Join(",", FlagNames.Where(x => (f & x.Bit) != 0).Select(x => x.Name));

    static string Hex(byte[] b, int at, int n) => Convert.ToHexString(b, at, n);

    /// <summary>The per-mnemonic table: cases, passed, mismatches (with the parts that differed), #UD, other faults,
    /// and how often the undefined (ignored) flags differed from the host's.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        sb.Append($"{"mnemonic",-10} {"cases",6} {"pass",6} {"mismatch",8} {"#UD",6} {"fault",6} {"undef!=",8}  differing\n");
        foreach (var (name, t) in ByMnemonic)
        {
            var parts = string.Join(" ", t.DifferingParts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}:{kv.Value}"));
            sb.Append($"{name,-10} {t.Cases,6} {t.Passed,6} {t.Mismatches,8} {t.InvalidOpcode,6} {t.OtherFaults,6} {t.UndefinedFlagsDiffer,8}  {parts}\n");
        }
        return sb.ToString();
    }
}
