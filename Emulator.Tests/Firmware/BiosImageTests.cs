using System.Diagnostics;

namespace Emulator.Tests.Firmware;

/// <summary>The committed BIOS image must be exactly what its source builds to (BiosPostTests run it).</summary>
public class BiosImageTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Test]
    public void CommittedImageMatchesSource()
    {
        string root = RepoRoot();
        string outDir = Path.Combine(Path.GetTempPath(), "emu-bios-" + Guid.NewGuid().ToString("N"));
        try
        {
            var psi = new ProcessStartInfo("bash", [Path.Combine(root, "bios", "build.sh"), outDir])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.EqualTo(0), "bios/build.sh failed (is nasm installed? .ci/run installs it): " + err);
            var built = File.ReadAllBytes(Path.Combine(outDir, "bios.bin"));
            var committed = File.ReadAllBytes(Path.Combine(root, "bios", "bios.bin"));
            Assert.That(built, Is.EqualTo(committed), "bios/bios.bin is stale: run bios/build.sh and commit the result");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}
