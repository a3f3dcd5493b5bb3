using System.Diagnostics;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Tests.Devices.Serial;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The own BIOS's diskette services (bios/src/floppy.asm) on the board's 82077AA with 1.44M
/// images: a DOS-style sequence of INT 13h calls, the error codes of an empty drive, a
/// write-protected disk, a missing drive and a media change, and a floppy boot. Expected
/// values follow from the image layout (LBA = (C * 2 + H) * 18 + S - 1 for 1.44M) and the
/// INT 13h status codes of the IBM PC/AT Technical Reference. The same floppy boots, and
/// SYSLINUX from Debian's <c>syslinux</c> package (installed with <c>mtools</c>, both from
/// <c>.ci/run</c>), also run under Debian's SeaBIOS.
/// </summary>
public class BiosFloppyTests
{
    const int M144 = 1_474_560;

    /// <summary>A 1.44M image whose sectors begin with the dword <paramref name="tag"/> + LBA.</summary>
    static InMemoryImage TaggedImage(uint tag = 0x5EC00000, bool readOnly = false)
    {
        var bytes = new byte[M144];
        for (int lba = 0; lba < M144 / 512; lba++)
            BitConverter.GetBytes(tag + (uint)lba).CopyTo(bytes, lba * 512);
        return new InMemoryImage(bytes, readOnly);
    }

    /// <summary>INT 13h with the given AX, CX, DX and BX; reports CF and the returned AX.</summary>
    static void Int13(Assembler a, GuestReport r, ushort axValue, ushort cxValue, ushort dxValue, ushort bxValue)
    {
        a.mov(ax, axValue);
        a.mov(cx, cxValue);
        a.mov(dx, dxValue);
        a.mov(bx, bxValue);
        a.@int(0x13);
        r.Carry();
        a.movzx(eax, ax);
        r.Hex(eax);
    }

    /// <summary>INT 13h function <paramref name="function"/> on <paramref name="drive"/>; reports CF and AH.</summary>

    static void Ah(Assembler a, GuestReport r, byte function, byte drive)
    {
        a.mov(ah, function);
        a.mov(dl, drive);
        a.@int(0x13);
        r.Carry();
        a.movzx(eax, ah);
        r.Hex(eax);
    }

