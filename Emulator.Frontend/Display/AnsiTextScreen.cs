using System.Text;
using Emulator.Devices.Video;

namespace Emulator.Frontend.Display;

/// <summary>
/// Draws VGA text screens on an ANSI (ECMA-48) terminal, sending only the cells that changed
/// since the previous call; graphics modes become one line "W x H Graphic mode".
/// </summary>
/// <remarks>
/// Colours: the attribute's 16 foreground and 8 background colours go to the terminal's 16
/// standard colours (SGR 30-37, 90-97 bright; 40-47, and 100-107 for bright backgrounds when
/// attribute bit 7 is intensity rather than blink); blink is SGR 5. The terminal's palette is
/// used, not the guest's DAC. Characters are code page 437 shown as their Unicode equivalents,
/// including the glyphs of the control codes (smileys, arrows). The terminal's cursor follows
/// the VGA's and is hidden when the VGA's is.
/// </remarks>
internal sealed class AnsiTextScreen
{
    /// <summary>VGA colour numbers (blue is bit 0, red bit 2) to ANSI's (red is bit 0, blue bit 2).</summary>
    static readonly int[] VgaToAnsi = [0, 4, 2, 6, 1, 5, 3, 7];

    /// <summary>Code page 437 as Unicode: the control positions as the glyphs the VGA font shows there.</summary>
    public static readonly string Cp437 =
        " ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼" +
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂" +
        "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
        "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■ ";

    ushort[] last = [];
    int columns, rows;
    string? graphicsLine;
    bool cursorShown = true;
    (int Row, int Column) cursor = (-1, -1);

    /// <summary>Forgets what the terminal shows, so the next call redraws everything.</summary>
    public void Invalidate() { last = []; graphicsLine = null; }

    /// <summary>The output that turns what the terminal shows into <paramref name="screen"/>; empty when nothing changed.</summary>
    public string Update(TextScreen screen)
    {
        var sb = new StringBuilder();
        bool full = graphicsLine != null || screen.Columns != columns || screen.Rows != rows || last.Length != screen.Cells.Length;
        if (full)
        {
            graphicsLine = null;
            columns = screen.Columns;
            rows = screen.Rows;
            last = new ushort[screen.Cells.Length];
            sb.Append("\e[0m\e[2J");
        }
        int attr = -1, atRow = -1, atCol = -1;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                int i = r * columns + c;
                ushort cell = screen.Cells[i];
                if (!full && last[i] == cell) continue;
                last[i] = cell;
                if (r != atRow || c != atCol) sb.Append("\e[").Append(r + 1).Append(';').Append(c + 1).Append('H');
                int a = cell >> 8;
                if (a != attr) { AppendSgr(sb, a, screen.BlinkEnabled); attr = a; }
                sb.Append(Cp437[cell & 0xFF]);
                atRow = r;
                atCol = c + 1;
            }
        }
        if (attr >= 0) sb.Append("\e[0m");
        var cursorAt = (screen.CursorRow, screen.CursorColumn);
        if (screen.CursorVisible && (sb.Length > 0 || !cursorShown || cursorAt != cursor))
            sb.Append("\e[").Append(screen.CursorRow + 1).Append(';').Append(screen.CursorColumn + 1).Append('H');
        if (screen.CursorVisible != cursorShown) sb.Append(screen.CursorVisible ? "\e[?25h" : "\e[?25l");
        cursorShown = screen.CursorVisible;
        cursor = cursorAt;
        return sb.ToString();
    }

    /// <summary>The output for a graphics mode: the line "<paramref name="width"/> x <paramref name="height"/> Graphic mode", once.</summary>
    public string UpdateGraphics(int width, int height)
    {
        string line = $"{width} x {height} Graphic mode";
        if (line == graphicsLine) return "";
        graphicsLine = line;
        last = [];
        cursorShown = false;
        return "\e[0m\e[2J\e[H\e[?25l" + line;
    }

    /// <summary>SGR for attribute <paramref name="a"/>: reset, foreground, background, blink.</summary>
    public static void AppendSgr(StringBuilder sb, int a, bool blinkEnabled)
    {
        int fg = a & 0xF, bg = (a >> 4) & 0xF;
        sb.Append("\e[0;").Append((fg & 8) != 0 ? 90 + VgaToAnsi[fg & 7] : 30 + VgaToAnsi[fg & 7]).Append(';');
        if (blinkEnabled)
        {
            sb.Append(40 + VgaToAnsi[bg & 7]);
            if ((bg & 8) != 0) sb.Append(";5");
        }
        else
        {
            sb.Append((bg & 8) != 0 ? 100 + VgaToAnsi[bg & 7] : 40 + VgaToAnsi[bg & 7]);
        }
        sb.Append('m');
    }
}
