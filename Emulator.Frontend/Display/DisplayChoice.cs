namespace Emulator.Frontend.Display;

/// <summary>The displays emu has (<c>-display</c>).</summary>
internal enum DisplayKind
{
    None,
    Sdl,
    Curses,
}

/// <summary>
/// Which display a run gets: the one <c>-display</c> names, none with <c>-nographic</c>, and
/// otherwise QEMU's order: the SDL window when there is a graphical session ($DISPLAY or
/// $WAYLAND_DISPLAY, or any Windows/macOS desktop) and libSDL2 loads, else the text console
/// when emu runs on a terminal, else none.
/// </summary>
internal static class DisplayChoice
{
    /// <summary>What the host offers; gathered by <see cref="Probe"/>, given by tests.</summary>
    public readonly record struct Host(bool GraphicalSession, Func<string?> LoadSdl, bool OnTerminal);

    /// <summary>The result, and the one line to print when the default fell back (null otherwise).</summary>
    public readonly record struct Choice(DisplayKind Kind, string? Note);

    public static Host Probe(bool onTerminal) => new(
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY")),
        Sdl.TryLoad, onTerminal);

    /// <param name="requested"><c>-display</c>'s choice, or null for the default.</param>
    /// <param name="noGraphic"><c>-nographic</c>.</param>
    /// <exception cref="EmuError">An explicit <c>-display sdl</c> that cannot work.</exception>
    public static Choice Choose(DisplayKind? requested, bool noGraphic, Host host)
    {
        if (requested is { } kind)
        {
            if (kind == DisplayKind.Sdl)
            {
                if (!host.GraphicalSession) throw new EmuError("-display sdl: no graphical display ($DISPLAY and $WAYLAND_DISPLAY are unset)");
                if (host.LoadSdl() is { } why) throw new EmuError($"-display sdl: {why}");
            }
            return new(kind, null);
        }
        if (noGraphic) return new(DisplayKind.None, null);
        string? reason = null;
        if (host.GraphicalSession)
        {
            reason = host.LoadSdl();
            if (reason == null) return new(DisplayKind.Sdl, null);
        }
        if (host.OnTerminal)
            return new(DisplayKind.Curses, $"emu: {reason ?? "no graphical display"}; using the text console (-display curses)");
        // Nobody watches a run without a terminal (scripts, CI): say nothing unless SDL itself failed.
        return new(DisplayKind.None, reason == null ? null : $"emu: {reason}; running without a display (-display none)");
    }
}
