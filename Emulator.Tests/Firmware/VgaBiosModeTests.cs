using Emulator.Devices.Video;
using Iced.Intel;
using static Emulator.Tests.Firmware.VgaBiosTests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The VGA BIOS's standard modes beyond 03h/12h/13h: the CGA modes 04h and 06h (interleaved
/// banks at B8000), the monochrome text mode 07h (B0000, CRTC at 3B4h), 11h, planar text and
/// scrolling. Register values are the IBM VGA Technical Reference's; memory offsets and colours
/// are worked by hand from the CGA layout (even lines at 0, odd lines at 2000h, 80 bytes a line)
/// and the IBM default DAC tables (6-bit values, scaled to 8 bits as c &lt;&lt; 2 | c &gt;&gt; 4).
/// </summary>
public class VgaBiosModeTests
{
    const uint Black = 0xFF000000, White = 0xFFFFFFFF;

    static void SetMode(Assembler a, byte mode)
    {
        a.mov(ax, mode);
        a.@int(0x10);
    }

    static void Pixel(Assembler a, int x, int y, byte colour)
    {
        a.mov(ah, 0x0C);
        a.mov(al, colour);
        a.mov(bh, 0);
        a.mov(cx, (ushort)x);
        a.mov(dx, (ushort)y);
        a.@int(0x10);
    }

    static void ReadPixel(Assembler a, GuestReport r, int x, int y)
    {
        a.mov(ah, 0x0D);
        a.mov(bh, 0);
        a.mov(cx, (ushort)x);
        a.mov(dx, (ushort)y);
        a.@int(0x10);
        r.Hex(al);
    }

    static void ReadChar(Assembler a, GuestReport r, int row, int col)
    {
        SetCursor(a, row, col);
        a.mov(ah, 0x08);
        a.mov(bh, 0);
        a.@int(0x10);
        r.Hex(ax);
    }

    static void PutChar(Assembler a, int row, int col, char c, byte colour)
    {
        SetCursor(a, row, col);
        a.mov(ax, (ushort)(0x0900 | c));
        a.mov(bx, colour);
        a.mov(cx, 1);
        a.@int(0x10);
    }

    static byte Mem(BiosRig rig, ulong address) => (byte)rig.Machine.Memory.ReadSlow(address, 1);

    static VgaRenderer Render(BiosRig rig)
    {
        var renderer = new VgaRenderer(rig.Board.Vga);
        renderer.Render();
        return renderer;
    }

