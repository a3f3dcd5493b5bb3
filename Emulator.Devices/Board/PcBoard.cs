using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Core.State;
using Emulator.Devices.Chipset;
using Emulator.Devices.Debug;
using Emulator.Devices.Input;
using Emulator.Devices.Interrupts;
using Emulator.Devices.Dma;
using Emulator.Devices.Firmware;
using Emulator.Devices.Pci;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Timers;
using Emulator.Devices.Video;

namespace Emulator.Devices.Board;

/// <summary>What the standard PC is built with.</summary>
public sealed record PcBoardConfig
{
    /// <summary>RAM size, CPU model, timing and reboot policy.</summary>
    public MachineConfig Machine { get; init; } = new();

    /// <summary>The BIOS image (64 KiB to 2 MiB, a multiple of 4 KiB), mapped to end at 4 GiB.</summary>
    public required byte[] Bios { get; init; }

    /// <summary>Called with each POST code written to port 0x80 (may be null).</summary>
    public Action<byte>? PostCode { get; init; }

    /// <summary>The debug console (QEMU's <c>-debugcon</c>), or null for none.</summary>
    public DebugConsole? DebugConsole { get; init; }

    /// <summary>
    /// The debug console's port: 0xE9 (Bochs's, QEMU's default), or as QEMU's
    /// <c>-global isa-debugcon.iobase=</c> sets it (0x402 is where SeaBIOS writes its log).
    /// </summary>
    public ushort DebugConsolePort { get; init; } = DebugConsole.DefaultPort;

    /// <summary>isa-debug-exit devices (QEMU's <c>-device isa-debug-exit</c>): base port and size.</summary>
    public IReadOnlyList<(ushort IoBase, int IoSize)> DebugExits { get; init; } = [];

    /// <summary>The other ends of COM1-COM4, in order (QEMU's <c>-serial</c>); a port exists for each entry.</summary>
    public IReadOnlyList<ISerialBackend> Serials { get; init; } = [];

    /// <summary>The RTC's starting date and time (QEMU's <c>-rtc base=</c>); null for the host's UTC time.</summary>
    public DateTime? RtcBase { get; init; }

    /// <summary>
    /// The IDE drives by position: 0 primary master, 1 primary slave, 2 secondary master,
    /// 3 secondary slave (QEMU's <c>-hda</c>..<c>-hdd</c>, <c>-cdrom</c> is position 2); null or
    /// missing entries are empty positions.
    /// </summary>
    public IReadOnlyList<IdeDrive?> IdeDrives { get; init; } = [];

    /// <summary>The floppy drives A: and B: with their media (QEMU's <c>-fda</c>/<c>-fdb</c>); null for no disk.</summary>
    public IReadOnlyList<IBlockImage?> Floppies { get; init; } = [];

    /// <summary>
    /// The boot order as QEMU's <c>-boot order=</c> spells it: drive letters tried in order,
    /// a = floppy, c = first hard disk, d = CD-ROM, n = network. The firmware reads it from CMOS.
    /// </summary>
    public string BootOrder { get; init; } = "cad";

    /// <summary>
    /// QEMU's <c>-boot menu=on</c>: the firmware offers a boot menu (fw_cfg item 0x0E, as QEMU
    /// passes it); off by default, when it boots without waiting.
    /// </summary>
    public bool BootMenu { get; init; }

    /// <summary>
    /// QEMU's <c>-boot splash-time=N</c>: how long, in milliseconds, the firmware waits for the boot
    /// menu key (fw_cfg file <c>etc/boot-menu-wait</c>); null for the firmware's default.
    /// </summary>
    public int? BootMenuWaitMs { get; init; }

    /// <summary>The VGA BIOS behind the standard VGA's PCI expansion ROM BAR, or null for none.</summary>
    public byte[]? VgaBios { get; init; }
}

