using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary>
/// emu's text console on a real terminal (a pseudo-terminal made by util-linux's <c>script</c>):
/// the guest's text screen arrives as ANSI output, and bytes typed on the terminal reach the guest.
/// </summary>
[NonParallelizable]
public partial class DisplayCursesEndToEndTests
{
    [GeneratedRegex(@"\e\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Escape();

    [Test]
    public void TheTextConsoleDrawsTheGuestScreenAndSendsTypedKeys()
    {
        using var dir = new TempDir();
        string bios = dir.Write("echo.bin", TinyBios.Build(DisplaySdlEndToEndTests.EchoGuest));
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        string command = $"'{host}' '{typeof(EmuMain).Assembly.Location}' -bios '{bios}' -display curses";
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
        // Read as it comes: the console writes no newlines, so line-based reading would wait forever.
        var reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
        try
        {
            string Text() { lock (output) return Escape().Replace(output.ToString(), ""); }
            string Raw() { lock (output) return output.ToString(); }
            // The cleared screen: grey on black spaces (SGR 37;40) after the alternate screen is entered.
            Wait(() => Raw().Contains("\e[?1049h") && Raw().Contains("\e[0;37;40m"), "the first screen", Raw);
            p.StandardInput.Write("a");
            p.StandardInput.Flush();
            // 'a' is pressed and released: set 2 make 1C, break F0 1C, shown in code page 437 as ∟≡∟,
            // in bright brown (VGA Eh: ANSI 93) on green (VGA 2: ANSI 42).
            Wait(() => Text().Contains("∟≡∟"), "the echoed scan codes", Raw);
            Assert.That(Raw(), Does.Contain("\e[0;93;42m∟"));
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
