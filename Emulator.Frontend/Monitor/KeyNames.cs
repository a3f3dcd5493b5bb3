using Emulator.Devices.Input;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// The key names of QEMU's <c>sendkey</c> (its QKeyCode enumeration, qapi/ui.json) mapped to
/// <see cref="Key"/>. A combination is names joined by '-', e.g. <c>ctrl-alt-delete</c>.
/// </summary>
internal static class KeyNames
{
    static readonly Dictionary<string, Key> Names = Build();

    static Dictionary<string, Key> Build()
    {
        var d = new Dictionary<string, Key>(StringComparer.Ordinal)
        {
            ["shift"] = Key.LeftShift, ["shift_r"] = Key.RightShift, ["alt"] = Key.LeftAlt, ["alt_r"] = Key.RightAlt,
            ["ctrl"] = Key.LeftControl, ["ctrl_r"] = Key.RightControl, ["menu"] = Key.Application, ["esc"] = Key.Escape,
            ["minus"] = Key.Minus, ["equal"] = Key.Equals, ["backspace"] = Key.Backspace, ["tab"] = Key.Tab,
            ["bracket_left"] = Key.LeftBracket, ["bracket_right"] = Key.RightBracket, ["ret"] = Key.Enter,
            ["semicolon"] = Key.Semicolon, ["apostrophe"] = Key.Apostrophe, ["grave_accent"] = Key.Grave,
            ["backslash"] = Key.Backslash, ["comma"] = Key.Comma, ["dot"] = Key.Period, ["slash"] = Key.Slash,
            ["asterisk"] = Key.KeypadMultiply, ["spc"] = Key.Space, ["caps_lock"] = Key.CapsLock,
            ["num_lock"] = Key.NumLock, ["scroll_lock"] = Key.ScrollLock, ["kp_divide"] = Key.KeypadDivide,
            ["kp_multiply"] = Key.KeypadMultiply, ["kp_subtract"] = Key.KeypadMinus, ["kp_add"] = Key.KeypadPlus,
            ["kp_enter"] = Key.KeypadEnter, ["kp_decimal"] = Key.KeypadPeriod, ["kp_comma"] = Key.KeypadComma,
            ["kp_equals"] = Key.KeypadEquals, ["sysrq"] = Key.PrintScreen, ["print"] = Key.PrintScreen,
            ["less"] = Key.NonUsBackslash, ["home"] = Key.Home, ["pgup"] = Key.PageUp, ["pgdn"] = Key.PageDown,
            ["end"] = Key.End, ["left"] = Key.Left, ["up"] = Key.Up, ["down"] = Key.Down, ["right"] = Key.Right,
            ["insert"] = Key.Insert, ["delete"] = Key.Delete, ["meta_l"] = Key.LeftGui, ["meta_r"] = Key.RightGui,
            ["pause"] = Key.Pause, ["power"] = Key.Power, ["ro"] = Key.Ro, ["yen"] = Key.Yen,
            ["henkan"] = Key.Henkan, ["muhenkan"] = Key.Muhenkan, ["katakanahiragana"] = Key.KatakanaHiragana,
            ["hiragana"] = Key.Hiragana, ["katakana"] = Key.Katakana,
        };
        for (char c = 'a'; c <= 'z'; c++) d[c.ToString()] = Key.A + (c - 'a');
        for (int i = 1; i <= 9; i++) d[i.ToString()] = Key.D1 + (i - 1);
        d["0"] = Key.D0;
        for (int i = 1; i <= 9; i++) d["kp_" + i] = Key.Keypad1 + (i - 1);
        d["kp_0"] = Key.Keypad0;
        for (int i = 1; i <= 12; i++) d["f" + i] = Key.F1 + (i - 1);
        return d;
    }

    /// <summary>Parses a combination such as <c>ctrl-alt-delete</c>; throws <see cref="MonitorError"/> naming the first unknown key.</summary>
    public static Key[] ParseCombination(string text)
    {
        var keys = new List<Key>();
        foreach (string name in text.Split('-'))
        {
            if (!Names.TryGetValue(name, out var key)) throw new MonitorError($"invalid parameter: unknown key '{name}'");
            keys.Add(key);
        }
        return keys.ToArray();
    }
}
