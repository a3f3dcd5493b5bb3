namespace Emulator.Devices.Video;

/// <summary>A rectangle of a rendered picture, in pixels; empty when <see cref="Width"/> or <see cref="Height"/> is 0.</summary>
public readonly record struct DirtyRect(int X, int Y, int Width, int Height)
{
    public bool IsEmpty => Width <= 0 || Height <= 0;
}

/// <summary>
/// Turns the <see cref="StdVga"/>'s current mode into 32-bit pixels, for a frontend thread.
/// </summary>
/// <remarks>
/// <para>Use: one renderer per frontend; call <see cref="Render"/> at the frontend's frame rate,
/// then copy <see cref="DirtyRect"/> of <see cref="Pixels"/> (row-major, stride
/// <see cref="Width"/>) to the screen. <see cref="Pixels"/> is reallocated when the size changes.
/// Pixel format: each <c>uint</c> is 0xFFRRGGBB (alpha 0xFF), i.e. bytes B, G, R, A in memory on
/// a little-endian host: SDL's <c>SDL_PIXELFORMAT_ARGB8888</c>. The picture is the mode's logical
/// resolution (320x200 for mode 13h, 720x400 for 80x25 text with 9-dot cells); the frontend
/// scales it to the screen's 4:3 aspect.</para>
/// <para>Threads: the machine thread keeps writing registers and VRAM while this runs and takes
/// no lock; a frame may be torn, but every index is masked or bounds-checked, so it never throws.</para>
/// <para>What is redrawn: everything when the geometry (mode, size, start address, panning,
/// cursor shape...), the palette (DAC, attribute palette, pel mask) or the font changed;
/// otherwise in text modes the cells whose character, attribute, cursor or blink state changed,
/// and in graphics and VBE modes the rows that read a VRAM page written since the last call.</para>
/// <para>Drawn: text (8/9-dot cells, line-graphics 9th column, fonts A/B from plane 2, blink
/// and cursor in virtual time: cursor every 16 frames, characters every 32), CGA 2- and 4-colour,
/// planar 16-colour, 256-colour chained and unchained, start address, byte and horizontal pel
/// panning, preset row scan, line compare (split screen) with its optional panning reset, double
/// scan and maximum scan line, VBE 8/15/16/24/32 bpp with virtual width and X/Y offsets, VBE 4 bpp
/// through the planar pipeline, the MDA underline of monochrome text attributes. A text
/// screen that pans, scrolls smoothly or splits is drawn scan line by scan line, the others cell by
/// cell. The overscan border is not part of the picture: <see cref="BorderColor"/> gives its
/// colour for the frontend to fill around it.</para>
/// </remarks>
public sealed unsafe class VgaRenderer
{
    readonly StdVga vga;
    readonly ulong[] dirtyPages;
    readonly byte[] dacCopy = new byte[768];
    readonly byte[] attrCopy = new byte[32];
    byte pelMaskCopy;
    bool dac8Copy;
    readonly uint[] palette = new uint[256];
    VgaGeometry geometry;
    bool first = true;
    int fontVersion;
    int[] cells = [];               // text: last drawn (char | attr << 8 | cursor << 16 | blink-hidden << 17 | cursor shape << 18)
    uint[] rowBuffer = new uint[64];

    public VgaRenderer(StdVga vga)
    {
        this.vga = vga;
        dirtyPages = new ulong[vga.DirtyWords];
    }

    /// <summary>The picture, <see cref="Width"/> x <see cref="Height"/>, 0xFFRRGGBB per pixel.</summary>
    public uint[] Pixels { get; private set; } = [];
    public int Width { get; private set; }
    public int Height { get; private set; }

    /// <summary>What the last <see cref="Render"/> showed.</summary>
    public VgaDisplayKind Kind => geometry.Kind;

    /// <summary>
    /// The overscan (border) colour of the last <see cref="Render"/>, 0xFFRRGGBB: the DAC entry the
    /// attribute controller's Overscan Color register (index 11h) selects, through the pel mask
    /// (IBM VGA Technical Reference: the register's 8 bits address the DAC directly). Black when
    /// the screen is blank or in a packed-pixel VBE mode, where the attribute controller is out
    /// of the picture.
    /// </summary>
    public uint BorderColor { get; private set; } = 0xFF00_0000;

