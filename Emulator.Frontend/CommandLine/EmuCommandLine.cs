using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Emulator.Devices.Debug;
using Emulator.Frontend.Display;

namespace Emulator.Frontend.CommandLine;

/// <summary>
/// The <c>emu</c> command line: QEMU's option names (single dash, long names, each also
/// accepted with two dashes as QEMU does) on System.CommandLine, with QEMU's value
/// syntax for sizes, character devices, log items and <c>-device</c> strings.
/// </summary>
/// <remarks>
/// As in QEMU, an option given twice keeps its last value (<c>-m 64 -m 128</c> is
/// 128 MiB), except <c>-device</c>, which adds a device each time. POSIX bundling and
/// <c>@response</c> files are off, since QEMU has neither. Every error is one line
/// <c>emu: ...</c> on stderr and exit status 1.
/// </remarks>
internal static class EmuCommandLine
{
    /// <summary>The outcome of parsing: options to run with, or an exit status to return now.</summary>
    public readonly record struct Result(EmuOptions? Options, int ExitCode);

    static readonly ParserConfiguration ParserConfig = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    /// <summary>QEMU's <c>-d</c> items that emu knows of but does not implement yet.</summary>
    static readonly string[] UnimplementedLogItems =
    [
        "out_asm", "op", "op_opt", "op_ind", "op_plugin", "cpu", "fpu", "mmu",
        "page", "nochain", "plugin", "strace", "tid", "vpu",
        "invalid_mem",
    ];

