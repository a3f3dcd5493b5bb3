using Emulator.Core.Interrupts;
using Emulator.Core.Memory;
using Emulator.Core.Time;
using Emulator.Devices.Dma;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Floppy;

namespace Emulator.Tests.Devices.Storage;

/// <summary>
/// An 82077AA on its own with the 8237 pair, 1 MiB of memory, a clock the test advances and
/// IRQ 6 as a flag: the register-level tests drive the ports as a BIOS would.
/// </summary>
internal sealed class FloppyRig
{
    public const ushort Dor = 0x3F2, Msr = 0x3F4, Dsr = 0x3F4, Fifo = 0x3F5, Dir = 0x3F7, Ccr = 0x3F7;

    public readonly VirtualClock Clock = new();
    public readonly PhysicalMemory Memory = new(1 << 20);
    public readonly Dma8237 Dma;
    public readonly FloppyController Fdc;
    public readonly FloppyDrive?[] Drives;
    public bool Irq;

    public FloppyRig(params IBlockImage?[] media)
    {
        Dma = new Dma8237(Memory);
        Drives = media.Select(m => (FloppyDrive?)new FloppyDrive(m)).ToArray();
        Fdc = new FloppyController(Clock, new IrqLine(6, (_, level) => Irq = level), Dma, Drives);
    }

    public void Out(ushort port, int value) => Fdc.Out(port, 1, (uint)value);

    public byte In(ushort port) => (byte)Fdc.In(port, 1);

    /// <summary>Lets <paramref name="ns"/> of virtual time pass, running the events due.</summary>
    public void Run(long ns = 1_000_000)
    {
        Clock.AdvanceTo(Clock.Now + ns);
        Clock.RunDue();
    }

    /// <summary>Out of reset with motor A on and DMA/IRQ gated on, the four polling statuses taken, 500 kbit/s.</summary>
    public void Ready()
    {
        Out(Dor, 0x1C);
        Run();
        for (int i = 0; i < 4; i++)
        {
            Command(0x08);
            Results();
        }
        Out(Ccr, 0x00);
    }

    /// <summary>Writes command bytes, each when the MSR shows RQM with DIO clear.</summary>
    public void Command(params byte[] bytes)
    {
        foreach (var b in bytes)
        {
            Assert.That(In(Msr) & 0xC0, Is.EqualTo(0x80), "RQM set, DIO clear before each command byte");
            Out(Fifo, b);
        }
    }

    /// <summary>Reads the result phase: bytes while the MSR shows RQM and DIO.</summary>
    public byte[] Results()
    {
        var list = new List<byte>();
        while ((In(Msr) & 0xC0) == 0xC0 && list.Count < 16) list.Add(In(Fifo));
        return list.ToArray();
    }

    /// <summary>SEEK then SENSE INTERRUPT STATUS, returning its two bytes.</summary>
    public byte[] Seek(int drive, int cylinder, int head = 0)
    {
        Command(0x0F, (byte)(head << 2 | drive), (byte)cylinder);
        Run();
        Command(0x08);
        return Results();
    }

    /// <summary>Channel 2: mask, mode, address (page + offset), count - 1, unmask.</summary>
    public void ProgramDma(int mode, int address, int count)
    {
        Dma.Out(0x0A, 1, 0x06);
        Dma.Out(0x0B, 1, (uint)mode);
        Dma.Out(0x0C, 1, 0);
        Dma.Out(0x04, 1, (uint)(address & 0xFF));
        Dma.Out(0x04, 1, (uint)((address >> 8) & 0xFF));
        Dma.Out(0x81, 1, (uint)(address >> 16));
        Dma.Out(0x05, 1, (uint)((count - 1) & 0xFF));
        Dma.Out(0x05, 1, (uint)((count - 1) >> 8));
        Dma.Out(0x0A, 1, 0x02);
    }

    public byte[] ReadMemory(int address, int length)
    {
        var b = new byte[length];
        Memory.Read((ulong)address, b);
        return b;
    }

    /// <summary>A READ/WRITE-family command: opcode, HDS/DS, C, H, R, N = 2, EOT, GPL 0x1B, DTL 0xFF.</summary>
    public static byte[] Rw(int opcode, int drive, int head, int c, int h, int r, int eot, int last = 0xFF) =>
        [(byte)opcode, (byte)(head << 2 | drive), (byte)c, (byte)h, (byte)r, 2, (byte)eot, 0x1B, (byte)last];
}