    /// <summary>
    /// Draws what changed since the previous call and returns the bounding rectangle of the
    /// changes (empty when nothing changed).
    /// </summary>
    public DirtyRect Render()
    {
        Array.Clear(dirtyPages);
        vga.TakeDirtyPages(dirtyPages);
        var g = VgaGeometry.Decode(vga);
        // The cursor's place and shape are drawn per cell (part of each cell's key), so moving it
        // redraws two cells rather than the screen.
        bool full = first || WithoutCursor(g) != WithoutCursor(geometry);
        full |= RefreshPalette();
        if (g.Kind == VgaDisplayKind.Text && vga.FontVersion != fontVersion)
        {
            fontVersion = vga.FontVersion;
            full = true;
        }
        first = false;
        geometry = g;
        BorderColor = g.Kind == VgaDisplayKind.Blank || (g.Kind == VgaDisplayKind.Vbe && g.Bpp != 4)
            ? 0xFF00_0000 : palette[attrCopy[0x11] & pelMaskCopy];
        if (g.Width != Width || g.Height != Height || Pixels.Length != g.Width * g.Height)
        {
            Width = g.Width;
            Height = g.Height;
            Pixels = new uint[Width * Height];
            full = true;
        }
        if (rowBuffer.Length < Width + 64) rowBuffer = new uint[Width + 64];
        int top = int.MaxValue, bottom = -1, left = int.MaxValue, right = -1;
        void Mark(int x, int y, int w, int h)
        {
            top = Math.Min(top, y); bottom = Math.Max(bottom, y + h - 1);
            left = Math.Min(left, x); right = Math.Max(right, x + w - 1);
        }
        switch (g.Kind)
        {
            case VgaDisplayKind.Blank:
                if (full) { Array.Clear(Pixels); Mark(0, 0, Width, Height); }
                break;
            case VgaDisplayKind.Text:
                RenderText(g, full, Mark);
                break;
            case VgaDisplayKind.Vbe when g.Bpp == 4:
                RenderGraphics(g, full, Mark);
                break;
            case VgaDisplayKind.Vbe:
                RenderVbe(g, full, Mark);
                break;
            default:
                RenderGraphics(g, full, Mark);
                break;
        }
        return bottom < 0 ? default : new DirtyRect(left, top, right - left + 1, bottom - top + 1);
    }

    static VgaGeometry WithoutCursor(in VgaGeometry g) =>
        g with { CursorAddress = 0, CursorStart = 0, CursorEnd = 0, CursorEnabled = false };

    /// <summary>Copies the palette state; true when it changed. Builds the DAC colour table.</summary>
    bool RefreshPalette()
    {
        bool changed = !vga.Dac.AsSpan().SequenceEqual(dacCopy) || !vga.Attr.AsSpan().SequenceEqual(attrCopy)
            || vga.PelMask != pelMaskCopy || vga.Dac8Bit != dac8Copy;
        if (!changed) return false;
        vga.Dac.CopyTo(dacCopy, 0);
        vga.Attr.CopyTo(attrCopy, 0);
        pelMaskCopy = vga.PelMask;
        dac8Copy = vga.Dac8Bit;
        for (int i = 0; i < 256; i++)
        {
            int r = dacCopy[i * 3], gr = dacCopy[i * 3 + 1], b = dacCopy[i * 3 + 2];
            if (!dac8Copy) { r = Six(r); gr = Six(gr); b = Six(b); }
            palette[i] = 0xFF00_0000u | (uint)r << 16 | (uint)gr << 8 | (uint)b;
        }
        return true;

        static int Six(int c) => (c & 0x3F) << 2 | (c & 0x3F) >> 4;
    }

    /// <summary>A 4-bit pixel or attribute colour through the attribute palette, colour select and pel mask to a DAC colour.</summary>
    uint AttrColor(int index)
    {
        int p = attrCopy[index & 0xF];
        int c = (attrCopy[0x10] & 0x80) != 0 ? (p & 0x0F) | (attrCopy[0x14] & 3) << 4 : p & 0x3F;
        c |= (attrCopy[0x14] & 0xC) << 4;
        return palette[c & pelMaskCopy];
    }

    // ---------------- text ----------------

