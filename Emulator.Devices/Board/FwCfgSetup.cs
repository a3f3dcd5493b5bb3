using System.Buffers.Binary;
using Emulator.Core.Cpu;
using Emulator.Devices.Chipset;
using Emulator.Devices.Firmware;
using Emulator.Devices.Firmware.Tables;
using Emulator.Devices.Interrupts;

namespace Emulator.Devices.Board;

/// <summary>
/// The items QEMU's <c>pc</c> machine puts in fw_cfg (<c>fw_cfg_common_realize</c>,
/// <c>fw_cfg_arch_create</c> in hw/i386/fw_cfg.c, <c>fw_cfg_machine_reset</c>), filled from the
/// board's configuration: what SeaBIOS and other QEMU-aware firmware read besides CMOS.
/// </summary>
/// <remarks>
/// <para>Numbered: signature and ID (by the device), UUID (16 zero bytes, QEMU's default without
/// <c>-uuid</c>), RAM size (64-bit), CPU count and the APIC-ID limit SeaBIOS reads as
/// <c>etc/max-cpus</c> (both 1: the board has one CPU, APIC ID 0), the boot-menu flag (1 with
/// <c>-boot menu=on</c>), the NUMA table with no nodes (a zero count, then one zero node
/// number per APIC ID), and the x86 IRQ0 override (0x8002 = 1: the ISA timer IRQ 0 is IOAPIC
/// input 2, as the board wires it).</para>
/// <para>Files: <c>etc/e820</c> (the board's memory map, <see cref="BoardMemoryMap"/>: little-endian
/// 64-bit address, 64-bit length, 32-bit type; RAM from 0 as QEMU gives it, for the firmware adds
/// its own reservations, then the board's MMIO pages and BIOS ROM, reserved), <c>etc/boot-fail-wait</c> (-1 as a 32-bit value: QEMU's default of never
/// retrying a failed boot), <c>etc/boot-menu-wait</c> (with <c>-boot splash-time=N</c>: N as a
/// 16-bit value, as QEMU's <c>fw_cfg_bootsplash</c> adds it), and <c>bootorder</c> and <c>bios-geometry</c>, which list devices
/// given a <c>bootindex</c> or <c>lchs</c>; emu has neither, so both start empty (<c>-kernel</c>
/// puts its loader ROM in <c>bootorder</c>, <see cref="Firmware.LinuxFwCfgBoot"/>). The legacy
/// boot order (<c>-boot order=</c>) reaches the firmware through CMOS, as on QEMU.</para>
/// <para>The ACPI files (<c>etc/acpi/tables</c>, <c>etc/acpi/rsdp</c>, <c>etc/table-loader</c>)
/// are added by the board from <see cref="Firmware.Acpi.AcpiBuilder"/>.</para>
/// <para>SMBIOS (<c>etc/smbios/smbios-anchor</c> and <c>smbios-tables</c>, as QEMU gives them) and
/// the MP and $PIR tables for the project's BIOS (<c>etc/emu/*</c>, which SeaBIOS ignores, building
/// its own) are added by <see cref="AddMachineTables"/>, so every firmware describes the same machine.</para>
/// <para>Absent, so SeaBIOS builds its own or goes without: the legacy ACPI key 0x8000, the legacy SMBIOS key 0x8001, the HPET
/// description (0x8004, which SeaBIOS does not read), <c>-nographic</c> (0x04), option ROMs
/// other than the <c>-kernel</c> loaders (<c>vgaroms/</c>, <c>-option-rom</c>) and
/// the <c>bootsplash.jpg</c>/<c>.bmp</c> image.</para>
/// </remarks>
public static class FwCfgSetup
{
    public const ushort Irq0Override = FwCfg.ArchLocal | 2;

    /// <summary>The system UUID: zeros, QEMU's default without <c>-uuid</c> (SMBIOS 7.2.1: not present, settable).</summary>
    static readonly byte[] Uuid = new byte[16];

    /// <summary>The number of CPUs on the board.</summary>
    const int CpuCount = 1;

    public static void Fill(FwCfg fwCfg, ulong ramSize, IReadOnlyList<E820Entry> memoryMap, bool bootMenu = false, int? bootMenuWaitMs = null)
    {
        fwCfg.AddBytes(FwCfg.Uuid, Uuid);
        fwCfg.AddUInt16(FwCfg.BootMenu, bootMenu ? (ushort)1 : (ushort)0);
        fwCfg.AddUInt16(FwCfg.NbCpus, CpuCount);
        fwCfg.AddUInt16(FwCfg.MaxCpus, CpuCount);
        fwCfg.AddUInt64(FwCfg.RamSize, ramSize);
        fwCfg.AddUInt32(Irq0Override, 1);
        fwCfg.AddBytes(FwCfg.Numa, new byte[8 * (1 + CpuCount)]);

        fwCfg.AddFile("etc/e820", E820Bytes(memoryMap));
        var failWait = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(failWait, uint.MaxValue);
        fwCfg.AddFile("etc/boot-fail-wait", failWait);
        if (bootMenuWaitMs is int wait)
        {
            var waitBytes = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(waitBytes, (ushort)Math.Clamp(wait, 0, ushort.MaxValue));
            fwCfg.AddFile("etc/boot-menu-wait", waitBytes);
        }
        fwCfg.AddFile("bootorder", []);
        fwCfg.AddFile("bios-geometry", []);
    }

