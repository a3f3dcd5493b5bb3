using System.Diagnostics;
using Emulator.Frontend;
using Iced.Intel;
using StbImageSharp;
using static Iced.Intel.AssemblerRegisters;
using VgaRig = Emulator.Tests.Devices.Video.VgaRig;

namespace Emulator.Tests.Frontend;

/// <summary>
/// emu in an SDL window on a private X server: real X key events (xdotool) reach the guest
/// through SDL, the window's pixels (a screenshot of the real window) equal the frame emu's
/// renderer made, and closing the window powers the machine off.
/// </summary>
[NonParallelizable]
public class DisplaySdlEndToEndTests
{
    const byte EchoAttr = 0x2E;          // fg: attribute palette Eh -> DAC 3Eh; bg: palette 2 -> DAC 2
    const int EchoRow = 2;

    /// <summary>
    /// A BIOS that sets mode 3 by hand, loads a font whose glyph for code c has every row equal to
    /// c (so each byte is recognisable on screen), sets DAC entry i to (i, 63-i, 7i mod 64), clears
    /// the screen, hides the cursor, then echoes every byte the 8042 gives it to row 2, one cell a byte.
    /// </summary>
    internal static void EchoGuest(Assembler a)
    {
        void Out8(ushort port, byte value) { a.mov(dx, port); a.mov(al, value); a.@out(dx, al); }
        void Indexed(ushort port, int index, byte value) { a.mov(dx, port); a.mov(ax, (ushort)(value << 8 | index)); a.@out(dx, ax); }
        var m = VgaRig.Mode03;
        a.cli();
        Out8(0x3C2, m.Misc);
        for (int i = 0; i < m.Seq.Length; i++) Indexed(0x3C4, i, m.Seq[i]);
        for (int i = 0; i < m.Crtc.Length; i++) Indexed(0x3D4, i, i == 0x0A ? (byte)0x20 : m.Crtc[i]);   // cursor off
        for (int i = 0; i < m.Gc.Length; i++) Indexed(0x3CE, i, m.Gc[i]);
        a.mov(dx, (ushort)0x3DA); a.@in(al, dx);
        for (int i = 0; i < m.Attr.Length; i++) { Out8(0x3C0, (byte)i); Out8(0x3C0, m.Attr[i]); }
        Out8(0x3C0, 0x20);

        // Font: plane 2 at A0000, 32 bytes a glyph, 16 rows of the code itself.
        Indexed(0x3C4, 2, 0x04); Indexed(0x3C4, 4, 0x06); Indexed(0x3CE, 4, 0x02); Indexed(0x3CE, 5, 0x00); Indexed(0x3CE, 6, 0x04);
        a.mov(ax, (ushort)0xA000); a.mov(es, ax); a.xor(di, di); a.xor(bx, bx); a.cld();
        var glyph = a.CreateLabel();
        a.Label(ref glyph);
        a.mov(al, bl); a.mov(cx, (ushort)16); a.rep.stosb(); a.add(di, 16); a.inc(bl); a.jnz(glyph);
        Indexed(0x3C4, 2, 0x03); Indexed(0x3C4, 4, 0x02); Indexed(0x3CE, 4, 0x00); Indexed(0x3CE, 5, 0x10); Indexed(0x3CE, 6, 0x0E);

        // DAC entries 0-63.
        Out8(0x3C8, 0);
        a.mov(dx, (ushort)0x3C9); a.xor(bx, bx);
        var dac = a.CreateLabel();
        a.Label(ref dac);
        a.mov(al, bl); a.@out(dx, al);
        a.mov(al, 63); a.sub(al, bl); a.@out(dx, al);
        a.mov(al, bl); a.mov(ah, 7); a.mul(ah); a.and(al, 63); a.@out(dx, al);
        a.inc(bl); a.cmp(bl, 64); a.jne(dac);

        // Clear to grey-on-black spaces, then echo.
        a.mov(ax, (ushort)0xB800); a.mov(es, ax); a.xor(di, di); a.mov(ax, (ushort)0x0720); a.mov(cx, (ushort)2000); a.rep.stosw();
        a.mov(di, (ushort)(EchoRow * 160));
        var poll = a.CreateLabel();
        a.Label(ref poll);
        a.@in(al, 0x64); a.test(al, 1); a.jz(poll);
        a.@in(al, 0x60); a.mov(ah, EchoAttr); a.stosw(); a.jmp(poll);
    }

