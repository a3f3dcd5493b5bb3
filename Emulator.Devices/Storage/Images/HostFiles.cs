using Microsoft.Win32.SafeHandles;

namespace Emulator.Devices.Storage.Images;

/// <summary>Opening image files with errors worded as QEMU words them, and positional I/O helpers.</summary>
internal static class HostFiles
{
    /// <summary>
    /// Opens an existing file without a user-space buffer (every write reaches the host at once,
    /// so a killed process leaves what it wrote). Read-only opens let others read and write too.
    /// </summary>
    public static FileStream Open(string path, bool readOnly)
    {
        try
        {
            if (Directory.Exists(path)) throw new ImageException($"Could not open '{path}': Is a directory");
            return new FileStream(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite,
                readOnly ? FileShare.ReadWrite : FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"Could not open '{path}': {Describe(e)}");
        }
    }

    /// <summary>Creates (or truncates) a file for a new image.</summary>
    public static FileStream Create(string path, FileOptions options = FileOptions.RandomAccess)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"Could not create '{path}': {Describe(e)}");
        }
    }

    /// <summary>The host error as the C library words it.</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes; a short read (file truncated) is an I/O error.</summary>
    public static void ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n <= 0) throw new IOException($"read beyond the end of the image file at offset {offset}");
            buffer = buffer[n..];
            offset += n;
        }
    }
}

/// <summary>Argument checks every image makes, so devices get an <see cref="IOException"/> for bad requests.</summary>
internal static class BlockChecks
{
    public static void Range(IBlockImage image, long offset, int length)
    {
        if (offset < 0 || length < 0 || offset > image.Length - length)
            throw new IOException($"access at offset {offset}, length {length} is beyond the image size {image.Length}");
    }
}
