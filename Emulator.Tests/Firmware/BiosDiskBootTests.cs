using Emulator.Core.Machine;
using Emulator.Devices.Storage;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Booting an ATA disk on the primary IDE channel: the BIOS loads the boot sector (assembled
/// here) to 0:7C00 and jumps to it with DL = 80h; the boot sector calls INT 13h and reports
/// over port E9h.
/// </summary>
public class BiosDiskBootTests
{
    [Test]
    public void A_hard_disk_boots_and_int_13h_reads_and_writes_it()
    {
        var image = new InMemoryImage(1 << 20);     // 2048 sectors: 2 cylinders of 16 x 63
        BiosRig.BootProgram(a =>
        {
            var r = new GuestReport(a);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(es, ax);
            r.Text("boot ");
            a.movzx(eax, dl);
            r.Hex(eax);
            // 41h: EDD installation check
            a.mov(ah, 0x41);
            a.mov(bx, 0x55AA);
            a.mov(dl, 0x80);
            a.@int(0x13);
            r.Carry();
            a.movzx(ecx, ah);
            a.movzx(eax, bx);
            r.Hex(eax);
            r.Hex(ecx);
            // 08h: parameters
            a.mov(ah, 0x08);
            a.mov(dl, 0x80);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, dx);
            r.Hex(eax);
            // 42h: read sector 10 to 0:9000 through a disk address packet at 0:0600
            a.mov(__word_ptr[0x600], 0x10);
            a.mov(__word_ptr[0x602], 1);
            a.mov(__word_ptr[0x604], 0x9000);
            a.mov(__word_ptr[0x606], 0);
            a.mov(__dword_ptr[0x608], 10);
            a.mov(__dword_ptr[0x60C], 0);
            a.mov(si, 0x600);
            a.mov(ah, 0x42);
            a.mov(dl, 0x80);
            a.@int(0x13);
            r.Carry();
            a.mov(eax, __dword_ptr[0x9000]);
            r.Hex(eax);
            // 02h: read C0 H0 S12 (sector 11) to 0:9000
            a.mov(ax, 0x0201);
            a.mov(cx, 0x000C);
            a.mov(dx, 0x0080);
            a.mov(bx, 0x9000);
            a.@int(0x13);
            r.Carry();
            a.movzx(ecx, ax);
            r.Hex(ecx);
            a.mov(eax, __dword_ptr[0x9000]);
            r.Hex(eax);
            // 03h: write the boot sector to C0 H1 S1 (sector 63)
            a.mov(ax, 0x0301);
            a.mov(cx, 0x0001);
            a.mov(dx, 0x0180);
            a.mov(bx, 0x7C00);
            a.@int(0x13);
            r.Carry();
            // 48h: extended parameters
            a.mov(__word_ptr[0x600], 0x1A);
            a.mov(si, 0x600);
            a.mov(ah, 0x48);
            a.mov(dl, 0x80);
            a.@int(0x13);
            r.Carry();
            a.mov(eax, __dword_ptr[0x610]);
            r.Hex(eax);
            // a drive that does not exist
            a.mov(ah, 0x08);
            a.mov(dl, 0x81);
            a.@int(0x13);
            r.Carry();
            r.End();
        }).CopyTo(image.Bytes, 0);
        image.Bytes.AsSpan(10 * 512, 4).Fill(0x11);
        image.Bytes.AsSpan(11 * 512, 4).Fill(0x22);

        var rig = new BiosRig(ide: [new IdeDrive(DriveMedia.Disk, image)]);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("boot ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), rig.Console);
        // DL = 80h; EDD 3.0 (AH = 30h) with BX = AA55h; 08h: last cylinder 1, 63 sectors
        // (CX = 013Fh), last head 15 and one disk (DX = 0F01h); sector 10 and 11 markers; the
        // 02h call reports one sector (AX = 0001h); 48h: 2048 sectors; drive 81h is absent.
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console[at..], Is.EqualTo(
                "boot 00000080 NC 0000AA55 00000030 NC 0000013F 00000F01 NC 11111111 NC 00000001 22222222 NC NC 00000800 C \n"));
            Assert.That(image.Bytes.AsSpan(63 * 512, 512).ToArray(), Is.EqualTo(image.Bytes.AsSpan(0, 512).ToArray()));
            Assert.That(rig.Console, Does.Contain("Booting from hard disk...\r\n"));
        });
    }
}
