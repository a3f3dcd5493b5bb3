using Emulator.Core.Cpu;
using Emulator.Core.Debugging;
using Emulator.Core.Diagnostics;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Firmware;
using Emulator.Devices.Firmware.Acpi;
using Emulator.Devices.Debug;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using System.Runtime.InteropServices;
using Emulator.Frontend.Serial;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Debugging;
using Emulator.Devices.Firmware.Multiboot;
using Emulator.Frontend.Monitor;
using Emulator.Frontend.Terminal;
using Emulator.Frontend.Trace;

namespace Emulator.Frontend;

/// <summary>
/// Builds the PC (<see cref="PcBoard"/>) from <see cref="EmuOptions"/>, runs it until it stops,
/// and turns the stop into emu's exit status. The runner only chooses what the options ask for
/// (the BIOS image, the POST log, <c>-debugcon</c>'s sink, <c>-device</c>); the board wires it.
/// </summary>
/// <remarks>
/// Exit statuses: isa-debug-exit's <c>(V &lt;&lt; 1) | 1</c>; 0 when, with <c>-no-reboot</c>,
/// the guest triple faults or asks for a reset (QEMU exits 0 then too); 0 with a message when
/// the CPU halts with nothing to wake it. QEMU would wait forever there; a machine with no
/// interrupt source can never continue, so emu says so and exits.
/// </remarks>
internal sealed class MachineRunner : IDisposable
{
    /// <summary>Instructions per call to <see cref="Machine.Run"/>; between calls the runner flushes output.</summary>
    const long Slice = 50_000_000;

    public const int MinBiosSize = 64 << 10;
    public const int MaxBiosSize = 2 << 20;
    const string EmbeddedBiosName = "bios/bios.bin";
    /// <summary>The VGA BIOS on the VGA's expansion ROM BAR, as QEMU's -vga std carries vgabios-stdvga.bin.</summary>
    const string EmbeddedVgaBiosName = "bios/vgabios.bin";
    /// <summary>The <c>-kernel</c> loader option ROM (bios/src/linuxboot.asm), QEMU's linuxboot_dma.bin.</summary>
    const string EmbeddedLinuxBootName = "bios/linuxboot.bin";
    /// <summary>The Multiboot <c>-kernel</c> loader option ROM (bios/src/multiboot.asm), QEMU's multiboot_dma.bin.</summary>
    const string EmbeddedMultibootName = "bios/multiboot.bin";

    readonly PcBoard board;
    readonly Machine machine;
    readonly ConsoleStreams console;
    readonly List<IDisposable> owned;
    readonly DebugConsole? debugConsole;
    readonly List<HostSerialBackend> serialBackends = new();
    GdbServer? gdbServer;
    bool waitForDebugger;
    MonitorQueue? monitorQueue;
    HumanMonitor? monitor;
    MonitorServer? monitorServer;
    MonitorServer? muxMonitorServer;
    System.IO.Pipes.AnonymousPipeServerStream? muxMonitorPipe;
    TextWriter? logFile;
    GuestLog? guestLog;
    volatile bool quitRequested, flushRequested;

    MachineRunner(PcBoard board, ConsoleStreams console, TextWriter log, List<IDisposable> owned, DebugConsole? debugConsole)
    {
        this.board = board;
        machine = board.Machine;
        this.console = console;
        this.owned = owned;
        this.debugConsole = debugConsole;
        machine.TripleFault += state =>
        {
            log.WriteLine("Triple fault");
            log.WriteLine(state);
        };
    }

    /// <summary>The machine, for tests and later for the monitor and debugger.</summary>
    public Machine Machine => machine;

    /// <summary>The board the machine was built on.</summary>
    public PcBoard Board => board;

    /// <summary>The IDE drives given to the board, by position (0 primary master .. 3 secondary slave).</summary>
    public IReadOnlyList<IdeDrive?> IdeDrives { get; private init; } = [];

    /// <summary>The floppy images given to the board (A:, B:).</summary>
    public IReadOnlyList<IBlockImage?> Floppies { get; private init; } = [];

    /// <summary>The GDB server of <c>-s</c>/<c>-gdb</c>, or null.</summary>
    public GdbServer? GdbServer => gdbServer;

