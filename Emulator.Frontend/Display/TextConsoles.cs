namespace Emulator.Frontend.Display;

/// <summary>The keys a text console takes besides text (QEMU's QEMU_KEY_* keysyms of a text console).</summary>
internal enum VcKey
{
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Insert,
    Delete,
    Backspace,
    Enter,
    Tab,
    Escape,
}

/// <summary>What a text console does with what is typed in it; called on the window's thread.</summary>
internal interface IVirtualConsoleInput
{
    /// <summary>Text typed (the host keyboard layout's characters), or one control character for Ctrl+letter.</summary>
    void Text(string text);

    void Key(VcKey key);
}

/// <summary>One text console: its screen and who reads its keys.</summary>
internal sealed record VcEntry(VirtualConsole Screen, IVirtualConsoleInput Input);

/// <summary>
/// The SDL window's text consoles after the VGA (Ctrl+Alt+2, Ctrl+Alt+3...), in QEMU's order:
/// the monitor's (<c>compat_monitor0</c>) first, then the serial ports on <c>vc</c>
/// (<c>serial0</c>...). Filled while the machine is built, before the window opens.
/// </summary>
internal sealed class TextConsoles
{
    readonly List<VcEntry> consoles = new();

    public IReadOnlyList<VcEntry> All => consoles;

    /// <summary>Adds the monitor's console, ahead of the serial ports'.</summary>
    public void AddMonitor(VirtualConsole screen, IVirtualConsoleInput input) => consoles.Insert(0, new VcEntry(screen, input));

    /// <summary>Adds a serial port's console after the others.</summary>
    public void AddSerial(VirtualConsole screen, IVirtualConsoleInput input) => consoles.Add(new VcEntry(screen, input));
}
