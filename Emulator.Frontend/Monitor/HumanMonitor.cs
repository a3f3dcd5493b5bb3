using System.Globalization;
using System.Text;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Interrupts;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Ide;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Debugging;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// QEMU's human monitor (HMP): parses a command line and runs it against the board, on the
/// machine thread, returning the text QEMU would print. Also serves GDB's <c>monitor</c>
/// command (<see cref="IMonitorCommands"/>). Every bad input is answered with one error
/// line; nothing here throws to the caller.
/// </summary>
/// <remarks>
/// Commands: help, info (registers, mem, tlb, pic, irq, block, status, version), x, xp, stop,
/// cont/c, system_reset, system_powerdown, sendkey, change, eject, screendump, savevm, loadvm,
/// delvm, info snapshots (<see cref="VmSnapshots"/>), quit/q.
/// </remarks>
internal sealed class HumanMonitor : IMonitorCommands
{
    readonly PcBoard board;
    readonly MonitorQueue control;
    readonly Func<string, IBlockImage> openImage;
    readonly MemoryDump dump = new();
    readonly Dictionary<string, string> driveFiles = new(StringComparer.Ordinal);
    readonly long[] irqCounts = new long[PcBoard.IsaIrqCount];
    readonly VmSnapshots snapshots;

    /// <param name="openImage">Opens a medium for <c>change</c> (read-only); throws <see cref="MonitorError"/> with the reason.</param>
    public HumanMonitor(PcBoard board, MonitorQueue control, Func<string, IBlockImage> openImage)
    {
        this.board = board;
        this.control = control;
        this.openImage = openImage;
        snapshots = new VmSnapshots(board);
        // info irq: count the ISA interrupts the CPU takes from the 8259 pair (delivery is off the hot path).
        board.Machine.Cpu.InterruptDelivering += CountIrq;
    }

    /// <summary>The screen <c>screendump</c> saves; null until the display session gives it.</summary>
    public Display.FrameSource? Screen { get; set; }

    /// <summary>Records the host file behind a drive, for <c>info block</c>.</summary>
    public void SetDriveFile(string device, string path) => driveFiles[device] = path;

    sealed record Command(string Name, string Args, string Help);

    static readonly Command[] Commands =
    [
        new("c|cont", "", "resume emulation"),
        new("change", "device filename [format]", "change a removable medium"),
        new("eject", "[-f] device", "eject a removable medium (use -f to force it)"),
        new("help|?", "[cmd]", "show the help"),
        new("delvm", "tag", "delete a VM snapshot from its tag"),
        new("info", "[subcommand]", "show various information about the system state"),
        new("loadvm", "tag", "restore a VM snapshot from its tag"),
        new("q|quit", "", "quit the emulator"),
        new("savevm", "[tag]", "save a VM snapshot. If no tag is provided, a new snapshot is created"),
        new("screendump", "filename [-f format]", "save screen from the VGA as an image (png)"),
        new("sendkey", "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey ctrl-alt-f1', default hold time=100 ms)"),
        new("stop", "", "stop emulation"),
        new("system_powerdown", "", "send system power down event"),
        new("system_reset", "", "reset the system"),
        new("x", "/fmt addr", "virtual memory dump starting at 'addr'"),
        new("xp", "/fmt addr", "physical memory dump starting at 'addr'"),
    ];

    static readonly Command[] InfoCommands =
    [
        new("block", "", "show info of one block device or all block devices"),
        new("irq", "", "show the interrupts statistics (if available)"),
        new("mem", "", "show the active virtual memory mappings"),
        new("pic", "", "show PIC state"),
        new("registers", "", "show the cpu registers"),
        new("snapshots", "", "show the currently saved VM snapshots"),
        new("status", "", "show the current VM status (running|paused)"),
        new("tlb", "", "show virtual to physical memory mappings"),
        new("version", "", "show the version of QEMU"),
    ];

    /// <summary>Runs one command line; returns its output (empty for silent commands).</summary>
    public string Execute(string line)
    {
        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        try
        {
            return Dispatch(words);
        }
        catch (MonitorError e)
        {
            return e.Message + "\n";
        }
    }

    string? IMonitorCommands.Execute(Machine machine, string command) => Execute(command);

