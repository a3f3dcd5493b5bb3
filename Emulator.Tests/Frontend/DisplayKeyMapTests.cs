using Emulator.Devices.Input;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>SDL scancodes and terminal keys to PC keys.</summary>
public class DisplayKeyMapTests
{
    // SDL scancode numbers from SDL_scancode.h (SDL 2.0), written out rather than taken from Key.
    [TestCase(4, Key.A)]
    [TestCase(29, Key.Z)]
    [TestCase(30, Key.D1)]
    [TestCase(39, Key.D0)]
    [TestCase(40, Key.Enter)]            // SDL_SCANCODE_RETURN
    [TestCase(41, Key.Escape)]
    [TestCase(42, Key.Backspace)]
    [TestCase(44, Key.Space)]
    [TestCase(49, Key.Backslash)]
    [TestCase(50, Key.NonUsHash)]
    [TestCase(53, Key.Grave)]
    [TestCase(57, Key.CapsLock)]
    [TestCase(58, Key.F1)]
    [TestCase(69, Key.F12)]
    [TestCase(70, Key.PrintScreen)]
    [TestCase(72, Key.Pause)]
    [TestCase(76, Key.Delete)]
    [TestCase(82, Key.Up)]
    [TestCase(83, Key.NumLock)]           // SDL_SCANCODE_NUMLOCKCLEAR
    [TestCase(88, Key.KeypadEnter)]
    [TestCase(99, Key.KeypadPeriod)]
    [TestCase(100, Key.NonUsBackslash)]
    [TestCase(101, Key.Application)]
    [TestCase(135, Key.Ro)]               // SDL_SCANCODE_INTERNATIONAL1
    [TestCase(137, Key.Yen)]              // SDL_SCANCODE_INTERNATIONAL3
    [TestCase(144, Key.Hangul)]           // SDL_SCANCODE_LANG1
    [TestCase(224, Key.LeftControl)]
    [TestCase(226, Key.LeftAlt)]
    [TestCase(230, Key.RightAlt)]
    [TestCase(231, Key.RightGui)]
    public void SdlScancodeMapsToTheKeyAtTheSamePosition(int scancode, Key key) =>
        Assert.That(SdlKeyMap.FromScancode(scancode), Is.EqualTo(key));

    [TestCase(0)]                         // SDL_SCANCODE_UNKNOWN
    [TestCase(127)]                       // SDL_SCANCODE_MUTE: no PS/2 code in this keyboard
    [TestCase(258)]                       // SDL_SCANCODE_AUDIONEXT
    [TestCase(283)]                       // SDL_SCANCODE_APP1
    [TestCase(-1)]
    [TestCase(100000)]
    public void SdlScancodesWithoutAPcKeyMapToNone(int scancode) =>
        Assert.That(SdlKeyMap.FromScancode(scancode), Is.EqualTo(Key.None));

    [Test]
    public void EveryKeyThePs2KeyboardSendsIsReachableFromSdl()
    {
        var reached = Enumerable.Range(0, 512).Select(SdlKeyMap.FromScancode).Where(k => k != Key.None).ToHashSet();
        var sendable = Enum.GetValues<Key>().Where(k => k != Key.None && ScanCodes.IsDefined(k));
        Assert.That(reached, Is.EquivalentTo(sendable));
    }

    static string Typed(ConsoleKeyInfo info)
    {
        var events = new List<InputEvent>();
        TerminalKeys.Translate(info, events);
        return string.Join(" ", events.Select(e => e switch
        {
            InputEvent.KeyDown d => "+" + d.Key,
            InputEvent.KeyUp u => "-" + u.Key,
            _ => "?",
        }));
    }

    [Test]
    public void TerminalCharactersAreTypedOnAUsLayout()
    {
        Assert.That(Typed(new('a', ConsoleKey.A, false, false, false)), Is.EqualTo("+A -A"));
        Assert.That(Typed(new('A', ConsoleKey.A, true, false, false)), Is.EqualTo("+LeftShift +A -A -LeftShift"));
        Assert.That(Typed(new('!', ConsoleKey.D1, true, false, false)), Is.EqualTo("+LeftShift +D1 -D1 -LeftShift"));
        Assert.That(Typed(new(':', ConsoleKey.Oem1, true, false, false)), Is.EqualTo("+LeftShift +Semicolon -Semicolon -LeftShift"));
        Assert.That(Typed(new('~', ConsoleKey.Oem3, true, false, false)), Is.EqualTo("+LeftShift +Grave -Grave -LeftShift"));
        Assert.That(Typed(new(' ', ConsoleKey.Spacebar, false, false, false)), Is.EqualTo("+Space -Space"));
    }

    [Test]
    public void TerminalControlAndEditingKeys()
    {
        Assert.That(Typed(new('\x03', ConsoleKey.C, false, false, true)), Is.EqualTo("+LeftControl +C -C -LeftControl"));
        Assert.That(Typed(new('\r', ConsoleKey.Enter, false, false, false)), Is.EqualTo("+Enter -Enter"));
        Assert.That(Typed(new('\x7F', ConsoleKey.Backspace, false, false, false)), Is.EqualTo("+Backspace -Backspace"));
        Assert.That(Typed(new('\0', ConsoleKey.UpArrow, false, false, false)), Is.EqualTo("+Up -Up"));
        Assert.That(Typed(new('\0', ConsoleKey.F5, false, true, false)), Is.EqualTo("+LeftAlt +F5 -F5 -LeftAlt"));
        Assert.That(Typed(new('\0', ConsoleKey.End, true, false, true)), Is.EqualTo("+LeftControl +LeftShift +End -End -LeftShift -LeftControl"));
        Assert.That(Typed(new('\0', ConsoleKey.MediaPlay, false, false, false)), Is.EqualTo(""));
    }
}
