using Emulator.Devices.Input;

namespace Emulator.Frontend.Display;

/// <summary>
/// SDL scancodes to PC keys. SDL 2's scancodes are the USB HID keyboard-page usages
/// (SDL_scancode.h: "values are from usage page 0x07"), as are <see cref="Key"/>'s values,
/// so the table maps every usage the PS/2 keyboard can send to itself and everything else
/// (SDL's media and application keys above 0xE7, usages without a PS/2 code) to
/// <see cref="Key.None"/>. Keys are physical positions, so international layouts work by
/// scancode: the guest's keymap decides the character.
/// </summary>
internal static class SdlKeyMap
{
    static readonly Key[] Table = Build();

    static Key[] Build()
    {
        var table = new Key[256];
        foreach (var key in Enum.GetValues<Key>())
            if (key != Key.None && (int)key < 256 && ScanCodes.IsDefined(key)) table[(int)key] = key;
        return table;
    }

    /// <summary>The key for SDL scancode <paramref name="scancode"/>; <see cref="Key.None"/> when the PC keyboard has none.</summary>
    public static Key FromScancode(int scancode) => (uint)scancode < (uint)Table.Length ? Table[scancode] : Key.None;
}