    string Dispatch(string[] w)
    {
        string cmd = w[0];
        // x/4xw: the format is glued to the command name.
        string? fmt = null;
        int slash = cmd.IndexOf('/');
        if (slash > 0) { fmt = cmd[(slash + 1)..]; cmd = cmd[..slash]; }
        switch (cmd)
        {
            case "help" or "?": return Help(w.Length > 1 ? w[1] : null);
            case "info": return Info(w);
            case "x" or "xp":
                if (w.Length < 2) throw new MonitorError($"{cmd}: missing address");
                if (w.Length > 2) throw new MonitorError($"{cmd}: too many arguments");
                return dump.Dump(board.Machine, fmt, ParseAddress(w[1]), cmd == "xp");
            case "stop": NoArgs(w); control.Paused = true; control.PauseReason = null; return "";
            case "c" or "cont": NoArgs(w); control.Paused = false; control.PauseReason = null; return "";
            case "q" or "quit": NoArgs(w); control.QuitRequested = true; return "";
            case "system_reset": NoArgs(w); board.Machine.Reset(); return "";
            case "system_powerdown": NoArgs(w); board.Acpi.PressPowerButton(); return "";
            case "sendkey": return SendKey(w);
            case "screendump": return ScreenDumpCommand(w);
            case "change": return Change(w);
            case "eject": return Eject(w);
            case "savevm":
                if (w.Length > 2) throw new MonitorError("savevm: too many arguments");
                snapshots.Save(w.Length == 2 ? w[1] : null);
                return "";
            case "loadvm" or "delvm":
                if (w.Length != 2) throw new MonitorError($"{cmd}: usage: {cmd} tag");
                if (cmd == "loadvm") snapshots.Load(w[1]);
                else snapshots.Delete(w[1]);
                return "";
            default: throw new MonitorError($"unknown command: '{cmd}'");
        }
    }

    static void NoArgs(string[] w)
    {
        if (w.Length > 1) throw new MonitorError($"{w[0]}: too many arguments");
    }

    string Help(string? topic)
    {
        var sb = new StringBuilder();
        if (topic == "info")
        {
            foreach (var c in InfoCommands) sb.Append($"info {c.Name} {c.Args} -- {c.Help}\n".Replace("  --", " --"));
            return sb.ToString();
        }
        foreach (var c in Commands)
        {
            if (topic != null && !c.Name.Split('|').Contains(topic)) continue;
            sb.Append((c.Args.Length == 0 ? $"{c.Name} -- {c.Help}" : $"{c.Name} {c.Args} -- {c.Help}") + "\n");
        }
        if (sb.Length == 0) throw new MonitorError($"unknown command: '{topic}'");
        return sb.ToString();
    }

