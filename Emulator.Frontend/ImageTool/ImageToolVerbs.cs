using System.Globalization;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend.CommandLine;

namespace Emulator.Frontend.ImageTool;

/// <summary>The verbs of <c>emu img</c>, with qemu-img's output and exit statuses.</summary>
internal static class ImageToolVerbs
{
    /// <summary>
    /// <c>create</c>: a raw file of the size (sparse), or an empty qcow2 image, optionally over a
    /// backing file (whose size is the default size).
    /// </summary>
    public static int Create(ImageFormat format, string path, long? size, string? backing, ImageFormat? backingFormat,
        FormatOptions options, TextWriter stdout)
    {
        if (backing != null && format != ImageFormat.Qcow2) throw new EmuError($"Backing file not supported for file format '{ImageFormats.Name(format)}'");
        if (size == null)
        {
            if (backing == null) throw new EmuError("Image creation needs a size parameter");
            string resolved = Path.IsPathRooted(backing) ? backing : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", backing);
            using var b = ImageOpener.Open(resolved, backingFormat, readOnly: true);
            size = b.Length;
        }
        string extra = format == ImageFormat.Qcow2 ? $" cluster_size={1 << options.ClusterBits}" : "";
        string backingText = backing == null ? "" : $" backing_file={backing}" + (backingFormat is { } bf ? $" backing_fmt={ImageFormats.Name(bf)}" : "");
        stdout.WriteLine($"Formatting '{path}', fmt={ImageFormats.Name(format)}{extra}{backingText} size={size}");
        if (format == ImageFormat.Qcow2)
            Qcow2Creator.Create(path, size.Value, backing, backingFormat is { } f ? ImageFormats.Name(f) : null, options.ClusterBits, options.Version);
        else
        {
            try
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
                file.SetLength(size.Value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImageException($"Could not create '{path}': {e.Message}");
            }
        }
        return 0;
    }

    /// <summary><c>info</c>: format, virtual size, file size, cluster size and backing file.</summary>
    public static int Info(string path, ImageFormat? format, TextWriter stdout)
    {
        using var image = ImageOpener.Open(path, format, readOnly: true, withBacking: false);
        long fileSize = new FileInfo(path).Length;
        stdout.WriteLine($"image: {path}");
        stdout.WriteLine($"file format: {(image is Qcow2Image ? "qcow2" : "raw")}");
        stdout.WriteLine($"virtual size: {QemuSyntax.FormatSize((ulong)image.Length)} ({image.Length} bytes)");
        stdout.WriteLine($"disk size: {QemuSyntax.FormatSize((ulong)fileSize)}");
        if (image is Qcow2Image q)
        {
            stdout.WriteLine($"cluster_size: {q.ClusterSize}");
            if (q.BackingFileName != null)
            {
                stdout.WriteLine($"backing file: {q.BackingFileName}");
                if (q.BackingFormatName != null) stdout.WriteLine($"backing file format: {q.BackingFormatName}");
            }
            WriteSnapshotList(q, stdout);
            stdout.WriteLine("Format specific information:");
            stdout.WriteLine($"    compat: {(q.Version >= 3 ? "1.1" : "0.10")}");
        }
        return 0;
    }

    /// <summary>
    /// <c>snapshot</c>: lists, creates (disk only, no VM state), applies or deletes an internal
    /// snapshot, as <c>qemu-img snapshot</c> does; a format without internal snapshots lists
    /// nothing and refuses the others.
    /// </summary>
    public static int Snapshot(string path, ImageFormat? format, SnapshotAction action, string? name, TextWriter stdout)
    {
        using var image = ImageOpener.Open(path, format, readOnly: action == SnapshotAction.List, withBacking: false);
        var snapshots = image as IInternalSnapshots;
        if (action == SnapshotAction.List)
        {
            if (snapshots != null) WriteSnapshotList(snapshots, stdout);
            return 0;
        }
        string verb = action switch { SnapshotAction.Create => "create", SnapshotAction.Apply => "apply", _ => "delete" };
        if (snapshots == null) throw new EmuError($"Could not {verb} snapshot '{name}': the {ImageFormats.Name(ImageFormat.Raw)} format does not support internal snapshots");
        try
        {
            switch (action)
            {
                case SnapshotAction.Create: snapshots.CreateSnapshot(name!, [], 0); break;
                case SnapshotAction.Apply: snapshots.RevertToSnapshot(name!); break;
                default: snapshots.DeleteSnapshot(name!); break;
            }
            image.Flush();
        }
        catch (Exception e) when (e is ImageException or IOException)
        {
            throw new EmuError($"Could not {verb} snapshot '{name}': {e.Message}");
        }
        return 0;
    }

