using System.Globalization;

namespace Emulator.Frontend.Display;

/// <summary>
/// The 8x16 code page 437 font of the text consoles: the glyphs of the VGA BIOS's own font,
/// read from <c>bios/src/font8x16.inc</c> (written by <c>bios/src/gen_font.py</c>), which the
/// build embeds, so the window and the BIOS draw the same characters from one source.
/// A glyph is 16 bytes, one a scan line from the top, the most significant bit the leftmost dot.
/// </summary>
internal static class ConsoleFont
{
    public const int Width = 8, Height = 16;
    const string ResourceName = "bios/font8x16.inc";

    static readonly Lazy<byte[]> glyphs = new(Load);

    /// <summary>The 256 glyphs, 16 bytes each, in code order.</summary>
    public static ReadOnlySpan<byte> Glyphs => glyphs.Value;

    /// <summary>The 16 scan lines of <paramref name="code"/>.</summary>
    public static ReadOnlySpan<byte> Glyph(byte code) => glyphs.Value.AsSpan(code * Height, Height);

    static byte[] Load()
    {
        using var stream = typeof(ConsoleFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in this build");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>
    /// Reads the NASM source: 256 lines of <c>db</c> with 16 byte values each (a <c>;</c> starts a
    /// comment). Throws <see cref="InvalidDataException"/> when the file is not that shape.
    /// </summary>
    public static byte[] Parse(string source)
    {
        var bytes = new List<byte>(256 * Height);
        foreach (string raw in source.Split('\n'))
        {
            string line = raw.Split(';', 2)[0].Trim();
            if (line.Length == 0) continue;
            if (!line.StartsWith("db", StringComparison.Ordinal))
                throw new InvalidDataException($"font: unexpected line '{line}'");
            string[] values = line[2..].Split(',', StringSplitOptions.TrimEntries);
            if (values.Length != Height) throw new InvalidDataException($"font: a glyph line has {values.Length} bytes, not {Height}");
            foreach (string v in values)
            {
                if (!v.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                    || !byte.TryParse(v.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                    throw new InvalidDataException($"font: bad byte '{v}'");
                bytes.Add(b);
            }
        }
        if (bytes.Count != 256 * Height) throw new InvalidDataException($"font: {bytes.Count / Height} glyphs, not 256");
        return bytes.ToArray();
    }
}
