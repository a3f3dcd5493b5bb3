namespace Emulator.Devices.Video;

/// <summary>What a VGA picture is made of.</summary>
public enum VgaDisplayKind
{
    /// <summary>Nothing shown: the attribute controller's palette address source bit is clear, or the sequencer's screen-off bit is set.</summary>
    Blank,
    /// <summary>Alphanumeric mode: characters and attributes from planes 0/1, glyphs from plane 2.</summary>
    Text,
    /// <summary>Planar 16-colour graphics (EGA/VGA modes 0Dh-12h, and CGA mode 6 through plane 0).</summary>
    Planar16,
    /// <summary>CGA-compatible 4-colour graphics (interleaved shift mode, modes 4 and 5).</summary>
    Cga4,
    /// <summary>256-colour graphics (mode 13h chained, or unchained "Mode X").</summary>
    Colors256,
    /// <summary>A Bochs VBE mode: packed pixels from linear VRAM, or at 4 bpp the VGA's planes (<see cref="VgaGeometry.Bpp"/>).</summary>
    Vbe,
}

/// <summary>
/// The display parameters decoded from the VGA and DISPI registers at one moment. Two equal
/// geometries draw the same memory the same way, so a renderer redraws everything when it changes.
/// </summary>
/// <remarks>
/// Addresses: the CRTC's address counter advances once per character clock; its value becomes a
/// plane offset through byte, word or doubleword mode (FreeVGA, CRTC Mode Control and Underline
/// Location registers) and the CGA/Hercules substitutions of bits 13 and 14 by the row scan
/// counter. Graphics output rows fold the rows the CRTC repeats (double scan, and the maximum
/// scan line when no CGA substitution uses it), so mode 13h is 320x200 and mode 12h 640x480.
/// </remarks>
internal readonly record struct VgaGeometry(
    VgaDisplayKind Kind, int Width, int Height,
    // CRTC addressing
    int StartAddress, int RowStride, int AddressShift, bool WordWrap15, bool Cga13, bool Cga14,
    int MaxScan, bool DoubleScan, int LineCompare, int DisplayLines, int Fold, int CharClocks,
    // attribute controller
    int PelPan, bool PanResetAtCompare,
    // text
    int CharWidth, int CharHeight, int Columns, int Rows, int CursorStart, int CursorEnd, int CursorAddress,
    bool CursorEnabled, int FontA, int FontB, bool LineGraphics, bool Blink,
    // VBE
    int Bpp, int LineBytes, long VbeStart,
    // CRTC preset row scan register (08h): the first row's starting scan line and byte panning
    int PresetRowScan = 0, int BytePan = 0,
    // the plane offsets the CRTC reaches: 64 KiB on the VGA, all of VRAM in a 4 bpp VBE mode
    int AddressMask = 0xFFFF,
    // text: the scan line of a cell that underlines attributes x001x000 (CR14 bits 4-0), -1 for none
    int UnderlineLine = -1)
{
    public static VgaGeometry Decode(StdVga v)
    {
        if (v.VbePlanar) return DecodeVbePlanar(v);
        if (v.VbeEnabled)
        {
            int bpp = v.VbeBpp, w = v.VbeXres, h = v.VbeYres, line = v.VbeLineBytes;
            long vbeStart = v.VbeStart;
            // The guest may be between DISPI writes: never make a picture bigger than VRAM.
            bool sane = bpp is 8 or 15 or 16 or 24 or 32 && w > 0 && h > 0 && line > 0 && (long)w * h <= v.VramSize;
            return new VgaGeometry(sane ? VgaDisplayKind.Vbe : VgaDisplayKind.Blank, sane ? w : 640, sane ? h : 480,
                0, 0, 0, false, false, false, 0, false, 0, 0, 1, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, false, false,
                bpp, line, vbeStart);
        }
        var crtc = v.Crtc;
        var attr = v.Attr;
        int charClocks = crtc[1] + 1;
        int displayLines = v.VerticalDisplayEnd + 1;
        int maxScan = crtc[9] & 0x1F;
        bool doubleScan = (crtc[9] & 0x80) != 0;
        int lineCompare = crtc[0x18] | (crtc[7] & 0x10) << 4 | (crtc[9] & 0x40) << 3;
        int start = crtc[0x0C] << 8 | crtc[0x0D];
        int stride = crtc[0x13] * 2;
        int shift = (crtc[0x14] & 0x40) != 0 ? 2 : (crtc[0x17] & 0x40) == 0 ? 1 : 0;
        bool cga13 = (crtc[0x17] & 1) == 0, cga14 = (crtc[0x17] & 2) == 0;
        bool graphics = (v.Gc[6] & 1) != 0;
        bool blank = !v.VideoEnabled || (v.Seq[1] & 0x20) != 0;
        int pelPan = attr[0x13] & 0xF;
        int presetRowScan = crtc[8] & 0x1F, bytePan = (crtc[8] >> 5) & 3;
        bool panReset = (attr[0x10] & 0x20) != 0;

        if (!graphics)
        {
            int cw = (v.Seq[1] & 1) != 0 ? 8 : 9;
            int ch = maxScan + 1;
            int rows = displayLines / (ch << (doubleScan ? 1 : 0));
            int sel = v.Seq[3];
            int fontA = (((sel >> 5) & 1) | ((sel >> 1) & 6)) * 0x2000;
            int fontB = (((sel >> 4) & 1) | ((sel << 1) & 6)) * 0x2000;
            return new VgaGeometry(blank ? VgaDisplayKind.Blank : VgaDisplayKind.Text, charClocks * cw, Math.Max(1, rows) * ch,
                start, stride, shift, (crtc[0x17] & 0x20) != 0, cga13, cga14, maxScan, doubleScan, lineCompare, displayLines, 1, charClocks,
                pelPan, panReset, cw, ch, charClocks, Math.Max(1, rows), crtc[0x0A] & 0x1F, crtc[0x0B] & 0x1F, crtc[0x0E] << 8 | crtc[0x0F],
                (crtc[0x0A] & 0x20) == 0, fontA, fontB, (attr[0x10] & 4) != 0, (attr[0x10] & 8) != 0, 0, 0, 0, presetRowScan, bytePan,
                UnderlineLine: (attr[0x10] & 2) != 0 ? crtc[0x14] & 0x1F : -1);
        }

        VgaDisplayKind kind = (v.Gc[5] & 0x40) != 0 ? VgaDisplayKind.Colors256 : (v.Gc[5] & 0x20) != 0 ? VgaDisplayKind.Cga4 : VgaDisplayKind.Planar16;
        int width = charClocks * (kind == VgaDisplayKind.Colors256 ? 4 : 8);
        int fold = (doubleScan ? 2 : 1) * (cga13 || cga14 ? 1 : maxScan + 1);
        int height = Math.Max(1, displayLines / fold);
        return new VgaGeometry(blank ? VgaDisplayKind.Blank : kind, width, height,
            start, stride, shift, (crtc[0x17] & 0x20) != 0, cga13, cga14, maxScan, doubleScan, lineCompare, displayLines, fold, charClocks,
            pelPan, panReset, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, false, false, 0, 0, 0, presetRowScan, bytePan);
    }

    /// <summary>
    /// A 4 bpp VBE mode as the planar 16-colour pipeline draws it: XRES x YRES, one scan line a
    /// row, VIRT_WIDTH / 8 plane offsets a line from the DISPI display start, colours through
    /// the attribute controller (palette, colour plane enable) and the DAC.
    /// </summary>
    static VgaGeometry DecodeVbePlanar(StdVga v)
    {
        int w = v.VbeXres, h = v.VbeYres, line = v.VbeLineBytes;
        bool sane = w >= 8 && h > 0 && line >= 4 && (long)line * h <= v.VramSize;
        if (!sane)
            return new VgaGeometry(VgaDisplayKind.Blank, 640, 480, 0, 0, 0, false, false, false, 0, false, 0, 0, 1, 0,
                0, false, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, false, false, 4, line, v.VbeStart);
        bool blank = !v.VideoEnabled || (v.Seq[1] & 0x20) != 0;
        return new VgaGeometry(blank ? VgaDisplayKind.Blank : VgaDisplayKind.Vbe, w, h,
            (int)(v.VbeStart / 4), line / 4, 0, false, false, false, 0, false, int.MaxValue, h, 1, w / 8,
            0, false, 0, 0, 0, 0, 0, 0, 0, false, 0, 0, false, false, 4, line, v.VbeStart,
            AddressMask: v.VramSize / 4 - 1);
    }

    /// <summary>The plane offset the CRTC fetches for address counter <paramref name="counter"/> on row-scan line <paramref name="rowScan"/>.</summary>
    public int MemoryAddress(int counter, int rowScan)
    {
        int a = AddressShift switch
        {
            2 => counter << 2,
            1 => counter << 1 | ((counter >> (WordWrap15 ? 15 : 13)) & 1),
            _ => counter,
        };
        if (Cga13) a = (a & ~0x2000) | (rowScan & 1) << 13;
        if (Cga14) a = (a & ~0x4000) | (rowScan & 2) << 13;
        return a & AddressMask;
    }
}
