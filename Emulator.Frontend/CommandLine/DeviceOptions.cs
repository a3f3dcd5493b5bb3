using Emulator.Devices.Debug;

namespace Emulator.Frontend.CommandLine;

/// <summary>One <c>-device DRIVER,key=value,...</c>, with its properties checked and converted.</summary>
internal abstract record DeviceOptions(string Driver);

/// <summary><c>-device isa-debug-exit[,iobase=N][,iosize=N]</c> (QEMU defaults 0x501 and 2).</summary>
internal sealed record IsaDebugExitOptions(ushort IoBase, int IoSize) : DeviceOptions(Name)
{
    public const string Name = "isa-debug-exit";

    public static IsaDebugExitOptions Default => new(IsaDebugExit.DefaultIoBase, IsaDebugExit.DefaultIoSize);
}

/// <summary>
/// The devices <c>-device</c> can add, with their properties; turns a parsed option string
/// into a <see cref="DeviceOptions"/> or an error worded like QEMU's.
/// </summary>
internal static class DeviceCatalog
{
    static readonly (string Driver, string Description, (string Name, string Help)[] Properties)[] Drivers =
    [
        (IsaDebugExitOptions.Name, "ISA port whose writes end the emulator with status (value << 1) | 1",
            [("iobase", "uint32 (default: 0x501)"), ("iosize", "uint32 (default: 2)")]),
    ];

    /// <summary>The text <c>-device help</c> prints.</summary>
    public static string DeviceListText()
    {
        var sb = new System.Text.StringBuilder("Devices:\n");
        foreach (var d in Drivers) sb.Append($"name \"{d.Driver}\", bus ISA, desc \"{d.Description}\"\n");
        return sb.ToString();
    }

    /// <summary>Parses the value of one <c>-device</c> option.</summary>
    /// <exception cref="EmuError">Unknown driver or property, or a bad value.</exception>
    /// <exception cref="CommandLineInfo">The value asked for a listing (<c>help</c>).</exception>
    public static DeviceOptions Parse(string text)
    {
        var opts = QemuOpts.Parse(text, "driver");
        string? driver = opts.Get("driver");
        if (driver is "help" or "?") throw new CommandLineInfo(DeviceListText());
        if (string.IsNullOrEmpty(driver)) throw new EmuError($"-device {text}: parameter 'driver' is missing");
        int index = Array.FindIndex(Drivers, d => d.Driver == driver);
        if (index < 0) throw new EmuError($"-device {text}: '{driver}' is not a valid device model name (see -device help)");
        var entry = Drivers[index];
        if (opts.WantsHelp("driver"))
        {
            var sb = new System.Text.StringBuilder($"{driver} options:\n");
            foreach (var (name, help) in entry.Properties) sb.Append($"  {name}=<{help}>\n");
            throw new CommandLineInfo(sb.ToString());
        }
        foreach (var (key, _) in opts.Items)
            if (key != "driver" && !entry.Properties.Any(p => p.Name == key))
                throw new EmuError($"-device {text}: property '{driver}.{key}' not found");
        return driver switch
        {
            IsaDebugExitOptions.Name => ParseIsaDebugExit(text, opts),
            _ => throw new InvalidOperationException($"driver {driver} listed but not handled"),
        };
    }

    static IsaDebugExitOptions ParseIsaDebugExit(string text, QemuOpts opts)
    {
        ulong iobase = Integer(text, opts, "iobase", IsaDebugExitOptions.Default.IoBase);
        ulong iosize = Integer(text, opts, "iosize", (ulong)IsaDebugExitOptions.Default.IoSize);
        if (iobase > 0xFFFF)
            throw new EmuError($"-device {text}: iobase 0x{iobase:x} is outside the I/O port space (0 to 0xffff)");
        if (iosize == 0 || iobase + iosize > 0x10000)
            throw new EmuError($"-device {text}: iosize 0x{iosize:x} must be at least 1 and end within the I/O port space");
        return new IsaDebugExitOptions((ushort)iobase, (int)iosize);
    }

    static ulong Integer(string text, QemuOpts opts, string key, ulong fallback)
    {
        string? s = opts.Get(key);
        if (s == null) return fallback;
        if (!QemuSyntax.TryParseInteger(s, out ulong v) || v > uint.MaxValue)
            throw new EmuError($"-device {text}: {key}: '{s}' is not a valid uint32 value");
        return v;
    }
}
