using Emulator.Core.Io;
using Emulator.Core.Machine;
using Emulator.Core.Memory;
using Emulator.Devices.Dma;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Dma;

/// <summary>Register-level tests against the 8237A datasheet and the PC's page register map.</summary>
public class Dma8237Tests
{
    PhysicalMemory memory = null!;
    Dma8237 dma = null!;

    [SetUp]
    public void SetUp()
    {
        memory = new PhysicalMemory(4 << 20);
        dma = new Dma8237(memory);
    }

    void Out(int port, int value) => dma.Out((ushort)port, 1, (uint)value);

    byte In(int port) => (byte)dma.In((ushort)port, 1);

    /// <summary>Programs an 8-bit channel 0-3 as a BIOS does: mask, mode, flip-flop, address, page, count, unmask.</summary>
    void Program8(int channel, int mode, int address, int page, int count)
    {
        int[] pagePort = [0x87, 0x83, 0x81, 0x82];
        Out(0x0A, 0x04 | channel);
        Out(0x0B, mode | channel);
        Out(0x0C, 0);
        Out(channel * 2, address & 0xFF);
        Out(channel * 2, address >> 8);
        Out(pagePort[channel], page);
        Out(channel * 2 + 1, count & 0xFF);
        Out(channel * 2 + 1, count >> 8);
        Out(0x0A, channel);
    }

    byte[] ReadMemory(ulong address, int length)
    {
        var b = new byte[length];
        memory.Read(address, b);
        return b;
    }

    static byte[] Bytes(int n, int start = 1) => Enumerable.Range(start, n).Select(i => (byte)i).ToArray();

    [Test]
    public void A_write_transfer_fills_memory_and_stops_at_terminal_count()
    {
        Program8(2, 0x44, 0x1234, 0x05, 9);   // single, write (device to memory), increment
        var data = Bytes(16);

        int moved = dma.Transfer(2, data, toMemory: true, out bool tc);

        Assert.That(moved, Is.EqualTo(10), "count + 1 bytes");
        Assert.That(tc, Is.True);
        Assert.That(ReadMemory(0x51234, 11), Is.EqualTo(Bytes(10).Append((byte)0).ToArray()));
        Assert.That(In(0x08), Is.EqualTo(0x04), "TC for channel 2");
        Assert.That(In(0x08), Is.Zero, "TC bits clear on reading status");
        Out(0x0C, 0);
        Assert.That(In(0x04) | In(0x04) << 8, Is.EqualTo(0x123E), "current address");
        Assert.That(In(0x05) | In(0x05) << 8, Is.EqualTo(0xFFFF), "current count past terminal count");
        Assert.That(In(0x0F) & 0x04, Is.EqualTo(0x04), "without auto-init TC masks the channel");
        Assert.That(dma.Transfer(2, data, toMemory: true), Is.Zero, "a masked channel moves nothing");
    }

    [Test]
    public void A_transfer_may_take_several_calls()
    {
        Program8(1, 0x44, 0x0100, 0x00, 5);
        Assert.That(dma.Transfer(1, Bytes(4), true, out bool tc), Is.EqualTo(4));
        Assert.That(tc, Is.False);
        Assert.That(dma.Transfer(1, Bytes(4, 5), true, out tc), Is.EqualTo(2));
        Assert.That(tc, Is.True);
        Assert.That(ReadMemory(0x100, 6), Is.EqualTo(Bytes(6)));
    }

    [Test]
    public void Auto_init_reloads_the_base_registers_and_leaves_the_channel_unmasked()
    {
        Program8(2, 0x54, 0x0400, 0x00, 3);   // auto-init
        Assert.That(dma.Transfer(2, Bytes(8), true, out bool tc), Is.EqualTo(4));
        Assert.That(tc, Is.True);
        Out(0x0C, 0);
        Assert.That(In(0x04) | In(0x04) << 8, Is.EqualTo(0x0400));
        Assert.That(In(0x05) | In(0x05) << 8, Is.EqualTo(3));
        Assert.That(In(0x08) & 0x04, Is.EqualTo(0x04));
        Assert.That(dma.Transfer(2, Bytes(2, 0x10), true), Is.EqualTo(2), "still unmasked");
        Assert.That(ReadMemory(0x400, 4), Is.EqualTo(new byte[] { 0x10, 0x11, 3, 4 }));
    }

    [Test]
    public void Address_decrement_walks_down_and_wraps_within_the_page()
    {
        Program8(2, 0x64, 0x0002, 0x05, 4);   // decrement
        Assert.That(dma.Transfer(2, Bytes(5), true), Is.EqualTo(5));
        Assert.That(ReadMemory(0x50000, 3), Is.EqualTo(new byte[] { 3, 2, 1 }));
        Assert.That(ReadMemory(0x5FFFE, 2), Is.EqualTo(new byte[] { 5, 4 }), "0000 - 1 = FFFF in the same 64K page");
        Assert.That(ReadMemory(0x4FFFF, 1), Is.EqualTo(new byte[] { 0 }));
    }

