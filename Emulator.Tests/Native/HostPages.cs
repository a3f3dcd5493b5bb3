using System.Runtime.InteropServices;

namespace Emulator.Tests.Native;

/// <summary>
/// Anonymous private pages from the host (Linux mmap), for the tests that run instructions on the
/// host CPU to compare it with the emulator: one place for the libc binding and its flag values.
/// </summary>
internal static partial class HostPages
{
    const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    const int MapPrivate = 0x02, MapAnonymous = 0x20;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);

    /// <summary>Maps <paramref name="length"/> bytes read/write, and executable when asked; false if the host refuses.</summary>
    public static bool TryMap(nuint length, bool executable, out nint pages)
    {
        pages = mmap(0, length, ProtRead | ProtWrite | (executable ? ProtExec : 0), MapPrivate | MapAnonymous, -1, 0);
        return pages != -1;
    }

    /// <summary>Like <see cref="TryMap"/>, but a refusal is an error naming errno.</summary>
    public static nint Map(nuint length, bool executable) =>
        TryMap(length, executable, out nint pages)
            ? pages
            : throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");

    public static void Unmap(nint pages, nuint length) => munmap(pages, length);
}
