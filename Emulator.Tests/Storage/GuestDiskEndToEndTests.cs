using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Storage;

/// <summary>
/// The whole path: <c>emu -hda disk.qcow2</c> with a guest that writes a sector by ATA PIO
/// (WRITE SECTORS, then FLUSH CACHE) and exits; the image must then be clean for
/// <c>qemu-img check</c> and hold the sector; with <c>-snapshot</c> the file must not change.
/// </summary>
public class GuestDiskEndToEndTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    /// <summary>Writes 256 words 0xA55A to LBA 1 of the primary master, flushes, exits with 0x21 through port 0xF4.</summary>
    static byte[] WriteSectorBios() => TinyBios.Build(a =>
    {
        void WaitNotBusy()
        {
            var wait = a.CreateLabel();
            a.mov(dx, 0x1F7);
            a.Label(ref wait);
            a.@in(al, dx);
            a.test(al, 0x80);
            a.jnz(wait);
        }
        void Out(ushort port, byte value)
        {
            a.mov(dx, port);
            a.mov(al, value);
            a.@out(dx, al);
        }
        WaitNotBusy();
        Out(0x1F6, 0xE0); // LBA mode, master (ATA/ATAPI-6 Device register)
        WaitNotBusy();
        Out(0x1F2, 1);    // sector count
        Out(0x1F3, 1);    // LBA 7:0
        Out(0x1F4, 0);
        Out(0x1F5, 0);
        Out(0x1F7, 0x30); // WRITE SECTORS
        var drq = a.CreateLabel();
        a.mov(dx, 0x1F7);
        a.Label(ref drq);
        a.@in(al, dx);
        a.test(al, 0x08);
        a.jz(drq);
        a.mov(dx, 0x1F0);
        a.mov(ax, 0xA55A);
        a.mov(cx, 256);
        var data = a.CreateLabel();
        a.Label(ref data);
        a.@out(dx, ax);
        a.loop(data);
        WaitNotBusy();
        Out(0x1F7, 0xE7); // FLUSH CACHE
        WaitNotBusy();
        a.mov(al, 0x21);
        a.@out(0xF4, al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.jmp(spin);
    });

    EmuRun RunGuest(string disk, params string[] extra) =>
        EmuRun.Of(["-bios", dir.Write("bios.bin", WriteSectorBios()), "-hda", disk, "-device", "isa-debug-exit,iobase=0xf4,iosize=4", .. extra]);

    [Test]
    public void A_guest_pio_write_reaches_a_qcow2_image_that_qemu_img_finds_clean()
    {
        string disk = dir.File("disk.qcow2");
        Qcow2Creator.Create(disk, 1 << 20);
        var run = RunGuest(disk);
        Assert.That(run.ExitCode, Is.EqualTo((0x21 << 1) | 1), run.Stderr);
        QemuTools.AssertCheckClean(disk);
        string raw = dir.File("disk.raw");
        QemuTools.Ok("qemu-img", "convert", "-O", "raw", disk, raw);
        byte[] contents = File.ReadAllBytes(raw);
        Assert.That(contents[..512], Is.All.EqualTo(0));
        for (int i = 512; i < 1024; i += 2) Assert.That((contents[i], contents[i + 1]), Is.EqualTo(((byte)0x5A, (byte)0xA5)), $"byte {i}");
        Assert.That(contents[1024..], Is.All.EqualTo(0));
    }

    [Test]
    public void With_snapshot_the_guest_write_leaves_the_image_file_unchanged()
    {
        string disk = dir.File("disk.qcow2");
        Qcow2Creator.Create(disk, 1 << 20);
        byte[] before = File.ReadAllBytes(disk);
        var run = RunGuest(disk, "-snapshot");
        Assert.That(run.ExitCode, Is.EqualTo((0x21 << 1) | 1), run.Stderr);
        Assert.That(File.ReadAllBytes(disk), Is.EqualTo(before));
    }
}
