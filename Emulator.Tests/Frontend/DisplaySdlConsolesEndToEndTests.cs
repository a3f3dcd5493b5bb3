using System.Diagnostics;
using System.Text.RegularExpressions;
using Emulator.Frontend;
using Emulator.Frontend.Display;
using Iced.Intel;
using StbImageSharp;
using static Iced.Intel.AssemblerRegisters;
using VgaRig = Emulator.Tests.Devices.Video.VgaRig;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The SDL window's text consoles end to end, on a private X server with real X key events
/// (xdotool): Ctrl+Alt+2 is the monitor (QEMU's default <c>-monitor vc</c>) running commands
/// typed in the window, Ctrl+Alt+3 is COM1 (the default <c>-serial vc</c>), Ctrl+Alt+1 the VGA;
/// keys typed in a text console never reach the guest's keyboard. What the console shows is
/// read back from window screenshots by matching each 8x16 cell exactly against the font of
/// bios/src/font8x16.inc (no OCR: a cell either is a glyph bit for bit or reads as '?').
/// </summary>
[NonParallelizable]
public class DisplaySdlConsolesEndToEndTests
{
    const int EchoRow = 2;
    static readonly byte[] Font = ConsoleFont.Parse(File.ReadAllText(Path.Combine(Firmware.BiosRig.RepoRoot(), "bios", "src", "font8x16.inc")));

    sealed class Emu : IDisposable
    {
        public readonly Xvfb X = new();
        public readonly Process Process;
        public readonly ulong Window;
        readonly Task<string> stderr, stdout;

        public Emu(string bios, string name, params string[] more)
        {
            string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
            var psi = new ProcessStartInfo(host, [typeof(EmuMain).Assembly.Location, "-bios", bios, "-display", "sdl", "-name", name, .. more])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.Environment["DISPLAY"] = X.Display;
            psi.Environment.Remove("WAYLAND_DISPLAY");
            Process = Process.Start(psi)!;
            stderr = Process.StandardError.ReadToEndAsync();
            stdout = Process.StandardOutput.ReadToEndAsync();
            Window = WaitFor(() =>
            {
                if (Process.HasExited) throw new AssertionException($"emu exited with {Process.ExitCode}: {stderr.Result}");
                try { return ulong.Parse(X.Run("xdotool", "search", "--name", $"^emu \\({name}\\)$").Split('\n')[0]); }
                catch (InvalidOperationException) { return 0UL; }
            }, w => w != 0, "the window to appear");
            X.Run("xdotool", "windowfocus", "--sync", Window.ToString());
        }

        public string Stderr => stderr.Result;

        public string Title() => X.Run("xdotool", "getwindowname", Window.ToString()).TrimEnd('\n');

        public void Key(params string[] keys) => X.Run("xdotool", ["key", "--delay", "12", .. keys]);

        public void Type(string text) => X.Run("xdotool", "type", "--delay", "12", text);

        public void WaitForTitle(string title) => WaitFor(Title, t => t == title, $"the title '{title}'");

        public uint[] Screenshot(string path, out int width, out int height)
        {
            X.Run("import", "-window", Window.ToString(), "png:" + path);
            return ReadPng(path, out width, out height);
        }

        /// <summary>The text console the window shows, row by row; waits until it is 640x384 and <paramref name="done"/> holds.</summary>
        public string[] WaitForText(string shot, Func<string[], bool> done, string what) => WaitFor(() =>
        {
            var px = Screenshot(shot, out int w, out int h);
            return w == 640 && h == 384 ? DecodeText(px) : [];
        }, rows => rows.Length > 0 && done(rows), what);

        public void Dispose()
        {
            if (!Process.HasExited) { Process.Kill(); Process.WaitForExit(5000); }
            Process.Dispose();
            X.Dispose();
        }
    }

    static uint[] ReadPng(string path, out int width, out int height)
    {
        var image = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        width = image.Width;
        height = image.Height;
        var px = new uint[width * height];
        for (int i = 0; i < px.Length; i++)
            px[i] = 0xFF00_0000u | (uint)image.Data[3 * i] << 16 | (uint)image.Data[3 * i + 1] << 8 | image.Data[3 * i + 2];
        return px;
    }

