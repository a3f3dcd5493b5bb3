using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Floppy;
using Emulator.Tests.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Storage;

/// <summary>
/// Real-mode guests on the whole PC board driving the floppy controller as a BIOS does: the
/// 8259 programmed for IRQ 6 at vector 0x0E with a handler that sets a flag, the 8237's
/// channel 2 programmed for each transfer, commands written and results read by polling the MSR.
/// </summary>
public class FloppyGuestTests
{
    const ushort Flag = 0x500;
    const ushort Handler = 0x2000;

    static PcBoard Board(params IBlockImage?[] floppies)
    {
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 4UL << 20 },
            Bios = BoardTestMachine.HaltBios(),
            Floppies = floppies,
        });
        board.Machine.Reset();
        return board;
    }

    static StopReason Run(PcBoard board, Action<Assembler> body)
    {
        var m = board.Machine;
        Write(m, Handler, a =>
        {
            a.mov(__byte_ptr[Flag], 1);
            a.push(ax);
            a.mov(al, 0x20);
            a.@out(0x20, al);
            a.pop(ax);
            a.iret();
        });
        m.Memory.Write(0x0E * 4, BitConverter.GetBytes((uint)Handler));
        Write(m, 0x1000, a =>
        {
            a.cli();
            a.mov(__byte_ptr[Flag], 0);
            foreach (var (port, value) in new (byte, byte)[] { (0x20, 0x11), (0x21, 0x08), (0x21, 0x04), (0x21, 0x01), (0xA0, 0x11), (0xA1, 0x70), (0xA1, 0x02), (0xA1, 0x01), (0x21, 0xBF), (0xA1, 0xFF) })
            {
                a.mov(al, value);
                a.@out(port, al);
            }
            body(a);
            a.cli();
            a.hlt();
        });
        var cpu = m.Cpu;
        cpu.SetSegmentReal(SegReg.CS, 0);
        cpu.SetSegmentReal(SegReg.SS, 0);
        cpu.SetSegmentReal(SegReg.DS, 0);
        cpu.SetSegmentReal(SegReg.ES, 0);
        cpu.SetGpr(Gpr.Rsp, 0x8000);
        cpu.Rip = 0x1000;
        cpu.Halted = false;
        return m.Run(5_000_000);
    }

    static void Write(Machine m, ulong address, Action<Assembler> build)
    {
        var a = new Assembler(16);
        build(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), address);
        m.Memory.Write(address, ms.ToArray());
    }

    static void Outb(Assembler a, ushort port, byte value)
    {
        a.mov(dx, port);
        a.mov(al, value);
        a.@out(dx, al);
    }

    /// <summary>Waits for RQM with DIO clear, then writes each byte to the FIFO.</summary>
    static void Command(Assembler a, params byte[] bytes)
    {
        foreach (var b in bytes)
        {
            var wait = a.CreateLabel();
            a.mov(dx, 0x3F4);
            a.Label(ref wait);
            a.@in(al, dx);
            a.and(al, 0xC0);
            a.cmp(al, 0x80);
            a.jne(wait);
            a.mov(dx, 0x3F5);
            a.mov(al, b);
            a.@out(dx, al);
        }
    }

    /// <summary>Reads <paramref name="count"/> result bytes (waiting for RQM and DIO each time) to <paramref name="address"/>.</summary>
    static void Results(Assembler a, ushort address, int count)
    {
        a.mov(di, address);
        for (int i = 0; i < count; i++)
        {
            var wait = a.CreateLabel();
            a.mov(dx, 0x3F4);
            a.Label(ref wait);
            a.@in(al, dx);
            a.and(al, 0xC0);
            a.cmp(al, 0xC0);
            a.jne(wait);
            a.mov(dx, 0x3F5);
            a.@in(al, dx);
            a.stosb();
        }
    }

    /// <summary>Sleeps until the IRQ 6 handler has set the flag, then clears it.</summary>
    static void WaitIrq(Assembler a)
    {
        var loop = a.CreateLabel();
        var done = a.CreateLabel();
        a.cli();
        a.Label(ref loop);
        a.cmp(__byte_ptr[Flag], 0);
        a.jne(done);
        a.sti();
        a.hlt();
        a.cli();
        a.jmp(loop);
        a.Label(ref done);
        a.mov(__byte_ptr[Flag], 0);
    }

    /// <summary>Channel 2: mask, mode, flip-flop, address, page, count - 1, unmask.</summary>
    static void ProgramDma(Assembler a, byte mode, int address, int count)
    {
        Outb(a, 0x0A, 0x06);
        Outb(a, 0x0B, mode);
        Outb(a, 0x0C, 0);
        Outb(a, 0x04, (byte)address);
        Outb(a, 0x04, (byte)(address >> 8));
        Outb(a, 0x81, (byte)(address >> 16));
        Outb(a, 0x05, (byte)(count - 1));
        Outb(a, 0x05, (byte)((count - 1) >> 8));
        Outb(a, 0x0A, 0x02);
    }

    /// <summary>Resets the controller through the DOR, takes the four polling statuses to <paramref name="address"/>, sets 500 kbit/s and SPECIFY.</summary>
    static void Init(Assembler a, ushort address)
    {
        Outb(a, 0x3F2, 0x00);
        Outb(a, 0x3F2, 0x1C);
        WaitIrq(a);
        for (int i = 0; i < 4; i++)
        {
            Command(a, 0x08);
            Results(a, (ushort)(address + 2 * i), 2);
        }
        Outb(a, 0x3F7, 0x00);
        Command(a, 0x03, 0xDF, 0x02);
    }

    byte[] Bytes(PcBoard board, int address, int count)
    {
        var b = new byte[count];
        board.Machine.Memory.Read((ulong)address, b);
        return b;
    }

    [Test]
    public void Guest_recalibrates_seeks_and_reads_two_sectors_across_the_heads_into_page_1()
    {
        var image = new FloppyTestImage(FloppyFormat.M1_44);
        var board = Board(image);
        Assert.That(board.Floppy.CmosDriveTypes, Is.EqualTo(0x40));
        var stop = Run(board, a =>
        {
            Init(a, 0x600);
            Command(a, 0x07, 0x00);
            WaitIrq(a);
            Command(a, 0x08);
            Results(a, 0x610, 2);
            Command(a, 0x0F, 0x00, 1);
            WaitIrq(a);
            Command(a, 0x08);
            Results(a, 0x612, 2);
            ProgramDma(a, 0x46, 0x10000, 1024);
            Command(a, 0xC6, 0x00, 1, 0, 18, 2, 18, 0x1B, 0xFF);
            WaitIrq(a);
            Results(a, 0x620, 7);
        });
        Assert.That(stop, Is.EqualTo(StopReason.Halted));
        Assert.That(Bytes(board, 0x600, 8), Is.EqualTo(new byte[] { 0xC0, 0, 0xC1, 0, 0xC2, 0, 0xC3, 0 }));
        Assert.That(Bytes(board, 0x610, 4), Is.EqualTo(new byte[] { 0x20, 0, 0x20, 1 }));
        Assert.That(Bytes(board, 0x620, 7), Is.EqualTo(new byte[] { 0x04, 0, 0, 1, 1, 2, 2 }));
        Assert.That(Bytes(board, 0x10000, 1024), Is.EqualTo(image.Sector(1, 0, 18).Concat(image.Sector(1, 1, 1))));
        Assert.That(board.Dma.In(0x08, 1) & 0x04, Is.EqualTo(0x04), "channel 2 reached terminal count");
    }

    [Test]
    public void Guest_writes_sectors_reads_them_back_and_sees_no_data_and_write_protect_errors()
    {
        var image = new FloppyTestImage(FloppyFormat.M1_44);
        var protectedImage = new FloppyTestImage(FloppyFormat.M1_44, readOnly: true);
        var board = Board(image, protectedImage);
        Assert.That(board.Floppy.CmosDriveTypes, Is.EqualTo(0x44));
        var data = Enumerable.Range(0, 1024).Select(i => (byte)(i * 7)).ToArray();
        board.Machine.Memory.Write(0x4000, data);
        var stop = Run(board, a =>
        {
            Init(a, 0x600);
            ProgramDma(a, 0x4A, 0x4000, 1024);
            Command(a, 0x45, 0x04, 0, 1, 5, 2, 18, 0x1B, 0xFF);
            WaitIrq(a);
            Results(a, 0x620, 7);
            ProgramDma(a, 0x46, 0x8000, 1024);
            Command(a, 0x46, 0x04, 0, 1, 5, 2, 18, 0x1B, 0xFF);
            WaitIrq(a);
            Results(a, 0x630, 7);
            ProgramDma(a, 0x46, 0x9000, 512);
            Command(a, 0x46, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF);
            WaitIrq(a);
            Results(a, 0x640, 7);
            ProgramDma(a, 0x4A, 0x4000, 512);
            Command(a, 0x45, 0x01, 0, 0, 1, 2, 18, 0x1B, 0xFF);
            WaitIrq(a);
            Results(a, 0x650, 7);
        });
        Assert.That(stop, Is.EqualTo(StopReason.Halted));
        Assert.That(Bytes(board, 0x620, 7), Is.EqualTo(new byte[] { 0x04, 0, 0, 0, 1, 7, 2 }), "write: head 1, next sector 7");
        Assert.That(image.Sector(0, 1, 5).Concat(image.Sector(0, 1, 6)), Is.EqualTo(data));
        Assert.That(Bytes(board, 0x630, 7), Is.EqualTo(new byte[] { 0x04, 0, 0, 0, 1, 7, 2 }));
        Assert.That(Bytes(board, 0x8000, 1024), Is.EqualTo(data), "read back");
        Assert.That(Bytes(board, 0x640, 7), Is.EqualTo(new byte[] { 0x40, 0x04, 0, 0, 0, 19, 2 }), "sector 19: abnormal, ND");
        Assert.That(Bytes(board, 0x9000, 4), Is.EqualTo(new byte[4]));
        Assert.That(Bytes(board, 0x650, 7), Is.EqualTo(new byte[] { 0x41, 0x02, 0, 0, 0, 1, 2 }), "drive B protected: abnormal, NW");
        Assert.That(protectedImage.Sector(0, 0, 1), Is.EqualTo(protectedImage.Pattern(0, 0, 1)));
    }

    [Test]
    public void Guest_formats_a_track_and_reads_its_IDs()
    {
        var image = new FloppyTestImage(FloppyFormat.K720);
        var board = Board(image);
        Assert.That(board.Floppy.CmosDriveTypes, Is.EqualTo(0x30));
        var ids = new byte[9 * 4];
        int[] interleave = [1, 3, 5, 7, 9, 2, 4, 6, 8];
        for (int i = 0; i < 9; i++) { ids[i * 4] = 3; ids[i * 4 + 1] = 0; ids[i * 4 + 2] = (byte)interleave[i]; ids[i * 4 + 3] = 2; }
        board.Machine.Memory.Write(0x4000, ids);
        var stop = Run(board, a =>
        {
            Init(a, 0x600);
            Outb(a, 0x3F7, 0x02);   // 250 kbit/s for 720K
            Command(a, 0x0F, 0x00, 3);
            WaitIrq(a);
            Command(a, 0x08);
            Results(a, 0x610, 2);
            ProgramDma(a, 0x4A, 0x4000, ids.Length);
            Command(a, 0x4D, 0x00, 2, 9, 0x50, 0xE5);
            WaitIrq(a);
            Results(a, 0x620, 7);
            Command(a, 0x4A, 0x00);
            WaitIrq(a);
            Results(a, 0x630, 7);
        });
        Assert.That(stop, Is.EqualTo(StopReason.Halted));
        Assert.That(Bytes(board, 0x610, 2), Is.EqualTo(new byte[] { 0x20, 3 }));
        Assert.That(Bytes(board, 0x620, 3), Is.EqualTo(new byte[] { 0x00, 0, 0 }));
        for (int r = 1; r <= 9; r++) Assert.That(image.Sector(3, 0, r), Is.All.EqualTo(0xE5), $"sector {r}");
        Assert.That(image.Sector(3, 1, 1), Is.EqualTo(image.Pattern(3, 1, 1)));
        Assert.That(Bytes(board, 0x630, 7), Is.EqualTo(new byte[] { 0x00, 0, 0, 3, 0, 1, 2 }));
    }

    [Test]
    public void Guest_reads_a_sector_in_non_DMA_mode_by_polling_the_MSR()
    {
        var image = new FloppyTestImage(FloppyFormat.M2_88);
        var board = Board(image);
        var stop = Run(board, a =>
        {
            var next = a.CreateLabel();
            var wait = a.CreateLabel();
            Init(a, 0x600);
            Outb(a, 0x3F7, 0x03);               // 1 Mbit/s for 2.88M
            Command(a, 0x03, 0xDF, 0x03);       // ND: non-DMA
            Command(a, 0x0F, 0x00, 79);
            WaitIrq(a);
            Command(a, 0x08);
            Results(a, 0x610, 2);
            Command(a, 0x46, 0x04, 79, 1, 36, 2, 36, 0x1B, 0xFF);
            WaitIrq(a);                         // INT with the first byte; then poll, interrupts off
            a.mov(di, 0x3000);
            a.mov(cx, 512);
            a.Label(ref next);
            a.mov(dx, 0x3F4);
            a.Label(ref wait);
            a.@in(al, dx);
            a.and(al, 0xE0);
            a.cmp(al, 0xE0);                    // RQM, DIO, NON-DMA: a byte for the host
            a.jne(wait);
            a.mov(dx, 0x3F5);
            a.@in(al, dx);
            a.stosb();
            a.loop(next);
            Results(a, 0x620, 7);
        });
        Assert.That(stop, Is.EqualTo(StopReason.Halted));
        Assert.That(board.Floppy.CmosDriveTypes, Is.EqualTo(0x50));
        Assert.That(Bytes(board, 0x610, 2), Is.EqualTo(new byte[] { 0x20, 79 }));
        Assert.That(Bytes(board, 0x3000, 512), Is.EqualTo(image.Sector(79, 1, 36)), "the last sector of the disk");
        Assert.That(Bytes(board, 0x620, 7), Is.EqualTo(new byte[] { 0x44, 0x80, 0, 80, 1, 1, 2 }), "no TC without DMA: EN at EOT");
    }

    [Test]
    public void Guest_times_out_reading_an_empty_drive_and_recovers_by_reset()
    {
        var board = Board(new FloppyTestImage(FloppyFormat.M1_44), null);
        Assert.That(board.Floppy.CmosDriveTypes, Is.EqualTo(0x44), "an empty drive is still a 1.44M drive");
        var stop = Run(board, a =>
        {
            var poll = a.CreateLabel();
            var timedOut = a.CreateLabel();
            var done = a.CreateLabel();
            Init(a, 0x600);
            ProgramDma(a, 0x46, 0x3000, 512);
            Command(a, 0x46, 0x01, 0, 0, 1, 2, 18, 0x1B, 0xFF);
            a.mov(cx, 20000);
            a.mov(dx, 0x3F4);
            a.Label(ref poll);
            a.@in(al, dx);
            a.test(al, 0x80);
            a.jnz(done);
            a.loop(poll);
            a.Label(ref timedOut);
            a.mov(__byte_ptr[0x700], 0xEE);
            Init(a, 0x610);
            a.Label(ref done);
        });
        Assert.That(stop, Is.EqualTo(StopReason.Halted));
        Assert.That(Bytes(board, 0x700, 1), Is.EqualTo(new byte[] { 0xEE }), "no RQM: the command never finishes");
        Assert.That(Bytes(board, 0x610, 8), Is.EqualTo(new byte[] { 0xC0, 0, 0xC1, 0, 0xC2, 0, 0xC3, 0 }), "the reset brings it back");
        Assert.That(board.Machine.Io.DeviceAt(0x3F7), Is.SameAs(board.Floppy), "DIR/CCR");
    }
}
