namespace Emulator.Devices.Input;

/// <summary>
/// A physical key of a PC/AT keyboard (101/102/104/105 keys plus the Japanese, Brazilian and
/// Korean extras), named by its position on a US layout, not by the character it types.
/// The values are the USB HID usages of the keyboard page (HID Usage Tables, page 0x07), so
/// a frontend that already has HID usages (SDL scancodes are the same numbers) can cast.
/// </summary>
public enum Key
{
    None = 0,

    A = 0x04, B, C, D, E, F, G, H, I, J, K, L, M,
    N, O, P, Q, R, S, T, U, V, W, X, Y, Z,

    D1 = 0x1E, D2, D3, D4, D5, D6, D7, D8, D9, D0,

    Enter = 0x28,
    Escape,
    Backspace,
    Tab,
    Space,
    Minus,
    Equals,
    LeftBracket,
    RightBracket,
    /// <summary>The key above Enter on a US (101/104-key) keyboard.</summary>
    Backslash,
    /// <summary>The key left of Enter on an ISO (102/105-key) keyboard; same scan code as <see cref="Backslash"/>.</summary>
    NonUsHash,
    Semicolon,
    Apostrophe,
    /// <summary>The key left of 1 (` ~; Hankaku/Zenkaku on a Japanese keyboard).</summary>
    Grave,
    Comma,
    Period,
    Slash,
    CapsLock,

    F1 = 0x3A, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12,

    /// <summary>Print Screen / SysRq: its sequence depends on Shift, Ctrl and Alt.</summary>
    PrintScreen = 0x46,
    ScrollLock,
    /// <summary>Pause / Break: make-only, Ctrl+Pause sends Break.</summary>
    Pause,
    Insert,
    Home,
    PageUp,
    Delete,
    End,
    PageDown,
    Right,
    Left,
    Down,
    Up,

    NumLock = 0x53,
    KeypadDivide,
    KeypadMultiply,
    KeypadMinus,
    KeypadPlus,
    KeypadEnter,
    Keypad1, Keypad2, Keypad3, Keypad4, Keypad5, Keypad6, Keypad7, Keypad8, Keypad9, Keypad0,
    KeypadPeriod,

    /// <summary>The 102nd key: between left Shift and Z on an ISO keyboard (&lt; &gt; |).</summary>
    NonUsBackslash = 0x64,
    /// <summary>The Menu (context) key of a 104-key keyboard.</summary>
    Application,
    /// <summary>The ACPI Power key.</summary>
    Power,
    KeypadEquals,

    F13 = 0x68, F14, F15, F16, F17, F18, F19, F20, F21, F22, F23, F24,

    /// <summary>Keypad comma (Brazilian keypad '.').</summary>
    KeypadComma = 0x85,
    /// <summary>International 1: Ro (Japanese), / ? (Brazilian ABNT2).</summary>
    Ro = 0x87,
    /// <summary>International 2: Katakana/Hiragana (Japanese).</summary>
    KatakanaHiragana = 0x88,
    /// <summary>International 3: Yen (Japanese).</summary>
    Yen = 0x89,
    /// <summary>International 4: Henkan (Japanese conversion).</summary>
    Henkan = 0x8A,
    /// <summary>International 5: Muhenkan (Japanese non-conversion).</summary>
    Muhenkan = 0x8B,
    /// <summary>International 6: PC-9800 keypad comma.</summary>
    International6 = 0x8C,
    /// <summary>LANG1: Hangul/English (Korean); make only.</summary>
    Hangul = 0x90,
    /// <summary>LANG2: Hanja (Korean); make only.</summary>
    Hanja = 0x91,
    /// <summary>LANG3: Katakana (Japanese).</summary>
    Katakana = 0x92,
    /// <summary>LANG4: Hiragana (Japanese).</summary>
    Hiragana = 0x93,

    LeftControl = 0xE0,
    LeftShift,
    LeftAlt,
    /// <summary>Left Windows / GUI key.</summary>
    LeftGui,
    RightControl,
    RightShift,
    /// <summary>Right Alt (AltGr).</summary>
    RightAlt,
    /// <summary>Right Windows / GUI key.</summary>
    RightGui,
}
