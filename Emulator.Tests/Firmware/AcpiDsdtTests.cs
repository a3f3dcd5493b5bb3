using System.Buffers.Binary;
using System.Diagnostics;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Tests.Firmware;

/// <summary>The committed DSDT AML is what iasl makes of dsdt.dsl, and the machine's patches land where the Names are.</summary>
public class AcpiDsdtTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Test]
    public void Committed_aml_matches_the_source()
    {
        string acpiDir = Path.Combine(RepoRoot(), "Emulator.Devices", "Firmware", "Acpi");
        string outDir = Path.Combine(Path.GetTempPath(), "emu-dsdt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        try
        {
            var psi = new ProcessStartInfo("iasl", ["-p", Path.Combine(outDir, "dsdt"), Path.Combine(acpiDir, "dsdt.dsl")])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            Process p;
            try { p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception) { Assert.Fail("iasl is missing: install Debian's acpica-tools (.ci/run does)"); return; }
            using (p)
            {
                string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.That(p.ExitCode, Is.EqualTo(0), "iasl failed: " + output);
            }
            var built = File.ReadAllBytes(Path.Combine(outDir, "dsdt.aml"));
            Assert.That(built, Is.EqualTo(File.ReadAllBytes(Path.Combine(acpiDir, "dsdt.aml"))),
                "dsdt.aml is stale: run iasl -p dsdt dsdt.dsl in Emulator.Devices/Firmware/Acpi and commit the result");
            Assert.That(AcpiDsdt.Compiled(), Is.EqualTo(built), "the embedded resource");
        }
        finally
        {
            Directory.Delete(outDir, true);
        }
    }

    /// <summary>The DWord after NameOp, the name and DWordPrefix (ACPI 6.4 20.2.5.1, 20.2.3).</summary>
    static uint NameValue(byte[] aml, string name)
    {
        byte[] pattern = [0x08, (byte)name[0], (byte)name[1], (byte)name[2], (byte)name[3], 0x0C];
        int at = aml.AsSpan().IndexOf(pattern);
        Assert.That(at, Is.GreaterThan(0), name);
        return BinaryPrimitives.ReadUInt32LittleEndian(aml.AsSpan(at + pattern.Length));
    }

    [Test]
    public void Build_patches_the_pci_window_and_the_devices_and_keeps_the_checksum()
    {
        var compiled = AcpiDsdt.Compiled();
        var aml = AcpiDsdt.Build(new AcpiPlatform(0x0800_0000, 0x600, 9, SerialPorts: 2, FloppyController: true));
        Assert.Multiple(() =>
        {
            Assert.That(aml, Has.Length.EqualTo(compiled.Length));
            Assert.That(System.Text.Encoding.ASCII.GetString(aml, 0, 4), Is.EqualTo("DSDT"));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(aml.AsSpan(4)), Is.EqualTo(aml.Length));
            Assert.That(aml[8], Is.EqualTo(1), "revision 1: 32-bit integers");
            Assert.That(NameValue(compiled, "PMLO"), Is.EqualTo(0x8000_0000u), "as compiled");
            Assert.That(NameValue(aml, "PMLO"), Is.EqualTo(0x0800_0000u));
            Assert.That(NameValue(aml, "DEVS"), Is.EqualTo(0x13u), "COM1, COM2, floppy");
            Assert.That(AcpiTable.Sum(aml), Is.EqualTo(0));
            int differing = 0;
            for (int i = 0; i < aml.Length; i++) if (aml[i] != compiled[i]) differing++;
            Assert.That(differing, Is.LessThanOrEqualTo(1 + 4 + 4), "only the checksum and the two values change");
        });
    }
}