    [Test]
    public void Dos_style_sequence_reads_writes_verifies_and_formats()
    {
        var image = TaggedImage();
        var rig = new BiosRig(floppies: [image], bootCode: ReportingGuest.Code("fd ", (a, r) =>
        {
            Ah(a, r, 0x00, 0);                          // reset
            // 08h: type, geometry, drive count, parameter table
            a.mov(ah, 0x08);
            a.mov(dl, 0);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, bx);
            r.Hex(eax);
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, dx);
            r.Hex(eax);
            a.mov(ax, es);
            a.shl(eax, 16);
            a.mov(ax, di);
            r.Hex(eax);
            a.push(0);
            a.pop(es);
            Ah(a, r, 0x15, 0);                          // type: with change line
            // 02h: C0 H0 S17, 4 sectors: the last two of side 0, then the first two of side 1
            Int13(a, r, 0x0204, 0x0011, 0x0000, 0x9000);
            foreach (ushort at in new ushort[] { 0x9000, 0x9200, 0x9400, 0x9600 })
            {
                a.mov(eax, __dword_ptr[at]);
                r.Hex(eax);
            }
            Int13(a, r, 0x0201, 0x0205, 0x0100, 0xA000);  // C2 H1 S5 (a seek)
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            Int13(a, r, 0x0302, 0x0301, 0x0000, 0x9000);  // write C3 H0 S1-2 from the first read
            Int13(a, r, 0x0201, 0x0302, 0x0000, 0xA000);  // read C3 H0 S2 back
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            Int13(a, r, 0x0412, 0x0301, 0x0000, 0);       // verify a whole side
            Int13(a, r, 0x0402, 0x0312, 0x0100, 0);       // verify past the end of the cylinder
            Int13(a, r, 0x0201, 0x0013, 0x0000, 0xA000);  // sector 19 does not exist
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xFF00);  // DMA across 10000h
            Ah(a, r, 0x01, 0);                          // the last status
            // 05h: format C5 H1 with IDs (5, 1, 1..18, 2) at 0:0600
            var ids = a.CreateLabel();
            a.mov(di, 0x600);
            a.mov(cx, 1);
            a.Label(ref ids);
            a.mov(__byte_ptr[di], 5);
            a.mov(__byte_ptr[di + 1], 1);
            a.mov(__byte_ptr[di + 2], cl);
            a.mov(__byte_ptr[di + 3], 2);
            a.add(di, 4);
            a.inc(cx);
            a.cmp(cx, 18);
            a.jbe(ids);
            Int13(a, r, 0x0512, 0x0500, 0x0100, 0x0600);
            Int13(a, r, 0x0201, 0x0507, 0x0100, 0xA000);  // a formatted sector: the table's filler
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            Ah(a, r, 0x16, 0);                          // change line inactive
            // 18h for a 720K medium: its table (9 sectors); then a read at 250 kbit/s finds no
            // address marks, and the next read finds the 1.44M medium again
            a.mov(ah, 0x18);
            a.mov(cx, 0x4F09);
            a.mov(dl, 0);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, __byte_ptr.es[di + 4]);
            r.Hex(eax);
            a.push(0);
            a.pop(es);
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);
            a.mov(ah, 0x18);                            // 2.88M: not for a 1.44M drive
            a.mov(cx, 0x4F24);
            a.mov(dl, 0);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
            a.@int(0x11);
            a.and(eax, 0xC1);
            r.Hex(eax);
            Int13(a, r, 0x0201, 0x0001, 0x0001, 0xA000);  // drive 01h is not installed
            Ah(a, r, 0x15, 1);
        }));
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("fd ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), rig.Console);
        var ram = rig.Machine.Memory.Ram[..0x500].ToArray();
        Assert.Multiple(() =>
        {
            // reset; 08h: BL 4 (1.44M), CX 4F12h (cylinder 79, 18 sectors), DX 0101h (last head 1,
            // one drive), ES:DI F000:EFC7; 15h: 02h; the 4-sector read (AL 4) of LBAs 16-19; C2 H1 S5
            // is LBA 94; the write (AL 2), then C3 H0 S2 holds what LBA 17 held; verify of 18
            // sectors; verify past EOT: 04h after 1 sector; sector 19: 04h with none; DMA boundary: 09h, which 01h returns;
            // the format (AH 0, AL kept), and the filler F6h; 16h: 00h; 18h: the 720K table (9 sectors); the read
            // at the wrong rate: 02h, then a good read; 18h for 2.88M: 0Ch; INT 11h: one diskette
            // drive (bit 0, bits 7-6 = 0); drive 01h: 01h (AL as it was); 15h for drive 01h: 00h.
            Assert.That(rig.Console[at..], Is.EqualTo(
                "fd NC 00000000 NC 00000004 00004F12 00000101 F000EFC7 NC 00000002 " +
                "NC 00000004 5EC00010 5EC00011 5EC00012 5EC00013 NC 00000001 5EC0005E " +
                "NC 00000002 NC 00000001 5EC00011 NC 00000012 C 00000401 C 00000400 " +
                "C 00000900 C 00000009 NC 00000012 NC 00000001 F6F6F6F6 NC 00000000 " +
                "NC 00000009 C 00000200 NC 00000001 C 0000000C 00000001 C 00000101 NC 00000000 \n"));
            Assert.That(BitConverter.ToUInt32(image.Bytes, 108 * 512), Is.EqualTo(0x5EC00010u), "LBA 108 written");
            Assert.That(BitConverter.ToUInt32(image.Bytes, 109 * 512), Is.EqualTo(0x5EC00011u), "LBA 109 written");
            Assert.That(BitConverter.ToUInt32(image.Bytes, 110 * 512), Is.EqualTo(0x5EC0006Eu), "LBA 110 untouched");
            int track = (5 * 2 + 1) * 18 * 512;
            Assert.That(image.Bytes.AsSpan(track, 18 * 512).ToArray().All(b => b == 0xF6), "C5 H1 formatted");
            Assert.That(BitConverter.ToUInt32(image.Bytes, track + 18 * 512), Is.EqualTo(0x5EC00000u + 12 * 18), "C6 H0 untouched");
            // BDA: drive 0 recalibrated (40:3E bit 0), 1.44M established at 500 kbit/s (40:90 17h,
            // 40:8B bits 7-6 00), head on cylinder 0, the last status 00h (15h), the motor
            // of drive 0 on with the table's 25h ticks to go (the guest halted with interrupts off).
            Assert.That(ram[0x43E] & 0x0F, Is.EqualTo(0x01), "40:3E");
            Assert.That(ram[0x490], Is.EqualTo(0x17), "40:90");
            Assert.That(ram[0x48B] & 0xC0, Is.EqualTo(0x00), "40:8B");
            Assert.That(ram[0x494], Is.EqualTo(0), "40:94");
            Assert.That(ram[0x441], Is.EqualTo(0x00), "40:41");
            Assert.That(ram[0x43F], Is.EqualTo(0x01), "40:3F");
            Assert.That(ram[0x440], Is.EqualTo(0x25), "40:40");
            Assert.That(ram[0x48F], Is.EqualTo(0x07), "40:8F: drive 0 determined, multi-rate, change line");
        });
    }

    [Test]
    public void Errors_of_an_empty_drive_a_write_protected_disk_and_a_media_change()
    {
        var locked = TaggedImage(0x11110000, readOnly: true);
        var rig = new BiosRig(floppies: [locked, null], bootCode: ReportingGuest.Code("fd ", (a, r) =>
        {
            a.mov(__byte_ptr[0x500], 0);
            Int13(a, r, 0x0201, 0x0001, 0x0001, 0xA000);  // B: no disk
            Int13(a, r, 0x0301, 0x0001, 0x0000, 0xA000);  // A: write protected
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);  // A: reads
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            a.mov(ah, 0x08);
            a.mov(dl, 0);
            a.@int(0x13);
            a.movzx(eax, dx);
            r.Hex(eax);
            a.push(0);
            a.pop(es);
            a.@int(0x11);
            a.and(eax, 0xC1);
            r.Hex(eax);
            Ah(a, r, 0x16, 0);
            // the host changes the disk in A: while the guest waits
            r.Text("swap ");
            var wait = a.CreateLabel();
            a.Label(ref wait);
            a.cmp(__byte_ptr[0x500], 0);
            a.je(wait);
            Ah(a, r, 0x16, 0);                          // 06h: changed
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);  // 06h: media changed (and the line reset)
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);  // the new disk
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            Int13(a, r, 0x0301, 0x0002, 0x0000, 0xA000);  // it is writable
            Ah(a, r, 0x16, 0);
        }));
        var fresh = TaggedImage(0x22220000);
        for (int i = 0; i < 100 && !rig.Console.Contains("swap "); i++)
            Assert.That(rig.Run(200_000), Is.EqualTo(StopReason.BudgetExhausted), rig.Console);
        Assert.That(rig.Console, Does.Contain("swap "));
        rig.Board.Floppy.Drive(0)!.Insert(fresh);
        rig.Machine.Memory.Write(0x500, [1]);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("fd ", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            // B: (no disk) 80h with AL 0; A: write 03h, read 1 sector of the locked image; 08h DL
            // = 2 drives; INT 11h bits 7-6 = 01 (two drives) and bit 0; 16h 00h; after the swap
            // 16h 06h, a read 06h, then the new disk's LBA 0, a write, and the line inactive.
            Assert.That(rig.Console[at..], Is.EqualTo(
                "fd C 00008000 C 00000300 NC 00000001 11110000 00000102 00000041 NC 00000000 swap " +
                "C 00000006 C 00000600 NC 00000001 22220000 NC 00000001 NC 00000000 \n"));
            Assert.That(BitConverter.ToUInt32(fresh.Bytes, 512), Is.EqualTo(0x22220000u), "the new disk's sector 2 holds what sector 1 held");
        });
    }

    /// <summary>A 1.44M image with <see cref="BiosRig.BootProgram"/>'s loader and a program that reports the boot drive and the diskette geometry.</summary>
    internal static InMemoryImage BootFloppy(bool signature = true)
    {
        var image = new InMemoryImage(M144);
        BiosRig.BootProgram(ReportingGuest.Code("floppy boot ", (a, r) =>
        {
            a.movzx(eax, dl);
            r.Hex(eax);
            a.mov(ah, 0x08);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, cx);
            r.Hex(eax);
        })).CopyTo(image.Bytes, 0);
        if (!signature) image.Bytes[510] = image.Bytes[511] = 0;
        return image;
    }

    [Test]
    public void Boots_a_floppy_in_the_boot_order()
    {
        var rig = new BiosRig(floppies: [BootFloppy()], bootOrder: "a");
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        // DL = 00h; 08h on drive 00h: cylinder 79, 18 sectors.
        Assert.That(rig.Console, Does.Contain("Booting from floppy...\r\nfloppy boot 00000000 NC 00004F12 \n"));
    }

    [Test]
    public void A_floppy_without_the_boot_signature_is_passed_over()
    {
        var rig = new BiosRig(floppies: [BootFloppy(signature: false)], bootOrder: "ac");
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console, Does.Contain(
            "Booting from floppy...\r\nBoot failed: not a bootable disk\r\nBooting from hard disk...\r\n"));
        Assert.That(rig.Console, Does.Not.Contain("floppy boot"));
    }

    [Test]
    public void The_same_floppy_boots_under_seabios()
    {
        var console = new StringWriter();
        var machine = SeaBios([BootFloppy()], console, []);
        for (int i = 0; i < 60 && !console.ToString().Contains("floppy boot"); i++)
            if (machine.Run(500_000) is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        machine.Run(500_000);
        Assert.That(console.ToString(), Does.Contain("floppy boot 00000000 NC 00004F12 \n"));
    }

    /// <summary>
    /// SYSLINUX installed on a FAT 1.44M image: ldlinux.sys, loaded by the boot sector through
    /// INT 13h, reads ldlinux.c32 and syslinux.cfg from the FAT and shows its command line
    /// prompt on COM1 (output there comes only from the configuration's SERIAL line, so the
    /// file was read). With the own BIOS and no VGA BIOS the banner also reaches the debug
    /// console through INT 10h teletype.
    /// </summary>
    [Test]
    public void Syslinux_reaches_its_prompt_with_the_own_bios()
    {
        var line = new TestSerialBackend();
        var rig = new BiosRig(floppies: [new InMemoryImage(SyslinuxFloppy())], bootOrder: "a", serials: [line]);
        for (int i = 0; i < 100 && !line.OutputText.Contains("boot:"); i++)
            Assert.That(rig.Run(500_000), Is.EqualTo(StopReason.BudgetExhausted), rig.Console + line.OutputText);
        TestContext.Out.WriteLine($"own BIOS: boot: after {rig.Machine.Cpu.InstructionsRetired} instructions");
        Assert.Multiple(() =>
        {
            Assert.That(line.OutputText, Does.Contain("SYSLINUX 6.04"), rig.Console);
            Assert.That(line.OutputText, Does.Contain("boot:"), rig.Console);
            Assert.That(rig.Console, Does.Contain("Booting from floppy...\r\n"));
            Assert.That(rig.Console, Does.Contain("SYSLINUX 6.04"), "the banner through INT 10h");
        });
    }

    [Test]
    public void Syslinux_reaches_its_prompt_with_seabios()
    {
        var line = new TestSerialBackend();
        var log = new StringWriter();
        var machine = SeaBios([new InMemoryImage(SyslinuxFloppy())], log, [line]);
        for (int i = 0; i < 100 && !line.OutputText.Contains("boot:"); i++)
            if (machine.Run(500_000) is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        TestContext.Out.WriteLine($"SeaBIOS: boot: after {machine.Cpu.InstructionsRetired} instructions");
        Assert.Multiple(() =>
        {
            Assert.That(line.OutputText, Does.Contain("SYSLINUX 6.04"), log.ToString());
            Assert.That(line.OutputText, Does.Contain("boot:"));
        });
    }

    /// <summary>A board running Debian's SeaBIOS (bios-256k.bin) with the floppies in A: and B: (and IDE drives), booting A: unless told; port E9h to <paramref name="console"/>.</summary>
    static Machine SeaBios(IReadOnlyList<IBlockImage?> floppies, StringWriter console, IReadOnlyList<ISerialBackend> serials,
        IReadOnlyList<IdeDrive?>? ide = null, string bootOrder = "a")
    {
        const string path = "/usr/share/seabios/bios-256k.bin";
        if (!File.Exists(path))
            Assert.Fail($"{path} is missing: install Debian's seabios package (apt-get install seabios; .ci/run does)");
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 64UL << 20 },
            Bios = File.ReadAllBytes(path),
            DebugConsole = new DebugConsole(console),
            Floppies = floppies,
            Serials = serials,
            IdeDrives = ide ?? [],
            BootOrder = bootOrder,
        });
        board.Machine.Reset();
        return board.Machine;
    }

    /// <summary>
    /// A FAT12 1.44M image (mtools' mformat) with SYSLINUX installed by Debian's <c>syslinux</c>
    /// and a syslinux.cfg that copies the console to COM1 and waits at the prompt.
    /// </summary>
    static byte[] SyslinuxFloppy()
    {
        string dir = Directory.CreateTempSubdirectory("emu-syslinux-").FullName;
        try
        {
            string image = Path.Combine(dir, "floppy.img");
            string config = Path.Combine(dir, "syslinux.cfg");
            File.WriteAllText(config, "SERIAL 0 115200\nPROMPT 1\nTIMEOUT 0\n");
            Run("mformat", "-C", "-f", "1440", "-i", image, "::");
            Run("mcopy", "-i", image, config, "::syslinux.cfg");
            Run("syslinux", "--install", image);
            return File.ReadAllBytes(image);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{tool} is missing: install Debian's syslinux, mtools and xorriso packages (.ci/run does)");
            return;
        }
        using (p)
        {
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.Zero, $"{tool} {string.Join(' ', args)}: {err}");
        }
    }

    [Test]
    public void A_360k_drive_without_a_disk_times_out()
    {
        // A 360K drive has no change line, so nothing tells the BIOS the drive is empty: READ ID
        // never ends (no index pulses) and the BIOS gives up after its time-out.
        var rig = new BiosRig(floppies: [new InMemoryImage(368_640)], bootCode: ReportingGuest.Code("fd ", (a, r) =>
        {
            Ah(a, r, 0x15, 0);
            a.mov(ah, 0x08);
            a.mov(dl, 0);
            a.@int(0x13);
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, bx);
            r.Hex(eax);
            a.push(0);
            a.pop(es);
            Int13(a, r, 0x0201, 0x0001, 0x0000, 0xA000);
        }));
        rig.Board.Floppy.Drive(0)!.Eject();
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("fd ", StringComparison.Ordinal);
        // 15h: 01h (no change line); 08h: cylinder 39, 9 sectors, type 1; the read: 80h.
        Assert.That(rig.Console[at..], Is.EqualTo("fd NC 00000001 00002709 00000001 C 00008000 \n"));
    }

    /// <summary>
    /// An El Torito CD (xorriso) whose boot image is a 1.44M diskette image: the BIOS emulates
    /// it as drive 00h, the loader in it reads more sectors through INT 13h, and 4Bh reports
    /// and ends the emulation.
    /// </summary>
    [Test]
    public void El_torito_floppy_emulation_boots_the_diskette_image()
    {
        var iso = new InMemoryImage(MakeIso(EmulatedFloppy()), readOnly: true);
        var rig = new BiosRig(bootOrder: "d", ide: [null, null, new IdeDrive(DriveMedia.CdRom, iso)]);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console[..Math.Min(rig.Console.Length, 2000)]);
        int at = rig.Console.IndexOf("cdfd ", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), rig.Console);
        // DL 00h; 08h: cylinder 79, 18 sectors, type 4; the reads; the write: 03h (AL as it was);
        // 4B01h: media type 2 (1.44M), drive 00h; 4B00h; then drive 00h is gone: 01h.
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console, Does.Contain("Booting from CD-ROM...\r\nEl Torito floppy emulation: drive 00h\r\n"));
            Assert.That(rig.Console[at..], Is.EqualTo(
                "cdfd 00000000 NC 00004F12 00000004 NC 00000001 7A000012 NC 00000003 7A000026 7A000027 7A000028 " +
                "C 00000301 NC 00000002 00000000 NC C 00000001 \n"));
        });
    }

    [Test]
    public void El_torito_floppy_emulation_boots_the_same_cd_under_seabios()
    {
        var iso = new InMemoryImage(MakeIso(EmulatedFloppy()), readOnly: true);
        var console = new StringWriter();
        var machine = SeaBios([], console, [], ide: [null, null, new IdeDrive(DriveMedia.CdRom, iso)], bootOrder: "d");
        for (int i = 0; i < 60 && !console.ToString().Contains("\n"); i++)
            if (machine.Run(500_000) is not StopReason.BudgetExhausted and not StopReason.Halted) break;
        // The same drive number, geometry, reads and media type; SeaBIOS's answers to the rest
        // (08h's BL, the write, 08h after 4B00h) are its own.
        Assert.That(console.ToString(), Does.StartWith(
            "cdfd 00000000 NC 00004F12 "));
        Assert.That(console.ToString(), Does.Contain(
            "NC 00000001 7A000012 NC 00000003 7A000026 7A000027 7A000028 "));
        Assert.That(console.ToString(), Does.Contain(" NC 00000002 00000000 NC "), "4B01h: media type 2, drive 00h; 4B00h");
    }

    /// <summary>A tagged 1.44M image with a boot program that reports INT 13h on the emulated drive 00h.</summary>
    static byte[] EmulatedFloppy()
    {
        var floppy = TaggedImage(0x7A000000);
        BiosRig.BootProgram(ReportingGuest.Code("cdfd ", (a, r) =>
        {
            a.movzx(eax, dl);
            r.Hex(eax);
            a.mov(ah, 0x08);
            a.mov(dl, 0);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, bx);
            r.Hex(eax);
            a.push(0);
            a.pop(es);
            Int13(a, r, 0x0201, 0x0001, 0x0100, 0xA000);  // C0 H1 S1: LBA 18
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            Int13(a, r, 0x0203, 0x0103, 0x0000, 0xA000);  // C1 H0 S3-5: LBAs 38-40 (two CD sectors)
            a.mov(eax, __dword_ptr[0xA000]);
            r.Hex(eax);
            a.mov(eax, __dword_ptr[0xA200]);
            r.Hex(eax);
            a.mov(eax, __dword_ptr[0xA400]);
            r.Hex(eax);
            Int13(a, r, 0x0301, 0x0001, 0x0000, 0xA000);  // a CD is not writable
            a.mov(ax, 0x4B01);
            a.mov(dl, 0);
            a.mov(si, 0x600);
            a.@int(0x13);
            r.Carry();
            a.movzx(eax, __byte_ptr[0x601]);
            r.Hex(eax);
            a.movzx(eax, __byte_ptr[0x602]);
            r.Hex(eax);
            a.mov(ax, 0x4B00);
            a.mov(dl, 0);
            a.mov(si, 0x600);
            a.@int(0x13);
            r.Carry();
            Ah(a, r, 0x08, 0);                          // no drive 00h after the emulation
        })).CopyTo(floppy.Bytes, 0);
        return floppy.Bytes;
    }

    /// <summary>An ISO 9660 image (xorriso) whose El Torito boot image is <paramref name="floppy"/>, emulated as a diskette.</summary>
    static byte[] MakeIso(byte[] floppy)
    {
        string dir = Directory.CreateTempSubdirectory("emu-cdfloppy-").FullName;
        try
        {
            string root = Path.Combine(dir, "root");
            Directory.CreateDirectory(root);
            File.WriteAllBytes(Path.Combine(root, "floppy.img"), floppy);
            string iso = Path.Combine(dir, "boot.iso");
            Run("xorriso", "-as", "mkisofs", "-quiet", "-o", iso, "-b", "floppy.img", root);
            return File.ReadAllBytes(iso);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Int_14h_sends_and_receives_on_com1_and_int_17h_times_out_without_a_printer()
    {
        var line = new TestSerialBackend();
        line.Inject("Z");
        var rig = new BiosRig(serials: [line], bootCode: ReportingGuest.Code("com ", (a, r) =>
        {
            a.mov(ax, 0x00E3);                          // 9600 bit/s, no parity, 1 stop bit, 8 bits
            a.mov(dx, 0);
            a.@int(0x14);
            a.movzx(eax, ah);
            r.Hex(eax);
            a.mov(ax, 0x0141);
            a.mov(dx, 0);
            a.@int(0x14);
            a.movzx(eax, ax);
            r.Hex(eax);
            a.mov(ax, 0x0142);
            a.mov(dx, 0);
            a.@int(0x14);
            a.mov(ah, 0x02);
            a.mov(dx, 0);
            a.@int(0x14);
            a.movzx(eax, ax);
            r.Hex(eax);
            a.mov(ah, 0x03);                            // status: nothing more received
            a.mov(dx, 0);
            a.@int(0x14);
            a.and(ah, 0x01);
            a.movzx(eax, ah);
            r.Hex(eax);
            a.mov(ax, 0x0141);                          // COM2 is not installed
            a.mov(dx, 1);
            a.@int(0x14);
            a.movzx(eax, ah);
            r.Hex(eax);
            r.Text("lpt ");
            a.mov(ah, 0x02);
            a.mov(dx, 0);
            a.@int(0x17);
            a.movzx(eax, ah);
            r.Hex(eax);
            a.mov(ax, 0x0078);
            a.mov(dx, 0);
            a.@int(0x17);
            a.movzx(eax, ax);
            r.Hex(eax);
        }));
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf("com ", StringComparison.Ordinal);
        var ram = rig.Machine.Memory.Ram[..0x500].ToArray();
        Assert.Multiple(() =>
        {
            // 00h: LSR THRE|TEMT (60h); 01h: AH the LSR before the byte went out, AL kept ('A');
            // 02h: 'Z' with no error bits; 03h: no data ready; COM2: 80h. INT 17h: 01h (time-out),
            // 00h with AL kept.
            Assert.That(rig.Console[at..], Is.EqualTo("com 00000060 00006041 0000005A 00000000 00000080 lpt 00000001 00000178 \n"));
            Assert.That(line.OutputText, Is.EqualTo("AB"));
            Assert.That(rig.Board.SerialPorts[0].Divisor, Is.EqualTo(12), "115200 / 9600");
            Assert.That(ram[0x400] | ram[0x401] << 8, Is.EqualTo(0x3F8), "40:00 COM1");
            Assert.That(ram[0x408] | ram[0x409] << 8, Is.EqualTo(0), "40:08 no LPT1");
            Assert.That((ram[0x411] >> 6) & 3, Is.EqualTo(0), "equipment: no printers");
        });
    }
}
