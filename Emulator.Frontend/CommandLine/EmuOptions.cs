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
}

/// <summary>A character device: <c>stdio</c>, <c>null</c> or <c>file:PATH</c>.</summary>
internal sealed record ChardevOptions(ChardevKind Kind, string? Path = null);
