using System.Diagnostics;

namespace Emulator.Tests.Conformance;

/// <summary>
/// SingleStepTests 80286 real-mode conformance (see /work/shared/conformance/README.md):
/// one NUnit case per opcode file, each running every test in the file; a summary line
/// <c>SST 80286: N passed, N failed</c> plus a per-opcode failure table is printed once
/// after the last case. Known 286 vs 386+ differences (<see cref="KnownDifferences80286"/>)
/// are run but counted as excluded; revoked tests are skipped.
/// </summary>
[TestFixture, NonParallelizable]
public sealed class SingleStepTests80286
{
    const string NoData = "(no data)";

    sealed class FileResult(string key)
    {
        public string Key { get; } = key;
        public int Passed, Failed, Revoked, ExcludedPassing;
        public readonly Dictionary<string, int> Excluded = new();
        public string? FirstFailure;
    }

    readonly List<FileResult> results = new();
    readonly Stopwatch elapsed = new();
    SstMetadata? metadata;
    RevocationList revoked = RevocationList.Empty;
    SstRunner? runner;

    /// <summary>The opcode files (keys like "00", "80.1"); a single placeholder when the data is missing.</summary>
    public static IEnumerable<string> OpcodeFiles()
    {
        var dir = SstPaths.TestDirectory();
        if (!Directory.Exists(dir))
        {
            yield return NoData;
            yield break;
        }
        var keys = Directory.EnumerateFiles(dir, "*.MOO.gz").Select(SstPaths.FileKey)
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (keys.Count == 0) yield return NoData;
        foreach (var k in keys) yield return k;
    }

    [TestCaseSource(nameof(OpcodeFiles))]
    public void Opcode(string key)
    {
        var dir = SstPaths.TestDirectory();
        if (key == NoData || !Directory.Exists(dir))
            Assert.Inconclusive($"SingleStepTests 80286 data not found: no *.MOO.gz in '{dir}' " +
                $"(set {SstPaths.EnvironmentVariable} to the v1_real_mode folder)");

        if (metadata is null)
        {
            var metaPath = SstPaths.Companion(dir, "metadata.json");
            if (metaPath is null)
                Assert.Inconclusive($"SingleStepTests 80286: metadata.json not found in or beside '{dir}'");
            metadata = SstMetadata.Load(metaPath);
            var revPath = SstPaths.Companion(dir, "revocation_list.txt");
            revoked = revPath is null ? RevocationList.Empty : RevocationList.Load(revPath);
            runner = new SstRunner();
        }

        elapsed.Start();
        var file = MooFile.Load(Path.Combine(dir, key + ".MOO.gz"));
        var result = new FileResult(key);
        foreach (var test in file.Tests)
        {
            if (revoked.IsRevoked(test)) { result.Revoked++; continue; }
            var ins = InstructionBytes.Decode(test.Bytes);
            ushort flagsMask = metadata.Lookup(key, test.Bytes)?.FlagsMask ?? 0xFFFF;
            var diff = runner!.Run(test, flagsMask);
            var known = KnownDifferences80286.Find(key, test, ins);
            if (known is not null)
            {
                result.Excluded[known.Id] = result.Excluded.GetValueOrDefault(known.Id) + 1;
                if (diff is null) result.ExcludedPassing++;
            }
            else if (diff is null) result.Passed++;
            else
            {
                result.Failed++;
                result.FirstFailure ??= $"{test}: {diff}";
            }
        }
        elapsed.Stop();
        results.Add(result);

        if (result.Failed > 0)
            Assert.Fail($"{key}: {result.Failed} of {file.Tests.Count} failed; first {result.FirstFailure}");
    }

    [OneTimeTearDown]
    public void PrintSummary()
    {
        if (results.Count == 0) return;
        var log = TestContext.Progress;
        int passed = results.Sum(r => r.Passed), failed = results.Sum(r => r.Failed);
        log.WriteLine($"SST 80286: {passed} passed, {failed} failed");

        var excluded = results.SelectMany(r => r.Excluded).GroupBy(p => p.Key)
            .Select(g => $"{g.Key} {g.Sum(p => p.Value)}").ToList();
        int excludedTotal = results.Sum(r => r.Excluded.Values.Sum());
        log.WriteLine($"SST 80286: {excludedTotal} excluded" +
            (excludedTotal > 0 ? $" ({string.Join(", ", excluded)}; {results.Sum(r => r.ExcludedPassing)} of them pass anyway)" : "") +
            $", {results.Sum(r => r.Revoked)} revoked, {results.Count} files, {elapsed.Elapsed.TotalSeconds:F1} s");
        foreach (var d in KnownDifferences80286.All)
            log.WriteLine($"  excluded {d.Id}: {d.Reason} [{d.Reference}]");

        var failing = results.Where(r => r.Failed > 0)
            .OrderByDescending(r => r.Failed).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
        if (failing.Count == 0) return;
        log.WriteLine($"SST 80286 failing opcodes ({failing.Count}, worst first; count, first failure):");
        foreach (var r in failing)
            log.WriteLine($"  {r.Key,-5} {r.Failed,3}  {Truncate(r.FirstFailure ?? "", 200)}");
    }

    static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 3)] + "...";
}
