using Emulator.Frontend;

namespace Emulator.Tests.Guests;

/// <summary>
/// Debian's i386 Linux kernel (linux-image-686) and a busybox initramfs booted with
/// <c>emu -kernel -initrd -append</c>: the whole CPU and PC under a real operating system.
/// </summary>
public class LinuxDirectBootTests
{
    [Test]
    public void Debian_kernel_boots_to_init_on_the_serial_console_and_runs_its_commands()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(
            ["-m", "256", "-nographic", "-kernel", TestGuests.File("vmlinuz"), "-initrd", TestGuests.File("initrd.img"),
             "-append", "console=ttyS0"],
            stdout, stderr, instructionLimit: 20_000_000_000);
        string log = stdout.ToString();
        TestContext.Out.WriteLine(log.Length > 6000 ? log[^6000..] : log);
        TestContext.Out.WriteLine(stderr.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("Linux version 6."), "the kernel's banner on ttyS0");
            Assert.That(log, Does.Contain(TestGuests.Marker + " on 6."), "/init ran (busybox from the initramfs)");
            Assert.That(log, Does.Match(@"mem: MemTotal:\s+2\d\d\d\d\d kB"), "/proc/meminfo read by busybox grep: about 256 MiB");
            Assert.That(log, Does.Contain("modules: ").And.Contain("ata_piix"), "the disk modules loaded with insmod");
            Assert.That(log, Does.Contain(TestGuests.PowerOff), "init reached its end");
            foreach (string line in new[]
            {
                "ACPI: RSDP 0x000000000009FC00 000014 (v00 EMU   )",
                "ACPI: RSDT", "ACPI: FACP", "ACPI: DSDT", "ACPI: FACS", "ACPI: APIC", "ACPI: HPET",
                "IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23",
                "ACPI: PM-Timer IO Port: 0x608",
                "ACPI: Using IOAPIC for interrupt routing",
                "ACPI: PCI Root Bridge [PCI0]",
            })
                Assert.That(log, Does.Contain(line), "the board's ACPI tables, installed for -kernel");
            Assert.That(log, Does.Contain("ACPI: Interpreter enabled"), "the board's ACPI tables, installed for -kernel");
            Assert.That(log, Does.Contain("reboot: Power down"), "poweroff -f through ACPI S5");
            Assert.That(code, Is.EqualTo(0), "the PIIX4's soft-off ends emu with status 0");
        });
    }

    [Test]
    public void Kernel_options_are_checked_before_the_machine_runs()
    {
        var stderr = new StringWriter();
        Assert.That(EmuMain.Run(["-initrd", "x"], new StringWriter(), stderr), Is.EqualTo(1));
        Assert.That(stderr.ToString().TrimEnd(), Is.EqualTo("emu: -initrd only allowed with -kernel option"));
        stderr = new StringWriter();
        string notAKernel = Path.GetTempFileName();
        try
        {
            System.IO.File.WriteAllBytes(notAKernel, new byte[8192]);
            Assert.That(EmuMain.Run(["-kernel", notAKernel], new StringWriter(), stderr), Is.EqualTo(1));
            Assert.That(stderr.ToString().TrimEnd(), Is.EqualTo($"emu: -kernel {notAKernel}: not a Linux kernel image (no boot flag 0xAA55 at 0x1FE) (nor a Multiboot kernel)"));
        }
        finally { System.IO.File.Delete(notAKernel); }
    }
}