/// <summary>
/// The standard PC as QEMU's <c>pc</c> machine (i440FX + PIIX3) builds it, wired in the order
/// of QEMU's <c>hw/i386/pc_piix.c</c> (<c>pc_init1</c>): CPU with its local APIC, RAM, firmware,
/// the ISA IRQ lines, the PCI host bridge and bus, the PIIX3, the 8259A pair and the IOAPIC,
/// the basic ISA devices, the PIIX4 power management, and the debug devices. The only code that knows the
/// wiring: devices see their ports, their IRQ lines and the clock, nothing else.
/// </summary>
/// <remarks>
/// <para>PCI: 00.0 i440FX host bridge, 01.0 PIIX3 ISA bridge, 01.1 PIIX3 IDE (IRQ 14 and 15),
/// 01.3 PIIX4 ACPI (SCI on IRQ 9), 02.0 the standard VGA (1234:1111) with its legacy ports and
/// the A0000-BFFFF window. 01.2 (USB) is absent. INTx of the function at slot S, pin P (1-4) goes
/// to PIRQ (P - 1 + S - 1) mod 4, QEMU's <c>pci_slot_get_pirq</c>; the PIIX3 routes PIRQs to ISA IRQs.</para>
/// <para>ISA IRQs: each device drives its own <see cref="IrqLine"/> from <see cref="IsaIrq"/>;
/// the lines into one ISA IRQ are wired-OR (the IRQ is high while any of them is), and each change
/// of an ISA IRQ goes to <see cref="IsaIrqChanged"/>, which fans it out to the interrupt
/// controllers. (QEMU's GSI lines are last-writer-wins instead; only shared level-triggered
/// lines, such as a PCI PIRQ routed to the SCI's IRQ 9, see the difference.)</para>
/// </remarks>
public sealed class PcBoard
{
    public const int IsaIrqCount = 16;
    public const int SciIrq = 9;
    /// <summary>
    /// Where firmware puts the PIIX4 PM I/O block, and so what the FADT says: 0x600, where SeaBIOS
    /// moves it ("Moving pm_base to 0x600", from its default 0xB000) when fw_cfg has
    /// <c>etc/table-loader</c>, as QEMU's tables expect. The tables are built once, so any firmware
    /// on this board programs this base.
    /// </summary>
    public const ushort PmBase = 0x600;
    const ulong FourGiB = 1UL << 32;
    const int IsaBiosMaxSize = 128 << 10;

    readonly int[] isaIrqDrivers = new int[IsaIrqCount];
    readonly bool[] isaIrqLevels = new bool[IsaIrqCount];
    readonly IrqWireLevels irqWires = new();

    public Machine Machine { get; }
    public LocalApic LocalApic { get; }
    public PciBus PciBus { get; }
    public I440fxHostBridge HostBridge { get; }
    public Piix3IsaBridge Piix3 { get; }
    public DualPic Pic { get; }
    public IoApic IoApic { get; }
    public Ps2Keyboard Keyboard { get; }
    public Ps2Mouse Mouse { get; }
    public Ps2Controller Kbc { get; }
    public SystemControlPortA PortA { get; }
    public Piix3Ide Ide { get; }
    public Piix4Acpi Acpi { get; }
    public PostCodePort PostCode { get; }
    public CoprocessorErrorLatch FerrLatch { get; }
    public FwCfg FwCfg { get; }
    /// <summary>The board's memory map (<see cref="BoardMemoryMap"/>): fw_cfg's <c>etc/e820</c>, and what <c>-kernel</c> starts from.</summary>
    public IReadOnlyList<E820Entry> MemoryMap { get; }
    /// <summary>The ACPI tables and their loader script, in fw_cfg as QEMU gives them.</summary>
    public Firmware.Acpi.AcpiBuilder.Files AcpiTables { get; }
    public Dma8237 Dma { get; private set; } = null!;
    public Storage.Floppy.FloppyController Floppy { get; private set; } = null!;
    public Hpet Hpet { get; private set; } = null!;
    public Rtc146818 Rtc { get; private set; } = null!;
    public Pit8254 Pit { get; private set; } = null!;
    public SystemControlPortB PortB { get; private set; } = null!;
    public IReadOnlyList<Uart16550> SerialPorts { get; private set; } = [];
    public StdVga Vga { get; }