    /// <summary>Gives the monitor's <c>screendump</c> the display session's screen.</summary>
    public void AttachScreen(Display.FrameSource frames)
    {
        if (monitor != null) monitor.Screen = frames;
    }

    /// <summary>The human monitor's <c>-monitor tcp:</c> server or stdio conversation, or null.</summary>
    public MonitorServer? MonitorServer => monitorServer;

    /// <summary>COM1, COM2... as <c>-serial</c> asked for them.</summary>
    public IReadOnlyList<Uart16550> SerialPorts => board.SerialPorts;

    /// <summary>
    /// Loads the BIOS, opens the output files, then creates and wires the machine; user
    /// errors (missing files, bad sizes) throw <see cref="EmuError"/>. Files are checked
    /// before the machine is built so those errors come first and cheaply.
    /// </summary>
    /// <param name="textConsoles">
    /// The SDL window's text consoles, when the display is SDL: <c>vc</c> serial ports and the
    /// <c>vc</c> monitor get theirs here. Null without the window: a <c>vc</c> serial port is then
    /// <c>null</c> and a <c>vc</c> monitor absent (QEMU has no vc without a graphical display).
    /// </param>
    public static MachineRunner Create(EmuOptions options, ConsoleStreams console, Display.TextConsoles? textConsoles = null)
    {
        byte[] bios = LoadBios(options.BiosPath);
        var owned = new List<IDisposable>();
        try
        {
            TextWriter log = console.Error;
            if (options.LogFile != null)
            {
                // Flushed after each slice and at exit: -d exec writes a line per block.
                var writer = new StreamWriter(OpenForWriting("-D", options.LogFile));
                owned.Add(writer);
                log = writer;
            }
            Stream? debugConFile = null;
            if (options.DebugCon is { Kind: ChardevKind.File, Path: { } path })
            {
                debugConFile = OpenForWriting("-debugcon", path);
                owned.Add(debugConFile);
            }
            var backends = new List<HostSerialBackend>();
            for (int index = 0; index < options.Serials.Count; index++)
            {
                var backend = OpenSerialBackend(options.Serials[index], console, textConsoles, index);
                owned.Add(backend);
                backends.Add(backend);
            }
            var drives = OpenDrives(options, owned);
            var debugConsole = CreateDebugConsole(options, console, debugConFile);
            var board = CreateBoard(options, bios, debugConsole,
                options.Log.HasFlag(LogItems.Post) ? code => log.WriteLine(PostCodePort.FormatLine(code)) : null, backends, drives);
            if (options.KernelPath != null) AttachDirectKernelBoot(board, options);
            var runner = new MachineRunner(board, console, log, owned, debugConsole) { IdeDrives = drives.Ide, Floppies = drives.Floppies };
            if (options.LogFile != null) runner.logFile = log;
            runner.loadVm = options.LoadVm;
            runner.serialBackends.AddRange(backends);
            foreach (var backend in backends) backend.InputArrived = runner.machine.Wake;
            var monitorDevice = options.Monitor is { Kind: ChardevKind.Vc } && textConsoles == null ? null : options.Monitor;
            if (options.WaitForDebugger && options.Gdb == null && monitorDevice == null)
                throw new EmuError("-S: nothing could start the CPU (use it with -s, -gdb or -monitor)");
            if ((options.Log & (LogItems.InAsm | LogItems.Int | LogItems.CpuReset | LogItems.Exec | LogItems.Pcall)) != 0)
                _ = new TraceLog(runner.machine, options.Log, options.LogFilter, log);
            if ((options.Log & (LogItems.GuestErrors | LogItems.Unimp)) != 0)
            {
                runner.guestLog = new GuestLog(runner.machine.Clock, log.WriteLine,
                    options.Log.HasFlag(LogItems.GuestErrors), options.Log.HasFlag(LogItems.Unimp));
                board.AttachGuestLog(runner.guestLog);
            }
            bool muxMonitor = options.Serials.Any(s => s.Mux);
            if (monitorDevice != null || options.Gdb != null || muxMonitor)
            {
                runner.monitorQueue = new MonitorQueue(runner.machine);
                runner.monitor = new HumanMonitor(board, runner.monitorQueue, OpenRemovableMedium);
            }
            if (monitorDevice != null)
            {
                if (monitorDevice.Kind == ChardevKind.Vc)
                {
                    // QEMU names the default monitor's character device compat_monitor0.
                    var screen = new Display.VirtualConsole("compat_monitor0");
                    textConsoles!.AddMonitor(screen, new VcMonitor(screen, runner.monitorQueue!));
                }
                else
                {
                    runner.monitorServer = StartMonitor(monitorDevice, runner.monitorQueue!, console);
                    owned.Add(runner.monitorServer);
                }
                if (options.WaitForDebugger && options.Gdb == null)
                {
                    runner.monitorQueue!.Paused = true;
                    runner.monitorQueue.PauseReason = "prelaunch";
                }
            }
            if (options.Serials.Any(s => s.Kind == ChardevKind.Stdio)) runner.AttachStdio(muxMonitor);
            if (options.Gdb is { } gdb)
            {
                runner.gdbServer = StartGdbServer(gdb, runner.machine, runner.monitor!);
                owned.Add(runner.gdbServer);
                runner.waitForDebugger = options.WaitForDebugger;
            }
            return runner;
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    /// <summary>The drives' images, opened, by position.</summary>
    sealed record OpenedDrives(IdeDrive?[] Ide, IBlockImage?[] Floppies);

    /// <summary>
    /// Opens every drive's image (read-only for CD-ROMs and <c>readonly=on</c>, behind a temporary
    /// overlay with <c>-snapshot</c>), adding each to <paramref name="owned"/> so it is flushed and
    /// closed on every exit. As QEMU's PC does, an empty CD-ROM drive goes to the secondary master
    /// when no drive claims that position, and the floppy drives are those given: with none, one
    /// empty drive A: (QEMU's default floppy for pc-i440fx), so the CMOS and the BIOS's equipment
    /// word show one drive, not two. (With only -fdb, A: is an empty drive here; QEMU has no A: then.)
    /// </summary>
    static OpenedDrives OpenDrives(EmuOptions options, List<IDisposable> owned)
    {
        var ide = new IdeDrive?[DriveParser.IdePositions];
        var floppies = new IBlockImage?[DriveParser.FloppyPositions];
        int floppyDrives = 1;
        foreach (var drive in options.Drives)
        {
            IBlockImage? image = null;
            if (drive.File != null)
            {
                try
                {
                    image = ImageOpener.Open(drive.File, drive.Format, drive.ReadOnly);
                    owned.Add(image);
                    if ((options.Snapshot || drive.Snapshot) && !drive.ReadOnly)
                    {
                        owned.Remove(image);
                        image = ImageOpener.WithSnapshotOverlay(image);
                        owned.Add(image);
                    }
                }
                catch (ImageException e)
                {
                    throw new EmuError($"{drive.Source}: {e.Message}");
                }
            }
            if (drive.Interface == DriveInterface.Floppy)
            {
                floppies[drive.Index] = image;
                floppyDrives = Math.Max(floppyDrives, drive.Index + 1);
            }
            else ide[drive.Index] = new IdeDrive(drive.Media, image);
        }
        if (options.DemoDisk) ide[0] = DemoDisk.Open();
        const int SecondaryMaster = 2;
        ide[SecondaryMaster] ??= new IdeDrive(DriveMedia.CdRom, null);
        return new OpenedDrives(ide, floppies[..floppyDrives]);
    }

    static PcBoard CreateBoard(EmuOptions options, byte[] bios, DebugConsole? debugConsole, Action<byte>? postCode,
        IReadOnlyList<ISerialBackend> serials, OpenedDrives drives)
    {
        var exits = new List<(ushort, int)>();
        foreach (var device in options.Devices)
        {
            switch (device)
            {
                case IsaDebugExitOptions exit:
                    exits.Add((exit.IoBase, exit.IoSize));
                    break;
                default:
                    throw new InvalidOperationException($"device {device.Driver} parsed but not wired");
            }
        }
        try
        {
            return new PcBoard(new PcBoardConfig
            {
                Machine = new MachineConfig { MemorySize = options.MemorySize, NoReboot = options.NoReboot, PaceToWallClock = true, CpuModel = options.CpuModel },
                Bios = bios,
                VgaBios = EmbeddedVgaBios(),
                PostCode = postCode,
                DebugConsole = debugConsole,
                DebugConsolePort = options.DebugConPort,
                DebugExits = exits,
                Serials = serials,
                RtcBase = options.RtcBase,
                IdeDrives = drives.Ide,
                Floppies = drives.Floppies,
                BootOrder = options.BootOrder,
                BootMenu = options.BootMenu,
                BootMenuWaitMs = options.BootMenuWaitMs,
            });
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "ramSize")
        {
            string reason = e.Message.Split(" (Parameter", 2)[0];
            throw new EmuError($"-m: {QemuSyntax.FormatSize(options.MemorySize)} cannot be used: {reason}");
        }
    }

    /// <summary>
    /// <c>-kernel</c>: a Linux bzImage (its "HdrS" setup header) boots through the firmware, as on
    /// QEMU: the kernel, initrd and command line go into fw_cfg with the loader option ROM
    /// (<see cref="LinuxFwCfgBoot"/>), and the BIOS boots it on every reset. Any other image with a
    /// Multiboot header boots as a Multiboot kernel (<see cref="MultibootFwCfgBoot"/>, also through
    /// the firmware), with <c>-initrd</c> naming its modules (QEMU's order and syntax). The files are read and checked here, so a bad file is an error before
    /// the machine runs.
    /// </summary>
    static void AttachDirectKernelBoot(PcBoard board, EmuOptions options)
    {
        byte[] image;
        try { image = File.ReadAllBytes(options.KernelPath!); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new EmuError($"-kernel: {e.Message}"); }
        if (!LinuxKernelImage.HasSetupHeader(image) && MultibootImage.HasHeader(image))
        {
            AttachMultibootKernel(board, options, image);
            return;
        }
        LinuxKernelImage kernel;
        byte[]? initrd;
        try
        {
            kernel = new LinuxKernelImage(image);
            initrd = options.InitrdPath == null ? null : File.ReadAllBytes(options.InitrdPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmuError($"-kernel: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new EmuError($"-kernel {options.KernelPath}: {e.Message} (nor a Multiboot kernel)");
        }
        var loader = EmbeddedLoaderRom(EmbeddedLinuxBootName);
        try { LinuxFwCfgBoot.Configure(board.FwCfg, board.Machine.Memory.RamSize, kernel, initrd, options.KernelCommandLine, loader); }
        catch (InvalidDataException e) { throw new EmuError($"-kernel: {e.Message}"); }
    }

    /// <summary>A <c>-kernel</c> loader option ROM embedded from bios/.</summary>
    static byte[] EmbeddedLoaderRom(string name)
    {
        using var rom = typeof(MachineRunner).Assembly.GetManifestResourceStream(name)
            ?? throw new EmuError($"-kernel: the loader ROM {name} is not embedded in this build");
        var image = new byte[rom.Length];
        rom.ReadExactly(image);
        return image;
    }

    static void AttachMultibootKernel(PcBoard board, EmuOptions options, byte[] image)
    {
        MultibootImage kernel;
        try { kernel = new MultibootImage(image); }
        catch (InvalidDataException e) { throw new EmuError($"-kernel {options.KernelPath}: {e.Message}"); }
        var modules = new List<MultibootFwCfgBoot.Module>();
        foreach (string entry in SplitModules(options.InitrdPath ?? ""))
        {
            string file = entry.Split(' ', 2)[0];
            try { modules.Add(new MultibootFwCfgBoot.Module(File.ReadAllBytes(file), entry)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new EmuError($"-initrd: {e.Message}"); }
        }
        // As QEMU: the kernel's command line is its file name, then -append's text.
        string commandLine = options.KernelCommandLine.Length == 0 ? options.KernelPath! : options.KernelPath + " " + options.KernelCommandLine;
        var loader = EmbeddedLoaderRom(EmbeddedMultibootName);
        try { MultibootFwCfgBoot.Configure(board.FwCfg, board.Machine.Memory.RamSize, kernel, modules, commandLine, loader); }
        catch (InvalidDataException e) { throw new EmuError($"-kernel: {e.Message}"); }
    }

    /// <summary>QEMU's Multiboot <c>-initrd</c>: modules separated by commas, a doubled comma standing for a comma in a name or argument.</summary>
    internal static IEnumerable<string> SplitModules(string text)
    {
        var current = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != ',') { current.Append(text[i]); continue; }
            if (i + 1 < text.Length && text[i + 1] == ',') { current.Append(','); i++; continue; }
            if (current.Length > 0) yield return current.ToString();
            current.Clear();
        }
        if (current.Length > 0) yield return current.ToString();
    }

    static DebugConsole? CreateDebugConsole(EmuOptions options, ConsoleStreams console, Stream? debugConFile) =>
        options.DebugCon switch
        {
            null => null,
            { Kind: ChardevKind.Null } => new DebugConsole(Stream.Null),
            { Kind: ChardevKind.Stdio } => console.OutBytes != null
                ? new DebugConsole(console.OutBytes, flushEachByte: true)
                : new DebugConsole(console.Out, flushEachByte: true),
            _ => new DebugConsole(debugConFile!),
        };

    /// <summary>Exit status when the run hits <c>instructionLimit</c> (the status <c>timeout</c> uses).</summary>
    public const int InstructionLimitStatus = 124;

    /// <summary><c>-loadvm</c>: the snapshot to load after the first reset, or null.</summary>
    string? loadVm;

    /// <summary>The signal (2 SIGINT, 15 SIGTERM) that stopped the run, or 0.</summary>
    int stopSignal;

    /// <summary>
    /// Runs until the machine stops for good, and returns emu's exit status.
    /// <paramref name="instructionLimit"/> bounds the run for tests (no QEMU option sets it):
    /// past it emu reports the limit and returns <see cref="InstructionLimitStatus"/>.
    /// </summary>
    public int Run(long instructionLimit = long.MaxValue)
    {
        // Ctrl-C and SIGTERM stop the machine between instructions; Run returns and the caller's
        // Dispose flushes and closes the images, as QEMU does ("terminating on signal N").
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopSignal = context.Signal == PosixSignal.SIGINT ? 2 : 15;
            machine.RequestStop();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        int status = RunMachine(instructionLimit);
        guestLog?.Flush();   // the sizes of floods still being suppressed
        monitorQueue?.End();
        monitorServer?.Dispose();   // monitor connections close when the machine ends, as QEMU's do at exit
        logFile?.Flush();
        // A debugger that is attached hears that the machine is gone (GDB's 'W' reply).
        gdbServer?.Target.NotifyExit(status);
        return status;
    }

    int RunMachine(long instructionLimit)
    {
        machine.Reset();
        if (loadVm != null)
        {
            try
            {
                new VmSnapshots(board).Load(loadVm);
            }
            catch (MonitorError e)
            {
                throw new EmuError(e.Message);
            }
        }
        var debug = gdbServer?.Target;
        if (waitForDebugger && debug!.ServiceStop(new DebugStop(DebugStopKind.Interrupt)) == ResumeKind.Kill) return 0;
        long start = machine.Cpu.InstructionsRetired;
        while (true)
        {
            long left = instructionLimit - (machine.Cpu.InstructionsRetired - start);
            if (left <= 0)
            {
                console.Error.WriteLine($"emu: stopped after the instruction limit of {instructionLimit}");
                return InstructionLimitStatus;
            }
            if (quitRequested) return 0;
            if (flushRequested)
            {
                flushRequested = false;
                FlushImages();
            }
            if (monitorQueue != null)
            {
                monitorQueue.ServicePending(monitor!.Execute);
                if (monitorQueue.QuitRequested) return 0;
                if (monitorQueue.Paused)
                {
                    // Stopped by 'stop' (or -S): no time passes; only the monitor is served.
                    monitorQueue.WaitAndService(monitor.Execute, TimeSpan.FromMilliseconds(100));
                    continue;
                }
            }
            var reason = machine.Run(Math.Min(Slice, left));
            debugConsole?.Flush();
            logFile?.Flush();
            foreach (var backend in serialBackends) backend.Flush();
            switch (reason)
            {
                case StopReason.BudgetExhausted:
                    continue;
                case StopReason.Debug:
                    // Only a debugger sets breakpoints or asks for stops; 'kill' ends emu with status 0.
                    if (debug != null && debug.ServiceStop(machine.Debug.LastStop) == ResumeKind.Kill) return 0;
                    continue;
                case StopReason.ExitRequested:
                    return machine.ExitCode;
                case StopReason.Halted:
                    bool interruptsOn = (machine.Cpu.Eflags & (uint)EFlags.IF) != 0;
                    console.Error.WriteLine(interruptsOn
                        ? "emu: guest halted with no interrupt source or timer to wake it"
                        : "emu: guest halted with interrupts disabled");
                    return 0;
                case StopReason.Stopped when quitRequested:
                    return 0;
                case StopReason.Stopped when stopSignal != 0:
                    console.Error.WriteLine($"emu: terminating on signal {stopSignal}");
                    return 0;
                case StopReason.Stopped when monitorQueue != null && monitorQueue.TakeWake():
                    continue;   // a monitor command waits: served at the top of the loop
                case StopReason.Reset:
                case StopReason.Stopped:
                    return 0;
                default:
                    throw new InvalidOperationException($"unexpected stop reason {reason}");
            }
        }
    }

    /// <summary>
    /// Opens a medium for the monitor's <c>change</c>, read-only.
    /// TODO: open through the block layer's ImageOpener (raw and qcow2, branch 'images') once it is
    /// merged; until then the file is read whole into memory as a raw image.
    /// </summary>
    static IBlockImage OpenRemovableMedium(string path)
    {
        try
        {
            // The block layer opens raw and qcow2 media without reading them whole.
            if (!File.Exists(path)) throw new FileNotFoundException(null, path);
            return ImageOpener.Open(path, null, readOnly: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MonitorError($"Could not open '{path}': {Describe(e, path)}");
        }
        catch (ImageException e)
        {
            throw new MonitorError(e.Message);
        }
    }

    /// <summary>Writes emu's own text (monitor, mux) to standard output, flushed.</summary>
    static Action<string> TerminalWriter(ConsoleStreams console) =>
        console.OutBytes != null ? MonitorSession.StreamWriter(console.OutBytes)
            : text => { lock (console.Out) { console.Out.Write(text); console.Out.Flush(); } };

    static MonitorServer StartMonitor(ChardevOptions device, MonitorQueue queue, ConsoleStreams console)
    {
        if (device.Kind == ChardevKind.Stdio)
            return Monitor.MonitorServer.Stdio(queue, console.InBytes, TerminalWriter(console));
        var tcp = device.Tcp!;
        try
        {
            return tcp.Server
                ? Monitor.MonitorServer.Listen(queue, tcp.Host, tcp.Port, tcp.Wait, console.Error)
                : Monitor.MonitorServer.Connect(queue, tcp.Host, tcp.Port);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            string what = tcp.Server ? "Failed to bind socket" : $"Failed to connect to '{tcp.Host}:{tcp.Port}'";
            throw new EmuError($"-monitor tcp:{tcp.Host}:{tcp.Port}{(tcp.Server ? ",server" : "")}: {what}: {e.Message}");
        }
    }

    static GdbServer StartGdbServer(GdbEndpoint gdb, Machine machine, IMonitorCommands monitor)
    {
        try
        {
            return new GdbServer(gdb.Host, gdb.Port, new DebugTarget(machine), monitor);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new EmuError($"-gdb tcp:{gdb.Host}:{gdb.Port}: Failed to bind socket: {e.Message}");
        }
    }

    static HostSerialBackend OpenSerialBackend(ChardevOptions serial, ConsoleStreams console, Display.TextConsoles? textConsoles, int index)
    {
        switch (serial.Kind)
        {
            case ChardevKind.Vc when textConsoles != null:
                // QEMU labels the -serial character devices serial0, serial1...
                var vc = new VcSerialBackend(new Display.VirtualConsole($"serial{index}"));
                textConsoles.AddSerial(vc.Screen, vc);
                return vc;
            case ChardevKind.Stdio:
                return serial.Mux ? new StdioSerialBackend(console.OutBytes, console.Out, null, muxed: true)
                    : new StdioSerialBackend(console.OutBytes, console.Out, console.InBytes);
            case ChardevKind.File:
                return new FileSerialBackend(OpenForWriting("-serial", serial.Path!));
            case ChardevKind.Tcp:
                var tcp = serial.Tcp!;
                try
                {
                    return tcp.Server
                        ? TcpSerialBackend.Listen(tcp.Host, tcp.Port, tcp.Wait, console.Error)
                        : TcpSerialBackend.Connect(tcp.Host, tcp.Port);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    string what = tcp.Server ? "Failed to bind socket" : $"Failed to connect to '{tcp.Host}:{tcp.Port}'";
                    throw new EmuError($"-serial tcp:{tcp.Host}:{tcp.Port}{(tcp.Server ? ",server" : "")}: {what}: {e.Message}");
                }
            default:
                return new NullHostSerialBackend();
        }
    }

    static byte[] LoadBios(string? path)
    {
        if (path == null)
        {
            using var resource = typeof(MachineRunner).Assembly.GetManifestResourceStream(EmbeddedBiosName)
                ?? throw new EmuError("no BIOS is embedded in this build yet; give one with -bios FILE");
            if (!ValidBiosSize(resource.Length))
                throw new EmuError($"the embedded BIOS is {resource.Length} bytes; {SizeRule}");
            var embedded = new byte[resource.Length];
            resource.ReadExactly(embedded);
            return embedded;
        }
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (!ValidBiosSize(file.Length))
                throw new EmuError($"-bios: '{path}' is {file.Length} bytes; {SizeRule}");
            var image = new byte[file.Length];
            file.ReadExactly(image);
            return image;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmuError($"-bios: cannot open '{path}': {Describe(e, path)}");
        }
    }

    static byte[]? EmbeddedVgaBios()
    {
        using var resource = typeof(MachineRunner).Assembly.GetManifestResourceStream(EmbeddedVgaBiosName);
        if (resource == null) return null;
        var image = new byte[resource.Length];
        resource.ReadExactly(image);
        return image;
    }

    static bool ValidBiosSize(long length) => length >= MinBiosSize && length <= MaxBiosSize && length % 4096 == 0;

    const string SizeRule = "a BIOS image must be 64 KiB to 2 MiB and a multiple of 4 KiB";

    static FileStream OpenForWriting(string option, string path)
    {
        try
        {
            return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EmuError($"{option}: cannot open '{path}': {Describe(e, path)}");
        }
    }

    /// <summary>The host error as the C library words it, as QEMU reports it.</summary>
    static string Describe(Exception e, string path) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException when Directory.Exists(path) => "Is a directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };

    /// <summary>
    /// Standard input for a <c>stdio</c> serial port: a terminal goes into raw mode as QEMU's stdio
    /// device puts it (Ctrl-C still ends emu unless the monitor shares it); with <c>mon:stdio</c>
    /// the Ctrl-A multiplexer reads the input and shares it between the port and the monitor.
    /// </summary>
    void AttachStdio(bool mux)
    {
        if (console.InBytes == null) return;
        if (console.InIsTerminal && TerminalRawMode.TryEnter(allowSignals: !mux) is { } raw) owned.Add(raw);
        if (!mux) return;
        var serial = serialBackends.OfType<StdioSerialBackend>().First();
        var output = TerminalWriter(console);
        var stdioMux = new StdioMux(output, serial.Receive, OpenMuxMonitor, RequestQuit, () => flushRequested = true);
        stdioMux.Start(console.InBytes);

        Stream OpenMuxMonitor()
        {
            var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
            var lines = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
            muxMonitorPipe = pipe;
            muxMonitorServer = Monitor.MonitorServer.Stdio(monitorQueue!, lines, output);
            return pipe;
        }
    }

    /// <summary>Ends the run as the monitor's <c>quit</c> does (the mux's C-a x); safe from any thread.</summary>
    void RequestQuit()
    {
        quitRequested = true;
        machine.RequestStop();
    }

    void FlushImages()
    {
        foreach (var drive in IdeDrives) drive?.Image?.Flush();
        foreach (var floppy in Floppies) floppy?.Flush();
    }

    /// <summary>Flushes output and images and closes everything the runner opened (images last-opened first).</summary>
    public void Dispose()
    {
        muxMonitorServer?.Dispose();
        muxMonitorPipe?.Dispose();
        debugConsole?.Flush();
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
