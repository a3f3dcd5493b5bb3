using Emulator.Core.Machine;
using Emulator.Devices.Video;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The project's VGA BIOS (bios/vgabios.bin) on the standard VGA's expansion ROM BAR, run by the
/// project's BIOS: the picture is checked through <see cref="TextScreen"/> and
/// <see cref="VgaRenderer"/>, the services by guest code the BIOS boots (an option ROM hooking
/// INT 19h, see <see cref="BiosRig"/>) reporting over port E9h. Expected values are worked by
/// hand from the IBM VGA BIOS interface and VBE 2.0.
/// </summary>
public class VgaBiosTests
{
    static BiosRig Boot(Action<Assembler, GuestReport> program)
    {
        var rig = new BiosRig(vgaBios: BiosRig.VgaBiosImage(), bootCode: a =>
        {
            var r = new GuestReport(a);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(es, ax);
            r.Text("[");
            program(a, r);
            r.End();
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console, Does.Contain("["), "the test code did not run: " + rig.Console);
        return rig;
    }

    static string Output(BiosRig rig) => rig.Console[(rig.Console.IndexOf('[') + 1)..];

    static uint Bda(BiosRig rig, int offset, int size) => (uint)rig.Machine.Memory.ReadSlow(0x400UL + (ulong)offset, size);

    [Test]
    public void Sign_on_line_shows_in_80x25_colour_text()
    {
        var rig = Boot((a, r) => { });
        var screen = TextScreen.Capture(rig.Board.Vga);
        Assert.That(screen, Is.Not.Null, "not in a text mode");
        Assert.That((screen!.Columns, screen.Rows), Is.EqualTo((80, 25)));
        Assert.That(screen.RowText(0).TrimEnd(), Is.EqualTo("emu VGA BIOS 0.1 (standard VGA, VBE 2.0)"));
        Assert.That(screen.Attribute(0, 0), Is.EqualTo(0x07));
        Assert.That(screen.Char(0, 1), Is.EqualTo((byte)' '));
        Assert.That(screen.Attribute(79, 24), Is.EqualTo(0x07), "cleared with grey on black");
        Assert.That((screen.CursorRow, screen.CursorColumn, screen.CursorVisible), Is.EqualTo((1, 0, true)));
        // BDA video fields (IBM PC BIOS data area 40:49-40:8A) for mode 03h.
        Assert.That(Bda(rig, 0x49, 1), Is.EqualTo(0x03));
        Assert.That(Bda(rig, 0x4A, 2), Is.EqualTo(80));
        Assert.That(Bda(rig, 0x4C, 2), Is.EqualTo(0x1000));
        Assert.That(Bda(rig, 0x50, 2), Is.EqualTo(0x0100), "page 0 cursor: row 1, column 0");
        Assert.That(Bda(rig, 0x63, 2), Is.EqualTo(0x3D4));
        Assert.That(Bda(rig, 0x84, 1), Is.EqualTo(24));
        Assert.That(Bda(rig, 0x85, 2), Is.EqualTo(16));
        // 9x16 cells: 720x400; the 'e' of "emu" has ink in its top-left cell, the space after none.
        var renderer = new VgaRenderer(rig.Board.Vga);
        renderer.Render();
        Assert.That((renderer.Width, renderer.Height), Is.EqualTo((720, 400)));
        const uint grey = 0xFFAAAAAA, black = 0xFF000000;
        int Ink(int col, int row)
        {
            int n = 0;
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 9; x++)
                {
                    uint p = renderer.Pixels[(row * 16 + y) * 720 + col * 9 + x];
                    Assert.That(p, Is.EqualTo(grey).Or.EqualTo(black));
                    if (p == grey) n++;
                }
            return n;
        }
        Assert.That(Ink(0, 0), Is.GreaterThan(10));
        Assert.That(Ink(3, 0), Is.EqualTo(0));
    }
}