    sealed class Definition
    {
        public readonly Option<string[]> Bios = Value("bios", "FILE", "BIOS ROM image (64 KiB to 2 MiB, a multiple of 4 KiB); default: the BIOS built into emu");
        public readonly Option<string[]> Cpu = Value("cpu", "MODEL", "the CPU model (-cpu help lists them; default pentiumpro)");
        public readonly Option<string[]> Memory = Value("m", "[size=]SIZE", "RAM size: MiB, or a number with suffix K, M or G (default 128M)");
        public readonly Option<string[]> DebugCon = Value("debugcon", "DEV", "debug console on port 0xE9 (see -global): file:PATH, stdio, null or none");
        public readonly Option<string[]> Global = Value("global", "DRIVER.PROP=VALUE", "a device property default; emu implements isa-debugcon.iobase (SeaBIOS logs to 0x402)");
        public readonly Option<string[]> Log = Value("d", "ITEM,...", "log items (-d help lists them)");
        public readonly Option<string[]> LogFile = Value("D", "FILE", "write the log to FILE instead of stderr");
        public readonly Option<string[]> LogFilter = Value("dfilter", "RANGE,...", "log only addresses in the ranges (START..END, START+LEN, START-LEN) for in_asm and exec");
        public readonly Option<string[]> Monitor = Value("monitor", "DEV", "the human monitor: stdio, tcp:[HOST]:PORT[,server][,nowait], vc (the SDL window's Ctrl+Alt+2, the default) or none");
        public readonly Option<string[]> Device = Value("device", "DRIVER[,PROP=VALUE...]", "add a device (-device help lists them)");
        public readonly Option<string[]> Serial = Value("serial", "DEV", "a serial port (COM1, then COM2... up to 4): stdio, file:PATH, tcp:[HOST]:PORT[,server][,nowait], vc (a text console of the SDL window, the default), null or none");
        public readonly Option<bool> NoGraphic = new("-nographic", "--nographic") { Arity = ArgumentArity.Zero, Description = "no display; COM1 and the monitor share stdio (Ctrl-A h lists the keys) unless -serial or -monitor say otherwise" };
        public readonly Option<string[]> Rtc = Value("rtc", "base=utc|localtime|DATETIME", "the RTC's starting time: utc (default), localtime, or a date such as 2006-06-17T16:01:21");
        public readonly Option<bool> NoReboot = new("-no-reboot", "--no-reboot") { Arity = ArgumentArity.Zero, Description = "exit instead of rebooting on a triple fault or reset" };
        public readonly Option<string[]> Gdb = Value("gdb", "tcp:[HOST]:PORT", "wait for a GDB connection on HOST:PORT (default host 127.0.0.1)");
        public readonly Option<bool> GdbDefault = new("-s") { Arity = ArgumentArity.Zero, Description = "shorthand for -gdb tcp::1234" };
        public readonly Option<bool> WaitForDebugger = new("-S") { Arity = ArgumentArity.Zero, Description = "do not start the CPU at startup (wait for the debugger's 'continue')" };
        public readonly Option<string[]> Kernel = Value("kernel", "IMAGE", "boot a Linux bzImage (the boot protocol's 32-bit entry) or a Multiboot kernel directly, without firmware");
        public readonly Option<string[]> Initrd = Value("initrd", "FILE", "initial ramdisk for -kernel; for a Multiboot kernel, its modules: \"FILE ARGS,FILE2...\"");
        public readonly Option<string[]> Append = Value("append", "CMDLINE", "kernel command line for -kernel");
        public readonly Option<string[]> Hda = Value("hda", "FILE", "IDE primary master hard disk image");
        public readonly Option<string[]> Hdb = Value("hdb", "FILE", "IDE primary slave hard disk image");
        public readonly Option<string[]> Hdc = Value("hdc", "FILE", "IDE secondary master hard disk image");
        public readonly Option<string[]> Hdd = Value("hdd", "FILE", "IDE secondary slave hard disk image");
        public readonly Option<string[]> CdRom = Value("cdrom", "FILE", "CD-ROM image (IDE secondary master, read-only)");
        public readonly Option<string[]> Fda = Value("fda", "FILE", "floppy image for drive A:");
        public readonly Option<string[]> Fdb = Value("fdb", "FILE", "floppy image for drive B:");
        public readonly Option<string[]> Drive = Value("drive", "file=FILE[,format=raw|qcow2][,if=ide|floppy][,index=N][,media=disk|cdrom][,readonly=on|off][,snapshot=on|off]", "add a drive");
        public readonly Option<string[]> Boot = Value("boot", "[order=]DRIVES[,once=DRIVES][,menu=on|off][,splash-time=MS]", "boot order: a floppy, c hard disk, d CD-ROM (default cad); menu=on offers the boot menu (ESC)");
        public readonly Option<bool> Snapshot = new("-snapshot", "--snapshot") { Arity = ArgumentArity.Zero, Description = "write to temporary overlays; the disk images are not changed" };
        public readonly Option<string[]> LoadVm = Value("loadvm", "TAG", "start from the snapshot TAG (as the monitor's loadvm)");
        public readonly Option<string[]> Display = Value("display", "sdl|curses|none", "the display: an SDL window, the text console in this terminal, or none (default: SDL when there is a graphical display, else the terminal, else none)");
        public readonly Option<string[]> Name = Value("name", "NAME", "the guest's name, shown in the window title");
        public readonly Option<bool> FullScreen = new("-full-screen", "--full-screen") { Arity = ArgumentArity.Zero, Description = "start the window in full screen (Ctrl+Alt+F toggles)" };
        public readonly Option<string[]> ScreenDump = Value("screendump", "FILE", "save the screen as PNG to FILE when emu exits");
        public readonly Command Root = new("emu", "emu: a PC emulator with QEMU's command line");

        public Definition()
        {
            Root.Options.Add(new HelpOption("--help", "-h", "-help"));
            Root.Options.Add(new VersionOption("--version", "-version") { Action = new PrintVersion() });
            foreach (var o in new Option[] { Bios, Cpu, Memory, DebugCon, Global, Serial, NoGraphic, Log, LogFile, LogFilter, Monitor, Device, Rtc, NoReboot,
                         Hda, Hdb, Hdc, Hdd, CdRom, Fda, Fdb, Drive, Boot, Snapshot, LoadVm, Kernel, Initrd, Append, Gdb, GdbDefault, WaitForDebugger, Display, Name, FullScreen, ScreenDump }) Root.Options.Add(o);
        }

