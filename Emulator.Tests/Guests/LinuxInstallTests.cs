using System.Diagnostics;
using System.Text;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Guests;

/// <summary>
/// The quick start of issue 9, under the project's own BIOS and under SeaBIOS (Debian's
/// bios-256k.bin): the Linux CD boots by El Torito through ISOLINUX; the installer CD
/// partitions and fills a fresh qcow2 disk and installs EXTLINUX; the installed disk then boots
/// by itself to a shell on the serial console that runs a typed command. Each firmware has its
/// own disk; its three steps share it, so they run in order.
/// </summary>
/// <remarks>
/// The own BIOS installs no ACPI tables yet (branch 'tables' adds fw_cfg's), so Linux finds no
/// way to power off there: "poweroff" ends in machine_halt, CLI and HLT, and emu stops with
/// status 0 on a halt with interrupts disabled rather than through the PIIX4's S5. Under SeaBIOS
/// the status 0 comes from the ACPI sleep, which the tests check.
/// </remarks>
[NonParallelizable]
[TestFixture(Firmware.Own)]
[TestFixture(Firmware.SeaBios)]
public class LinuxInstallTests(LinuxInstallTests.Firmware firmware)
{
    public enum Firmware { Own, SeaBios }

    const string SeaBiosImage = "/usr/share/seabios/bios-256k.bin";
    const long Limit = 40_000_000_000;

    /// <summary>emu's note when a guest ends in CLI and HLT instead of powering off (MachineRunner).</summary>
    const string HaltedNote = "guest halted with interrupts disabled";

    (int Code, string Log, string Errors) Emu(string[] args, Stream? stdin = null, TextWriter? stdout = null)
    {
        if (firmware == Firmware.SeaBios) args = ["-bios", SeaBiosImage, .. args];
        stdout ??= new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = EmuMain.Run(args, stdout, stderr, instructionLimit: Limit, stdinBytes: stdin);
        string log = stdout.ToString()!;
        TestContext.Out.WriteLine($"emu {string.Join(' ', args)}: status {code} after {clock.Elapsed.TotalSeconds:F0} s wall");
        TestContext.Out.WriteLine(log.Length > 6000 ? log[^6000..] : log);
        TestContext.Out.WriteLine(stderr.ToString());
        return (code, log, stderr.ToString());
    }

    /// <summary>Status 0 from the guest's poweroff; under SeaBIOS through ACPI S5, not a halt (see the remarks).</summary>
    void AssertPoweredOff(int code, string errors, string what)
    {
        Assert.That(code, Is.EqualTo(0), what + " ends emu with status 0");
        if (firmware == Firmware.SeaBios)
            Assert.That(errors, Does.Not.Contain(HaltedNote), what + " powers off through ACPI");
    }

    [Test, Order(1)]
    public void Linux_cd_boots_through_isolinux()
    {
        var (code, log, errors) = Emu(["-nographic", "-m", "256", "-cdrom", TestGuests.File("linux.iso"), "-boot", "d"]);
        Assert.Multiple(() =>
        {
            // COM1 carries ISOLINUX's banner and prompt only after isolinux.cfg's SERIAL line.
            Assert.That(log, Does.Contain("ISOLINUX 6.04"), "the BIOS booted the CD by El Torito and ISOLINUX read isolinux.cfg");
            Assert.That(log, Does.Contain("Linux version 6."), "ISOLINUX loaded the kernel from the CD");
            Assert.That(log, Does.Contain("DMI: emu Standard PC (i440FX + PIIX, 1996), BIOS "), "Linux read the board's SMBIOS, which SeaBIOS installed");
            Assert.That(log, Does.Contain(TestGuests.Marker), "/init ran from the initramfs ISOLINUX loaded");
            Assert.That(log, Does.Contain("sr0"), "Linux found the CD drive through ata_piix");
            Assert.That(log, Does.Contain(TestGuests.PowerOff), "init reached its end");
            AssertPoweredOff(code, errors, "poweroff");
        });
    }

    TempDir dir = null!;

    [OneTimeSetUp] public void MakeDir() => dir = new TempDir();
    [OneTimeTearDown] public void RemoveDir() => dir.Dispose();

