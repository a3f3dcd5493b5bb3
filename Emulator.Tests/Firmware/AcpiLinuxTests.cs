using System.Diagnostics;
using System.Text;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Firmware;
using Emulator.Devices.Serial;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Debian's i386 Linux (built by tests/guests/build.sh into ~/.cache/emu-guests) booted without
/// firmware through <see cref="LinuxDirectBoot"/> with the machine's ACPI tables installed by
/// <see cref="Devices.Firmware.Acpi.AcpiDirectInstall"/>: the kernel must find and use every
/// table, run the DSDT, route interrupts through the IOAPIC, and power the machine off through
/// the PIIX4's S5 when the guest's init runs <c>poweroff -f</c>. It takes minutes of wall time
/// on a loaded host, so it is explicit; set EMU_ACPI_LINUX_LOG to a path to follow the console.
/// </summary>
public class AcpiLinuxTests
{
    sealed class Console(string? path) : ISerialBackend
    {
        public readonly StringBuilder Text = new();
        public void Write(byte value)
        {
            Text.Append((char)value);
            if (path != null && value == '\n') File.WriteAllText(path, Text.ToString());
        }
        public bool CanReceive => false;
        public bool TryRead(out byte value) { value = 0; return false; }
    }

    [Test, Explicit("boots Linux: minutes of wall time")]
    public void Linux_uses_the_acpi_tables_and_powers_off_through_s5()
    {
        string dir = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? "/root", ".cache", "emu-guests");
        string kernelPath = Path.Combine(dir, "vmlinuz"), initrdPath = Path.Combine(dir, "initrd.img");
        if (!File.Exists(kernelPath) || !File.Exists(initrdPath))
            Assert.Fail($"{dir} has no vmlinuz/initrd.img: run tests/guests/build.sh");
        var console = new Console(Environment.GetEnvironmentVariable("EMU_ACPI_LINUX_LOG"));
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 128UL << 20 },
            Bios = new byte[64 << 10],
            Serials = [console],
        });
        var machine = board.Machine;
        machine.Reset();
        var acpi = board.InstallAcpiDirect();
        LinuxDirectBoot.Load(machine, new LinuxKernelImage(File.ReadAllBytes(kernelPath)), File.ReadAllBytes(initrdPath),
            "console=ttyS0 panic=-1", acpi);

        var wall = Stopwatch.StartNew();
        var stop = StopReason.BudgetExhausted;
        while (wall.Elapsed < TimeSpan.FromMinutes(15) && machine.Clock.Now < 300_000_000_000L)
        {
            stop = machine.Run(1_000_000);
            if (stop is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        }
        string log = console.Text.ToString();
        TestContext.Out.WriteLine($"{stop} after {machine.Clock.Now / 1e9:F1} s virtual, {wall.Elapsed.TotalSeconds:F0} s wall");
        TestContext.Out.WriteLine(log);
        Assert.Multiple(() =>
        {
            foreach (string line in new[]
            {
                "ACPI: RSDP 0x000000000009FC00 000014 (v00 EMU   )",
                "ACPI: RSDT", "ACPI: FACP", "ACPI: DSDT", "ACPI: FACS", "ACPI: APIC", "ACPI: HPET",
                "IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23",
                "ACPI: PM-Timer IO Port: 0x608",
                "ACPI: Interpreter enabled",
                "ACPI: Using IOAPIC for interrupt routing",
                "ACPI: PCI Root Bridge [PCI0]",
                "EMU-GUEST-POWEROFF",
                "reboot: Power down",
            })
                Assert.That(log, Does.Contain(line));
            Assert.That(log, Does.Not.Contain("A valid RSDP was not found"));
            Assert.That(stop, Is.EqualTo(StopReason.ExitRequested));
            Assert.That(machine.ExitCode, Is.EqualTo(0));
        });
    }
}