    [Test]
    public void An_8_bit_channel_wraps_at_64K_without_changing_the_page()
    {
        Program8(3, 0x44, 0xFFFE, 0x05, 3);
        Assert.That(dma.Transfer(3, Bytes(4), true), Is.EqualTo(4));
        Assert.That(ReadMemory(0x5FFFE, 2), Is.EqualTo(new byte[] { 1, 2 }));
        Assert.That(ReadMemory(0x50000, 2), Is.EqualTo(new byte[] { 3, 4 }));
        Assert.That(ReadMemory(0x60000, 2), Is.EqualTo(new byte[] { 0, 0 }));
    }

    [Test]
    public void A_16_bit_channel_counts_words_ignores_page_bit_0_and_wraps_at_128K()
    {
        // Channel 5: DMA2 register n at 0xC0 + 2n; address 0xC4, count 0xC6, page 0x8B.
        Out(0xD4, 0x05);                      // mask channel 5
        Out(0xD6, 0x45);                      // single, write, channel 5
        Out(0xD8, 0);
        Out(0xC4, 0xFF); Out(0xC4, 0xFF);     // word address FFFF
        Out(0x8B, 0x03);                      // page 3: bit 0 ignored, block 0x20000
        Out(0xC6, 0x01); Out(0xC6, 0x00);     // 2 words
        Out(0xD4, 0x01);

        Assert.That(dma.Transfer(5, Bytes(5), true, out bool tc), Is.EqualTo(4), "whole words only");
        Assert.That(tc, Is.True);
        Assert.That(ReadMemory(0x3FFFE, 2), Is.EqualTo(new byte[] { 1, 2 }), "word FFFF is byte 1FFFE of the block");
        Assert.That(ReadMemory(0x20000, 2), Is.EqualTo(new byte[] { 3, 4 }), "word FFFF + 1 wraps to 0 in the 128K block");
        Assert.That(In(0xD0), Is.EqualTo(0x02), "DMA2 status: TC on its channel 1 (channel 5)");
    }

    [Test]
    public void A_read_transfer_copies_memory_to_the_device()
    {
        memory.Write(0x7000, Bytes(8, 0x40));
        Program8(2, 0x48, 0x7000, 0x00, 7);   // read (memory to device)
        var buffer = new byte[8];
        Assert.That(dma.Transfer(2, buffer, toMemory: false), Is.EqualTo(8));
        Assert.That(buffer, Is.EqualTo(Bytes(8, 0x40)));
    }

    [TestCase(0x40, true)]    // verify
    [TestCase(0x48, true)]    // read programmed, device writes: wrong direction
    [TestCase(0x4C, true)]    // illegal type 11
    public void Verify_or_a_mismatched_direction_advances_without_touching_memory(int mode, bool toMemory)
    {
        Program8(2, mode, 0x3000, 0x00, 3);
        Assert.That(dma.Transfer(2, Bytes(4), toMemory, out bool tc), Is.EqualTo(4));
        Assert.That(tc, Is.True);
        Assert.That(ReadMemory(0x3000, 4), Is.EqualTo(new byte[4]));
    }

    [Test]
    public void The_flip_flop_orders_bytes_and_is_cleared_by_register_C()
    {
        Out(0x0C, 0);
        Out(0x00, 0x34);
        Out(0x0C, 0);                         // clear: the next write is the low byte again
        Out(0x00, 0x78);
        Out(0x00, 0x56);
        Assert.That(In(0x00), Is.EqualTo(0x78));
        Assert.That(In(0x00), Is.EqualTo(0x56));
    }

    [Test]
    public void Mask_registers_single_all_and_clear_and_master_clear()
    {
        Assert.That(In(0x0F), Is.EqualTo(0xFF), "all masked after reset");
        Out(0x0E, 0);
        Assert.That(In(0x0F), Is.EqualTo(0xF0), "clear mask register");
        Out(0x0A, 0x05);
        Assert.That(In(0x0F), Is.EqualTo(0xF2), "single mask set channel 1");
        Out(0x0F, 0x09);
        Assert.That(In(0x0F), Is.EqualTo(0xF9), "write all mask bits");
        Out(0x0D, 0);
        Assert.That(In(0x0F), Is.EqualTo(0xFF), "master clear masks all");
        Assert.That(In(0xDE), Is.EqualTo(0xFF), "DMA2 untouched (all masked from reset)");
    }

    [Test]
    public void Unmasking_a_channel_tells_waiting_devices()
    {
        var unmasked = new List<int>();
        dma.ChannelUnmasked += unmasked.Add;
        Out(0x0A, 0x02);
        Out(0xDE, 0x0B);                      // DMA2: unmask channel 6 (bit 2) only
        Assert.That(unmasked, Is.EqualTo(new[] { 2, 6 }));
    }

    [Test]
    public void Status_shows_hardware_and_software_requests()
    {
        dma.SetRequest(2, true);
        Assert.That(In(0x08), Is.EqualTo(0x40));
        Out(0x09, 0x05);                      // request register: set channel 1
        Assert.That(In(0x08), Is.EqualTo(0x60));
        dma.SetRequest(2, false);
        Out(0x09, 0x01);
        Assert.That(In(0x08), Is.Zero);
        dma.SetRequest(7, true);
        Assert.That(In(0xD0), Is.EqualTo(0x80));
    }

