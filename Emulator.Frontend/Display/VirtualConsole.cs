using System.Text;

namespace Emulator.Frontend.Display;

/// <summary>
/// One of the SDL window's text consoles (QEMU's <c>vc</c>: the monitor's and a serial port's
/// screen): a grid of code page 437 cells with a cursor and a scrollback, fed UTF-8 text with
/// the VT100/ANSI controls a monitor and a Linux serial console send, and drawn to pixels with
/// the 8x16 <see cref="ConsoleFont"/>. Thread-safe: writers (the machine thread for a serial port,
/// the monitor's reply) and the window's thread meet on one lock.
/// </summary>
/// <remarks>
/// <para>Controls (ECMA-48 / VT100): BS, HT (stops every 8 columns), LF/VT/FF (down one line,
/// scrolling at the bottom, without a carriage return, as a VT100 does: the monitor and a Linux
/// tty send CR LF), CR, ESC 7/8 (save/restore cursor), ESC c (reset), and CSI sequences: CUU/CUD/
/// CUF/CUB (A-D), CHA (G), VPA (d), CUP/HVP (H, f), ED (J 0-2), EL (K 0-2), SGR (m: 0, 1, 22, 7,
/// 27, 30-37, 39, 40-47, 49, 90-97, 100-107) and DECTCEM (?25h/l). Other CSI sequences, ESC with
/// intermediates (charset designations such as ESC ( B) and OSC strings (ESC ] ... BEL or ST)
/// are parsed and dropped. A character in the last column leaves the cursor there until the next one
/// (the VT100's deferred wrap), so a full line does not make an empty one.</para>
/// <para>Characters outside code page 437 show as '?'. The view can be moved back into the
/// scrollback (<see cref="ScrollView"/>); new output does not move it, typing does (the window
/// calls <see cref="ResetView"/>).</para>
/// <para>Colours are the 16 of the VGA's text palette in ANSI order, default grey on black.</para>
/// </remarks>
internal sealed class VirtualConsole
{
    /// <summary>QEMU's vc default size, 80Cx24C.</summary>
    public const int DefaultColumns = 80, DefaultRows = 24;
    public const int DefaultScrollback = 1000;
    const byte DefaultFg = 7, DefaultBg = 0;

    /// <summary>ANSI colours 0-7 then their bright forms 8-15, as 0xAARRGGBB: the VGA text palette (brown for dim yellow).</summary>
    public static readonly uint[] Palette =
    [
        0xFF000000, 0xFFAA0000, 0xFF00AA00, 0xFFAA5500, 0xFF0000AA, 0xFFAA00AA, 0xFF00AAAA, 0xFFAAAAAA,
        0xFF555555, 0xFFFF5555, 0xFF55FF55, 0xFFFFFF55, 0xFF5555FF, 0xFFFF55FF, 0xFF55FFFF, 0xFFFFFFFF,
    ];

    static readonly Dictionary<char, byte> FromUnicode = BuildCp437Map();

    readonly object gate = new();
    readonly List<Cell[]> lines = new();     // scrollback then the screen (the last Rows lines)
    readonly int scrollback;
    readonly Decoder utf8 = Encoding.UTF8.GetDecoder();
    readonly char[] decoded = new char[8];
    readonly List<int> csiParams = new();
    int row, column, savedRow, savedColumn;
    bool pendingWrap, cursorVisible = true, bold, reverse;
    byte fg = DefaultFg, bg = DefaultBg;
    ParseState state;
    bool csiPrivate;
    int csiValue = -1;
    int viewOffset;
    int version;

    /// <summary>One cell: a code page 437 code and its colours (ANSI 0-15 each).</summary>
    public readonly record struct Cell(byte Code, byte Fg, byte Bg)
    {
        public static readonly Cell Blank = new((byte)' ', DefaultFg, DefaultBg);
    }

    enum ParseState { Normal, Escape, EscapeIntermediate, Csi, Osc, OscEscape }

    public VirtualConsole(string label, int columns = DefaultColumns, int rows = DefaultRows, int scrollbackLines = DefaultScrollback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        Label = label;
        Columns = columns;
        Rows = rows;
        scrollback = Math.Max(0, scrollbackLines);
        for (int i = 0; i < rows; i++) lines.Add(NewLine());
    }