    /// <summary>
    /// <c>resize</c>: sets the virtual size (<paramref name="sign"/> 0), or grows or shrinks it by
    /// <paramref name="size"/> (+1/-1), as <c>qemu-img resize</c>: making an image smaller needs
    /// <c>--shrink</c> (the data past the new end is lost). A raw file is truncated or extended
    /// (sparse); a qcow2 image only grows (Qcow2Image.Grow).
    /// </summary>
    public static int Resize(string path, ImageFormat? format, int sign, long size, bool shrink, TextWriter stdout)
    {
        long target;
        using (var image = ImageOpener.Open(path, format, readOnly: false, withBacking: false))
        {
            long current = image.Length;
            target = sign == 0 ? size : current + sign * size;
            if (target <= 0) throw new EmuError("New image size must be positive.");
            if (target < current && !shrink) throw new EmuError("Use the --shrink option to perform a shrink operation.");
            if (image is Qcow2Image qcow2)
            {
                if (target < current) throw new EmuError($"Could not resize '{path}': shrinking qcow2 images is not supported (emu img shrinks raw images only)");
                qcow2.Grow(target);
                qcow2.Flush();
                stdout.WriteLine("Image resized.");
                return 0;
            }
            if (image is IInternalSnapshots) throw new EmuError($"Could not resize '{path}': the format cannot be resized");
        }
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException($"Could not resize '{path}': {e.Message}");
        }
        stdout.WriteLine("Image resized.");
        return 0;
    }

    /// <summary>qemu-img's snapshot table (bdrv_snapshot_dump): nothing when there are no snapshots; dates in local time.</summary>
    static void WriteSnapshotList(IInternalSnapshots image, TextWriter stdout)
    {
        var list = image.Snapshots;
        if (list.Count == 0) return;
        stdout.WriteLine("Snapshot list:");
        stdout.WriteLine($"{"ID",-10}{"TAG",-17}{"VM SIZE",8}{"DATE",20}{"VM CLOCK",13}{"ICOUNT",11}");
        foreach (var s in list)
        {
            ulong secs = s.VmClockNs / 1_000_000_000;
            string clock = string.Create(CultureInfo.InvariantCulture,
                $"{secs / 3600:00}:{secs / 60 % 60:00}:{secs % 60:00}.{s.VmClockNs / 1_000_000 % 1000:000}");
            string date = s.Date.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            // An instruction count that was not recorded (icount -1) prints as a blank, as in qemu-img.
            stdout.WriteLine($"{s.Id,-9} {s.Name,-16} {SizeToStr(s.VmStateSize),8}{date,20}{clock,13}{s.Icount?.ToString(CultureInfo.InvariantCulture) ?? "",11}");
        }
    }

    /// <summary>
    /// QEMU's size_to_str: three significant digits ("%0.3g"), switching to the next binary unit
    /// once the value reaches 1000 of the current one.
    /// </summary>
    public static string SizeToStr(ulong bytes)
    {
        string[] suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        int unit = 0;
        while (unit < suffixes.Length - 1 && bytes / 1000.0 >= Math.Pow(1024, unit)) unit++;
        double value = bytes / Math.Pow(1024, unit);
        return value.ToString("G3", CultureInfo.InvariantCulture) + " " + suffixes[unit] + "B";
    }

    /// <summary>Exit statuses of <c>qemu-img check</c>.</summary>
    public const int CheckClean = 0, CheckFailed = 1, CheckCorrupt = 2, CheckLeaks = 3, CheckUnsupported = 63;

    /// <summary><c>check</c>: refcount verification of a qcow2 image, reported and counted as qemu-img does.</summary>
    public static int Check(string path, ImageFormat? format, TextWriter stdout, TextWriter stderr)
    {
        ImageFormat actual;
        using (var probe = ImageOpener.Open(path, format, readOnly: true, withBacking: false))
            actual = probe is Qcow2Image ? ImageFormat.Qcow2 : ImageFormat.Raw;
        if (actual != ImageFormat.Qcow2)
        {
            stderr.WriteLine("emu img: This image format does not support checks");
            return CheckUnsupported;
        }
        var result = Qcow2Check.Run(path);
        foreach (string line in result.Messages) stdout.WriteLine(line);
        if (result.Corruptions == 0 && result.Leaks == 0) stdout.WriteLine("No errors were found on the image.");
        if (result.Corruptions > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{result.Corruptions} errors were found on the image.");
            stdout.WriteLine("Data may be corrupted, or further writes to the image may corrupt it.");
        }
        if (result.Leaks > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{result.Leaks} leaked clusters were found on the image.");
            stdout.WriteLine("This means waste of disk space, but no harm to data.");
        }
        double percent = result.TotalClusters == 0 ? 0 : 100.0 * result.AllocatedClusters / result.TotalClusters;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.AllocatedClusters}/{result.TotalClusters} = {percent:0.00}% allocated"));
        stdout.WriteLine($"Image end offset: {result.ImageEndOffset}");
        return result.Corruptions > 0 ? CheckCorrupt : result.Leaks > 0 ? CheckLeaks : CheckClean;
    }

    const int ConvertChunk = 1 << 20;
    const int ZeroGranule = 64 << 10;

    /// <summary>
    /// <c>convert</c>: copies the guest-visible contents of IN (through its backing chain) into a new
    /// image OUT, leaving all-zero 64 KiB runs unwritten so the output stays sparse.
    /// </summary>
    public static int Convert(string input, ImageFormat? inputFormat, string output, ImageFormat outputFormat,
        FormatOptions options, bool progress, TextWriter stdout)
    {
        using var source = ImageOpener.Open(input, inputFormat, readOnly: true);
        long length = source.Length;
        if (outputFormat == ImageFormat.Qcow2)
            Qcow2Creator.Create(output, length, clusterBits: options.ClusterBits, version: options.Version);
        else
        {
            try
            {
                using var file = new FileStream(output, FileMode.Create, FileAccess.Write);
                file.SetLength(length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ImageException($"Could not create '{output}': {e.Message}");
            }
        }
        using var target = ImageOpener.Open(output, outputFormat, readOnly: false);
        var buffer = new byte[ConvertChunk];
        var bar = progress ? new ProgressBar(stdout) : null;
        bar?.Update(0);
        for (long pos = 0; pos < length; pos += ConvertChunk)
        {
            int n = (int)Math.Min(ConvertChunk, length - pos);
            source.Read(pos, buffer.AsSpan(0, n));
            for (int at = 0; at < n; at += ZeroGranule)
            {
                var piece = buffer.AsSpan(at, Math.Min(ZeroGranule, n - at));
                if (piece.ContainsAnyExcept((byte)0)) target.Write(pos + at, piece);
            }
            bar?.Update(100.0 * (pos + n) / length);
        }
        target.Flush();
        bar?.Finish();
        return 0;
    }
}

/// <summary>What <c>emu img snapshot</c> does.</summary>
internal enum SnapshotAction { List, Create, Apply, Delete }

/// <summary>qemu-img's progress display: <c>    (42.00/100%)</c> rewritten in place with a carriage return.</summary>
internal sealed class ProgressBar(TextWriter output)
{
    double last = -1;

    public void Update(double percent)
    {
        if (percent - last < 1 && percent < 100) return;
        last = percent;
        output.Write(string.Create(CultureInfo.InvariantCulture, $"    ({percent:0.00}/100%)\r"));
        output.Flush();
    }

    public void Finish()
    {
        if (last < 100) Update(100);
        output.WriteLine();
    }
}
