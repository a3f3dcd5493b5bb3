namespace Emulator.Frontend.CommandLine;

/// <summary>
/// A parsed QEMU option string, <c>[implied-value,]key=value,key=value,...</c>, as
/// QEMU's <c>qemu_opts_parse</c> reads it (<c>-device</c>, <c>-m</c>, <c>-drive</c>...).
/// </summary>
/// <remarks>
/// A comma inside a value is written as two commas (<c>file=a,,b.img</c>). The first
/// element may omit its key when the option has an implied key (<c>driver</c> for
/// <c>-device</c>, <c>size</c> for <c>-m</c>). Any other element without <c>=</c> is a flag,
/// <c>key</c> meaning <c>key=on</c>. Keys keep their order; a repeated key keeps both
/// entries and <see cref="Get"/> returns the last one, as QEMU does.
/// </remarks>
internal sealed class QemuOpts
{
    readonly List<KeyValuePair<string, string>> items;

    QemuOpts(List<KeyValuePair<string, string>> items) => this.items = items;

    /// <summary>Key/value pairs in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Items => items;

    /// <summary>The last value given for <paramref name="key"/>, or null.</summary>
    public string? Get(string key)
    {
        for (int i = items.Count - 1; i >= 0; i--)
            if (items[i].Key == key) return items[i].Value;
        return null;
    }

    /// <summary>True when one element is <c>help</c> or <c>?</c> (a request to list the properties).</summary>
    public bool WantsHelp(string? impliedKey) =>
        items.Any(kv => (kv.Key is "help" or "?" && kv.Value == "on") ||
                        (impliedKey != null && kv.Key == impliedKey && kv.Value is "help" or "?"));

    /// <summary>Parses <paramref name="text"/>; <paramref name="impliedKey"/> names the key of a bare first element.</summary>
    public static QemuOpts Parse(string text, string? impliedKey)
    {
        var items = new List<KeyValuePair<string, string>>();
        int pos = 0;
        bool first = true;
        while (pos < text.Length)
        {
            int end = pos;
            while (end < text.Length && text[end] != ',' && text[end] != '=') end++;
            if (end < text.Length && text[end] == '=')
            {
                string key = text[pos..end];
                if (key.Length == 0) throw new EmuError($"'{text}': empty parameter name");
                string value = ReadValue(text, end + 1, out pos);
                items.Add(new(key, value));
            }
            else if (first && impliedKey != null)
            {
                items.Add(new(impliedKey, ReadValue(text, pos, out pos)));
            }
            else
            {
                string key = text[pos..end];
                if (key.Length > 0) items.Add(new(key, "on"));
                pos = end + 1;
            }
            first = false;
        }
        return new QemuOpts(items);
    }

    /// <summary>Reads a value up to a single comma; <c>,,</c> stands for one comma. <paramref name="next"/> is past the separator.</summary>
    static string ReadValue(string text, int start, out int next)
    {
        var sb = new System.Text.StringBuilder();
        int i = start;
        while (i < text.Length)
        {
            if (text[i] == ',')
            {
                if (i + 1 < text.Length && text[i + 1] == ',') { sb.Append(','); i += 2; continue; }
                break;
            }
            sb.Append(text[i++]);
        }
        next = i + 1;
        return sb.ToString();
    }
}
