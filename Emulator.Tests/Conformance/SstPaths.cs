namespace Emulator.Tests.Conformance;

/// <summary>Where the SingleStepTests 80286 data lives.</summary>
public static class SstPaths
{
    public const string EnvironmentVariable = "SST_DIR";

    /// <summary>
    /// The folder of <c>*.MOO.gz</c> files: <c>$SST_DIR</c>, or by default
    /// <c>../shared/conformance/80286/v1_real_mode</c> next to the repository root (the
    /// first directory above the test binaries that contains <c>Emulator.sln</c>).
    /// </summary>
    public static string TestDirectory()
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var root = RepositoryRoot();
        return root is null
            ? Path.GetFullPath(Path.Combine("..", "shared", "conformance", "80286", "v1_real_mode"))
            : Path.GetFullPath(Path.Combine(root, "..", "shared", "conformance", "80286", "v1_real_mode"));
    }

    /// <summary>The directory containing <c>Emulator.sln</c>, walking up from the test binaries; null if none.</summary>
    public static string? RepositoryRoot()
    {
        string start;
        try { start = TestContext.CurrentContext.TestDirectory; }
        catch (Exception) { start = AppContext.BaseDirectory; }
        if (string.IsNullOrEmpty(start)) start = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) return dir.FullName;
        return null;
    }

    /// <summary><paramref name="fileName"/> in the test folder, else in its parent (upstream keeps metadata.json and
    /// revocation_list.txt beside the folder; this copy has metadata.json inside it); null if in neither.</summary>
    public static string? Companion(string testDirectory, string fileName)
    {
        var inside = Path.Combine(testDirectory, fileName);
        if (File.Exists(inside)) return inside;
        var parent = Directory.GetParent(testDirectory)?.FullName;
        var beside = parent is null ? null : Path.Combine(parent, fileName);
        return beside is not null && File.Exists(beside) ? beside : null;
    }

    /// <summary>The file key of a <c>XX.MOO.gz</c> / <c>XX.R.MOO.gz</c> path: <c>"XX"</c> / <c>"XX.R"</c>.</summary>
    public static string FileKey(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var suffix in (ReadOnlySpan<string>)[".MOO.gz", ".MOO"])
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return name[..^suffix.Length];
        return name;
    }
}
