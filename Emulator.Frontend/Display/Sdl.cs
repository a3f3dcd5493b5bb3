using System.Reflection;
using System.Runtime.InteropServices;

namespace Emulator.Frontend.Display;

/// <summary>
/// A thin typed binding of the system's SDL2 (2.0.x ABI): the functions and event layouts the
/// window uses, loaded from <c>libSDL2-2.0.so.0</c>, <c>SDL2.dll</c> or <c>libSDL2-2.0.0.dylib</c>
/// (DESIGN.md, SDL). Values and struct offsets are SDL 2's (SDL_video.h, SDL_render.h,
/// SDL_events.h, SDL_pixels.h, SDL_mouse.h); the ABI has been stable since 2.0.0.
/// </summary>
internal static unsafe partial class Sdl
{
    const string Lib = "SDL2";

    static Sdl() => NativeLibrary.SetDllImportResolver(typeof(Sdl).Assembly, Resolve);

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        foreach (string file in LibraryNames)
            if (NativeLibrary.TryLoad(file, assembly, path, out var handle)) return handle;
        return IntPtr.Zero;
    }

    static string[] LibraryNames =>
        OperatingSystem.IsWindows() ? ["SDL2.dll"]
        : OperatingSystem.IsMacOS() ? ["libSDL2-2.0.0.dylib", "libSDL2.dylib"]
        : ["libSDL2-2.0.so.0", "libSDL2.so"];

    /// <summary>Null when the library loads; otherwise why not, in one line.</summary>
    public static string? TryLoad()
    {
        foreach (string file in LibraryNames)
            if (NativeLibrary.TryLoad(file, out _)) return null;
        return $"{LibraryNames[0]} could not be loaded";
    }

    public const uint InitVideo = 0x20;
    public const uint WindowFullscreen = 0x1, WindowShown = 0x4, WindowResizable = 0x20, WindowFullscreenDesktop = 0x1001;
    public const int WindowPosCentered = 0x2FFF0000;
    public const uint RendererSoftware = 0x1, RendererAccelerated = 0x2;
    /// <summary>SDL_PIXELFORMAT_ARGB8888: a 32-bit 0xAARRGGBB word, the renderer's format.</summary>
    public const uint PixelFormatArgb8888 = 0x16362004;
    public const int TextureAccessStreaming = 1;

    // Event types (SDL_EventType).
    public const uint EventQuit = 0x100, EventWindow = 0x200, EventKeyDown = 0x300, EventKeyUp = 0x301, EventTextInput = 0x303,
        EventMouseMotion = 0x400, EventMouseButtonDown = 0x401, EventMouseButtonUp = 0x402, EventMouseWheel = 0x403;
    // SDL_WindowEventID.
    public const byte WindowEventExposed = 3, WindowEventResized = 5, WindowEventSizeChanged = 6, WindowEventMaximized = 9,
        WindowEventFocusLost = 13, WindowEventClose = 14;
    // SDL_Keymod.
    public const ushort KmodShift = 0x0003, KmodCtrl = 0x00C0, KmodLAlt = 0x0100, KmodAlt = 0x0300;
    // Mouse buttons.
    public const byte ButtonLeft = 1, ButtonMiddle = 2, ButtonRight = 3, ButtonX1 = 4, ButtonX2 = 5;
    public const uint MouseWheelFlipped = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rect(int x, int y, int w, int h)
    {
        public int X = x, Y = y, W = w, H = h;
    }

    /// <summary>SDL_Event: a 56-byte union; the fields below are read at SDL 2's offsets by event type.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 56)]
    public struct Event
    {
        [FieldOffset(0)] public uint Type;
        [FieldOffset(8)] public uint WindowId;
        // SDL_WindowEvent
        [FieldOffset(12)] public byte WindowEvent;
        // SDL_WindowEvent: data1 16, data2 20 (the new size for RESIZED and SIZE_CHANGED)
        [FieldOffset(16)] public int WindowData1;
        [FieldOffset(20)] public int WindowData2;
        // SDL_KeyboardEvent: state at 12, repeat at 13, keysym { scancode 16, sym 20, mod 24 }
        [FieldOffset(13)] public byte KeyRepeat;
        [FieldOffset(16)] public int Scancode;
        [FieldOffset(24)] public ushort KeyMod;
        // SDL_MouseMotionEvent: xrel 28, yrel 32
        [FieldOffset(28)] public int MotionXRel;
        [FieldOffset(32)] public int MotionYRel;
        // SDL_MouseButtonEvent: button 16
        [FieldOffset(16)] public byte Button;
        // SDL_MouseWheelEvent: x 16, y 20, direction 24
        [FieldOffset(20)] public int WheelY;
        [FieldOffset(24)] public uint WheelDirection;
        // SDL_TextInputEvent: text[32] at 12, NUL-terminated UTF-8
        [FieldOffset(12)] public fixed byte Text[32];
    }

    /// <summary>The UTF-8 text of an <see cref="EventTextInput"/> event.</summary>
    public static string TextOf(Event* e) => Marshal.PtrToStringUTF8((IntPtr)e->Text) ?? "";

    [LibraryImport(Lib, EntryPoint = "SDL_Init")] public static partial int Init(uint flags);
    [LibraryImport(Lib, EntryPoint = "SDL_Quit")] public static partial void Quit();
    [LibraryImport(Lib, EntryPoint = "SDL_GetError")] private static partial IntPtr GetErrorPtr();
    public static string GetError() => Marshal.PtrToStringUTF8(GetErrorPtr()) ?? "";
    [LibraryImport(Lib, EntryPoint = "SDL_SetHint", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SetHint(string name, string value);

    [LibraryImport(Lib, EntryPoint = "SDL_CreateWindow", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr CreateWindow(string title, int x, int y, int w, int h, uint flags);
    [LibraryImport(Lib, EntryPoint = "SDL_DestroyWindow")] public static partial void DestroyWindow(IntPtr window);
    [LibraryImport(Lib, EntryPoint = "SDL_SetWindowTitle", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void SetWindowTitle(IntPtr window, string title);
    [LibraryImport(Lib, EntryPoint = "SDL_SetWindowFullscreen")] public static partial int SetWindowFullscreen(IntPtr window, uint flags);
    [LibraryImport(Lib, EntryPoint = "SDL_SetWindowSize")] public static partial void SetWindowSize(IntPtr window, int w, int h);
    [LibraryImport(Lib, EntryPoint = "SDL_GetWindowSize")] public static partial void GetWindowSize(IntPtr window, out int w, out int h);
    [LibraryImport(Lib, EntryPoint = "SDL_GetWindowDisplayIndex")] public static partial int GetWindowDisplayIndex(IntPtr window);
    [LibraryImport(Lib, EntryPoint = "SDL_GetDisplayUsableBounds")] public static partial int GetDisplayUsableBounds(int displayIndex, out Rect rect);
    [LibraryImport(Lib, EntryPoint = "SDL_GetWindowID")] public static partial uint GetWindowId(IntPtr window);
    [LibraryImport(Lib, EntryPoint = "SDL_SetWindowGrab")] public static partial void SetWindowGrab(IntPtr window, int grabbed);
    [LibraryImport(Lib, EntryPoint = "SDL_SetRelativeMouseMode")] public static partial int SetRelativeMouseMode(int enabled);

    [LibraryImport(Lib, EntryPoint = "SDL_CreateRenderer")] public static partial IntPtr CreateRenderer(IntPtr window, int index, uint flags);
    [LibraryImport(Lib, EntryPoint = "SDL_DestroyRenderer")] public static partial void DestroyRenderer(IntPtr renderer);
    [LibraryImport(Lib, EntryPoint = "SDL_GetRendererOutputSize")] public static partial int GetRendererOutputSize(IntPtr renderer, out int w, out int h);
    [LibraryImport(Lib, EntryPoint = "SDL_SetRenderDrawColor")] public static partial int SetRenderDrawColor(IntPtr renderer, byte r, byte g, byte b, byte a);
    [LibraryImport(Lib, EntryPoint = "SDL_RenderClear")] public static partial int RenderClear(IntPtr renderer);
    [LibraryImport(Lib, EntryPoint = "SDL_RenderCopy")] public static partial int RenderCopy(IntPtr renderer, IntPtr texture, Rect* src, Rect* dst);
    [LibraryImport(Lib, EntryPoint = "SDL_RenderPresent")] public static partial void RenderPresent(IntPtr renderer);

    [LibraryImport(Lib, EntryPoint = "SDL_CreateTexture")] public static partial IntPtr CreateTexture(IntPtr renderer, uint format, int access, int w, int h);
    [LibraryImport(Lib, EntryPoint = "SDL_DestroyTexture")] public static partial void DestroyTexture(IntPtr texture);
    [LibraryImport(Lib, EntryPoint = "SDL_UpdateTexture")] public static partial int UpdateTexture(IntPtr texture, Rect* rect, void* pixels, int pitch);

    [LibraryImport(Lib, EntryPoint = "SDL_PollEvent")] public static partial int PollEvent(Event* e);
    [LibraryImport(Lib, EntryPoint = "SDL_GetModState")] public static partial int GetModState();
    [LibraryImport(Lib, EntryPoint = "SDL_StartTextInput")] public static partial void StartTextInput();
    [LibraryImport(Lib, EntryPoint = "SDL_StopTextInput")] public static partial void StopTextInput();
}
