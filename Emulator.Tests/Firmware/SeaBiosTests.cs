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

    sealed record Boot(string Log, long Instructions, StopReason Stop, PcBoard Board);

    /// <summary>Boots <paramref name="image"/> with 128 MiB and no drives until SeaBIOS reports the boot failure or the budget runs out.</summary>
    static Boot Run(string image, ulong memory = 128UL << 20, IReadOnlyList<IdeDrive?>? drives = null, string until = "No bootable device.",
        IReadOnlyList<IBlockImage?>? floppies = null)
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
            Floppies = floppies ?? [],
        });
        var machine = board.Machine;
        machine.Reset();
        var stop = StopReason.BudgetExhausted;
        while (machine.Cpu.InstructionsRetired < Budget && !log.ToString().Contains(until))
        {
            stop = machine.Run(Slice);
            if (stop is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        }
        return new Boot(log.ToString(), machine.Cpu.InstructionsRetired, stop, board);
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
            // PCI: host bridge, PIIX3 ISA and IDE, PIIX4 PM, the VGA at 02.0; the PM I/O block where SeaBIOS puts it
            // when QEMU-style ACPI tables are in fw_cfg (0x600, which the board's FADT gives).
            "Moving pm_base to 0x600",
            "Found 5 PCI devices (max PCI bus is 00)",
            "PCI: init bdf=00:00.0 id=8086:1237",
            "PCI: init bdf=00:01.0 id=8086:7000",
            "PCI: init bdf=00:01.1 id=8086:7010",
            "ATA controller 1 at 1f0/3f4/0 (irq 14 dev 9)",
            "PCI: init bdf=00:01.3 id=8086:7113",
            "PCI: init bdf=00:02.0 id=1234:1111",
            "Using pmtimer, ioport 0x608",
            "Found 1 cpu(s) max supported 1 cpu(s)",
            // SMBIOS from the board's etc/smbios files, with SeaBIOS's type 0 added.
            "Copying SMBIOS from",
            "PS2 keyboard initialized",
            // Its final map: conventional memory below its EBDA, and extended memory up to the
            // page at the top of RAM it reserves for the ACPI tables.
            "0: 0000000000000000 - 000000000009fc00 = 1 RAM",
            $"3: 0000000000100000 - {ram - 0x1000:x16} = 1 RAM",
            $"4: {ram - 0x1000:x16} - {ram:x16} = 2 RESERVED",
            "Booting from Floppy...",
            "Booting from Hard Disk...",
            // etc/boot-fail-wait is -1: no retry countdown.
            "No bootable device.\n");
        if (image == "bios-256k.bin")
        {
            // The board's ACPI tables, which it installs by etc/table-loader, then finds (the FADT
            // by the RSDT) and parses (the 128 KiB build leaves out the DSDT parser and these lines).
            AssertLines(boot,
                "table(50434146)=",
                " (via rsdt)\n",
                "ACPI: parse DSDT at 0x",
                $" (len {Emulator.Devices.Firmware.Acpi.AcpiDsdt.Compiled().Length})\n");
        }
    }

    /// <summary>
    /// The ACPI tables SeaBIOS installed from fw_cfg, found as an OS finds them: the RSDP on a
    /// 16-byte boundary in E0000-FFFFF (ACPI 6.4 5.2.5.1), then the RSDT and every table it lists,
    /// each with a valid checksum, and the FADT's FACS and DSDT.
    /// </summary>
    [TestCase("bios-256k.bin")]
    [TestCase("bios.bin")]
    public void Installs_the_boards_acpi_tables(string image)
    {
        var boot = Run(image);
        var memory = boot.Board.Machine.Memory;
        byte[] Read(ulong a, int n) { var b = new byte[n]; memory.Read(a, b); return b; }
        byte[] Table(ulong a) => Read(a, (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(Read(a + 4, 4)));
        uint U32(byte[] t, int o) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(t.AsSpan(o));
        static byte Sum(byte[] t) => Emulator.Devices.Firmware.Acpi.AcpiTable.Sum(t);

        ulong rsdp = 0;
        for (ulong a = 0xE0000; a < 0x100000 && rsdp == 0; a += 16)
            if (System.Text.Encoding.ASCII.GetString(Read(a, 8)) == "RSD PTR " && Sum(Read(a, 20)) == 0) rsdp = a;
        Assert.That(rsdp, Is.Not.EqualTo(0UL), "no RSDP in E0000-FFFFF; log:\n" + boot.Log);
        var rsdt = Table(U32(Read(rsdp, 20), 16));
        var signatures = new List<string>();
        byte[]? fadt = null;
        for (int o = 36; o < rsdt.Length; o += 4)
        {
            var t = Table(U32(rsdt, o));
            string sig = System.Text.Encoding.ASCII.GetString(t, 0, 4);
            signatures.Add(sig);
            Assert.That(Sum(t), Is.EqualTo(0), sig);
            if (sig == "FACP") fadt = t;
        }
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(rsdt, 0, 4), Is.EqualTo("RSDT"));
            Assert.That(Sum(rsdt), Is.EqualTo(0), "RSDT");
            Assert.That(signatures, Is.EqualTo(new[] { "FACP", "APIC", "HPET" }));
            Assert.That(System.Text.Encoding.ASCII.GetString(Read(U32(fadt!, 36), 4)), Is.EqualTo("FACS"));
            var dsdt = Table(U32(fadt!, 40));
            Assert.That(System.Text.Encoding.ASCII.GetString(dsdt, 0, 4), Is.EqualTo("DSDT"));
            Assert.That(Sum(dsdt), Is.EqualTo(0), "DSDT");
            Assert.That(U32(fadt!, 56), Is.EqualTo(0x600), "PM1a_EVT_BLK where SeaBIOS put the PM block");
            Assert.That(boot.Board.Acpi.PmBase, Is.EqualTo((ushort)0x600));
        });
    }

    /// <summary>
    /// SeaBIOS puts the board's SMBIOS structures (etc/smbios/smbios-tables) behind its entry point
    /// in F0000-FFFFF, after the type 0 it adds for itself; and the MP table it builds on its own
    /// routes the same interrupts as the board's (the I/O and local interrupt entries match; the
    /// OEM strings and SeaBIOS's fixed IOAPIC version 11h differ).
    /// </summary>
    [Test]
    public void Smbios_is_the_boards_and_the_mp_interrupts_match_the_boards()
    {
        var boot = Run("bios-256k.bin");
        var scan = new TableScan(boot.Board.Machine.Memory);
        ulong? ep = scan.Find("_SM_", 0xF0000, 0x100000, h => h[5]);
        Assert.That(ep, Is.Not.Null, "no SMBIOS entry point; log:\n" + boot.Log);
        var e = scan.Read(ep!.Value, 0x1F);
        var tables = scan.Read(TableScan.U32(e, 0x18), TableScan.U16(e, 0x16));
        int t0 = tables[1];
        while (!(tables[t0] == 0 && tables[t0 + 1] == 0)) t0++;
        t0 += 2;
        var fw = boot.Board.FwCfg;
        byte[] File(string name)
        {
            fw.Out(0x510, 2, fw.FileSelector(name)!.Value);
            var bytes = new List<byte>();
            // The files are read whole: fw_cfg gives zeros past the end, the table's own length says where it stops.
            for (int i = 0; i < 0x1000; i++) bytes.Add((byte)fw.In(0x511, 1));
            return bytes.ToArray();
        }
        var boardTables = File(Emulator.Devices.Firmware.Tables.Smbios.TablesFile);
        var mpFile = File(Emulator.Devices.Firmware.Tables.LegacyTables.MpFile);

        ulong? fp = scan.Find("_MP_", 0xF0000, 0x100000, h => h[8] * 16);
        Assert.That(fp, Is.Not.Null, "no MP table; log:\n" + boot.Log);
        var config = scan.Read(TableScan.U32(scan.Read(fp!.Value, 16), 4), 0x400);
        static IEnumerable<string> Interrupts(byte[] t)
        {
            var list = new List<string>();
            int o = 44, n = TableScan.U16(t, 34);
            for (int i = 0; i < n; i++)
            {
                int size = t[o] == 0 ? 20 : 8;
                if (t[o] is 3 or 4) list.Add(Convert.ToHexString(t, o, 8));
                o += size;
            }
            return list;
        }
        Assert.Multiple(() =>
        {
            Assert.That(tables[0], Is.EqualTo(0), "type 0 first");
            Assert.That(System.Text.Encoding.ASCII.GetString(tables, tables[1], 8), Is.EqualTo("SeaBIOS\0"));
            Assert.That(tables[t0..], Is.EqualTo(boardTables[..(tables.Length - t0)]));
            Assert.That(tables.Length - t0, Is.EqualTo(TableScan.U16(File(Emulator.Devices.Firmware.Tables.Smbios.AnchorFile), 0x16)));
            Assert.That(Interrupts(config), Is.EqualTo(Interrupts(mpFile[16..])));
            Assert.That(Interrupts(config), Is.Not.Empty);
        });
    }

    /// <summary>A disk of <paramref name="size"/> bytes (4 MiB by default) whose boot sector writes "MBR ran" to port 0x402 and halts.</summary>
    static IBlockImage BootDisk(int size = 4 << 20)
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
        var disk = new byte[size];
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

    [Test]
    public void Boots_a_floppy()
    {
        var boot = Run("bios-256k.bin", floppies: [BootDisk(1_474_560)], until: "MBR ran\n");
        AssertLines(boot, "Booting from Floppy...", "MBR ran\n");
    }
}