    /// <summary>
    /// A 640x384 console picture as 24 rows of 80 characters: each cell's dots (any colour but
    /// black is a dot) must equal one glyph of the font (20h-7Eh) exactly, or its inverse (the
    /// cursor's cell, drawn with its colours swapped); other cells read as '?'.
    /// </summary>
    static string[] DecodeText(uint[] px)
    {
        var rows = new string[24];
        Span<byte> cell = stackalloc byte[16];
        for (int r = 0; r < 24; r++)
        {
            var line = new char[80];
            for (int c = 0; c < 80; c++)
            {
                for (int y = 0; y < 16; y++)
                {
                    byte bits = 0;
                    for (int x = 0; x < 8; x++)
                        if (px[(r * 16 + y) * 640 + c * 8 + x] != 0xFF000000) bits |= (byte)(0x80 >> x);
                    cell[y] = bits;
                }
                line[c] = Match(cell) ?? Match(Inverse(cell)) ?? '?';
            }
            rows[r] = new string(line).TrimEnd();
        }
        return rows;
    }

    static char? Match(ReadOnlySpan<byte> cell)
    {
        for (int code = 0x20; code < 0x7F; code++)
            if (cell.SequenceEqual(Font.AsSpan(code * 16, 16))) return (char)code;
        return null;
    }

    static byte[] Inverse(ReadOnlySpan<byte> cell)
    {
        var inverse = new byte[cell.Length];
        for (int i = 0; i < cell.Length; i++) inverse[i] = (byte)~cell[i];
        return inverse;
    }

    static T WaitFor<T>(Func<T> probe, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        T value;
        while (true)
        {
            value = probe();
            if (done(value)) return value;
            if (clock.ElapsedMilliseconds > 30_000) throw new AssertionException($"timed out waiting for {what}; last: {Describe(value)}");
            Thread.Sleep(100);
        }
    }

    static string Describe<T>(T value) => value is string[] rows ? "\n" + string.Join("\n", rows) : value?.ToString() ?? "null";

    static uint Dac(int i) => VgaRig.Rgb6(i, 63 - i, (7 * i) & 63);

    /// <summary>
    /// The bytes the echo guest has drawn on its row 2, read from a 720x540 window picture: each
    /// echoed cell has background DAC 2 and the byte's bits as dots in DAC 3Eh on every line.
    /// </summary>
    static List<byte> EchoedBytes(uint[] px)
    {
        uint fg = Dac(0x3E), bg = Dac(0x02);
        int y = (int)((EchoRow * 16 + 8 + 0.5) * 540 / 400);
        var bytes = new List<byte>();
        for (int c = 0; c < 80; c++)
        {
            if (px[y * 720 + c * 9 + 8] != bg) break;           // the ninth dot is background for these codes
            byte b = 0;
            for (int x = 0; x < 8; x++)
                if (px[y * 720 + c * 9 + x] == fg) b |= (byte)(0x80 >> x);
            bytes.Add(b);
        }
        return bytes;
    }