    /// <summary>
    /// What Tab can complete the last word of <paramref name="textBeforeCursor"/> to, sorted: command
    /// names for the first word, <c>info</c>'s subcommands after <c>info</c>, command names after
    /// <c>help</c> (QEMU's readline completes these from the same tables; arguments are not completed here).
    /// </summary>
    public static IReadOnlyList<string> Completions(string textBeforeCursor)
    {
        var words = textBeforeCursor.Split([' ', '\t']);
        string word = words[^1];
        string[] before = words[..^1].Where(x => x.Length > 0).ToArray();
        IEnumerable<Command> table = before.Length switch
        {
            0 => Commands,
            1 when before[0] == "info" => InfoCommands,
            1 when before[0] is "help" or "?" => Commands,
            _ => [],
        };
        return table.SelectMany(c => c.Name.Split('|')).Where(n => n.StartsWith(word, StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToArray();
    }

    string Info(string[] w)
    {
        if (w.Length == 1) return Help("info");
        if (w.Length > 2) throw new MonitorError($"info {w[1]}: too many arguments");
        var machine = board.Machine;
        return w[1] switch
        {
            "registers" or "r" => CpuStateDump.Format(machine),
            "mem" => PageTableDump.Mem(machine),
            "tlb" => PageTableDump.Tlb(machine),
            "pic" => PicInfo(),
            "irq" => IrqInfo(),
            "block" => BlockInfo(),
            "snapshots" => snapshots.Info(),
            "status" => "VM status: " + (control.Paused ? "paused" + (control.PauseReason is { } r ? $" ({r})" : "") : "running") + "\n",
            "version" => EmuCommandLine.VersionText["emu version ".Length..] + "\n",
            _ => throw new MonitorError($"unknown info subcommand: '{w[1]}' (see 'help info')"),
        };
    }

    string PicInfo()
    {
        var sb = new StringBuilder();
        Pic(sb, 0, board.Pic.Master);
        Pic(sb, 1, board.Pic.Slave);
        return sb.ToString();
    }

    // QEMU's pic_print_info line.
    static void Pic(StringBuilder sb, int n, Pic8259 p) =>
        sb.Append($"pic{n}: irr={p.Irr:x2} imr={p.Imr:x2} isr={p.Isr:x2} hprio={p.HighestPriority} irq_base={p.VectorBase:x2} ")
          .Append($"rr_sel={(p.ReadsIsr ? 1 : 0)} elcr={p.Elcr:x2} fnm={(p.FullyNested ? 1 : 0)}\n");

    void CountIrq(Cpu cpu, InterruptEvent e)
    {
        if (!e.External) return;
        int masterBase = board.Pic.Master.VectorBase, slaveBase = board.Pic.Slave.VectorBase;
        if (e.Vector >= masterBase && e.Vector < masterBase + 8) irqCounts[e.Vector - masterBase]++;
        else if (e.Vector >= slaveBase && e.Vector < slaveBase + 8) irqCounts[8 + e.Vector - slaveBase]++;
    }

    string IrqInfo()
    {
        var sb = new StringBuilder("IRQ statistics for isa-i8259:\n");
        for (int i = 0; i < irqCounts.Length; i++)
            if (irqCounts[i] != 0) sb.Append($"{i,2}: {irqCounts[i]}\n");
        return sb.ToString();
    }

    /// <summary>The IDE drives by QEMU's names: ide0-hd0 (primary master) ... ide1-cd0 (secondary master).</summary>
    IEnumerable<(string Name, IdeDevice Device)> Drives()
    {
        for (int c = 0; c < 2; c++)
            for (int u = 0; u < 2; u++)
                if (board.Ide.Channel(c).Device(u) is { } d)
                    yield return ($"ide{c}-{(d.IsAtapi ? "cd" : "hd")}{u}", d);
    }

    string BlockInfo()
    {
        var sb = new StringBuilder();
        foreach (var (name, device) in Drives())
        {
            bool inserted = device is not AtapiCdRom cd || cd.HasMedia;
            if (!inserted) sb.Append($"{name}: [not inserted]\n");
            else
            {
                string file = driveFiles.TryGetValue(name, out var f) ? f : "[image]";
                sb.Append($"{name}: {file} (raw{(device.IsAtapi ? ", read-only" : "")})\n");
            }
            if (device is AtapiCdRom drive)
                sb.Append($"    Removable device: {(drive.Locked ? "locked" : "not locked")}, tray {(drive.HasMedia ? "closed" : "open")}\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    AtapiCdRom FindRemovable(string name)
    {
        foreach (var (n, d) in Drives())
        {
            if (n != name) continue;
            return d as AtapiCdRom ?? throw new MonitorError($"Device '{name}' is not removable");
        }
        throw new MonitorError($"Device '{name}' not found");
    }

    string Change(string[] w)
    {
        if (w.Length < 3) throw new MonitorError("change: usage: change device filename [format]");
        if (w.Length > 4) throw new MonitorError("change: too many arguments");
        if (w.Length == 4 && w[3] != "raw") throw new MonitorError($"change: format '{w[3]}' is not supported for removable media yet (raw)");
        var drive = FindRemovable(w[1]);
        if (drive.HasMedia && !drive.Eject())
            throw new MonitorError($"Device '{w[1]}' is locked and force was not specified, wait for tray to open and try again");
        drive.InsertMedia(openImage(w[2]));
        driveFiles[w[1]] = w[2];
        return "";
    }

    string Eject(string[] w)
    {
        bool force = w.Length > 1 && w[1] == "-f";
        int at = force ? 2 : 1;
        if (w.Length != at + 1) throw new MonitorError("eject: usage: eject [-f] device");
        var drive = FindRemovable(w[at]);
        if (!drive.Eject(force))
            throw new MonitorError($"Device '{w[at]}' is locked and force was not specified, wait for tray to open and try again");
        driveFiles.Remove(w[at]);
        return "";
    }

    /// <summary>
    /// QEMU's <c>screendump filename [-d device] [-f format]</c>, PNG only: QEMU's default is PPM,
    /// which emu does not write, so a missing <c>-f</c> means PNG here. Runs on the machine thread,
    /// so the picture is the VGA's state between two instructions.
    /// </summary>
    string ScreenDumpCommand(string[] w)
    {
        string? path = null;
        for (int i = 1; i < w.Length; i++)
        {
            if (w[i] is "-f" or "-d")
            {
                if (i + 1 == w.Length) throw new MonitorError($"screendump: {w[i]} needs a value");
                string value = w[++i];
                if (w[i - 1] == "-f" && value != "png")
                    throw new MonitorError($"screendump: format '{value}' is not supported (png)");
                if (w[i - 1] == "-d" && value != "vga")
                    throw new MonitorError($"screendump: Device '{value}' not found");
            }
            else if (path == null) path = w[i];
            else throw new MonitorError("screendump: too many arguments");
        }
        if (path == null) throw new MonitorError("screendump: missing filename");
        var screen = Screen ?? throw new MonitorError("screendump: no display device");
        try
        {
            Display.ScreenDump.Write(screen, path);
        }
        catch (EmuError e)
        {
            throw new MonitorError(e.Message);
        }
        return "";
    }

    string SendKey(string[] w)
    {
        if (w.Length < 2) throw new MonitorError("sendkey: missing keys");
        if (w.Length > 3) throw new MonitorError("sendkey: too many arguments");
        if (w.Length == 3 && !int.TryParse(w[2], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new MonitorError($"sendkey: invalid hold time '{w[2]}'");
        var keys = KeyNames.ParseCombination(w[1]);
        // Pressed in order, released in reverse, as QEMU's sendkey. The release follows at once
        // rather than after the hold time: the guest sees the same sequence of scan codes.
        foreach (var k in keys) board.Keyboard.KeyDown(k);
        for (int i = keys.Length - 1; i >= 0; i--) board.Keyboard.KeyUp(keys[i]);
        return "";
    }

    /// <summary>
    /// An address expression: terms joined by + and -, each a number (0x hex, otherwise
    /// decimal... as QEMU: a bare number is decimal unless prefixed) or a register ($eip, $pc,
    /// $esp...).
    /// </summary>
    ulong ParseAddress(string text)
    {
        ulong value = 0;
        int i = 0;
        bool negate = false;
        if (text.Length == 0) throw new MonitorError("invalid address");
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && text[i] != '+' && text[i] != '-') i++;
            ulong term = Term(text[start..i]);
            value = negate ? value - term : value + term;
            if (i < text.Length) { negate = text[i] == '-'; i++; if (i == text.Length) throw new MonitorError($"invalid address '{text}'"); }
        }
        return value;
    }

    ulong Term(string t)
    {
        var cpu = board.Machine.Cpu;
        if (t.StartsWith('$'))
        {
            string reg = t[1..].ToLowerInvariant();
            Gpr? g = reg switch
            {
                "eax" => Gpr.Rax, "ebx" => Gpr.Rbx, "ecx" => Gpr.Rcx, "edx" => Gpr.Rdx,
                "esi" => Gpr.Rsi, "edi" => Gpr.Rdi, "ebp" => Gpr.Rbp, "esp" => Gpr.Rsp, _ => null,
            };
            if (g is { } r) return cpu.GetGpr(r) & 0xFFFF_FFFF;
            return reg switch
            {
                "eip" => cpu.Rip & 0xFFFF_FFFF,
                // QEMU's $pc is the linear address of the next instruction: CS base + EIP.
                "pc" => cpu.LinearIp,
                "cr3" => cpu.Cr3, "cr2" => cpu.Cr2,
                _ => throw new MonitorError($"unknown register '{t}'"),
            };
        }
        bool ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok || t.Length == 0) throw new MonitorError($"invalid number '{t}'");
        return v;
    }
}
