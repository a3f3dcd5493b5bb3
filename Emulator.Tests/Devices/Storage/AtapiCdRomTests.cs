using Emulator.Devices.Storage.Ide;
using Emulator.Devices.Storage.Images;
using static Emulator.Tests.Devices.Storage.IdeRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>The ATAPI CD-ROM at register level (ATA/ATAPI-6 PACKET protocol, MMC-5 commands), on the secondary master.</summary>
public class AtapiCdRomTests
{
    const ushort D = 0x170, Feat = 0x171, Cnt = 0x172, Mid = 0x174, High = 0x175, Dev = 0x176, Stat = 0x177, Ctl = 0x376;
    const int IsoSectors = 512;             // 1 MiB

    static IdeRig CdRig(out MemoryImage iso, bool media = true)
    {
        iso = PatternDisk(IsoSectors, 2048, readOnly: true);
        return new IdeRig(null, null, Cd(media ? iso : null));
    }

    static AtapiCdRom Drive(IdeRig rig) => (AtapiCdRom)rig.Board.Ide.Secondary.Device(0)!;

    /// <summary>Sends a packet by PIO and lets it run; returns the status after the command step.</summary>
    static void Packet(IdeRig rig, byte[] cdb, int byteLimit = 0xFFFE, bool dma = false)
    {
        rig.Out8(Dev, 0xA0);
        rig.Out8(Feat, (byte)(dma ? 1 : 0));
        rig.Out8(Mid, (byte)byteLimit);
        rig.Out8(High, (byte)(byteLimit >> 8));
        rig.Command(0xA0, Stat);
        Assert.That(rig.In8(Ctl), Is.EqualTo(0x58), "DRQ for the packet");
        Assert.That(rig.In8(Cnt) & 3, Is.EqualTo(1), "CoD=1, IO=0");
        Assert.That(rig.Irq15, Is.False);
        var packet = new byte[12];
        cdb.CopyTo(packet, 0);
        rig.WriteData(packet, D);
        Assert.That(rig.In8(Ctl) & 0x80, Is.EqualTo(0x80));
        rig.Settle();
        Assert.That(rig.Irq15, Is.True);
    }

    static byte[] DataIn(IdeRig rig, int expected)
    {
        Assert.That(rig.In8(Stat), Is.EqualTo(0x58));
        Assert.That(rig.In8(Cnt) & 3, Is.EqualTo(2), "IO=1, CoD=0");
        int n = rig.In8(Mid) | rig.In8(High) << 8;
        Assert.That(n, Is.EqualTo(expected), "byte count");
        return rig.ReadData(n, D);
    }

    static void ExpectGood(IdeRig rig)
    {
        Assert.That(rig.Irq15, Is.True);
        Assert.That(rig.In8(Stat), Is.EqualTo(0x50));
        Assert.That(rig.In8(Cnt) & 3, Is.EqualTo(3), "IO=1, CoD=1: status");
    }

    static void ExpectSense(IdeRig rig, byte key, byte asc, byte ascq)
    {
        Assert.That(rig.In8(Stat), Is.EqualTo(0x51));
        Assert.That(rig.In8(Feat), Is.EqualTo(key << 4));
        Packet(rig, [0x03, 0, 0, 0, 18]);
        var sense = DataIn(rig, 18);
        Assert.That(new[] { sense[0], sense[2], sense[7], sense[12], sense[13] }, Is.EqualTo(new byte[] { 0x70, key, 10, asc, ascq }));
        ExpectGood(rig);
    }

    [Test]
    public void Identify_device_aborts_with_the_signature_and_identify_packet_device_answers()
    {
        var rig = CdRig(out _);
        rig.Out8(Dev, 0xA0);
        rig.Out8(Mid, 0x55);
        rig.Command(0xEC, Stat);
        Assert.That(rig.In8(Stat), Is.EqualTo(0x51));
        Assert.That(rig.In8(Feat), Is.EqualTo(0x04));
        Assert.That(new[] { rig.In8(Mid), rig.In8(High) }, Is.EqualTo(new byte[] { 0x14, 0xEB }));
        rig.Command(0xA1, Stat);
        Assert.That(rig.In8(Stat), Is.EqualTo(0x58));
        var id = rig.ReadData(512, D);
        Assert.That(Word(id, 0), Is.EqualTo(0x85C0));
        Assert.That(Word(id, 49) & 0x0300, Is.EqualTo(0x0300));
        Assert.That(Word(id, 82) & 0x0010, Is.EqualTo(0x0010), "PACKET feature set");
    }

