using System.Diagnostics;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Debian's SeaBIOS (package <c>seabios</c>, which <c>.ci/run</c> installs) POSTs on the board
/// to its boot attempt, with its log on QEMU's debug console port 0x402. The images are read
/// from /usr/share/seabios; a missing image fails the test.
/// </summary>
public class SeaBiosTests
{
    const string Dir = "/usr/share/seabios/";

    /// <summary>Instructions SeaBIOS may take from reset to its boot failure (it needs about 6 million here).</summary>
    const long Budget = 30_000_000;
    const long Slice = 100_000;

    sealed record Boot(string Log, long Instructions, StopReason Stop);

    /// <summary>Boots <paramref name="image"/> with 128 MiB and no drives until SeaBIOS reports the boot failure or the budget runs out.</summary>
    static Boot Run(string image, ulong memory = 128UL << 20, IReadOnlyList<IdeDrive?>? drives = null, string until = "No bootable device.")
    {
        string path = Dir + image;
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing: install Debian's seabios package (apt-get install seabios; .ci/run does)");
        var log = new StringWriter();
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = memory },
            Bios = File.ReadAllBytes(path),
            DebugConsole = new DebugConsole(log),
            DebugConsolePort = 0x402,
            IdeDrives = drives ?? [],
        });
        var machine = board.Machine;
        machine.Reset();
        var stop = StopReason.BudgetExhausted;
        while (machine.Cpu.InstructionsRetired < Budget && !log.ToString().Contains(until))
        {
            stop = machine.Run(Slice);
            if (stop is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        }
        return new Boot(log.ToString(), machine.Cpu.InstructionsRetired, stop);
    }

    static void AssertLines(Boot boot, params string[] lines)
    {
        Assert.Multiple(() =>
        {
            foreach (string line in lines)
                Assert.That(boot.Log, Does.Contain(line), $"after {boot.Instructions} instructions ({boot.Stop}); log:\n{boot.Log}");
        });
    }

    [TestCase("bios-256k.bin", 128)]
    [TestCase("bios.bin", 64)]
    public void Posts_to_the_boot_failure_with_the_machine_it_finds(string image, int memoryMiB)
    {
        ulong ram = (ulong)memoryMiB << 20;
        var boot = Run(image, ram);
        TestContext.Out.WriteLine($"{image}: {boot.Instructions} instructions");
        TestContext.Out.WriteLine(boot.Log);
        AssertLines(boot,
            "SeaBIOS (version 1.",
            // The i440FX with QEMU's subsystem IDs, and fw_cfg with DMA.
            "Running on QEMU (i440fx)",
            "Found QEMU fw_cfg",
            "QEMU fw_cfg DMA interface supported",
            // The memory map from etc/e820: all the RAM, from 0.
            $"qemu/e820: addr 0x0000000000000000 len 0x{ram:x16} [RAM]",
            // PCI: host bridge, PIIX3, PIIX4 PM; the PM I/O block where SeaBIOS puts it.
            "Found 3 PCI devices (max PCI bus is 00)",
            "PCI: init bdf=00:00.0 id=8086:1237",
            "PCI: init bdf=00:01.0 id=8086:7000",
            "PCI: init bdf=00:01.3 id=8086:7113",
            "Using pmtimer, ioport 0xb008",
            "Found 1 cpu(s) max supported 1 cpu(s)",
            // Tables SeaBIOS builds itself when fw_cfg has none (no etc/table-loader, no SMBIOS).
            "Copying SMBIOS from",
            "Copying ACPI RSDP from",
            "PS2 keyboard initialized",
            // Its final map: conventional memory below its EBDA, and extended memory up to the
            // 8 KiB it reserves at the top of RAM.
            "0: 0000000000000000 - 000000000009fc00 = 1 RAM",
            $"3: 0000000000100000 - {ram - 0x2000:x16} = 1 RAM",
            "Booting from Floppy...",
            "Booting from Hard Disk...",
            // etc/boot-fail-wait is -1: no retry countdown.
            "No bootable device.\n");
    }

    /// <summary>A 4 MiB disk whose MBR code writes "MBR ran" to port 0x402 and halts.</summary>
    static IBlockImage BootDisk()
    {
        var a = new Assembler(16);
        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(si, 0x7C00 + 0x40);
        a.mov(dx, 0x402);
        a.mov(cx, 8);
        a.cld();
        a.rep.outsb();
        a.cli();
        a.hlt();
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0x7C00);
        var disk = new byte[4 << 20];
        ms.ToArray().CopyTo(disk, 0);
        "MBR ran\n"u8.CopyTo(disk.AsSpan(0x40));
        disk[510] = 0x55;
        disk[511] = 0xAA;
        return new MemoryImage(disk);
    }

    [Test]
    public void Finds_an_ide_disk_and_boots_its_mbr()
    {
        var boot = Run("bios-256k.bin", drives: [new IdeDrive(DriveMedia.Disk, BootDisk()), null, new IdeDrive(DriveMedia.CdRom, null)], until: "MBR ran\n");
        TestContext.Out.WriteLine(boot.Log);
        AssertLines(boot, "Booting from Hard Disk...", "MBR ran\n");
    }
}
