using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;

namespace Emulator.Frontend.CommandLine;

/// <summary>Where a drive is attached: QEMU's <c>if=</c>.</summary>
internal enum DriveInterface
{
    /// <summary>The IDE channels: index 0-3 is primary master, primary slave, secondary master, secondary slave.</summary>
    Ide,
    /// <summary>The floppy controller: index 0-1 is A: and B:.</summary>
    Floppy,
}

/// <summary>
/// One drive from <c>-hda</c>..<c>-hdd</c>, <c>-cdrom</c>, <c>-fda</c>/<c>-fdb</c> or <c>-drive</c>,
/// with its position resolved. <paramref name="File"/> is null for an empty CD-ROM drive.
/// <paramref name="Source"/> is the option as written, for error messages.
/// </summary>
internal sealed record DriveOptions(string? File, ImageFormat? Format, DriveInterface Interface, int Index, DriveMedia Media,
    bool ReadOnly, bool Snapshot, string Source);

/// <summary>
/// QEMU's drive options: <c>-drive file=,format=,if=ide|floppy,index=,bus=,unit=,media=disk|cdrom,readonly=on|off,snapshot=on|off</c>
/// and the shorthands, which are <c>-drive</c> with a fixed position (<c>-hda</c> index 0 ... <c>-cdrom</c>
/// index 2 as a CD-ROM, <c>-fda</c>/<c>-fdb</c> floppy 0/1).
/// </summary>
/// <remarks>
/// A <c>-drive</c> without <c>index</c> takes the first free position of its interface, after the
/// drives with fixed positions are placed (QEMU places drives in command-line order, so there
/// a <c>-drive</c> given before <c>-hda</c> takes index 0 and the <c>-hda</c> then conflicts).
/// </remarks>
internal static class DriveParser
{
    public const int IdePositions = 4, FloppyPositions = 2;

    /// <summary>A drive before its position is chosen; <see cref="Index"/> -1 for the first free one.</summary>
    public sealed record Spec(string? File, ImageFormat? Format, DriveInterface Interface, int Index, DriveMedia Media, bool ReadOnly, bool Snapshot, string Source);

    public static Spec Shorthand(string option, string file)
    {
        string source = $"{option} {file}";
        return option switch
        {
            "-hda" => new(file, null, DriveInterface.Ide, 0, DriveMedia.Disk, false, false, source),
            "-hdb" => new(file, null, DriveInterface.Ide, 1, DriveMedia.Disk, false, false, source),
            "-hdc" => new(file, null, DriveInterface.Ide, 2, DriveMedia.Disk, false, false, source),
            "-hdd" => new(file, null, DriveInterface.Ide, 3, DriveMedia.Disk, false, false, source),
            "-cdrom" => new(file, null, DriveInterface.Ide, 2, DriveMedia.CdRom, true, false, source),
            "-fda" => new(file, null, DriveInterface.Floppy, 0, DriveMedia.Disk, false, false, source),
            "-fdb" => new(file, null, DriveInterface.Floppy, 1, DriveMedia.Disk, false, false, source),
            _ => throw new ArgumentException($"not a drive shorthand: {option}", nameof(option)),
        };
    }

    /// <summary>Parses the value of one <c>-drive</c>.</summary>
    /// <exception cref="EmuError">An unknown key or a bad value.</exception>
    public static Spec Parse(string text)
    {
        string source = $"-drive {text}";
        string Bad(string what) => $"{source}: {what}";
        var opts = QemuOpts.Parse(text, null);
        string? file = null;
        ImageFormat? format = null;
        var iface = DriveInterface.Ide;
        int index = -1, bus = -1, unit = -1;
        var media = DriveMedia.Disk;
        bool readOnly = false, snapshot = false;
        foreach (var (key, value) in opts.Items)
        {
            switch (key)
            {
                case "file":
                    file = value.Length == 0 ? null : value;
                    break;
                case "format":
                    if (!ImageFormats.TryParse(value, out var f)) throw new EmuError(Bad($"Unknown driver '{value}' (emu knows raw and qcow2)"));
                    format = f;
                    break;
                case "if":
                    iface = value switch
                    {
                        "ide" => DriveInterface.Ide,
                        "floppy" => DriveInterface.Floppy,
                        "scsi" or "sd" or "mtd" or "pflash" or "virtio" or "none" or "xen" =>
                            throw new EmuError(Bad($"interface if={value} is not supported (emu has ide and floppy)")),
                        _ => throw new EmuError(Bad($"unsupported bus type '{value}'")),
                    };
                    break;
                case "index": index = Number(value, key, Bad); break;
                case "bus": bus = Number(value, key, Bad); break;
                case "unit": unit = Number(value, key, Bad); break;
                case "media":
                    media = value switch
                    {
                        "disk" => DriveMedia.Disk,
                        "cdrom" => DriveMedia.CdRom,
                        _ => throw new EmuError(Bad($"'{value}' invalid media")),
                    };
                    break;
                case "readonly": readOnly = OnOff(value, key, Bad); break;
                case "snapshot": snapshot = OnOff(value, key, Bad); break;
                default:
                    throw new EmuError(Bad($"parameter '{key}' is not supported (emu implements file, format, if, index, bus, unit, media, readonly, snapshot)"));
            }
        }
        int max = iface == DriveInterface.Ide ? IdePositions : FloppyPositions;
        if (bus >= 0 || unit >= 0)
        {
            if (index >= 0) throw new EmuError(Bad("index cannot be used with bus and unit"));
            const int units = 2; // two units per IDE channel; floppy unit = drive number
            int b = Math.Max(bus, 0), u = Math.Max(unit, 0);
            if (u >= units) throw new EmuError(Bad($"unit {u} too big (max is {units - 1})"));
            index = iface == DriveInterface.Ide ? b * 2 + u : u;
            if (iface == DriveInterface.Floppy && b > 0) index = max;
        }
        if (index >= max) throw new EmuError(Bad($"index {index} is too big (at most {max - 1} for if={(iface == DriveInterface.Ide ? "ide" : "floppy")})"));
        if (iface == DriveInterface.Floppy && media == DriveMedia.CdRom) throw new EmuError(Bad("media=cdrom is only for if=ide"));
        if (file == null && media != DriveMedia.CdRom) throw new EmuError(Bad("a drive without media needs media=cdrom (file= is missing)"));
        if (media == DriveMedia.CdRom) readOnly = true;
        return new Spec(file, format, iface, index, media, readOnly, snapshot, source);
    }

