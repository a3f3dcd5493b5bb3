using Emulator.Devices.Video;
using Iced.Intel;
using static Emulator.Tests.Firmware.VgaBiosTests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The VGA BIOS's character generator (11xxh), palette (10xxh, 0Bh), alternate select (12xxh),
/// functionality/state (1Bh) and save/restore (1Ch) services, run by guest code the project's
/// BIOS boots. Expected values are worked by hand from the IBM VGA BIOS interface and Technical
/// Reference; glyphs are compared with the committed font sources (bios/src/font8x*.inc).
/// </summary>
public class VgaBiosServiceTests
{
    /// <summary>The glyphs of a committed font source, 256 of <paramref name="height"/> bytes.</summary>
    internal static byte[][] Font(int height)
    {
        var lines = File.ReadAllLines(Path.Combine(BiosRig.RepoRoot(), "bios", "src", $"font8x{height}.inc"))
            .Where(l => l.TrimStart().StartsWith("db", StringComparison.Ordinal)).ToArray();
        Assert.That(lines, Has.Length.EqualTo(256));
        return lines.Select(l => l.Split(';')[0].Trim()[2..].Split(',').Select(b => Convert.ToByte(b.Trim(), 16)).ToArray()).ToArray();
    }

    static void Bytes(Assembler a, ushort address, params byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++) a.mov(__byte_ptr[address + i], bytes[i]);
    }

    [Test]
    public void Font_1110h_user_glyph_is_drawn_by_the_renderer()
    {
        var rig = Boot((a, r) =>
        {
            Bytes(a, 0x700, [0xFF, 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            a.mov(ax, 0x1110);
            a.mov(bx, 0x1000);                  // 16 bytes a glyph, block 0
            a.mov(cx, 1);
            a.mov(dx, 0x41);                    // 'A'
            a.mov(bp, 0x700);
            a.@int(0x10);
            SetCursor(a, 0, 0);
            a.mov(ax, 0x0941);
            a.mov(bx, 0x0007);
            a.mov(cx, 1);
            a.@int(0x10);
        });
        Assert.That((Bda(rig, 0x84, 1), Bda(rig, 0x85, 2)), Is.EqualTo((24u, 16u)));
        var vram = rig.Board.Vga.Vram.ToArray();
        Assert.That(Enumerable.Range(0, 32).Select(i => vram[(0x41 * 32 + i) * 4 + 2]),
            Is.EqualTo(new byte[] { 0xFF, 0x81 }.Concat(new byte[30])), "plane 2, block 0, character 41h");
        var pic = new VgaRenderer(rig.Board.Vga);
        pic.Render();
        const uint grey = 0xFFAAAAAA, black = 0xFF000000;
        uint[] Line(int y) => Enumerable.Range(0, 9).Select(x => pic.Pixels[y * pic.Width + x]).ToArray();
        Assert.That(Line(0), Is.EqualTo(new[] { grey, grey, grey, grey, grey, grey, grey, grey, black }));
        Assert.That(Line(1), Is.EqualTo(new[] { grey, black, black, black, black, black, black, grey, black }));
        Assert.That(Line(2), Has.All.EqualTo(black));
    }

    [Test]
    public void Fonts_1111h_1112h_change_rows_and_crtc()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x1111);                  // 8x14: 400 / 14 = 28 rows
            a.mov(bl, 0);
            a.@int(0x10);
            r.Hex(__byte_ptr[0x484]);
            r.Hex(__word_ptr[0x44C]);
            a.mov(ax, 0x1112);                  // 8x8 within the 392 lines left: 49 rows
            a.mov(bl, 0);
            a.@int(0x10);
        });
        Assert.That(Output(rig), Is.EqualTo("0000001B 00001200 \n"), "27 = 28 rows - 1; page 28 * 160 = 4480 rounded up to 256");
        var vga = rig.Board.Vga;
        Assert.That((Bda(rig, 0x84, 1), Bda(rig, 0x85, 2), Bda(rig, 0x4C, 2)), Is.EqualTo((48u, 8u, 0x1F00u)));
        // maximum scan line 7, cursor lines 6-7, vertical display end 49 * 8 - 1 = 187h
        Assert.That((vga.Crtc[9] & 0x1F, vga.Crtc[0x0A], vga.Crtc[0x0B], vga.Crtc[0x12], vga.Crtc[7] & 0x42),
            Is.EqualTo((7, (byte)6, (byte)7, (byte)0x87, 0x02)));
        var t = TextScreen.Capture(vga)!;
        Assert.That((t.Columns, t.Rows), Is.EqualTo((80, 49)));
        var f8 = Font(8);
        var vram = vga.Vram.ToArray();
        Assert.That(Enumerable.Range(0, 32).Select(i => vram[(0x42 * 32 + i) * 4 + 2]), Is.EqualTo(f8[0x42].Concat(new byte[24])));
    }

    [Test]
    public void Font_1130h_pointers_and_graphics_fonts()
    {
        var rig = Boot((a, r) =>
        {
            foreach (byte which in new byte[] { 2, 3, 4, 6, 1, 0 })
            {
                a.mov(ax, 0x1130);
                a.mov(bh, which);
                a.@int(0x10);
                a.mov(ax, es);
                a.shl(eax, 16);
                a.mov(ax, bp);
                r.Hex(eax);
            }
            r.Hex(cx);
            r.Hex(dl);
            a.mov(ax, 0x0012);                  // 12h: INT 43h = the 8x16 font
            a.@int(0x10);
            a.mov(ax, 0x1130);
            a.mov(bh, 1);
            a.@int(0x10);
            a.mov(ax, bp);
            r.Hex(ax);
            a.mov(ax, 0x1122);                  // INT 43h = 8x14, 34 rows
            a.mov(bl, 0);
            a.mov(dl, 34);
            a.@int(0x10);
            r.Hex(__byte_ptr[0x484]);
            r.Hex(__byte_ptr[0x485]);
            a.xor(ax, ax);
            a.mov(es, ax);
            a.mov(ax, 0x1120);                  // INT 1Fh = 0000:0700
            a.mov(bp, 0x700);
            a.@int(0x10);
        });
        var words = Output(rig).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ptr = words.Take(6).Select(w => Convert.ToUInt32(w, 16)).ToArray();
        ulong Linear(uint p) => (p >> 16) * 16 + (p & 0xFFFF);
        // The ROM fonts are in the VGA BIOS, wherever POST copied it (after the rig's own ROM at C8000).
        uint rom = ptr[0] >> 16;
        Assert.That(ptr.Select(p => p >> 16), Has.All.EqualTo(rom));
        Assert.That(Mem(rig, rom * 16UL, 2), Is.EqualTo(new byte[] { 0x55, 0xAA }));
        ushort pcir = (ushort)rig.Machine.Memory.ReadSlow(rom * 16UL + 0x18, 2);
        Assert.That(rig.Machine.Memory.ReadSlow(rom * 16UL + pcir + 4, 4), Is.EqualTo(0x11111234UL), "the PCI data structure of 1234:1111");
        var (f14, f8, f16) = (Font(14), Font(8), Font(16));
        Assert.That(Mem(rig, Linear(ptr[0]), 256 * 14), Is.EqualTo(f14.SelectMany(g => g)));
        Assert.That(Mem(rig, Linear(ptr[1]), 256 * 8), Is.EqualTo(f8.SelectMany(g => g)));
        Assert.That(ptr[2], Is.EqualTo(ptr[1] + 128 * 8), "BH=4: the 8x8 font's upper half");
        Assert.That(Mem(rig, Linear(ptr[3]), 256 * 16), Is.EqualTo(f16.SelectMany(g => g)));
        Assert.That(ptr[4], Is.EqualTo(ptr[1]), "INT 43h: the 8x8 font after POST");
        Assert.That(ptr[5], Is.EqualTo(ptr[2]), "INT 1Fh: 8x8 characters 80h-FFh");
        Assert.That(words[6..11], Is.EqualTo(new[] { "00000010", "00000018", (ptr[3] & 0xFFFF).ToString("X8"), "00000021", "0000000E" }),
            "CX 16, DL 24 in mode 03h; mode 12h's INT 43h is the 8x16 font; 1122h: 34 rows of 14 lines");
        Assert.That(rig.Machine.Memory.ReadSlow(0x43 * 4, 4), Is.EqualTo((ulong)ptr[0]));
        Assert.That(rig.Machine.Memory.ReadSlow(0x1F * 4, 4), Is.EqualTo(0x700UL));
    }

    [Test]
    public void Palette_10xxh_and_0Bh()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x1010);                  // DAC 5 = 10h, 20h, 30h
            a.mov(bx, 5);
            a.mov(dh, 0x10);
            a.mov(cx, 0x2030);
            a.@int(0x10);
            a.mov(ax, 0x1015);
            a.mov(bx, 5);
            a.xor(cx, cx);
            a.xor(dx, dx);
            a.@int(0x10);
            r.Hex(dx);
            r.Hex(cx);
            Bytes(a, 0x700, 1, 2, 3, 4, 5, 6);
            a.mov(ax, 0x1012);                  // DAC 20h-21h from 0:0700
            a.mov(bx, 0x20);
            a.mov(cx, 2);
            a.mov(dx, 0x700);
            a.@int(0x10);
            a.mov(ax, 0x1017);                  // back to 0:0710
            a.mov(bx, 0x20);
            a.mov(cx, 2);
            a.mov(dx, 0x710);
            a.@int(0x10);
            a.mov(ax, 0x1018);                  // pel mask 7Fh
            a.mov(bl, 0x7F);
            a.@int(0x10);
            a.mov(ax, 0x1019);
            a.xor(bx, bx);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x1013);                  // sixteen pages of 16, page 3
            a.mov(bx, 0x0100);
            a.@int(0x10);
            a.mov(ax, 0x1013);
            a.mov(bx, 0x0301);
            a.@int(0x10);
            a.mov(ax, 0x101A);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x101B);                  // DAC 5 to grey
            a.mov(bx, 5);
            a.mov(cx, 1);
            a.@int(0x10);
            a.mov(ax, 0x1000);                  // palette register 2 = 3Ah
            a.mov(bx, 0x3A02);
            a.@int(0x10);
            a.mov(ax, 0x1007);
            a.mov(bx, 0x0002);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x1001);                  // border 05h
            a.mov(bh, 0x05);
            a.@int(0x10);
            a.mov(ax, 0x1008);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x1009);                  // all 16 and the border to 0:0720
            a.mov(dx, 0x720);
            a.@int(0x10);
            Bytes(a, 0x740, Enumerable.Range(0x20, 16).Select(i => (byte)i).Append((byte)0x22).ToArray());
            a.mov(ax, 0x1002);
            a.mov(dx, 0x740);
            a.@int(0x10);
            a.mov(ax, 0x1003);                  // bright backgrounds, no blink
            a.mov(bl, 0);
            a.@int(0x10);
            a.mov(ah, 0x0B);                    // CGA border colour 9 (light blue)
            a.mov(bx, 0x0009);
            a.@int(0x10);
        });
        Assert.That(Output(rig), Is.EqualTo("00001000 00002030 0000007F 00000301 00003A02 00000502 \n"));
        var vga = rig.Board.Vga;
        Assert.That(Mem(rig, 0x710, 6), Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
        Assert.That(vga.PelMask, Is.EqualTo(0x7F));
        // grey of (10h, 20h, 30h): (77 * 16 + 151 * 32 + 28 * 48 + 128) / 256 = 29 = 1Dh
        Assert.That(vga.Dac[15..18], Is.EqualTo(new byte[] { 0x1D, 0x1D, 0x1D }));
        Assert.That(Mem(rig, 0x720, 17), Is.EqualTo(new byte[] { 0x00, 0x01, 0x3A, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x05 }));
        Assert.That(vga.Attr[0..16], Is.EqualTo(Enumerable.Range(0x20, 16).Select(i => (byte)i)));
        Assert.That((vga.Attr[0x10], vga.Attr[0x14]), Is.EqualTo(((byte)0x84, (byte)0x03)), "mode control: 16-page paging, blink off; colour select page 3");
        Assert.That(vga.Attr[0x11], Is.EqualTo(0x11), "0Bh: IRGB 9 -> CGA DAC index 11h");
    }

    [Test]
    public void Functionality_1Bh_and_alternate_select_12h()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x1B00);
            a.xor(bx, bx);
            a.mov(di, 0x800);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ax, 0x0013);
            a.@int(0x10);
            a.mov(ax, 0x1B00);
            a.xor(bx, bx);
            a.mov(di, 0x840);
            a.@int(0x10);
            a.mov(ax, 0x1200);                  // 33h: grey summing on
            a.mov(bl, 0x33);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ax, 0x0013);
            a.@int(0x10);
            a.mov(ax, 0x1201);                  // off again
            a.mov(bl, 0x33);
            a.@int(0x10);
            a.mov(ax, 0x1201);                  // 31h: no default palette at mode sets
            a.mov(bl, 0x31);
            a.@int(0x10);
            a.mov(ax, 0x1010);                  // DAC 1 = 1, 2, 3
            a.mov(bx, 1);
            a.mov(dh, 1);
            a.mov(cx, 0x0203);
            a.@int(0x10);
            a.mov(ax, 0x0013);
            a.@int(0x10);
            a.mov(ax, 0x1201);                  // 30h: 350 scan lines at the next text mode set
            a.mov(bl, 0x30);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ax, 0x0003);
            a.@int(0x10);
            a.mov(ax, 0x1201);                  // 34h: no cursor emulation
            a.mov(bl, 0x34);
            a.@int(0x10);
            a.mov(ah, 0x01);
            a.mov(cx, 0x0607);
            a.@int(0x10);
        });
        Assert.That(Output(rig), Is.EqualTo("0000001B 00000012 00000012 \n"));
        var state3 = Mem(rig, 0x800, 64);
        uint ptr = BitConverter.ToUInt32(state3, 0);
        Assert.That(Mem(rig, (ptr >> 16) * 16 + (ptr & 0xFFFF), 16),
            Is.EqualTo(new byte[] { 0xFF, 0xE0, 0x0F, 0, 0, 0, 0, 0x07, 0x02, 0x08, 0xFF, 0x0E, 0, 0, 0, 0 }), "static functionality table");
        Assert.That((state3[4], state3[5], state3[0x22], BitConverter.ToUInt16(state3, 0x23), state3[0x25]), Is.EqualTo(((byte)3, (byte)80, (byte)25, (ushort)16, (byte)8)));
        Assert.That((BitConverter.ToUInt16(state3, 0x27), state3[0x29], state3[0x2A], state3[0x2B], state3[0x2C], state3[0x2D], state3[0x31]),
            Is.EqualTo(((ushort)16, (byte)8, (byte)2, (byte)0, (byte)0, (byte)0x31, (byte)3)), "16 colours, 8 pages, 400 lines, block 0, blink + cursor emulation + all displays, 256 KiB");
        var state13 = Mem(rig, 0x840, 64);
        Assert.That((state13[4], BitConverter.ToUInt16(state13, 0x27), state13[0x29], state13[0x2A]), Is.EqualTo(((byte)0x13, (ushort)256, (byte)1, (byte)0)));
        var vga = rig.Board.Vga;
        // The grey-summed 13h set made DAC 4 (CGA red 2Ah, 0, 0) (77 * 42 + 128) / 256 = 13 = 0Dh; the
        // later mode sets ran with default palette loading off, so it and DAC 1 (set to 1, 2, 3) stay.
        Assert.That(vga.Dac[3..6], Is.EqualTo(new byte[] { 1, 2, 3 }), "default palette loading off kept DAC 1");
        Assert.That(vga.Dac[12..15], Is.EqualTo(new byte[] { 0x0D, 0x0D, 0x0D }), "grey-summed DAC 4");
        // 350-line mode 03h: 9x14 cells, EGA vertical timing (IBM mode 3*)
        Assert.That((vga.Misc, vga.Crtc[9], vga.Crtc[0x12], vga.Crtc[0x10]), Is.EqualTo(((byte)0xA7, (byte)0x4D, (byte)0x5D, (byte)0x83)));
        Assert.That((Bda(rig, 0x85, 2), Bda(rig, 0x84, 1), Bda(rig, 0x89, 1) & 0x90), Is.EqualTo((14u, 24u, 0u)));
        var t = TextScreen.Capture(vga)!;
        Assert.That((t.Columns, t.Rows), Is.EqualTo((80, 25)));
        Assert.That((vga.Crtc[0x0A], vga.Crtc[0x0B]), Is.EqualTo(((byte)6, (byte)7)), "no emulation: lines 6-7 as given");
        Assert.That(Bda(rig, 0x87, 1) & 1, Is.EqualTo(1u));
    }

    [Test]
    public void Save_restore_1Ch_round_trip()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x1C00);
            a.mov(cx, 7);
            a.@int(0x10);
            r.Hex(bx);
            a.mov(ax, 0x1000);
            a.mov(es, ax);
            a.mov(ax, 0x1C01);                  // save at 1000:0000
            a.mov(cx, 7);
            a.xor(bx, bx);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ax, 0x1010);                  // change the DAC, then everything by a mode set
            a.mov(bx, 7);
            a.mov(dh, 1);
            a.mov(cx, 0x0203);
            a.@int(0x10);
            a.mov(ax, 0x0012);
            a.@int(0x10);
            a.mov(ax, 0x1C02);
            a.mov(cx, 7);
            a.xor(bx, bx);
            a.@int(0x10);
            r.Hex(al);
        });
        // directory 20h + registers 50h + BIOS data 30h + DAC 310h = 3B0h: 15 blocks of 64 bytes
        Assert.That(Output(rig), Is.EqualTo("0000000F 0000001C 0000001C \n"));
        var vga = rig.Board.Vga;
        // Mode 03h's registers again (IBM VGA Technical Reference)
        Assert.That(vga.Misc, Is.EqualTo(0x67));
        Assert.That(vga.Seq[1..5], Is.EqualTo(new byte[] { 0x00, 0x03, 0x00, 0x02 }));
        Assert.That(vga.Crtc[0..0x19], Is.EqualTo(new byte[] { 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E,
            0x00, 0x00, 0x00, 0x50, 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF }), "with the cursor at row 1 (sign-on line)");
        Assert.That(vga.Attr[0..0x14], Is.EqualTo(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B,
            0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08 }));
        Assert.That(vga.Gc[0..9], Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 0x10, 0x0E, 0x0F, 0xFF }));
        Assert.That(vga.Dac[21..24], Is.EqualTo(new byte[] { 0x2A, 0x2A, 0x2A }), "DAC 7 as saved (EGA grey)");
        Assert.That(vga.Dac[0x3F * 3], Is.EqualTo(0x3F));
        Assert.That((Bda(rig, 0x49, 1), Bda(rig, 0x4A, 2), Bda(rig, 0x4C, 2), Bda(rig, 0x85, 2), Bda(rig, 0x50, 2)), Is.EqualTo((3u, 80u, 0x1000u, 16u, 0x0100u)));
        Assert.That(VgaGeometry.Decode(vga).Kind, Is.EqualTo(VgaDisplayKind.Text));
    }

    [Test]
    public void Alternate_select_12h_30h_200_line_text()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x1200);                  // 200 scan lines at the next text mode set
            a.mov(bl, 0x30);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ax, 0x0003);
            a.@int(0x10);
        });
        Assert.That(Output(rig), Is.EqualTo("00000012 \n"));
        var vga = rig.Board.Vga;
        // IBM mode 3 in 200 lines: 8x8 cells, 8-dot clock at 25 MHz, double scan
        Assert.That((vga.Misc, vga.Seq[1], vga.Crtc[9], vga.Crtc[0x0A], vga.Crtc[0x0B], vga.Attr[0x10] & 4),
            Is.EqualTo(((byte)0x63, (byte)0x01, (byte)0xC7, (byte)0x06, (byte)0x07, 0)));
        Assert.That((Bda(rig, 0x85, 2), Bda(rig, 0x84, 1), Bda(rig, 0x89, 1) & 0x90), Is.EqualTo((8u, 24u, 0x80u)));
        var t = TextScreen.Capture(vga)!;
        Assert.That((t.Columns, t.Rows), Is.EqualTo((80, 25)));
        var f8 = Font(8);
        var vram = vga.Vram.ToArray();
        Assert.That(Enumerable.Range(0, 8).Select(i => vram[(0x41 * 32 + i) * 4 + 2]), Is.EqualTo(f8[0x41]), "the 8x8 font in plane 2");
    }
}