    /// <summary>
    /// The ISA IRQs PIRQA-D are routed to: 10, 10, 11, 11, SeaBIOS's choice for QEMU. The board
    /// says so in the $PIR (one IRQ per link), from which the project's BIOS programs the PIIX3
    /// (bios/src/pirq.asm), and in the MP table.
    /// </summary>
    public static IReadOnlyList<int> PirqIrqs { get; } = [10, 10, 11, 11];

    /// <summary>
    /// SMBIOS, the MP table and the $PIR table built from the board as wired: the CPU model, RAM,
    /// the PCI functions and their INTx pins, the interrupt controllers.
    /// </summary>
    public static void AddMachineTables(FwCfg fwCfg, PcBoard board, CpuModel cpu)
    {
        uint signature = (uint)((cpu.Family & 0xF) << 8 | (cpu.Model & 0xF) << 4 | (cpu.Stepping & 0xF));
        // All RAM is below 4 GiB on this board (PhysicalMemory allows at most 3.5 GiB).
        Smbios.AddToFwCfg(fwCfg, Smbios.Build(new SmbiosPlatform(board.Machine.Memory.RamSize, 0, Uuid, cpu.Vendor,
            cpu.BrandString, signature, cpu.FeaturesEdx, ProcessorFamily(cpu))));

        var interrupts = new List<PciInterrupt>();
        for (int dev = 0; dev < 32; dev++)
        {
            if (board.PciBus.FunctionAt(dev << 3) == null) continue;
            int seenPins = 0;
            for (int fn = 0; fn < 8; fn++)
            {
                if (board.PciBus.FunctionAt(dev << 3 | fn) is not { } f || f.InterruptPin is < 1 or > 4) continue;
                if ((seenPins & 1 << f.InterruptPin) != 0) continue;
                seenPins |= 1 << f.InterruptPin;
                // The PM function's interrupt line is the SCI's IRQ (firmware sets it so, as SeaBIOS's piix4_pm_setup).
                int irq = f is Piix4Acpi ? PcBoard.SciIrq : PirqIrqs[PcBoard.PirqForIntx(dev << 3 | fn, f.InterruptPin)];
                interrupts.Add(new PciInterrupt(dev, f.InterruptPin, irq));
            }
        }
        // The IRQs the MADT gives as PCI (level, active high): ISA sources are not listed for them.
        var pciIrqs = Firmware.Acpi.Madt.PciIrqs;
        var mp = new MpPlatform(signature, cpu.FeaturesEdx, (byte)(LocalApic.VersionValue & 0xFF), (uint)LocalApic.DefaultBase,
            Firmware.Acpi.Madt.IoApicId, (byte)(IoApic.VersionValue & 0xFF), (uint)IoApic.DefaultBase, interrupts, pciIrqs);
        // The $PIR describes the wiring of every slot of bus 0, filled or not (a card added after the
        // board is built, or the firmware's view of an empty slot, still has its INTx routed).
        var pir = PirTable.Build(Enumerable.Range(0, 32).ToArray(), (dev, pin) => PcBoard.PirqForIntx(dev << 3, pin), PirqIrqs);
        LegacyTables.AddToFwCfg(fwCfg, LegacyTables.Build(mp, pir));
    }

    /// <summary>SMBIOS processor family (DSP0134 7.5.2): 0Dh Pentium Pro, 0Eh Pentium II, 02h Unknown.</summary>
    static byte ProcessorFamily(CpuModel cpu) => (cpu.Family, cpu.Model) switch
    {
        (6, 1) => 0x0D,
        (6, 3 or 5) => 0x0E,
        _ => 0x02,
    };

    /// <summary>QEMU's <c>struct e820_entry</c> for each entry: 64-bit address, 64-bit length, 32-bit type, little-endian, packed.</summary>
    static byte[] E820Bytes(IReadOnlyList<E820Entry> map)
    {
        var bytes = new byte[20 * map.Count];
        for (int i = 0; i < map.Count; i++)
        {
            var e = bytes.AsSpan(20 * i, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], map[i].Type);
        }
        return bytes;
    }
}
