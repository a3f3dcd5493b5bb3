using Emulator.Devices.Input;

namespace Emulator.Frontend.Display;

/// <summary>
/// Keys read from a terminal (<see cref="ConsoleKeyInfo"/>, which .NET decodes from the
/// terminal's bytes and escape sequences) as PS/2 key presses for a US-layout guest.
/// </summary>
/// <remarks>
/// A terminal reports characters, not key positions, and no releases: each key becomes a
/// press and release, wrapped in the modifiers it needs (Shift for capitals and shifted
/// symbols, Ctrl, Alt). Printable ASCII goes through the US layout, so a guest with another
/// keymap sees the US positions of the characters typed.
/// </remarks>
internal static class TerminalKeys
{
    /// <summary>The US layout: ASCII 0x20-0x7E to the key and whether Shift is needed.</summary>
    static readonly (Key Key, bool Shift)[] Ascii = BuildAscii();

    static (Key, bool)[] BuildAscii()
    {
        var t = new (Key, bool)[128];
        for (char c = 'a'; c <= 'z'; c++) { t[c] = (Key.A + (c - 'a'), false); t[char.ToUpperInvariant(c)] = (Key.A + (c - 'a'), true); }
        t['0'] = (Key.D0, false);
        for (char c = '1'; c <= '9'; c++) t[c] = (Key.D1 + (c - '1'), false);
        const string shiftedDigits = ")!@#$%^&*(";
        for (int i = 0; i < 10; i++) t[shiftedDigits[i]] = (i == 0 ? Key.D0 : Key.D1 + (i - 1), true);
        void Pair(char plain, char shifted, Key key) { t[plain] = (key, false); t[shifted] = (key, true); }
        Pair('-', '_', Key.Minus); Pair('=', '+', Key.Equals); Pair('[', '{', Key.LeftBracket); Pair(']', '}', Key.RightBracket);
        Pair('\\', '|', Key.Backslash); Pair(';', ':', Key.Semicolon); Pair('\'', '"', Key.Apostrophe); Pair('`', '~', Key.Grave);
        Pair(',', '<', Key.Comma); Pair('.', '>', Key.Period); Pair('/', '?', Key.Slash);
        t[' '] = (Key.Space, false);
        return t;
    }

    /// <summary>Appends the presses and releases that type <paramref name="info"/> to <paramref name="output"/>.</summary>
    public static void Translate(ConsoleKeyInfo info, List<InputEvent> output)
    {
        var (key, shift) = KeyOf(info);
        if (key == Key.None) return;
        bool ctrl = (info.Modifiers & ConsoleModifiers.Control) != 0;
        bool alt = (info.Modifiers & ConsoleModifiers.Alt) != 0;
        shift |= (info.Modifiers & ConsoleModifiers.Shift) != 0 && !IsPrintable(info.KeyChar);
        if (ctrl) output.Add(new InputEvent.KeyDown(Key.LeftControl));
        if (alt) output.Add(new InputEvent.KeyDown(Key.LeftAlt));
        if (shift) output.Add(new InputEvent.KeyDown(Key.LeftShift));
        output.Add(new InputEvent.KeyDown(key));
        output.Add(new InputEvent.KeyUp(key));
        if (shift) output.Add(new InputEvent.KeyUp(Key.LeftShift));
        if (alt) output.Add(new InputEvent.KeyUp(Key.LeftAlt));
        if (ctrl) output.Add(new InputEvent.KeyUp(Key.LeftControl));
    }

    static bool IsPrintable(char c) => c >= 0x20 && c < 0x7F;

    static (Key, bool) KeyOf(ConsoleKeyInfo info)
    {
        char c = info.KeyChar;
        if (IsPrintable(c)) return Ascii[c];
        var k = info.Key;
        if (k >= ConsoleKey.A && k <= ConsoleKey.Z) return (Key.A + (k - ConsoleKey.A), false);   // Ctrl+letter
        if (k >= ConsoleKey.D0 && k <= ConsoleKey.D9) return (k == ConsoleKey.D0 ? Key.D0 : Key.D1 + (k - ConsoleKey.D1), false);
        if (k >= ConsoleKey.F1 && k <= ConsoleKey.F12) return (Key.F1 + (k - ConsoleKey.F1), false);
        return (k switch
        {
            ConsoleKey.Enter => Key.Enter,
            ConsoleKey.Escape => Key.Escape,
            ConsoleKey.Backspace => Key.Backspace,
            ConsoleKey.Tab => Key.Tab,
            ConsoleKey.Spacebar => Key.Space,
            ConsoleKey.UpArrow => Key.Up,
            ConsoleKey.DownArrow => Key.Down,
            ConsoleKey.LeftArrow => Key.Left,
            ConsoleKey.RightArrow => Key.Right,
            ConsoleKey.Home => Key.Home,
            ConsoleKey.End => Key.End,
            ConsoleKey.PageUp => Key.PageUp,
            ConsoleKey.PageDown => Key.PageDown,
            ConsoleKey.Insert => Key.Insert,
            ConsoleKey.Delete => Key.Delete,
            _ => c switch
            {
                '\r' or '\n' => Key.Enter,
                '\e' => Key.Escape,
                '\b' or '\x7F' => Key.Backspace,
                '\t' => Key.Tab,
                _ => Key.None,
            },
        }, false);
    }
}