    [Test]
    public void Mode_04h_cga_4_colours_interleaved_at_B8000()
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, 0x04);
            a.mov(ax, 0x0E41);                  // 'A' in colour 3 at row 0, column 0
            a.mov(bx, 0x0003);
            a.@int(0x10);
            Pixel(a, 1, 100, 1);
            Pixel(a, 6, 101, 3);
            Pixel(a, 5, 101, 0x81);             // XOR 1 onto 0
            Pixel(a, 0, 102, 2);
            ReadPixel(a, r, 1, 100);
            ReadPixel(a, r, 6, 101);
            ReadPixel(a, r, 5, 101);
            ReadPixel(a, r, 0, 102);
            ReadPixel(a, r, 2, 100);
            ReadChar(a, r, 0, 0);
            PutChar(a, 24, 39, 'B', 2);
            a.mov(ax, 0x0601);                  // columns 30-39 up one line
            a.mov(bh, 0);
            a.mov(cx, 0x001E);
            a.mov(dx, 0x1827);
            a.@int(0x10);
            ReadChar(a, r, 23, 39);
            ReadChar(a, r, 24, 39);
        });
        Assert.That(Output(rig), Is.EqualTo("00000001 00000003 00000001 00000002 00000000 00000041 00000042 00000000 \n"));
        var vga = rig.Board.Vga;
        Assert.That(vga.Misc, Is.EqualTo(0x63));
        Assert.That(vga.Seq[1..5], Is.EqualTo(new byte[] { 0x09, 0x03, 0x00, 0x02 }));
        Assert.That((vga.Gc[5], vga.Gc[6], vga.Crtc[0x09], vga.Crtc[0x17], vga.Attr[0x10]), Is.EqualTo(((byte)0x30, (byte)0x0F, (byte)0xC1, (byte)0xA2, (byte)0x01)));
        Assert.That(vga.Attr[1..4], Is.EqualTo(new byte[] { 0x13, 0x15, 0x17 }));
        Assert.That((Bda(rig, 0x49, 1), Bda(rig, 0x4A, 2), Bda(rig, 0x65, 1), Bda(rig, 0x85, 2)), Is.EqualTo((4u, 40u, 0x2Au, 8u)));
        // (1,100): even line 100 -> bank 0, 50 * 80 = 4000; pixel 1 in bits 5-4.
        Assert.That(Mem(rig, 0xB8000 + 4000), Is.EqualTo(0x10));
        // (5,101) colour 1 and (6,101) colour 3: odd line -> 2000h + 4000 + 1; bits 5-4 and 3-2.
        Assert.That(Mem(rig, 0xB8000 + 0x2000 + 4001), Is.EqualTo(0x1C));
        Assert.That(Mem(rig, 0xB8000 + 4080), Is.EqualTo(0x80), "(0,102): line 51, colour 2 in bits 7-6");
        // 'A' (8x8 font: 38h, 6Ch) in colour 3: line 0 pixels 2-4, line 1 (odd bank) 1, 2, 4, 5.
        Assert.That(new[] { Mem(rig, 0xB8000), Mem(rig, 0xB8001), Mem(rig, 0xBA000), Mem(rig, 0xBA001) },
            Is.EqualTo(new byte[] { 0x0F, 0xC0, 0x3C, 0xF0 }));
        var pic = Render(rig);
        Assert.That((pic.Width, pic.Height), Is.EqualTo((320, 200)));
        uint P(int x, int y) => pic.Pixels[y * 320 + x];
        // palette 1, intensified: 13h -> CGA DAC (15,3F,3F) light cyan, 15h light magenta, 17h white
        Assert.That(new[] { P(1, 100), P(2, 100), P(0, 102), P(6, 101), P(5, 101), P(2, 0) },
            Is.EqualTo(new[] { 0xFF55FFFFu, Black, 0xFFFF55FFu, White, 0xFF55FFFFu, White }));
        // 'B' (8x8 line 0 FCh: pixels 312-317) moved up from row 24 (line 192) to row 23 (184).
        Assert.That(new[] { P(312, 184), P(317, 184), P(318, 184), P(312, 192) }, Is.EqualTo(new[] { 0xFFFF55FFu, 0xFFFF55FFu, Black, Black }));
    }

    [Test]
    public void Mode_06h_cga_2_colours()
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, 0x06);
            a.mov(ax, 0x0E41);
            a.mov(bx, 0x0001);
            a.@int(0x10);
            Pixel(a, 9, 3, 1);
            ReadPixel(a, r, 9, 3);
            ReadPixel(a, r, 10, 3);
            ReadChar(a, r, 0, 0);
        });
        Assert.That(Output(rig), Is.EqualTo("00000001 00000000 00000041 \n"));
        var vga = rig.Board.Vga;
        Assert.That(vga.Seq[1..5], Is.EqualTo(new byte[] { 0x01, 0x01, 0x00, 0x06 }));
        Assert.That((vga.Gc[5], vga.Gc[6], vga.Crtc[0x17], vga.Attr[0x12]), Is.EqualTo(((byte)0x00, (byte)0x0D, (byte)0xC2, (byte)0x01)));
        Assert.That(Mem(rig, 0xB8000 + 0x2000 + 80 + 1), Is.EqualTo(0x40), "(9,3): odd bank, line 1, byte 1, bit 6");
        Assert.That((Mem(rig, 0xB8000), Mem(rig, 0xBA000)), Is.EqualTo(((byte)0x38, (byte)0x6C)), "'A' lines 0 and 1");
        var pic = Render(rig);
        Assert.That((pic.Width, pic.Height), Is.EqualTo((640, 200)));
        Assert.That(new[] { pic.Pixels[3 * 640 + 9], pic.Pixels[3 * 640 + 10], pic.Pixels[2], pic.Pixels[1] },
            Is.EqualTo(new[] { White, Black, White, Black }));
    }

    [Test]
    public void Mode_07h_monochrome_text_at_B0000()
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, 0x07);
            a.mov(ax, 0x0E4D);                  // "Mo" keeping the cleared cells' attribute 07h
            a.mov(bx, 0);
            a.@int(0x10);
            a.mov(ax, 0x0E6F);
            a.@int(0x10);
            PutChar(a, 0, 5, 'X', 0x0F);        // bright
            SetCursor(a, 0, 2);
            a.mov(ah, 0x0F);
            a.@int(0x10);
            r.Hex(ax);
        });
        Assert.That(Output(rig), Is.EqualTo("00005007 \n"));
        var vga = rig.Board.Vga;
        Assert.That((vga.Misc, vga.Gc[6], vga.Attr[0x10]), Is.EqualTo(((byte)0x66, (byte)0x0A, (byte)0x0E)));
        Assert.That((Bda(rig, 0x63, 2), Bda(rig, 0x10, 1) & 0x30), Is.EqualTo((0x3B4u, 0x30u)), "CRTC at 3B4h; equipment: monochrome 80x25");
        Assert.That(new[] { Mem(rig, 0xB0000), Mem(rig, 0xB0001), Mem(rig, 0xB0002), Mem(rig, 0xB000A), Mem(rig, 0xB000B) },
            Is.EqualTo(new byte[] { (byte)'M', 0x07, (byte)'o', (byte)'X', 0x0F }));
        Assert.That((vga.Crtc[0x0E], vga.Crtc[0x0F]), Is.EqualTo(((byte)0, (byte)2)), "cursor through 3B4h/3B5h");
        var t = TextScreen.Capture(vga)!;
        Assert.That(t.RowText(0)[..6], Is.EqualTo("Mo   X"));
        Assert.That((t.CursorRow, t.CursorColumn, t.CursorVisible), Is.EqualTo((0, 2, true)));
        var pic = Render(rig);
        Assert.That((pic.Width, pic.Height), Is.EqualTo((720, 400)));
        // 07h -> palette 08h -> mono DAC 2Ah (normal); 0Fh -> 18h -> 3Fh (bright).
        var m = Cell(pic, 0, 0).Distinct().ToArray();
        var x = Cell(pic, 5, 0).Distinct().ToArray();
        Assert.That(m, Is.EquivalentTo(new[] { Black, 0xFFAAAAAAu }));
        Assert.That(x, Is.EquivalentTo(new[] { Black, White }));
    }

    static IEnumerable<uint> Cell(VgaRenderer pic, int col, int row)
    {
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 9; x++)
                yield return pic.Pixels[(row * 16 + y) * pic.Width + col * 9 + x];
    }

    [Test]
    public void Mode_11h_640x480_2_colours()
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, 0x11);
            Pixel(a, 639, 479, 1);
            ReadPixel(a, r, 639, 479);
            ReadPixel(a, r, 638, 479);
        });
        Assert.That(Output(rig), Is.EqualTo("00000001 00000000 \n"));
        var vga = rig.Board.Vga;
        Assert.That((vga.Misc, vga.Attr[1], vga.Attr[0x0F], vga.Crtc[0x12]), Is.EqualTo(((byte)0xE3, (byte)0x3F, (byte)0x3F, (byte)0xDF)));
        Assert.That(vga.Vram[(479 * 80 + 79) * 4] & 1, Is.EqualTo(1), "plane 0, offset 479 * 80 + 79, bit 0");
        var pic = Render(rig);
        Assert.That((pic.Width, pic.Height), Is.EqualTo((640, 480)));
        Assert.That((pic.Pixels[479 * 640 + 639], pic.Pixels[479 * 640 + 638]), Is.EqualTo((White, Black)));
    }

    [Test]
    public void Mode_12h_text_scroll_and_read_character()
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, 0x12);
            PutChar(a, 1, 0, 'A', 0x0E);
            a.mov(ax, 0x0601);                  // the whole screen up one line, new line blue
            a.mov(bh, 0x01);
            a.xor(cx, cx);
            a.mov(dx, 0x1D4F);
            a.@int(0x10);
            ReadChar(a, r, 0, 0);
            ReadChar(a, r, 1, 0);
            ReadPixel(a, r, 3, 2);              // 8x16 'A' line 2 = 10h: pixel 3
            ReadPixel(a, r, 2, 2);
            ReadPixel(a, r, 0, 479);
            ReadPixel(a, r, 0, 463);
            foreach (var (i, b) in new byte[] { (byte)'A', 0x0C, (byte)'B', 0x0A }.Select((b, i) => (i, b)))
                a.mov(__byte_ptr[0x700 + i], b);
            a.mov(ax, 0x1303);                  // string of character/colour pairs at row 2, cursor moves
            a.mov(bx, 0);
            a.mov(cx, 2);
            a.mov(dx, 0x0200);
            a.mov(bp, 0x700);
            a.@int(0x10);
            a.mov(ah, 0x03);
            a.mov(bh, 0);
            a.@int(0x10);
            r.Hex(dx);
            ReadPixel(a, r, 3, 34);             // 'A' line 2 in light red
            ReadChar(a, r, 2, 1);
        });
        Assert.That(Output(rig), Is.EqualTo("00000041 00000000 0000000E 00000000 00000001 00000000 00000202 0000000C 00000042 \n"));
    }

    // Mode, picture size (IBM VGA Technical Reference: 9-dot text cells, double-scanned 200-line
    // modes), and the pixel read back after writing colour 5 (CGA 4-colour: its low 2 bits).
    [TestCase(0x00, 360, 400, -1)]
    [TestCase(0x02, 720, 400, -1)]
    [TestCase(0x05, 320, 200, 1)]
    [TestCase(0x0D, 320, 200, 5)]
    [TestCase(0x0E, 640, 200, 5)]
    [TestCase(0x0F, 640, 350, 5)]
    [TestCase(0x10, 640, 350, 5)]
    public void Other_standard_modes_geometry_and_pixels(int mode, int width, int height, int readBack)
    {
        var rig = Boot((a, r) =>
        {
            SetMode(a, (byte)mode);
            if (readBack >= 0)
            {
                Pixel(a, 7, 9, 5);
                ReadPixel(a, r, 7, 9);
                ReadPixel(a, r, 8, 9);
            }
            a.mov(ah, 0x0F);
            a.@int(0x10);
            r.Hex(ax);
        });
        int cols = width / (mode <= 2 ? 9 : 8);
        string pixels = readBack >= 0 ? $"{readBack:X8} 00000000 " : "";
        Assert.That(Output(rig), Is.EqualTo($"{pixels}{(Math.Min(cols, 80) << 8 | mode):X8} \n"));
        var pic = Render(rig);
        Assert.That((pic.Width, pic.Height), Is.EqualTo((width, height)));
        Assert.That(Bda(rig, 0x63, 2), Is.EqualTo(mode == 0x0F ? 0x3B4u : 0x3D4u));
    }
}