    /// <summary>
    /// Every part of the machine with state, in the order a snapshot loads them: the clock first
    /// (devices re-schedule their events against it), the devices in wiring order, the interrupt
    /// wires, then the interrupt controllers (whose input latches must win over edges the devices'
    /// loads showed them), the CPU, the check that the pending timer events are those saved, and
    /// RAM (last, all or nothing; see <see cref="IPackedSection"/>). A device with state that is not here is missing from snapshots
    /// (SnapshotCoverageTests checks every port and MMIO handler of the board).
    /// </summary>
    public IReadOnlyList<ISaveable> Saveables { get; }

    /// <exception cref="ArgumentOutOfRangeException">The memory size cannot be used (ParamName "ramSize").</exception>
    public PcBoard(PcBoardConfig config)
    {
        // CPU with its local APIC, and RAM (pc_cpus_init, pc_memory_init).
        Machine = new Machine(config.Machine);
        LocalApic = new LocalApic(Machine.Clock, Machine.Cpu.RaiseNmi, () => Machine.Cpu.TimeStampCounter);
        Machine.Memory.MapMmio(LocalApic.DefaultBase, LocalApic.Length, LocalApic);

        // Firmware (pc_system_firmware_init).
        MapBios(Machine, config.Bios);

        // QEMU's fw_cfg at 0x510 with DMA at 0x514 (fw_cfg_arch_create, from pc_memory_init).
        FwCfg = new FwCfg(Machine.Memory);
        MemoryMap = BoardMemoryMap.Build(Machine.Memory.RamSize, (ulong)config.Bios.Length);
        FwCfgSetup.Fill(FwCfg, Machine.Memory.RamSize, MemoryMap, config.BootMenu, config.BootMenuWaitMs);
        Machine.Io.Register(FwCfg.SelectorPort, FwCfg.PortCount, FwCfg);
        Machine.Io.Register(FwCfg.DmaPort, FwCfg.DmaPortCount, FwCfg);

        // ISA IRQ lines (pc_gsi_create): IsaIrq and IsaIrqChanged.

        // PCI host bridge and bus 0 (i440fx_init).
        PciBus = new PciBus();
        Machine.Io.Register(PciBus.ConfigAddressPort, 4, PciBus);
        Machine.Io.Register(PciBus.ConfigDataPort, 4, PciBus);
        HostBridge = new I440fxHostBridge(Machine.Memory);
        PciBus.Attach(HostBridge, 0, 0);

        // PIIX3 PCI-to-ISA bridge, with PIRQ routing and the reset control register.
        var pirqOutputs = new IrqLine[IsaIrqCount];
        for (int i = 0; i < IsaIrqCount; i++) pirqOutputs[i] = IsaIrq(i);
        Piix3 = new Piix3IsaBridge(pirqOutputs, Machine.RequestReset);
        PciBus.Attach(Piix3, 1, 0);
        PciBus.ConnectIntx(PirqForIntx, Piix3.SetPirq);
        Machine.Io.Register(Piix3IsaBridge.ResetControlPort, 1, Piix3);
        AttachDma();

        // The 8259A pair with the ELCR (pc_i8259_create).
        Pic = new DualPic();
        Pic.Attach(Machine.Io);

        // The IOAPIC (ioapic_init_gsi); the CPU's interrupt input is the local APIC, with the
        // 8259A's INTR on its LINT0 (virtual wire until the OS reprograms LINT0).
        IoApic = new IoApic(LocalApic);
        Machine.Memory.MapMmio(IoApic.DefaultBase, IoApic.Length, IoApic);
        Machine.Cpu.InterruptController = new ApicInterruptController(LocalApic, Pic);

        // The standard VGA at 02.0 (pc_vga_init): legacy ports, the A0000-BFFFF window (behind the
        // i440FX SMRAM route), the DISPI ports, and its BARs on the PCI bus.
        Vga = new StdVga(Machine.Memory, Machine.Clock, config.VgaBios);
        PciBus.Attach(Vga, 2, 0);
        Machine.Io.Register(StdVga.LegacyPortBase, StdVga.LegacyPortCount, Vga.Ports);
        Machine.Io.Register(StdVga.DispiIndexPort, StdVga.DispiPortCount, Vga.Ports);
        Machine.Memory.MapMmio(StdVga.LegacyWindowBase, StdVga.LegacyWindowSize, Vga.LegacyWindow);

        // Basic ISA devices (pc_basic_device_init, pc_superio_init).
        AttachTimersAndSerial(config);
        CmosSetup.Fill(Rtc, config, Machine.Memory.RamSize);
        Keyboard = new Ps2Keyboard(Machine.Clock);
        Mouse = new Ps2Mouse();
        // The 8042's output port bit 0 and port 92h bit 0 drive the CPU's reset line only.
        Kbc = new Ps2Controller(Keyboard, Mouse, IsaIrq(1), IsaIrq(12), Machine.Memory, () => Machine.RequestReset(ResetKind.Cpu));
        Machine.Io.Register(Ps2Controller.DataPort, 1, Kbc);
        Machine.Io.Register(Ps2Controller.StatusPort, 1, Kbc);
        PortA = new SystemControlPortA(Machine.Memory, () => Machine.RequestReset(ResetKind.Cpu));
        Machine.Io.Register(SystemControlPortA.Port, 1, PortA);
        AttachFloppy(config);

        // The x87's FERR# to IRQ 13, cleared by a write to port 0xF0 (QEMU's ioportF0 and cpu_set_ferr).
        FerrLatch = new CoprocessorErrorLatch(IsaIrq(13));
        Machine.Cpu.Fpu.ErrorSignal = FerrLatch.OnFerr;
        Machine.Io.Register(CoprocessorErrorLatch.Port, 1, FerrLatch);

        // PIIX3 IDE, 01.1 (pc_init1 after the ISA devices), on ISA IRQs 14 and 15.
        Ide = new Piix3Ide(Machine.Io, Machine.Memory, Machine.Clock, IsaIrq(Piix3Ide.PrimaryIrq), IsaIrq(Piix3Ide.SecondaryIrq), config.IdeDrives);
        PciBus.Attach(Ide, 1, 1);

        // PIIX4 power management, 01.3 (piix4_pm_init).
        Acpi = new Piix4Acpi(Machine.Io, Machine.Clock, IsaIrq(SciIrq), Machine.RequestExit);
        PciBus.Attach(Acpi, 1, 3);
        Machine.Io.Register(Piix4Acpi.ApmControlPort, 2, Acpi);
        Machine.Io.Register(Piix4Acpi.Gpe0Port, Piix4Acpi.Gpe0Length, Acpi);

        // ACPI tables in fw_cfg (acpi_setup, at machine-done in QEMU).
        AcpiTables = Firmware.Acpi.AcpiBuilder.Build(new Firmware.Acpi.AcpiPlatform(
            Machine.Memory.RamSize, PmBase, SciIrq, SerialPorts.Count, FloppyController: true));
        Firmware.Acpi.AcpiBuilder.AddToFwCfg(FwCfg, AcpiTables);
        FwCfgSetup.AddMachineTables(FwCfg, this, config.Machine.CpuModel);

        // Debug devices: the POST port, -debugcon, -device isa-debug-exit.
        PostCode = new PostCodePort(config.PostCode);
        Machine.Io.Register(PostCodePort.DefaultPort, 1, PostCode);
        if (config.DebugConsole is { } debugConsole)
            Machine.Io.Register(config.DebugConsolePort, 1, debugConsole);
        foreach (var (ioBase, ioSize) in config.DebugExits)
            Machine.Io.Register(ioBase, ioSize, new IsaDebugExit(Machine.RequestExit));

        // Reset, in wiring order: the devices on a system reset; the local APIC, part of the CPU's
        // package, on every reset (ResetKind).
        Machine.OnCpuReset(LocalApic.Reset);
        Machine.OnReset(FwCfg.Reset);
        Machine.OnReset(PciBus.Reset);
        Machine.OnReset(HostBridge.Reset);
        Machine.OnReset(Piix3.Reset);
        Machine.OnReset(Pic.Reset);
        Machine.OnReset(IoApic.Reset);
        Machine.OnReset(Vga.Reset);
        Machine.OnReset(Kbc.Reset);
        Machine.OnReset(Keyboard.Reset);
        Machine.OnReset(Mouse.Reset);
        Machine.OnReset(PortA.Reset);
        Machine.OnReset(Ide.Reset);
        Machine.OnReset(Acpi.Reset);
        Machine.OnReset(FerrLatch.Reset);

        Saveables =
        [
            new ClockSnapshot(Machine.Clock),
            FwCfg, PciBus, HostBridge, Piix3, Dma, Vga, Hpet, Rtc, Pit, PortB, .. SerialPorts,
            Keyboard, Mouse, Kbc, PortA, Floppy, FerrLatch, Ide, Acpi, PostCode,
            irqWires, Pic, IoApic, LocalApic, Machine.Cpu,
            new PendingEventsSnapshot(Machine.Clock), new MemorySnapshot(Machine.Memory),
        ];
    }

