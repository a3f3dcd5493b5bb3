using Emulator.Devices.Video;

namespace Emulator.Frontend.Display;

/// <summary>
/// The one <see cref="VgaRenderer"/> of a session, shared by the display and screen dumps.
/// </summary>
/// <remarks>
/// The renderer consumes the VGA's dirty pages, so two renderers would each miss the other's
/// changes; instead every reader renders through here under one lock, and the changes a
/// <see cref="Capture"/> rendered are kept for the display's next <see cref="Refresh"/>.
/// Runs on frontend threads; the machine thread never waits for it.
/// </remarks>
internal sealed class FrameSource(StdVga vga)
{
    readonly object gate = new();
    readonly VgaRenderer renderer = new(vga);
    DirtyRect pending;

    public StdVga Vga => vga;

    /// <summary>
    /// Renders, then calls <paramref name="upload"/> with the renderer and the region changed
    /// since the last refresh, if any; returns whether it did.
    /// </summary>
    public bool Refresh(Action<VgaRenderer, DirtyRect> upload)
    {
        lock (gate)
        {
            var changed = Clip(Union(pending, renderer.Render()), renderer.Width, renderer.Height);
            pending = default;
            if (changed.IsEmpty) return false;
            upload(renderer, changed);
            return true;
        }
    }

    /// <summary>The current picture: a copy of the pixels (0xFFRRGGBB), its size and kind.</summary>
    public Frame Capture()
    {
        lock (gate)
        {
            pending = Union(pending, renderer.Render());
            return new Frame((uint[])renderer.Pixels.Clone(), renderer.Width, renderer.Height, renderer.Kind);
        }
    }

    /// <summary>A change kept from before a mode change may reach outside the new picture.</summary>
    static DirtyRect Clip(DirtyRect r, int width, int height)
    {
        int x = Math.Max(0, r.X), y = Math.Max(0, r.Y);
        int right = Math.Min(width, r.X + r.Width), bottom = Math.Min(height, r.Y + r.Height);
        return right <= x || bottom <= y ? default : new DirtyRect(x, y, right - x, bottom - y);
    }

    /// <summary>What the picture is now and its size, without copying it.</summary>
    public (VgaDisplayKind Kind, int Width, int Height) Describe()
    {
        lock (gate)
        {
            pending = Union(pending, renderer.Render());
            return (renderer.Kind, renderer.Width, renderer.Height);
        }
    }

    static DirtyRect Union(DirtyRect a, DirtyRect b)
    {
        if (a.IsEmpty) return b;
        if (b.IsEmpty) return a;
        int x = Math.Min(a.X, b.X), y = Math.Min(a.Y, b.Y);
        return new DirtyRect(x, y, Math.Max(a.X + a.Width, b.X + b.Width) - x, Math.Max(a.Y + a.Height, b.Y + b.Height) - y);
    }
}

/// <summary>One rendered picture: row-major 0xFFRRGGBB pixels.</summary>
internal sealed record Frame(uint[] Pixels, int Width, int Height, VgaDisplayKind Kind);
