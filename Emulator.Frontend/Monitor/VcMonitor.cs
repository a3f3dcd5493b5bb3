using Emulator.Frontend.Display;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// The human monitor on a text console of the SDL window (QEMU's default <c>-monitor vc</c>,
/// Ctrl+Alt+2): the banner and <c>(qemu) </c> prompt, a <see cref="LineEditor"/> for the command
/// line (redrawn in place, wrapping over rows) with Tab completing command names, and each line run through
/// <see cref="MonitorQueue"/> like <c>-monitor stdio</c>'s, its output written back as QEMU's
/// monitor writes it (LF as CR LF). Keys typed while a command runs wait and apply after its
/// reply. After <c>quit</c> or when the machine has ended, nothing more is written.
/// </summary>
internal sealed class VcMonitor : IVirtualConsoleInput
{
    readonly VirtualConsole screen;
    readonly MonitorQueue queue;
    readonly LineEditor editor = new();
    readonly object gate = new();
    readonly Queue<Action> typedWhileBusy = new();
    long inputLine;
    int inputColumn;
    bool busy, ended;

    public VcMonitor(VirtualConsole screen, MonitorQueue queue)
    {
        this.screen = screen;
        this.queue = queue;
        lock (gate)
        {
            Output(MonitorSession.Banner);
            Prompt();
        }
    }

    /// <summary>The line editor (for tests).</summary>
    public LineEditor Editor => editor;

    /// <summary>Set when a command has been sent and its reply not yet written.</summary>
    public bool Busy { get { lock (gate) return busy; } }

    public void Text(string text) => Do(() =>
    {
        foreach (char c in text)
        {
            if (c == '\x01') Edit(EditKey.Home);            // Ctrl+A, Ctrl+E as readline's
            else if (c == '\x05') Edit(EditKey.End);
            else if (c >= ' ' && c != '\x7F')
            {
                editor.Insert(c.ToString());
                Redraw();
            }
        }
    });

    public void Key(VcKey key) => Do(() =>
    {
        EditKey? edit = key switch
        {
            VcKey.Left => EditKey.Left,
            VcKey.Right => EditKey.Right,
            VcKey.Home => EditKey.Home,
            VcKey.End => EditKey.End,
            VcKey.Backspace => EditKey.Backspace,
            VcKey.Delete => EditKey.Delete,
            VcKey.Up => EditKey.Up,
            VcKey.Down => EditKey.Down,
            VcKey.Enter => EditKey.Enter,
            _ => null,
        };
        if (edit is { } k) Edit(k);
        else if (key == VcKey.Tab) Complete();
    });

    /// <summary>
    /// Tab, as QEMU's readline: one candidate completes the word and adds a space; several complete
    /// their common prefix, or when there is none to add are listed below and the line shown again.
    /// </summary>
    void Complete()
    {
        string before = editor.Text[..editor.Cursor];
        string word = before[(before.LastIndexOfAny([' ', '\t']) + 1)..];
        var matches = HumanMonitor.Completions(before);
        if (matches.Count == 0) return;
        if (matches.Count == 1)
        {
            editor.Insert(matches[0][word.Length..] + " ");
            Redraw();
            return;
        }
        int common = word.Length;
        while (common < matches[0].Length && matches.All(m => m.Length > common && m[common] == matches[0][common])) common++;
        if (common > word.Length)
        {
            editor.Insert(matches[0][word.Length..common]);
            Redraw();
            return;
        }
        int width = matches.Max(m => m.Length) + 2, perRow = Math.Max(1, screen.Columns / width);
        PlaceAt(editor.Text.Length);
        var list = new System.Text.StringBuilder("\r\n");
        for (int i = 0; i < matches.Count; i++)
            list.Append(matches[i].PadRight(width)).Append((i + 1) % perRow == 0 || i == matches.Count - 1 ? "\r\n" : "");
        screen.Write(list.ToString());
        Prompt();
        Redraw();
    }

    void Do(Action action)
    {
        lock (gate)
        {
            if (ended) return;
            if (busy) { typedWhileBusy.Enqueue(action); return; }
            action();
        }
    }

    void Edit(EditKey key)
    {
        if (key != EditKey.Enter)
        {
            editor.Key(key);
            Redraw();
            return;
        }
        // CR LF from the end of the input: from its last character when it ends a row, so a full row makes no empty one.
        int end = editor.Text.Length;
        PlaceAt(end > 0 && (inputColumn + end) % screen.Columns == 0 ? end - 1 : end);
        string line = editor.Key(EditKey.Enter)!;
        screen.Write("\r\n");
        if (line.Trim().Length == 0)
        {
            Prompt();
            return;
        }
        busy = true;
        queue.Post(line).ContinueWith(Replied, TaskScheduler.Default);
    }

    void Replied(Task<string> reply)
    {
        lock (gate)
        {
            busy = false;
            if (!reply.IsCompletedSuccessfully)
            {
                ended = true;                               // the machine has ended
                return;
            }
            try
            {
                if (queue.QuitRequested) { ended = true; return; }
                Output(reply.Result);
                Prompt();
            }
            finally
            {
                queue.ReplySent();
            }
            while (!busy && !ended && typedWhileBusy.TryDequeue(out var action)) action();
        }
    }

    void Output(string text) => screen.Write(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));

    void Prompt()
    {
        screen.Write(MonitorSession.Prompt);
        inputLine = screen.CursorLine;
        inputColumn = screen.Cursor.Column;
    }

    /// <summary>Rewrites the input from its start, clears what followed, and puts the cursor at the editor's.</summary>
    void Redraw()
    {
        screen.PlaceCursor(inputLine, inputColumn);
        screen.Write("\x1B[J" + editor.Text);
        PlaceAt(editor.Cursor);
    }

    void PlaceAt(int index)
    {
        long offset = inputColumn + (long)index;
        screen.PlaceCursor(inputLine + offset / screen.Columns, (int)(offset % screen.Columns));
    }
}
