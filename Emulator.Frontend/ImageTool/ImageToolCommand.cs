using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Emulator.Devices.Storage.Images;
using Emulator.Frontend.CommandLine;

namespace Emulator.Frontend.ImageTool;

/// <summary>
/// <c>emu img</c>: the image tool, with qemu-img's verbs and syntax (<c>create</c>, <c>info</c>,
/// <c>check</c>, <c>convert</c>, <c>snapshot</c>, <c>resize</c>) on System.CommandLine. Every error is one line
/// <c>emu img: ...</c> on stderr with exit status 1; <c>check</c> has qemu-img's statuses.
/// </summary>
internal static class ImageToolCommand
{
    static readonly ParserConfiguration ParserConfig = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    sealed class Definition
    {
        public readonly Command Root = new("img", "emu img: create, inspect, check and convert disk images (qemu-img's syntax)");

        public readonly Command Create = new("create", "create a new image: create [-f FMT] [-b BACKING [-F BACKING_FMT]] [-o OPTIONS] FILE [SIZE]");
        public readonly Option<string> CreateFormat = Opt("-f", "FMT", "image format: raw (default) or qcow2");
        public readonly Option<string> CreateBacking = Opt("-b", "BACKING", "backing file (qcow2 only)");
        public readonly Option<string> CreateBackingFormat = Opt("-F", "BACKING_FMT", "the backing file's format");
        public readonly Option<string> CreateOptions = Opt("-o", "OPTIONS", "format options: cluster_size=SIZE, compat=0.10|1.1");
        public readonly Argument<string> CreateFile = new("FILE");
        public readonly Argument<string?> CreateSize = new("SIZE") { Arity = ArgumentArity.ZeroOrOne, Description = "bytes, or with a suffix k, M, G, T (default: the backing file's size)" };

        public readonly Command Info = new("info", "show an image's format, sizes and backing file: info [-f FMT] FILE");
        public readonly Option<string> InfoFormat = Opt("-f", "FMT", "image format (default: probe)");
        public readonly Argument<string> InfoFile = new("FILE");

        public readonly Command Check = new("check", "verify a qcow2 image's refcounts: check [-f FMT] FILE");
        public readonly Option<string> CheckFormat = Opt("-f", "FMT", "image format (default: probe)");
        public readonly Option<string> CheckRepair = Opt("-r", "leaks|all", "repair (not supported)");
        public readonly Argument<string> CheckFile = new("FILE");

        public readonly Command Snapshot = new("snapshot", "list, create, apply or delete internal snapshots: snapshot [-f FMT] [-l | -a SNAPSHOT | -c SNAPSHOT | -d SNAPSHOT] FILE");
        public readonly Option<string> SnapshotFormat = Opt("-f", "FMT", "image format (default: probe)");
        public readonly Option<bool> SnapshotList = new("-l") { Description = "list the snapshots" };
        public readonly Option<string> SnapshotApply = Opt("-a", "SNAPSHOT", "revert the disk to the snapshot (ID or name)");
        public readonly Option<string> SnapshotCreate = Opt("-c", "SNAPSHOT", "create a snapshot named SNAPSHOT");
        public readonly Option<string> SnapshotDelete = Opt("-d", "SNAPSHOT", "delete the snapshot (ID or name)");
        public readonly Argument<string> SnapshotFile = new("FILE");

        public readonly Command Resize = new("resize", "change an image's virtual size: resize [-f FMT] [--shrink] FILE [+|-]SIZE (a negative size after --)");
        public readonly Option<string> ResizeFormat = Opt("-f", "FMT", "image format (default: probe)");
        public readonly Option<bool> ResizeShrink = new("--shrink") { Description = "allow making the image smaller (raw images only)" };
        public readonly Argument<string> ResizeFile = new("FILE");
        public readonly Argument<string> ResizeSize = new("SIZE") { Description = "the new size, or +SIZE / -SIZE relative to the current one (k, M, G, T suffixes)" };

        public readonly Command Convert = new("convert", "copy an image to another format: convert [-p] [-f FMT] [-O OUTPUT_FMT] IN OUT");
        public readonly Option<bool> ConvertProgress = new("-p") { Description = "show a progress bar" };
        public readonly Option<bool> ConvertCompress = new("-c") { Description = "compress the output (not supported)" };
        public readonly Option<string> ConvertFormat = Opt("-f", "FMT", "input format (default: probe)");
        public readonly Option<string> ConvertOutputFormat = Opt("-O", "OUTPUT_FMT", "output format: raw (default) or qcow2");
        public readonly Option<string> ConvertOptions = Opt("-o", "OPTIONS", "output format options: cluster_size=SIZE, compat=0.10|1.1");
        public readonly Argument<string> ConvertIn = new("IN");
        public readonly Argument<string> ConvertOut = new("OUT");

        public Definition()
        {
            Root.Options.Add(new HelpOption("--help", "-h"));
            foreach (var o in new Option[] { CreateFormat, CreateBacking, CreateBackingFormat, CreateOptions }) Create.Options.Add(o);
            Create.Arguments.Add(CreateFile);
            Create.Arguments.Add(CreateSize);
            Info.Options.Add(InfoFormat);
            Info.Arguments.Add(InfoFile);
            Check.Options.Add(CheckFormat);
            Check.Options.Add(CheckRepair);
            Check.Arguments.Add(CheckFile);
            foreach (var o in new Option[] { ConvertProgress, ConvertCompress, ConvertFormat, ConvertOutputFormat, ConvertOptions }) Convert.Options.Add(o);
            Convert.Arguments.Add(ConvertIn);
            Convert.Arguments.Add(ConvertOut);
            foreach (var o in new Option[] { SnapshotFormat, SnapshotList, SnapshotApply, SnapshotCreate, SnapshotDelete }) Snapshot.Options.Add(o);
            Snapshot.Arguments.Add(SnapshotFile);
            Resize.Options.Add(ResizeFormat);
            Resize.Options.Add(ResizeShrink);
            Resize.Arguments.Add(ResizeFile);
            Resize.Arguments.Add(ResizeSize);
            foreach (var c in new[] { Create, Info, Check, Convert, Snapshot, Resize }) Root.Subcommands.Add(c);
        }

        static Option<string> Opt(string name, string helpName, string description) =>
            new(name) { HelpName = helpName, Description = description };
    }

