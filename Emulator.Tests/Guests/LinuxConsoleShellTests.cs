using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Guests;

/// <summary>
/// The Linux guest's shell on the VGA console (tty1, which tests/guests/init starts with
/// <c>emu.shell</c>), driven the way a person would: keys typed on the text console
/// (<c>-display curses</c> in a real terminal) and in the SDL window (real X key events under
/// Xvfb), the command's output read back from the screen or from COM1, and a typed
/// <c>poweroff -f</c> ending emu with status 0 through ACPI S5. One boot per display.
/// The serial console's shell (<c>-nographic</c>) is <see cref="LinuxInstallTests"/>'s last step.
/// </summary>
[NonParallelizable]
public partial class LinuxConsoleShellTests
{
    /// <summary>
    /// A Linux boot takes about a minute of wall time on an idle machine; on a shared, loaded one
    /// (load average 50 on 2 CPUs) it took 4 to 7 minutes.
    /// </summary>
    const int BootSeconds = 900;

    /// <summary>
    /// shell.iso through the BIOS and ISOLINUX, as a person boots it: the VGA BIOS has set text mode 3
    /// and the BIOS the 8042's translation, which Linux's vgacon and atkbd take over. isolinux.cfg gives console=tty0 console=ttyS0: kernel
    /// messages go to both, and /dev/console (init's own lines, "EMU-GUEST-SHELL: tty1") is COM1, here a file.
    /// </summary>
    static string[] Guest(string serialLog) =>
        ["-m", "256", "-serial", "file:" + serialLog, "-cdrom", TestGuests.File("shell.iso"), "-boot", "d"];

    static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>COM1's output so far; the file stays open for writing in emu.</summary>
    static string ReadShared(string path)
    {
        if (!System.IO.File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream, Encoding.Latin1).ReadToEnd();
    }

    [GeneratedRegex(@"^answer-42 *$", RegexOptions.Multiline)]
    private static partial Regex AnswerLine();

    [Test]
    public void A_command_typed_in_the_text_console_runs_in_the_shell_on_tty1()
    {
        using var dir = new TempDir();
        string serial = dir.File("serial.log");
        using var term = new PseudoTerminal(PseudoTerminal.Emu("-display curses " + string.Join(' ', Guest(serial).Select(Quote))), Encoding.UTF8);
        string Screen() => string.Join("\n", DemoCursesTests.Terminal(term.Output));
        try
        {
            term.Wait(() => Screen().Contains("emu-tty1# "), "the prompt of the shell on tty1", Screen, BootSeconds);
            // The echoed command line shows "$((6*7))"; only the shell's arithmetic makes a line "answer-42".
            term.Type("echo answer-$((6*7))\r");
            term.Wait(() => AnswerLine().IsMatch(Screen()), "the command's output on the screen", Screen, 60);
            Assert.That(Screen(), Does.Contain("emu-tty1# echo answer-$((6*7))"), "the shell echoed the typed line: every key arrived, shifted ones too");
            term.Type("poweroff -f\r");
            Assert.That(term.WaitForExit(60_000), Is.True, "the typed poweroff ended emu: " + Screen());
            string log = ReadShared(serial);
            TestContext.Out.WriteLine(log.Length > 4000 ? log[^4000..] : log);
            Assert.Multiple(() =>
            {
                Assert.That(term.ExitCode, Is.EqualTo(0), "the PIIX4's soft-off ends emu with status 0");
                Assert.That(log, Does.Contain("Console: colour VGA+ 80x25"), "Linux's vgacon drives the VGA text screen");
                Assert.That(log, Does.Contain(TestGuests.Marker), "init ran");
                Assert.That(log, Does.Contain("EMU-GUEST-SHELL: tty1"), "the shell opened tty1");
                Assert.That(log, Does.Contain("reboot: Power down"), "poweroff -f through ACPI S5");
            });
        }
        finally
        {
            TestContext.Out.WriteLine(Screen());
        }
    }

