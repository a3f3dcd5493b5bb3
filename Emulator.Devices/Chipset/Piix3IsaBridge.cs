using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Machine;
using Emulator.Devices.Pci;

namespace Emulator.Devices.Chipset;

/// <summary>
/// The Intel 82371SB PIIX3 PCI-to-ISA bridge, function 0 (PCI 01.0, 8086:7000), as QEMU's
/// <c>pc</c> machine presents it: PIRQ routing of PCI INTx to ISA IRQs, and the reset control
/// register at port 0xCF9.
/// </summary>
/// <remarks>
/// <para>PIRQRC[A:D] (config 0x60-0x63; PIIX3 datasheet 2.2.10): bit 7 disables the route,
/// bits 3:0 name the ISA IRQ. An ISA IRQ is driven high while any PIRQ routed to it is asserted
/// (the PCI side counts INTx per PIRQ, so shared lines are wired-OR). As in QEMU, the values the
/// datasheet reserves (IRQ 0, 1, 2, 8, 13) route like the others.</para>
/// <para>Reset control (port 0xCF9, byte; 2.3.1): setting bit 2 (RCPU) starts the reset bit 1
/// (SRST) selects: 1 a hard reset (PCIRST# and the CPU's RESET: the whole system), 0 a soft
/// reset (INIT: the CPU only, <see cref="ResetKind.Cpu"/>). Only bit 1 is kept and read back.</para>
/// <para>The other registers hold QEMU's reset values (0x4C IORT, 0x4E XBCS, 0x69 top of memory
/// = 1 MiB, 0x70 MBIRQ0 disabled, 0x76/0x77 MBDMA, 0x78 PCSC, 0xA0 SMI control, ...) as plain
/// storage: ISA memory holes, X-Bus decode switches, SMI and the motherboard IRQ/DMA routes they
/// describe are not modelled. The DMA controllers and RTC that QEMU hangs off this function are
/// separate devices here, wired by the board.</para>
/// </remarks>
public sealed class Piix3IsaBridge : PciDevice, IIoDevice
{
    public const ushort ResetControlPort = 0xCF9;
    public const int PirqRouteBase = 0x60;
    public const int IsaIrqCount = 16;

    readonly IrqLine[] isaIrqs;
    readonly Action<ResetKind> requestReset;
    readonly bool[] pirqLevels = new bool[PciBus.PirqCount];
    byte rcr;

    /// <param name="isaIrqOutputs">This bridge's own wire into each of the 16 ISA IRQs.</param>
    /// <param name="requestReset">Normally <c>Machine.RequestReset</c>.</param>
    public Piix3IsaBridge(IrqLine[] isaIrqOutputs, Action<ResetKind> requestReset)
        : base(0x8086, 0x7000, revision: 0x00, classCode: 0x06_01_00, headerType: 0x80)
    {
        if (isaIrqOutputs.Length != IsaIrqCount) throw new ArgumentException("16 ISA IRQ lines", nameof(isaIrqOutputs));
        isaIrqs = isaIrqOutputs;
        this.requestReset = requestReset;
        Reset();
    }

    /// <summary>The ISA IRQ PIRQ <paramref name="pirq"/> goes to, or -1 when its route is disabled.</summary>
    public int PirqRoute(int pirq)
    {
        byte r = Config[PirqRouteBase + pirq];
        return r < IsaIrqCount ? r : -1;
    }

    /// <summary>The level of PIRQ line <paramref name="pirq"/> (called by the PCI bus).</summary>
    public void SetPirq(int pirq, bool level)
    {
        pirqLevels[pirq] = level;
        DriveIsaIrqs();
    }

    void DriveIsaIrqs()
    {
        Span<bool> levels = stackalloc bool[IsaIrqCount];
        for (int p = 0; p < pirqLevels.Length; p++)
            if (pirqLevels[p] && PirqRoute(p) is int irq and >= 0) levels[irq] = true;
        for (int i = 0; i < IsaIrqCount; i++) isaIrqs[i].Set(levels[i]);
    }

    public override void Reset()
    {
        base.Reset();
        ReadOnlySpan<(int, byte)> values =
        [
            (0x04, 0x07), (0x05, 0x00), (0x06, 0x00), (0x07, 0x02), (0x4C, 0x4D), (0x4E, 0x03), (0x4F, 0x00),
            (0x60, 0x80), (0x61, 0x80), (0x62, 0x80), (0x63, 0x80), (0x69, 0x02), (0x70, 0x80),
            (0x76, 0x0C), (0x77, 0x0C), (0x78, 0x02), (0x79, 0x00), (0x80, 0x00), (0x82, 0x00),
            (0xA0, 0x08), (0xA2, 0x00), (0xA3, 0x00), (0xA4, 0x00), (0xA5, 0x00), (0xA6, 0x00), (0xA7, 0x00),
            (0xA8, 0x0F), (0xAA, 0x00), (0xAB, 0x00), (0xAC, 0x00), (0xAE, 0x00),
        ];
        foreach (var (offset, value) in values) Config[offset] = value;
        Array.Clear(pirqLevels);
        rcr = 0;
        DriveIsaIrqs();
    }

    protected override void ConfigWritten(int offset, int size)
    {
        if (Overlaps(offset, size, PirqRouteBase, PciBus.PirqCount)) DriveIsaIrqs();
    }

    public uint In(ushort port, int size) => size == 1 ? rcr : rcr | (size == 2 ? 0xFF00u : 0xFFFF_FF00u);

    public void Out(ushort port, int size, uint value)
    {
        if ((value & 0x04) != 0)
        {
            requestReset((value & 0x02) != 0 ? ResetKind.System : ResetKind.Cpu);
            return;
        }
        rcr = (byte)(value & 0x02);
    }

    public override string SnapshotName => "piix3";
    public override int SnapshotVersion => 1;

    public override void SaveState(BinaryWriter writer)
    {
        base.SaveState(writer);
        foreach (bool l in pirqLevels) writer.Write(l);
        writer.Write(rcr);
    }

    public override void LoadState(BinaryReader reader, int version)
    {
        base.LoadState(reader, version);
        for (int i = 0; i < pirqLevels.Length; i++) pirqLevels[i] = reader.ReadBoolean();
        rcr = (byte)(reader.ReadByte() & 0x02);
        DriveIsaIrqs();
    }
}
