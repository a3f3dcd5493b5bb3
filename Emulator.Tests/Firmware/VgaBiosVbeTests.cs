using Emulator.Devices.Video;
using Iced.Intel;
using static Emulator.Tests.Firmware.VgaBiosTests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The VGA BIOS's VBE 3.0 functions (VESA BIOS Extension Core Functions Standard 3.0) on the
/// Bochs DISPI interface: the large modes, 4F04h-4F08h, and the 4F0Ah protected-mode interface
/// called from 32-bit protected-mode guest code. Expected values are worked by hand from VBE 3.0.
/// </summary>
public class VgaBiosVbeTests
{
    [Test]
    public void Mode_1920x1200x32_info_state_and_display_start()
    {
        var rig = Boot((a, r) =>
        {
            VbeGuest.InfoAndSetLinearMode(a, r, 0x189);
            a.mov(ax, 0x4F06);                  // the longest line 16 MiB holds at 1200 lines
            a.mov(bl, 3);
            a.@int(0x10);
            r.Hex(bx);
            r.Hex(cx);
            a.mov(ax, 0x4F08);                  // 8-bit DAC
            a.mov(bx, 0x0800);
            a.@int(0x10);
            a.mov(ax, 0x4F08);
            a.mov(bl, 1);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x4F07);                  // display start (5, 7) at the next retrace
            a.mov(bx, 0x0080);
            a.mov(cx, 5);
            a.mov(dx, 7);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(ax, 0x4F07);
            a.mov(bx, 0x0001);
            a.xor(cx, cx);
            a.xor(dx, dx);
            a.@int(0x10);
            r.Hex(cx);
            r.Hex(dx);
            a.mov(ax, 0x4F04);                  // state size: all parts and DISPI
            a.mov(dl, 0);
            a.mov(cx, 0x0F);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x1000);
            a.mov(es, ax);
            a.mov(ax, 0x4F04);                  // save at 1000:0000, mode 03h, restore
            a.mov(dl, 1);
            a.mov(cx, 0x0F);
            a.xor(bx, bx);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(ax, 0x0003);
            a.@int(0x10);
            a.mov(ax, 0x4F04);
            a.mov(dl, 2);
            a.mov(cx, 0x0F);
            a.xor(bx, bx);
            a.@int(0x10);
            r.Hex(ax);
        });
        // 4F06h BL=3: 16 MiB / 1200 = 13981 bytes -> 3495 pixels of 4 bytes = 13980 bytes (369Ch, DA7h).
        // 4F04h: directory 20h + 50h + 30h + 310h + DISPI 20h = 3D0h: 16 blocks of 64 bytes.
        Assert.That(Output(rig), Is.EqualTo("0000004F 0000004F 0000004F 0000369C 00000DA7 00000801 0000004F 00000005 00000007 00000010 0000004F 0000004F \n"));
        var info = Mem(rig, VbeGuest.InfoAt, 512);
        Assert.That(BitConverter.ToUInt16(info, 4), Is.EqualTo(0x0300));
        var modes = VbeGuest.ModeList(rig);
        // 1920x1200 at 8/15/16/24/32 bpp, 1600x1200x8, 2560x1600x32 (16 MB fits 2560 * 1600 * 4)
        Assert.That(modes, Is.SupersetOf(new ushort[] { 0x196, 0x19D, 0x187, 0x188, 0x189, 0x11C, 0x18C, 0x101, 0x143 }));
        Assert.That(modes, Is.Unique);
        var mi = Mem(rig, VbeGuest.ModeInfoAt, 256);
        Assert.That(mi[0] & 0x99, Is.EqualTo(0x99));
        Assert.That((BitConverter.ToUInt16(mi, 0x10), BitConverter.ToUInt16(mi, 0x12), BitConverter.ToUInt16(mi, 0x14), mi[0x19], mi[0x1B]),
            Is.EqualTo(((ushort)7680, (ushort)1920, (ushort)1200, (byte)32, (byte)6)));
        // VBE 3.0 fields: linear bytes a line; image pages 16 MiB / 9216000 - 1 = 0; linear masks
        Assert.That((BitConverter.ToUInt16(mi, 0x32), mi[0x1D], mi[0x34], mi[0x35]), Is.EqualTo(((ushort)7680, (byte)0, (byte)0, (byte)0)));
        Assert.That(mi.Skip(0x36).Take(8), Is.EqualTo(new byte[] { 8, 16, 8, 8, 8, 0, 8, 24 }));
        // restored: the 1920x1200x32 LFB mode with its display start and 8-bit DAC
        var vga = rig.Board.Vga;
        Assert.That((vga.VbeEnabled, vga.VbeXres, vga.VbeYres, vga.VbeBpp, vga.Dac8Bit), Is.EqualTo((true, 1920, 1200, 32, true)));
        Assert.That(vga.VbeStart, Is.EqualTo(7L * 7680 + 5 * 4));
        var pic = new VgaRenderer(vga);
        pic.Render();
        Assert.That((pic.Width, pic.Height), Is.EqualTo((1920, 1200)));
    }

    [Test]
    public void Mode_102h_800x600x16_is_planar_banked_and_without_a_linear_framebuffer()
    {
        var rig = Boot((a, r) =>
        {
            VbeGuest.Info(a, r);
            VbeGuest.ModeInfo(a, r, 0x102);
            a.mov(ax, 0x4F02);                  // with the LFB: refused
            a.mov(bx, 0x4102);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(ax, 0x4F02);
            a.mov(bx, 0x0102);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(ax, 0x4F03);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x4F06);                  // scan line length: bytes of a plane
            a.mov(bl, 1);
            a.@int(0x10);
            r.Hex(bx);
            r.Hex(cx);
            // Write mode 2 through window A: (0, 0) colour 0Eh, (799, 599) colour 09h.
            a.mov(dx, 0x3CE);
            a.mov(ax, 0x0205);
            a.@out(dx, ax);
            a.push(0xA000);
            a.pop(es);
            a.mov(ax, 0x8008);
            a.@out(dx, ax);
            a.mov(al, __byte_ptr.es[0]);
            a.mov(__byte_ptr.es[0], 0x0E);
            a.mov(ax, 0x0108);
            a.@out(dx, ax);
            a.mov(al, __byte_ptr.es[59999]);
            a.mov(__byte_ptr.es[59999], 0x09);
            a.xor(ax, ax);
            a.mov(es, ax);
        });
        // 4F03h: 102h; 4F06h: 800 / 8 = 100 bytes a plane line, 800 pixels.
        Assert.That(Output(rig), Is.EqualTo("0000004F 0000004F 0000014F 0000004F 00000102 00000064 00000320 \n"));
        Assert.That(VbeGuest.ModeList(rig), Is.SupersetOf(new ushort[] { 0x102, 0x104, 0x106 }));
        var mi = Mem(rig, VbeGuest.ModeInfoAt, 256);
        // VBE 3.0 ModeInfoBlock: supported, colour, graphics, no LFB (bit 7); window A at A000h,
        // 64 KiB granularity and size; 4 planes of 1 bit, memory model 03h (planar); 16 MiB /
        // (100 bytes * 4 planes * 600 lines) = 69 images, 68 more than one; no PhysBasePtr.
        Assert.That(BitConverter.ToUInt16(mi, 0) & 0x9B, Is.EqualTo(0x1B));
        Assert.That((mi[2], BitConverter.ToUInt16(mi, 4), BitConverter.ToUInt16(mi, 6), BitConverter.ToUInt16(mi, 8)),
            Is.EqualTo(((byte)7, (ushort)64, (ushort)64, (ushort)0xA000)));
        Assert.That((BitConverter.ToUInt16(mi, 0x10), BitConverter.ToUInt16(mi, 0x12), BitConverter.ToUInt16(mi, 0x14)),
            Is.EqualTo(((ushort)100, (ushort)800, (ushort)600)));
        Assert.That((mi[0x18], mi[0x19], mi[0x1B], mi[0x1D]), Is.EqualTo(((byte)4, (byte)4, (byte)3, (byte)68)));
        Assert.That(BitConverter.ToUInt32(mi, 0x28), Is.EqualTo(0u));
        var vga = rig.Board.Vga;
        Assert.That((vga.VbeEnabled, vga.VbeXres, vga.VbeYres, vga.VbeBpp), Is.EqualTo((true, 800, 600, 4)));
        var pic = new VgaRenderer(vga);
        pic.Render();
        // The 16-colour palette of mode 12h: 0Eh -> DAC 3Eh (rgbRGB 111110) yellow, 09h -> 39h
        // light blue.
        const uint yellow = 0xFFFFFF55, lightBlue = 0xFF5555FF, black = 0xFF000000;
        Assert.That((pic.Width, pic.Height), Is.EqualTo((800, 600)));
        Assert.That((pic.Pixels[0], pic.Pixels[1], pic.Pixels[599 * 800 + 799]), Is.EqualTo((yellow, black, lightBlue)));
    }

    [Test]
    public void Mode_102h_display_start_shows_the_banked_line()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x4F02);
            a.mov(bx, 0x0102);
            a.@int(0x10);
            a.mov(ax, 0x4F05);                  // bank 1: plane offset 65536 = line 655, byte 36
            a.xor(bx, bx);
            a.mov(dx, 1);
            a.@int(0x10);
            a.mov(dx, 0x3CE);
            a.mov(ax, 0x0205);
            a.@out(dx, ax);
            a.mov(ax, 0x8008);
            a.@out(dx, ax);
            a.push(0xA000);
            a.pop(es);
            a.mov(al, __byte_ptr.es[0]);
            a.mov(__byte_ptr.es[0], 0x0C);
            a.xor(ax, ax);
            a.mov(es, ax);
            a.mov(ax, 0x4F07);                  // display start: line 600
            a.xor(bx, bx);
            a.xor(cx, cx);
            a.mov(dx, 600);
            a.@int(0x10);
            r.Hex(ax);
        });
        Assert.That(Output(rig), Is.EqualTo("0000004F \n"));
        var pic = new VgaRenderer(rig.Board.Vga);
        pic.Render();
        // Line 655 is row 55 of a picture that starts at line 600; x = 36 * 8; colour 0Ch -> DAC
        // 3Ch (rgbRGB 111100) light red; bank 1 reached plane offset 65536 (planes 2 and 3).
        Assert.That(rig.Board.Vga.Vram[65536 * 4 + 2], Is.EqualTo(0x80));
        Assert.That((pic.Pixels[55 * 800 + 288], pic.Pixels[55 * 800 + 289], pic.Pixels[0]),
            Is.EqualTo((0xFFFF5555u, 0xFF000000u, 0xFF000000u)));
    }

    [Test]
    public void Protected_mode_interface_from_32_bit_code()
    {
        // 32-bit code at 9000h: flat segments 08h/10h; calls the table's entries (table linear at [610h]).
        var pm = new Assembler(32);
        pm.mov(ax, 0x10);
        pm.mov(ds, ax);
        pm.mov(es, ax);
        pm.mov(ss, ax);
        pm.mov(esp, 0x7000);
        pm.mov(esi, __dword_ptr[0x610]);
        pm.movzx(eax, __word_ptr[esi + 2]);     // set display start, at the retrace
        pm.add(eax, esi);
        pm.mov(bl, 0x80);
        pm.mov(cx, 8016);                       // (10 * 3200 + 16 * 4) / 4
        pm.xor(edx, edx);
        pm.call(eax);
        pm.mov(__word_ptr[0x600], ax);
        pm.movzx(eax, __word_ptr[esi]);         // set window: bank 3
        pm.add(eax, esi);
        pm.xor(ebx, ebx);
        pm.mov(edx, 3);
        pm.call(eax);
        pm.mov(__word_ptr[0x602], ax);
        pm.movzx(eax, __word_ptr[esi + 4]);     // palette entry 20h from 640h (blue, green, red, 0)
        pm.add(eax, esi);
        pm.xor(ebx, ebx);
        pm.mov(ecx, 1);
        pm.mov(edx, 0x20);
        pm.mov(edi, 0x640);
        pm.call(eax);
        pm.mov(__word_ptr[0x604], ax);
        pm.hlt();
        var stream = new MemoryStream();
        pm.Assemble(new StreamCodeWriter(stream), 0x9000);
        var code = stream.ToArray();

        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x4F02);
            a.mov(bx, 0x4143);                  // 800x600x32, linear
            a.@int(0x10);
            a.mov(ax, 0x4F0A);
            a.mov(bl, 0);
            a.@int(0x10);
            r.Hex(ax);
            r.Hex(cx);
            a.mov(ax, es);
            a.movzx(eax, ax);
            a.shl(eax, 4);
            a.movzx(edi, di);
            a.add(eax, edi);
            a.xor(bx, bx);
            a.mov(ds, bx);
            a.mov(__dword_ptr[0x610], eax);
            r.Hex(eax);
            a.mov(__dword_ptr[0x640], 0x00332211u);
            a.mov(__dword_ptr[0x8000], 0u);     // GDT: null, flat code, flat data
            a.mov(__dword_ptr[0x8004], 0u);
            a.mov(__dword_ptr[0x8008], 0x0000FFFFu);
            a.mov(__dword_ptr[0x800C], 0x00CF9A00u);
            a.mov(__dword_ptr[0x8010], 0x0000FFFFu);
            a.mov(__dword_ptr[0x8014], 0x00CF9200u);
            a.mov(__word_ptr[0x8100], 23);
            a.mov(__dword_ptr[0x8102], 0x8000u);
            for (int i = 0; i < code.Length; i++) a.mov(__byte_ptr[0x9000 + i], code[i]);
            r.Text("PM ");
            a.cli();
            a.lgdt(__fword_ptr[0x8100]);
            a.mov(eax, cr0);
            a.or(eax, 1);
            a.mov(cr0, eax);
            a.db(0x66, 0xEA, 0x00, 0x90, 0x00, 0x00, 0x08, 0x00);   // jmp dword 08h:9000h
        });
        var words = Output(rig).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(words[0], Is.EqualTo("0000004F"));
        Assert.That(words[^1], Is.EqualTo("PM"), "the 32-bit code ran and halted");
        int length = Convert.ToInt32(words[1], 16);
        ulong table = Convert.ToUInt32(words[2], 16);
        var t = Mem(rig, table, length);
        var offsets = Enumerable.Range(0, 4).Select(i => (int)BitConverter.ToUInt16(t, i * 2)).ToArray();
        Assert.That(offsets, Has.All.InRange(8, length - 2));
        var ports = new List<ushort>();
        for (int p = offsets[3]; BitConverter.ToUInt16(t, p) != 0xFFFF; p += 2) ports.Add(BitConverter.ToUInt16(t, p));
        Assert.That(ports, Is.EquivalentTo(new ushort[] { 0x1CE, 0x1CF, 0x3C8, 0x3C9, 0x3DA }));
        Assert.That(BitConverter.ToUInt16(t, offsets[3] + ports.Count * 2 + 2), Is.EqualTo(0xFFFF), "no memory areas");
        Assert.That(Mem(rig, 0x600, 6), Is.EqualTo(new byte[] { 0x4F, 0, 0x4F, 0, 0x4F, 0 }), "AX = 004Fh from each call");
        var vga = rig.Board.Vga;
        Assert.That((vga.DispiRead(StdVga.DispiXOffset), vga.DispiRead(StdVga.DispiYOffset)), Is.EqualTo(((ushort)16, (ushort)10)));
        Assert.That(vga.DispiRead(StdVga.DispiBank), Is.EqualTo(3));
        Assert.That(vga.Dac[0x60..0x63], Is.EqualTo(new byte[] { 0x33, 0x22, 0x11 }), "red, green, blue from blue, green, red");
    }
}