    void RenderText(in VgaGeometry g, bool full, Action<int, int, int, int> mark)
    {
        if (g.PresetRowScan != 0 || g.BytePan != 0 || TextPanShift(g) != 0 || g.LineCompare < g.DisplayLines - 1)
        {
            RenderTextScanLines(g);
            mark(0, 0, Width, Height);
            return;
        }
        var vram = vga.VramArray;
        int cols = g.Columns, rows = g.Rows, cw = g.CharWidth, ch = g.CharHeight;
        if (cells.Length != cols * rows) { cells = new int[cols * rows]; full = true; }
        long frame = FrameIndex();
        bool cursorPhase = (frame & 8) == 0, blinkPhase = (frame & 16) == 0;
        bool cursorShown = g.CursorEnabled && g.CursorStart <= g.CursorEnd && g.CursorStart < ch && cursorPhase;
        for (int row = 0; row < rows; row++)
        {
            for (int col = 0; col < cols; col++)
            {
                int counter = g.StartAddress + row * g.RowStride + col;
                int a = g.MemoryAddress(counter, 0) * 4;
                int c = vram[a], at = vram[a + 1];
                bool cursor = cursorShown && (counter & 0xFFFF) == g.CursorAddress;
                bool hidden = g.Blink && (at & 0x80) != 0 && !blinkPhase;
                int key = c | at << 8 | (hidden ? 1 << 17 : 0) | (cursor ? 1 << 16 | g.CursorStart << 18 | g.CursorEnd << 23 : 0);
                if (!full && cells[row * cols + col] == key) continue;
                cells[row * cols + col] = key;
                DrawCell(g, vram, col, row, c, at, cursor, hidden);
                mark(col * cw, row * ch, cw, ch);
            }
        }
    }

    void DrawCell(in VgaGeometry g, byte[] vram, int col, int row, int c, int at, bool cursor, bool hidden)
    {
        int ch = g.CharHeight;
        for (int line = 0; line < ch; line++)
            DrawCellLine(g, vram, Pixels.AsSpan((row * ch + line) * Width + col * g.CharWidth), c, at, line, cursor, hidden);
    }

    /// <summary>One scan line of a character cell: <see cref="VgaGeometry.CharWidth"/> pixels of the glyph's row <paramref name="line"/>.</summary>
    void DrawCellLine(in VgaGeometry g, byte[] vram, Span<uint> px, int c, int at, int line, bool cursor, bool hidden)
    {
        uint fg = AttrColor(at & 0xF);
        uint bg = AttrColor(g.Blink ? (at >> 4) & 7 : at >> 4);
        if (hidden) fg = bg;
        int font = (at & 8) != 0 ? g.FontA : g.FontB;
        bool lineGraphics = g.LineGraphics && c >= 0xC0 && c <= 0xDF;
        int glyph = vram[(((font + c * 32 + line) & 0xFFFF) << 2) + 2];
        // MDA-style underline (monochrome attributes, attribute mode control bit 1): the whole
        // cell's line at the CRTC's underline location in the foreground colour, for attributes
        // whose foreground is 1 and background 0, with or without intensity and blink (IBM VGA
        // Technical Reference, Underline Location Register; MDA attribute 01h "underline").
        if (line == g.UnderlineLine && (at & 0x77) == 0x01) glyph = 0xFF | 0x100;
        if (cursor && line >= g.CursorStart && line <= g.CursorEnd) glyph = 0xFF | 0x100;
        for (int x = 0; x < 8; x++) px[x] = (glyph & (0x80 >> x)) != 0 ? fg : bg;
        if (g.CharWidth == 9) px[8] = (glyph & 0x100) != 0 || (lineGraphics && (glyph & 1) != 0) ? fg : bg;
    }

    /// <summary>
    /// Pixels the attribute controller's pel panning register (13h) shifts a text line left: with
    /// 9-dot cells 8 means none and 0-7 mean one to eight; with 8-dot cells 0-7 are the shift
    /// (IBM VGA Technical Reference, Horizontal PEL Panning Register). Other values shift nothing.
    /// </summary>
    static int TextPanShift(in VgaGeometry g) =>
        g.CharWidth == 9 ? (g.PelPan < 8 ? g.PelPan + 1 : 0) : (g.PelPan < 8 ? g.PelPan : 0);