    [Test]
    public void A_disabled_controller_transfers_nothing()
    {
        Program8(2, 0x44, 0x1000, 0x00, 3);
        Out(0x08, 0x04);                      // command: controller disable
        Assert.That(dma.Transfer(2, Bytes(4), true), Is.Zero);
        Out(0x08, 0x00);
        Assert.That(dma.Transfer(2, Bytes(4), true), Is.EqualTo(4));
    }

    [Test]
    public void Page_registers_are_read_write_and_port_0x80_is_left_to_the_post_port()
    {
        var io = new IoBus();
        dma.Register(io);
        for (int p = 0x81; p <= 0x8F; p++) io.Out((ushort)p, 1, (uint)(p ^ 0x5A));
        for (int p = 0x81; p <= 0x8F; p++) Assert.That(io.In((ushort)p, 1), Is.EqualTo((uint)(p ^ 0x5A)));
        Assert.That(io.DeviceAt(0x80), Is.Null);
        Assert.That(io.DeviceAt(0x0F), Is.SameAs(dma));
        Assert.That(io.DeviceAt(0xDF), Is.SameAs(dma));
        Assert.That(io.DeviceAt(0x10), Is.Null);
    }

    [Test]
    public void Save_and_load_round_trip_and_continue_identically()
    {
        Program8(2, 0x54, 0x1000, 0x03, 0x20);
        Out(0x0B, 0x47 & ~3 | 1);             // channel 1 mode
        Out(0x8B, 0x07);
        Out(0x0C, 0);
        Out(0x00, 0x12);                      // flip-flop left high
        dma.SetRequest(6, true);
        dma.Transfer(2, Bytes(7), true);

        byte[] saved = Save(dma);
        var memory2 = new PhysicalMemory(4 << 20);
        var copy = new Dma8237(memory2);
        using (var r = new BinaryReader(new MemoryStream(saved))) copy.LoadState(r, copy.SnapshotVersion);
        Assert.That(Save(copy), Is.EqualTo(saved));

        Assert.That(copy.Transfer(2, Bytes(40), true), Is.EqualTo(dma.Transfer(2, Bytes(40), true)));
        var a = new byte[64];
        var b = new byte[64];
        memory.Read(0x31000, a);
        memory2.Read(0x31000, b);
        Assert.That(b[7..], Is.EqualTo(a[7..]));
        Assert.That(copy.In(0x00, 1), Is.EqualTo(dma.In(0x00, 1)));
        Assert.That(copy.In(0x08, 1), Is.EqualTo(dma.In(0x08, 1)));
    }

}

/// <summary>A real-mode guest programs the DMA; a device's transfer replaces code the guest then runs.</summary>
public class DmaGuestTests
{
    /// <summary>Stands in for an ISA device: a write to its port makes it transfer its data on channel 2.</summary>
    sealed class KickDevice(Dma8237 dma, byte[] data) : IIoDevice
    {
        public uint In(ushort port, int size) => 0xFF;

        public void Out(ushort port, int size, uint value) => dma.Transfer(2, data, toMemory: true);
    }

    [Test]
    public void A_dma_write_into_code_replaces_the_decoded_code()
    {
        var m = new TestMachine();
        var dma = new Dma8237(m.Machine.Memory);
        dma.Register(m.Machine.Io);
        m.Machine.Io.Register(0xE0, 1, new KickDevice(dma, [0xB0, 0x02, 0xC3]));   // mov al, 2; ret
        m.WriteBytes(0x3000, 0xB0, 0x01, 0xC3);                                     // mov al, 1; ret
        m.Load(16, 0x1000, a =>
        {
            a.mov(ax, 0x3000);
            a.call(ax);
            a.mov(bl, al);
            a.mov(al, 0x06); a.@out(0x0A, al);        // mask channel 2
            a.mov(al, 0x46); a.@out(0x0B, al);        // single, write, channel 2
            a.@out(0x0C, al);                          // clear the flip-flop
            a.mov(al, 0x00); a.@out(0x04, al);
            a.mov(al, 0x30); a.@out(0x04, al);         // address 0x3000
            a.mov(al, 0x00); a.@out(0x81, al);         // page 0
            a.mov(al, 0x02); a.@out(0x05, al);
            a.mov(al, 0x00); a.@out(0x05, al);         // 3 bytes
            a.mov(al, 0x02); a.@out(0x0A, al);         // unmask channel 2
            a.@out(0xE0, al);                          // the device transfers
            a.mov(ax, 0x3000);
            a.call(ax);
            a.mov(bh, al);
            a.@in(al, 0x08);
            a.mov(cl, al);
            a.cli();
            a.hlt();
        });
        m.StartReal(0, 0x1000);

        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Emulator.Core.Cpu.Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x0201), "the second call ran the new code");
        Assert.That(m.Reg(Emulator.Core.Cpu.Gpr.Rcx) & 0xFF, Is.EqualTo(0x04), "status: TC on channel 2");
    }
}
