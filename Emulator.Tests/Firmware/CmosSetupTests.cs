using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Emulator.Tests.Devices.Board;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The CMOS bytes the board fills for the firmware (IBM AT CMOS map with the Bochs/QEMU
/// extensions); expected values worked out by hand from the sizes.
/// </summary>
public class CmosSetupTests
{
    /// <summary>A disk that has a size and nothing else (the CMOS depends only on the size).</summary>
    sealed class SizeOnly(long length) : IBlockImage
    {
        public long Length => length;
        public bool ReadOnly => true;
        public void Read(long offset, Span<byte> buffer) => throw new IOException("not readable");
        public void Write(long offset, ReadOnlySpan<byte> data) => throw new IOException("not writable");
        public void Flush() { }
        public void Dispose() { }
    }

    static PcBoard Board(ulong ram, string boot = "cad", IBlockImage?[]? floppies = null, IdeDrive?[]? ide = null) =>
        new(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = ram },
            Bios = BoardTestMachine.HaltBios(),
            BootOrder = boot,
            Floppies = floppies ?? [],
            IdeDrives = ide ?? [],
            RtcBase = new DateTime(2026, 11, 26, 3, 0, 0),
        });

    [Test]
    public void Memory_sizes_for_128_MiB()
    {
        var rtc = Board(128UL << 20).Rtc;
        Assert.Multiple(() =>
        {
            // 640 KiB = 0x0280; 127 MiB of extended memory is capped at 0xFFFF KiB; (128 - 16) MiB / 64 KiB = 1792 = 0x0700.
            Assert.That((rtc.GetCmos(0x15), rtc.GetCmos(0x16)), Is.EqualTo((0x80, 0x02)));
            Assert.That((rtc.GetCmos(0x17), rtc.GetCmos(0x18)), Is.EqualTo((0xFF, 0xFF)));
            Assert.That((rtc.GetCmos(0x30), rtc.GetCmos(0x31)), Is.EqualTo((0xFF, 0xFF)));
            Assert.That((rtc.GetCmos(0x34), rtc.GetCmos(0x35)), Is.EqualTo((0x00, 0x07)));
            Assert.That((rtc.GetCmos(0x5B), rtc.GetCmos(0x5C), rtc.GetCmos(0x5D)), Is.EqualTo((0, 0, 0)));
        });
    }

    [Test]
    public void Memory_sizes_for_8_MiB()
    {
        var rtc = Board(8UL << 20).Rtc;
        Assert.Multiple(() =>
        {
            // 7 MiB = 7168 KiB = 0x1C00; nothing above 16 MiB.
            Assert.That((rtc.GetCmos(0x17), rtc.GetCmos(0x18)), Is.EqualTo((0x00, 0x1C)));
            Assert.That((rtc.GetCmos(0x30), rtc.GetCmos(0x31)), Is.EqualTo((0x00, 0x1C)));
            Assert.That((rtc.GetCmos(0x34), rtc.GetCmos(0x35)), Is.EqualTo((0, 0)));
        });
    }

    [TestCase("cad", 0x12, 0x30)]
    [TestCase("dc", 0x23, 0x00)]
    [TestCase("n", 0x04, 0x00)]
    [TestCase("acd", 0x21, 0x30)]
    public void Boot_order_in_the_bochs_encoding(string order, int reg3D, int reg38)
    {
        var rtc = Board(16UL << 20, order).Rtc;
        Assert.That((rtc.GetCmos(0x3D), rtc.GetCmos(0x38)), Is.EqualTo((reg3D, reg38)));
    }

    [TestCase("cadn")]
    [TestCase("x")]
    public void A_boot_order_a_pc_cannot_have_is_refused(string order) =>
        Assert.Throws<ArgumentException>(() => Board(16UL << 20, order));

    [Test]
    public void Equipment_and_floppy_types()
    {
        var none = Board(16UL << 20).Rtc;
        var one = Board(16UL << 20, floppies: [new InMemoryImage(1_474_560)]).Rtc;
        var two = Board(16UL << 20, floppies: [new InMemoryImage(1_474_560), new InMemoryImage(737_280)]).Rtc;
        Assert.Multiple(() =>
        {
            // FPU (bit 1) and PS/2 mouse (bit 2) always; bit 0 with a floppy, bits 7-6 = count - 1.
            Assert.That(none.GetCmos(0x14), Is.EqualTo(0x06));
            Assert.That(none.GetCmos(0x10), Is.EqualTo(0x00));
            Assert.That(one.GetCmos(0x14), Is.EqualTo(0x07));
            Assert.That(one.GetCmos(0x10), Is.EqualTo(0x40));
            Assert.That(two.GetCmos(0x14), Is.EqualTo(0x47));
            Assert.That(two.GetCmos(0x10), Is.EqualTo(0x43));
        });
    }

    [Test]
    public void A_primary_master_disk_is_type_47_with_its_geometry()
    {
        // 100 MiB = 204800 sectors: 204800 / (16 * 63) = 203 cylinders (0xCB).
        var rtc = Board(16UL << 20, ide: [new IdeDrive(DriveMedia.Disk, new SizeOnly(100L << 20)), null,
            new IdeDrive(DriveMedia.CdRom, null)]).Rtc;
        var parameters = Enumerable.Range(0x1B, 9).Select(a => (int)rtc.GetCmos(a)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(rtc.GetCmos(0x12), Is.EqualTo(0xF0));
            Assert.That(rtc.GetCmos(0x19), Is.EqualTo(47));
            Assert.That(rtc.GetCmos(0x1A), Is.EqualTo(0));
            Assert.That(parameters, Is.EqualTo(new[] { 0xCB, 0x00, 16, 0xFF, 0xFF, 0xC8, 0xCB, 0x00, 63 }));
            Assert.That(rtc.GetCmos(0x39), Is.EqualTo(0));
        });
    }

    [Test]
    public void A_disk_over_1024_cylinders_is_lba_translated()
    {
        // 1 GiB = 2097152 sectors = 2080 cylinders of 16 x 63: LBA translation (01) for position 1.
        var rtc = Board(16UL << 20, ide: [null, new IdeDrive(DriveMedia.Disk, new SizeOnly(1L << 30))]).Rtc;
        Assert.Multiple(() =>
        {
            Assert.That(rtc.GetCmos(0x12), Is.EqualTo(0x0F));
            Assert.That(rtc.GetCmos(0x1A), Is.EqualTo(47));
            Assert.That((rtc.GetCmos(0x24), rtc.GetCmos(0x25)), Is.EqualTo((0x20, 0x08)));
            Assert.That(rtc.GetCmos(0x39), Is.EqualTo(0x04));
        });
    }

    [Test]
    public void Century_and_checksum()
    {
        var rtc = Board(32UL << 20, floppies: [new InMemoryImage(1_474_560)]).Rtc;
        int sum = 0;
        for (int a = 0x10; a <= 0x2D; a++) sum += rtc.GetCmos(a);
        Assert.Multiple(() =>
        {
            Assert.That(rtc.GetCmos(0x32), Is.EqualTo(0x20));
            Assert.That(rtc.GetCmos(0x2E) << 8 | rtc.GetCmos(0x2F), Is.EqualTo(sum));
            Assert.That(sum, Is.GreaterThan(0));
        });
    }
}
