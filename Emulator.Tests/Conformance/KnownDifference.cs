namespace Emulator.Tests.Conformance;

/// <summary>
/// A documented, intended difference between the 80286 the tests were captured on and
/// this emulator's CPU (a 386+/P6-class processor). Tests it applies to are run but
/// not held against the CPU; they are counted and printed as excluded.
/// </summary>
/// <param name="Id">Short name printed in the summary.</param>
/// <param name="Opcodes">Which test files/opcodes it concerns (for the reader).</param>
/// <param name="Reference">Where the Intel SDM documents the 386+ behaviour.</param>
/// <param name="Reason">What the 286 does and what a 386+ does instead.</param>
/// <param name="AppliesTo">Whether the difference covers a test (file key, test, decoded bytes).</param>
public sealed record KnownDifference(
    string Id,
    string Opcodes,
    string Reference,
    string Reason,
    Func<string, MooTest, InstructionBytes, bool> AppliesTo);
