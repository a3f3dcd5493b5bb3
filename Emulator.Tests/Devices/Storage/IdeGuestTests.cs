using Emulator.Core.Machine;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Devices.Storage.IdeRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>
/// Guest programs that drive the IDE controller as a driver would: polling status, moving data
/// with REP INSW/OUTSW, and bus-master DMA with a PRD table in guest memory.
/// </summary>
public class IdeGuestTests
{
    const ushort Bm = 0xC000;
    const int PiixIde = 0x09;          // device 1, function 1
    const ushort Results = 0x500;      // the guest stores status bytes here

    static void OutB(Assembler a, ushort port, byte value)
    {
        a.mov(dx, port);
        a.mov(al, value);
        a.@out(dx, al);
    }

    /// <summary>Polls <paramref name="statusPort"/> until BSY is clear; AL holds the status.</summary>
    static void WaitNotBusy(Assembler a, ushort statusPort)
    {
        var poll = a.CreateLabel();
        a.mov(dx, statusPort);
        a.Label(ref poll);
        a.@in(al, dx);
        a.test(al, 0x80);
        a.jnz(poll);
    }

    static void Store(Assembler a, int slot)
    {
        a.mov(bx, (ushort)(Results + slot));
        a.mov(__byte_ptr[bx], al);
    }

    static void Lba28(Assembler a, uint lba, byte count)
    {
        OutB(a, 0x1F6, (byte)(0xE0 | lba >> 24));
        OutB(a, 0x1F2, count);
        OutB(a, 0x1F3, (byte)lba);
        OutB(a, 0x1F4, (byte)(lba >> 8));
        OutB(a, 0x1F5, (byte)(lba >> 16));
    }

    static void SetupBusMaster(Assembler a)
    {
        PciAsm.WriteDword(a, PiixIde, 0x20, Bm);
        PciAsm.WriteDword(a, PiixIde, 0x04, 0x0005);
        PciAsm.WriteDword(a, PiixIde, 0x40, 0x8000_8000);     // IDETIM decode enables, as firmware sets them
    }

    static void StartDma(Assembler a, ushort bmBase, uint table, bool toMemory)
    {
        a.mov(dx, (ushort)(bmBase + 4));
        a.mov(eax, table);
        a.@out(dx, eax);
        OutB(a, (ushort)(bmBase + 2), 0x06);
        OutB(a, bmBase, (byte)(toMemory ? 0x09 : 0x01));
    }

    /// <summary>Polls the bus-master interrupt bit, stops the engine, and reads the drive status into AL.</summary>
    static void FinishDma(Assembler a, ushort bmBase, ushort statusPort)
    {
        var poll = a.CreateLabel();
        a.mov(dx, (ushort)(bmBase + 2));
        a.Label(ref poll);
        a.@in(al, dx);
        a.test(al, 0x04);
        a.jz(poll);
        OutB(a, bmBase, 0x00);
        a.mov(dx, statusPort);
        a.@in(al, dx);
    }

    static void Prd(BoardTestMachine m, ulong at, uint address, int count, bool eot)
    {
        var e = new byte[8];
        BitConverter.TryWriteBytes(e.AsSpan(0), address);
        BitConverter.TryWriteBytes(e.AsSpan(4), (uint)(count & 0xFFFF) | (eot ? 0x8000_0000u : 0));
        m.Machine.Memory.Write(at, e);
    }

    static byte[] Ram(BoardTestMachine m, ulong address, int length)
    {
        var b = new byte[length];
        m.Machine.Memory.Read(address, b);
        return b;
    }

