using System.Diagnostics;
using System.Text;
using Emulator.Core.Io;
using Emulator.Core.Machine;

namespace Emulator.Tests.Firmware;

/// <summary>The committed BIOS image must be exactly what its source builds to, and must run.</summary>
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

    sealed class PortRecorder : IIoDevice
    {
        public readonly StringBuilder Text = new();
        public readonly List<byte> Post = new();
        public uint In(ushort port, int size) => 0xFF;
        public void Out(ushort port, int size, uint value)
        {
            if (port == 0xE9) Text.Append((char)(byte)value);
            else Post.Add((byte)value);
        }
    }

    [Test]
    public void BiosRunsFromResetVectorToBanner()
    {
        var image = File.ReadAllBytes(Path.Combine(RepoRoot(), "bios", "bios.bin"));
        var m = new Machine(new MachineConfig { MemorySize = 16UL << 20 });
        m.Memory.MapRom(0xFFFF0000, image);
        m.Memory.MapAlias(0xF0000, 0xFFFF0000, 0x10000, readOnly: true);
        var rec = new PortRecorder();
        m.Io.Register(0xE9, 1, rec);
        m.Io.Register(0x80, 1, rec);
        var reason = m.Run(1_000_000);
        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(StopReason.Halted));
            Assert.That(rec.Text.ToString(), Does.StartWith("emu BIOS 0.1"));
            Assert.That(rec.Post, Is.EqualTo(new byte[] { 0x01, 0x02, 0x03 }));
        });
    }
}
