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
        // After emu, stty prints the terminal's settings: they must be cooked again.
        string command = PseudoTerminal.Emu($"-bios '{bios}' -nographic") + "; echo \"status $?\"; stty -a";
        using var term = new PseudoTerminal(command, Encoding.Latin1);
        // Keys arrive one at a time, without echo by the terminal: only the guest's answer shows.
        term.Type("a");
        term.Wait(() => term.Output.Contains("[a]"), "the guest's answer to a");
        // Ctrl-C is a byte for the guest, not a signal to emu.
        term.Type("\u0003");
        term.Wait(() => term.Output.Contains("[\u0003]"), "the guest's answer to Ctrl-C");
        term.Type("\u0001c");
        term.Wait(() => term.Output.Contains("(qemu) "), "the monitor's prompt");
        term.Type("info status\r");
        term.Wait(() => term.Output.Contains("VM status: running"), "the monitor's answer");
        term.Type("\u0001cz");
        term.Wait(() => term.Output.Contains("[z]"), "the guest's answer after switching back");
        term.Type("\u0001x");
        Assert.That(term.WaitForExit(30_000), Is.True, "emu and stty ended");
        string text = term.Output;
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Terminated"));
            Assert.That(text, Does.Contain("status 0"));
            foreach (string flag in new[] { "icanon", "echo", "isig", "icrnl" })
                Assert.That(text, Does.Match($@"(^|\s){flag}(\s|$)"), $"stty: the terminal has {flag} again");
            Assert.That(text, Does.Not.Contain("[info"), "the monitor's line did not reach the guest");
        });
    }
}
