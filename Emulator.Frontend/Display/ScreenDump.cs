using StbImageWriteSharp;

namespace Emulator.Frontend.Display;

/// <summary>
/// Saves the screen as a PNG file (<c>-screendump FILE</c>, and the monitor's
/// <c>screendump</c>): the VGA's current picture at its own resolution (720x400 for 80x25
/// text, 320x200 for mode 13h), 8-bit RGB. Encoded by StbImageWriteSharp.
/// </summary>
internal static class ScreenDump
{
    /// <summary>Writes the picture <paramref name="frames"/> shows now to <paramref name="path"/>; throws <see cref="EmuError"/> on failure.</summary>
    public static void Write(FrameSource frames, string path)
    {
        var frame = frames.Capture();
        try
        {
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            Encode(frame, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmuError($"screendump: cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>Encodes <paramref name="frame"/> as PNG into <paramref name="output"/>. A blank (0 x 0) screen is saved as one black pixel.</summary>
    public static void Encode(Frame frame, Stream output)
    {
        int w = frame.Width, h = frame.Height;
        var rgb = new byte[Math.Max(1, w * h) * 3];
        for (int i = 0; i < w * h; i++)
        {
            uint p = frame.Pixels[i];
            rgb[i * 3] = (byte)(p >> 16);
            rgb[i * 3 + 1] = (byte)(p >> 8);
            rgb[i * 3 + 2] = (byte)p;
        }
        new ImageWriter().WritePng(rgb, Math.Max(1, w), Math.Max(1, h), ColorComponents.RedGreenBlue, output);
    }
}
