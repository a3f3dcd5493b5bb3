using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Emulator.Tests.Frontend;

/// <summary>
/// A private X server (Debian's <c>xvfb</c>) for tests of the SDL window, with the X tools the
/// tests drive it with (<c>xdotool</c> for real key events, ImageMagick's <c>import</c> for
/// window screenshots). Missing tools make the test fail: .ci/run installs them.
/// </summary>
internal sealed partial class Xvfb : IDisposable
{
    readonly Process server;

    public Xvfb()
    {
        int n = FreeDisplay();
        Display = $":{n}";
        server = Process.Start(new ProcessStartInfo("Xvfb", [Display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        server.BeginErrorReadLine();
        server.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists($"/tmp/.X11-unix/X{n}"))
        {
            if (server.HasExited) throw new InvalidOperationException($"Xvfb {Display} exited with {server.ExitCode}");
            if (deadline.ElapsedMilliseconds > 10_000) throw new TimeoutException($"Xvfb {Display} did not start");
            Thread.Sleep(20);
        }
    }

    /// <summary>The display name, <c>:N</c>.</summary>
    public string Display { get; }

    static int FreeDisplay()
    {
        for (int n = 100 + Environment.ProcessId % 100; ; n++)
            if (!File.Exists($"/tmp/.X{n}-lock") && !File.Exists($"/tmp/.X11-unix/X{n}")) return n;
    }

    /// <summary>Starts the emu under test (<see cref="EmuHost"/>) with <paramref name="args"/> on this display, its output redirected.</summary>
    public Process StartEmu(params string[] args)
    {
        var psi = EmuHost.StartInfo(args);
        psi.Environment["DISPLAY"] = Display;
        psi.Environment.Remove("WAYLAND_DISPLAY");
        return Process.Start(psi)!;
    }

    /// <summary>The id of the first window whose name matches <paramref name="namePattern"/> (xdotool's regular expression), 0 while none is mapped.</summary>
    public ulong FindWindow(string namePattern)
    {
        try { return ulong.Parse(Run("xdotool", "search", "--name", namePattern).Split('\n')[0]); }
        catch (InvalidOperationException) { return 0UL; }     // not mapped yet: xdotool search fails
    }

    /// <summary>Runs an X client on this display and returns its standard output; throws when it fails or takes over 30 s.</summary>
    public string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DISPLAY"] = Display;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>
    /// Asks a window to close as a window manager's close button does: a WM_PROTOCOLS client
    /// message with WM_DELETE_WINDOW (ICCCM 4.2.8.1). xdotool's windowclose destroys the window instead.
    /// </summary>
    public unsafe void CloseWindow(ulong window)
    {
        IntPtr dpy = XOpenDisplay(Display);
        if (dpy == IntPtr.Zero) throw new InvalidOperationException($"cannot open {Display}");
        try
        {
            // XClientMessageEvent on LP64: type 0, serial 8, send_event 16, display 24, window 32,
            // message_type 40, format 48, data.l[5] from 56; XEvent is 192 bytes.
            byte* ev = stackalloc byte[192];
            new Span<byte>(ev, 192).Clear();
            *(int*)ev = 33;                                                  // ClientMessage
            *(ulong*)(ev + 32) = window;
            *(ulong*)(ev + 40) = XInternAtom(dpy, "WM_PROTOCOLS", 0);
            *(int*)(ev + 48) = 32;
            *(ulong*)(ev + 56) = XInternAtom(dpy, "WM_DELETE_WINDOW", 0);
            if (XSendEvent(dpy, window, 0, 0, ev) == 0) throw new InvalidOperationException("XSendEvent failed");
            XFlush(dpy);
        }
        finally
        {
            XCloseDisplay(dpy);
        }
    }

    [LibraryImport("libX11.so.6", StringMarshalling = StringMarshalling.Utf8)] private static partial IntPtr XOpenDisplay(string name);
    [LibraryImport("libX11.so.6")] private static partial int XCloseDisplay(IntPtr dpy);
    [LibraryImport("libX11.so.6", StringMarshalling = StringMarshalling.Utf8)] private static partial ulong XInternAtom(IntPtr dpy, string name, int onlyIfExists);
    [LibraryImport("libX11.so.6")] private static unsafe partial int XSendEvent(IntPtr dpy, ulong window, int propagate, long mask, byte* ev);
    [LibraryImport("libX11.so.6")] private static partial int XFlush(IntPtr dpy);

    public void Dispose()
    {
        try { if (!server.HasExited) server.Kill(); } catch (InvalidOperationException) { }
        server.WaitForExit(5000);
        server.Dispose();
    }
}
