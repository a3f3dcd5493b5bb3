using System.Diagnostics;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;

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
    static Boot Run(string image, ulong memory = 128UL << 20)
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
        });
        var machine = board.Machine;
        machine.Reset();
        var stop = StopReason.BudgetExhausted;
        while (machine.Cpu.InstructionsRetired < Budget && !log.ToString().Contains("No bootable device."))
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
}
