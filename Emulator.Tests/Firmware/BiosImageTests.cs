using System.Diagnostics;

namespace Emulator.Tests.Firmware;

/// <summary>The committed BIOS, VGA BIOS and -kernel loader ROM (Linux, Multiboot) images must be exactly what their sources build to (BiosPostTests and VgaBiosTests run them).</summary>
public class BiosImageTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [TestCase("bios.bin")]
    [TestCase("vgabios.bin")]
    [TestCase("linuxboot.bin")]
    [TestCase("multiboot.bin")]
    public void CommittedImageMatchesSource(string image)
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
            var built = File.ReadAllBytes(Path.Combine(outDir, image));
            var committed = File.ReadAllBytes(Path.Combine(root, "bios", image));
            Assert.That(built, Is.EqualTo(committed), $"bios/{image} is stale: run bios/build.sh and commit the result");
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}
