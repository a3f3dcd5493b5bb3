namespace Emulator.Tests.Conformance;

/// <summary>
/// Upstream <c>revocation_list.txt</c>: hashes (hex, one per line, <c>#</c> comments) of
/// tests known to be bad, which are skipped.
/// </summary>
public sealed class RevocationList
{
    readonly HashSet<string> hashes;

    RevocationList(HashSet<string> hashes) => this.hashes = hashes;

    public static readonly RevocationList Empty = new([]);

    public int Count => hashes.Count;

    public static RevocationList Load(string path)
    {
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            set.Add(line);
        }
        return new RevocationList(set);
    }

    public bool IsRevoked(MooTest test) => test.Hash.Length != 0 && hashes.Contains(test.Hash);
}
