using System.Diagnostics;
using System.Text;
using Emulator.Frontend;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// <c>emu -nographic</c> on a real terminal (a pseudo-terminal made by util-linux's <c>script</c>):
/// COM1 and the monitor share it through the Ctrl-A multiplexer, the terminal is in raw mode so
/// single keys and Ctrl-C reach the guest, and the terminal's settings come back when emu ends.
/// </summary>
[NonParallelizable]
public class NographicConsoleEndToEndTests
{
    /// <summary>A guest that answers each byte received on COM1 with "[byte]" (8250/16550: LSR bit 0 data ready, bit 5 THR empty).</summary>
    internal static readonly Action<Assembler> SerialEcho = a =>
    {
        var poll = a.CreateLabel();
        var send = a.CreateLabel();
        var ready = a.CreateLabel();
        a.mov(dx, 0x3FB); a.mov(al, 0x03); a.@out(dx, al);   // 8 data bits, no parity, 1 stop bit
        a.Label(ref poll);
        a.mov(dx, 0x3FD); a.@in(al, dx);
        a.test(al, 1); a.jz(poll);
        a.mov(dx, 0x3F8); a.@in(al, dx);
        a.mov(bl, al);
        a.mov(al, (byte)'['); a.call(send);
        a.mov(al, bl); a.call(send);
        a.mov(al, (byte)']'); a.call(send);
        a.jmp(poll);
        a.Label(ref send);                                  // AL to THR once it is empty
        a.mov(ah, al);
        a.Label(ref ready);
        a.mov(dx, 0x3FD); a.@in(al, dx);
        a.test(al, 0x20); a.jz(ready);
        a.mov(al, ah); a.mov(dx, 0x3F8); a.@out(dx, al);
        a.ret();
    };

    [Test]
    public void KeysReachTheGuestCtrlASwitchesToTheMonitorAndCtrlAXExits()
    {
        using var dir = new TempDir();
        string bios = dir.Write("echo.bin", TinyBios.Build(SerialEcho));
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        // After emu, stty prints the terminal's settings: they must be cooked again.
        string command = $"'{host}' '{typeof(EmuMain).Assembly.Location}' -bios '{bios}' -nographic; echo \"status $?\"; stty -a";
        var psi = new ProcessStartInfo("script", ["-qfec", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
        };
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        _ = p.StandardError.ReadToEndAsync();
        var reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = p.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
        string Text() { lock (output) return output.ToString(); }
        void Type(string keys) { p.StandardInput.Write(keys); p.StandardInput.Flush(); }
        try
        {
            // Keys arrive one at a time, without echo by the terminal: only the guest's answer shows.
            Type("a");
            Wait(() => Text().Contains("[a]"), "the guest's answer to a", Text);
            // Ctrl-C is a byte for the guest, not a signal to emu.
            Type("\u0003");
            Wait(() => Text().Contains("[\u0003]"), "the guest's answer to Ctrl-C", Text);
            Type("\u0001c");
            Wait(() => Text().Contains("(qemu) "), "the monitor's prompt", Text);
            Type("info status\r");
            Wait(() => Text().Contains("VM status: running"), "the monitor's answer", Text);
            Type("\u0001cz");
            Wait(() => Text().Contains("[z]"), "the guest's answer after switching back", Text);
            Type("\u0001x");
            Assert.That(p.WaitForExit(30_000), Is.True, "emu and stty ended");
            reader.Wait(5000);
            string text = Text();
            Assert.Multiple(() =>
            {
                Assert.That(text, Does.Contain("Terminated"));
                Assert.That(text, Does.Contain("status 0"));
                foreach (string flag in new[] { "icanon", "echo", "isig", "icrnl" })
                    Assert.That(text, Does.Match($@"(^|\s){flag}(\s|$)"), $"stty: the terminal has {flag} again");
                Assert.That(text, Does.Not.Contain("[info"), "the monitor's line did not reach the guest");
            });
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
