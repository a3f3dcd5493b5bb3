namespace Emulator.Devices.Storage.Images;

/// <summary>
/// Opens disk images by path: probes the format (qcow2 magic, else raw) unless one is given,
/// follows qcow2 backing chains (relative names resolved against the directory of the image
/// that names them, each backing file opened read-only), and refuses loops and chains deeper
/// than <see cref="MaxBackingDepth"/>. Every failure is an <see cref="ImageException"/> with one line.
/// </summary>
public static class ImageOpener
{
    /// <summary>The longest backing chain followed (the image itself not counted).</summary>
    public const int MaxBackingDepth = 32;

    /// <summary>Opens <paramref name="path"/> as <paramref name="format"/> (null: probe).</summary>
    /// <exception cref="ImageException">The file is missing, unreadable or malformed.</exception>
    /// <param name="withBacking">False to leave a qcow2 image's backing file closed (reads of unallocated clusters give zeros), as <c>qemu-img info</c> does.</param>
    public static IBlockImage Open(string path, ImageFormat? format, bool readOnly, bool withBacking = true) =>
        Open(path, format, readOnly, [], 0, withBacking);

    static IBlockImage Open(string path, ImageFormat? format, bool readOnly, List<string> chain, int depth, bool withBacking = true)
    {
        string full = Path.GetFullPath(path);
        if (chain.Contains(full))
            throw new ImageException($"'{chain[0]}': the backing chain loops back to '{path}'");
        if (depth > MaxBackingDepth)
            throw new ImageException($"'{chain[0]}': the backing chain is deeper than {MaxBackingDepth} images");
        var stream = HostFiles.Open(path, readOnly);
        try
        {
            var fmt = format ?? Probe(stream);
            if (fmt == ImageFormat.Raw) return RawImage.FromStream(stream, readOnly);
            var next = new List<string>(chain) { full };
            return Qcow2Image.Open(path, stream, readOnly, !withBacking ? null : header =>
            {
                string name = header.BackingFile!;
                string backingPath = Path.IsPathRooted(name) ? name : Path.Combine(Path.GetDirectoryName(full) ?? ".", name);
                ImageFormat? backingFormat = null;
                if (header.BackingFormat != null)
                {
                    if (!ImageFormats.TryParse(header.BackingFormat, out var bf))
                        throw new ImageException($"'{path}': backing file format '{header.BackingFormat}' is not supported");
                    backingFormat = bf;
                }
                try
                {
                    return Open(backingPath, backingFormat, readOnly: true, next, depth + 1);
                }
                catch (ImageException e) when (depth == 0 && !e.Message.StartsWith('\''))
                {
                    throw new ImageException($"'{path}': backing file: {e.Message}");
                }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream.Dispose();
            throw new ImageException($"Could not open '{path}': {e.Message}");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static ImageFormat Probe(FileStream stream)
    {
        Span<byte> start = stackalloc byte[4];
        int n = RandomAccess.Read(stream.SafeFileHandle, start, 0);
        return ImageFormats.Probe(start[..n]);
    }

    /// <summary>
    /// Puts a temporary qcow2 overlay in front of <paramref name="image"/>, as QEMU's <c>-snapshot</c>
    /// does: reads fall through to the image, writes go to the overlay, which is deleted on dispose,
    /// so the image file is never written. The overlay owns <paramref name="image"/> and disposes it.
    /// The overlay is a qcow2 image, so it implements <see cref="IInternalSnapshots"/>: as with QEMU's
    /// <c>-snapshot</c>, savevm/loadvm work and their snapshots live (and die) in the temporary overlay.
    /// </summary>
    public static IBlockImage WithSnapshotOverlay(IBlockImage image)
    {
        string path = Path.Combine(Path.GetTempPath(), $"emu-snapshot-{Guid.NewGuid():N}.qcow2");
        var stream = HostFiles.Create(path, FileOptions.RandomAccess | FileOptions.DeleteOnClose);
        try
        {
            Qcow2Creator.WriteLayout(stream, image.Length, null, null, Qcow2Creator.DefaultClusterBits, 3);
            return Qcow2Image.Open(path, stream, readOnly: false, null, image);
        }
        catch
        {
            stream.Dispose();
            image.Dispose();
            throw;
        }
    }
}
