using System.Globalization;

namespace Emulator.Frontend.CommandLine;

/// <summary>
/// QEMU's syntax for numbers and sizes in option values, so values from QEMU command
/// lines and scripts mean the same here.
/// </summary>
internal static class QemuSyntax
{
    /// <summary>
    /// Parses a size as QEMU's <c>qemu_strtosz</c> does: a decimal number, optionally with a
    /// fraction (<c>1.5G</c>), or a hexadecimal integer (<c>0x8000000</c>), then at most one
    /// unit letter B, K, M, G, T, P or E (either case, powers of 1024). Without a unit,
    /// <paramref name="defaultUnit"/> applies (<c>'M'</c> for <c>-m</c>, so <c>-m 64</c> is 64 MiB).
    /// </summary>
    /// <returns>False for malformed text, a fraction of a byte unit, or a size beyond 2^64-1.</returns>
    public static bool TryParseSize(string text, char defaultUnit, out ulong bytes)
    {
        bytes = 0;
        int i = 0;
        decimal number;
        bool hex = text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
        if (hex)
        {
            i = 2;
            while (i < text.Length && Uri.IsHexDigit(text[i])) i++;
            if (i == 2 || !ulong.TryParse(text.AsSpan(2, i - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong h))
                return false;
            number = h;
        }
        else
        {
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            int intEnd = i;
            if (i < text.Length && text[i] == '.')
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
            if (intEnd == 0 || i == intEnd + 1) return false; // no integer part, or "5." with no digits
            if (!decimal.TryParse(text.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
                return false;
        }
        bool fraction = number != decimal.Truncate(number);
        char unit = defaultUnit;
        if (i < text.Length)
        {
            unit = char.ToUpperInvariant(text[i]);
            i++;
        }
        if (i != text.Length) return false;
        int shift = unit switch { 'B' => 0, 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => -1 };
        if (shift < 0 || (fraction && shift == 0)) return false;
        if (number >= (decimal)(ulong.MaxValue >> shift) + 1) return false;
        decimal value = decimal.Truncate(number * (1UL << shift));
        if (value > ulong.MaxValue) return false;
        bytes = (ulong)value;
        return true;
    }

    /// <summary>
    /// Parses an unsigned integer the way QEMU reads integer properties (C's <c>strtoull</c>
    /// with base 0): <c>0x</c> introduces hexadecimal, a leading <c>0</c> octal, otherwise decimal.
    /// </summary>
    public static bool TryParseInteger(string text, out ulong value)
    {
        value = 0;
        if (text.Length == 0) return false;
        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
            return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        if (text.Length > 1 && text[0] == '0')
        {
            foreach (char c in text.AsSpan(1))
            {
                if (c is < '0' or > '7' || value > (ulong.MaxValue >> 3)) return false;
                value = (value << 3) | (uint)(c - '0');
            }
            return true;
        }
        foreach (char c in text)
            if (!char.IsAsciiDigit(c)) return false;
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Formats a byte count the way QEMU prints sizes: <c>64 MiB</c>, <c>1.5 GiB</c>, <c>512 B</c>.</summary>
    public static string FormatSize(ulong bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        double v = bytes;
        while (v >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return string.Create(CultureInfo.InvariantCulture, $"{v:0.###} {units[u]}");
    }
}
