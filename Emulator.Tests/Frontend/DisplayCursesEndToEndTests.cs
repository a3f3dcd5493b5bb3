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
        using var term = new PseudoTerminal(PseudoTerminal.Emu($"-bios '{bios}' -display curses"), Encoding.UTF8);
        string Text() => Escape().Replace(term.Output, "");
        // The cleared screen: grey on black spaces (SGR 37;40) after the alternate screen is entered.
        term.Wait(() => term.Output.Contains("\e[?1049h") && term.Output.Contains("\e[0;37;40m"), "the first screen");
        term.Type("a");
        // 'a' is pressed and released: set 2 make 1C, break F0 1C, shown in code page 437 as ∟≡∟,
        // in bright brown (VGA Eh: ANSI 93) on green (VGA 2: ANSI 42).
        term.Wait(() => Text().Contains("∟≡∟"), "the echoed scan codes");
        Assert.That(term.Output, Does.Contain("\e[0;93;42m∟"));
    }
}