    /// <summary>
    /// Maps the BIOS so it ends at 4 GiB, where the reset vector FFFFFFF0 reads its last 16 bytes,
    /// and its last 128 KiB (the whole image if smaller) at the top of the first megabyte on the
    /// PCI side (E0000-FFFFF), where the i440FX PAM registers let reads through to it until the
    /// firmware shadows itself into RAM.
    /// </summary>
    public static void MapBios(Machine machine, byte[] image)
    {
        ulong size = (ulong)image.Length;
        machine.Memory.MapRom(FourGiB - size, image);
        ulong isaSize = Math.Min(size, IsaBiosMaxSize);
        machine.Memory.MapAlias(0x10_0000 - isaSize, FourGiB - isaSize, isaSize, readOnly: true);
    }

    /// <summary>
    /// Attaches the <c>-d guest_errors</c>/<c>-d unimp</c> sink to the machine (memory map, triple fault)
    /// and to every device that reports through it; null detaches it.
    /// </summary>
    public void AttachGuestLog(Emulator.Core.Diagnostics.GuestLog? log)
    {
        Machine.GuestLog = log;
        Ide.GuestLog = log;
        Floppy.GuestLog = log;
        Kbc.GuestLog = log;
        Keyboard.GuestLog = log;
        Pic.Master.GuestLog = log;
        Pic.Slave.GuestLog = log;
        Dma.GuestLog = log;
        LocalApic.GuestLog = log;
    }