    /// <summary>
    /// A text screen drawn the way the CRTC scans it: the first row starts at the preset row scan
    /// and at the start address plus the byte panning; after the line compare scan line the address
    /// and the row scan counter restart at 0 (the split screen), and with the attribute mode's
    /// "pel panning compatibility" bit the part below is not panned. Each line is built one cell
    /// wider than the screen and shifted left by the pel panning.
    /// </summary>
    void RenderTextScanLines(in VgaGeometry g)
    {
        var vram = vga.VramArray;
        int cols = g.Columns, cw = g.CharWidth, ds = g.DoubleScan ? 1 : 0;
        long frame = FrameIndex();
        bool cursorPhase = (frame & 8) == 0, blinkPhase = (frame & 16) == 0;
        bool cursorShown = g.CursorEnabled && g.CursorStart <= g.CursorEnd && g.CursorStart < g.CharHeight && cursorPhase;
        int counterRow = g.StartAddress + g.BytePan, lineInRow = g.PresetRowScan << ds, shift = TextPanShift(g);
        int linesPerRow = g.CharHeight << ds;
        int lastLine = Math.Min(g.DisplayLines, Height << ds);
        var line = rowBuffer.AsSpan(0, (cols + 1) * cw);
        for (int sl = 0; sl < lastLine; sl++)
        {
            if ((sl & ds) == 0)
            {
                int scan = lineInRow >> ds;
                for (int col = 0; col <= cols; col++)
                {
                    int counter = counterRow + col;
                    int a = g.MemoryAddress(counter, 0) * 4;
                    int c = vram[a], at = vram[a + 1];
                    bool cursor = cursorShown && (counter & 0xFFFF) == g.CursorAddress;
                    bool hidden = g.Blink && (at & 0x80) != 0 && !blinkPhase;
                    DrawCellLine(g, vram, line.Slice(col * cw, cw), c, at, scan & 0x1F, cursor, hidden);
                }
                line.Slice(shift, Width).CopyTo(Pixels.AsSpan((sl >> ds) * Width, Width));
            }
            if (++lineInRow >= linesPerRow)
            {
                lineInRow = 0;
                counterRow += g.RowStride;
            }
            if (sl == g.LineCompare)
            {
                counterRow = 0;
                lineInRow = 0;
                if (g.PanResetAtCompare) shift = 0;
            }
        }
    }

    /// <summary>The frame number in virtual time, for blinking (the CRTC's frame period).</summary>
    long FrameIndex()
    {
        long frameNs = Math.Max(1_000_000, vga.Timing().FrameNs);
        return vga.Now / frameNs;
    }

    // ---------------- VGA graphics ----------------

    void RenderGraphics(in VgaGeometry g, bool full, Action<int, int, int, int> mark)
    {
        var vram = vga.VramArray;
        int counterRow = g.StartAddress + g.BytePan, lineInRow = g.PresetRowScan << (g.DoubleScan ? 1 : 0), pan = g.PelPan;
        int linesPerRow = (g.MaxScan + 1) << (g.DoubleScan ? 1 : 0);
        int lastLine = Math.Min(g.DisplayLines, Height * g.Fold);
        for (int sl = 0; sl < lastLine; sl++)
        {
            if (sl % g.Fold == 0)
            {
                int y = sl / g.Fold;
                int rowScan = lineInRow >> (g.DoubleScan ? 1 : 0);
                if (full || RowDirty(g, counterRow, rowScan))
                {
                    DrawGraphicsRow(g, vram, y, counterRow, rowScan, pan);
                    mark(0, y, Width, 1);
                }
            }
            if (++lineInRow >= linesPerRow)
            {
                lineInRow = 0;
                counterRow += g.RowStride;
            }
            // The lines beneath the line compare value come from address 0 (IBM VGA Technical
            // Reference, Line Compare Register): the split starts on the next scan line.
            if (sl == g.LineCompare)
            {
                counterRow = 0;
                lineInRow = 0;
                if (g.PanResetAtCompare) pan = 0;
            }
        }
    }

    bool RowDirty(in VgaGeometry g, int counterRow, int rowScan)
    {
        for (int i = 0; i <= g.CharClocks; i++)
        {
            int page = (g.MemoryAddress(counterRow + i, rowScan) * 4) >> 12;
            if ((dirtyPages[page >> 6] & (1UL << (page & 63))) != 0) return true;
        }
        return false;
    }

