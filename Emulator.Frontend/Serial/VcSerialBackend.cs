using System.Text;
using Emulator.Frontend.Display;

namespace Emulator.Frontend.Serial;

/// <summary>
/// <c>vc</c>: a serial port on a text console of the SDL window (QEMU's default <c>-serial vc</c>
/// with a graphical display; Ctrl+Alt+3 with the monitor on Ctrl+Alt+2). The guest's bytes go to
/// the console, which interprets them as a VT100 would; keys typed there go to the UART as a
/// VT100 sends them, without local echo (QEMU's vc: Return CR, Backspace DEL, arrows
/// <c>ESC [ A</c>-<c>D</c>, Home/End/Insert/Delete/PageUp/PageDown <c>ESC [ n ~</c>).
/// </summary>
internal sealed class VcSerialBackend(VirtualConsole screen) : HostSerialBackend, IVirtualConsoleInput
{
    public VirtualConsole Screen => screen;

    public override void Write(byte value) => screen.Write(new ReadOnlySpan<byte>(in value));

    public override bool CanReceive => true;

    public void Text(string text) => Enqueue(Encoding.UTF8.GetBytes(text));

    public void Key(VcKey key)
    {
        string? sequence = key switch
        {
            VcKey.Up => "\x1B[A",
            VcKey.Down => "\x1B[B",
            VcKey.Right => "\x1B[C",
            VcKey.Left => "\x1B[D",
            VcKey.Home => "\x1B[1~",
            VcKey.Insert => "\x1B[2~",
            VcKey.Delete => "\x1B[3~",
            VcKey.End => "\x1B[4~",
            VcKey.PageUp => "\x1B[5~",
            VcKey.PageDown => "\x1B[6~",
            VcKey.Backspace => "\x7F",
            VcKey.Enter => "\r",
            VcKey.Tab => "\t",
            VcKey.Escape => "\x1B",
            _ => null,
        };
        if (sequence != null) Enqueue(Encoding.ASCII.GetBytes(sequence));
    }
}
