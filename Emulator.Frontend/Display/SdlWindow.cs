using Emulator.Devices.Input;
using Emulator.Devices.Video;

namespace Emulator.Frontend.Display;

/// <summary>
/// The SDL window (<c>-display sdl</c>): shows the VGA picture scaled to the window with the
/// mode's aspect, and turns the host's keyboard and mouse into PS/2 input.
/// </summary>
/// <remarks>
/// <para>Threads: SDL is created, polled and drawn on the window's own thread; it reads the
/// framebuffer through <see cref="FrameSource"/> at about 60 Hz and uploads only the changed
/// rectangle to a streaming texture. Input goes to the machine through <see cref="InputQueue"/>;
/// the machine thread never waits for the window.</para>
/// <para>Keys: SDL scancodes (physical positions) through <see cref="SdlKeyMap"/>; each press
/// is sent once, since the PS/2 keyboard repeats by itself (host auto-repeat events are
/// dropped). Keys still down when the window loses focus are released, so none stick.
/// Ctrl+Alt+G grabs or releases the mouse (the title says how to release it, as QEMU's does),
/// Ctrl+Alt+F toggles full screen; neither key reaches the guest. A click in the window grabs.</para>
/// <para>Mouse: relative movement while grabbed (SDL relative mode), buttons 1-5 and the wheel.</para>
/// <para>Size: when the guest changes mode the window takes the mode's natural size
/// (<see cref="NaturalSize"/>: 720x400 text in 720x540, 320x200 in 640x480, VBE 800x600 in
/// 800x600), as QEMU's SDL display does, unless the user has resized or maximised it; in full
/// screen it keeps the screen. A resize the window did not ask for is the user's.</para>
/// <para>Closing the window powers the machine off (emu exits with status 0).</para>
/// <para>Limits: on macOS SDL must run on the main thread, which the machine holds here.</para>
/// </remarks>
internal sealed unsafe class SdlWindow : IDisposable
{
    const int FrameMs = 16;
    const int InitialWidth = 720, InitialHeight = 540;
    const int ScancodeF = 9, ScancodeG = 10;

    readonly FrameSource frames;
    readonly InputQueue input;
    readonly string? name;
    readonly Thread thread;
    readonly ManualResetEventSlim started = new(false);
    readonly HashSet<Key> down = new();
    readonly HashSet<int> swallowed = new();
    volatile bool stopping;
    string? startError;
    bool fullScreen, grabbed, redraw = true, userSized;
    (int W, int H) asked = (InitialWidth, InitialHeight);
    MouseButtons buttons;
    IntPtr window, renderer, texture;
    int textureW, textureH;
    VgaDisplayKind kind;
    uint border = 0xFF00_0000;   // the renderer's overscan colour, for the bars around the picture

    SdlWindow(FrameSource frames, InputQueue input, string? name, bool fullScreen)
    {
        this.frames = frames;
        this.input = input;
        this.name = name;
        this.fullScreen = fullScreen;
        thread = new Thread(ThreadMain) { Name = "SDL window", IsBackground = true };
    }

    /// <summary>Opens the window on its own thread; throws <see cref="EmuError"/> when SDL cannot.</summary>
    public static SdlWindow Open(FrameSource frames, InputQueue input, string? name, bool fullScreen)
    {
        var w = new SdlWindow(frames, input, name, fullScreen);
        w.thread.Start();
        w.started.Wait();
        if (w.startError != null)
        {
            w.thread.Join();
            throw new EmuError($"-display sdl: {w.startError}");
        }
        return w;
    }

    /// <summary>The window's title: "emu", or "emu (NAME)" with <c>-name</c>, and how to release a grab.</summary>
    public static string Title(string? name, bool grabbed) =>
        (name == null ? "emu" : $"emu ({name})") + (grabbed ? " - Press Ctrl+Alt+G to release grab" : "");