    void DrawGraphicsRow(in VgaGeometry g, byte[] vram, int y, int counterRow, int rowScan, int pan)
    {
        var buf = rowBuffer;
        int n = 0;
        int clocks = g.CharClocks + 1;            // one more for panning
        int cpe = attrCopy[0x12] & 0xF;
        for (int i = 0; i < clocks && n + 8 <= buf.Length; i++)
        {
            int a = g.MemoryAddress(counterRow + i, rowScan) * 4;
            byte p0 = vram[a], p1 = vram[a + 1], p2 = vram[a + 2], p3 = vram[a + 3];
            switch (g.Kind)
            {
                case VgaDisplayKind.Colors256:
                    buf[n++] = palette[p0 & pelMaskCopy];
                    buf[n++] = palette[p1 & pelMaskCopy];
                    buf[n++] = palette[p2 & pelMaskCopy];
                    buf[n++] = palette[p3 & pelMaskCopy];
                    break;
                case VgaDisplayKind.Cga4:
                    for (int x = 0; x < 4; x++) buf[n++] = AttrColor(((p0 >> (6 - 2 * x)) & 3) & cpe);
                    for (int x = 0; x < 4; x++) buf[n++] = AttrColor(((p1 >> (6 - 2 * x)) & 3) & cpe);
                    break;
                default:
                    for (int x = 0; x < 8; x++)
                    {
                        int bit = 7 - x;
                        int v = (p0 >> bit & 1) | (p1 >> bit & 1) << 1 | (p2 >> bit & 1) << 2 | (p3 >> bit & 1) << 3;
                        buf[n++] = AttrColor(v & cpe);
                    }
                    break;
            }
        }
        // Pel panning shifts the picture left by whole pixels (in 256-colour mode, by half the value).
        int shift = g.Kind == VgaDisplayKind.Colors256 ? (pan >> 1) & 3 : pan & 7;
        int w = Math.Min(Width, Math.Max(0, n - shift));
        Array.Copy(buf, shift, Pixels, y * Width, w);
        if (w < Width) Array.Clear(Pixels, y * Width + w, Width - w);
    }

    // ---------------- VBE ----------------

    void RenderVbe(in VgaGeometry g, bool full, Action<int, int, int, int> mark)
    {
        var vram = vga.VramArray;
        int bytesPP = (g.Bpp + 7) / 8;
        long rowBytes = (long)Width * bytesPP;
        for (int y = 0; y < Height; y++)
        {
            long start = g.VbeStart + (long)y * g.LineBytes;
            if (!full && !RangeDirty(start, rowBytes)) continue;
            int o = y * Width;
            if (start < 0 || start + rowBytes > vram.Length)
            {
                Array.Clear(Pixels, o, Width);
            }
            else
            {
                fixed (byte* src = &vram[start])
                    ConvertRow(src, g.Bpp, Pixels.AsSpan(o, Width));
            }
            mark(0, y, Width, 1);
        }
    }

    bool RangeDirty(long start, long length)
    {
        if (start < 0) return true;
        long last = Math.Min(start + length - 1, (long)dirtyPages.Length * 64 * 4096 - 1);
        for (long p = start >> 12; p <= last >> 12; p++)
            if ((dirtyPages[p >> 6] & (1UL << (int)(p & 63))) != 0) return true;
        return false;
    }

    void ConvertRow(byte* s, int bpp, Span<uint> dst)
    {
        switch (bpp)
        {
            case 8:
                for (int x = 0; x < dst.Length; x++) dst[x] = palette[s[x]];
                break;
            case 15:
                for (int x = 0; x < dst.Length; x++)
                {
                    int v = s[2 * x] | s[2 * x + 1] << 8;
                    dst[x] = Rgb(Five(v >> 10), Five(v >> 5), Five(v));
                }
                break;
            case 16:
                for (int x = 0; x < dst.Length; x++)
                {
                    int v = s[2 * x] | s[2 * x + 1] << 8;
                    int g6 = (v >> 5) & 0x3F;
                    dst[x] = Rgb(Five(v >> 11), g6 << 2 | g6 >> 4, Five(v));
                }
                break;
            case 24:
                for (int x = 0; x < dst.Length; x++) dst[x] = Rgb(s[3 * x + 2], s[3 * x + 1], s[3 * x]);
                break;
            default:
                for (int x = 0; x < dst.Length; x++) dst[x] = 0xFF00_0000u | ((uint*)s)[x];
                break;
        }

        static int Five(int v) => (v & 0x1F) << 3 | (v & 0x1F) >> 2;
        static uint Rgb(int r, int g, int b) => 0xFF00_0000u | (uint)r << 16 | (uint)g << 8 | (uint)b;
    }
}