    [Test]
    public void A_command_typed_in_the_sdl_window_runs_in_the_shell_on_tty1()
    {
        using var dir = new TempDir();
        string serial = dir.File("serial.log");
        using var x = new Xvfb();
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var psi = new ProcessStartInfo(host, [typeof(EmuMain).Assembly.Location, "-display", "sdl", "-name", "linux", .. Guest(serial)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["DISPLAY"] = x.Display;
        psi.Environment.Remove("WAYLAND_DISPLAY");
        using var emu = Process.Start(psi)!;
        var stderr = emu.StandardError.ReadToEndAsync();
        var stdout = emu.StandardOutput.ReadToEndAsync();
        try
        {
            ulong window = WaitFor(() =>
            {
                if (emu.HasExited) throw new AssertionException($"emu exited with {emu.ExitCode}: {stderr.Result}");
                try { return ulong.Parse(x.Run("xdotool", "search", "--name", "^emu \\(linux\\)$").Split('\n')[0]); }
                catch (InvalidOperationException) { return 0UL; }
            }, w => w != 0, "the window to appear", 60);
            WaitFor(() => ReadShared(serial), log => log.Contains("EMU-GUEST-SHELL: tty1") || emu.HasExited,
                "the shell on tty1", BootSeconds);
            Assert.That(emu.HasExited, Is.False, "emu ended before the shell started: " + ReadShared(serial));

            // Real X key events (shifted ones included) through SDL, the PS/2 keyboard and Linux's
            // keyboard driver to tty1; the effect shows on COM1, outside the window.
            // The window's picture read back with the VGA BIOS's font, which Linux's vgacon keeps:
            // typing starts once the shell on tty1 shows its prompt (it reads its terminal then).
            string shot = dir.File("window.png");
            string[] Lines()
            {
                x.Run("import", "-window", window.ToString(), "png:" + shot);
                var picture = DemoScreen.Read(shot);
                return picture is { Width: 720, Height: 540 } ? DemoWindowTests.Unscale(picture).TextLines() : [];
            }
            WaitFor(Lines, lines => lines.Any(l => l.StartsWith("emu-tty1# ", StringComparison.Ordinal)), "the prompt in the window", 120);

            // Enter is pressed by its key name, Return, not typed as "\n" (whose keysym depends on
            // the xdotool version).
            x.Run("xdotool", "windowfocus", "--sync", window.ToString());
            x.Run("xdotool", "type", "--delay", "40", "echo typed-in-window-$((6*7)) > /dev/ttyS0");
            x.Run("xdotool", "key", "Return");
            WaitFor(() => ReadShared(serial), log => log.Contains("typed-in-window-42"), "the typed command's output on COM1", 60);
            Assert.That(Lines(), Has.Some.StartsWith("emu-tty1# echo typed-in-window-$((6*7)) > /dev/ttyS0"),
                "the window shows the line as typed, shifted keys included");
            x.Run("xdotool", "type", "--delay", "40", "poweroff -f");
            x.Run("xdotool", "key", "Return");
            Assert.That(emu.WaitForExit(60_000), Is.True, "the typed poweroff ended emu");
            string log = ReadShared(serial);
            TestContext.Out.WriteLine(log.Length > 4000 ? log[^4000..] : log);
            Assert.Multiple(() =>
            {
                Assert.That(emu.ExitCode, Is.EqualTo(0), "the PIIX4's soft-off ends emu with status 0: " + stderr.Result);
                Assert.That(log, Does.Contain("Console: colour VGA+ 80x25"), "Linux's vgacon drives the VGA text screen");
                Assert.That(log, Does.Contain("reboot: Power down"), "poweroff -f through ACPI S5");
            });
        }
        finally
        {
            if (!emu.HasExited) { emu.Kill(); emu.WaitForExit(5000); }
        }
    }

    static T WaitFor<T>(Func<T> probe, Func<T, bool> done, string what, int seconds)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (done(value)) return value;
            if (clock.ElapsedMilliseconds > seconds * 1000L) throw new AssertionException($"timed out waiting for {what}: {value}");
            Thread.Sleep(200);
        }
    }
}