    /// <summary>QEMU's name for the console (the chardev's: <c>compat_monitor0</c>, <c>serial0</c>); the window title shows it.</summary>
    public string Label { get; }

    public int Columns { get; }
    public int Rows { get; }
    public int PixelWidth => Columns * ConsoleFont.Width;
    public int PixelHeight => Rows * ConsoleFont.Height;

    /// <summary>Grows with every change to what <see cref="Render"/> would draw; read without the lock by the window.</summary>
    public int Version => Volatile.Read(ref version);

    /// <summary>Lines that have scrolled off the top of the screen since the start (into the scrollback or beyond it).</summary>
    public long ScrolledLines { get; private set; }

    /// <summary>The cursor (0-based); the column is <see cref="Columns"/> - 1 after a character in the last column.</summary>
    public (int Row, int Column) Cursor { get { lock (gate) return (row, column); } }

    /// <summary>How many lines back into the scrollback the view is (0: the screen).</summary>
    public int ViewOffset { get { lock (gate) return viewOffset; } }

    /// <summary>Lines kept above the screen.</summary>
    public int ScrollbackLines { get { lock (gate) return lines.Count - Rows; } }

    Cell[] NewLine()
    {
        var line = new Cell[Columns];
        Array.Fill(line, new Cell((byte)' ', DefaultFg, bg));
        return line;
    }

    Cell[] ScreenLine(int r) => lines[lines.Count - Rows + r];

    // ---------------- output ----------------

