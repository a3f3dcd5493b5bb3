using System.Text;
using Emulator.Core.Machine;
using Emulator.Frontend.Display;
using Emulator.Frontend.Monitor;
using Emulator.Frontend.Serial;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The SDL window's text consoles: the 8x16 font, the VT100-style grid (controls, colours,
/// scrolling and scrollback), its pixels, the monitor's line editor and the vc serial port.
/// Expected glyph rows are the IBM VGA font's as listed in bios/src/font8x16.inc.
/// </summary>
public class VirtualConsoleTests
{
    const uint Grey = 0xFFAAAAAA, Black = 0xFF000000;

    // 'A' (41h) in the VGA 8x16 font: a triangle top, a bar on line 7, legs down to line 11.
    static readonly byte[] GlyphA = [0x00, 0x00, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE, 0xC6, 0xC6, 0xC6, 0xC6, 0x00, 0x00, 0x00, 0x00];

    [Test]
    public void TheEmbeddedFontIsTheBiosFontSource()
    {
        Assert.That(ConsoleFont.Glyph((byte)'A').ToArray(), Is.EqualTo(GlyphA));
        Assert.That(ConsoleFont.Glyph(0xDB).ToArray(), Is.All.EqualTo(0xFF), "DBh is the full block");
        Assert.That(ConsoleFont.Glyph((byte)' ').ToArray(), Is.All.EqualTo(0), "space is blank");
        string source = File.ReadAllText(Path.Combine(Firmware.BiosRig.RepoRoot(), "bios", "src", "font8x16.inc"));
        Assert.That(ConsoleFont.Glyphs.ToArray(), Is.EqualTo(ConsoleFont.Parse(source)), "the build embeds the file gen_font.py writes");
    }

    [TestCase("db 0x00, 0x01")]
    [TestCase("dw 0x0000")]
    [TestCase("db 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xZZ")]
    [TestCase("db 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 ; one glyph")]
    public void AMalformedFontSourceIsRefused(string source)
    {
        Assert.Throws<InvalidDataException>(() => ConsoleFont.Parse(source));
    }

    static uint[] Render(VirtualConsole vc)
    {
        var px = new uint[vc.PixelWidth * vc.PixelHeight];
        vc.Render(px);
        return px;
    }