    /// <summary>
    /// Where a <paramref name="picW"/> x <paramref name="picH"/> picture goes in an
    /// <paramref name="outW"/> x <paramref name="outH"/> window: as large as fits, centred,
    /// at 4:3 for VGA modes (their pixels are not square: 720x400 text and 320x200 fill a 4:3
    /// CRT) and with square pixels for VBE modes.
    /// </summary>
    public static (int X, int Y, int W, int H) Viewport(int outW, int outH, int picW, int picH, VgaDisplayKind kind)
    {
        if (picW <= 0 || picH <= 0 || outW <= 0 || outH <= 0) return (0, 0, Math.Max(0, outW), Math.Max(0, outH));
        long aw = kind == VgaDisplayKind.Vbe ? picW : 4, ah = kind == VgaDisplayKind.Vbe ? picH : 3;
        int w = outW, h = (int)(outW * ah / aw);
        if (h > outH) { h = outH; w = (int)(outH * aw / ah); }
        return ((outW - w) / 2, (outH - h) / 2, w, h);
    }

    /// <summary>
    /// The window size for a <paramref name="picW"/> x <paramref name="picH"/> picture: VBE modes
    /// at one window pixel a pixel; VGA modes at 4:3 (<see cref="Viewport"/>), the picture's width
    /// multiplied up to at least 640 (320x200 is shown in 640x480, 720x400 text in 720x540). A
    /// size larger than <paramref name="maxW"/> x <paramref name="maxH"/> (the desktop's usable
    /// area) is scaled down to fit with the same aspect.
    /// </summary>
    public static (int W, int H) NaturalSize(int picW, int picH, VgaDisplayKind kind, int maxW, int maxH)
    {
        if (picW <= 0 || picH <= 0) return (InitialWidth, InitialHeight);
        long w, h;
        if (kind == VgaDisplayKind.Vbe) { w = picW; h = picH; }
        else
        {
            w = (long)picW * Math.Max(1, (640 + picW - 1) / picW);
            h = w * 3 / 4;
        }
        if (maxW > 0 && maxH > 0 && (w > maxW || h > maxH))
        {
            long nw = maxW, nh = maxW * h / w;
            if (nh > maxH) { nh = maxH; nw = maxH * w / h; }
            w = nw;
            h = nh;
        }
        return ((int)Math.Max(1, w), (int)Math.Max(1, h));
    }

    /// <summary>After a mode change: the natural size, unless the user chose one or the window is full screen.</summary>
    void FitToMode(int picW, int picH, VgaDisplayKind pictureKind)
    {
        if (userSized || fullScreen) return;
        int maxW = 0, maxH = 0;
        int display = Sdl.GetWindowDisplayIndex(window);
        if (display >= 0 && Sdl.GetDisplayUsableBounds(display, out var usable) == 0) { maxW = usable.W; maxH = usable.H; }
        var size = NaturalSize(picW, picH, pictureKind, maxW, maxH);
        Sdl.GetWindowSize(window, out int w, out int h);
        asked = size;
        if ((w, h) != size) Sdl.SetWindowSize(window, size.W, size.H);
    }

    void ThreadMain()
    {
        try
        {
            if (!Setup()) return;
        }
        catch (DllNotFoundException e)
        {
            startError = e.Message;
            started.Set();
            return;
        }
        started.Set();
        try
        {
            while (!stopping)
            {
                PumpEvents();
                Draw();
                Thread.Sleep(FrameMs);
            }
        }
        finally
        {
            if (grabbed) Sdl.SetRelativeMouseMode(0);
            if (texture != IntPtr.Zero) Sdl.DestroyTexture(texture);
            Sdl.DestroyRenderer(renderer);
            Sdl.DestroyWindow(window);
            Sdl.Quit();
        }
    }

