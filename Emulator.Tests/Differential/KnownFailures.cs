namespace Emulator.Tests.Differential;

/// <summary>
/// Mnemonics the core does not implement yet (they raise #UD), with who is on them. The
/// differential test tolerates #UD for these and nothing else: a wrong result still fails.
/// This list only shrinks: when a family lands, the test's output says to remove it.
/// </summary>
internal static class KnownFailures
{
    public static readonly IReadOnlyDictionary<string, string> Unimplemented = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["SHL"] = "shifts and rotates: alu branch",
        ["SHR"] = "shifts and rotates: alu branch",
        ["SAR"] = "shifts and rotates: alu branch",
        ["ROL"] = "shifts and rotates: alu branch",
        ["ROR"] = "shifts and rotates: alu branch",
        ["RCL"] = "shifts and rotates: alu branch",
        ["RCR"] = "shifts and rotates: alu branch",
        ["SHLD"] = "shifts and rotates: alu branch",
        ["SHRD"] = "shifts and rotates: alu branch",
        ["BT"] = "bit tests and scans: alu branch",
        ["BTS"] = "bit tests and scans: alu branch",
        ["BTR"] = "bit tests and scans: alu branch",
        ["BTC"] = "bit tests and scans: alu branch",
        ["BSF"] = "bit tests and scans: alu branch",
        ["BSR"] = "bit tests and scans: alu branch",
    };
}