    [Test]
    public void ACharacterIsDrawnWithItsGlyphAtItsCellAndTheCursorInverted()
    {
        var vc = new VirtualConsole("t");
        Assert.That((vc.PixelWidth, vc.PixelHeight), Is.EqualTo((640, 384)), "QEMU's 80Cx24C");
        vc.Write("\r\n  A");                                     // row 1, column 2; the cursor then at row 1, column 3
        Assert.That(vc.Cursor, Is.EqualTo((1, 3)));
        var px = Render(vc);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 8; x++)
            {
                bool on = (GlyphA[y] & (0x80 >> x)) != 0;
                Assert.That(px[(16 + y) * 640 + 16 + x], Is.EqualTo(on ? Grey : Black), $"glyph line {y}, dot {x}");
            }
        // Hand-picked dots: line 2 of 'A' is 10h (only dot 3), line 7 is FEh (dots 0-6).
        Assert.That(px[18 * 640 + 19], Is.EqualTo(Grey));
        Assert.That(px[18 * 640 + 18], Is.EqualTo(Black));
        Assert.That(px[23 * 640 + 16 + 6], Is.EqualTo(Grey));
        Assert.That(px[23 * 640 + 16 + 7], Is.EqualTo(Black));
        // The cursor cell (a blank at row 1, column 3) shows grey: its colours swapped.
        Assert.That(px[(16 + 5) * 640 + 24 + 4], Is.EqualTo(Grey));
        // An untouched cell is black.
        Assert.That(px[(5 * 16 + 5) * 640 + 40], Is.EqualTo(Black));
        vc.Write("\x1B[?25l");
        Assert.That(Render(vc)[(16 + 5) * 640 + 24 + 4], Is.EqualTo(Black), "ESC [ ? 25 l hides the cursor");
    }

    [Test]
    public void SgrSetsColoursBoldBrightensAndResetRestoresGreyOnBlack()
    {
        var vc = new VirtualConsole("t");
        vc.Write("\x1B[31;44mX\x1B[1;32mY\x1B[7mZ\x1B[0mW\x1B[97;100mV");
        Assert.That(vc.CellAt(0, 0), Is.EqualTo(new VirtualConsole.Cell((byte)'X', 1, 4)));
        Assert.That(vc.CellAt(0, 1), Is.EqualTo(new VirtualConsole.Cell((byte)'Y', 10, 4)), "bold green is bright green");
        Assert.That(vc.CellAt(0, 2), Is.EqualTo(new VirtualConsole.Cell((byte)'Z', 4, 10)), "reverse swaps");
        Assert.That(vc.CellAt(0, 3), Is.EqualTo(new VirtualConsole.Cell((byte)'W', 7, 0)));
        Assert.That(vc.CellAt(0, 4), Is.EqualTo(new VirtualConsole.Cell((byte)'V', 15, 8)));
        // 'X' (58h) line 2 is C6h: dot 0 is on (red AA0000), dot 2 off (blue 0000AA).
        vc.Write("\x1B[?25l");
        var px = Render(vc);
        Assert.That(px[2 * 640 + 0], Is.EqualTo(0xFFAA0000));
        Assert.That(px[2 * 640 + 2], Is.EqualTo(0xFF0000AA));
    }

    [Test]
    public void BackspaceTabCarriageReturnAndLineFeedMoveAsAVt100()
    {
        var vc = new VirtualConsole("t");
        vc.Write("ab\bc");
        Assert.That(vc.RowText(0).TrimEnd(), Is.EqualTo("ac"), "BS moves left; the next character overwrites");
        vc.Write("\rX");
        Assert.That(vc.RowText(0).TrimEnd(), Is.EqualTo("Xc"));
        vc.Write("\tT");
        Assert.That(vc.CellAt(0, 8).Code, Is.EqualTo((byte)'T'), "HT to column 8");
        vc.Write("\nY");
        Assert.That(vc.CellAt(1, 9).Code, Is.EqualTo((byte)'Y'), "LF goes down without returning");
        vc.Write("\b\b\b\b\b\b\b\b\b\b\b\bZ");
        Assert.That(vc.CellAt(1, 0).Code, Is.EqualTo((byte)'Z'), "BS stops at column 0");
    }

    [Test]
    public void AFullLineWrapsOnlyWhenTheNextCharacterComes()
    {
        var vc = new VirtualConsole("t", columns: 10, rows: 3);
        vc.Write("0123456789");
        Assert.That(vc.Cursor, Is.EqualTo((0, 9)));
        vc.Write("\r\n");
        Assert.That(vc.Cursor, Is.EqualTo((1, 0)), "CR LF after a full line makes no empty line");
        vc.Write("abcdefghijK");
        Assert.That(vc.RowText(1), Is.EqualTo("abcdefghij"));
        Assert.That(vc.RowText(2).TrimEnd(), Is.EqualTo("K"));
    }

    [Test]
    public void OutputScrollsIntoABoundedScrollbackThatTheViewPagesThrough()
    {
        var vc = new VirtualConsole("t", columns: 20, rows: 4, scrollbackLines: 5);
        for (int i = 0; i < 12; i++) vc.Write($"\r\nL{i}");
        // 13 lines written (an empty first one, then L0..L11): the screen shows L8..L11.
        Assert.That(Enumerable.Range(0, 4).Select(r => vc.RowText(r).TrimEnd()), Is.EqualTo(new[] { "L8", "L9", "L10", "L11" }));
        Assert.That(vc.ScrolledLines, Is.EqualTo(9));
        Assert.That(vc.ScrollbackLines, Is.EqualTo(5), "only 5 lines are kept above the screen");
        vc.ScrollView(2);
        Assert.That(vc.RowText(0, view: true).TrimEnd(), Is.EqualTo("L6"));
        Assert.That(vc.RowText(0).TrimEnd(), Is.EqualTo("L8"), "the screen itself is unchanged");
        vc.ScrollView(100);
        Assert.That(vc.ViewOffset, Is.EqualTo(5));
        Assert.That(vc.RowText(0, view: true).TrimEnd(), Is.EqualTo("L3"), "the oldest line kept");
        vc.Write("\r\nL12");
        Assert.That(vc.RowText(0, view: true).TrimEnd(), Is.EqualTo("L4"), "a full scrollback drops its oldest line");
        vc.ResetView();
        Assert.That(vc.ViewOffset, Is.EqualTo(0));
        Assert.That(vc.RowText(3, view: true).TrimEnd(), Is.EqualTo("L12"));
    }

    [Test]
    public void EraseAndCursorPositionSequences()
    {
        var vc = new VirtualConsole("t", columns: 10, rows: 3);
        vc.Write("aaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc");
        vc.Write("\x1B[2;4H");
        Assert.That(vc.Cursor, Is.EqualTo((1, 3)), "CUP is 1-based");
        vc.Write("\x1B[K");
        Assert.That(vc.RowText(1), Is.EqualTo("bbb       "));
        vc.Write("\x1B[1K");
        Assert.That(vc.RowText(1), Is.EqualTo("          "));
        vc.Write("\x1B[A\x1B[2C\x1B[J");
        Assert.That(vc.Cursor, Is.EqualTo((0, 5)));
        Assert.That(vc.RowText(0), Is.EqualTo("aaaaa     "));
        Assert.That(vc.RowText(2), Is.EqualTo("          "), "ED 0 clears below the cursor");
        vc.Write("x\x1B[2J");
        Assert.That(vc.RowText(0), Is.EqualTo("          "));
        Assert.That(vc.Cursor, Is.EqualTo((0, 6)), "ED 2 leaves the cursor");
    }

    [Test]
    public void CharsetDesignationsAndOscStringsShowNothing()
    {
        var vc = new VirtualConsole("t");
        // tput sgr0 on a Linux terminal sends ESC ( B ESC [ m; bash sets the xterm title with ESC ] 0 ; ... BEL.
        vc.Write("a\x1B(B\x1B[mb\x1B]0;user@host: ~ é\ac\x1B]2;t\x1B\\d");
        Assert.That(vc.RowText(0).TrimEnd(), Is.EqualTo("abcd"));
    }

    [Test]
    public void Utf8TextShowsInCodePage437AndSplitSequencesJoin()
    {
        var vc = new VirtualConsole("t");
        byte[] e = Encoding.UTF8.GetBytes("é");                  // C3 A9; code page 437 82h
        vc.Write(e.AsSpan(0, 1));
        vc.Write(e.AsSpan(1, 1));
        vc.Write("€─");                                          // no euro in 437; the box line is C4h
        Assert.That(vc.CellAt(0, 0).Code, Is.EqualTo(0x82));
        Assert.That(vc.CellAt(0, 1).Code, Is.EqualTo((byte)'?'));
        Assert.That(vc.CellAt(0, 2).Code, Is.EqualTo(0xC4));
    }

    [Test]
    public void LineEditorInsertsAtTheCursorDeletesAndWalksAHistory()
    {
        var ed = new LineEditor();
        ed.Insert("info regs");
        for (int i = 0; i < 4; i++) ed.Key(EditKey.Left);
        ed.Key(EditKey.Backspace);
        ed.Insert("_");
        Assert.That((ed.Text, ed.Cursor), Is.EqualTo(("info_regs", 5)));
        ed.Key(EditKey.Delete);
        ed.Key(EditKey.End);
        ed.Insert("!");
        Assert.That(ed.Text, Is.EqualTo("info_egs!"));
        Assert.That(ed.Key(EditKey.Enter), Is.EqualTo("info_egs!"));
        Assert.That(ed.Text, Is.Empty);
        ed.Insert("second");
        ed.Key(EditKey.Enter);
        ed.Insert("   ");
        ed.Key(EditKey.Enter);                                   // blank lines are not remembered
        ed.Insert("typing");
        ed.Key(EditKey.Up);
        Assert.That((ed.Text, ed.Cursor), Is.EqualTo(("second", 6)));
        ed.Key(EditKey.Up);
        Assert.That(ed.Text, Is.EqualTo("info_egs!"));
        ed.Key(EditKey.Up);
        Assert.That(ed.Text, Is.EqualTo("info_egs!"), "Up stops at the oldest");
        ed.Key(EditKey.Down);
        ed.Key(EditKey.Down);
        Assert.That(ed.Text, Is.EqualTo("typing"), "Down past the newest gives back the unfinished line");
        ed.Key(EditKey.Enter);
        ed.Insert("second");
        ed.Key(EditKey.Enter);
        Assert.That(ed.History, Is.EqualTo(new[] { "info_egs!", "typing", "second" }), "a repeated line moves to the newest place");
    }

    [Test]
    public void TheHistoryKeepsTheLast64Lines()
    {
        var ed = new LineEditor();
        for (int i = 0; i < 70; i++) { ed.Insert($"c{i}"); ed.Key(EditKey.Enter); }
        Assert.That(ed.History, Has.Count.EqualTo(64));
        Assert.That(ed.History[0], Is.EqualTo("c6"));
    }

    static MonitorQueue Queue() => new(new Machine(new MachineConfig { MemorySize = 1 << 20 }));

    static void Settle(VcMonitor monitor, MonitorQueue queue, Func<string, string> execute)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (monitor.Busy)
        {
            queue.ServicePending(execute);
            Assert.That(clock.ElapsedMilliseconds, Is.LessThan(5000), "the reply was not written");
            Thread.Sleep(1);
        }
    }

    [Test]
    public void TheVcMonitorPromptsEditsRunsLinesAndWritesRepliesWithCrLf()
    {
        var queue = Queue();
        var vc = new VirtualConsole("compat_monitor0", columns: 20, rows: 10);
        var monitor = new VcMonitor(vc, queue);
        int promptRow = vc.Cursor.Row;
        Assert.That(vc.RowText(promptRow).TrimEnd(), Is.EqualTo("(qemu)"));
        Assert.That(vc.Cursor.Column, Is.EqualTo(7));

        monitor.Text("info stat");
        monitor.Key(VcKey.Left);
        monitor.Key(VcKey.Left);
        monitor.Key(VcKey.Backspace);                           // "info sat"
        Assert.That(vc.RowText(promptRow).TrimEnd(), Is.EqualTo("(qemu) info sat"));
        Assert.That(vc.Cursor, Is.EqualTo((promptRow, 13)));
        monitor.Text("ta");                                     // "info staat", then End and "usX": 20 characters with the prompt
        monitor.Key(VcKey.End);
        monitor.Text("usX");
        Assert.That(vc.RowText(promptRow), Is.EqualTo("(qemu) info staatusX"));
        Assert.That(vc.RowText(promptRow + 1).TrimEnd(), Is.Empty, "20 columns: the line fills the row, the cursor is at the next");
        Assert.That(vc.Cursor, Is.EqualTo((promptRow + 1, 0)));

        var seen = new List<string>();
        monitor.Key(VcKey.Enter);
        Assert.That(monitor.Busy, Is.True);
        monitor.Text("x");                                      // typed while the command runs: applied after the reply
        Settle(monitor, queue, line => { seen.Add(line); return "one\ntwo\n"; });
        Assert.That(seen, Is.EqualTo(new[] { "info staatusX" }));
        Assert.That(vc.RowText(promptRow + 1).TrimEnd(), Is.EqualTo("one"), "Enter after a full row makes no empty row");
        int r = vc.Cursor.Row;
        Assert.That(vc.RowText(r - 2).TrimEnd(), Is.EqualTo("one"));
        Assert.That(vc.RowText(r - 1).TrimEnd(), Is.EqualTo("two"), "LF became CR LF");
        Assert.That(vc.RowText(r).TrimEnd(), Is.EqualTo("(qemu) x"));

        monitor.Key(VcKey.Backspace);
        monitor.Key(VcKey.Up);
        Assert.That(vc.RowText(r), Is.EqualTo("(qemu) info staatusX"), "Up shows the last line");
        monitor.Key(VcKey.Down);
        Assert.That(vc.RowText(r).TrimEnd(), Is.EqualTo("(qemu)"), "Down clears the rest of the shown line");
        Assert.That(vc.RowText(r + 1).TrimEnd(), Is.Empty);
    }

    [TestCase("in", new[] { "info" })]
    [TestCase("s", new[] { "savevm", "screendump", "sendkey", "stop", "system_powerdown", "system_reset" })]
    [TestCase("info re", new[] { "registers" })]
    [TestCase("info s", new[] { "snapshots", "status" })]
    [TestCase("help sy", new[] { "system_powerdown", "system_reset" })]
    [TestCase("x 0x", new string[0])]
    [TestCase("zz", new string[0])]
    public void TabCompletesCommandNamesAndInfoSubcommands(string before, string[] expected)
    {
        Assert.That(HumanMonitor.Completions(before), Is.EqualTo(expected));
    }

    [Test]
    public void TabOnTheVcMonitorCompletesOrListsTheCandidates()
    {
        var vc = new VirtualConsole("compat_monitor0", columns: 40, rows: 10);
        var monitor = new VcMonitor(vc, Queue());
        int row = vc.Cursor.Row;
        monitor.Text("in");
        monitor.Key(VcKey.Tab);
        monitor.Text("reg");
        monitor.Key(VcKey.Tab);
        Assert.That(monitor.Editor.Text, Is.EqualTo("info registers "), "one candidate: the word and a space");
        Assert.That(vc.RowText(row).TrimEnd(), Is.EqualTo("(qemu) info registers"));
        for (int i = 0; i < 15; i++) monitor.Key(VcKey.Backspace);
        monitor.Text("sy");
        monitor.Key(VcKey.Tab);
        Assert.That(monitor.Editor.Text, Is.EqualTo("system_"), "several: their common prefix");
        monitor.Key(VcKey.Tab);
        Assert.That(vc.RowText(row + 1).TrimEnd(), Is.EqualTo("system_powerdown  system_reset"), "then the list");
        Assert.That(vc.RowText(row + 2).TrimEnd(), Is.EqualTo("(qemu) system_"), "and the line again");
        Assert.That(vc.Cursor, Is.EqualTo((row + 2, 14)));
    }

    [Test]
    public void QuitOnTheVcMonitorWritesNothingMore()
    {
        var queue = Queue();
        var vc = new VirtualConsole("compat_monitor0");
        var monitor = new VcMonitor(vc, queue);
        monitor.Text("quit");
        monitor.Key(VcKey.Enter);
        int row = vc.Cursor.Row;
        Settle(monitor, queue, line => { queue.QuitRequested = true; return ""; });
        Assert.That(vc.RowText(row).TrimEnd(), Is.Empty, "no prompt after quit");
        monitor.Text("x");
        Assert.That(vc.RowText(row).TrimEnd(), Is.Empty, "typing is ignored once quit");
    }

    [Test]
    public void TheVcSerialPortShowsTheGuestsBytesAndSendsKeysAsAVt100()
    {
        var port = new VcSerialBackend(new VirtualConsole("serial0"));
        foreach (byte b in "login: \x1B[1mok\x1B[0m"u8) port.Write(b);
        Assert.That(port.Screen.RowText(0).TrimEnd(), Is.EqualTo("login: ok"));
        Assert.That(port.Screen.CellAt(0, 7).Fg, Is.EqualTo(15));
        port.Text("aé");
        port.Key(VcKey.Enter);
        port.Key(VcKey.Backspace);
        port.Key(VcKey.Up);
        port.Key(VcKey.Delete);
        port.Text("\x03");
        var got = new List<byte>();
        while (port.TryRead(out byte b)) got.Add(b);
        Assert.That(got, Is.EqualTo(new byte[] { 0x61, 0xC3, 0xA9, 0x0D, 0x7F, 0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x33, 0x7E, 0x03 }));
        Assert.That(port.CanReceive, Is.True);
    }
}