    bool Setup()
    {
        Sdl.SetHint("SDL_NO_SIGNAL_HANDLERS", "1");          // Ctrl+C in the terminal stays .NET's
        Sdl.SetHint("SDL_MOUSE_RELATIVE_MODE_WARP", "0");
        if (Sdl.Init(Sdl.InitVideo) != 0) return Fail("SDL_Init: " + Sdl.GetError());
        uint flags = Sdl.WindowShown | Sdl.WindowResizable | (fullScreen ? Sdl.WindowFullscreenDesktop : 0);
        window = Sdl.CreateWindow(Title(name, false), Sdl.WindowPosCentered, Sdl.WindowPosCentered, InitialWidth, InitialHeight, flags);
        if (window == IntPtr.Zero) return Fail("SDL_CreateWindow: " + Sdl.GetError());
        renderer = Sdl.CreateRenderer(window, -1, 0);
        if (renderer == IntPtr.Zero) renderer = Sdl.CreateRenderer(window, -1, Sdl.RendererSoftware);
        if (renderer == IntPtr.Zero) return Fail("SDL_CreateRenderer: " + Sdl.GetError());
        return true;

        bool Fail(string why)
        {
            startError = why;
            if (window != IntPtr.Zero) Sdl.DestroyWindow(window);
            Sdl.Quit();
            started.Set();
            return false;
        }
    }

    void Draw()
    {
        bool changed = frames.Refresh(Upload);
        if (!changed && !redraw) return;
        redraw = false;
        // The bars around the picture show the VGA's overscan colour, as the border of a CRT would.
        Sdl.SetRenderDrawColor(renderer, (byte)(border >> 16), (byte)(border >> 8), (byte)border, 255);
        Sdl.RenderClear(renderer);
        if (texture != IntPtr.Zero)
        {
            Sdl.GetRendererOutputSize(renderer, out int ow, out int oh);
            var (x, y, w, h) = Viewport(ow, oh, textureW, textureH, kind);
            var dst = new Sdl.Rect(x, y, w, h);
            Sdl.RenderCopy(renderer, texture, null, &dst);
        }
        Sdl.RenderPresent(renderer);
    }

    void Upload(VgaRenderer r, DirtyRect d)
    {
        if (r.Width <= 0 || r.Height <= 0) return;
        if (texture == IntPtr.Zero || textureW != r.Width || textureH != r.Height || kind != r.Kind)
            FitToMode(r.Width, r.Height, r.Kind);
        kind = r.Kind;
        border = r.BorderColor;
        if (texture == IntPtr.Zero || textureW != r.Width || textureH != r.Height)
        {
            if (texture != IntPtr.Zero) Sdl.DestroyTexture(texture);
            texture = Sdl.CreateTexture(renderer, Sdl.PixelFormatArgb8888, Sdl.TextureAccessStreaming, r.Width, r.Height);
            textureW = r.Width;
            textureH = r.Height;
            d = new DirtyRect(0, 0, r.Width, r.Height);
            if (texture == IntPtr.Zero) return;
        }
        var rect = new Sdl.Rect(d.X, d.Y, d.Width, d.Height);
        fixed (uint* p = &r.Pixels[d.Y * r.Width + d.X])
            Sdl.UpdateTexture(texture, &rect, p, r.Width * 4);
    }

