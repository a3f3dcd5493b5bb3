using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using Emulator.Devices.Serial;
using Iced.Intel;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The project's BIOS (the committed bios/bios.bin) on a <see cref="PcBoard"/>, with the debug
/// console and POST codes captured. Guest test code enters through a real boot path: an ISA
/// option ROM at C8000 (assembled with Iced) that the BIOS's option ROM scan finds and calls,
/// and which hooks INT 19h, so it runs where a boot sector would, with every service set up.
/// </summary>
public sealed class BiosRig
{
    public const long TestRomAddress = 0xC8000;
    public const ushort TestRomSegment = 0xC800;

    readonly StringWriter console = new();

    public PcBoard Board { get; }
    public Machine Machine => Board.Machine;
    public List<byte> PostCodes { get; } = new();
    public string Console => console.ToString();
    public PcBoardConfig Config { get; }

    public static readonly DateTime RtcBase = new(2026, 11, 26, 13, 45, 30);

    public BiosRig(ulong memory = 64UL << 20, Action<Assembler>? bootCode = null, IReadOnlyList<ISerialBackend>? serials = null,
        string bootOrder = "cad", Action<PcBoard>? wire = null, IReadOnlyList<Emulator.Devices.Storage.IdeDrive?>? ide = null,
        byte[]? vgaBios = null, IReadOnlyList<Emulator.Devices.Storage.IBlockImage?>? floppies = null)
    {
        Config = new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = memory },
            Bios = BiosImage(),
            PostCode = PostCodes.Add,
            DebugConsole = new DebugConsole(console),
            RtcBase = RtcBase,
            Serials = serials ?? [],
            BootOrder = bootOrder,
            IdeDrives = ide ?? [],
            Floppies = floppies ?? [],
            VgaBios = vgaBios,
        };
        Board = new PcBoard(Config);
        wire?.Invoke(Board);
        if (bootCode != null) Machine.Memory.MapRom((ulong)TestRomAddress, TestRom(bootCode));
        Machine.Reset();
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    public static byte[] BiosImage() => File.ReadAllBytes(Path.Combine(RepoRoot(), "bios", "bios.bin"));

    /// <summary>The committed VGA BIOS (bios/vgabios.bin), for <see cref="PcBoardConfig.VgaBios"/>.</summary>
    public static byte[] VgaBiosImage() => File.ReadAllBytes(Path.Combine(RepoRoot(), "bios", "vgabios.bin"));

    /// <summary>Runs until the machine stops (at most <paramref name="budget"/> instructions).</summary>
    public StopReason Run(long budget = 20_000_000) => Machine.Run(budget);

    /// <summary>
    /// A 4 KiB option ROM: 55AA, 8 blocks, init at offset 3 hooks INT 19h to the test code
    /// assembled by <paramref name="bootCode"/> (16-bit, at C800:0100), checksum in the last byte.
    /// </summary>
    static byte[] TestRom(Action<Assembler> bootCode)
    {
        const int size = 4096, codeOffset = 0x100;
        var init = new Assembler(16);
        init.push(Iced.Intel.AssemblerRegisters.ds);
        init.xor(Iced.Intel.AssemblerRegisters.ax, Iced.Intel.AssemblerRegisters.ax);
        init.mov(Iced.Intel.AssemblerRegisters.ds, Iced.Intel.AssemblerRegisters.ax);
        init.mov(Iced.Intel.AssemblerRegisters.__word_ptr[0x19 * 4], codeOffset);
        init.mov(Iced.Intel.AssemblerRegisters.__word_ptr[0x19 * 4 + 2], TestRomSegment);
        init.pop(Iced.Intel.AssemblerRegisters.ds);
        init.retf();
        var body = new Assembler(16);
        bootCode(body);
        var rom = new byte[size];
        rom[0] = 0x55;
        rom[1] = 0xAA;
        rom[2] = size / 512;
        Assemble(init, TestRomSegment * 16UL + 3).CopyTo(rom, 3);
        var code = Assemble(body, TestRomSegment * 16UL + codeOffset);
        if (code.Length > size - codeOffset - 1) throw new InvalidOperationException("test code too large");
        code.CopyTo(rom, codeOffset);
        byte sum = 0;
        for (int i = 0; i < size - 1; i++) sum += rom[i];
        rom[size - 1] = (byte)-sum;
        return rom;
    }

    /// <summary>
    /// A boot disk's first five sectors: a boot sector that loads sectors 1-4 to 0:7E00 with INT 13h
    /// AH=02h (from the drive in DL) and jumps there, then the code <paramref name="build"/>
    /// assembles at 0:7E00.
    /// </summary>
    public static byte[] BootProgram(Action<Assembler> build)
    {
        var loader = new Assembler(16);
        loader.xor(Iced.Intel.AssemblerRegisters.ax, Iced.Intel.AssemblerRegisters.ax);
        loader.mov(Iced.Intel.AssemblerRegisters.es, Iced.Intel.AssemblerRegisters.ax);
        loader.mov(Iced.Intel.AssemblerRegisters.ax, 0x0204);
        loader.mov(Iced.Intel.AssemblerRegisters.cx, 0x0002);
        loader.mov(Iced.Intel.AssemblerRegisters.dh, 0);
        loader.mov(Iced.Intel.AssemblerRegisters.bx, 0x7E00);
        loader.@int(0x13);
        loader.jmp(0x7E00);
        var body = new Assembler(16);
        build(body);
        var code = Assemble(body, 0x7E00);
        if (code.Length > 4 * 512) throw new InvalidOperationException("boot program too large");
        var sectors = new byte[5 * 512];
        Assemble(loader, 0x7C00).CopyTo(sectors, 0);
        sectors[510] = 0x55;
        sectors[511] = 0xAA;
        code.CopyTo(sectors, 512);
        return sectors;
    }

    static byte[] Assemble(Assembler a, ulong ip)
    {
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), ip);
        return stream.ToArray();
    }
}
