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
    static string[] Terminal(string output)
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
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        string command = $"'{host}' '{typeof(EmuMain).Assembly.Location}' -m 64 -display curses";
        var psi = new ProcessStartInfo("script", ["-qfec", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.Environment["TERM"] = "xterm";
        psi.Environment.Remove("DISPLAY");
        psi.Environment.Remove("WAYLAND_DISPLAY");
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        var errors = p.StandardError.ReadToEndAsync();
        var reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
        try
        {
            string Text() { lock (output) return string.Join("\n", Terminal(output.ToString())); }
            Wait(() => Text().Contains("Press a key for the graphics demo"), "the demo's text screen", Text);
            string text = Text();
            Assert.That(text, Does.Contain("emu demo disk - the BIOS's view of this machine"));
            Assert.That(text, Does.Contain("E820h: 64 MiB of RAM"));
            Assert.That(text, Does.Contain("80h  C/H/S 2/16/63  EDD 3.0  2016 sectors of 512 bytes = 1008 KiB"));
            // The title bar: white on blue (VGA 1Fh: ANSI bright white 97 on blue 44).
            lock (output) Assert.That(output.ToString(), Does.Contain("\e[0;97;44m"));
            p.StandardInput.Write(" ");
            p.StandardInput.Flush();
            Wait(() => Text().Contains("800 x 600 Graphic mode"), "the graphics mode's line", Text);
        }
        finally
        {
            if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
        }
    }

    static void Wait(Func<bool> done, string what, Func<string> show)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.ElapsedMilliseconds > 30_000) throw new AssertionException($"timed out waiting for {what}; output: {show()}");
            Thread.Sleep(50);
        }
    }
}
