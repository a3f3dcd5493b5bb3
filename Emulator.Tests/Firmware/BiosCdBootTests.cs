using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Emulator.Core.Machine;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Serial;
using Emulator.Tests.Guests;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// El Torito no-emulation boot with the project's BIOS from an ATAPI CD-ROM on the secondary
/// master: an ISO that Debian's xorriso builds around a boot image assembled here, which calls
/// INT 13h on its drive and reports over port E9h; and ISOLINUX from the Linux test CD.
/// </summary>
public class BiosCdBootTests
{
    [Test]
    public void A_no_emulation_boot_image_loads_and_int_13h_serves_the_cd()
    {
        var bootImage = new Assembler(16);
        var r = new GuestReport(bootImage);
        BootImage(bootImage, r);
        byte[] iso = MakeIso(Assemble(bootImage));
        // The boot image's RBA, from the Boot Record Volume Descriptor (El Torito 1.0 2.0: the
        // catalog's sector at 47h) and the default entry (2.3: the load RBA at 08h of entry 20h).
        uint catalog = BinaryPrimitives.ReadUInt32LittleEndian(iso.AsSpan(17 * 2048 + 0x47));
        uint rba = BinaryPrimitives.ReadUInt32LittleEndian(iso.AsSpan((int)catalog * 2048 + 0x28));

        var rig = new BiosRig(bootOrder: "d", ide: [null, null, new IdeDrive(DriveMedia.CdRom, new MemoryImage(iso))]);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("cd ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), rig.Console);
        // DL = E0h and CS = 07C0h at entry. 4B01h: packet size 13h, media 0 (no emulation),
        // drive E0h, controller 1 (secondary), the image's RBA, device specification 0 (master),
        // load segment 07C0h, 4 virtual sectors. 41h: EDD 3.0, AA55h, CX = 1. 48h: flags 74h,
        // 2048 bytes per sector. 42h: sectors 16 and 17, the Primary Volume Descriptor (type 1,
        // "CD001") and the Boot Record (type 0, "CD001") (ECMA-119 8.1); the count stays 2.
        // 03h: write protected (03h). 08h: invalid (01h). 4B01h on a hard disk number: no drive.
        string expected = "cd 000000E0 000007C0 NC 01E00013 00000000 " + rba.ToString("X8") + " 07C00000 00000004 "
            + "NC 0000AA55 00000030 00000001 "
            + "NC 00000074 00000800 "
            + "NC 30444301 30444300 00000002 "
            + "C 00000003 C 00000001 C \n";
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console[at..], Is.EqualTo(expected));
            Assert.That(rig.Console, Does.Contain("Booting from CD-ROM...\r\n"));
        });
    }

    /// <summary>The boot image's program (entered at 07C0:0000; data at 0:0600 and 0:9000).</summary>
    static void BootImage(Assembler a, GuestReport r)
    {
        a.mov(bx, cs);
        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(es, ax);
        r.Text("cd ");
        a.movzx(eax, dl);
        r.Hex(eax);
        a.movzx(eax, bx);
        r.Hex(eax);
        a.mov(bp, dx);                          // the boot drive, for every call
        // 4B01h: the specification packet to 0:0600
        a.mov(di, 0x600);
        a.mov(cx, 0x20 / 2);
        a.mov(ax, 0xCCCC);
        a.rep.stosw();
        a.mov(ax, 0x4B01);
        a.mov(si, 0x600);
        a.mov(dx, bp);
        a.@int(0x13);
        r.Carry();
        a.mov(eax, __dword_ptr[0x600]);         // size, media, drive, controller
        r.Hex(eax);
        a.mov(eax, __dword_ptr[0x608]);         // device specification, buffer segment
        r.Hex(eax);
        a.mov(eax, __dword_ptr[0x604]);         // LBA
        r.Hex(eax);
        a.mov(eax, __dword_ptr[0x60A]);         // buffer segment, load segment
        r.Hex(eax);
        a.movzx(eax, __word_ptr[0x60E]);        // sector count
        r.Hex(eax);
        // 41h
        a.mov(ah, 0x41);
        a.mov(bx, 0x55AA);
        a.mov(dx, bp);
        a.@int(0x13);
        r.Carry();
        a.movzx(ecx, cx);
        a.movzx(eax, ah);
        a.movzx(ebx, bx);
        r.Hex(ebx);
        r.Hex(eax);
        r.Hex(ecx);
        // 48h
        a.mov(__word_ptr[0x600], 0x1A);
        a.mov(si, 0x600);
        a.mov(ah, 0x48);
        a.mov(dx, bp);
        a.@int(0x13);
        r.Carry();
        a.movzx(eax, __word_ptr[0x602]);
        r.Hex(eax);
        a.movzx(eax, __word_ptr[0x618]);
        r.Hex(eax);
        // 42h: sectors 16-17 to 0:9000
        a.mov(__word_ptr[0x600], 0x10);
        a.mov(__word_ptr[0x602], 2);
        a.mov(__word_ptr[0x604], 0x9000);
        a.mov(__word_ptr[0x606], 0);
        a.mov(__dword_ptr[0x608], 16);
        a.mov(__dword_ptr[0x60C], 0);
        a.mov(si, 0x600);
        a.mov(ah, 0x42);
        a.mov(dx, bp);
        a.@int(0x13);
        r.Carry();
        a.mov(eax, __dword_ptr[0x9000]);
        r.Hex(eax);
        a.mov(eax, __dword_ptr[0x9800]);
        r.Hex(eax);
        a.movzx(eax, __word_ptr[0x602]);
        r.Hex(eax);
        // 03h: write one sector
        a.mov(ax, 0x0301);
        a.mov(cx, 0x0001);
        a.mov(dx, bp);
        a.mov(bx, 0x9000);
        a.@int(0x13);
        r.Carry();
        a.movzx(eax, ah);
        r.Hex(eax);
        // 08h
        a.mov(ah, 0x08);
        a.mov(dx, bp);
        a.@int(0x13);
        r.Carry();
        a.movzx(eax, ah);
        r.Hex(eax);
        // 4B01h on drive 80h (there is no hard disk)
        a.mov(ax, 0x4B01);
        a.mov(si, 0x600);
        a.mov(dl, 0x80);
        a.@int(0x13);
        r.Carry();
        r.End();
    }

    [Test]
    public void Isolinux_from_the_linux_test_cd_loads_ldlinux_and_reads_its_config()
    {
        using var iso = RawImage.Open(TestGuests.File("linux.iso"), readOnly: true);
        var com1 = new TestSerialBackend();
        var rig = new BiosRig(memory: 256UL << 20, bootOrder: "d", ide: [null, null, new IdeDrive(DriveMedia.CdRom, iso)], serials: [com1]);
        // isolinux.bin, loaded by the El Torito boot, prints its banner through INT 10h (the
        // BIOS copies teletype output to port E9h), then reads ldlinux.c32 (LBA 972, past 255)
        // from the ISO 9660 file system with INT 13h 42h and runs it in 32-bit protected mode.
        // ldlinux.c32 reads isolinux.cfg, whose first line (SERIAL 0 115200) brings the banner
        // and the "boot:" prompt to COM1.
        for (int i = 0; i < 400 && !com1.OutputText.Contains("boot: "); i++)
            Assert.That(rig.Run(500_000), Is.EqualTo(StopReason.BudgetExhausted), rig.Console);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console, Does.Contain("Booting from CD-ROM...\r\n\r\nISOLINUX 6.04"));
            Assert.That(rig.Console, Does.Not.Contain("Failed to load ldlinux.c32"));
            Assert.That(com1.OutputText, Does.Contain("ISOLINUX 6.04"), "isolinux.cfg's SERIAL line took effect");
            Assert.That(com1.OutputText, Does.Contain("boot: "), "ldlinux.c32 prompts as isolinux.cfg's PROMPT 1 asks");
        });
    }

    [Test]
    public void Int_13h_42h_entered_by_far_call_reads_a_cd_sector_above_255_and_keeps_fs_gs_and_if()
    {
        // ISOLINUX's core (SYSLINUX 6) calls the BIOS with "pushf; call far [vector]", IF clear
        // and its own FS and GS live, and reads ldlinux.c32 from LBA 972 on the Linux test CD.
        // Regression: the CD's 42h once cleared AH after loading the LBA into EAX, so bits 15-8
        // of the LBA were lost (972 read as 204) and ISOLINUX reported "Failed to load ldlinux.c32".
        const uint Lba = 0x12C;
        var data = new byte[400 * 2048];
        new Random(12345).NextBytes(data);
        var bootImage = new Assembler(16);
        var r = new GuestReport(bootImage);
        ReadByFarCall(bootImage, r, Lba);
        byte[] iso = MakeIso(Assemble(bootImage), ("data.bin", data));
        Assert.That(iso.Length, Is.GreaterThan((Lba + 1) * 2048), "the ISO reaches past the sector read");
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(iso.AsSpan((int)Lba * 2048));
        uint truncated = BinaryPrimitives.ReadUInt32LittleEndian(iso.AsSpan((int)(Lba & 0xFF) * 2048));
        Assert.That(expected, Is.Not.EqualTo(truncated), "the sector and the one a truncated LBA would give differ");

        var rig = new BiosRig(bootOrder: "d", ide: [null, null, new IdeDrive(DriveMedia.CdRom, new MemoryImage(iso))]);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("rd ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), rig.Console);
        // EDD 3.0 42h: CF clear, the sector's first bytes at the buffer, the packet's count stays
        // 1; the IRET (IBM PC/AT BIOS interface) gives back the caller's IF (clear) and FS, GS.
        Assert.That(rig.Console[at..], Is.EqualTo($"rd NC {expected:X8} 00000001 00000000 00001234 00005678 \n"));
    }

    /// <summary>A boot image that reads CD sector <paramref name="lba"/> to 0:9000 with 42h through the IVT vector, as the SYSLINUX core does.</summary>
    static void ReadByFarCall(Assembler a, GuestReport r, uint lba)
    {
        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(bp, dx);
        r.Text("rd ");
        a.mov(__word_ptr[0x600], 0x10);
        a.mov(__word_ptr[0x602], 1);
        a.mov(__word_ptr[0x604], 0x9000);
        a.mov(__word_ptr[0x606], 0);
        a.mov(__dword_ptr[0x608], lba);
        a.mov(__dword_ptr[0x60C], 0);
        a.mov(ax, 0x1234);
        a.mov(fs, ax);
        a.mov(ax, 0x5678);
        a.mov(gs, ax);
        a.mov(si, 0x600);
        a.mov(ah, 0x42);
        a.mov(dx, bp);
        a.push(0);
        a.popf();                               // IF, CF and the rest clear, as the core's register set has them
        a.pushf();
        a.call(__dword_ptr[0x13 * 4]);
        r.Carry();
        a.pushf();
        a.pop(cx);
        a.mov(eax, __dword_ptr[0x9000]);
        r.Hex(eax);
        a.movzx(eax, __word_ptr[0x602]);
        r.Hex(eax);
        a.and(cx, 0x0200);
        a.movzx(eax, cx);
        r.Hex(eax);
        a.mov(ax, fs);
        a.movzx(eax, ax);
        r.Hex(eax);
        a.mov(ax, gs);
        a.movzx(eax, ax);
        r.Hex(eax);
        r.End();
    }

    /// <summary>
    /// An ISO 9660 image with <paramref name="bootImage"/> (padded to 2 KiB) as the no-emulation
    /// boot image, 4 virtual sectors, and <paramref name="files"/> in its root.
    /// </summary>
    static byte[] MakeIso(byte[] bootImage, params (string Name, byte[] Data)[] files)
    {
        string dir = Directory.CreateTempSubdirectory("emu-eltorito-").FullName;
        try
        {
            string root = Path.Combine(dir, "root");
            Directory.CreateDirectory(root);
            var image = new byte[2048];
            bootImage.CopyTo(image, 0);
            File.WriteAllBytes(Path.Combine(root, "boot.bin"), image);
            foreach (var (name, data) in files)
                File.WriteAllBytes(Path.Combine(root, name), data);
            string iso = Path.Combine(dir, "boot.iso");
            var psi = new ProcessStartInfo("xorriso") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "-as", "mkisofs", "-quiet", "-o", iso, "-b", "boot.bin", "-no-emul-boot", "-boot-load-size", "4", root })
                psi.ArgumentList.Add(arg);
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.Zero, "xorriso (Debian package xorriso, installed by .ci/run): " + err);
            return File.ReadAllBytes(iso);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static byte[] Assemble(Assembler a)
    {
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0);
        return stream.ToArray();
    }

}
