namespace Emulator.Tests.Conformance;

/// <summary>One SingleStepTests test: an instruction with the machine state before and after it.</summary>
/// <param name="Index">The test's index in its file.</param>
/// <param name="Name">Disassembly of the instruction.</param>
/// <param name="Bytes">The instruction bytes (prefixes included; the trailing HLT too).</param>
/// <param name="Hash">The test's hash as lowercase hex (the form used by revocation_list.txt).</param>
public sealed record MooTest(
    int Index,
    string Name,
    byte[] Bytes,
    MooState Initial,
    MooState Final,
    MooException? Exception,
    string Hash)
{
    public string BytesHex => Convert.ToHexString(Bytes);

    public override string ToString() => $"#{Index} '{Name}' ({BytesHex})";
}
