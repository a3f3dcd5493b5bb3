using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Board;

namespace Emulator.Tests.Devices.Storage;

/// <summary>
/// A board with IDE drives for register-level tests: port access through the machine's I/O bus,
/// and <see cref="Settle"/> to let one device step (a command, a PIO block, a DMA) run.
/// </summary>
public sealed class IdeRig
{
    public const ushort Data = 0x1F0, ErrorReg = 0x1F1, Feature = 0x1F1, Count = 0x1F2, LbaLow = 0x1F3, LbaMid = 0x1F4,
        LbaHigh = 0x1F5, Device = 0x1F6, StatusReg = 0x1F7, CommandReg = 0x1F7, Control = 0x3F6;

    public PcBoard Board { get; }
    public Machine Machine => Board.Machine;

    public IdeRig(params IdeDrive?[] drives)
    {
        Board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 16UL << 20 },
            Bios = BoardTestMachine.HaltBios(),
            IdeDrives = drives,
        });
        Machine.Reset();
    }

    /// <summary>A disk image of <paramref name="sectors"/> sectors whose every byte is (sector * 7 + offset) mod 251.</summary>
    public static MemoryImage PatternDisk(int sectors, int sectorSize = 512, bool readOnly = false)
    {
        var data = new byte[sectors * sectorSize];
        for (int i = 0; i < data.Length; i++) data[i] = Pattern(i / sectorSize, i % sectorSize);
        return new MemoryImage(data, readOnly);
    }

    public static byte Pattern(long sector, int offset) => (byte)((sector * 7 + offset) % 251);

    public static IdeDrive Disk(IBlockImage image) => new(DriveMedia.Disk, image);
    public static IdeDrive Cd(IBlockImage? image) => new(DriveMedia.CdRom, image);

    public byte In8(ushort port) => (byte)Machine.Io.In(port, 1);
    public ushort In16(ushort port) => (ushort)Machine.Io.In(port, 2);
    public void Out8(ushort port, byte value) => Machine.Io.Out(port, 1, value);
    public void Out16(ushort port, ushort value) => Machine.Io.Out(port, 2, value);

    /// <summary>Alternate status: does not clear the interrupt.</summary>
    public byte Alt => In8(Control);
    public bool Irq14 => Board.IsaIrqLevel(14);
    public bool Irq15 => Board.IsaIrqLevel(15);

    /// <summary>Lets virtual time pass for one device step and runs what fell due.</summary>
    public void Settle()
    {
        Machine.Clock.Advance(IdeDevice.StepDelayNs);
        Machine.Clock.RunDue();
    }

    public void Command(byte command, ushort port = CommandReg)
    {
        Out8(port, command);
        Assert.That(In8((ushort)(port - 7 + 0x206)) & 0x80, Is.EqualTo(0x80), "BSY right after the command");
        Settle();
    }

    /// <summary>Sets a 28-bit LBA address on the primary channel's device <paramref name="unit"/>.</summary>
    public void Lba28(uint lba, byte count, int unit = 0)
    {
        Out8(Device, (byte)(0xE0 | unit << 4 | (int)(lba >> 24 & 0xF)));
        Out8(Count, count);
        Out8(LbaLow, (byte)lba);
        Out8(LbaMid, (byte)(lba >> 8));
        Out8(LbaHigh, (byte)(lba >> 16));
    }

    public void Lba48(ulong lba, ushort count)
    {
        Out8(Device, 0x40);
        Out8(Count, (byte)(count >> 8));
        Out8(LbaLow, (byte)(lba >> 24));
        Out8(LbaMid, (byte)(lba >> 32));
        Out8(LbaHigh, (byte)(lba >> 40));
        Out8(Count, (byte)count);
        Out8(LbaLow, (byte)lba);
        Out8(LbaMid, (byte)(lba >> 8));
        Out8(LbaHigh, (byte)(lba >> 16));
    }

    public byte[] ReadData(int bytes, ushort port = Data)
    {
        var b = new byte[bytes];
        for (int i = 0; i < bytes; i += 2)
        {
            ushort w = In16(port);
            b[i] = (byte)w;
            if (i + 1 < bytes) b[i + 1] = (byte)(w >> 8);
        }
        return b;
    }

    public void WriteData(ReadOnlySpan<byte> bytes, ushort port = Data)
    {
        for (int i = 0; i < bytes.Length; i += 2)
            Out16(port, (ushort)(bytes[i] | (i + 1 < bytes.Length ? bytes[i + 1] << 8 : 0)));
    }

    public static ushort Word(byte[] identify, int word) => (ushort)(identify[2 * word] | identify[2 * word + 1] << 8);

    public void WriteRam(ulong address, params byte[] bytes) => Machine.Memory.Write(address, bytes);

    public byte[] ReadRam(ulong address, int length)
    {
        var b = new byte[length];
        Machine.Memory.Read(address, b);
        return b;
    }

    /// <summary>Writes a PRD entry at <paramref name="at"/>.</summary>
    public void Prd(ulong at, uint address, int count, bool eot)
    {
        var e = new byte[8];
        BitConverter.TryWriteBytes(e.AsSpan(0), address);
        BitConverter.TryWriteBytes(e.AsSpan(4), (uint)(count & 0xFFFF) | (eot ? 0x8000_0000u : 0));
        Machine.Memory.Write(at, e);
    }

    /// <summary>Enables I/O and bus mastering and puts the bus-master block at <paramref name="bmBase"/>.</summary>
    public void EnableBusMaster(ushort bmBase = 0xC000)
    {
        Board.Ide.WriteConfig(0x20, 4, bmBase);
        Board.Ide.WriteConfig(0x04, 2, 0x0005);
    }
}