    [Test]
    public void TheMonitorConsoleRunsCommandsTypedInTheWindowWithoutTheGuestSeeingTheKeys()
    {
        using var dir = new TempDir();
        string bios = dir.Write("echo.bin", TinyBios.Build(DisplaySdlEndToEndTests.EchoGuest));
        string shot = dir.File("window.png"), dump = dir.File("dump.png");
        using var emu = new Emu(bios, "vc");

        emu.Key("ctrl+alt+2");
        emu.WaitForTitle("emu (vc) - compat_monitor0");
        emu.WaitForText(shot, rows => rows.Any(r => Regex.IsMatch(r, @"^emu \d+\.\d+\.\d+ monitor - type 'help' for more information$"))
            && rows.Contains("(qemu)"), "the banner and the prompt");

        emu.Type($"screendump {dump}");
        emu.Key("Return");
        WaitFor(() => File.Exists(dump) && new FileInfo(dump).Length > 0, ok => ok, "the screendump typed in the window to be written");
        ReadPng(dump, out int dw, out int dh);
        Assert.That((dw, dh), Is.EqualTo((720, 400)), "screendump saves the VGA picture");

        emu.Type("help");                                        // enough output to push the first lines into the scrollback
        emu.Key("Return");

        emu.Type("info registers");
        emu.Key("Return");
        // The echo guest runs at F000:E000 onwards in real mode: CS is F000 with base F0000.
        var rows = emu.WaitForText(shot, rows => rows.Any(r => r.StartsWith("CS =f000 000f0000 0000ffff", StringComparison.Ordinal))
            && rows.Any(r => Regex.IsMatch(r, "^EIP=0000e[0-9a-f]{3} EFL=")) && rows.Last(r => r != "") == "(qemu)",
            "info registers' output and a new prompt");
        Assert.That(rows, Has.Some.StartsWith("EAX="));

        // Shift+PageUp pages back to the commands typed; Shift+PageDown returns.
        emu.Key("shift+Prior");
        emu.WaitForText(shot, rows => rows.Any(r => r.StartsWith("(qemu) screendump ", StringComparison.Ordinal)), "the scrollback");
        emu.Key("shift+Next");
        emu.WaitForText(shot, rows => rows.Last(r => r != "") == "(qemu)", "the screen again");

        // History: Up brings back 'info registers'.
        emu.Key("Up");
        emu.WaitForText(shot, rows => rows.Last(r => r != "") == "(qemu) info registers", "the last command from the history");
        emu.Key("BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace");
        emu.WaitForText(shot, rows => rows.Last(r => r != "") == "(qemu) info", "backspace");

        // Back on the VGA: the guest saw Ctrl and Alt pressed before the switch and released by it
        // (set 2: 14, 11, F0 14, F0 11), nothing typed in the monitor, then 'a' (1C, F0 1C).
        emu.Key("ctrl+alt+1");
        emu.WaitForTitle("emu (vc)");
        emu.Type("a");
        byte[] expected = [0x14, 0x11, 0xF0, 0x14, 0xF0, 0x11, 0x1C, 0xF0, 0x1C];
        var echoed = WaitFor(() =>
        {
            var px = emu.Screenshot(shot, out int w, out int h);
            return w == 720 && h == 540 ? EchoedBytes(px) : [];
        }, b => b.Count >= expected.Length, "the guest's echo of 'a'");
        Assert.That(echoed, Is.EqualTo(expected), "only the keys typed on the VGA reach the guest");

        // quit typed in the monitor ends emu with status 0; the line typed before is still there.
        emu.Key("ctrl+alt+2");
        emu.WaitForTitle("emu (vc) - compat_monitor0");
        emu.Key("ctrl+a", "ctrl+e", "BackSpace", "BackSpace", "BackSpace", "BackSpace", "BackSpace");
        emu.Type("quit");
        emu.Key("Return");
        Assert.That(emu.Process.WaitForExit(30_000), Is.True, "quit ends emu");
        Assert.That(emu.Process.ExitCode, Is.EqualTo(0), emu.Stderr);
    }

    /// <summary>Prints "hello" CR LF on COM1, then echoes every byte it receives there.</summary>
    static void SerialEchoGuest(Assembler a)
    {
        var send = a.CreateLabel();
        var poll = a.CreateLabel();
        a.cli();
        a.mov(ax, (ushort)0x9000); a.mov(ss, ax); a.mov(sp, (ushort)0xFFF0);
        foreach (char c in "hello\r\n") { a.mov(bl, (byte)c); a.call(send); }
        a.Label(ref poll);
        a.mov(dx, (ushort)0x3FD); a.@in(al, dx); a.test(al, 1); a.jz(poll);      // LSR bit 0: data ready
        a.mov(dx, (ushort)0x3F8); a.@in(al, dx); a.mov(bl, al); a.call(send); a.jmp(poll);
        // send: waits for LSR bit 5 (THR empty), then writes BL.
        a.Label(ref send);
        a.mov(dx, (ushort)0x3FD); a.@in(al, dx); a.test(al, 0x20); a.jz(send);
        a.mov(dx, (ushort)0x3F8); a.mov(al, bl); a.@out(dx, al); a.ret();
    }

    [Test]
    public void TheSerialConsoleShowsCom1AndSendsTheKeysTypedThere()
    {
        using var dir = new TempDir();
        string bios = dir.Write("serial.bin", TinyBios.Build(SerialEchoGuest));
        string shot = dir.File("window.png");
        using var emu = new Emu(bios, "ser");
        emu.Key("ctrl+alt+3");
        emu.WaitForTitle("emu (ser) - serial0");
        emu.WaitForText(shot, rows => rows[0] == "hello", "the guest's output");
        emu.Type("xyz");
        emu.WaitForText(shot, rows => rows[1] == "xyz", "the echo of what was typed");
        emu.Key("Return");                                      // CR: the echo returns to column 0
        emu.Type("Q");
        emu.WaitForText(shot, rows => rows[1] == "Qyz", "Return sent as CR");
        emu.X.CloseWindow(emu.Window);
        Assert.That(emu.Process.WaitForExit(30_000), Is.True);
        Assert.That(emu.Process.ExitCode, Is.EqualTo(0), emu.Stderr);
    }
}
