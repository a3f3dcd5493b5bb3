using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Core.Interrupts;
using Emulator.Devices.Debug;
using Emulator.Devices.Dma;
using Emulator.Devices.Serial;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Serial;

namespace Emulator.Frontend;

/// <summary>
/// Builds a machine from <see cref="EmuOptions"/>, runs it until it stops, and turns the
/// stop into emu's exit status. Until the PC board exists this attaches the debug devices
/// (the BIOS ROM, the POST port, and what <c>-debugcon</c> and <c>-device</c> ask for), the
/// serial ports and the DMA controllers.
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
    const int IsaBiosMaxSize = 128 << 10;
    const ulong FourGiB = 1UL << 32;
    const string EmbeddedBiosName = "bios/bios.bin";

    readonly Machine machine;
    readonly ConsoleStreams console;
    readonly TextWriter log;
    readonly List<IDisposable> owned;
    readonly List<HostSerialBackend> serialBackends = new();
    DebugConsole? debugConsole;

    MachineRunner(Machine machine, ConsoleStreams console, TextWriter log, List<IDisposable> owned)
    {
        this.machine = machine;
        this.console = console;
        this.log = log;
        this.owned = owned;
    }

    /// <summary>The machine, for tests and later for the monitor and debugger.</summary>
    public Machine Machine => machine;

    /// <summary>COM1, COM2... as <c>-serial</c> asked for them.</summary>
    public IReadOnlyList<Uart16550> SerialPorts { get; private set; } = [];

    /// <summary>The ISA DMA controllers.</summary>
    public Dma8237? Dma { get; private set; }

    /// <summary>
    /// Loads the BIOS, opens the output files, then creates and wires the machine; user
    /// errors (missing files, bad sizes) throw <see cref="EmuError"/>. Files are checked
    /// before the machine is built so those errors come first and cheaply.
    /// </summary>
    public static MachineRunner Create(EmuOptions options, ConsoleStreams console)
    {
        byte[] bios = LoadBios(options.BiosPath);
        var owned = new List<IDisposable>();
        try
        {
            TextWriter log = console.Error;
            if (options.LogFile != null)
            {
                var writer = new StreamWriter(OpenForWriting("-D", options.LogFile)) { AutoFlush = true };
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
            foreach (var serial in options.Serials)
            {
                var backend = OpenSerialBackend(serial, console);
                owned.Add(backend);
                backends.Add(backend);
            }
            var runner = new MachineRunner(CreateMachine(options), console, log, owned);
            runner.serialBackends.AddRange(backends);
            foreach (var backend in backends) backend.InputArrived = runner.machine.Wake;
            runner.Wire(options, bios, debugConFile);
            return runner;
        }
        catch
        {
            foreach (var d in owned) d.Dispose();
            throw;
        }
    }

    static Machine CreateMachine(EmuOptions options)
    {
        try
        {
            return new Machine(new MachineConfig { MemorySize = options.MemorySize, NoReboot = options.NoReboot });
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "ramSize")
        {
            string reason = e.Message.Split(" (Parameter", 2)[0];
            throw new EmuError($"-m: {QemuSyntax.FormatSize(options.MemorySize)} cannot be used: {reason}");
        }
    }

    void Wire(EmuOptions options, byte[] bios, Stream? debugConFile)
    {
        MapBios(machine, bios);

        var post = options.Log.HasFlag(LogItems.Post)
            ? new PostCodePort(code => log.WriteLine(PostCodePort.FormatLine(code)))
            : new PostCodePort();
        machine.Io.Register(PostCodePort.DefaultPort, 1, post);

        if (options.DebugCon is { } chardev)
        {
            debugConsole = chardev.Kind switch
            {
                ChardevKind.Null => new DebugConsole(Stream.Null),
                ChardevKind.Stdio => console.OutBytes != null
                    ? new DebugConsole(console.OutBytes, flushEachByte: true)
                    : new DebugConsole(console.Out, flushEachByte: true),
                _ => new DebugConsole(debugConFile!),
            };
            machine.Io.Register(DebugConsole.DefaultPort, 1, debugConsole);
        }
        SerialPorts = AttachSerialPortsUntilTheBoardExists(machine, serialBackends);
        Dma = AttachDmaUntilTheBoardExists(machine);

        foreach (var device in options.Devices)
        {
            switch (device)
            {
                case IsaDebugExitOptions exit:
                    machine.Io.Register(exit.IoBase, exit.IoSize, new IsaDebugExit(machine.RequestExit));
                    break;
                default:
                    throw new InvalidOperationException($"device {device.Driver} parsed but not wired");
            }
        }
        machine.TripleFault += state =>
        {
            log.WriteLine("Triple fault");
            log.WriteLine(state);
        };
    }

    /// <summary>
    /// Puts a 16550 UART at each standard COM port for the given backends (COM1 0x3F8/IRQ 4,
    /// COM2 0x2F8/IRQ 3, COM3 0x3E8/IRQ 4, COM4 0x2E8/IRQ 3). This is board wiring, here only
    /// until the PC board exists, which takes it over: <paramref name="irqLine"/> gives the
    /// board's line for an ISA IRQ number; without it (today, no PIC is wired) the lines are
    /// unconnected.
    /// </summary>
    public static Uart16550[] AttachSerialPortsUntilTheBoardExists(Machine machine, IReadOnlyList<ISerialBackend> backends,
        Func<int, IrqLine>? irqLine = null)
    {
        var uarts = new Uart16550[backends.Count];
        for (int i = 0; i < backends.Count; i++)
        {
            var (port, irq) = Uart16550.PcPorts[i];
            var uart = new Uart16550($"serial{i}", machine.Clock, irqLine?.Invoke(irq) ?? IrqLine.Unconnected(irq), backends[i]);
            machine.Io.Register(port, 8, uart);
            machine.OnReset(uart.Reset);
            uarts[i] = uart;
        }
        return uarts;
    }

    /// <summary>
    /// Puts the two 8237 DMA controllers and the page registers on the ports (0x00-0x0F,
    /// 0xC0-0xDF, 0x81-0x8F; 0x80 stays with the POST port). Board wiring, here only until the
    /// PC board exists, which takes it over.
    /// </summary>
    public static Dma8237 AttachDmaUntilTheBoardExists(Machine machine)
    {
        var dma = new Dma8237(machine.Memory);
        dma.Register(machine.Io);
        machine.OnReset(dma.Reset);
        return dma;
    }

    static HostSerialBackend OpenSerialBackend(ChardevOptions serial, ConsoleStreams console)
    {
        switch (serial.Kind)
        {
            case ChardevKind.Stdio:
                return new StdioSerialBackend(console.OutBytes, console.Out, console.InBytes);
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

    /// <summary>
    /// Maps the BIOS so it ends at 4 GiB, where the reset vector FFFFFFF0 reads its last
    /// 16 bytes, and aliases its last 128 KiB (the whole image if smaller) at the top of the
    /// first megabyte (E0000-FFFFF), as the PC's ISA BIOS window does.
    /// </summary>
    public static void MapBios(Machine machine, byte[] image)
    {
        ulong size = (ulong)image.Length;
        machine.Memory.MapRom(FourGiB - size, image);
        ulong isaSize = Math.Min(size, IsaBiosMaxSize);
        machine.Memory.MapAlias(0x10_0000 - isaSize, FourGiB - isaSize, isaSize, readOnly: true);
    }

    /// <summary>Exit status when the run hits <c>instructionLimit</c> (the status <c>timeout</c> uses).</summary>
    public const int InstructionLimitStatus = 124;

    /// <summary>
    /// Runs until the machine stops for good, and returns emu's exit status.
    /// <paramref name="instructionLimit"/> bounds the run for tests (no QEMU option sets it):
    /// past it emu reports the limit and returns <see cref="InstructionLimitStatus"/>.
    /// </summary>
    public int Run(long instructionLimit = long.MaxValue)
    {
        machine.Reset();
        long start = machine.Cpu.InstructionsRetired;
        while (true)
        {
            long left = instructionLimit - (machine.Cpu.InstructionsRetired - start);
            if (left <= 0)
            {
                console.Error.WriteLine($"emu: stopped after the instruction limit of {instructionLimit}");
                return InstructionLimitStatus;
            }
            var reason = machine.Run(Math.Min(Slice, left));
            debugConsole?.Flush();
            foreach (var backend in serialBackends) backend.Flush();
            switch (reason)
            {
                case StopReason.BudgetExhausted:
                    continue;
                case StopReason.ExitRequested:
                    return machine.ExitCode;
                case StopReason.Halted:
                    bool interruptsOn = (machine.Cpu.Eflags & (uint)EFlags.IF) != 0;
                    console.Error.WriteLine(interruptsOn
                        ? "emu: guest halted with no interrupt source or timer to wake it"
                        : "emu: guest halted with interrupts disabled");
                    return 0;
                case StopReason.Reset:
                case StopReason.Stopped:
                    return 0;
                default:
                    throw new InvalidOperationException($"unexpected stop reason {reason}");
            }
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

    public void Dispose()
    {
        debugConsole?.Flush();
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
