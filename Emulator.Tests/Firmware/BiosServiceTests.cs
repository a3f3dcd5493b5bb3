using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The BIOS services called by guest code that the BIOS boots (an option ROM hooking INT 19h,
/// see <see cref="BiosRig"/>), reporting over port E9h. Expected values are worked out from the
/// board's configuration and the interfaces' definitions (Ralf Brown's list, ACPI E820).
/// </summary>
public class BiosServiceTests
{
    static string Run(Action<Assembler, GuestReport> program, ulong memory = 64UL << 20, Action<BiosRig>? midway = null)
    {
        var rig = new BiosRig(memory, bootCode: ReportingGuest.Code("[", program));
        if (midway != null) midway(rig);
        return ReportingGuest.Output(rig, "[");
    }

    [Test]
    public void Memory_size_services()
    {
        string output = Run((a, r) =>
        {
            r.Text("12:");
            a.@int(0x12);
            a.movzx(eax, ax);
            r.Hex(eax);
            r.Text("11:");
            a.@int(0x11);
            a.movzx(eax, ax);
            r.Hex(eax);
            r.Text("88:");
            a.mov(ah, 0x88);
            a.@int(0x15);
            r.Carry();
            a.movzx(eax, ax);
            r.Hex(eax);
            r.Text("E801:");
            a.mov(ax, 0xE801);
            a.@int(0x15);
            r.Carry();
            foreach (var reg in new[] { ax, bx, cx, dx })
            {
                a.movzx(eax, reg);
                r.Hex(eax);
            }
        });
        // 639 KiB base memory; FPU, PS/2 mouse, 80x25 colour; 63 MiB above 1 MiB = FC00h KiB;
        // E801: 15 MiB = 3C00h KiB to 16 MiB, (64 - 16) MiB / 64 KiB = 300h blocks above.
        Assert.That(output, Is.EqualTo("12:0000027F 11:00000026 88:NC 0000FC00 E801:NC 00003C00 00000300 00003C00 00000300 \n"));
    }

    /// <summary>
    /// A service returns the caller's IF and DF, whatever it did inside (IBM PC/AT Technical
    /// Reference: the BIOS returns through the interrupt frame's flags), and copies upwards even
    /// when the caller left DF set: the E820 entry lands at ES:DI as it is, not mirrored below.
    /// </summary>
    [Test]
    public void Services_return_the_callers_interrupt_and_direction_flags()
    {
        string output = Run((a, r) =>
        {
            void Flags(string name)
            {
                a.pushf();
                r.Text(name);
                a.pop(ax);
                a.and(eax, 0x0600);             // IF (bit 9), DF (bit 10)
                r.Hex(eax);
            }
            a.cli();
            a.std();
            a.mov(__dword_ptr[0x600], 0xFFFFFFFF);
            a.mov(__dword_ptr[0x608], 0xFFFFFFFF);
            a.xor(ebx, ebx);
            a.mov(eax, 0xE820);
            a.mov(edx, 0x534D4150);
            a.mov(ecx, 20);
            a.mov(di, 0x600);
            a.@int(0x15);
            Flags("E820:");
            a.mov(eax, __dword_ptr[0x600]);
            r.Hex(eax);
            a.mov(eax, __dword_ptr[0x608]);
            r.Hex(eax);
            a.mov(ah, 0x00);
            a.@int(0x1A);
            Flags("1A00:");
            a.mov(ax, 0xB101);
            a.@int(0x1A);
            Flags("B101:");
            a.mov(ah, 0xC0);
            a.@int(0x15);
            Flags("C0:");
            a.sti();
            a.cld();
            a.mov(ah, 0x88);
            a.@int(0x15);
            Flags("88:");
            a.mov(ah, 0xFF);                    // unsupported: CF set, AH = 86h
            a.@int(0x15);
            r.Carry();
            Flags("FF:");
        });
        Assert.That(output, Is.EqualTo("E820:00000400 00000000 0009FC00 1A00:00000400 B101:00000400 C0:00000400 " +
            "88:00000200 C FF:00000200 \n"));
    }

    /// <summary>
    /// INT 11h's diskette bits follow the drives the board has, through CMOS 10h and 14h (IBM PC/AT
    /// Technical Reference, equipment word: bit 0 diskettes present, bits 7-6 the count less one):
    /// the rest is FPU (bit 1), PS/2 mouse (bit 2) and 80x25 colour (bits 5-4 = 10b), 26h.
    /// </summary>
    [TestCase(0, 0x26)]
    [TestCase(1, 0x27)]
    [TestCase(2, 0x67)]
    public void Int11_counts_the_diskette_drives_from_cmos(int drives, int expected)
    {
        var rig = new BiosRig(floppies: new Emulator.Devices.Storage.IBlockImage?[drives], bootCode: a =>
        {
            var r = new GuestReport(a);
            r.Text("[");
            a.@int(0x11);
            a.movzx(eax, ax);
            r.Hex(eax);
            r.End();
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console[(rig.Console.IndexOf('[') + 1)..], Is.EqualTo($"{expected:X8} \n"));
    }

    /// <summary>
    /// INT 14h 04h and 05h (IBM PS/2 BIOS Interface Technical Reference; Ralf Brown's INT 14h) on
    /// COM1, read back from the 16550 (PC16550D datasheet: LCR bits 1-0 length, 2 stop bits,
    /// 3 parity enable, 4 even, 5 stick, 6 break; divisor 115200 / rate). 19200 8E1: LCR 1Bh,
    /// divisor 6. 110 bit/s, 5 bits, two stop bits, stick odd parity, break: LCR 6Ch, divisor
    /// 417h. A rate code of 9 changes nothing. 05h writes the MCR (0Bh) and reads it into BL.
    /// </summary>
    [Test]
    public void Int14_ps2_extended_initialise_and_port_control()
    {
        var rig = new BiosRig(serials: [new Emulator.Tests.Devices.Serial.TestSerialBackend()], bootCode: a =>
        {
            var r = new GuestReport(a);
            void Uart()
            {
                a.mov(dx, 0x3FB);
                a.@in(al, dx);
                a.movzx(esi, al);
                a.or(al, 0x80);
                a.@out(dx, al);
                a.mov(dx, 0x3F9);
                a.@in(al, dx);
                a.mov(ah, al);
                a.dec(dx);
                a.@in(al, dx);
                a.movzx(edi, ax);
                a.mov(dx, 0x3FB);
                a.mov(ax, si);
                a.@out(dx, al);
                r.Hex(esi);
                r.Hex(edi);
            }
            r.Text("[");
            a.mov(ax, 0x0400);
            a.mov(bx, 0x0200);
            a.mov(cx, 0x0308);
            a.xor(dx, dx);
            a.@int(0x14);
            Uart();
            a.mov(ax, 0x0401);
            a.mov(bx, 0x0301);
            a.mov(cx, 0x0000);
            a.xor(dx, dx);
            a.@int(0x14);
            Uart();
            a.mov(ax, 0x0400);
            a.mov(bx, 0x0000);
            a.mov(cx, 0x0309);
            a.xor(dx, dx);
            a.@int(0x14);
            Uart();
            a.mov(ax, 0x0501);
            a.mov(bx, 0x000B);
            a.xor(dx, dx);
            a.@int(0x14);
            a.mov(dx, 0x3FC);
            a.@in(al, dx);
            a.movzx(eax, al);
            r.Hex(eax);
            a.mov(ax, 0x0500);
            a.mov(bx, 0xFF00);
            a.xor(dx, dx);
            a.@int(0x14);
            a.movzx(eax, bx);
            r.Hex(eax);
            r.End();
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console[(rig.Console.IndexOf('[') + 1)..], Is.EqualTo(
            "0000001B 00000006 0000006C 00000417 0000006C 00000417 0000000B 0000FF0B \n"));
    }

    [Test]
    public void E820_map_of_the_board()
    {
        string output = Run((a, r) =>
        {
            var next = a.CreateLabel();
            var done = a.CreateLabel();
            a.xor(ebx, ebx);
            a.Label(ref next);
            a.mov(eax, 0xE820);
            a.mov(edx, 0x534D4150);
            a.mov(ecx, 24);
            a.mov(di, 0x600);
            a.@int(0x15);
            r.Carry();
            a.jc(done);
            r.Hex(eax);
            r.Hex(ecx);
            for (int off = 4; off >= 0; off -= 4) { a.mov(eax, __dword_ptr[0x600 + off]); r.Hex(eax); }
            for (int off = 12; off >= 8; off -= 4) { a.mov(eax, __dword_ptr[0x600 + off]); r.Hex(eax); }
            a.mov(eax, __dword_ptr[0x610]);
            r.Hex(eax);
            r.Text("\n");
            a.test(ebx, ebx);
            a.jnz(next);
            a.Label(ref done);
        }, memory: 48UL << 20);
        // 48 MiB: RAM to the 1 KiB EBDA at 9FC00, reserved to A0000, the BIOS area E0000-FFFFF,
        // RAM from 1 MiB to the tables' 64 KiB high zone (2EF0000h bytes), the zone reserved
        // (2FF0000h-2FFFFFFh), IOAPIC, HPET, local APIC pages, the 64 KiB ROM.
        const string smap = "534D4150 00000014 ";
        Assert.That(output, Is.EqualTo(
            "NC " + smap + "00000000 00000000 00000000 0009FC00 00000001 \n" +
            "NC " + smap + "00000000 0009FC00 00000000 00000400 00000002 \n" +
            "NC " + smap + "00000000 000E0000 00000000 00020000 00000002 \n" +
            "NC " + smap + "00000000 00100000 00000000 02EF0000 00000001 \n" +
            "NC " + smap + "00000000 02FF0000 00000000 00010000 00000002 \n" +
            "NC " + smap + "00000000 FEC00000 00000000 00001000 00000002 \n" +
            "NC " + smap + "00000000 FED00000 00000000 00001000 00000002 \n" +
            "NC " + smap + "00000000 FEE00000 00000000 00001000 00000002 \n" +
            "NC " + smap + "00000000 FFFF0000 00000000 00010000 00000002 \n\n"));
    }

    [Test]
    public void Block_move_copies_above_1_MiB_and_back()
    {
        string output = Run((a, r) =>
        {
            // A GDT for INT 15h AH=87h at 0:0700: source descriptor at +10h, target at +18h.
            a.mov(di, 0x700);
            a.mov(cx, 0x30 / 2);
            a.xor(ax, ax);
            a.rep.stosw();
            a.mov(__dword_ptr[0x800], 0x44332211);
            a.mov(__dword_ptr[0x804], 0x88776655);
            void Descriptor(int at, uint linear)
            {
                a.mov(__word_ptr[at], 0xFFFF);
                a.mov(__word_ptr[at + 2], (ushort)linear);
                a.mov(__byte_ptr[at + 4], (byte)(linear >> 16));
                a.mov(__byte_ptr[at + 5], 0x93);
                a.mov(__byte_ptr[at + 7], (byte)(linear >> 24));
            }
            Descriptor(0x710, 0x800);
            Descriptor(0x718, 0x0120_0000);    // 18 MiB
            a.mov(si, 0x700);
            a.mov(cx, 4);
            a.mov(ah, 0x87);
            a.@int(0x15);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
            Descriptor(0x710, 0x0120_0000);
            Descriptor(0x718, 0x900);
            a.mov(si, 0x700);
            a.mov(cx, 4);
            a.mov(ah, 0x87);
            a.@int(0x15);
            r.Carry();
            a.mov(eax, __dword_ptr[0x900]);
            r.Hex(eax);
            a.mov(eax, __dword_ptr[0x904]);
            r.Hex(eax);
        });
        Assert.That(output, Is.EqualTo("NC 00000000 NC 44332211 88776655 \n"));
    }

    [Test]
    public void A20_gate_and_configuration_table()
    {
        string output = Run((a, r) =>
        {
            foreach (ushort f in new ushort[] { 0x2401, 0x2402, 0x2400, 0x2402, 0x2403 })
            {
                a.mov(ax, f);
                a.@int(0x15);
                r.Carry();
                a.movzx(ecx, ah);
                r.Hex(ecx);
                if (f == 0x2402) { a.movzx(eax, al); r.Hex(eax); }
            }
            a.movzx(eax, bx);
            r.Hex(eax);
            a.mov(ah, 0xC0);
            a.@int(0x15);
            r.Carry();
            a.mov(ax, es);
            a.mov(ds, ax);
            a.mov(eax, __dword_ptr[bx]);
            r.Hex(eax);
            a.mov(eax, __dword_ptr[bx + 4]);
            r.Hex(eax);
            a.xor(ax, ax);
            a.mov(ds, ax);
        });
        // 2401h enable, 2402h status 1, 2400h disable, status 0, 2403h: BX = 3 (8042 and port 92h).
        // C0h: the table starts with its length word 0008h, then model FCh, submodel 00h; BIOS
        // revision 0, feature byte 1 = 74h (second 8259A, RTC, INT 09h calls INT 15h 4Fh, EBDA),
        // feature byte 2 = 40h (INT 16h 09h present).
        Assert.That(output, Is.EqualTo("NC 00000000 NC 00000000 00000001 NC 00000000 NC 00000000 00000000 NC 00000000 00000003 NC 00FC0008 00407400 \n"));
    }

    [Test]
    public void Clock_services_read_the_rtc()
    {
        string output = Run((a, r) =>
        {
            a.mov(ah, 0x02);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, dx);
            r.Hex(eax);
            a.mov(ah, 0x04);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, cx);
            r.Hex(eax);
            a.movzx(eax, dx);
            r.Hex(eax);
            // set the time to 23:59:58, read it back
            a.mov(cx, 0x2359);
            a.mov(dx, 0x5800);
            a.mov(ah, 0x03);
            a.@int(0x1A);
            a.mov(ah, 0x02);
            a.@int(0x1A);
            a.movzx(eax, cx);
            r.Hex(eax);
            // ticks: set 12345h, read back with the midnight flag
            a.mov(cx, 0x0001);
            a.mov(dx, 0x2345);
            a.mov(ah, 0x01);
            a.@int(0x1A);
            a.mov(ah, 0x00);
            a.@int(0x1A);
            a.shl(ecx, 16);
            a.mov(cx, dx);
            r.Hex(ecx);
        });
        // RTC base 2026-11-26 13:45:30 (BCD); POST takes well under a second of virtual time.
        Assert.That(output, Does.Match(@"^NC 00001345 00003000 NC 00002026 00001126 00002359 0001234[5-9] \n$"));
    }

    [Test]
    public void Timer_interrupt_counts_ticks()
    {
        string output = Run((a, r) =>
        {
            var wait = a.CreateLabel();
            a.sti();
            a.mov(eax, __dword_ptr[0x46C]);
            a.add(eax, 3);
            a.Label(ref wait);
            a.hlt();
            a.cmp(__dword_ptr[0x46C], eax);
            a.jb(wait);
            r.Text("ticked");
        });
        Assert.That(output, Is.EqualTo("ticked\n"));
    }

    [Test]
    public void Pci_bios_finds_and_reads_the_chipset()
    {
        string output = Run((a, r) =>
        {
            a.mov(ax, 0xB101);
            a.@int(0x1A);
            r.Carry();
            r.Hex(edx);
            a.movzx(eax, ax);
            r.Hex(eax);
            a.movzx(eax, bx);
            r.Hex(eax);
            r.Text("|");
            a.mov(ax, 0xB102);                  // find 8086:7000 (PIIX3)
            a.mov(cx, 0x7000);
            a.mov(dx, 0x8086);
            a.xor(si, si);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, bx);
            r.Hex(eax);
            a.mov(ax, 0xB103);                  // find class 06 00 00 (host bridge)
            a.mov(ecx, 0x060000);
            a.xor(si, si);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, bx);
            r.Hex(eax);
            a.mov(ax, 0xB10A);                  // dword 0 of 00:00.0
            a.xor(bx, bx);
            a.xor(di, di);
            a.@int(0x1A);
            r.Carry();
            r.Hex(ecx);
            a.mov(ax, 0xB109);                  // a misaligned word read
            a.mov(di, 1);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
            a.mov(ax, 0xB102);                  // a device that is not there
            a.mov(cx, 0x1111);
            a.mov(dx, 0x2222);
            a.xor(si, si);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
        });
        // "PCI " = 20494350h, AL = 1 (mechanism #1), BX = 0210h; PIIX3 at 00:01.0 (BX = 0008h),
        // host bridge at 00:00.0, ID 1237h:8086h; 87h bad register, 86h not found.
        Assert.That(output, Is.EqualTo("NC 20494350 00000001 00000210 |NC 00000008 NC 00000000 NC 12378086 C 00000087 C 00000086 \n"));
    }

    [Test]
    public void Keyboard_keys_reach_int_16h()
    {
        string output = Run((a, r) =>
        {
            a.sti();
            r.Text("K>");
            for (int i = 0; i < 4; i++)
            {
                a.mov(ah, 0x10);
                a.@int(0x16);
                a.movzx(eax, ax);
                r.Hex(eax);
            }
            a.mov(ah, 0x01);                    // nothing left: ZF set
            a.@int(0x16);
            var empty = a.CreateLabel();
            a.jz(empty);
            r.Text("key!");
            a.Label(ref empty);
            a.mov(ah, 0x02);
            a.@int(0x16);
            a.movzx(eax, al);
            r.Hex(eax);
        }, midway: rig =>
        {
            for (int i = 0; i < 100 && !rig.Console.Contains("K>"); i++) rig.Run(20_000);
            Assert.That(rig.Console, Does.Contain("K>"));
            // Keys go down and up between runs: a key held while the guest idles would repeat.
            var kb = rig.Board.Keyboard;
            void Tap(Key k) { kb.KeyDown(k); kb.KeyUp(k); rig.Run(20_000); }
            Tap(Key.NumLock);
            Tap(Key.A);
            kb.KeyDown(Key.LeftShift);
            Tap(Key.D1);
            kb.KeyUp(Key.LeftShift);
            Tap(Key.Up);
            Tap(Key.F1);
        });
        // a = 1E61h, Shift+1 = 0221h ('!'), grey Up = 48E0h (extended), F1 = 3B00h; NumLock on (40:17 bit 5).
        Assert.That(output, Is.EqualTo("K>00001E61 00000221 000048E0 00003B00 00000020 \n"));
    }

    [Test]
    public void Ctrl_alt_del_reboots_warm_through_post()
    {
        var rig = new BiosRig(bootCode: a =>
        {
            var r = new GuestReport(a);
            a.sti();
            r.Text("K>");
            a.mov(ah, 0x00);
            a.@int(0x16);
            r.Text("no reboot");
            r.End();
        });
        for (int i = 0; i < 100 && !rig.Console.Contains("K>"); i++) rig.Run(20_000);
        Assert.That(rig.Console, Does.Contain("K>"));
        var kb = rig.Board.Keyboard;
        kb.KeyDown(Key.LeftControl);
        kb.KeyDown(Key.LeftAlt);
        kb.KeyDown(Key.Delete);
        kb.KeyUp(Key.Delete);
        kb.KeyUp(Key.LeftAlt);
        kb.KeyUp(Key.LeftControl);
        for (int i = 0; i < 100 && rig.Console.Split("K>").Length < 3; i++) rig.Run(20_000);
        Assert.Multiple(() =>
        {
            // POST ran again from the reset vector and reached the boot code a second time.
            Assert.That(rig.Console.Split("emu BIOS 0.2").Length - 1, Is.EqualTo(2));
            Assert.That(rig.Console.Split("K>").Length - 1, Is.EqualTo(2));
            Assert.That(rig.Console, Does.Not.Contain("no reboot"));
            // the warm-boot flag survives POST's clearing of the BDA
            Assert.That(rig.Machine.Memory.Ram[0x472] | rig.Machine.Memory.Ram[0x473] << 8, Is.EqualTo(0x1234));
        });
    }

    [Test]
    public void Int_10h_teletype_writes_to_the_debug_console_until_a_vga_bios_exists()
    {
        string output = Run((a, r) =>
        {
            a.mov(ax, 0x0E4F);                  // 'O'
            a.@int(0x10);
            a.mov(ax, 0x0E4B);                  // 'K'
            a.@int(0x10);
            a.mov(ah, 0x0F);
            a.@int(0x10);
            a.movzx(eax, ax);
            r.Hex(eax);
        });
        // 0Fh: 80 columns (AH = 50h), mode 3.
        Assert.That(output, Is.EqualTo("OK00005003 \n"));
    }
}
