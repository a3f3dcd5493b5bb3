using System.Runtime.InteropServices;

namespace Emulator.Frontend.Terminal;

/// <summary>
/// Puts the terminal on standard input into the mode QEMU's stdio character device uses:
/// bytes arrive one at a time without echo or line editing, Enter arrives as CR, and output
/// post-processing stays on so a guest's LF still starts a new line. Shared with the monitor
/// (<c>mon:stdio</c>, <c>-nographic</c>), Ctrl-C and Ctrl-Z reach the guest instead of
/// signalling emu (ISIG off: the mux's Ctrl-A x is the way out), as QEMU does. The
/// previous settings come back on <see cref="Dispose"/> and at process exit, so a shell is
/// never left in raw mode. POSIX termios (IEEE Std 1003.1, General Terminal Interface);
/// only Linux's layout of <c>struct termios</c> is known here, so elsewhere nothing changes.
/// </summary>
internal sealed partial class TerminalRawMode : IDisposable
{
    // Linux's struct termios: c_iflag, c_oflag, c_cflag, c_lflag (4 bytes each), c_line,
    // c_cc[32], then c_ispeed and c_ospeed: 60 bytes. A larger buffer costs nothing.
    const int TermiosSize = 64;
    const int IflagOffset = 0, OflagOffset = 4, CflagOffset = 8, LflagOffset = 12, CcOffset = 17;
    const int Vtime = 5, Vmin = 6;

    // <asm-generic/termbits.h> values.
    const uint IGNBRK = 0x1, BRKINT = 0x2, PARMRK = 0x8, ISTRIP = 0x20, INLCR = 0x40, IGNCR = 0x80, ICRNL = 0x100, IXON = 0x400;
    const uint OPOST = 0x1;
    const uint CSIZE = 0x30, CS8 = 0x30, PARENB = 0x100;
    const uint ISIG = 0x1, ICANON = 0x2, ECHO = 0x8, ECHONL = 0x40, IEXTEN = 0x8000;
    const int TCSANOW = 0;

    [LibraryImport("libc", EntryPoint = "isatty")] private static partial int IsATty(int fd);
    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)] private static partial int GetAttr(int fd, [Out] byte[] termios);
    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)] private static partial int SetAttr(int fd, int action, byte[] termios);

    readonly byte[] saved;
    int restored;

    TerminalRawMode(byte[] saved)
    {
        this.saved = saved;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Raw mode on standard input if it is a terminal (on Linux); null when it is not, or nothing could be changed.</summary>
    /// <param name="allowSignals">Keep Ctrl-C and Ctrl-\ as signals to emu (QEMU's <c>signal=on</c>, its default for plain stdio).</param>
    public static TerminalRawMode? TryEnter(bool allowSignals)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            if (IsATty(0) != 1) return null;
            var current = new byte[TermiosSize];
            if (GetAttr(0, current) != 0) return null;
            var raw = (byte[])current.Clone();
            Update(raw, IflagOffset, clear: IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
            Update(raw, OflagOffset, set: OPOST);
            Update(raw, CflagOffset, clear: CSIZE | PARENB, set: CS8);
            Update(raw, LflagOffset, clear: ECHO | ECHONL | ICANON | IEXTEN | (allowSignals ? 0 : ISIG));
            raw[CcOffset + Vmin] = 1;
            raw[CcOffset + Vtime] = 0;
            if (SetAttr(0, TCSANOW, raw) != 0) return null;
            return new TerminalRawMode(current);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    static void Update(byte[] termios, int offset, uint clear = 0, uint set = 0)
    {
        uint flags = BitConverter.ToUInt32(termios, offset);
        flags = (flags & ~clear) | set;
        BitConverter.TryWriteBytes(termios.AsSpan(offset), flags);
    }

    void OnProcessExit(object? sender, EventArgs e) => Dispose();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref restored, 1) != 0) return;
        SetAttr(0, TCSANOW, saved);
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
    }
}
