using Emulator.Frontend;

namespace Emulator.Tests.Guests;

/// <summary>
/// Debian's i386 Linux kernel (linux-image-686) and a busybox initramfs booted with
/// <c>emu -kernel -initrd -append</c>: the whole CPU and PC under a real operating system. The
/// kernel goes through the firmware as on QEMU (fw_cfg and the loader option ROM, the real-mode
/// setup code asking the BIOS for the memory map), under the project's BIOS and under SeaBIOS.
/// </summary>
public class LinuxDirectBootTests
{
    const string SeaBios = "/usr/share/seabios/bios-256k.bin";

    [TestCase("own")]
    [TestCase(SeaBios)]
    public void Debian_kernel_boots_to_init_on_the_serial_console_and_runs_its_commands(string firmware)
    {
        if (firmware != "own" && !File.Exists(firmware))
            Assert.Fail($"{firmware} is missing: install Debian's seabios package (.ci/run does)");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string[] bios = firmware == "own" ? [] : ["-bios", firmware];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int code = EmuMain.Run(
            [.. bios, "-m", "256", "-nographic", "-kernel", TestGuests.File("vmlinuz"), "-initrd", TestGuests.File("initrd.img"),
             "-append", "console=ttyS0 emu.fwcfg=1"],
            stdout, stderr, instructionLimit: 20_000_000_000);
        string log = stdout.ToString();
        TestContext.Out.WriteLine($"{firmware}: {watch.Elapsed.TotalSeconds:F1} s wall to power-off");
        TestContext.Out.WriteLine(log.Length > 6000 ? log[^6000..] : log);
        TestContext.Out.WriteLine(stderr.ToString());
        // The initrd's place, worked from LinuxFwCfgBoot's rule: as high as possible below the
        // top MiB of the 256 MiB, page aligned; the kernel prints it to the end of its last page.
        long initrdLength = new FileInfo(TestGuests.File("initrd.img")).Length;
        long initrdAt = ((256L << 20) - (1 << 20) - initrdLength) & ~0xFFFL;
        long initrdEnd = ((initrdAt + initrdLength + 0xFFF) & ~0xFFFL) - 1;
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("Linux version 6."), "the kernel's banner on ttyS0");
            // The memory map comes from the firmware's INT 15h E820 ("BIOS-e820:" lines), called
            // by the kernel's real-mode setup code: each BIOS's own reservations show.
            Assert.That(log, Does.Contain("BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable"), "E820 from the BIOS");
            if (firmware == "own")
            {
                // bios/src/post.asm build_e820: the 64 KiB table zone at the top of RAM, IOAPIC, HPET, local APIC, the 64 KiB BIOS.
                Assert.That(log, Does.Contain("BIOS-e820: [mem 0x0000000000100000-0x000000000ffeffff] usable"));
                Assert.That(log, Does.Contain("BIOS-e820: [mem 0x000000000fff0000-0x000000000fffffff] reserved"));
                Assert.That(log, Does.Contain("BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved"));
                Assert.That(log, Does.Contain("BIOS-e820: [mem 0x00000000ffff0000-0x00000000ffffffff] reserved"));
            }
            else
            {
                // SeaBIOS reserves its 256 KiB image below 4 GiB.
                Assert.That(log, Does.Contain("BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved"));
            }
            Assert.That(log, Does.Contain("Kernel command line: console=ttyS0 emu.fwcfg=1"), "the command line from fw_cfg");
            Assert.That(log, Does.Contain($"RAMDISK: [mem 0x{initrdAt:x8}-0x{initrdEnd:x8}]"), "the initrd where the header said");
            Assert.That(log, Does.Contain(TestGuests.Marker + " on 6."), "/init ran (busybox from the initramfs)");
            Assert.That(log, Does.Match(@"mem: MemTotal:\s+2\d\d\d\d\d kB"), "/proc/meminfo read by busybox grep: about 256 MiB");
            Assert.That(log, Does.Contain("modules: ").And.Contain("ata_piix"), "the disk modules loaded with insmod");
            Assert.That(log, Does.Contain(TestGuests.PowerOff), "init reached its end");
            // The board's ACPI tables, installed by the firmware from fw_cfg, RSDP in the BIOS's F segment.
            Assert.That(log, Does.Match(@"ACPI: RSDP 0x00000000000F[0-9A-F]{4} 000014 \(v00 EMU   \)"));
            foreach (string line in new[]
            {
                "ACPI: RSDT", "ACPI: FACP", "ACPI: DSDT", "ACPI: FACS", "ACPI: APIC", "ACPI: HPET",
                "IOAPIC[0]: apic_id 0, version 32, address 0xfec00000, GSI 0-23",
                "ACPI: PM-Timer IO Port: 0x608",
                "ACPI: Using IOAPIC for interrupt routing",
                "ACPI: PCI Root Bridge [PCI0]",
            })
                Assert.That(log, Does.Contain(line), "the board's ACPI tables");
            Assert.That(log, Does.Contain("ACPI: Interpreter enabled"), "the board's ACPI tables");
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
