using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.Time;
using Emulator.Devices.Pci;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// The IDE function of the Intel 82371SB PIIX3 (PCI 8086:7010, class 01 01 80: IDE in legacy
/// mode with bus mastering), as QEMU's <c>piix3-ide</c>: the primary channel at 0x1F0-0x1F7 and
/// 0x3F6 on IRQ 14, the secondary at 0x170-0x177 and 0x376 on IRQ 15, and the bus-master
/// registers in the 16-port I/O BAR4 (BMIBA, config 0x20; primary at +0, secondary at +8).
/// </summary>
/// <remarks>
/// <para>Configuration (PIIX3 datasheet 2.3): the command register has only I/O space and bus
/// master enable writable; status reads 0280h (fast back-to-back, medium DEVSEL). IDETIM
/// (0x40-0x41 primary, 0x42-0x43 secondary) and SIDETIM (0x44) are read/write, 0 after reset.
/// Bit 15 of each IDETIM is the channel's IDE decode enable; as in QEMU, which registers the
/// legacy ports once and never looks at it, the legacy ports are decoded whatever it says, and
/// whatever the command register's I/O enable says. Firmware should still set bit 15 of both
/// (SeaBIOS does; Linux's ata_piix skips a channel whose bit is clear). BAR4 decodes only while
/// I/O space is enabled. There is no INTx: the channels use ISA IRQs 14 and 15.</para>
/// <para>Bus-master registers are byte registers; wider accesses are split into bytes (QEMU
/// returns ones for them instead).</para>
/// </remarks>
public sealed class Piix3Ide : PciDevice, IIoDevice
{
    public const ushort PrimaryCommand = 0x1F0, PrimaryControl = 0x3F6, SecondaryCommand = 0x170, SecondaryControl = 0x376;
    public const int PrimaryIrq = 14, SecondaryIrq = 15;
    public const int BusMasterSize = 16;

    readonly IoWindow busMasterWindow;
    readonly IdeChannel[] channels;

    /// <param name="io">The port bus: the legacy ports are registered here, BAR4 moves on it.</param>
    /// <param name="memory">Guest memory, for bus-master DMA.</param>
    /// <param name="clock">Virtual time, for command timing.</param>
    /// <param name="irq14">The primary channel's INTRQ (ISA IRQ 14).</param>
    /// <param name="irq15">The secondary channel's INTRQ (ISA IRQ 15).</param>
    /// <param name="drives">Drives by position: primary master, primary slave, secondary master, secondary slave.</param>
    public Piix3Ide(IoBus io, PhysicalMemory memory, VirtualClock clock, IrqLine irq14, IrqLine irq15, IReadOnlyList<IdeDrive?> drives)
        : base(0x8086, 0x7010, revision: 0x00, classCode: 0x01_01_80)
    {
        IdeDevice? Make(int position)
        {
            var drive = position < drives.Count ? drives[position] : null;
            string name = $"ide{position >> 1}.{position & 1}";
            return drive switch
            {
                null => null,
                { Media: DriveMedia.Disk, Image: { } image } => new AtaDisk(clock, image, name, position & 1),
                { Media: DriveMedia.Disk } => throw new ArgumentException($"IDE position {position}: a disk needs an image."),
                _ => new AtapiCdRom(clock, drive.Image, name),
            };
        }
        channels =
        [
            new IdeChannel(PrimaryCommand, PrimaryControl, irq14, new BusMasterDma(memory), Make(0), Make(1)),
            new IdeChannel(SecondaryCommand, SecondaryControl, irq15, new BusMasterDma(memory), Make(2), Make(3)),
        ];
        io.Register(PrimaryCommand, 8, channels[0]);
        io.Register(PrimaryControl, 1, channels[0]);
        io.Register(SecondaryCommand, 8, channels[1]);
        io.Register(SecondaryControl, 1, channels[1]);

        busMasterWindow = new IoWindow(io, this, BusMasterSize);
        DefineIoBar(4, BusMasterSize, a => busMasterWindow.MoveTo(a));
        SetWord(WriteMask, 0x04, CommandIo | CommandMaster);
        for (int i = 0x40; i < 0x100; i++) WriteMask[i] = (byte)(i <= 0x44 ? 0xFF : 0);
        Reset();
    }

    /// <summary>Where both channels report (<c>-d guest_errors</c>, <c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog
    {
        get => channels[0].GuestLog;
        set { foreach (var c in channels) c.GuestLog = value; }
    }

    public IdeChannel Primary => channels[0];
    public IdeChannel Secondary => channels[1];
    public IdeChannel Channel(int index) => channels[index];

    /// <summary>The bus-master block's base port while decoded.</summary>
    public ushort? BusMasterBase => busMasterWindow.Base;

    public override void Reset()
    {
        base.Reset();
        SetWord(Config, 0x06, 0x0280);
        for (int i = 0x40; i <= 0x44; i++) Config[i] = 0;
        foreach (var c in channels) c.Reset();
    }

    public uint In(ushort port, int size)
    {
        if (busMasterWindow.Base is not ushort b) return uint.MaxValue;
        uint v = 0;
        for (int i = 0; i < size; i++)
        {
            int offset = port + i - b;
            byte value = offset is >= 0 and < BusMasterSize ? channels[offset >> 3].BusMaster.Read(offset & 7) : (byte)0xFF;
            v |= (uint)value << (8 * i);
        }
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        if (busMasterWindow.Base is not ushort b) return;
        for (int i = 0; i < size; i++)
        {
            int offset = port + i - b;
            if (offset is >= 0 and < BusMasterSize) channels[offset >> 3].BusMaster.Write(offset & 7, (byte)(value >> (8 * i)));
        }
    }

    public override string SnapshotName => "piix3-ide";
    public override int SnapshotVersion => 2;   // 2: ATA disks save their capacity and default geometry

    public override void SaveState(BinaryWriter writer)
    {
        base.SaveState(writer);
        foreach (var c in channels) c.Save(writer);
    }

    public override void LoadState(BinaryReader reader, int version)
    {
        base.LoadState(reader, version);
        foreach (var c in channels) c.Load(reader);
    }
}
