using Emulator.Devices.Video;
using Emulator.Frontend.Display;
using StbImageSharp;

namespace Emulator.Tests.Frontend;

/// <summary>PNG screen dumps decoded back (with StbImageSharp, a separate decoder) equal the renderer's pixels.</summary>
public class DisplayScreenDumpTests
{
    static uint[] Decode(byte[] png, out int width, out int height)
    {
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlueAlpha);
        width = image.Width;
        height = image.Height;
        var pixels = new uint[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            var d = image.Data;
            Assert.That(d[i * 4 + 3], Is.EqualTo(255), "opaque");
            pixels[i] = 0xFF00_0000u | (uint)d[i * 4] << 16 | (uint)d[i * 4 + 1] << 8 | d[i * 4 + 2];
        }
        return pixels;
    }

    [Test]
    public void Mode13hDumpDecodesToTheRenderedPixels()
    {
        var rig = new Devices.Video.VgaRig();
        rig.SetMode(Devices.Video.VgaRig.Mode13);
        for (int i = 0; i < 256; i++) rig.Dac(i, (byte)(i & 63), (byte)((i * 5) & 63), (byte)(63 - (i & 63)));
        var rnd = new Random(13);
        for (uint a = 0; a < 320 * 200; a += 7) rig.Poke(0xA0000 + a, (byte)rnd.Next(256));
        var frames = new FrameSource(rig.Vga);
        var frame = frames.Capture();
        Assert.That((frame.Width, frame.Height, frame.Kind), Is.EqualTo((320, 200, VgaDisplayKind.Colors256)));
        // Pixel (7, 0) is byte 7 of the window: its DAC colour, worked from the values written above.
        byte b7 = rig.Peek(0xA0007);
        Assert.That(frame.Pixels[7], Is.EqualTo(Devices.Video.VgaRig.Rgb6(b7 & 63, (b7 * 5) & 63, 63 - (b7 & 63))));

        var png = new MemoryStream();
        ScreenDump.Encode(frame, png);
        var decoded = Decode(png.ToArray(), out int w, out int h);
        Assert.That((w, h), Is.EqualTo((320, 200)));
        Assert.That(decoded, Is.EqualTo(frame.Pixels));
    }

    [Test]
    public void TextModeDumpWrittenToAFileMatchesAndLeavesChangesForTheDisplay()
    {
        var rig = new Devices.Video.VgaRig();
        rig.SetMode(Devices.Video.VgaRig.Mode03);
        rig.LoadGlyph(0x41, [0, 0, 0x10, 0x38, 0x6C, 0xC6, 0xC6, 0xFE, 0xC6, 0xC6, 0xC6, 0xC6, 0, 0, 0, 0]);
        rig.Dac(0x3E, 63, 63, 0);
        rig.Dac(0x01, 0, 0, 42);
        rig.Poke(0xB8000, 0x41);
        rig.Poke(0xB8001, 0x1E);
        var frames = new FrameSource(rig.Vga);
        frames.Refresh((_, _) => { });
        rig.Poke(0xB8002, 0x41);
        rig.Poke(0xB8003, 0x1E);
        using var dir = new TempDir();
        string path = dir.File("shot.png");
        ScreenDump.Write(frames, path);
        var decoded = Decode(File.ReadAllBytes(path), out int w, out int h);
        Assert.That((w, h), Is.EqualTo((720, 400)));
        // Cell (1,0) line 7 is the glyph's FEh row: 7 yellow dots then a background 8th and 9th.
        uint yellow = Devices.Video.VgaRig.Rgb6(63, 63, 0), blue = Devices.Video.VgaRig.Rgb6(0, 0, 42);
        Assert.That(decoded.AsSpan(7 * 720 + 9, 9).ToArray(), Is.EqualTo(new[] { yellow, yellow, yellow, yellow, yellow, yellow, yellow, blue, blue }));
        // The dump rendered the second 'A'; the display's next refresh still gets that change.
        DirtyRect seen = default;
        Assert.That(frames.Refresh((_, d) => seen = d), Is.True);
        Assert.That(seen, Is.EqualTo(new DirtyRect(9, 0, 9, 16)));
    }

    [Test]
    public void AnUnwritableFileIsOneError()
    {
        var frames = new FrameSource(new Devices.Video.VgaRig().Vga);
        Assert.That(() => ScreenDump.Write(frames, "/nonexistent-dir/shot.png"),
            Throws.TypeOf<Emulator.Frontend.EmuError>().With.Message.StartsWith("screendump: cannot write '/nonexistent-dir/shot.png'"));
    }
}