    /// <summary>Runs <c>emu img ARGS</c> and returns the exit status.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var def = new Definition();
        var parsed = def.Root.Parse(args, ParserConfig);
        if (parsed.Action is not null and not ParseErrorAction)
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"emu img: {DescribeError(parsed)}");
            return 1;
        }
        try
        {
            var command = parsed.CommandResult.Command;
            if (command == def.Create)
            {
                var options = FormatOptions.Parse(parsed.GetValue(def.CreateOptions));
                return ImageToolVerbs.Create(Format(parsed.GetValue(def.CreateFormat)) ?? ImageFormat.Raw, parsed.GetValue(def.CreateFile)!,
                    parsed.GetValue(def.CreateSize) is { } s ? Size(s) : null, parsed.GetValue(def.CreateBacking),
                    Format(parsed.GetValue(def.CreateBackingFormat)), options, stdout);
            }
            if (command == def.Info)
                return ImageToolVerbs.Info(parsed.GetValue(def.InfoFile)!, Format(parsed.GetValue(def.InfoFormat)), stdout);
            if (command == def.Check)
            {
                if (parsed.GetValue(def.CheckRepair) != null) throw new EmuError("repairing images (-r) is not supported; use qemu-img check -r");
                return ImageToolVerbs.Check(parsed.GetValue(def.CheckFile)!, Format(parsed.GetValue(def.CheckFormat)), stdout, stderr);
            }
            if (command == def.Convert)
            {
                if (parsed.GetValue(def.ConvertCompress)) throw new EmuError("convert: compressed output (-c) is not supported");
                return ImageToolVerbs.Convert(parsed.GetValue(def.ConvertIn)!, Format(parsed.GetValue(def.ConvertFormat)),
                    parsed.GetValue(def.ConvertOut)!, Format(parsed.GetValue(def.ConvertOutputFormat)) ?? ImageFormat.Raw,
                    FormatOptions.Parse(parsed.GetValue(def.ConvertOptions)), parsed.GetValue(def.ConvertProgress), stdout);
            }
            if (command == def.Snapshot)
            {
                // qemu-img takes one action; none at all does nothing.
                var actions = new List<(SnapshotAction Action, string? Name)>();
                if (parsed.GetValue(def.SnapshotList)) actions.Add((SnapshotAction.List, null));
                if (parsed.GetValue(def.SnapshotApply) is { } a) actions.Add((SnapshotAction.Apply, a));
                if (parsed.GetValue(def.SnapshotCreate) is { } c) actions.Add((SnapshotAction.Create, c));
                if (parsed.GetValue(def.SnapshotDelete) is { } d) actions.Add((SnapshotAction.Delete, d));
                if (actions.Count > 1) throw new EmuError("Cannot mix '-l', '-a', '-c', '-d'");
                if (actions.Count == 0) return 0;
                return ImageToolVerbs.Snapshot(parsed.GetValue(def.SnapshotFile)!, Format(parsed.GetValue(def.SnapshotFormat)),
                    actions[0].Action, actions[0].Name, stdout);
            }
            if (command == def.Resize)
            {
                string text = parsed.GetValue(def.ResizeSize)!;
                int sign = text.StartsWith('+') ? 1 : text.StartsWith('-') ? -1 : 0;
                return ImageToolVerbs.Resize(parsed.GetValue(def.ResizeFile)!, Format(parsed.GetValue(def.ResizeFormat)),
                    sign, Size(sign == 0 ? text : text[1..]), parsed.GetValue(def.ResizeShrink), stdout);
            }
            stderr.WriteLine("emu img: a command is required: create, info, check, convert, snapshot or resize (see emu img --help)");
            return 1;
        }
        catch (Exception e) when (e is EmuError or ImageException or IOException)
        {
            stdout.Flush();
            stderr.WriteLine($"emu img: {e.Message}");
            return 1;
        }
    }

    static string DescribeError(ParseResult parsed)
    {
        foreach (string token in parsed.UnmatchedTokens)
            return token.StartsWith('-') ? $"{token}: invalid option" : $"'{token}': unexpected argument";
        return parsed.Errors[0].Message.TrimEnd('.');
    }

    static ImageFormat? Format(string? name)
    {
        if (name == null) return null;
        if (!ImageFormats.TryParse(name, out var format)) throw new EmuError($"Unknown file format '{name}' (emu img knows raw and qcow2)");
        return format;
    }

    /// <summary>qemu-img sizes: bytes by default, or with a suffix (k, M, G, T, P, E); rounded up to 512.</summary>
    static long Size(string text)
    {
        if (!QemuSyntax.TryParseSize(text, 'B', out ulong bytes) || bytes > long.MaxValue - 511)
            throw new EmuError($"Invalid image size specified. You may use k, M, G, T, P or E suffixes for kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes: '{text}'");
        return (long)((bytes + 511) & ~511UL);
    }
}

/// <summary>qemu-img's <c>-o</c> options that emu implements: <c>cluster_size</c> and <c>compat</c>.</summary>
internal sealed record FormatOptions(int ClusterBits, int Version)
{
    public static FormatOptions Parse(string? text)
    {
        int bits = Qcow2Creator.DefaultClusterBits, version = 3;
        if (text == null) return new(bits, version);
        foreach (var (key, value) in QemuOpts.Parse(text, null).Items)
        {
            switch (key)
            {
                case "cluster_size":
                    if (!QemuSyntax.TryParseSize(value, 'B', out ulong size) || size < 512 || size > (2 << 20) || (size & (size - 1)) != 0)
                        throw new EmuError($"-o {text}: cluster size must be a power of two between 512 and 2M");
                    bits = System.Numerics.BitOperations.Log2(size);
                    break;
                case "compat":
                    version = value switch
                    {
                        "0.10" or "v2" => 2,
                        "1.1" or "v3" => 3,
                        _ => throw new EmuError($"-o {text}: compat must be 0.10 or 1.1"),
                    };
                    break;
                default:
                    throw new EmuError($"-o {text}: option '{key}' is not supported (emu img implements cluster_size and compat)");
            }
        }
        return new(bits, version);
    }
}
