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
    };
}