    [Test]
    public void A_guest_identifies_writes_and_reads_back_sectors_by_pio()
    {
        var image = PatternDisk(1024);
        var m = new BoardTestMachine(ideDrives: [Disk(image)]);
        var data = Enumerable.Range(0, 512).Select(i => (byte)(255 - i)).ToArray();
        m.Machine.Memory.Write(0x3000, data);
        var reason = m.RunReal(a =>
        {
            a.cld();
            OutB(a, 0x1F6, 0xA0);
            OutB(a, 0x1F7, 0xEC);
            WaitNotBusy(a, 0x1F7);
            Store(a, 0);
            a.mov(dx, 0x1F0); a.mov(di, 0x2000); a.mov(cx, 256); a.rep.insw();

            Lba28(a, 7, 1);
            OutB(a, 0x1F7, 0x30);
            WaitNotBusy(a, 0x1F7);
            Store(a, 1);
            a.mov(dx, 0x1F0); a.mov(si, 0x3000); a.mov(cx, 256); a.rep.outsw();
            WaitNotBusy(a, 0x1F7);
            Store(a, 2);

            Lba28(a, 7, 2);
            OutB(a, 0x1F7, 0x20);
            a.mov(di, 0x4000);
            for (int s = 0; s < 2; s++)
            {
                WaitNotBusy(a, 0x1F7);
                Store(a, 3 + s);
                a.mov(dx, 0x1F0); a.mov(cx, 256); a.rep.insw();
            }
            WaitNotBusy(a, 0x1F7);
            Store(a, 5);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        var id = Ram(m, 0x2000, 512);
        Assert.Multiple(() =>
        {
            Assert.That(Ram(m, Results, 6), Is.EqualTo(new byte[] { 0x58, 0x58, 0x50, 0x58, 0x58, 0x50 }));
            Assert.That(Word(id, 60), Is.EqualTo(1024));
            Assert.That(Ram(m, 0x4000, 512), Is.EqualTo(data));
            Assert.That(image.Data!.AsSpan(7 * 512, 512).ToArray(), Is.EqualTo(data));
            Assert.That(Ram(m, 0x4200, 2), Is.EqualTo(new[] { Pattern(8, 0), Pattern(8, 1) }));
        });
    }

    [Test]
    public void A_guest_reads_and_writes_by_dma_with_a_prd_table_and_dma_drops_stale_code()
    {
        var image = PatternDisk(1024);
        // Sector 9 holds "mov ax, 2; ret"; the guest first runs "mov ax, 1; ret" at 0x7000, then DMAs sector 9 over it.
        new byte[] { 0xB8, 0x02, 0x00, 0xC3 }.CopyTo(image.Data!, 9 * 512);
        var m = new BoardTestMachine(ideDrives: [Disk(image)]);
        m.Machine.Memory.Write(0x7000, [0xB8, 0x01, 0x00, 0xC3]);
        var data = Enumerable.Range(0, 2048).Select(i => (byte)(i * 5 + 1)).ToArray();
        m.Machine.Memory.Write(0x9000, data);
        Prd(m, 0x5000, 0x6000, 1024, eot: false);      // read: sectors 2-5 in two pieces
        Prd(m, 0x5008, 0x6400, 1024, eot: true);
        Prd(m, 0x5100, 0x9000, 2048, eot: true);       // write: 4 sectors
        Prd(m, 0x5200, 0x7000, 512, eot: true);        // the code page
        var reason = m.RunReal(a =>
        {
            SetupBusMaster(a);
            a.mov(ax, 0x7000);
            a.call(ax);
            a.mov(__word_ptr[Results + 8], ax);

            StartDma(a, Bm, 0x5000, toMemory: true);
            Lba28(a, 2, 4);
            OutB(a, 0x1F7, 0xC8);
            FinishDma(a, Bm, 0x1F7);
            Store(a, 0);

            StartDma(a, Bm, 0x5100, toMemory: false);
            Lba28(a, 20, 4);
            OutB(a, 0x1F7, 0xCA);
            FinishDma(a, Bm, 0x1F7);
            Store(a, 1);

            StartDma(a, Bm, 0x5200, toMemory: true);
            Lba28(a, 9, 1);
            OutB(a, 0x1F7, 0xC8);
            FinishDma(a, Bm, 0x1F7);
            Store(a, 2);
            a.mov(ax, 0x7000);
            a.call(ax);
            a.mov(__word_ptr[Results + 10], ax);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        var read = Ram(m, 0x6000, 2048);
        Assert.Multiple(() =>
        {
            Assert.That(Ram(m, Results, 3), Is.EqualTo(new byte[] { 0x50, 0x50, 0x50 }));
            Assert.That(read[0], Is.EqualTo(Pattern(2, 0)));
            Assert.That(read[1024 + 511], Is.EqualTo(Pattern(4, 511)));
            Assert.That(read[2047], Is.EqualTo(Pattern(5, 511)));
            Assert.That(image.Data!.AsSpan(20 * 512, 2048).ToArray(), Is.EqualTo(data));
            Assert.That(Ram(m, Results + 8, 4), Is.EqualTo(new byte[] { 1, 0, 2, 0 }), "the second call runs the DMA'd code");
        });
    }

    /// <summary>Sends the 12-byte packet at <paramref name="packet"/> to the secondary master.</summary>
    static void SendPacket(Assembler a, ushort packet, bool dma, ushort limit = 0x0800)
    {
        OutB(a, 0x176, 0xA0);
        OutB(a, 0x171, (byte)(dma ? 1 : 0));
        OutB(a, 0x174, (byte)limit);
        OutB(a, 0x175, (byte)(limit >> 8));
        OutB(a, 0x177, 0xA0);
        WaitNotBusy(a, 0x177);
        a.mov(dx, 0x170); a.mov(si, packet); a.mov(cx, 6); a.rep.outsw();
    }

    /// <summary>Reads DRQ blocks of the size the drive gives into ES:DI until it is done; AL holds the final status.</summary>
    static void PioDataIn(Assembler a)
    {
        var loop = a.CreateLabel();
        var done = a.CreateLabel();
        a.Label(ref loop);
        WaitNotBusy(a, 0x177);
        a.test(al, 0x08);
        a.jz(done);
        a.mov(dx, 0x175); a.@in(al, dx); a.mov(ah, al);
        a.mov(dx, 0x174); a.@in(al, dx);
        a.mov(cx, ax); a.shr(cx, 1);
        a.mov(dx, 0x170); a.rep.insw();
        a.jmp(loop);
        a.Label(ref done);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void A_guest_reads_inquiry_capacity_and_sectors_from_a_cd(bool dma)
    {
        var iso = PatternDisk(300, 2048, readOnly: true);
        var m = new BoardTestMachine(ideDrives: [null, null, new IdeDrive(DriveMedia.CdRom, iso)]);
        m.Machine.Memory.Write(0x3000, [0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0]);       // INQUIRY
        m.Machine.Memory.Write(0x3010, [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);        // READ CAPACITY
        m.Machine.Memory.Write(0x3020, [0x28, 0, 0, 0, 0, 10, 0, 0, 3, 0, 0, 0]);       // READ(10) LBA 10, 3 sectors
        Prd(m, 0x5000, 0x4000, 36, eot: true);
        Prd(m, 0x5010, 0x4100, 8, eot: true);
        Prd(m, 0x5020, 0x6000, 2048, eot: false);
        Prd(m, 0x5028, 0x6800, 4096, eot: true);
        var reason = m.RunReal(a =>
        {
            a.cld();
            if (dma) SetupBusMaster(a);
            (ushort Packet, ushort Dest, uint Table)[] steps = [(0x3000, 0x4000, 0x5000), (0x3010, 0x4100, 0x5010), (0x3020, 0x6000, 0x5020)];
            for (int i = 0; i < steps.Length; i++)
            {
                a.mov(di, steps[i].Dest);
                if (dma) StartDma(a, Bm + 8, steps[i].Table, toMemory: true);
                SendPacket(a, steps[i].Packet, dma);
                if (dma) FinishDma(a, Bm + 8, 0x177);
                else PioDataIn(a);
                Store(a, i);
            }
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        var sectors = Ram(m, 0x6000, 3 * 2048);
        Assert.Multiple(() =>
        {
            Assert.That(Ram(m, Results, 3), Is.EqualTo(new byte[] { 0x50, 0x50, 0x50 }));
            Assert.That(Ram(m, 0x4000, 2), Is.EqualTo(new byte[] { 0x05, 0x80 }));
            Assert.That(Ram(m, 0x4100, 8), Is.EqualTo(new byte[] { 0, 0, 0x01, 0x2B, 0, 0, 0x08, 0 }), "last LBA 299");
            Assert.That(sectors[0], Is.EqualTo(Pattern(10, 0)));
            Assert.That(sectors[2048 + 77], Is.EqualTo(Pattern(11, 77)));
            Assert.That(sectors[3 * 2048 - 1], Is.EqualTo(Pattern(12, 2047)));
        });
    }
}