    [Test, Order(2)]
    public void Installer_cd_installs_linux_onto_a_fresh_qcow2_disk()
    {
        string disk = dir.File("disk.qcow2");
        Assert.That(EmuMain.Run(["img", "create", "-f", "qcow2", disk, "1G"], new StringWriter(), new StringWriter()), Is.EqualTo(0));
        var (code, log, errors) = Emu(["-nographic", "-m", "256", "-hda", disk, "-cdrom", TestGuests.File("install.iso"), "-boot", "d"]);
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("EMU-INSTALL: starting"));
            Assert.That(log, Does.Not.Contain("EMU-GUEST-FAILED"));
            Assert.That(log, Does.Contain("EMU-INSTALL-DONE"), "partitioned, formatted, copied and EXTLINUX installed");
            AssertPoweredOff(code, errors, "the installer's poweroff");
        });
        var check = Process.Start(new ProcessStartInfo("qemu-img", ["check", disk]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string report = check.StandardOutput.ReadToEnd() + check.StandardError.ReadToEnd();
        check.WaitForExit();
        TestContext.Out.WriteLine(report);
        Assert.That(check.ExitCode, Is.EqualTo(0), "qemu-img check finds the image clean: " + report);
    }

    [Test, Order(3)]
    public void Installed_disk_boots_to_a_shell_that_runs_a_typed_command()
    {
        if (!System.IO.File.Exists(dir.File("disk.qcow2")))
            Assert.Fail("the installer test did not leave a disk (run the fixture in order)");
        var console = new WatchedWriter();
        var keyboard = new ScriptedInput(console,
            ("emu-disk# ", "echo typed-$((6*7))\n"),
            ("typed-42", "poweroff -f\n"));
        var (code, log, errors) = Emu(["-nographic", "-m", "256", "-hda", dir.File("disk.qcow2")], keyboard, console);
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("SYSLINUX 6.04"), "EXTLINUX's core (its banner says SYSLINUX) read extlinux.conf: COM1 carries it after the SERIAL line");
            Assert.That(log, Does.Contain("EMU-DISK-MARKER: booted from /dev/sda1"), "EXTLINUX booted the installed system");
            Assert.That(log, Does.Contain("emu-disk# "), "the shell's prompt");
            Assert.That(log, Does.Contain("typed-42"), "the typed command ran in the guest's shell");
            AssertPoweredOff(code, errors, "poweroff -f");
        });
    }

    /// <summary>The console output, with a way to wait until it contains some text.</summary>
    sealed class WatchedWriter : StringWriter
    {
        readonly object gate = new();

        public override void Write(char value) { lock (gate) { base.Write(value); Monitor.PulseAll(gate); } }
        public override void Write(string? value) { lock (gate) { base.Write(value); Monitor.PulseAll(gate); } }
        public override void Write(char[] buffer, int index, int count) { lock (gate) { base.Write(buffer, index, count); Monitor.PulseAll(gate); } }
        public override string ToString() { lock (gate) return base.ToString(); }

        /// <summary>Blocks until the output after <paramref name="from"/> contains <paramref name="text"/>; returns where it ends.</summary>
        public int WaitFor(string text, int from)
        {
            lock (gate)
            {
                while (true)
                {
                    int at = GetStringBuilder().ToString().IndexOf(text, from, StringComparison.Ordinal);
                    if (at >= 0) return at + text.Length;
                    Monitor.Wait(gate);
                }
            }
        }
    }

    /// <summary>
    /// A keyboard on the serial port: each line is typed only once the console shows what it
    /// waits for, like a person at the prompt (bytes sent earlier would reach the shell before it reads).
    /// Reads end (EOF) after the last line.
    /// </summary>
    sealed class ScriptedInput((string Wait, string Type)[] steps, WatchedWriter console) : Stream
    {
        public ScriptedInput(WatchedWriter console, params (string Wait, string Type)[] steps) : this(steps, console) { }

        int step, seen;
        byte[] pending = [];
        int offset;

        public override int Read(byte[] buffer, int index, int count)
        {
            if (offset == pending.Length)
            {
                if (step == steps.Length) return 0;
                seen = console.WaitFor(steps[step].Wait, seen);
                pending = Encoding.ASCII.GetBytes(steps[step++].Type);
                offset = 0;
            }
            int n = Math.Min(count, pending.Length - offset);
            Array.Copy(pending, offset, buffer, index, n);
            offset += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
