namespace Emulator.Devices.Video;

/// <summary>
/// The contents of a VGA text screen at one moment: for tests, and for a console frontend that
/// draws text modes with the terminal's own characters.
/// </summary>
/// <param name="Columns">Characters per row (CRTC horizontal display end + 1).</param>
/// <param name="Rows">Rows (displayed scan lines / character height).</param>
/// <param name="Cells">Row-major cells: the character code in the low byte, the attribute byte
/// (foreground bits 0-3, background bits 4-6, blink or bright background bit 7) in the high byte.</param>
/// <param name="CursorColumn">Cursor column (CRTC cursor location relative to the start address); may be off screen.</param>
/// <param name="CursorRow">Cursor row; may be off screen.</param>
/// <param name="CursorVisible">The cursor is enabled (CRTC cursor start bit 5 clear, start &lt;= end) and on screen.</param>
/// <param name="BlinkEnabled">Attribute bit 7 blinks (attribute mode control bit 3) rather than brightening the background.</param>
public sealed record TextScreen(int Columns, int Rows, ushort[] Cells, int CursorColumn, int CursorRow, bool CursorVisible, bool BlinkEnabled)
{
    /// <summary>The character at (<paramref name="column"/>, <paramref name="row"/>).</summary>
    public byte Char(int column, int row) => (byte)Cells[row * Columns + column];

    /// <summary>The attribute at (<paramref name="column"/>, <paramref name="row"/>).</summary>
    public byte Attribute(int column, int row) => (byte)(Cells[row * Columns + column] >> 8);

    /// <summary>Row <paramref name="row"/> as text, code page 437 bytes mapped one-to-one to chars 0-255.</summary>
    public string RowText(int row)
    {
        var chars = new char[Columns];
        for (int c = 0; c < Columns; c++) chars[c] = (char)Char(c, row);
        return new string(chars);
    }

    /// <summary>
    /// The text screen the VGA shows now, or null when it is not in a text mode (graphics, VBE,
    /// or blanked). Safe from a frontend thread: the machine may change it meanwhile.
    /// </summary>
    public static TextScreen? Capture(StdVga vga)
    {
        var g = VgaGeometry.Decode(vga);
        if (g.Kind != VgaDisplayKind.Text) return null;
        var vram = vga.Vram;
        var cells = new ushort[g.Columns * g.Rows];
        for (int row = 0; row < g.Rows; row++)
            for (int col = 0; col < g.Columns; col++)
            {
                int a = g.MemoryAddress(g.StartAddress + row * g.RowStride + col, 0) * 4;
                cells[row * g.Columns + col] = (ushort)(vram[a] | vram[a + 1] << 8);
            }
        int rel = g.CursorAddress - g.StartAddress;
        int stride = Math.Max(1, g.RowStride);
        int cursorRow = rel >= 0 ? rel / stride : -1, cursorCol = rel >= 0 ? rel % stride : -1;
        bool visible = g.CursorEnabled && g.CursorStart <= g.CursorEnd && g.CursorStart < g.CharHeight
            && cursorRow >= 0 && cursorRow < g.Rows && cursorCol < g.Columns;
        return new TextScreen(g.Columns, g.Rows, cells, cursorCol, cursorRow, visible, g.Blink);
    }
}
