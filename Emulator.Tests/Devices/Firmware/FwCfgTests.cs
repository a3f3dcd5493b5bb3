using System.Buffers.Binary;
using Emulator.Core.Machine;
using Emulator.Core.Memory;
using Emulator.Devices.Firmware;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Firmware;

/// <summary>
/// QEMU's fw_cfg at the register level (docs/specs/fw_cfg.rst): the selector and data ports,
/// the file directory, and the DMA interface, with expected bytes worked from the spec.
/// </summary>
public class FwCfgTests
{
    const ushort Sel = FwCfg.SelectorPort, Data = FwCfg.DataPort, DmaHigh = FwCfg.DmaPort, DmaLow = FwCfg.DmaPort + 4;

    static (FwCfg Dev, PhysicalMemory Mem) Make()
    {
        var mem = new PhysicalMemory(1 << 20);
        return (new FwCfg(mem), mem);
    }

    static byte[] ReadData(FwCfg dev, int count)
    {
        var b = new byte[count];
        for (int i = 0; i < count; i++) b[i] = (byte)dev.In(Data, 1);
        return b;
    }

    static byte[] Read(FwCfg dev, ushort key, int count)
    {
        dev.Out(Sel, 2, key);
        return ReadData(dev, count);
    }

    [Test]
    public void Reset_selects_the_signature_QEMU_then_zeros_past_its_end()
    {
        var (dev, _) = Make();
        Assert.That(ReadData(dev, 6), Is.EqualTo("QEMU\0\0"u8.ToArray()));
        dev.Reset();
        Assert.That(ReadData(dev, 1), Is.EqualTo("Q"u8.ToArray()), "reset rewinds to the signature");
    }

    [Test]
    public void Selecting_rewinds_and_the_selector_port_reads_data_too()
    {
        var (dev, _) = Make();
        ReadData(dev, 3);
        dev.Out(Sel, 2, FwCfg.Signature);
        Assert.That(dev.In(Sel, 1), Is.EqualTo((uint)'Q'), "QEMU's port pair reads data bytes at either port");
        Assert.That(dev.In(Data, 1), Is.EqualTo((uint)'E'));
    }

    [Test]
    public void Id_reports_the_traditional_interface_and_DMA()
    {
        var (dev, _) = Make();
        Assert.That(Read(dev, FwCfg.Id, 4), Is.EqualTo(new byte[] { 0x03, 0, 0, 0 }));
    }

    [TestCase((ushort)0x0003)]   // a numbered key with nothing in it
    [TestCase((ushort)0x0040)]   // FileFirst + 32 slots: past the last selector
    [TestCase((ushort)0x3FFF)]
    [TestCase((ushort)0xFFFF)]
    [TestCase((ushort)0x8001)]   // an empty architecture key
    public void Unknown_keys_read_zeros(ushort key)
    {
        var (dev, _) = Make();
        Assert.That(Read(dev, key, 4), Is.EqualTo(new byte[4]));
    }

    [Test]
    public void Byte_writes_and_wide_reads_move_nothing()
    {
        var (dev, _) = Make();
        dev.Out(Data, 1, 0x55);               // data writes were removed in QEMU 2.4
        dev.Out(Sel, 4, FwCfg.Id);            // only a 16-bit write selects
        Assert.That(dev.In(Data, 2), Is.Zero);
        Assert.That(dev.In(Data, 4), Is.Zero);
        Assert.That(ReadData(dev, 1), Is.EqualTo("Q"u8.ToArray()), "still the signature, at offset 0");
    }

    [Test]
    public void Items_are_little_endian_and_architecture_keys_are_separate()
    {
        var (dev, _) = Make();
        dev.AddUInt64(FwCfg.RamSize, 0x0000_0001_0203_0405);
        dev.AddUInt32(FwCfg.ArchLocal | 2, 1);
        dev.AddUInt16(2, 0xBEEF);   // key 2 without the architecture bit is a different item
        Assert.Multiple(() =>
        {
            Assert.That(Read(dev, FwCfg.RamSize, 8), Is.EqualTo(new byte[] { 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0 }));
            Assert.That(Read(dev, FwCfg.ArchLocal | 2, 4), Is.EqualTo(new byte[] { 1, 0, 0, 0 }));
            Assert.That(Read(dev, 2, 2), Is.EqualTo(new byte[] { 0xEF, 0xBE }));
        });
    }

