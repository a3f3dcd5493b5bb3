namespace Emulator.Frontend.Monitor;

/// <summary>The editing keys of <see cref="LineEditor"/>.</summary>
internal enum EditKey
{
    Left,
    Right,
    Home,
    End,
    Backspace,
    Delete,
    Up,
    Down,
    Enter,
}

/// <summary>
/// The monitor's command line editor, as QEMU's readline: insert at the cursor, Left/Right,
/// Home/End, Backspace/Delete, and a history of the last <see cref="HistorySize"/> distinct
/// lines walked with Up/Down (a line already in it moves to the newest place; Down past the
/// newest gives back the line being typed). No display: the console shows <see cref="Text"/>.
/// </summary>
internal sealed class LineEditor
{
    /// <summary>QEMU's READLINE_MAX_CMDS.</summary>
    public const int HistorySize = 64;

    readonly List<string> history = new();
    string text = "";
    int historyIndex = -1;          // -1: not browsing
    string unfinished = "";

    /// <summary>The line being edited.</summary>
    public string Text => text;

    /// <summary>The cursor, 0..<see cref="Text"/>.Length.</summary>
    public int Cursor { get; private set; }

    /// <summary>The history, oldest first.</summary>
    public IReadOnlyList<string> History => history;

    /// <summary>Inserts <paramref name="s"/> at the cursor.</summary>
    public void Insert(string s)
    {
        text = text.Insert(Cursor, s);
        Cursor += s.Length;
    }

    /// <summary>Applies an editing key; returns the finished line for <see cref="EditKey.Enter"/>, otherwise null.</summary>
    public string? Key(EditKey key)
    {
        switch (key)
        {
            case EditKey.Left: if (Cursor > 0) Cursor--; break;
            case EditKey.Right: if (Cursor < text.Length) Cursor++; break;
            case EditKey.Home: Cursor = 0; break;
            case EditKey.End: Cursor = text.Length; break;
            case EditKey.Backspace:
                if (Cursor > 0) { text = text.Remove(Cursor - 1, 1); Cursor--; }
                break;
            case EditKey.Delete:
                if (Cursor < text.Length) text = text.Remove(Cursor, 1);
                break;
            case EditKey.Up:
                if (history.Count == 0 || historyIndex == 0) break;
                if (historyIndex < 0) { unfinished = text; historyIndex = history.Count; }
                Show(history[--historyIndex]);
                break;
            case EditKey.Down:
                if (historyIndex < 0) break;
                if (++historyIndex >= history.Count) { historyIndex = -1; Show(unfinished); }
                else Show(history[historyIndex]);
                break;
            case EditKey.Enter:
                string line = text;
                Remember(line);
                text = "";
                Cursor = 0;
                historyIndex = -1;
                unfinished = "";
                return line;
        }
        return null;
    }

    void Show(string line)
    {
        text = line;
        Cursor = line.Length;
    }

    void Remember(string line)
    {
        if (line.Trim().Length == 0) return;
        history.Remove(line);
        if (history.Count == HistorySize) history.RemoveAt(0);
        history.Add(line);
    }
}