    /// <summary>Gives every drive its position; two drives at one position are an error, as in QEMU.</summary>
    public static IReadOnlyList<DriveOptions> Place(IEnumerable<Spec> specs)
    {
        var all = specs.ToList();
        var taken = new Dictionary<(DriveInterface, int), Spec>();
        var result = new List<DriveOptions>();
        foreach (var s in all.Where(s => s.Index >= 0).Concat(all.Where(s => s.Index < 0)))
        {
            int index = s.Index;
            int max = s.Interface == DriveInterface.Ide ? IdePositions : FloppyPositions;
            if (index < 0)
            {
                index = Enumerable.Range(0, max).FirstOrDefault(i => !taken.ContainsKey((s.Interface, i)), -1);
                if (index < 0) throw new EmuError($"{s.Source}: no free {(s.Interface == DriveInterface.Ide ? "IDE" : "floppy")} position is left");
            }
            if (taken.TryGetValue((s.Interface, index), out var other))
                throw new EmuError(s.Interface == DriveInterface.Ide
                    ? $"{s.Source}: drive with bus={index / 2}, unit={index % 2} (index={index}) exists ({other.Source})"
                    : $"{s.Source}: floppy drive {index} is already given ({other.Source})");
            taken[(s.Interface, index)] = s;
            result.Add(new DriveOptions(s.File, s.Format, s.Interface, index, s.Media, s.ReadOnly, s.Snapshot, s.Source));
        }
        return result;
    }

    /// <summary>
    /// Parses QEMU's <c>-boot [order=]DRIVES[,once=DRIVES][,menu=on|off][,strict=on|off][,splash-time=N]</c>
    /// into the boot order (<c>once</c>, when given, is the order used: emu does not change order on reboot).
    /// Drive letters are a-p as in QEMU (a, b floppy; c disk; d CD-ROM; n-p network), each at most once.
    /// </summary>
    public static string ParseBoot(string text) => ParseBootOptions(text).Order;

    /// <summary>
    /// <see cref="ParseBoot"/> with the boot menu: <c>menu=on</c>, and <c>splash-time</c> (ms) as the
    /// time the firmware waits for the menu key (QEMU passes both to the firmware through fw_cfg).
    /// </summary>
    public static (string Order, bool Menu, int? SplashTimeMs) ParseBootOptions(string text)
    {
        var opts = QemuOpts.Parse(text, "order");
        string? order = null, once = null;
        bool menu = false;
        int? splash = null;
        foreach (var (key, value) in opts.Items)
        {
            switch (key)
            {
                case "order": order = Letters(text, value); break;
                case "once": once = Letters(text, value); break;
                case "menu":
                    menu = OnOff(value, key, what => $"-boot {text}: {what}");
                    break;
                case "strict":
                    OnOff(value, key, what => $"-boot {text}: {what}");
                    break;
                case "splash-time":
                    if (!int.TryParse(value, out int ms) || ms < 0 || ms > 0xFFFF)
                        throw new EmuError($"-boot {text}: splash-time takes a number of milliseconds (0-65535)");
                    splash = ms;
                    break;
                case "reboot-timeout":
                    if (!int.TryParse(value, out _)) throw new EmuError($"-boot {text}: {key} takes a number");
                    break;
                default:
                    throw new EmuError($"-boot {text}: parameter '{key}' is not supported (emu implements order, once, menu, strict, splash-time, reboot-timeout)");
            }
        }
        return (once ?? order ?? EmuOptions.DefaultBootOrder, menu, splash);
    }

    static string Letters(string text, string value)
    {
        if (value.Length == 0) throw new EmuError($"-boot {text}: empty boot order");
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c is < 'a' or > 'p') throw new EmuError($"-boot {text}: Invalid boot device '{c}'");
            if (value.IndexOf(c) != i) throw new EmuError($"-boot {text}: Boot device '{c}' was given twice");
        }
        return value;
    }

    static int Number(string value, string key, Func<string, string> bad) =>
        QemuSyntax.TryParseInteger(value, out ulong v) && v < 1000 ? (int)v : throw new EmuError(bad($"{key}: '{value}' is not a valid number"));

    static bool OnOff(string value, string key, Func<string, string> bad) => value switch
    {
        "on" or "yes" or "true" => true,
        "off" or "no" or "false" => false,
        _ => throw new EmuError(bad($"'{key}' takes on or off, not '{value}'")),
    };
}
