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
    internal static BiosRig Boot(Action<Assembler, GuestReport> program)
    {
        var rig = new BiosRig(vgaBios: BiosRig.VgaBiosImage(), bootCode: ReportingGuest.Code("[", program));
        ReportingGuest.Output(rig, "[");
        return rig;
    }

    /// <summary>What the guest program of <see cref="Boot"/> printed.</summary>
    internal static string Output(BiosRig rig) => rig.Console[(rig.Console.IndexOf('[') + 1)..];

    internal static byte[] Mem(BiosRig rig, ulong address, int length)
    {
        var b = new byte[length];
        rig.Machine.Memory.Read(address, b);
        return b;
    }

    internal static uint Bda(BiosRig rig, int offset, int size) => (uint)rig.Machine.Memory.ReadSlow(0x400UL + (ulong)offset, size);

    [Test]
    public void Sign_on_line_shows_in_80x25_colour_text()
    {
        var rig = Boot((a, r) => { });
        var screen = TextScreen.Capture(rig.Board.Vga);
        Assert.That(screen, Is.Not.Null, "not in a text mode");
        Assert.That((screen!.Columns, screen.Rows), Is.EqualTo((80, 25)));
        Assert.That(screen.RowText(0).TrimEnd(), Is.EqualTo("emu VGA BIOS 0.2 (standard VGA, VBE 3.0)"));
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

    internal static void SetCursor(Assembler a, int row, int col)
    {
        a.mov(ah, 0x02);
        a.mov(bh, 0);
        a.mov(dx, (ushort)(row << 8 | col));
        a.@int(0x10);
    }

    static void Tty(Assembler a, char c)
    {
        a.mov(ax, (ushort)(0x0E00 | c));
        a.mov(bx, 0x0007);
        a.@int(0x10);
    }

    [Test]
    public void Teletype_cursor_scroll_and_write_string()
    {
        var rig = Boot((a, r) =>
        {
            SetCursor(a, 5, 10);
            Tty(a, 'A');
            Tty(a, 'B');
            SetCursor(a, 10, 5);
            Tty(a, 'a');
            Tty(a, 'b');
            Tty(a, '\b');
            Tty(a, 'c');
            a.mov(ah, 0x03);                    // cursor: row 10, column 7
            a.mov(bh, 0);
            a.@int(0x10);
            r.Hex(dx);
            SetCursor(a, 10, 6);
            a.mov(ah, 0x08);                    // 'c' in grey on black
            a.mov(bh, 0);
            a.@int(0x10);
            r.Hex(ax);
            SetCursor(a, 24, 0);
            a.mov(ax, 0x0958);                  // three 'X' in yellow on blue
            a.mov(bx, 0x001E);
            a.mov(cx, 3);
            a.@int(0x10);
            SetCursor(a, 24, 79);
            Tty(a, 'Z');                        // last cell: wraps and scrolls the screen up
            a.mov(ax, 0x0701);                  // rows 4-6 down one, new row black on grey
            a.mov(bh, 0x70);
            a.mov(cx, 0x0400);
            a.mov(dx, 0x064F);
            a.@int(0x10);
            a.mov(ax, 0x0600);                  // clear row 9, columns 5-6, white on red
            a.mov(bh, 0x4F);
            a.mov(cx, 0x0905);
            a.mov(dx, 0x0906);
            a.@int(0x10);
            a.mov(ah, 0x0F);
            a.@int(0x10);
            r.Hex(ax);
            r.Hex(bh);
            foreach (var (i, c) in "Hi\r\nYo".Select((c, i) => (i, c)))
                a.mov(__byte_ptr[0x600 + i], (byte)c);
            a.mov(ax, 0x1301);                  // write string, cursor moves
            a.mov(bx, 0x002F);
            a.mov(cx, 6);
            a.mov(dx, 0x0C14);
            a.mov(bp, 0x600);
            a.@int(0x10);
            a.mov(ah, 0x03);
            a.mov(bh, 0);
            a.@int(0x10);
            r.Hex(dx);
            a.mov(ax, 0x1A00);
            a.@int(0x10);
            r.Hex(al);
            r.Hex(bx);
            a.mov(ah, 0x12);
            a.mov(bl, 0x10);
            a.@int(0x10);
            r.Hex(bx);
            r.Hex(cx);
        });
        Assert.That(Output(rig), Is.EqualTo("00000A07 00000763 00005003 00000000 00000D02 0000001A 00000008 00000003 00000F09 \n"));
        var t = TextScreen.Capture(rig.Board.Vga)!;
        // Everything written before the teletype scroll is one row higher.
        Assert.That(t.RowText(5).Substring(10, 2), Is.EqualTo("AB"), "row 4 scrolled down to 5");
        Assert.That((t.Char(10, 4), t.Attribute(10, 4), t.Attribute(79, 4)), Is.EqualTo(((byte)' ', (byte)0x70, (byte)0x70)));
        Assert.That((t.Char(5, 9), t.Attribute(5, 9), t.Attribute(6, 9), t.Attribute(7, 9)), Is.EqualTo(((byte)' ', (byte)0x4F, (byte)0x4F, (byte)0x07)));
        Assert.That(t.RowText(23)[..3], Is.EqualTo("XXX"));
        Assert.That((t.Attribute(0, 23), t.Attribute(3, 23)), Is.EqualTo(((byte)0x1E, (byte)0x07)));
        Assert.That(t.Char(79, 23), Is.EqualTo((byte)'Z'));
        Assert.That((t.Char(0, 24), t.Attribute(0, 24)), Is.EqualTo(((byte)' ', (byte)0x1E)), "the new line takes the attribute under the cursor");
        Assert.That(t.RowText(12).Substring(20, 2), Is.EqualTo("Hi"));
        Assert.That(t.RowText(13)[..2], Is.EqualTo("Yo"));
        Assert.That((t.Attribute(20, 12), t.Attribute(1, 13)), Is.EqualTo(((byte)0x2F, (byte)0x2F)));
        Assert.That((t.CursorRow, t.CursorColumn), Is.EqualTo((13, 2)));
    }

    [Test]
    public void Mode_13h_pixels_and_graphics_teletype()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x0013);
            a.@int(0x10);
            a.mov(ax, 0x0C04);                  // red
            a.mov(bh, 0);
            a.mov(cx, 100);
            a.mov(dx, 50);
            a.@int(0x10);
            a.mov(ax, 0x0C1F);                  // the grey ramp's white
            a.mov(cx, 319);
            a.mov(dx, 199);
            a.@int(0x10);
            a.mov(ah, 0x0D);
            a.mov(cx, 100);
            a.mov(dx, 50);
            a.@int(0x10);
            r.Hex(al);
            a.mov(ah, 0x0F);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(ax, 0x0E41);                  // 'A' in yellow at the top left
            a.mov(bx, 0x000E);
            a.@int(0x10);
        });
        Assert.That(Output(rig), Is.EqualTo("00000004 00002813 \n"));
        var renderer = new VgaRenderer(rig.Board.Vga);
        renderer.Render();
        Assert.That(renderer.Width % 320, Is.EqualTo(0));
        int sx = renderer.Width / 320, sy = renderer.Height / 200;
        Assert.That(sy * 200, Is.EqualTo(renderer.Height));
        uint Pixel(int x, int y) => renderer.Pixels[y * sy * renderer.Width + x * sx];
        Assert.That(Pixel(100, 50), Is.EqualTo(0xFFAA0000u), "CGA red: DAC 2Ah,0,0");
        Assert.That(Pixel(101, 50), Is.EqualTo(0xFF000000u));
        Assert.That(Pixel(319, 199), Is.EqualTo(0xFFFFFFFFu));
        // Mode 13h draws text from the 8x8 font (INT 43h): 'A' line 0 is 38h = 00111000b, MSB left.
        const uint y = 0xFFFFFF55u, k = 0xFF000000u;
        Assert.That(new[] { Pixel(1, 0), Pixel(2, 0), Pixel(3, 0), Pixel(4, 0), Pixel(5, 0) },
            Is.EqualTo(new[] { k, y, y, y, k }));
    }

    [Test]
    public void Mode_12h_planar_pixels()
    {
        var rig = Boot((a, r) =>
        {
            a.mov(ax, 0x0012);
            a.@int(0x10);
            a.mov(bh, 0);
            a.mov(dx, 200);
            foreach (var (x, colour) in new[] { (300, 0x0E), (301, 0x09), (302, 0x8F) })
            {
                a.mov(ax, (ushort)(0x0C00 | colour));
                a.mov(cx, (ushort)x);
                a.@int(0x10);
            }
            foreach (var x in new[] { 300, 301, 302, 303 })
            {
                a.mov(ah, 0x0D);
                a.mov(cx, (ushort)x);
                a.@int(0x10);
                r.Hex(al);
            }
        });
        Assert.That(Output(rig), Is.EqualTo("0000000E 00000009 0000000F 00000000 \n"));
        var renderer = new VgaRenderer(rig.Board.Vga);
        renderer.Render();
        Assert.That((renderer.Width, renderer.Height), Is.EqualTo((640, 480)));
        // attribute palette 0Eh -> DAC 3Eh (rgbRGB 111110) yellow; 09h -> 39h light blue; 0Fh -> 3Fh white
        Assert.That(new[] { 300, 301, 302, 303 }.Select(x => renderer.Pixels[200 * 640 + x]),
            Is.EqualTo(new[] { 0xFFFFFF55u, 0xFF5555FFu, 0xFFFFFFFFu, 0xFF000000u }));
    }

    [Test]
    public void Vbe_800x600x32_through_the_linear_framebuffer_and_banks()
    {
        var rig = Boot((a, r) =>
        {
            VbeGuest.InfoAndSetLinearMode(a, r, 0x143);
            a.mov(ax, 0x4F03);
            a.@int(0x10);
            r.Hex(ax);
            r.Hex(bx);
            a.mov(ax, 0xA000);                          // bank 0: pixel (1, 0) orange
            a.mov(ds, ax);
            a.mov(__dword_ptr[4], 0x00FF8000u);
            a.mov(ax, 0x4F05);                          // bank 1: byte 65536 = pixel 16384 = (384, 20)
            a.xor(bx, bx);
            a.mov(dx, 1);
            a.@int(0x10);
            r.Hex(ax);
            a.mov(__dword_ptr[0], 0x000000FFu);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(ax, 0x4F06);
            a.mov(bl, 1);
            a.@int(0x10);
            r.Hex(bx);
            r.Hex(cx);
        });
        Assert.That(Output(rig), Is.EqualTo("0000004F 0000004F 0000004F 0000004F 00004143 0000004F 00000C80 00000320 \n"));
        var mem = rig.Machine.Memory;
        var info = Mem(rig, VbeGuest.InfoAt, 512);
        Assert.That(System.Text.Encoding.ASCII.GetString(info, 0, 4), Is.EqualTo("VESA"));
        Assert.That(BitConverter.ToUInt16(info, 4), Is.EqualTo(0x0300));
        Assert.That(BitConverter.ToUInt16(info, 18), Is.EqualTo(16 * 16), "16 MiB in 64 KiB units");
        Assert.That(VbeGuest.ModeList(rig), Does.Contain((ushort)0x143).And.Contain((ushort)0x101).And.Contain((ushort)0x118));
        var mi = Mem(rig, VbeGuest.ModeInfoAt, 256);
        Assert.That(BitConverter.ToUInt16(mi, 0) & 0x99, Is.EqualTo(0x99), "supported, colour, graphics, LFB");
        Assert.That((BitConverter.ToUInt16(mi, 0x10), BitConverter.ToUInt16(mi, 0x12), BitConverter.ToUInt16(mi, 0x14), mi[0x19], mi[0x1B]),
            Is.EqualTo(((ushort)3200, (ushort)800, (ushort)600, (byte)32, (byte)6)));
        Assert.That(mi.Skip(0x1F).Take(8), Is.EqualTo(new byte[] { 8, 16, 8, 8, 8, 0, 8, 24 }));
        uint lfb = BitConverter.ToUInt32(mi, 0x28);
        Assert.That(lfb, Is.EqualTo(rig.Board.Vga.ReadConfig(0x10, 4) & ~0xFu).And.Not.EqualTo(0u));
        mem.Write(lfb + (5 * 800 + 10) * 4, new byte[] { 0x00, 0x00, 0xFF, 0x00 });   // blue, green, red, unused
        var renderer = new VgaRenderer(rig.Board.Vga);
        renderer.Render();
        Assert.That((renderer.Width, renderer.Height), Is.EqualTo((800, 600)));
        Assert.That(renderer.Pixels[5 * 800 + 10], Is.EqualTo(0xFFFF0000u));
        Assert.That(renderer.Pixels[1], Is.EqualTo(0xFFFF8000u));
        Assert.That(renderer.Pixels[20 * 800 + 384], Is.EqualTo(0xFF0000FFu));
        Assert.That(renderer.Pixels[0], Is.EqualTo(0xFF000000u), "cleared by the mode set");
    }
}
