using Emulator.Frontend.Display;

namespace Emulator.Frontend.CommandLine;

/// <summary>What the <c>emu</c> command line asked for, after QEMU-style value parsing.</summary>
internal sealed record EmuOptions
{
    /// <summary>QEMU's default RAM size for the PC machines.</summary>
    public const ulong DefaultMemorySize = 128UL << 20;

    /// <summary><c>-bios FILE</c>; null to use the BIOS embedded in emu.</summary>
    public string? BiosPath { get; init; }

    /// <summary><c>-m</c>, in bytes (rounded up to 8 KiB, as QEMU does).</summary>
    public ulong MemorySize { get; init; } = DefaultMemorySize;

    /// <summary><c>-debugcon</c>: where port 0xE9 output goes; null for no debug console (QEMU's default).</summary>
    public ChardevOptions? DebugCon { get; init; }

    /// <summary><c>-d</c>: what to log.</summary>
    public LogItems Log { get; init; }

    /// <summary><c>-D FILE</c>: the log file; null for stderr.</summary>
    public string? LogFile { get; init; }

    /// <summary><c>-device</c>, in command-line order.</summary>
    public IReadOnlyList<DeviceOptions> Devices { get; init; } = [];

    /// <summary><c>-no-reboot</c>: exit instead of resetting on a triple fault or reset request.</summary>
    public bool NoReboot { get; init; }

    /// <summary><c>-rtc base=</c>: the RTC's starting date and time; null for the host's UTC time.</summary>
    public DateTime? RtcBase { get; init; }

    /// <summary>
    /// The serial ports COM1, COM2... in order, each with its backend, after QEMU's defaults:
    /// without <c>-serial</c>, COM1 on <c>stdio</c> with <c>-nographic</c> and otherwise on
    /// <c>null</c> (QEMU's default is its <c>vc</c> console, which emu does not have yet);
    /// <c>-serial none</c> entries add no port.
    /// </summary>
    public IReadOnlyList<ChardevOptions> Serials { get; init; } = [new ChardevOptions(ChardevKind.Null)];

    /// <summary><c>-nographic</c>: no display; COM1 on stdio unless <c>-serial</c> says otherwise.</summary>
    public bool NoGraphic { get; init; }

    /// <summary><c>-display sdl|curses|none</c>; null for the default choice (<see cref="DisplayChoice"/>).</summary>
    public DisplayKind? Display { get; init; }

    /// <summary><c>-name NAME</c>: the guest's name, shown in the window title.</summary>
    public string? Name { get; init; }

    /// <summary><c>-full-screen</c>: start the SDL window full screen.</summary>
    public bool FullScreen { get; init; }

    /// <summary><c>-screendump FILE</c>: save the screen as PNG when emu exits.</summary>
    public string? ScreenDumpPath { get; init; }

    /// <summary><c>-kernel FILE</c>: a Linux bzImage booted directly; null to boot through the firmware.</summary>
    public string? KernelPath { get; init; }

    /// <summary><c>-initrd FILE</c>: the initial ramdisk for <c>-kernel</c>.</summary>
    public string? InitrdPath { get; init; }

    /// <summary><c>-append CMDLINE</c>: the kernel command line for <c>-kernel</c>.</summary>
    public string KernelCommandLine { get; init; } = "";
}

/// <summary>The <c>-d</c> log items emu implements.</summary>
[Flags]
internal enum LogItems
{
    None = 0,
    /// <summary>Every POST code written to port 0x80, as a line <c>POST xx</c>.</summary>
    Post = 1,
}

/// <summary>The character-device back ends emu implements (QEMU's <c>-chardev</c> syntax, as <c>-debugcon</c> takes it).</summary>
internal enum ChardevKind
{
    /// <summary><c>null</c>: output is discarded.</summary>
    Null,
    /// <summary><c>stdio</c>: emu's standard output.</summary>
    Stdio,
    /// <summary><c>file:PATH</c>: a file, created or truncated.</summary>
    File,
    /// <summary><c>tcp:HOST:PORT[,server][,nowait]</c>: a TCP client or server (serial ports only).</summary>
    Tcp,
}

/// <summary>A character device: <c>stdio</c>, <c>null</c>, <c>file:PATH</c> or <c>tcp:...</c>.</summary>
internal sealed record ChardevOptions(ChardevKind Kind, string? Path = null, TcpChardev? Tcp = null);

/// <summary>
/// QEMU's <c>tcp:[HOST]:PORT[,server=on|off][,wait=on|off]</c> (also the old flags
/// <c>server</c> and <c>nowait</c>): a server listens, and unless <paramref name="Wait"/> is
/// off waits for a client before the machine starts; a client connects at start. An empty
/// host is 127.0.0.1.
/// </summary>
internal sealed record TcpChardev(string Host, int Port, bool Server, bool Wait);
