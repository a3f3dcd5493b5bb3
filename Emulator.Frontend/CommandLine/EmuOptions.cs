using Emulator.Frontend.Display;

namespace Emulator.Frontend.CommandLine;

/// <summary>What the <c>emu</c> command line asked for, after QEMU-style value parsing.</summary>
internal sealed record EmuOptions
{
    /// <summary>QEMU's default boot order for the PC: floppy, hard disk, CD-ROM.</summary>
    public const string DefaultBootOrder = "cad";

    /// <summary>QEMU's default RAM size for the PC machines.</summary>
    public const ulong DefaultMemorySize = 128UL << 20;

    /// <summary><c>-bios FILE</c>; null to use the BIOS embedded in emu.</summary>
    public string? BiosPath { get; init; }

    /// <summary><c>-m</c>, in bytes (rounded up to 8 KiB, as QEMU does).</summary>
    public ulong MemorySize { get; init; } = DefaultMemorySize;

    /// <summary><c>-debugcon</c>: where the debug console's output goes; null for no debug console (QEMU's default).</summary>
    public ChardevOptions? DebugCon { get; init; }

    /// <summary><c>-global isa-debugcon.iobase=</c>: the debug console's port (QEMU's default 0xE9).</summary>
    public ushort DebugConPort { get; init; } = Emulator.Devices.Debug.DebugConsole.DefaultPort;

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
    /// <c>vc</c> (QEMU's default: the SDL window's text console, else nothing);
    /// <c>-serial none</c> entries add no port.
    /// </summary>
    /// <summary><c>-cpu</c>: the CPU model CPUID reports and the instruction sets it enables.</summary>
    public Emulator.Core.Cpu.CpuModel CpuModel { get; init; } = Emulator.Core.Cpu.CpuModel.PentiumPro;

    public IReadOnlyList<ChardevOptions> Serials { get; init; } = [new ChardevOptions(ChardevKind.Null)];

    /// <summary><c>-nographic</c>: no display; COM1 on stdio unless <c>-serial</c> says otherwise.</summary>
    public bool NoGraphic { get; init; }

    /// <summary><c>-gdb tcp:[HOST]:PORT</c> or <c>-s</c> (tcp::1234): where the GDB server listens; null for none.</summary>
    public GdbEndpoint? Gdb { get; init; }

    /// <summary><c>-S</c>: do not start the CPU until a debugger or the monitor lets it run.</summary>
    public bool WaitForDebugger { get; init; }

    /// <summary>
    /// <c>-monitor</c>: where the human monitor talks (<c>stdio</c>, <c>tcp:...</c> or <c>vc</c>); null for
    /// none. Without <c>-monitor</c>, <c>-nographic</c> or <c>-serial mon:stdio</c> it is <c>vc</c>, QEMU's default.
    /// </summary>
    public ChardevOptions? Monitor { get; init; }

    /// <summary><c>-dfilter</c>: the address ranges <c>in_asm</c> and <c>exec</c> log; empty for all.</summary>
    public IReadOnlyList<(ulong First, ulong Last)> LogFilter { get; init; } = [];

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

    /// <summary>The drives (<c>-hda</c>..<c>-hdd</c>, <c>-cdrom</c>, <c>-fda</c>/<c>-fdb</c>, <c>-drive</c>) with their positions.</summary>
    public IReadOnlyList<DriveOptions> Drives { get; init; } = [];

    /// <summary><c>-boot</c>: drive letters in boot order.</summary>
    public string BootOrder { get; init; } = DefaultBootOrder;

    /// <summary><c>-boot menu=on</c>: the firmware offers its boot menu.</summary>
    public bool BootMenu { get; init; }

    /// <summary><c>-boot splash-time=N</c>: milliseconds the firmware waits for the boot menu key; null for its default.</summary>
    public int? BootMenuWaitMs { get; init; }

    /// <summary>
    /// Boot the embedded demo disk (<see cref="Emulator.Frontend.DemoDisk"/>): true when the
    /// command line names no drive, no <c>-kernel</c> and no <c>-boot</c>.
    /// </summary>
    public bool DemoDisk { get; init; }

    /// <summary><c>-snapshot</c>: writes to every writable drive go to a temporary overlay; the image files are not changed.</summary>
    public bool Snapshot { get; init; }

    /// <summary><c>-loadvm TAG</c>: after the reset, the machine loads the internal snapshot TAG of its disks.</summary>
    public string? LoadVm { get; init; }
}

/// <summary>The <c>-d</c> log items emu implements.</summary>
[Flags]
internal enum LogItems
{
    None = 0,
    /// <summary>Every POST code written to port 0x80, as a line <c>POST xx</c>.</summary>
    Post = 1,
    /// <summary>Each newly decoded block, disassembled.</summary>
    InAsm = 2,
    /// <summary>Each interrupt and exception delivered, with a register dump.</summary>
    Int = 4,
    /// <summary>The registers at each CPU reset.</summary>
    CpuReset = 8,
    /// <summary>The address of every block executed.</summary>
    Exec = 16,
    /// <summary>Protected-mode transfers through gates and TSSs, and privilege, task and virtual-8086 changes.</summary>
    Pcall = 32,
    /// <summary>Guest behaviour that usually means a guest bug (unassigned memory, invalid device commands, triple fault).</summary>
    GuestErrors = 64,
    /// <summary>Features the guest used that emu does not implement.</summary>
    Unimp = 128,
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
    /// <summary>
    /// <c>vc</c>: a text console of the SDL window (serial ports and the monitor; QEMU's default for
    /// both when the display is graphical). Without the SDL window it is <c>null</c> for a serial
    /// port and no monitor, as QEMU's <c>qemu_display_get_vc</c> gives no vc for <c>-display none</c>.
    /// </summary>
    Vc,
}

/// <summary>
/// A character device: <c>stdio</c>, <c>null</c>, <c>file:PATH</c> or <c>tcp:...</c>. <paramref name="Mux"/>
/// is QEMU's <c>mon:</c> prefix (only on stdio here): the device is shared with the monitor through the
/// Ctrl-A escape keys, and Ctrl-C goes to the guest rather than ending emu.
/// </summary>
internal sealed record ChardevOptions(ChardevKind Kind, string? Path = null, TcpChardev? Tcp = null, bool Mux = false);

/// <summary>
/// QEMU's <c>tcp:[HOST]:PORT[,server=on|off][,wait=on|off]</c> (also the old flags
/// <c>server</c> and <c>nowait</c>): a server listens, and unless <paramref name="Wait"/> is
/// off waits for a client before the machine starts; a client connects at start. An empty
/// host is 127.0.0.1.
/// </summary>
internal sealed record TcpChardev(string Host, int Port, bool Server, bool Wait);

/// <summary>The GDB server's listening address; an empty host means 127.0.0.1.</summary>
internal sealed record GdbEndpoint(string Host, int Port);