    /// <summary>A new wire into ISA IRQ <paramref name="irq"/>, wired-OR with the others into it.</summary>
    public IrqLine IsaIrq(int irq)
    {
        if (irq is < 0 or >= IsaIrqCount) throw new ArgumentOutOfRangeException(nameof(irq));
        return irqWires.Track(new IrqLine(irq, DriveIsaIrq));
    }

    void DriveIsaIrq(int irq, bool high)
    {
        isaIrqDrivers[irq] += high ? 1 : -1;
        bool level = isaIrqDrivers[irq] > 0;
        if (level == isaIrqLevels[irq]) return;
        isaIrqLevels[irq] = level;
        IsaIrqChanged(irq, level);
    }

    /// <summary>The level of ISA IRQ <paramref name="irq"/> (any of its wires high).</summary>
    public bool IsaIrqLevel(int irq) => isaIrqLevels[irq];

    /// <summary>PCI INTx to PIRQ for the function at <paramref name="devfn"/> (QEMU's pci_slot_get_pirq for PIIX).</summary>
    public static int PirqForIntx(int devfn, int pin) => (pin - 1 + (devfn >> 3) - 1) & 3;

    /// <summary>
    /// Where an ISA IRQ's level goes (QEMU's gsi_handler): the 8259A input <paramref name="irq"/>, and
    /// the IOAPIC input of the same number, except IRQ 0, which is IOAPIC input 2 (QEMU's
    /// ioapic_set_irq, and the MADT interrupt source override firmware reports).
    /// </summary>
    void IsaIrqChanged(int irq, bool level)
    {
        Pic.SetIrq(irq, level);
        IoApic.SetIrq(irq == 0 ? 2 : irq, level);
    }

