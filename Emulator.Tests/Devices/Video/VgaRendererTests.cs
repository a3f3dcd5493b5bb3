using Emulator.Devices.Video;

namespace Emulator.Tests.Devices.Video;

/// <summary>Rendered pixels compared with pictures the tests compute from the registers and memory they set.</summary>
public class VgaRendererTests
{
    static readonly byte[] GlyphA = [0x00, 0x00, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE, 0xC6, 0xC6, 0xC6, 0xC6, 0x00, 0x00, 0x00, 0x00];
    const uint Black = 0xFF00_0000;

    static VgaRig TextRig()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode03);
        r.LoadGlyph(0x41, GlyphA);
        var box = new byte[16];
        box[7] = 0xFF;                                          // '─' (C4h): a line through row 7
        r.LoadGlyph(0xC4, box);
        r.Dac(0x3E, 63, 63, 0);                                 // attribute palette 0Eh -> DAC 3Eh
        r.Dac(0x01, 0, 0, 42);                                  // palette 01h -> DAC 01h
        r.Dac(0x07, 42, 42, 42);
        return r;
    }

    static void PutChar(VgaRig r, int col, int row, byte ch, byte attr)
    {
        uint a = (uint)(0xB8000 + (row * 80 + col) * 2);
        r.Poke(a, ch);
        r.Poke(a + 1, attr);
    }

    /// <summary>The 9x16 cell a test expects: glyph rows, foreground and background, and the 9th column rule.</summary>
    static void AssertCell(VgaRenderer v, int col, int row, byte[] glyph, uint fg, uint bg, bool ninthFromEighth)
    {
        for (int line = 0; line < 16; line++)
            for (int x = 0; x < 9; x++)
            {
                bool on = x < 8 ? (glyph[line] & (0x80 >> x)) != 0 : ninthFromEighth && (glyph[line] & 1) != 0;
                Assert.That(v.Pixels[(row * 16 + line) * v.Width + col * 9 + x], Is.EqualTo(on ? fg : bg), $"cell ({col},{row}) line {line} x {x}");
            }
    }

    [Test]
    public void TextCellWithGlyphAttributesAndLineGraphicsColumn()
    {
        var r = TextRig();
        PutChar(r, 2, 1, 0x41, 0x1E);
        PutChar(r, 3, 1, 0xC4, 0x1E);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((720, 400, VgaDisplayKind.Text)));
        uint yellow = VgaRig.Rgb6(63, 63, 0), blue = VgaRig.Rgb6(0, 0, 42);
        AssertCell(v, 2, 1, GlyphA, yellow, blue, ninthFromEighth: false);
        var box = new byte[16]; box[7] = 0xFF;
        AssertCell(v, 3, 1, box, yellow, blue, ninthFromEighth: true);
        // Line graphics off (attribute mode control bit 2): the 9th column is background.
        r.Attr(0x10, 0x08);
        v.Render();
        AssertCell(v, 3, 1, box, yellow, blue, ninthFromEighth: false);
    }

    [Test]
    public void TextCursorAndBlinkFollowVirtualTime()
    {
        var r = TextRig();
        PutChar(r, 6, 1, 0x41, 0x9E);                           // blinking yellow on blue
        PutChar(r, 5, 1, 0x20, 0x07);                           // a blank (no glyph loaded), grey on black
        r.Crtc(0x0E, 0); r.Crtc(0x0F, 85);                      // cursor at column 5, row 1
        var v = new VgaRenderer(r.Vga);
        v.Render();
        uint grey = VgaRig.Rgb6(42, 42, 42);
        // Cursor lines 0Dh-0Eh in the foreground of the cell's attribute (07h: grey on black).
        var cursor = new byte[16];
        cursor[13] = cursor[14] = 0xFF;
        AssertCell(v, 5, 1, cursor, grey, Black, ninthFromEighth: true);
        AssertCell(v, 6, 1, GlyphA, VgaRig.Rgb6(63, 63, 0), VgaRig.Rgb6(0, 0, 42), false);

        long frame = 31777L * 449;                              // mode 03h frame (see the status 1 test)
        r.Clock.AdvanceTo(16 * frame + 1);                      // character blink off, cursor on again
        var rect = v.Render();
        Assert.That(rect, Is.EqualTo(new DirtyRect(54, 16, 9, 16)), "only the blinking cell changed");
        AssertCell(v, 6, 1, new byte[16], 0, VgaRig.Rgb6(0, 0, 42), false);
        r.Clock.AdvanceTo(24 * frame + 1);                      // cursor off
        v.Render();
        AssertCell(v, 5, 1, new byte[16], grey, Black, false);
    }

    [Test]
    public void MonochromeAttributesUnderlineAtTheUnderlineLocation()
    {
        var r = TextRig();
        r.Attr(0x10, 0x0E);                                     // monochrome attributes (bit 1), as mode 07h
        r.Crtc(0x14, 0x0D);                                     // underline location: line 13
        r.Dac(0x39, 63, 63, 63);                                // attribute palette 09h -> DAC 39h
        PutChar(r, 0, 2, 0x41, 0x01);                           // foreground 1, background 0: underlined
        PutChar(r, 1, 2, 0x41, 0x07);                           // normal
        PutChar(r, 2, 2, 0x41, 0x09);                           // bright underlined
        PutChar(r, 3, 2, 0x41, 0x71);                           // background 7: not underlined
        var v = new VgaRenderer(r.Vga);
        v.Render();
        uint blue = VgaRig.Rgb6(0, 0, 42), grey = VgaRig.Rgb6(42, 42, 42), white = VgaRig.Rgb6(63, 63, 63);
        var underlined = (byte[])GlyphA.Clone();
        underlined[13] = 0xFF;                                  // the whole 9-dot cell width
        AssertCell(v, 0, 2, underlined, blue, Black, ninthFromEighth: true);
        AssertCell(v, 1, 2, GlyphA, grey, Black, ninthFromEighth: false);
        AssertCell(v, 2, 2, underlined, white, Black, ninthFromEighth: true);
        AssertCell(v, 3, 2, GlyphA, blue, grey, ninthFromEighth: false);
        // Colour attributes (bit 1 clear): no underline.
        r.Attr(0x10, 0x0C);
        v.Render();
        AssertCell(v, 0, 2, GlyphA, blue, Black, ninthFromEighth: false);
    }

    [Test]
    public void BorderColourIsTheDacEntryTheOverscanRegisterSelects()
    {
        var r = TextRig();
        r.Dac(0x2A, 10, 20, 30);
        r.Dac(0x0A, 1, 2, 3);
        r.Attr(0x11, 0x2A);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That(v.BorderColor, Is.EqualTo(VgaRig.Rgb6(10, 20, 30)), "DAC 2Ah, not attribute palette entry 0Ah");
        r.Out(0x3C6, 0x0F);                                     // pel mask: 2Ah & 0Fh = 0Ah
        v.Render();
        Assert.That(v.BorderColor, Is.EqualTo(VgaRig.Rgb6(1, 2, 3)));
        r.Seq(1, 0x20);                                         // screen off: no border either
        v.Render();
        Assert.That(v.BorderColor, Is.EqualTo(Black));
    }

    [Test]
    public void TextRedrawsOnlyChangedCells()
    {
        var r = TextRig();
        r.Crtc(0x0A, 0x20);                                     // cursor off
        var v = new VgaRenderer(r.Vga);
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 0, 720, 400)));
        Assert.That(v.Render().IsEmpty, Is.True);
        PutChar(r, 10, 20, 0x41, 0x07);
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(90, 320, 9, 16)));
        r.Crtc(0x0A, 0x0D);                                     // cursor on at cell 0 (location 0)
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 0, 9, 16)));
        r.Crtc(0x0F, 81);                                       // moved to (1, 1): two cells change
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 0, 18, 32)));
        r.Crtc(0x0A, 0x00);                                     // shape: block
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(9, 16, 9, 16)));
        r.Dac(0x07, 1, 1, 1);
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 0, 720, 400)), "a palette change redraws all");
    }

    [Test]
    public void TextSnapshotShowsCharactersAttributesAndCursor()
    {
        var r = TextRig();
        PutChar(r, 0, 3, (byte)'O', 0x1F);
        PutChar(r, 1, 3, (byte)'K', 0x1F);
        r.Crtc(0x0E, (3 * 80 + 2) >> 8); r.Crtc(0x0F, (3 * 80 + 2) & 0xFF);
        var t = TextScreen.Capture(r.Vga)!;
        Assert.That((t.Columns, t.Rows), Is.EqualTo((80, 25)));
        Assert.That(t.RowText(3)[..2], Is.EqualTo("OK"));
        Assert.That(t.Attribute(1, 3), Is.EqualTo(0x1F));
        Assert.That((t.CursorColumn, t.CursorRow, t.CursorVisible), Is.EqualTo((2, 3, true)));
        r.Crtc(0x0A, 0x2D);
        Assert.That(TextScreen.Capture(r.Vga)!.CursorVisible, Is.False);
        r.SetMode(VgaRig.Mode13);
        Assert.That(TextScreen.Capture(r.Vga), Is.Null);
    }

    [Test]
    public void Mode13PixelPanningAndSplitScreen()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode13);
        r.Dac(0x2A, 10, 20, 30);
        r.Poke(0xA0000 + 320 * 7 + 13, 0x2A);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((320, 200, VgaDisplayKind.Colors256)));
        Assert.That(v.Pixels[7 * 320 + 13], Is.EqualTo(VgaRig.Rgb6(10, 20, 30)));
        Assert.That(v.Pixels[7 * 320 + 12], Is.EqualTo(Black));
        r.Attr(0x13, 2);                                        // pel panning 2: one 256-colour pixel
        v.Render();
        Assert.That(v.Pixels[7 * 320 + 12], Is.EqualTo(VgaRig.Rgb6(10, 20, 30)));
        r.Attr(0x13, 0);

        // Split screen: start at memory row 10; the lines beneath line compare 99 (from scan line 100,
        // output row 50) restart at address 0.
        r.Dac(5, 1, 0, 0); r.Dac(6, 0, 1, 0);
        r.Poke(0xA0000, 5);                                     // memory row 0
        r.Poke(0xA0000 + 320 * 59, 6);                          // memory row 59 = output row 49 from start row 10
        r.Crtc(0x0C, 800 >> 8); r.Crtc(0x0D, 800 & 0xFF);       // 800 double words = 10 rows
        r.Crtc(0x07, 0x0F); r.Crtc(0x09, 0x01); r.Crtc(0x18, 99);
        v.Render();
        Assert.That(v.Pixels[49 * 320], Is.EqualTo(VgaRig.Rgb6(0, 1, 0)));
        Assert.That(v.Pixels[50 * 320], Is.EqualTo(VgaRig.Rgb6(1, 0, 0)));
    }

    [Test]
    public void TextPresetRowScanPelPanningAndSplitScreen()
    {
        var r = TextRig();
        uint yellow = VgaRig.Rgb6(63, 63, 0), blue = VgaRig.Rgb6(0, 0, 42);
        PutChar(r, 0, 0, 0x41, 0x1E);
        r.Crtc(0x0A, 0x20);                                     // cursor off (it sits on cell 0)
        var v = new VgaRenderer(r.Vga);

        // Preset row scan 2 (CRTC 08h): the first row starts at its third scan line, so output line l
        // of row 0 is glyph line l + 2, and row 1 (blank, black) starts at output line 14.
        r.Crtc(0x08, 2);
        v.Render();
        for (int l = 0; l < 14; l++)
            for (int x = 0; x < 8; x++)
                Assert.That(v.Pixels[l * 720 + x], Is.EqualTo((GlyphA[l + 2] & (0x80 >> x)) != 0 ? yellow : blue), $"line {l} x {x}");
        Assert.That(v.Pixels[14 * 720], Is.EqualTo(Black));

        // Pel panning 0 with 9-dot cells shifts one pixel left: output x is cell pixel x + 1, so
        // x 7 shows the (background) 9th column and x 8 the next cell's first pixel.
        r.Crtc(0x08, 0);
        r.Attr(0x13, 0);
        v.Render();
        for (int x = 0; x < 7; x++)
            Assert.That(v.Pixels[5 * 720 + x], Is.EqualTo((GlyphA[5] & (0x80 >> (x + 1))) != 0 ? yellow : blue), $"x {x}");
        Assert.That(v.Pixels[5 * 720 + 7], Is.EqualTo(blue));
        Assert.That(v.Pixels[5 * 720 + 8], Is.EqualTo(Black));

        // Split screen: start at row 5; the lines beneath line compare 191 (rows 12 on) come from address 0.
        r.Attr(0x13, 8);
        PutChar(r, 3, 5, 0x41, 0x1E);                          // memory row 5 = output row 0
        PutChar(r, 3, 0, 0x41, 0x1E);                          // memory row 0 = output row 12
        r.Crtc(0x0C, 400 >> 8); r.Crtc(0x0D, 400 & 0xFF);
        r.Crtc(0x07, 0x0F); r.Crtc(0x09, 0x0F); r.Crtc(0x18, 191);
        v.Render();
        AssertCell(v, 3, 0, GlyphA, yellow, blue, ninthFromEighth: false);
        AssertCell(v, 3, 12, GlyphA, yellow, blue, ninthFromEighth: false);
        AssertCell(v, 0, 12, GlyphA, yellow, blue, ninthFromEighth: false);
        Assert.That(v.Pixels[11 * 16 * 720 + 3 * 9 + 3], Is.EqualTo(Black), "row 11 is memory row 16, empty");
    }

    [Test]
    public void ModeXUnchainedPixel()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode13);
        r.Seq(4, 0x06);                                         // chain 4 off
        r.Crtc(0x14, 0x00); r.Crtc(0x17, 0xE3);                 // byte mode
        r.Dac(0x40, 0, 63, 0);
        r.Seq(2, 1 << (13 & 3));                                // pixel (13, 7): plane 1, offset 7*80 + 3
        r.Poke(0xA0000 + 7 * 80 + 13 / 4, 0x40);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height), Is.EqualTo((320, 200)));
        Assert.That(v.Pixels[7 * 320 + 13], Is.EqualTo(VgaRig.Rgb6(0, 63, 0)));
        Assert.That(v.Pixels[7 * 320 + 12], Is.EqualTo(Black));
    }

    [Test]
    public void Mode12PlanarPixelThroughWriteMode2()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode12);
        r.Dac(0x39, 1, 2, 3);                                   // attribute palette 9 -> DAC 39h
        int x = 10, y = 5;
        r.Peek((uint)(0xA0000 + y * 80 + x / 8));               // latches
        r.Gc(5, 0x02); r.Gc(8, (byte)(0x80 >> (x & 7)));
        r.Poke((uint)(0xA0000 + y * 80 + x / 8), 0x09);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((640, 480, VgaDisplayKind.Planar16)));
        Assert.That(v.Pixels[y * 640 + x], Is.EqualTo(VgaRig.Rgb6(1, 2, 3)));
        Assert.That(v.Pixels[y * 640 + x + 1], Is.EqualTo(Black));
        r.Attr(0x12, 0x06);                                     // colour plane enable: planes 1, 2 only -> colour 0
        v.Render();
        Assert.That(v.Pixels[y * 640 + x], Is.EqualTo(Black));
    }

    [Test]
    public void Cga4ColourInterleavedRows()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode04);
        r.Dac(0x13, 5, 0, 0); r.Dac(0x15, 0, 5, 0); r.Dac(0x17, 0, 0, 5);
        r.Poke(0xB8000, 0x1B);                                  // pixels 0-3: colours 0, 1, 2, 3
        r.Poke(0xB8001, 0xC0);                                  // pixel 4: colour 3
        r.Poke(0xBA000, 0x80);                                  // row 1 lives at +2000h: pixel 0 colour 2
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((320, 200, VgaDisplayKind.Cga4)));
        Assert.That(v.Pixels.AsSpan(0, 5).ToArray(), Is.EqualTo(new[]
            { Black, VgaRig.Rgb6(5, 0, 0), VgaRig.Rgb6(0, 5, 0), VgaRig.Rgb6(0, 0, 5), VgaRig.Rgb6(0, 0, 5) }));
        Assert.That(v.Pixels[320], Is.EqualTo(VgaRig.Rgb6(0, 5, 0)));
    }

    [Test]
    public void Cga2ColourMode6()
    {
        var r = new VgaRig();
        r.SetMode(new VgaRig.ModeTable(0x63,
            [0x01, 0x01, 0x01, 0x00, 0x06],
            [0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0xC1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E, 0x8F, 0x28, 0x00, 0x96, 0xB9, 0xC2, 0xFF],
            [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0D, 0x00, 0xFF],
            [0x00, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x17, 0x01, 0x00, 0x01, 0x00, 0x00]));
        r.Dac(0x17, 63, 63, 63);
        r.Poke(0xB8000, 0x81);
        r.Poke(0xBA000 + 1, 0x01);                              // row 1, pixel 15
        var v = new VgaRenderer(r.Vga);
        v.Render();
        uint white = VgaRig.Rgb6(63, 63, 63);
        Assert.That((v.Width, v.Height), Is.EqualTo((640, 200)));
        Assert.That(new[] { v.Pixels[0], v.Pixels[1], v.Pixels[7], v.Pixels[640 + 15], v.Pixels[640] },
            Is.EqualTo(new[] { white, Black, white, white, Black }));
    }

    static VgaRig VbeRig(int w, int h, int bpp, uint lfb = 0xE000_0000)
    {
        var r = new VgaRig();
        r.Vga.WriteConfig(0x10, 4, lfb);
        r.Vga.WriteConfig(0x04, 2, 0x0002);
        r.DispiW(StdVga.DispiXres, (ushort)w); r.DispiW(StdVga.DispiYres, (ushort)h); r.DispiW(StdVga.DispiBpp, (ushort)bpp);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn | StdVga.EnableLfb);
        return r;
    }

    [Test]
    public void Vbe32BppWithVirtualWidthAndOffsets()
    {
        var r = VbeRig(640, 480, 32);
        r.Memory.WriteSlow(0xE000_0000 + (5 * 640 + 10) * 4, 4, 0x0012_3456);
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((640, 480, VgaDisplayKind.Vbe)));
        Assert.That(v.Pixels[5 * 640 + 10], Is.EqualTo(0xFF12_3456u));
        r.DispiW(StdVga.DispiVirtWidth, 800);
        r.DispiW(StdVga.DispiXOffset, 3); r.DispiW(StdVga.DispiYOffset, 2);
        r.Memory.WriteSlow(0xE000_0000 + ((1 + 2) * 800 + 1 + 3) * 4, 4, 0x00AB_CDEF);
        v.Render();
        Assert.That(v.Pixels[1 * 640 + 1], Is.EqualTo(0xFFAB_CDEFu));
    }

    [Test]
    public void VbeDepths8To24()
    {
        var r = VbeRig(16, 4, 16);
        r.Memory.WriteSlow(0xE000_0000, 2, 0xF800);             // 5:6:5 red
        r.Memory.WriteSlow(0xE000_0002, 2, 0x07E0);             // green
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That(v.Pixels[..2], Is.EqualTo(new[] { 0xFFFF_0000u, 0xFF00_FF00u }));
        r.DispiW(StdVga.DispiBpp, 15);
        r.Memory.WriteSlow(0xE000_0000, 2, 0x7C00);             // 5:5:5 red
        r.Memory.WriteSlow(0xE000_0002, 2, 0x0010);             // blue 10h -> 84h
        v.Render();
        Assert.That(v.Pixels[..2], Is.EqualTo(new[] { 0xFFFF_0000u, 0xFF00_0084u }));
        r.DispiW(StdVga.DispiBpp, 24);
        r.Memory.Write(0xE000_0000, new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06 });
        v.Render();
        Assert.That(v.Pixels[..2], Is.EqualTo(new[] { 0xFF03_0201u, 0xFF06_0504u }));
        r.DispiW(StdVga.DispiBpp, 8);
        r.Dac(0x01, 63, 0, 0);
        r.Memory.WriteSlow(0xE000_0000, 1, 0x01);
        v.Render();
        Assert.That(v.Pixels[0], Is.EqualTo(0xFFFF_0000u));
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn | StdVga.EnableLfb | StdVga.Enable8BitDac | StdVga.EnableNoClearMem);
        r.Dac(0x01, 0x80, 0x40, 0x20);                          // 8-bit DAC: components as written
        v.Render();
        Assert.That(v.Pixels[0], Is.EqualTo(0xFF80_4020u));
    }

    [Test]
    public void Vbe4BppIsThePlanarPipelineWithBanksAndDisplayStart()
    {
        // VBE 1.2 mode 102h as a VBE BIOS sets it: VGA mode 12h's planar registers, then DISPI
        // 800x600 at 4 bpp. A line is 800 / 8 = 100 plane offsets (400 VRAM bytes).
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode12);
        r.Dac(0x3E, 63, 63, 21);                                  // attribute 0Eh -> DAC 3Eh
        r.Dac(0x39, 21, 21, 63);                                  // attribute 09h -> DAC 39h
        r.Dac(0x00, 0, 0, 0);
        r.DispiW(StdVga.DispiXres, 800); r.DispiW(StdVga.DispiYres, 600); r.DispiW(StdVga.DispiBpp, 4);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn);
        Assert.That((r.Vga.VbeLineBytes, r.DispiR(StdVga.DispiVirtWidth)), Is.EqualTo((400, (ushort)800)));
        // Write mode 2: the byte's low nibble is the colour of the pixels the bit mask selects.
        r.Gc(5, 0x02);
        void Pixel(int offset, byte mask, byte colour)
        {
            r.Gc(8, mask);
            r.Peek((uint)(0xA0000 + offset));                     // load the latches
            r.Poke((uint)(0xA0000 + offset), colour);
        }
        Pixel(0, 0x80, 0x0E);                                     // (0, 0)
        Pixel(599 * 100 + 99, 0x01, 0x09);                        // (799, 599)
        Assert.That((r.Plane(0, 0), r.Plane(1, 0), r.Plane(2, 0), r.Plane(3, 0)), Is.EqualTo(((byte)0, (byte)0x80, (byte)0x80, (byte)0x80)));
        var v = new VgaRenderer(r.Vga);
        v.Render();
        uint yellow = VgaRig.Rgb6(63, 63, 21), blue = VgaRig.Rgb6(21, 21, 63);
        Assert.That((v.Width, v.Height, v.Kind), Is.EqualTo((800, 600, VgaDisplayKind.Vbe)));
        Assert.That((v.Pixels[0], v.Pixels[1], v.Pixels[599 * 800 + 799], v.Pixels[599 * 800 + 798]), Is.EqualTo((yellow, Black, blue, Black)));
        // Bank 1 is plane offset 65536 = line 655, byte 36 (x 288); a display start of line 600
        // shows it on row 55. Plane offsets past 64 KiB are reachable only through the bank.
        r.DispiW(StdVga.DispiBank, 1);
        Pixel(0, 0x80, 0x09);
        Assert.That(r.Plane(0, 65536), Is.EqualTo(0x80));
        r.DispiW(StdVga.DispiYOffset, 600);
        Assert.That(r.Vga.VbeStart, Is.EqualTo(600L * 400));
        v.Render();
        Assert.That((v.Pixels[55 * 800 + 288], v.Pixels[55 * 800 + 289], v.Pixels[0]), Is.EqualTo((blue, Black, Black)));
        // Reads through the bank come from the same planes (read mode 0, read map 0).
        r.Gc(5, 0x00); r.Gc(4, 0);
        Assert.That(r.Peek(0xA0000), Is.EqualTo(0x80));
    }

    [Test]
    public void VbeRedrawsRowsOfWrittenPagesAndRearmedPages()
    {
        var r = VbeRig(640, 480, 32);
        var v = new VgaRenderer(r.Vga);
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 0, 640, 480)));
        Assert.That(v.Render().IsEmpty, Is.True);
        uint row100 = 0xE000_0000 + 100 * 640 * 4;
        r.Memory.WriteSlow(row100 + 8, 4, 0x00FF_FFFF);
        var rect = v.Render();
        // Row 100 starts at byte 256000, in page 62 (253952-258047), which rows 99 and 100 read.
        Assert.That(rect, Is.EqualTo(new DirtyRect(0, 99, 640, 2)));
        Assert.That(v.Pixels[100 * 640 + 2], Is.EqualTo(0xFFFF_FFFFu));
        // The page is writable now (a TLB may map it): a second write is not reported at once...
        r.Memory.WriteSlow(row100 + 12, 4, 0x0000_00FF);
        Assert.That(v.Render().IsEmpty, Is.True);
        // ...but at the next refresh, when the page is re-armed.
        var due = r.Clock.PendingEvents.Single(e => e.Name == "vga-refresh").Due;
        r.Clock.AdvanceTo(due);
        r.Clock.RunDue();
        Assert.That(v.Render(), Is.EqualTo(new DirtyRect(0, 99, 640, 2)));
        Assert.That(v.Pixels[100 * 640 + 3], Is.EqualTo(0xFF00_00FFu));
        // Nothing written since: the refresh stops, nothing more to draw.
        due = r.Clock.PendingEvents.Single(e => e.Name == "vga-refresh").Due;
        r.Clock.AdvanceTo(due);
        r.Clock.RunDue();
        Assert.That(r.Clock.PendingEvents.Any(e => e.Name == "vga-refresh"), Is.False);
        Assert.That(v.Render().IsEmpty, Is.True);
    }

    [Test]
    public void BlankWhilePaletteAddressSourceIsClear()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode13);
        r.Dac(1, 63, 63, 63);
        r.Poke(0xA0000, 1);
        r.In(0x3DA);
        r.Out(0x3C0, 0x00);                                     // PAS clear
        var v = new VgaRenderer(r.Vga);
        v.Render();
        Assert.That(v.Kind, Is.EqualTo(VgaDisplayKind.Blank));
        Assert.That(v.Pixels[0], Is.EqualTo(0u));
    }
}