    /// <summary>Writes UTF-8 bytes (a sequence split across calls is joined).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (gate)
        {
            Span<byte> one = stackalloc byte[1];
            foreach (byte b in bytes)
            {
                // Controls and escape sequences are ASCII (an OSC string may hold UTF-8: it is skipped
                // whole); only printable text goes through the decoder, and ends a broken sequence.
                if (state is ParseState.Osc or ParseState.OscEscape || (b < 0x80 && (b < 0x20 || b == 0x7F || state != ParseState.Normal)))
                {
                    Control((char)b);
                    continue;
                }
                state = ParseState.Normal;
                one[0] = b;
                int n = utf8.GetChars(one, decoded, flush: false);
                for (int i = 0; i < n; i++) Print(decoded[i]);
            }
            version++;
        }
    }

    /// <summary>Writes text (controls included).</summary>
    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    void Control(char c)
    {
        switch (state)
        {
            case ParseState.Escape:
                state = ParseState.Normal;
                switch (c)
                {
                    case '[': state = ParseState.Csi; csiParams.Clear(); csiValue = -1; csiPrivate = false; break;
                    case '7': savedRow = row; savedColumn = column; break;
                    case '8': row = savedRow; column = savedColumn; pendingWrap = false; break;
                    case 'c': ResetLocked(); break;
                    case ']': state = ParseState.Osc; break;
                    case >= ' ' and <= '/': state = ParseState.EscapeIntermediate; break;   // ESC ( B and the like: charset choices
                }
                return;
            case ParseState.EscapeIntermediate:
                if (c is < ' ' or > '/') state = ParseState.Normal;                     // the final byte ends it
                return;
            case ParseState.Csi:
                Csi(c);
                return;
            case ParseState.Osc:
                // An operating system command (xterm's window title: ESC ] 0 ; text BEL) shows nothing; BEL or ST (ESC \) ends it.
                if (c == '\x07') state = ParseState.Normal;
                else if (c == '\x1B') state = ParseState.OscEscape;
                return;
            case ParseState.OscEscape:
                state = c == '\\' ? ParseState.Normal : ParseState.Osc;
                return;
        }
        switch (c)
        {
            case '\x1B': state = ParseState.Escape; break;
            case '\b': if (column > 0) column--; pendingWrap = false; break;
            case '\t': column = Math.Min(Columns - 1, (column / 8 + 1) * 8); pendingWrap = false; break;
            case '\n' or '\v' or '\f': LineFeed(); break;
            case '\r': column = 0; pendingWrap = false; break;
            default: break;   // BEL and the other C0 codes draw nothing
        }
    }

    void Csi(char c)
    {
        if (c is >= '0' and <= '9')
        {
            csiValue = Math.Min(9999, Math.Max(0, csiValue) * 10 + (c - '0'));
            return;
        }
        if (c == ';') { csiParams.Add(csiValue); csiValue = -1; return; }
        if (c == '?') { csiPrivate = true; return; }
        if (c < 0x40) return;                       // other parameter and intermediate bytes
        csiParams.Add(csiValue);
        state = ParseState.Normal;
        int P(int i, int dflt) => i < csiParams.Count && csiParams[i] > 0 ? csiParams[i] : dflt;
        int Raw(int i) => i < csiParams.Count ? Math.Max(0, csiParams[i]) : 0;
        if (csiPrivate)
        {
            if (Raw(0) == 25 && c is 'h' or 'l') cursorVisible = c == 'h';
            return;
        }
        pendingWrap = false;
        switch (c)
        {
            case 'A': row = Math.Max(0, row - P(0, 1)); break;
            case 'B': row = Math.Min(Rows - 1, row + P(0, 1)); break;
            case 'C': column = Math.Min(Columns - 1, column + P(0, 1)); break;
            case 'D': column = Math.Max(0, column - P(0, 1)); break;
            case 'G': column = Math.Min(Columns, P(0, 1)) - 1; break;
            case 'd': row = Math.Min(Rows, P(0, 1)) - 1; break;
            case 'H' or 'f': row = Math.Min(Rows, P(0, 1)) - 1; column = Math.Min(Columns, P(1, 1)) - 1; break;
            case 'J': EraseDisplay(Raw(0)); break;
            case 'K': EraseLine(Raw(0)); break;
            case 'm': Sgr(); break;
        }
    }

    void Sgr()
    {
        foreach (int raw in csiParams)
        {
            int p = Math.Max(0, raw);
            switch (p)
            {
                case 0: fg = DefaultFg; bg = DefaultBg; bold = false; reverse = false; break;
                case 1: bold = true; break;
                case 22: bold = false; break;
                case 7: reverse = true; break;
                case 27: reverse = false; break;
                case >= 30 and <= 37: fg = (byte)(p - 30); break;
                case 39: fg = DefaultFg; break;
                case >= 40 and <= 47: bg = (byte)(p - 40); break;
                case 49: bg = DefaultBg; break;
                case >= 90 and <= 97: fg = (byte)(p - 90 + 8); break;
                case >= 100 and <= 107: bg = (byte)(p - 100 + 8); break;
            }
        }
    }

    void Print(char c)
    {
        if (pendingWrap)
        {
            column = 0;
            LineFeed();
        }
        byte code = c < 0x80 ? (byte)c : FromUnicode.GetValueOrDefault(c, (byte)'?');
        byte f = bold && fg < 8 ? (byte)(fg + 8) : fg, b = bg;
        if (reverse) (f, b) = (b, f);
        ScreenLine(row)[column] = new Cell(code, f, b);
        if (column == Columns - 1) pendingWrap = true;
        else column++;
    }

    void LineFeed()
    {
        pendingWrap = false;
        if (row < Rows - 1) { row++; return; }
        lines.Add(NewLine());
        ScrolledLines++;
        if (lines.Count > Rows + scrollback) lines.RemoveAt(0);
        else if (viewOffset > 0) viewOffset++;         // the view stays on the lines it shows
    }

    void EraseDisplay(int mode)
    {
        int first = mode == 0 ? row + 1 : 0, last = mode == 1 ? row - 1 : Rows - 1;
        if (mode is 0 or 1) EraseLine(mode);
        for (int r = first; r <= last; r++) Array.Fill(ScreenLine(r), new Cell((byte)' ', DefaultFg, bg));
    }

    void EraseLine(int mode)
    {
        var line = ScreenLine(row);
        int from = mode == 0 ? column : 0, to = mode == 1 ? column : Columns - 1;
        for (int x = from; x <= to && x < Columns; x++) line[x] = new Cell((byte)' ', DefaultFg, bg);
    }

    void ResetLocked()
    {
        fg = DefaultFg; bg = DefaultBg; bold = reverse = false;
        row = column = savedRow = savedColumn = 0;
        pendingWrap = false;
        cursorVisible = true;
        EraseDisplay(2);
    }

    // ---------------- for line editors ----------------

    /// <summary>The cursor's line counted from the start of output (scrolled-off lines included), for editors that redraw an input line.</summary>
    public long CursorLine { get { lock (gate) return ScrolledLines + row; } }

    /// <summary>
    /// Puts the cursor at <paramref name="col"/> of absolute line <paramref name="line"/> (see
    /// <see cref="CursorLine"/>), scrolling when it is below the screen; a line above the screen
    /// puts it on the top row.
    /// </summary>
    public void PlaceCursor(long line, int col)
    {
        lock (gate)
        {
            while (line - ScrolledLines > Rows - 1)
            {
                row = Rows - 1;
                LineFeed();
            }
            row = (int)Math.Max(0, line - ScrolledLines);
            column = Math.Clamp(col, 0, Columns - 1);
            pendingWrap = false;
            version++;
        }
    }

    // ---------------- reading ----------------

    /// <summary>The cell at a screen position.</summary>
    public Cell CellAt(int r, int c) { lock (gate) return ScreenLine(r)[c]; }

    /// <summary>
    /// A screen row as text (ASCII codes as themselves, others as '?', trailing blanks kept); with
    /// <paramref name="view"/>, the row the view shows (which is in the scrollback when it is moved back).
    /// </summary>
    public string RowText(int r, bool view = false)
    {
        lock (gate)
        {
            var line = view ? lines[lines.Count - Rows - viewOffset + r] : ScreenLine(r);
            var sb = new StringBuilder(Columns);
            foreach (var cell in line) sb.Append(cell.Code < 0x80 ? (char)cell.Code : '?');
            return sb.ToString();
        }
    }

    /// <summary>Moves the view <paramref name="lines"/> back into the scrollback (negative: forward), within what is kept.</summary>
    public void ScrollView(int delta)
    {
        lock (gate)
        {
            int v = Math.Clamp(viewOffset + delta, 0, lines.Count - Rows);
            if (v == viewOffset) return;
            viewOffset = v;
            version++;
        }
    }

    /// <summary>Shows the screen again (after typing).</summary>
    public void ResetView() => ScrollView(-int.MaxValue / 2);

    /// <summary>
    /// Draws the view into <paramref name="pixels"/> (<see cref="PixelWidth"/> x
    /// <see cref="PixelHeight"/>, 0xAARRGGBB): each cell's glyph in its colours, and the cursor,
    /// when visible and on screen, as the cell with its colours swapped.
    /// </summary>
    public void Render(Span<uint> pixels)
    {
        if (pixels.Length < PixelWidth * PixelHeight) throw new ArgumentException("pixel buffer too small", nameof(pixels));
        var font = ConsoleFont.Glyphs;
        lock (gate)
        {
            int first = lines.Count - Rows - viewOffset;
            for (int r = 0; r < Rows; r++)
            {
                var line = lines[first + r];
                for (int c = 0; c < Columns; c++)
                {
                    var cell = line[c];
                    uint f = Palette[cell.Fg & 15], b = Palette[cell.Bg & 15];
                    if (cursorVisible && viewOffset == 0 && r == row && c == column) (f, b) = (b, f);
                    int glyph = cell.Code * ConsoleFont.Height;
                    for (int y = 0; y < ConsoleFont.Height; y++)
                    {
                        byte bits = font[glyph + y];
                        var dst = pixels.Slice((r * ConsoleFont.Height + y) * PixelWidth + c * ConsoleFont.Width, ConsoleFont.Width);
                        for (int x = 0; x < ConsoleFont.Width; x++) dst[x] = (bits & (0x80 >> x)) != 0 ? f : b;
                    }
                }
            }
        }
    }

    /// <summary>Unicode to code page 437 for 80h-FFh (the graphic glyphs 01h-1Fh are not reachable: those codes are controls).</summary>
    static Dictionary<char, byte> BuildCp437Map()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var cp437 = Encoding.GetEncoding(437);
        var map = new Dictionary<char, byte>();
        var one = new byte[1];
        for (int code = 0x80; code < 0x100; code++)
        {
            one[0] = (byte)code;
            string s = cp437.GetString(one);
            if (s.Length == 1) map.TryAdd(s[0], (byte)code);
        }
        return map;
    }
}