    [Test]
    public void The_file_directory_lists_files_in_name_order_big_endian()
    {
        var (dev, _) = Make();
        dev.AddFile("etc/b", [1, 2, 3]);
        dev.AddFile("etc/a", [9]);
        var dir = Read(dev, FwCfg.FileDir, 4 + 2 * 64 + 8);
        var expected = new byte[4 + 2 * 64 + 8];
        expected[3] = 2;                                                 // count, big-endian
        byte[] first = [0, 0, 0, 1, 0x00, 0x20, 0, 0, .."etc/a"u8];      // size 1, select 0x0020
        byte[] second = [0, 0, 0, 3, 0x00, 0x21, 0, 0, .."etc/b"u8];     // size 3, select 0x0021
        first.CopyTo(expected, 4);
        second.CopyTo(expected, 4 + 64);
        Assert.That(dir, Is.EqualTo(expected), "names NUL-padded to 56 bytes; unused slots read zeros");
        Assert.That(Read(dev, 0x0021, 4), Is.EqualTo(new byte[] { 1, 2, 3, 0 }));
        Assert.That(dev.FileSelector("etc/a"), Is.EqualTo((ushort)0x20));
    }

    [Test]
    public void Bad_files_and_keys_are_refused_at_configuration()
    {
        var (dev, _) = Make();
        dev.AddFile("x", []);
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => dev.AddFile("x", []), "duplicate");
            Assert.Throws<ArgumentException>(() => dev.AddFile(new string('n', 56), []), "no room for the NUL");
            Assert.Throws<ArgumentException>(() => dev.AddBytes(FwCfg.Signature, []), "already set");
            Assert.Throws<ArgumentException>(() => dev.AddBytes(FwCfg.FileFirst, []), "a file selector");
        });
    }

    // ---- DMA ----

    static void PutAccess(PhysicalMemory mem, ulong at, uint control, uint length, ulong address)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(b, control);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), length);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), address);
        mem.Write(at, b);
    }

    /// <summary>Starts a transfer as SeaBIOS does: one 32-bit OUT of the big-endian low address half to 0x518.</summary>
    static void Kick(FwCfg dev, uint descriptor) => dev.Out(DmaLow, 4, BinaryPrimitives.ReverseEndianness(descriptor));

    static byte[] Bytes(PhysicalMemory mem, ulong at, int n)
    {
        var b = new byte[n];
        mem.Read(at, b);
        return b;
    }

    [Test]
    public void The_DMA_register_reads_QEMU_CFG()
    {
        var (dev, _) = Make();
        Assert.Multiple(() =>
        {
            Assert.That(dev.In(DmaHigh, 1), Is.EqualTo((uint)'Q'));
            Assert.That(dev.In(DmaHigh, 4), Is.EqualTo(0x554D_4551u), "bytes Q E M U from the lowest port");
            Assert.That(dev.In(DmaLow, 4), Is.EqualTo(0x4746_4320u), "bytes ' ' C F G");
            Assert.That(dev.In(DmaHigh + 6, 2), Is.EqualTo(0x4746u));
        });
    }

    [Test]
    public void Dma_select_and_read_copies_the_item_and_clears_the_control_word()
    {
        var (dev, mem) = Make();
        mem.Write(0x2000, [0xAA, 0xAA, 0xAA, 0xAA, 0xAA]);
        PutAccess(mem, 0x1000, (uint)FwCfg.Id << 16 | FwCfg.DmaSelect | FwCfg.DmaRead, 4, 0x2000);
        Kick(dev, 0x1000);
        Assert.Multiple(() =>
        {
            Assert.That(Bytes(mem, 0x2000, 5), Is.EqualTo(new byte[] { 3, 0, 0, 0, 0xAA }));
            Assert.That(Bytes(mem, 0x1000, 4), Is.EqualTo(new byte[4]), "control 0: done, no error");
            Assert.That(dev.CurrentEntry, Is.EqualTo(FwCfg.Id));
        });
    }

    [Test]
    public void Dma_read_past_the_end_writes_zeros()
    {
        var (dev, mem) = Make();
        mem.Write(0x2000, [0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA, 0xAA]);
        PutAccess(mem, 0x1000, FwCfg.DmaSelect | FwCfg.DmaRead, 6, 0x2000);   // key 0: the signature
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x2000, 7), Is.EqualTo(new byte[] { (byte)'Q', (byte)'E', (byte)'M', (byte)'U', 0, 0, 0xAA }));
        Assert.That(Bytes(mem, 0x1000, 4), Is.EqualTo(new byte[4]));
    }

    [Test]
    public void Dma_skip_advances_the_offset_that_port_reads_continue_from()
    {
        var (dev, mem) = Make();
        dev.Out(Sel, 2, FwCfg.Signature);
        PutAccess(mem, 0x1000, FwCfg.DmaSkip, 2, 0);
        Kick(dev, 0x1000);
        Assert.That(ReadData(dev, 2), Is.EqualTo("MU"u8.ToArray()));
        PutAccess(mem, 0x1000, FwCfg.DmaRead, 1, 0x3000);   // no SELECT: continues the current item
        dev.Out(Sel, 2, FwCfg.Signature);
        ReadData(dev, 1);
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x3000, 1), Is.EqualTo("E"u8.ToArray()));
    }

    [Test]
    public void Dma_write_fails_with_the_error_bit_and_changes_nothing()
    {
        var (dev, mem) = Make();
        mem.Write(0x2000, [1, 2, 3, 4]);
        PutAccess(mem, 0x1000, (uint)FwCfg.Id << 16 | FwCfg.DmaSelect | FwCfg.DmaWrite, 4, 0x2000);
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x1000, 4), Is.EqualTo(new byte[] { 0, 0, 0, 1 }), "ERROR, big-endian");
        Assert.That(Read(dev, FwCfg.Id, 4), Is.EqualTo(new byte[] { 3, 0, 0, 0 }));
    }

    [Test]
    public void Dma_without_an_operation_transfers_nothing()
    {
        var (dev, mem) = Make();
        mem.Write(0x2000, [0xAA]);
        PutAccess(mem, 0x1000, (uint)FwCfg.Id << 16 | FwCfg.DmaSelect, 4, 0x2000);
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x2000, 1), Is.EqualTo(new byte[] { 0xAA }));
        Assert.That(Bytes(mem, 0x1000, 4), Is.EqualTo(new byte[4]));
        Assert.That(dev.CurrentEntry, Is.EqualTo(FwCfg.Id), "SELECT still selects");
    }

    [Test]
    public void Dma_outside_ram_ends_with_the_error_bit_even_for_a_huge_length()
    {
        var (dev, mem) = Make();
        PutAccess(mem, 0x1000, FwCfg.DmaSelect | FwCfg.DmaRead, 0xFFFF_FFFF, 0xFFFF_0000);
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x1000, 4), Is.EqualTo(new byte[] { 0, 0, 0, 1 }));
    }

    [Test]
    public void A_transfer_clears_the_address_so_the_next_uses_a_zero_high_half()
    {
        var (dev, mem) = Make();
        // High half 1: the descriptor at 0x1_0000_1000 is beyond memory (reads all ones), so that
        // transfer fails harmlessly; the next low-half write alone must find 0x1000.
        dev.Out(DmaHigh, 4, BinaryPrimitives.ReverseEndianness(1u));
        Kick(dev, 0x1000);
        PutAccess(mem, 0x1000, (uint)FwCfg.Id << 16 | FwCfg.DmaSelect | FwCfg.DmaRead, 1, 0x2000);
        Kick(dev, 0x1000);
        Assert.That(Bytes(mem, 0x2000, 1), Is.EqualTo(new byte[] { 3 }));
    }

    [Test]
    public void Snapshot_round_trip_keeps_the_item_offset_and_dma_address()
    {
        var (dev, _) = Make();
        dev.Out(Sel, 2, FwCfg.Signature);
        ReadData(dev, 2);
        dev.Out(DmaHigh, 4, 0x0100_0000);
        var bytes = Snapshot.Save(dev);
        var (copy, _) = Make();
        Snapshot.Load(copy, bytes);
        Assert.That(Snapshot.Save(copy), Is.EqualTo(bytes));
        Assert.That(ReadData(copy, 1), Is.EqualTo("M"u8.ToArray()));
    }

    // ---- on the board ----

    [Test]
    public void The_board_offers_qemus_pc_items()
    {
        var m = new BoardTestMachine(memory: 16UL << 20);
        var fw = m.Board.FwCfg;
        ushort? e820 = fw.FileSelector("etc/e820");
        ushort? failWait = fw.FileSelector("etc/boot-fail-wait");
        Assert.Multiple(() =>
        {
            Assert.That(Read(fw, FwCfg.RamSize, 8), Is.EqualTo(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0 }), "16 MiB = 0x0100_0000");
            Assert.That(Read(fw, FwCfg.NbCpus, 2), Is.EqualTo(new byte[] { 1, 0 }));
            Assert.That(Read(fw, FwCfg.MaxCpus, 2), Is.EqualTo(new byte[] { 1, 0 }));
            Assert.That(Read(fw, FwCfg.BootMenu, 2), Is.EqualTo(new byte[] { 0, 0 }));
            Assert.That(Read(fw, FwCfg.Numa, 17), Is.EqualTo(new byte[17]), "no nodes: count 0, one node number per APIC ID");
            Assert.That(Read(fw, FwCfg.ArchLocal | 2, 4), Is.EqualTo(new byte[] { 1, 0, 0, 0 }), "IRQ0 override");
            Assert.That(e820, Is.Not.Null);
            Assert.That(Read(fw, e820 ?? 0, 101), Is.EqualTo(new byte[]
            {
                0, 0, 0, 0, 0, 0, 0, 0,        // address 0
                0, 0, 0, 1, 0, 0, 0, 0,        // length 16 MiB
                1, 0, 0, 0,                    // E820_RAM
                0, 0, 0xC0, 0xFE, 0, 0, 0, 0,  // the IOAPIC at FEC00000
                0, 0x10, 0, 0, 0, 0, 0, 0,     // one 4 KiB page
                2, 0, 0, 0,                    // E820_RESERVED
                0, 0, 0xD0, 0xFE, 0, 0, 0, 0,  // the HPET at FED00000 (its 1 KiB in a page)
                0, 0x10, 0, 0, 0, 0, 0, 0,
                2, 0, 0, 0,
                0, 0, 0xE0, 0xFE, 0, 0, 0, 0,  // the local APIC at FEE00000
                0, 0x10, 0, 0, 0, 0, 0, 0,
                2, 0, 0, 0,
                0, 0, 0xFF, 0xFF, 0, 0, 0, 0,  // the test BIOS: one 64 KiB ROM ending at 4 GiB
                0, 0, 1, 0, 0, 0, 0, 0,
                2, 0, 0, 0,
                0,                             // past the last entry
            }));
            Assert.That(Read(fw, failWait ?? 0, 4), Is.EqualTo(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }), "-1: never retry");
            Assert.That(fw.FileSelector("bootorder"), Is.Not.Null);
            Assert.That(fw.FileSelector("etc/boot-menu-wait"), Is.Null, "only with -boot splash-time");
            Assert.That(fw.FileSelector("etc/table-loader"), Is.Not.Null, "the board's ACPI tables (AcpiLoaderTests)");
            Assert.That(fw.FileSelector("etc/acpi/tables"), Is.Not.Null);
            Assert.That(fw.FileSelector("etc/acpi/rsdp"), Is.Not.Null);
        });
    }

    [Test]
    public void Boot_menu_and_splash_time_reach_the_firmware_as_qemu_passes_them()
    {
        // QEMU: FW_CFG_BOOT_MENU = 1 for menu=on; splash-time as the 16-bit file etc/boot-menu-wait.
        var fw = new FwCfg(new Emulator.Core.Memory.PhysicalMemory(1 << 20));
        Emulator.Devices.Board.FwCfgSetup.Fill(fw, 1 << 20, [], bootMenu: true, bootMenuWaitMs: 1500);
        ushort? wait = fw.FileSelector("etc/boot-menu-wait");
        Assert.Multiple(() =>
        {
            Assert.That(Read(fw, FwCfg.BootMenu, 2), Is.EqualTo(new byte[] { 1, 0 }));
            Assert.That(wait, Is.Not.Null);
            Assert.That(Read(fw, wait ?? 0, 2), Is.EqualTo(new byte[] { 0xDC, 0x05 }), "1500 = 05DCh");
        });
    }

    [Test]
    public void A_guest_reads_the_signature_with_rep_insb_and_the_ram_size_by_dma()
    {
        var m = new BoardTestMachine(memory: 32UL << 20);
        // The DMA descriptor at 0x3000: select RAM_SIZE and read 8 bytes to 0x3100.
        PutAccess(m.Machine.Memory, 0x3000, (uint)FwCfg.RamSize << 16 | FwCfg.DmaSelect | FwCfg.DmaRead, 8, 0x3100);
        var reason = m.RunReal(a =>
        {
            a.mov(dx, FwCfg.SelectorPort);
            a.xor(ax, ax);
            a.@out(dx, ax);                       // select the signature
            a.inc(dx);
            a.mov(di, 0x3200);
            a.mov(cx, 4);
            a.cld();
            a.rep.insb();                         // ES:DI <- 4 bytes from 0x511
            a.mov(dx, FwCfg.DmaPort + 4);
            a.mov(eax, BinaryPrimitives.ReverseEndianness(0x3000u));
            a.@out(dx, eax);                      // start the transfer
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(Bytes(m.Machine.Memory, 0x3200, 4), Is.EqualTo("QEMU"u8.ToArray()));
            Assert.That(Bytes(m.Machine.Memory, 0x3100, 8), Is.EqualTo(new byte[] { 0, 0, 0, 2, 0, 0, 0, 0 }), "32 MiB");
            Assert.That(Bytes(m.Machine.Memory, 0x3000, 4), Is.EqualTo(new byte[4]));
        });
    }
}