    [Test]
    public void Inquiry_and_read_capacity_by_pio()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x12, 0, 0, 0, 36]);
        var inq = DataIn(rig, 36);
        ExpectGood(rig);
        Assert.That(inq[0], Is.EqualTo(0x05), "CD/DVD device");
        Assert.That(inq[1], Is.EqualTo(0x80), "removable");
        Assert.That(inq[4], Is.EqualTo(31));
        Packet(rig, [0x12, 0, 0, 0, 8]);
        DataIn(rig, 8);
        ExpectGood(rig);

        Packet(rig, [0x25]);
        var cap = DataIn(rig, 8);
        ExpectGood(rig);
        Assert.That(cap, Is.EqualTo(new byte[] { 0, 0, 0x01, 0xFF, 0, 0, 0x08, 0x00 }), "last LBA 511, 2048-byte blocks");
    }

    [Test]
    public void Read10_by_pio_splits_at_the_byte_count_limit()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x28, 0, 0, 0, 0, 3, 0, 0, 2, 0], byteLimit: 3000);
        var first = DataIn(rig, 3000);
        Assert.That(rig.In8(Ctl), Is.EqualTo(0x80));
        rig.Settle();
        Assert.That(rig.Irq15, Is.True);
        var second = DataIn(rig, 4096 - 3000);
        ExpectGood(rig);
        var all = first.Concat(second).ToArray();
        Assert.That(all[0], Is.EqualTo(Pattern(3, 0)));
        Assert.That(all[2048 + 2000], Is.EqualTo(Pattern(4, 2000)));
        Assert.That(all[2999], Is.EqualTo(Pattern(4, 951)));
    }

    [Test]
    public void Read12_by_dma()
    {
        var rig = CdRig(out _);
        rig.Board.Ide.WriteConfig(0x20, 4, 0xC000);
        rig.Board.Ide.WriteConfig(0x04, 2, 5);
        rig.Prd(0x8000, 0x30000, 4096, eot: true);
        rig.Machine.Io.Out(0xC008 + 4, 4, 0x8000);
        rig.Out8(0xC008, 0x09);
        Packet(rig, [0xA8, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 2], dma: true);
        ExpectGood(rig);
        Assert.That(rig.In8(0xC00A) & 7, Is.EqualTo(4));
        var ram = rig.ReadRam(0x30000, 4096);
        Assert.That(ram[0], Is.EqualTo(Pattern(256, 0)));
        Assert.That(ram[4095], Is.EqualTo(Pattern(257, 2047)));
    }

    [Test]
    public void Read_past_the_end_is_lba_out_of_range_and_unknown_commands_are_invalid_opcode()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x28, 0, 0, 0, 0x01, 0xFF, 0, 0, 2, 0]);
        ExpectSense(rig, 5, 0x21, 0);
        Packet(rig, [0xFF]);
        ExpectSense(rig, 5, 0x20, 0);
        Packet(rig, [0x12, 1, 0x80, 0, 36]);
        ExpectSense(rig, 5, 0x24, 0);
    }

    [Test]
    public void No_medium_then_unit_attention_after_insertion()
    {
        var rig = CdRig(out var iso, media: false);
        Packet(rig, [0x00]);
        ExpectSense(rig, 2, 0x3A, 0);
        Packet(rig, [0x25]);
        ExpectSense(rig, 2, 0x3A, 0);
        Drive(rig).InsertMedia(iso);
        Packet(rig, [0x12, 0, 0, 0, 36]);
        DataIn(rig, 36);
        ExpectGood(rig);
        Packet(rig, [0x00]);
        ExpectSense(rig, 6, 0x28, 0);
        Packet(rig, [0x00]);
        ExpectGood(rig);
    }

    [Test]
    public void Event_status_reports_new_media_once_and_eject_honours_prevent()
    {
        var rig = CdRig(out var iso, media: false);
        Drive(rig).InsertMedia(iso);
        Packet(rig, [0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8]);
        var ev = DataIn(rig, 8);
        ExpectGood(rig);
        Assert.That(ev, Is.EqualTo(new byte[] { 0, 6, 4, 0x10, 2, 2, 0, 0 }), "media class, new media, present");
        Packet(rig, [0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8]);
        ev = DataIn(rig, 8);
        ExpectGood(rig);
        Assert.That(ev[4], Is.Zero, "reported once");
        Packet(rig, [0x4A, 0, 0, 0, 0x10, 0, 0, 0, 8]);
        ExpectSense(rig, 5, 0x24, 0);   // asynchronous notification is not supported

        Packet(rig, [0x00]);
        ExpectSense(rig, 6, 0x28, 0);
        Packet(rig, [0x1E, 0, 0, 0, 1]);
        ExpectGood(rig);
        Packet(rig, [0x1B, 0, 0, 0, 2]);
        ExpectSense(rig, 2, 0x53, 2);
        Assert.That(Drive(rig).HasMedia, Is.True);
        Packet(rig, [0x1E, 0, 0, 0, 0]);
        ExpectGood(rig);
        Packet(rig, [0x1B, 0, 0, 0, 2]);
        ExpectGood(rig);
        Assert.That(Drive(rig).HasMedia, Is.False);
        Packet(rig, [0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8]);
        ev = DataIn(rig, 8);
        Assert.That(ev[4..6], Is.EqualTo(new byte[] { 3, 0 }), "media removal, no media");
    }

    [Test]
    public void Read_toc_in_lba_and_msf_and_session_info()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0]);
        var toc = DataIn(rig, 20);
        ExpectGood(rig);
        Assert.That(toc, Is.EqualTo(new byte[] { 0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0, 0, 0x14, 0xAA, 0, 0, 0, 0x02, 0x00 }));
        Packet(rig, [0x43, 2, 0, 0, 0, 0, 0, 0, 100, 0]);
        toc = DataIn(rig, 20);
        ExpectGood(rig);
        // LBA 0 is 00:02:00; the lead-out at 512 is 512 + 150 = 662 frames = 00:08:62.
        Assert.That(toc[8..12], Is.EqualTo(new byte[] { 0, 0, 2, 0 }));
        Assert.That(toc[16..20], Is.EqualTo(new byte[] { 0, 0, 8, 62 }));
        Packet(rig, [0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0]);
        var session = DataIn(rig, 12);
        ExpectGood(rig);
        Assert.That(session, Is.EqualTo(new byte[] { 0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void Mode_sense_capabilities_page_and_get_configuration_profile()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0]);
        var ms = DataIn(rig, 8 + 22);
        ExpectGood(rig);
        Assert.That(ms[0] << 8 | ms[1], Is.EqualTo(28), "mode data length");
        Assert.That(ms[8], Is.EqualTo(0x2A));
        Assert.That(ms[9], Is.EqualTo(0x14));
        Assert.That(ms[8 + 6] & 0x08, Is.EqualTo(0x08), "eject supported");
        Packet(rig, [0x1A, 0, 0x3F, 0, 255]);
        var all = DataIn(rig, 4 + 8 + 8 + 22);
        ExpectGood(rig);
        Assert.That(new[] { all[4], all[12], all[20] }, Is.EqualTo(new byte[] { 0x01, 0x0D, 0x2A }));
        Packet(rig, [0x5A, 0, 0x05, 0, 0, 0, 0, 0, 64, 0]);
        ExpectSense(rig, 5, 0x24, 0);

        Packet(rig, [0x46, 2, 0, 0, 0, 0, 0, 0, 64, 0]);
        var cfg = DataIn(rig, 16);
        ExpectGood(rig);
        Assert.That(cfg, Is.EqualTo(new byte[] { 0, 0, 0, 12, 0, 0, 0, 0x08, 0, 0, 0x03, 4, 0, 0x08, 1, 0 }),
            "header with current profile CD-ROM, then only the profile list feature");
    }

    [Test]
    public void Device_reset_stops_a_transfer_and_posts_the_signature_without_an_interrupt()
    {
        var rig = CdRig(out _);
        Packet(rig, [0x28, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
        rig.In8(Stat);
        rig.Out8(Stat, 0x08);
        Assert.That(rig.In8(Ctl), Is.Zero);
        Assert.That(rig.Irq15, Is.False);
        Assert.That(new[] { rig.In8(Cnt), rig.In8(0x173), rig.In8(Mid), rig.In8(High) }, Is.EqualTo(new byte[] { 1, 1, 0x14, 0xEB }));
    }

    [Test]
    public void Snapshot_in_the_middle_of_a_packet_transfer_round_trips()
    {
        var rig = CdRig(out _);
        Drive(rig).InsertMedia(PatternDisk(IsoSectors, 2048, readOnly: true));
        Packet(rig, [0x00]);
        rig.In8(Stat);
        Packet(rig, [0x1E, 0, 0, 0, 1]);
        rig.In8(Stat);
        Packet(rig, [0x28, 0, 0, 0, 0, 7, 0, 0, 2, 0], byteLimit: 2048);
        rig.In8(Stat);
        rig.ReadData(1000, D);
        var saved = Emulator.Tests.Devices.Board.Snapshot.Save(rig.Board.Ide);
        var other = CdRig(out _);
        Emulator.Tests.Devices.Board.Snapshot.Load(other.Board.Ide, saved);
        Assert.That(Emulator.Tests.Devices.Board.Snapshot.Save(other.Board.Ide), Is.EqualTo(saved));
        Assert.That(Drive(other).Locked, Is.True);
        var rest = other.ReadData(1048, D);
        Assert.That(rest[0], Is.EqualTo(Pattern(7, 1000)));
        other.Settle();
        var second = DataIn(other, 2048);
        Assert.That(second[5], Is.EqualTo(Pattern(8, 5)));
        ExpectGood(other);
    }
}
