using Emulator.Devices.Video;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>The text console's ANSI output for known text screens.</summary>
public class DisplayAnsiTests
{
    static TextScreen Screen(int cols, int rows, ushort fill, (int Col, int Row, ushort Cell)[] cells, int cursorCol = -1, int cursorRow = -1, bool blink = true)
    {
        var c = Enumerable.Repeat(fill, cols * rows).ToArray();
        foreach (var (col, row, cell) in cells) c[row * cols + col] = cell;
        return new TextScreen(cols, rows, c, cursorCol, cursorRow, cursorCol >= 0, blink);
    }

    [Test]
    public void FirstFrameClearsAndDrawsEveryCellWithItsColours()
    {
        var ansi = new AnsiTextScreen();
        // 3x2: "Hi" in bright white on blue (1Fh), the rest grey on black (07h); the cursor at (1,1).
        var s = Screen(3, 2, 0x0720, [(0, 0, 0x1F48), (1, 0, 0x1F69)], cursorCol: 1, cursorRow: 1);
        string expected =
            "\e[0m\e[2J" +
            "\e[1;1H\e[0;97;44mHi\e[0;37;40m " +      // blue background is ANSI 4, bright white 97
            "\e[2;1H   " +
            "\e[0m\e[2;2H";                           // the cursor (still shown, so no ?25h)
        Assert.That(ansi.Update(s), Is.EqualTo(expected));
    }

    [Test]
    public void LaterFramesSendOnlyChangedCellsAndNothingWhenNothingChanged()
    {
        var ansi = new AnsiTextScreen();
        ansi.Update(Screen(4, 2, 0x0720, [], cursorCol: 0, cursorRow: 0));
        Assert.That(ansi.Update(Screen(4, 2, 0x0720, [], cursorCol: 0, cursorRow: 0)), Is.EqualTo(""));
        // Red (VGA 4 = ANSI 1) 'x' on brown (VGA 6 = ANSI 3) at (2,1); cursor moves to (3,1).
        string diff = ansi.Update(Screen(4, 2, 0x0720, [(2, 1, 0x6478)], cursorCol: 3, cursorRow: 1));
        Assert.That(diff, Is.EqualTo("\e[2;3H\e[0;31;43mx\e[0m\e[2;4H"));
    }

    [Test]
    public void AttributeBit7BlinksOrBrightensTheBackgroundAndTheCursorHides()
    {
        var ansi = new AnsiTextScreen();
        ansi.Update(Screen(1, 1, 0x0720, [], cursorCol: 0, cursorRow: 0));
        // Blink enabled: 0x9A = blinking bright green (VGA 0xA) on blue.
        Assert.That(ansi.Update(Screen(1, 1, 0x9A41, [])), Is.EqualTo("\e[1;1H\e[0;92;44;5mA\e[0m\e[?25l"));
        // Blink disabled: the same attribute is bright green on bright blue; 0xDB is the full block.
        var noBlink = new AnsiTextScreen();
        Assert.That(noBlink.Update(Screen(1, 1, 0x9ADB, [], blink: false)), Is.EqualTo("\e[0m\e[2J\e[1;1H\e[0;92;104m█\e[0m\e[?25l"));
    }

    [Test]
    public void Cp437ControlPositionsShowTheirGlyphs()
    {
        Assert.That(AnsiTextScreen.Cp437, Has.Length.EqualTo(256));
        Assert.That(AnsiTextScreen.Cp437[0x01], Is.EqualTo('☺'));
        Assert.That(AnsiTextScreen.Cp437[0x41], Is.EqualTo('A'));
        Assert.That(AnsiTextScreen.Cp437[0xB3], Is.EqualTo('│'));
        Assert.That(AnsiTextScreen.Cp437[0xC9], Is.EqualTo('╔'));
        Assert.That(AnsiTextScreen.Cp437[0xE1], Is.EqualTo('ß'));
        Assert.That(AnsiTextScreen.Cp437[0xFE], Is.EqualTo('■'));
    }

    [Test]
    public void GraphicsModesShowOneLineOnceThenTextRedrawsFully()
    {
        var ansi = new AnsiTextScreen();
        ansi.Update(Screen(2, 1, 0x0720, []));
        Assert.That(ansi.UpdateGraphics(640, 480), Is.EqualTo("\e[0m\e[2J\e[H\e[?25l640 x 480 Graphic mode"));
        Assert.That(ansi.UpdateGraphics(640, 480), Is.EqualTo(""));
        Assert.That(ansi.Update(Screen(2, 1, 0x0720, [])), Does.StartWith("\e[0m\e[2J\e[1;1H"));
    }

    [Test]
    public void AVgaTextScreenCapturedFromTheDeviceIsDrawn()
    {
        var rig = new Devices.Video.VgaRig();
        rig.SetMode(Devices.Video.VgaRig.Mode03);
        rig.Crtc(0x0A, 0x20);                  // cursor off
        for (int i = 0; i < 80 * 25; i++) { rig.Poke((uint)(0xB8000 + 2 * i), 0x20); rig.Poke((uint)(0xB8001 + 2 * i), 0x07); }
        rig.Poke(0xB8000 + (1 * 80 + 2) * 2, (byte)'O');
        rig.Poke(0xB8000 + (1 * 80 + 2) * 2 + 1, 0x4E);   // yellow (VGA E = bright brown) on red
        var ansi = new AnsiTextScreen();
        ansi.Update(TextScreen.Capture(rig.Vga)!);
        rig.Poke(0xB8000 + (1 * 80 + 3) * 2, (byte)'K');
        rig.Poke(0xB8000 + (1 * 80 + 3) * 2 + 1, 0x4E);
        Assert.That(ansi.Update(TextScreen.Capture(rig.Vga)!), Is.EqualTo("\e[2;4H\e[0;93;41mK\e[0m"));
    }
}
