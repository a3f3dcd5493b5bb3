namespace Emulator.Devices.Input;

/// <summary>
/// Scan code sets 1 and 2 of the PC/AT keyboard (IBM PS/2 Technical Reference, Keyboards;
/// Microsoft "Keyboard Scan Code Specification" rev. 1.3a) and the 8042's set 2 to set 1
/// translation (IBM PS/2 Hardware Interface Technical Reference, keyboard controller).
/// </summary>
/// <remarks>
/// Each key is held once, as its set 2 code and whether it carries the E0 prefix. Set 1 is
/// derived through the 8042 translation table, which is how IBM defined set 1 for the AT:
/// a set 1 make code is the translated set 2 make code, and a set 1 break code is the make
/// code with bit 7 set (set 2 sends F0 before the code instead). Print Screen and Pause do
/// not follow the pattern and are built by <see cref="Ps2Keyboard"/>.
/// </remarks>
public static class ScanCodes
{
    const byte E0 = 0x01;       // carries the E0 prefix
    const byte NoBreak = 0x02;  // make only (Hangul, Hanja)
    const byte Defined = 0x80;

    static readonly byte[] set2 = new byte[256];
    static readonly byte[] flags = new byte[256];

    /// <summary>
    /// The 8042 translation of a set 2 byte to set 1 (index: set 2 byte). Bytes from 0x85 up
    /// pass unchanged (keyboard replies FA, AA, EE, FE, the E0/E1 prefixes).
    /// </summary>
    public static ReadOnlySpan<byte> Translation =>
    [
        0xFF, 0x43, 0x41, 0x3F, 0x3D, 0x3B, 0x3C, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3E, 0x0F, 0x29, 0x59,
        0x65, 0x38, 0x2A, 0x70, 0x1D, 0x10, 0x02, 0x5A, 0x66, 0x71, 0x2C, 0x1F, 0x1E, 0x11, 0x03, 0x5B,
        0x67, 0x2E, 0x2D, 0x20, 0x12, 0x05, 0x04, 0x5C, 0x68, 0x39, 0x2F, 0x21, 0x14, 0x13, 0x06, 0x5D,
        0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5E, 0x6A, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5F,
        0x6B, 0x33, 0x25, 0x17, 0x18, 0x0B, 0x0A, 0x60, 0x6C, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0C, 0x61,
        0x6D, 0x73, 0x28, 0x74, 0x1A, 0x0D, 0x62, 0x6E, 0x3A, 0x36, 0x1C, 0x1B, 0x75, 0x2B, 0x63, 0x76,
        0x55, 0x56, 0x77, 0x78, 0x79, 0x7A, 0x0E, 0x7B, 0x7C, 0x4F, 0x7D, 0x4B, 0x47, 0x7E, 0x7F, 0x6F,
        0x52, 0x53, 0x50, 0x4C, 0x4D, 0x48, 0x01, 0x45, 0x57, 0x4E, 0x51, 0x4A, 0x37, 0x49, 0x46, 0x54,
        0x80, 0x81, 0x82, 0x41, 0x54, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D, 0x8E, 0x8F,
        0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F,
        0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF,
        0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xBB, 0xBC, 0xBD, 0xBE, 0xBF,
        0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,
        0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF,
        0xE0, 0xE1, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xEB, 0xEC, 0xED, 0xEE, 0xEF,
        0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
    ];