    /// <summary>
    /// The devices QEMU creates before the 8042 (pc_basic_device_init, then pc_superio_init), in
    /// that order: the HPET at 0xFED00000, the MC146818 RTC at 0x70-0x71 (IRQ 8), the 8254 PIT at
    /// 0x40-0x43 (IRQ 0) with port 0x61, and the 16550A UARTs at 0x3F8/0x2F8/0x3E8/0x2E8 (IRQ 4,
    /// 3, 4, 3). While the HPET's legacy replacement route is on, it drives IRQ 0 and IRQ 8 and the
    /// PIT's and RTC's outputs are cut off (IA-PC HPET spec 1.0a, 2.3.9.2.2).
    /// </summary>
    void AttachTimersAndSerial(PcBoardConfig config)
    {
        var clock = Machine.Clock;
        Hpet = new Hpet(clock, gsi => irqWires.Track(new IrqLine(gsi, (g, l) => IoApic.SetIrq(g, l))), IsaIrq(0), IsaIrq(8));
        Machine.Memory.MapMmio(Hpet.BaseAddress, Hpet.Size, Hpet);

        var rtcWire = IsaIrq(8);
        bool rtcLevel = false;
        Rtc = new Rtc146818(clock, irqWires.Track(new IrqLine(8, (_, l) => { rtcLevel = l; if (!Hpet.LegacyReplacement) rtcWire.Set(l); })), config.RtcBase);
        Machine.Io.Register(Rtc146818.BasePort, 2, Rtc);

        var pitWire = IsaIrq(0);
        bool pitLevel = false;
        Pit = new Pit8254(clock, irqWires.Track(new IrqLine(0, (_, l) => { pitLevel = l; if (!Hpet.LegacyReplacement) pitWire.Set(l); })));
        Machine.Io.Register(Pit8254.BasePort, 4, Pit);
        PortB = new SystemControlPortB(Pit, clock);
        Machine.Io.Register(SystemControlPortB.Port, 1, PortB);
        Hpet.LegacyReplacementChanged += on =>
        {
            pitWire.Set(!on && pitLevel);
            rtcWire.Set(!on && rtcLevel);
        };

        var uarts = new Uart16550[Math.Min(config.Serials.Count, Uart16550.PcPorts.Length)];
        for (int i = 0; i < uarts.Length; i++)
        {
            var (port, irq) = Uart16550.PcPorts[i];
            uarts[i] = new Uart16550($"serial{i}", clock, IsaIrq(irq), config.Serials[i]);
            Machine.Io.Register(port, 8, uarts[i]);
        }
        SerialPorts = uarts;

        Machine.OnReset(Hpet.Reset);
        Machine.OnReset(Rtc.Reset);
        Machine.OnReset(Pit.Reset);
        Machine.OnReset(PortB.Reset);
        foreach (var u in uarts) Machine.OnReset(u.Reset);
    }

    /// <summary>
    /// The 82077AA floppy controller (pc_superio_init's isa-fdc) at 0x3F0-0x3F5 and 0x3F7, IRQ 6,
    /// DMA channel 2, with drives A: and B: for the first two entries of
    /// <see cref="PcBoardConfig.Floppies"/> (a null entry is a drive without a disk).
    /// </summary>
    /// <exception cref="ArgumentException">A floppy image's size is not a floppy format.</exception>
    void AttachFloppy(PcBoardConfig config)
    {
        var drives = new Storage.Floppy.FloppyDrive?[Math.Min(config.Floppies.Count, 2)];
        for (int i = 0; i < drives.Length; i++) drives[i] = new Storage.Floppy.FloppyDrive(config.Floppies[i]);
        Floppy = new Storage.Floppy.FloppyController(Machine.Clock, IsaIrq(Storage.Floppy.FloppyController.Irq), Dma, drives);
        Floppy.Register(Machine.Io);
        Machine.OnReset(Floppy.Reset);
    }

    /// <summary>
    /// The two 8237 DMA controllers with their page registers (0x00-0x0F, 0xC0-0xDF, 0x81-0x8F;
    /// 0x80 stays with the POST port), which QEMU creates with the PIIX3 (i8257_dma_init).
    /// </summary>
    void AttachDma()
    {
        Dma = new Dma8237(Machine.Memory);
        Dma.Register(Machine.Io);
        Machine.OnReset(Dma.Reset);
    }
}