        /// <summary>An option taking one value per occurrence, allowed several times.</summary>
        static Option<string[]> Value(string name, string helpName, string description) =>
            new("-" + name, "--" + name)
            {
                HelpName = helpName,
                Description = description,
                Arity = ArgumentArity.OneOrMore,
                AllowMultipleArgumentsPerToken = false,
            };
    }

    sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(VersionText);
            return 0;
        }
    }

    /// <summary><c>emu version X.Y.Z</c>, from the assembly version.</summary>
    public static string VersionText
    {
        get
        {
            string v = typeof(EmuCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
            int plus = v.IndexOf('+');
            return $"emu version {(plus < 0 ? v : v[..plus])}";
        }
    }

    /// <summary>
    /// Parses <paramref name="args"/>. Help, version and listings (<c>-d help</c>) go to
    /// <paramref name="stdout"/> with status 0; errors go to <paramref name="stderr"/> as one line with status 1.
    /// </summary>
    public static Result Parse(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var def = new Definition();
        var parsed = def.Root.Parse(args, ParserConfig);
        if (parsed.Action is not null and not ParseErrorAction)
            return new(null, parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr }));
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"emu: {DescribeError(parsed)}");
            return new(null, 1);
        }
        try
        {
            return new(ToOptions(def, parsed), 0);
        }
        catch (EmuError e)
        {
            stderr.WriteLine($"emu: {e.Message}");
            return new(null, 1);
        }
        catch (CommandLineInfo info)
        {
            stdout.Write(info.Text);
            return new(null, 0);
        }
    }

    static string DescribeError(ParseResult parsed)
    {
        foreach (string token in parsed.UnmatchedTokens)
            return token.StartsWith('-')
                ? $"{token}: invalid option"
                : $"'{token}': unexpected argument (disk images are given with -hda, -cdrom, -fda or -drive)";
        var error = parsed.Errors[0];
        var option = error.SymbolResult as OptionResult ?? (error.SymbolResult as ArgumentResult)?.Parent as OptionResult;
        if (option != null && option.Tokens.Count == 0)
            return $"{option.IdentifierToken?.Value ?? option.Option.Name}: requires an argument";
        return error.Message.TrimEnd('.');
    }

    static EmuOptions ToOptions(Definition def, ParseResult parsed)
    {
        string? memory = Last(parsed, def.Memory);
        string? debugCon = Last(parsed, def.DebugCon);
        string? log = Last(parsed, def.Log);
        bool noGraphic = parsed.GetValue(def.NoGraphic);
        var debugConDevice = debugCon == null ? null : ParseChardev("-debugcon", debugCon);
        if (debugConDevice?.Kind == ChardevKind.Tcp)
            throw new EmuError($"-debugcon {debugCon}: character device 'tcp' is not supported for -debugcon yet (use file:PATH, stdio, null or none)");
        string? monitorText = Last(parsed, def.Monitor);
        var serials = ParseSerials(parsed.GetValue(def.Serial), noGraphic, muxMonitor: monitorText == null);
        if (debugConDevice?.Kind == ChardevKind.Stdio && serials.Any(s => s.Kind == ChardevKind.Stdio))
            throw new EmuError("cannot use stdio by multiple character devices");
        var monitor = monitorText is { } m ? ParseMonitor(m) : null;
        if (monitor != null && serials.Any(s => s.Mux))
            throw new EmuError("-serial mon:stdio: the monitor is already given by -monitor");
        // QEMU's default_monitor: cleared by -monitor and by a mon: serial; -nographic puts it on stdio (above).
        if (monitorText == null && !noGraphic && !serials.Any(s => s.Mux)) monitor = new ChardevOptions(ChardevKind.Vc);
        if (monitor?.Kind == ChardevKind.Stdio && (debugConDevice?.Kind == ChardevKind.Stdio || serials.Any(s => s.Kind == ChardevKind.Stdio)))
            throw new EmuError("cannot use stdio by multiple character devices (emu cannot share stdio between the monitor and a serial port yet)");
        string? kernel = Last(parsed, def.Kernel), initrd = Last(parsed, def.Initrd), append = Last(parsed, def.Append);
        if (kernel == null && initrd != null) throw new EmuError("-initrd only allowed with -kernel option");
        if (kernel == null && append != null) throw new EmuError("-append only allowed with -kernel option");
        var drives = ParseDrives(def, parsed);
        string? bootOrder = Last(parsed, def.Boot);
        ushort debugConPort = DebugConsole.DefaultPort;
        foreach (string global in parsed.GetValue(def.Global) ?? [])
            debugConPort = ParseGlobal(global);
        var boot = Last(parsed, def.Boot) is { } bootText ? DriveParser.ParseBootOptions(bootText) : (Order: EmuOptions.DefaultBootOrder, Menu: false, SplashTimeMs: (int?)null);
        return new EmuOptions
        {
            KernelPath = kernel,
            InitrdPath = initrd,
            KernelCommandLine = append ?? "",
            BiosPath = Last(parsed, def.Bios),
            MemorySize = memory == null ? EmuOptions.DefaultMemorySize : ParseMemory(memory),
            CpuModel = Last(parsed, def.Cpu) is { } cpu ? ParseCpu(cpu) : Emulator.Core.Cpu.CpuModel.PentiumPro,
            DebugCon = debugConDevice,
            DebugConPort = debugConPort,
            Serials = serials,
            NoGraphic = noGraphic,
            Log = log == null ? LogItems.None : ParseLogItems(log),
            LogFile = Last(parsed, def.LogFile),
            Devices = (parsed.GetValue(def.Device) ?? []).Select(DeviceCatalog.Parse).ToArray(),
            NoReboot = parsed.GetValue(def.NoReboot),
            RtcBase = Last(parsed, def.Rtc) is { } rtc ? ParseRtc(rtc) : null,
            Drives = drives,
            BootOrder = boot.Order,
            BootMenu = boot.Menu,
            BootMenuWaitMs = boot.SplashTimeMs,
            DemoDisk = drives.Count == 0 && kernel == null && bootOrder == null,
            Snapshot = parsed.GetValue(def.Snapshot),
            LoadVm = Last(parsed, def.LoadVm),
            Gdb = Last(parsed, def.Gdb) is { } gdb ? ParseGdb(gdb) : parsed.GetValue(def.GdbDefault) ? new GdbEndpoint("", 1234) : null,
            WaitForDebugger = parsed.GetValue(def.WaitForDebugger),
            Monitor = monitor,
            LogFilter = Last(parsed, def.LogFilter) is { } filter ? ParseLogFilter(filter) : [],
            Display = Last(parsed, def.Display) is { } display ? ParseDisplay(display, noGraphic) : null,
            Name = Last(parsed, def.Name) is { } name ? ParseName(name) : null,
            FullScreen = parsed.GetValue(def.FullScreen),
            ScreenDumpPath = Last(parsed, def.ScreenDump),
        };
    }

    static IReadOnlyList<DriveOptions> ParseDrives(Definition def, ParseResult parsed)
    {
        var specs = new List<DriveParser.Spec>();
        foreach (var (option, name) in new[] { (def.Hda, "-hda"), (def.Hdb, "-hdb"), (def.Hdc, "-hdc"), (def.Hdd, "-hdd"), (def.CdRom, "-cdrom"), (def.Fda, "-fda"), (def.Fdb, "-fdb") })
            if (Last(parsed, option) is { } file) specs.Add(DriveParser.Shorthand(name, file));
        foreach (string text in parsed.GetValue(def.Drive) ?? []) specs.Add(DriveParser.Parse(text));
        return DriveParser.Place(specs);
    }

    /// <summary>
    /// Parses QEMU's <c>-rtc base=utc|localtime|DATETIME[,clock=host|rt|vm][,driftfix=none]</c> into the
    /// RTC's starting time (null: the host's UTC time at start). The RTC always advances with virtual
    /// time, which emu paces to the wall clock, so every <c>clock=</c> choice behaves alike.
    /// </summary>
    public static DateTime? ParseRtc(string text)
    {
        var opts = QemuOpts.Parse(text, null);
        DateTime? start = null;
        foreach (var (key, value) in opts.Items)
        {
            switch (key)
            {
                case "base":
                    if (value == "utc") start = null;
                    else if (value == "localtime") start = DateTime.SpecifyKind(DateTime.Now, DateTimeKind.Unspecified);
                    else if (DateTime.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"],
                                 System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                        start = date;
                    else throw new EmuError($"-rtc {text}: invalid date format '{value}' (use utc, localtime or YYYY-MM-DDTHH:MM:SS)");
                    break;
                case "clock":
                    if (value is not ("host" or "rt" or "vm")) throw new EmuError($"-rtc {text}: invalid clock '{value}' (host, rt or vm)");
                    break;
                case "driftfix":
                    if (value != "none") throw new EmuError($"-rtc {text}: driftfix '{value}' is not supported (none)");
                    break;
                default:
                    throw new EmuError($"-rtc {text}: invalid parameter '{key}'");
            }
        }
        return start;
    }

    /// <summary>
    /// Parses QEMU's <c>-global DRIVER.PROP=VALUE</c> (or <c>driver=D,property=P,value=V</c>), which
    /// sets a property's default for every device of that driver. The one emu implements is
    /// <c>isa-debugcon.iobase</c>, the port of the <c>-debugcon</c> console (SeaBIOS writes its log
    /// to 0x402: <c>-debugcon file:log -global isa-debugcon.iobase=0x402</c>); returns that port.
    /// </summary>
    public static ushort ParseGlobal(string text)
    {
        string driver, property, value;
        int dot = text.IndexOf('.');
        int eq = text.IndexOf('=');
        if (dot > 0 && eq > dot + 1)
        {
            driver = text[..dot];
            property = text[(dot + 1)..eq];
            value = text[(eq + 1)..];
        }
        else
        {
            var opts = QemuOpts.Parse(text, null);
            driver = opts.Get("driver") ?? "";
            property = opts.Get("property") ?? "";
            value = opts.Get("value") ?? "";
            if (driver.Length == 0 || property.Length == 0)
                throw new EmuError($"-global {text}: expected DRIVER.PROPERTY=VALUE or driver=D,property=P,value=V");
        }
        if (driver != "isa-debugcon" || property != "iobase")
            throw new EmuError($"-global {text}: '{driver}.{property}' is not supported (emu implements isa-debugcon.iobase)");
        if (!QemuSyntax.TryParseInteger(value, out ulong port) || port > uint.MaxValue)
            throw new EmuError($"-global {text}: iobase: '{value}' is not a valid uint32 value");
        if (port > 0xFFFF)
            throw new EmuError($"-global {text}: iobase 0x{port:x} is outside the I/O port space (0 to 0xffff)");
        return (ushort)port;
    }

    /// <summary>Parses <c>-display TYPE</c>: sdl, curses or none (QEMU's other displays are not implemented).</summary>
    public static DisplayKind ParseDisplay(string text, bool noGraphic)
    {
        var opts = QemuOpts.Parse(text, "type");
        string type = opts.Get("type") ?? "";
        foreach (var (key, _) in opts.Items)
            if (key != "type") throw new EmuError($"-display {text}: option '{key}' is not supported");
        var kind = type switch
        {
            "sdl" => DisplayKind.Sdl,
            "curses" => DisplayKind.Curses,
            "none" => DisplayKind.None,
            "gtk" or "vnc" or "cocoa" or "egl-headless" or "dbus" or "spice-app" or "default"
                => throw new EmuError($"-display {type}: not supported (emu has sdl, curses and none)"),
            _ => throw new EmuError($"-display {text}: unknown display type (sdl, curses or none)"),
        };
        if (noGraphic && kind != DisplayKind.None) throw new EmuError("-nographic cannot be used with -display " + type);
        return kind;
    }

    /// <summary>Parses <c>-name NAME</c> or <c>-name guest=NAME[,...]</c>.</summary>
    static string ParseName(string text)
    {
        var opts = QemuOpts.Parse(text, "guest");
        return opts.Get("guest") ?? text;
    }

    static string? Last(ParseResult parsed, Option<string[]> option) =>
        parsed.GetValue(option) is { Length: > 0 } values ? values[^1] : null;

    /// <summary>
    /// Parses QEMU's <c>-m [size=]SIZE</c>: a bare number is MiB; the result is rounded up
    /// to 8 KiB, as QEMU does. <c>slots</c> and <c>maxmem</c> (memory hotplug) are not supported.
    /// </summary>
    public static ulong ParseMemory(string text)
    {
        var opts = QemuOpts.Parse(text, "size");
        foreach (var (key, _) in opts.Items)
        {
            if (key is "slots" or "maxmem") throw new EmuError($"-m {text}: '{key}' is not supported yet");
            if (key != "size") throw new EmuError($"-m {text}: invalid parameter '{key}'");
        }
        string? size = opts.Get("size");
        if (string.IsNullOrEmpty(size)) throw new EmuError($"-m {text}: missing size");
        if (!QemuSyntax.TryParseSize(size, 'M', out ulong bytes))
            throw new EmuError($"-m {text}: invalid size '{size}' (a number of MiB, or a number with suffix K, M or G)");
        if (bytes == 0) throw new EmuError($"-m {text}: RAM size must not be zero");
        if (bytes > ulong.MaxValue - 8191) throw new EmuError($"-m {text}: RAM size too large");
        return (bytes + 8191) & ~8191UL;
    }

    /// <summary>The most serial ports a PC has (COM1-COM4; QEMU's MAX_ISA_SERIAL_PORTS).</summary>
    public const int MaxSerialPorts = 4;

    /// <summary>
    /// The serial ports from the <c>-serial</c> values in order, as QEMU: <c>none</c> adds no
    /// port (so <c>-serial none -serial stdio</c> puts stdio on COM1); with no <c>-serial</c>,
    /// COM1 is on vc (the SDL window's text console, or null without one), or under
    /// <c>-nographic</c> on <c>mon:stdio</c> (shared with the monitor),
    /// or on plain stdio when <c>-monitor</c> puts the monitor elsewhere.
    /// </summary>
    static ChardevOptions[] ParseSerials(string[]? values, bool noGraphic, bool muxMonitor)
    {
        if (values is not { Length: > 0 })
            return [noGraphic ? new ChardevOptions(ChardevKind.Stdio, Mux: muxMonitor) : new ChardevOptions(ChardevKind.Vc)];
        var ports = new List<ChardevOptions>();
        foreach (string value in values)
        {
            if (ParseChardev("-serial", value) is not { } port) continue;
            if (ports.Count == MaxSerialPorts) throw new EmuError($"-serial {value}: too many serial ports (at most {MaxSerialPorts})");
            if (port.Kind == ChardevKind.Stdio && ports.Any(p => p.Kind == ChardevKind.Stdio))
                throw new EmuError("cannot use stdio by multiple character devices");
            ports.Add(port);
        }
        return ports.ToArray();
    }

    /// <summary>Parses a character device for <paramref name="option"/>; <c>none</c> gives null (no device).</summary>
    public static ChardevOptions? ParseChardev(string option, string text)
    {
        switch (text)
        {
            case "none": return null;
            case "null": return new ChardevOptions(ChardevKind.Null);
            case "stdio": return new ChardevOptions(ChardevKind.Stdio);
            case "mon:stdio" when option == "-serial": return new ChardevOptions(ChardevKind.Stdio, Mux: true);
            case "vc" when option is "-serial" or "-monitor": return new ChardevOptions(ChardevKind.Vc);
        }
        if (text.StartsWith("file:", StringComparison.Ordinal))
        {
            if (text.Length == 5) throw new EmuError($"{option} {text}: missing file name");
            return new ChardevOptions(ChardevKind.File, text[5..]);
        }
        if (text.StartsWith("tcp:", StringComparison.Ordinal))
            return new ChardevOptions(ChardevKind.Tcp, Tcp: ParseTcp(option, text));
        int colon = text.IndexOf(':');
        string backend = colon < 0 ? text : text[..colon];
        string choices = option switch
        {
            "-serial" => "file:PATH, stdio, tcp:HOST:PORT, vc, null or none",
            "-monitor" => "stdio, tcp:HOST:PORT, vc or none",
            _ => "file:PATH, stdio, null or none",
        };
        throw new EmuError($"{option} {text}: character device '{backend}' is not supported yet (use {choices})");
    }

    /// <summary>Parses <c>tcp:[HOST]:PORT[,server[=on|off]][,wait=on|off][,nowait][,nodelay[=on|off]]</c>.</summary>
    static TcpChardev ParseTcp(string option, string text)
    {
        var opts = QemuOpts.Parse(text[4..], "addr");
        string addr = opts.Get("addr") ?? "";
        int colon = addr.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(addr.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new EmuError($"{option} {text}: a TCP address is HOST:PORT with a port from 0 to 65535");
        string host = addr[..colon].Trim('[', ']');
        bool server = false, wait = true;
        foreach (var (key, value) in opts.Items)
        {
            switch (key)
            {
                case "addr": break;
                case "server": server = OnOff(option, text, key, value); break;
                case "wait": wait = OnOff(option, text, key, value); break;
                case "nowait": wait = !OnOff(option, text, key, value); break;
                case "nodelay": OnOff(option, text, key, value); break;   // emu always sets TCP_NODELAY
                default: throw new EmuError($"{option} {text}: TCP option '{key}' is not supported (emu implements server, wait, nowait, nodelay)");
            }
        }
        return new TcpChardev(host, port, server, server && wait);
    }

    static bool OnOff(string option, string text, string key, string value) => value switch
    {
        "on" or "yes" or "true" => true,
        "off" or "no" or "false" => false,
        _ => throw new EmuError($"{option} {text}: '{key}' takes on or off, not '{value}'"),
    };

    /// <summary>
    /// Parses QEMU's <c>-gdb DEV</c>: <c>tcp:[HOST]:PORT</c> (a server in any case, as QEMU makes
    /// it), a bare port number (QEMU reads <c>-gdb 1234</c> as <c>tcp::1234</c>), or <c>none</c>.
    /// </summary>
    public static GdbEndpoint? ParseGdb(string text)
    {
        if (text == "none") return null;
        string spec = text.Length > 0 && text.All(char.IsAsciiDigit) ? "tcp::" + text : text;
        if (!spec.StartsWith("tcp:", StringComparison.Ordinal))
            throw new EmuError($"-gdb {text}: only tcp:[HOST]:PORT is supported");
        var tcp = ParseTcp("-gdb", spec);
        return new GdbEndpoint(tcp.Host, tcp.Port);
    }

    /// <summary>Parses <c>-monitor DEV</c>: stdio, tcp:..., or none/null (no monitor).</summary>
    public static ChardevOptions? ParseMonitor(string text)
    {
        if (text.StartsWith("file:", StringComparison.Ordinal))
            throw new EmuError($"-monitor {text}: a monitor needs input (use stdio, tcp:HOST:PORT,server,nowait or none)");
        var dev = ParseChardev("-monitor", text);
        return dev?.Kind == ChardevKind.Null ? null : dev;
    }

    /// <summary>
    /// Parses QEMU's <c>-dfilter RANGE,...</c>: <c>START..END</c> (END included), <c>START+LEN</c>
    /// and <c>START-LEN</c> (LEN bytes ending at START), numbers in C syntax (0x hex, 0 octal, decimal).
    /// </summary>
    public static (ulong First, ulong Last)[] ParseLogFilter(string text)
    {
        var ranges = new List<(ulong, ulong)>();
        foreach (string item in text.Split(','))
        {
            int dots = item.IndexOf("..", StringComparison.Ordinal);
            int op = dots >= 0 ? dots : item.IndexOfAny(['+', '-'], 1);
            if (op <= 0) throw new EmuError($"-dfilter {text}: range '{item}' needs START..END, START+LEN or START-LEN");
            string rhs = item[(op + (dots >= 0 ? 2 : 1))..];
            if (!TryParseCNumber(item[..op], out ulong a) || !TryParseCNumber(rhs, out ulong b))
                throw new EmuError($"-dfilter {text}: invalid number in '{item}'");
            if (dots >= 0)
            {
                if (b < a) throw new EmuError($"-dfilter {text}: '{item}' ends before it starts");
                ranges.Add((a, b));
            }
            else if (b == 0) throw new EmuError($"-dfilter {text}: '{item}' has length 0");
            else if (item[op] == '+') ranges.Add((a, a + b - 1));
            else ranges.Add((a - b + 1, a));
        }
        return ranges.ToArray();
    }

    static bool TryParseCNumber(string s, out ulong value)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return ulong.TryParse(s.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier, inv, out value) && s.Length > 2;
        if (s.Length > 1 && s[0] == '0')
        {
            value = 0;
            foreach (char c in s[1..])
            {
                if (c is < '0' or > '7' || value > (ulong.MaxValue >> 3)) return false;
                value = value * 8 + (ulong)(c - '0');
            }
            return true;
        }
        return ulong.TryParse(s, System.Globalization.NumberStyles.None, inv, out value);
    }

    /// <summary>Parses <c>-cpu MODEL</c>; <c>help</c> lists the models. QEMU's <c>+feature</c>/<c>-feature</c> suffixes are not taken.</summary>
    public static Emulator.Core.Cpu.CpuModel ParseCpu(string text)
    {
        if (text is "help" or "?")
            throw new CommandLineInfo("Available CPUs:\n" + string.Concat(Emulator.Core.Cpu.CpuModel.All.Select(m => $"  {m.Name,-12}({m.BrandString})\n")));
        if (text.Contains(','))
            throw new EmuError($"-cpu {text}: CPU features (MODEL,+FEATURE) are not supported yet; give a model name (see -cpu help)");
        return Emulator.Core.Cpu.CpuModel.Find(text)
            ?? throw new EmuError($"-cpu {text}: unable to find CPU model '{text}' (emu has: {string.Join(", ", Emulator.Core.Cpu.CpuModel.All.Select(m => m.Name))})");
    }

    /// <summary>Parses QEMU's <c>-d ITEM,ITEM,...</c>.</summary>
    public static LogItems ParseLogItems(string text)
    {
        var items = LogItems.None;
        foreach (string item in text.Split(','))
        {
            if (item is "help" or "?")
                throw new CommandLineInfo("Log items (comma separated):\n" +
                    "in_asm     show target assembly code for each compiled TB\n" +
                    "int        show interrupts/exceptions in short format\n" +
                    "exec       show trace before each executed TB (lots of logs)\n" +
                    "cpu_reset  show CPU state before CPU resets\n" +
                    "pcall      show protected mode far calls/returns/exceptions: gates, task switches, privilege changes\n" +
                    "guest_errors log when the guest OS does something invalid (eg accessing a non-existent register)\n" +
                    "unimp      log unimplemented functionality\n" +
                    "post       POST codes written to port 0x80, as lines \"POST xx\"\n");
            var known = item switch
            {
                "post" => LogItems.Post, "in_asm" => LogItems.InAsm, "int" => LogItems.Int,
                "cpu_reset" => LogItems.CpuReset, "exec" => LogItems.Exec, "pcall" => LogItems.Pcall,
                "guest_errors" => LogItems.GuestErrors, "unimp" => LogItems.Unimp, _ => LogItems.None,
            };
            if (known != LogItems.None) { items |= known; continue; }
            if (item.Length == 0) throw new EmuError($"-d {text}: empty log item");
            if (UnimplementedLogItems.Contains(item) || item.StartsWith("trace:", StringComparison.Ordinal))
                throw new EmuError($"-d {item}: log item not supported yet (emu implements: in_asm, int, exec, cpu_reset, pcall, guest_errors, unimp, post)");
            throw new EmuError($"-d {item}: unknown log item (see -d help)");
        }
        return items;
    }
}