    static uint Dac(int i) => VgaRig.Rgb6(i, 63 - i, (7 * i) & 63);

    static uint[] ReadPng(string path, out int width, out int height)
    {
        var image = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        width = image.Width;
        height = image.Height;
        var px = new uint[width * height];
        for (int i = 0; i < px.Length; i++)
            px[i] = 0xFF00_0000u | (uint)image.Data[3 * i] << 16 | (uint)image.Data[3 * i + 1] << 8 | image.Data[3 * i + 2];
        return px;
    }

    /// <summary>True when row 2 of a 720x400 picture shows <paramref name="bytes"/>, drawn as the echo guest draws them.</summary>
    static bool ShowsEcho(Func<int, int, uint> pixel, byte[] bytes)
    {
        uint fg = Dac(0x3E), bg = Dac(0x02);
        for (int c = 0; c < bytes.Length; c++)
            for (int line = 0; line < 16; line += 5)
                for (int x = 0; x < 9; x++)
                {
                    bool on = x < 8 && (bytes[c] & (0x80 >> x)) != 0;
                    if (pixel(c * 9 + x, EchoRow * 16 + line) != (on ? fg : bg)) return false;
                }
        return true;
    }

    [Test]
    public void KeysTypedInTheWindowReachTheGuestAndTheWindowShowsTheRenderedFrame()
    {
        using var dir = new TempDir();
        string bios = dir.Write("echo.bin", TinyBios.Build(EchoGuest));
        string dump = dir.File("dump.png"), shot = dir.File("window.png");
        using var x = new Xvfb();
        using var emu = x.StartEmu("-bios", bios, "-display", "sdl", "-name", "e2e", "-screendump", dump);
        var stderr = emu.StandardError.ReadToEndAsync();
        var stdout = emu.StandardOutput.ReadToEndAsync();
        try
        {
            ulong window = WaitFor(() =>
            {
                if (emu.HasExited) throw new AssertionException($"emu exited with {emu.ExitCode}: {stderr.Result}");
                return x.FindWindow("^emu \\(e2e\\)$");
            }, w => w != 0, "the window to appear");
            Assert.That(x.Run("xdotool", "getwindowname", window.ToString()).TrimEnd('\n'), Is.EqualTo("emu (e2e)"));
            x.Run("xdotool", "windowfocus", "--sync", window.ToString());
            x.Run("xdotool", "key", "a", "b");

            // Set 2 (the 8042 does not translate by default): A make 1C, break F0 1C; B 32, F0 32.
            byte[] expected = [0x1C, 0xF0, 0x1C, 0x32, 0xF0, 0x32];
            uint[] window720x540 = WaitFor(() =>
            {
                x.Run("import", "-window", window.ToString(), "png:" + shot);
                return ReadPng(shot, out int w, out int h) is var px && w == 720 && h == 540 ? px : [];
            }, px => px.Length > 0 && ShowsEcho((sx, sy) => px[WindowY(sy) * 720 + sx], expected), "the echoed scan codes in the window");

            x.CloseWindow(window);
            Assert.That(emu.WaitForExit(30_000), Is.True, "closing the window powers off");
            Assert.That(emu.ExitCode, Is.EqualTo(0), stderr.Result);

            // The renderer's frame (written by -screendump as emu exited) is what the window showed.
            var frame = ReadPng(dump, out int fw, out int fh);
            Assert.That((fw, fh), Is.EqualTo((720, 400)));
            Assert.That(ShowsEcho((sx, sy) => frame[sy * 720 + sx], expected), Is.True, "the dump shows the echo");
            int mismatches = 0;
            for (int sy = 0; sy < 400; sy++)
                for (int sx = 0; sx < 720; sx++)
                    if (window720x540[WindowY(sy) * 720 + sx] != frame[sy * 720 + sx]) mismatches++;
            Assert.That(mismatches, Is.EqualTo(0), "window pixels (sampled at each source pixel's centre) differ from the frame");
        }
        finally
        {
            if (!emu.HasExited) { emu.Kill(); emu.WaitForExit(5000); }
        }
    }

    /// <summary>The window row at the centre of source row <paramref name="sy"/>: 400 rows shown 4:3 in 540.</summary>
    static int WindowY(int sy) => (int)((sy + 0.5) * 540 / 400);

    static T WaitFor<T>(Func<T> probe, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (done(value)) return value;
            if (clock.ElapsedMilliseconds > 30_000) throw new AssertionException($"timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }
}