    void PumpEvents()
    {
        Sdl.Event e;
        while (Sdl.PollEvent(&e) != 0)
        {
            switch (e.Type)
            {
                case Sdl.EventQuit:
                    input.Post(new InputEvent.PowerOff());
                    break;
                case Sdl.EventWindow:
                    if (e.WindowEvent == Sdl.WindowEventClose) input.Post(new InputEvent.PowerOff());
                    else if (e.WindowEvent == Sdl.WindowEventFocusLost) ReleaseAll();
                    else if (e.WindowEvent is Sdl.WindowEventExposed or Sdl.WindowEventSizeChanged) redraw = true;
                    else if (e.WindowEvent == Sdl.WindowEventMaximized) userSized = true;
                    // A new size the window did not ask for is the user's (or the window manager's) choice.
                    else if (e.WindowEvent == Sdl.WindowEventResized && !fullScreen && (e.WindowData1, e.WindowData2) != asked) userSized = true;
                    break;
                case Sdl.EventKeyDown:
                    OnKeyDown(e.Scancode, e.KeyMod, e.KeyRepeat != 0);
                    break;
                case Sdl.EventKeyUp:
                    OnKeyUp(e.Scancode);
                    break;
                case Sdl.EventMouseMotion:
                    if (grabbed) input.Post(new InputEvent.Mouse(e.MotionXRel, e.MotionYRel, 0, buttons));
                    break;
                case Sdl.EventMouseButtonDown:
                case Sdl.EventMouseButtonUp:
                    OnButton(e.Button, e.Type == Sdl.EventMouseButtonDown);
                    break;
                case Sdl.EventMouseWheel:
                    // SDL's y is positive away from the user; PS/2's Z is positive towards the user.
                    int dz = e.WheelDirection == Sdl.MouseWheelFlipped ? e.WheelY : -e.WheelY;
                    if (grabbed && dz != 0) input.Post(new InputEvent.Mouse(0, 0, dz, buttons));
                    break;
            }
        }
    }

    void OnKeyDown(int scancode, ushort mod, bool repeat)
    {
        if ((mod & Sdl.KmodCtrl) != 0 && (mod & Sdl.KmodAlt) != 0 && scancode is ScancodeG or ScancodeF)
        {
            swallowed.Add(scancode);
            if (repeat) return;
            if (scancode == ScancodeG) SetGrab(!grabbed);
            else ToggleFullScreen();
            return;
        }
        if (repeat) return;
        var key = SdlKeyMap.FromScancode(scancode);
        if (key == Key.None || !down.Add(key)) return;
        input.Post(new InputEvent.KeyDown(key));
    }

    void OnKeyUp(int scancode)
    {
        if (swallowed.Remove(scancode)) return;
        var key = SdlKeyMap.FromScancode(scancode);
        if (key != Key.None && down.Remove(key)) input.Post(new InputEvent.KeyUp(key));
    }

    void ReleaseAll()
    {
        foreach (var key in down) input.Post(new InputEvent.KeyUp(key));
        down.Clear();
        swallowed.Clear();
        if (buttons != MouseButtons.None)
        {
            buttons = MouseButtons.None;
            input.Post(new InputEvent.Mouse(0, 0, 0, buttons));
        }
        if (grabbed) SetGrab(false);
    }

    void OnButton(byte button, bool pressed)
    {
        if (!grabbed)
        {
            if (pressed && button == Sdl.ButtonLeft) SetGrab(true);   // the click that grabs is not the guest's
            return;
        }
        var bit = button switch
        {
            Sdl.ButtonLeft => MouseButtons.Left,
            Sdl.ButtonRight => MouseButtons.Right,
            Sdl.ButtonMiddle => MouseButtons.Middle,
            Sdl.ButtonX1 => MouseButtons.Button4,
            Sdl.ButtonX2 => MouseButtons.Button5,
            _ => MouseButtons.None,
        };
        if (bit == MouseButtons.None) return;
        buttons = pressed ? buttons | bit : buttons & ~bit;
        input.Post(new InputEvent.Mouse(0, 0, 0, buttons));
    }

    void SetGrab(bool on)
    {
        grabbed = on;
        Sdl.SetRelativeMouseMode(on ? 1 : 0);
        Sdl.SetWindowGrab(window, on ? 1 : 0);
        Sdl.SetWindowTitle(window, Title(name, on));
    }

    void ToggleFullScreen()
    {
        fullScreen = !fullScreen;
        Sdl.SetWindowFullscreen(window, fullScreen ? Sdl.WindowFullscreenDesktop : 0);
        redraw = true;
    }

    /// <summary>Closes the window and stops its thread.</summary>
    public void Dispose()
    {
        stopping = true;
        if (thread.IsAlive && Thread.CurrentThread != thread) thread.Join();
    }
}
