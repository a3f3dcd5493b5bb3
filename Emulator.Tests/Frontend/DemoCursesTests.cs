using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The demo disk on the text console (<c>-display curses</c>) in a real terminal (a
/// pseudo-terminal made by util-linux's <c>script</c>): the demo's text screen arrives as ANSI
/// text, and a key typed on the terminal starts the graphics, which the console names in one line.
/// </summary>
[NonParallelizable]
public partial class DemoCursesTests
{
    [GeneratedRegex(@"\e\[([0-9;?]*)([A-Za-z])|\e[=>]|[\s\S]")]
    private static partial Regex Token();

    /// <summary>
    /// What a terminal shows after <paramref name="output"/>: 25 rows of 80 cells, following the
    /// console's cursor positioning (CSI row;col H) and clears (CSI 2J); colours are dropped.
    /// </summary>
    internal static string[] Terminal(string output)
    {
        var grid = new char[25, 80];
        void Clear() { for (int r = 0; r < 25; r++) for (int c = 0; c < 80; c++) grid[r, c] = ' '; }
        Clear();
        int row = 0, col = 0;
        foreach (Match m in Token().Matches(output))
        {
            if (m.Groups[2].Success)
            {
                string args = m.Groups[1].Value;
                switch (m.Groups[2].Value)
                {
                    case "H":
                        var rc = args.Split(';');
                        row = rc[0].Length == 0 ? 0 : int.Parse(rc[0]) - 1;
                        col = rc.Length < 2 || rc[1].Length == 0 ? 0 : int.Parse(rc[1]) - 1;
                        break;
                    case "J" when args == "2": Clear(); break;
                }
                continue;
            }
            string t = m.Value;
            if (t[0] == '\e') continue;
            if (t == "\r") { col = 0; continue; }
            if (t == "\n") { row++; continue; }
            if (row is >= 0 and < 25 && col is >= 0 and < 80) grid[row, col] = t[0];
            col++;
        }
        return Enumerable.Range(0, 25).Select(r => new string(Enumerable.Range(0, 80).Select(c => grid[r, c]).ToArray())).ToArray();
    }

    [Test]
    public void TheTextConsoleShowsTheDemosTextScreenAndAKeyStartsTheGraphics()
    {
        using var term = new PseudoTerminal(PseudoTerminal.Emu("-m 64 -display curses"), Encoding.UTF8);
        string Text() => string.Join("\n", Terminal(term.Output));
        term.Wait(() => Text().Contains("Press a key for the graphics demo"), "the demo's text screen", Text);
        string text = Text();
        Assert.That(text, Does.Contain("emu demo disk - the BIOS's view of this machine"));
        Assert.That(text, Does.Contain("E820h: 64 MiB of RAM"));
        Assert.That(text, Does.Contain("80h  C/H/S 2/16/63  EDD 3.0  2016 sectors of 512 bytes = 1008 KiB"));
        // The title bar: white on blue (VGA 1Fh: ANSI bright white 97 on blue 44).
        Assert.That(term.Output, Does.Contain("\e[0;97;44m"));
        term.Type(" ");
        term.Wait(() => Text().Contains("800 x 600 Graphic mode"), "the graphics mode's line", Text);
    }
}
