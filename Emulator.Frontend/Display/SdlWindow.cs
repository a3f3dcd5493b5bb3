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
/// Ctrl+Alt+G grabs or releases the mouse on the VGA (the title says how to release it, as QEMU's does),
/// Ctrl+Alt+F toggles full screen; neither key reaches the guest. A click in the window grabs.</para>
/// <para>Mouse: relative movement while grabbed (SDL relative mode), buttons 1-5 and the wheel.</para>
/// <para>Consoles, as QEMU's SDL display: Ctrl+Alt+1 shows the VGA, Ctrl+Alt+2, 3... the text
/// consoles (<see cref="TextConsoles"/>: the monitor's, then serial ports on <c>vc</c>); the title
/// names a text console by its label. In a text console, keys go to it and never to the guest:
/// text as the host layout makes it (SDL text input), the editing keys as <see cref="VcKey"/>,
/// Ctrl+letter as its control character; Shift+PageUp/PageDown page through the scrollback,
/// Ctrl+PageUp/PageDown (10 lines) and Ctrl+Up/Down (1 line) scroll as QEMU's do. Leaving the
/// VGA releases the guest's keys and mouse buttons and the grab. Ctrl+Alt+digit never reaches
/// the guest, also for a console that does not exist (QEMU swallows it too).</para>
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
    // SDL scancodes (USB HID usages, SDL_scancode.h).
    const int ScancodeA = 4, ScancodeZ = 29, Scancode1 = 30, Scancode9 = 38, ScancodeReturn = 40, ScancodeEscape = 41,
        ScancodeBackspace = 42, ScancodeTab = 43, ScancodeInsert = 73, ScancodeHome = 74, ScancodePageUp = 75,
        ScancodeDelete = 76, ScancodeEnd = 77, ScancodePageDown = 78, ScancodeRight = 79, ScancodeLeft = 80,
        ScancodeDown = 81, ScancodeUp = 82, ScancodeKeypadEnter = 88;

    readonly FrameSource frames;
    readonly InputQueue input;
    readonly string? name;
    readonly Thread thread;
    readonly ManualResetEventSlim started = new(false);
    readonly List<Key> down = new();                 // guest keys held, in the order pressed
    readonly IReadOnlyList<VcEntry> consoles;
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
    int active;                                      // 0: the VGA; n: consoles[n - 1]
    IntPtr consoleTexture;
    int consoleTextureW, consoleTextureH, drawnConsole = -1, drawnVersion;
    uint[] consolePixels = [];

    SdlWindow(FrameSource frames, InputQueue input, string? name, bool fullScreen, IReadOnlyList<VcEntry> consoles)
    {
        this.frames = frames;
        this.consoles = consoles;
        this.input = input;
        this.name = name;
        this.fullScreen = fullScreen;
        thread = new Thread(ThreadMain) { Name = "SDL window", IsBackground = true };
    }

    /// <summary>Opens the window on its own thread; throws <see cref="EmuError"/> when SDL cannot.</summary>
    public static SdlWindow Open(FrameSource frames, InputQueue input, string? name, bool fullScreen, IReadOnlyList<VcEntry>? consoles = null)
    {
        var w = new SdlWindow(frames, input, name, fullScreen, consoles ?? []);
        w.thread.Start();
        w.started.Wait();
        if (w.startError != null)
        {
            w.thread.Join();
            throw new EmuError($"-display sdl: {w.startError}");
        }
        return w;
    }

    /// <summary>
    /// The window's title: "emu", or "emu (NAME)" with <c>-name</c>, then the text console shown
    /// (" - compat_monitor0", as QEMU's GTK display labels its tabs) or how to release a grab.
    /// </summary>
    public static string Title(string? name, bool grabbed, string? console = null) =>
        (name == null ? "emu" : $"emu ({name})") + (console != null ? " - " + console : grabbed ? " - Press Ctrl+Alt+G to release grab" : "");

    string CurrentTitle => Title(name, grabbed, active == 0 ? null : consoles[active - 1].Screen.Label);

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
            if (consoleTexture != IntPtr.Zero) Sdl.DestroyTexture(consoleTexture);
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
        Sdl.StopTextInput();          // on only while a text console is shown, so no input method sees the guest's keys
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
        // The VGA texture follows the guest while a text console is shown, so switching back shows its picture at once.
        bool changed = frames.Refresh(Upload);
        if (active != 0) changed = UploadConsole(consoles[active - 1].Screen);
        if (!changed && !redraw) return;
        redraw = false;
        // The bars around the VGA picture show its overscan colour, as the border of a CRT would; a text console's are black.
        uint bars = active == 0 ? border : 0xFF00_0000;
        Sdl.SetRenderDrawColor(renderer, (byte)(bars >> 16), (byte)(bars >> 8), (byte)bars, 255);
        Sdl.RenderClear(renderer);
        var (shown, w0, h0, k) = active == 0 ? (texture, textureW, textureH, kind) : (consoleTexture, consoleTextureW, consoleTextureH, TextConsoleKind);
        if (shown != IntPtr.Zero)
        {
            Sdl.GetRendererOutputSize(renderer, out int ow, out int oh);
            var (x, y, w, h) = Viewport(ow, oh, w0, h0, k);
            var dst = new Sdl.Rect(x, y, w, h);
            Sdl.RenderCopy(renderer, shown, null, &dst);
        }
        Sdl.RenderPresent(renderer);
    }

    /// <summary>A text console's pixels are square, as a VBE mode's, so it is sized and scaled as one.</summary>
    const VgaDisplayKind TextConsoleKind = VgaDisplayKind.Vbe;

    /// <summary>Draws the console into its texture when it changed since it was last drawn; true when it did.</summary>
    bool UploadConsole(VirtualConsole screen)
    {
        int version = screen.Version;
        if (drawnConsole == active && drawnVersion == version && consoleTexture != IntPtr.Zero) return false;
        int w = screen.PixelWidth, h = screen.PixelHeight;
        if (consoleTexture == IntPtr.Zero || consoleTextureW != w || consoleTextureH != h)
        {
            if (consoleTexture != IntPtr.Zero) Sdl.DestroyTexture(consoleTexture);
            consoleTexture = Sdl.CreateTexture(renderer, Sdl.PixelFormatArgb8888, Sdl.TextureAccessStreaming, w, h);
            consoleTextureW = w;
            consoleTextureH = h;
            if (consoleTexture == IntPtr.Zero) return false;
        }
        if (consolePixels.Length != w * h) consolePixels = new uint[w * h];
        screen.Render(consolePixels);
        fixed (uint* p = consolePixels)
            Sdl.UpdateTexture(consoleTexture, null, p, w * 4);
        drawnConsole = active;
        drawnVersion = version;
        return true;
    }

    void Upload(VgaRenderer r, DirtyRect d)
    {
        if (r.Width <= 0 || r.Height <= 0) return;
        if (active == 0 && (texture == IntPtr.Zero || textureW != r.Width || textureH != r.Height || kind != r.Kind))
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
                case Sdl.EventTextInput:
                    // Ctrl+Alt+2 also types "2" here (X11 gives the key's text); text made with Ctrl or the left Alt is a shortcut, not typing.
                    if (active != 0 && (Sdl.GetModState() & (Sdl.KmodCtrl | Sdl.KmodLAlt)) == 0)
                    {
                        var vc = consoles[active - 1];
                        vc.Screen.ResetView();
                        vc.Input.Text(Sdl.TextOf(&e));
                    }
                    break;
                case Sdl.EventKeyUp:
                    OnKeyUp(e.Scancode);
                    break;
                case Sdl.EventMouseMotion:
                    if (grabbed && active == 0) input.Post(new InputEvent.Mouse(e.MotionXRel, e.MotionYRel, 0, buttons));
                    break;
                case Sdl.EventMouseButtonDown:
                case Sdl.EventMouseButtonUp:
                    OnButton(e.Button, e.Type == Sdl.EventMouseButtonDown);
                    break;
                case Sdl.EventMouseWheel:
                    // SDL's y is positive away from the user; PS/2's Z is positive towards the user.
                    int dz = e.WheelDirection == Sdl.MouseWheelFlipped ? e.WheelY : -e.WheelY;
                    if (grabbed && active == 0 && dz != 0) input.Post(new InputEvent.Mouse(0, 0, dz, buttons));
                    break;
            }
        }
    }

    void OnKeyDown(int scancode, ushort mod, bool repeat)
    {
        bool ctrlAlt = (mod & Sdl.KmodCtrl) != 0 && (mod & Sdl.KmodAlt) != 0;
        if (ctrlAlt && scancode is ScancodeG or ScancodeF or (>= Scancode1 and <= Scancode9))
        {
            swallowed.Add(scancode);
            if (repeat) return;
            if (scancode == ScancodeG) { if (active == 0) SetGrab(!grabbed); }
            else if (scancode == ScancodeF) ToggleFullScreen();
            else Show(scancode - Scancode1);
            return;
        }
        if (active != 0)
        {
            ConsoleKey(consoles[active - 1], scancode, mod);
            return;
        }
        if (repeat) return;
        var key = SdlKeyMap.FromScancode(scancode);
        if (key == Key.None || down.Contains(key)) return;
        down.Add(key);
        input.Post(new InputEvent.KeyDown(key));
    }

    void OnKeyUp(int scancode)
    {
        if (swallowed.Remove(scancode)) return;
        var key = SdlKeyMap.FromScancode(scancode);
        if (key != Key.None && down.Remove(key)) input.Post(new InputEvent.KeyUp(key));
    }

    /// <summary>Shows console <paramref name="index"/> (0 the VGA); none when it does not exist.</summary>
    void Show(int index)
    {
        if (index == active || index > consoles.Count) return;
        if (active == 0) ReleaseGuestInput();
        active = index;
        if (active == 0)
        {
            Sdl.StopTextInput();
            if (texture != IntPtr.Zero) FitToMode(textureW, textureH, kind);
        }
        else
        {
            Sdl.StartTextInput();
            var screen = consoles[active - 1].Screen;
            FitToMode(screen.PixelWidth, screen.PixelHeight, TextConsoleKind);
        }
        Sdl.SetWindowTitle(window, CurrentTitle);
        redraw = true;
    }

    /// <summary>A key pressed in a text console: scrolling, or the console's input (auto-repeat included).</summary>
    static void ConsoleKey(VcEntry vc, int scancode, ushort mod)
    {
        bool shift = (mod & Sdl.KmodShift) != 0, ctrl = (mod & Sdl.KmodCtrl) != 0;
        int page = vc.Screen.Rows;
        int? scroll = scancode switch
        {
            ScancodePageUp when shift => page,
            ScancodePageDown when shift => -page,
            ScancodePageUp when ctrl => 10,
            ScancodePageDown when ctrl => -10,
            ScancodeUp when ctrl => 1,
            ScancodeDown when ctrl => -1,
            _ => null,
        };
        if (scroll is { } lines)
        {
            vc.Screen.ScrollView(lines);
            return;
        }
        VcKey? key = scancode switch
        {
            ScancodeUp => VcKey.Up,
            ScancodeDown => VcKey.Down,
            ScancodeLeft => VcKey.Left,
            ScancodeRight => VcKey.Right,
            ScancodeHome => VcKey.Home,
            ScancodeEnd => VcKey.End,
            ScancodePageUp => VcKey.PageUp,
            ScancodePageDown => VcKey.PageDown,
            ScancodeInsert => VcKey.Insert,
            ScancodeDelete => VcKey.Delete,
            ScancodeBackspace => VcKey.Backspace,
            ScancodeReturn or ScancodeKeypadEnter => VcKey.Enter,
            ScancodeTab => VcKey.Tab,
            ScancodeEscape => VcKey.Escape,
            _ => null,
        };
        if (key is { } k)
        {
            vc.Screen.ResetView();
            vc.Input.Key(k);
        }
        else if (ctrl && scancode is >= ScancodeA and <= ScancodeZ)
        {
            vc.Screen.ResetView();
            vc.Input.Text(((char)(scancode - ScancodeA + 1)).ToString());     // Ctrl+A is 01h ... Ctrl+Z 1Ah
        }
    }

    /// <summary>Releases the guest's keys (in the order pressed), mouse buttons and the grab.</summary>
    void ReleaseGuestInput()
    {
        foreach (var key in down) input.Post(new InputEvent.KeyUp(key));
        down.Clear();
        if (buttons != MouseButtons.None)
        {
            buttons = MouseButtons.None;
            input.Post(new InputEvent.Mouse(0, 0, 0, buttons));
        }
        if (grabbed) SetGrab(false);
    }

    void ReleaseAll()
    {
        ReleaseGuestInput();
        swallowed.Clear();
    }

    void OnButton(byte button, bool pressed)
    {
        if (active != 0) return;                                      // a text console takes no mouse
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
        Sdl.SetWindowTitle(window, CurrentTitle);
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