    static ScanCodes()
    {
        // Letters.
        Define(Key.A, 0x1C); Define(Key.B, 0x32); Define(Key.C, 0x21); Define(Key.D, 0x23);
        Define(Key.E, 0x24); Define(Key.F, 0x2B); Define(Key.G, 0x34); Define(Key.H, 0x33);
        Define(Key.I, 0x43); Define(Key.J, 0x3B); Define(Key.K, 0x42); Define(Key.L, 0x4B);
        Define(Key.M, 0x3A); Define(Key.N, 0x31); Define(Key.O, 0x44); Define(Key.P, 0x4D);
        Define(Key.Q, 0x15); Define(Key.R, 0x2D); Define(Key.S, 0x1B); Define(Key.T, 0x2C);
        Define(Key.U, 0x3C); Define(Key.V, 0x2A); Define(Key.W, 0x1D); Define(Key.X, 0x22);
        Define(Key.Y, 0x35); Define(Key.Z, 0x1A);
        // Digit row.
        Define(Key.D1, 0x16); Define(Key.D2, 0x1E); Define(Key.D3, 0x26); Define(Key.D4, 0x25);
        Define(Key.D5, 0x2E); Define(Key.D6, 0x36); Define(Key.D7, 0x3D); Define(Key.D8, 0x3E);
        Define(Key.D9, 0x46); Define(Key.D0, 0x45);
        // Main block.
        Define(Key.Enter, 0x5A); Define(Key.Escape, 0x76); Define(Key.Backspace, 0x66);
        Define(Key.Tab, 0x0D); Define(Key.Space, 0x29); Define(Key.Minus, 0x4E);
        Define(Key.Equals, 0x55); Define(Key.LeftBracket, 0x54); Define(Key.RightBracket, 0x5B);
        Define(Key.Backslash, 0x5D); Define(Key.NonUsHash, 0x5D); Define(Key.Semicolon, 0x4C);
        Define(Key.Apostrophe, 0x52); Define(Key.Grave, 0x0E); Define(Key.Comma, 0x41);
        Define(Key.Period, 0x49); Define(Key.Slash, 0x4A); Define(Key.CapsLock, 0x58);
        Define(Key.NonUsBackslash, 0x61);
        // Function keys.
        Define(Key.F1, 0x05); Define(Key.F2, 0x06); Define(Key.F3, 0x04); Define(Key.F4, 0x0C);
        Define(Key.F5, 0x03); Define(Key.F6, 0x0B); Define(Key.F7, 0x83); Define(Key.F8, 0x0A);
        Define(Key.F9, 0x01); Define(Key.F10, 0x09); Define(Key.F11, 0x78); Define(Key.F12, 0x07);
        Define(Key.F13, 0x08); Define(Key.F14, 0x10); Define(Key.F15, 0x18); Define(Key.F16, 0x20);
        Define(Key.F17, 0x28); Define(Key.F18, 0x30); Define(Key.F19, 0x38); Define(Key.F20, 0x40);
        Define(Key.F21, 0x48); Define(Key.F22, 0x50); Define(Key.F23, 0x57); Define(Key.F24, 0x5F);
        Define(Key.ScrollLock, 0x7E);
        // Navigation cluster and arrows (gray keys, E0-prefixed).
        Define(Key.Insert, 0x70, E0); Define(Key.Home, 0x6C, E0); Define(Key.PageUp, 0x7D, E0);
        Define(Key.Delete, 0x71, E0); Define(Key.End, 0x69, E0); Define(Key.PageDown, 0x7A, E0);
        Define(Key.Right, 0x74, E0); Define(Key.Left, 0x6B, E0); Define(Key.Down, 0x72, E0);
        Define(Key.Up, 0x75, E0);
        // Keypad.
        Define(Key.NumLock, 0x77); Define(Key.KeypadDivide, 0x4A, E0); Define(Key.KeypadMultiply, 0x7C);
        Define(Key.KeypadMinus, 0x7B); Define(Key.KeypadPlus, 0x79); Define(Key.KeypadEnter, 0x5A, E0);
        Define(Key.Keypad1, 0x69); Define(Key.Keypad2, 0x72); Define(Key.Keypad3, 0x7A);
        Define(Key.Keypad4, 0x6B); Define(Key.Keypad5, 0x73); Define(Key.Keypad6, 0x74);
        Define(Key.Keypad7, 0x6C); Define(Key.Keypad8, 0x75); Define(Key.Keypad9, 0x7D);
        Define(Key.Keypad0, 0x70); Define(Key.KeypadPeriod, 0x71); Define(Key.KeypadEquals, 0x0F);
        Define(Key.KeypadComma, 0x6D);
        // Modifiers and the 104-key additions.
        Define(Key.LeftControl, 0x14); Define(Key.LeftShift, 0x12); Define(Key.LeftAlt, 0x11);
        Define(Key.LeftGui, 0x1F, E0); Define(Key.RightControl, 0x14, E0); Define(Key.RightShift, 0x59);
        Define(Key.RightAlt, 0x11, E0); Define(Key.RightGui, 0x27, E0); Define(Key.Application, 0x2F, E0);
        Define(Key.Power, 0x37, E0);
        // International keys.
        Define(Key.Ro, 0x51); Define(Key.KatakanaHiragana, 0x13); Define(Key.Yen, 0x6A);
        Define(Key.Henkan, 0x64); Define(Key.Muhenkan, 0x67); Define(Key.International6, 0x27);
        Define(Key.Hangul, 0xF2, NoBreak); Define(Key.Hanja, 0xF1, NoBreak);
        Define(Key.Katakana, 0x63); Define(Key.Hiragana, 0x62);
    }

    static void Define(Key key, byte code, byte flag = 0)
    {
        set2[(int)key] = code;
        flags[(int)key] = (byte)(flag | Defined);
    }

    /// <summary>True if <paramref name="key"/> has a scan code (Print Screen and Pause included).</summary>
    public static bool IsDefined(Key key) =>
        key is Key.PrintScreen or Key.Pause || ((uint)key < 256 && (flags[(int)key] & Defined) != 0);

    /// <summary>Translates one set 2 byte to set 1 as the 8042 does (without the F0 break prefix).</summary>
    public static byte Translate(byte set2Byte) => Translation[set2Byte];

    /// <summary>
    /// Appends the make (<paramref name="down"/>) or break sequence of an ordinary key in set 1 or
    /// 2 to <paramref name="output"/>; returns the number of bytes. Not for Print Screen and Pause.
    /// </summary>
    public static int Sequence(Key key, bool down, int set, Span<byte> output)
    {
        int k = (int)key;
        if ((uint)k >= 256 || (flags[k] & Defined) == 0) return 0;
        if (!down && (flags[k] & NoBreak) != 0) return 0;
        int n = 0;
        if ((flags[k] & E0) != 0) output[n++] = 0xE0;
        byte code = set2[k];
        if (set == 1)
        {
            byte c = Translate(code);
            output[n++] = down ? c : (byte)(c | 0x80);
        }
        else
        {
            if (!down) output[n++] = 0xF0;
            output[n++] = code;
        }
        return n;
    }
}
