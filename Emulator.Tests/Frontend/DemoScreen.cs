using System.Globalization;
using System.Text.RegularExpressions;
using StbImageSharp;

namespace Emulator.Tests.Frontend;

/// <summary>
/// Reads a screen dump of the demo disk back: the pixels of a PNG, and the characters drawn in
/// it with the VGA BIOS's 8x16 font (bios/src/font8x16.inc), cell by cell, each cell two colours.
/// </summary>
internal sealed partial class DemoScreen
{
    public DemoScreen(uint[] pixels, int width, int height)
    {
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    public uint[] Pixels { get; }
    public int Width { get; }
    public int Height { get; }

    public uint this[int x, int y] => Pixels[y * Width + x];

    public static DemoScreen Read(string path)
    {
        var image = ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);
        var px = new uint[image.Width * image.Height];
        for (int i = 0; i < px.Length; i++)
            px[i] = (uint)image.Data[3 * i] << 16 | (uint)image.Data[3 * i + 1] << 8 | image.Data[3 * i + 2];
        return new DemoScreen(px, image.Width, image.Height);
    }

    [GeneratedRegex(@"0x([0-9A-Fa-f]{2})")]
    private static partial Regex HexByte();

    static readonly Lazy<(byte[][] Glyphs, Dictionary<string, char> ByBits)> Font = new(LoadFont);

    /// <summary>The 256 glyphs of 16 rows, from the VGA BIOS source.</summary>
    public static byte[][] Glyphs => Font.Value.Glyphs;

    static (byte[][], Dictionary<string, char>) LoadFont()
    {
        string path = Path.Combine(RepoRoot(), "bios", "src", "font8x16.inc");
        var bytes = HexByte().Matches(File.ReadAllText(path)).Select(m => byte.Parse(m.Groups[1].Value, NumberStyles.HexNumber)).ToArray();
        if (bytes.Length != 256 * 16) throw new InvalidDataException($"{path}: {bytes.Length} font bytes, not 4096");
        var glyphs = new byte[256][];
        var byBits = new Dictionary<string, char>();
        // Printable ASCII wins where glyphs repeat (a blank is a space).
        foreach (int c in Enumerable.Range(0x20, 0x5F).Concat(Enumerable.Range(0, 0x20)).Concat(Enumerable.Range(0x7F, 0x81)))
        {
            glyphs[c] = bytes.AsSpan(c * 16, 16).ToArray();
            byBits.TryAdd(Convert.ToHexString(glyphs[c]), (char)c);
        }
        return (glyphs, byBits);
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>
    /// The character in the 8x16 cell at (<paramref name="x0"/>, <paramref name="y0"/>): the glyph
    /// whose set bits are exactly the pixels of one of the cell's two colours; '?' when none is.
    /// </summary>
    public char CellAt(int x0, int y0)
    {
        var colours = new HashSet<uint>();
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 8; x++) colours.Add(this[x0 + x, y0 + y]);
        if (colours.Count == 1) return ' ';
        if (colours.Count > 2) return '?';
        foreach (uint fg in colours)
        {
            var rows = new byte[16];
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 8; x++)
                    if (this[x0 + x, y0 + y] == fg) rows[y] |= (byte)(0x80 >> x);
            if (Font.Value.ByBits.TryGetValue(Convert.ToHexString(rows), out char c)) return c;
        }
        return '?';
    }

    /// <summary>The text in <paramref name="cells"/> cells of <paramref name="cellWidth"/> pixels from (x0, y0).</summary>
    public string TextAt(int x0, int y0, int cells, int cellWidth = 8)
    {
        var chars = new char[cells];
        for (int i = 0; i < cells; i++) chars[i] = CellAt(x0 + i * cellWidth, y0);
        return new string(chars);
    }

    /// <summary>An 80x25 text screen (720x400: 9x16 cells) as 25 lines.</summary>
    public string[] TextLines()
    {
        if (Width != 720 || Height != 400) throw new InvalidOperationException($"not an 80x25 text screen: {Width}x{Height}");
        return Enumerable.Range(0, 25).Select(r => TextAt(0, r * 16, 80, 9)).ToArray();
    }
}
