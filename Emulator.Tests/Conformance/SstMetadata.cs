using System.Text.Json;

namespace Emulator.Tests.Conformance;

/// <summary>
/// The upstream <c>metadata.json</c> of a SingleStepTests set: per opcode (key <c>"00"</c>,
/// group opcodes split by ModRM reg as <c>{"reg": {"0": {...}}}</c>) a status and
/// optionally <c>flags-mask</c>, the FLAGS bits that are defined after the instruction.
/// </summary>
public sealed class SstMetadata
{
    readonly Dictionary<string, Entry> entries;

    SstMetadata(Dictionary<string, Entry> entries) => this.entries = entries;

    /// <summary>One opcode (or opcode/reg) entry.</summary>
    public sealed record Entry(string Status, ushort FlagsMask);

    public static SstMetadata Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var entries = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        foreach (var op in doc.RootElement.GetProperty("opcodes").EnumerateObject())
        {
            if (op.Value.TryGetProperty("reg", out var regs))
            {
                foreach (var reg in regs.EnumerateObject()) entries[$"{op.Name}.{reg.Name}"] = ParseEntry(reg.Value);
            }
            else
            {
                entries[op.Name] = ParseEntry(op.Value);
            }
        }
        return new SstMetadata(entries);
    }

    static Entry ParseEntry(JsonElement e) => new(
        e.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "",
        e.TryGetProperty("flags-mask", out var m) ? (ushort)m.GetInt32() : (ushort)0xFFFF);

    /// <summary>
    /// The entry for a test of file <paramref name="fileKey"/> (e.g. <c>"80.1"</c> or <c>"C6"</c>).
    /// A file that holds a whole group opcode (C6, C7, 8F) is looked up by the test's ModRM reg field.
    /// </summary>
    public Entry? Lookup(string fileKey, byte[] instruction)
    {
        if (entries.TryGetValue(fileKey, out var e)) return e;
        var decoded = InstructionBytes.Decode(instruction);
        if (decoded.ModRm is byte modrm && entries.TryGetValue($"{fileKey}.{modrm >> 3 & 7}", out e)) return e;
        return null;
    }
}
