using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Storage;
using Iced.Intel;

namespace Emulator.Tests.Devices.Board;

/// <summary>
/// A <see cref="PcBoard"/> for device tests: a BIOS image of HLT instructions (its bytes are
/// 0xF4 except where a test says otherwise), and guest code assembled with Iced into RAM at
/// 0x1000 and run in real mode until it halts.
/// </summary>
public sealed class BoardTestMachine
{
    public const ulong CodeAddress = 0x1000;

    public PcBoard Board { get; }
    public Machine Machine => Board.Machine;

    public BoardTestMachine(ulong memory = 16UL << 20, byte[]? bios = null, bool noReboot = false, IReadOnlyList<IdeDrive?>? ideDrives = null)
    {
        Board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = memory, NoReboot = noReboot },
            Bios = bios ?? HaltBios(),
            IdeDrives = ideDrives ?? [],
        });
        Machine.Reset();
    }

    /// <summary>A 64 KiB BIOS of HLT instructions whose byte at offset 0 (F0000) is 0xB5.</summary>
    public static byte[] HaltBios()
    {
        var image = new byte[64 << 10];
        Array.Fill(image, (byte)0xF4);
        image[0] = 0xB5;
        return image;
    }

    /// <summary>Assembles <paramref name="build"/> as 16-bit code at 0:1000, runs it, and returns why the run stopped.</summary>
    public StopReason RunReal(Action<Assembler> build, long budget = 2_000_000)
    {
        var a = new Assembler(16);
        build(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), CodeAddress);
        Machine.Memory.Write(CodeAddress, ms.ToArray());
        var cpu = Machine.Cpu;
        cpu.SetSegmentReal(SegReg.CS, 0);
        cpu.SetSegmentReal(SegReg.SS, 0);
        cpu.SetSegmentReal(SegReg.DS, 0);
        cpu.SetSegmentReal(SegReg.ES, 0);
        cpu.SetGpr(Gpr.Rsp, 0x8000);
        cpu.Rip = CodeAddress;
        cpu.Halted = false;
        return Machine.Run(budget);
    }

    public uint Reg(Gpr r) => (uint)Machine.Cpu.GetGpr(r);

    public byte Read8(ulong address) => (byte)Machine.Memory.ReadSlow(address, 1);
}

/// <summary>Guest-code snippets for configuration mechanism #1.</summary>
public static class PciAsm
{
    static uint Address(int devfn, int reg) => 0x8000_0000u | (uint)devfn << 8 | (uint)(reg & 0xFC);

    /// <summary>EAX = the dword at <paramref name="reg"/> of bus 0 <paramref name="devfn"/> (clobbers DX).</summary>
    public static void ReadDword(Assembler a, int devfn, int reg)
    {
        a.mov(AssemblerRegisters.eax, Address(devfn, reg));
        a.mov(AssemblerRegisters.dx, (ushort)0xCF8);
        a.@out(AssemblerRegisters.dx, AssemblerRegisters.eax);
        a.mov(AssemblerRegisters.dx, (ushort)0xCFC);
        a.@in(AssemblerRegisters.eax, AssemblerRegisters.dx);
    }

    /// <summary>Writes a byte <paramref name="value"/> at <paramref name="reg"/> through 0xCFC + (reg &amp; 3).</summary>
    public static void WriteByte(Assembler a, int devfn, int reg, byte value)
    {
        a.mov(AssemblerRegisters.eax, Address(devfn, reg));
        a.mov(AssemblerRegisters.dx, (ushort)0xCF8);
        a.@out(AssemblerRegisters.dx, AssemblerRegisters.eax);
        a.mov(AssemblerRegisters.dx, (ushort)(0xCFC + (reg & 3)));
        a.mov(AssemblerRegisters.al, value);
        a.@out(AssemblerRegisters.dx, AssemblerRegisters.al);
    }

    /// <summary>Writes a dword <paramref name="value"/> at <paramref name="reg"/>.</summary>
    public static void WriteDword(Assembler a, int devfn, int reg, uint value)
    {
        a.mov(AssemblerRegisters.eax, Address(devfn, reg));
        a.mov(AssemblerRegisters.dx, (ushort)0xCF8);
        a.@out(AssemblerRegisters.dx, AssemblerRegisters.eax);
        a.mov(AssemblerRegisters.dx, (ushort)0xCFC);
        a.mov(AssemblerRegisters.eax, value);
        a.@out(AssemblerRegisters.dx, AssemblerRegisters.eax);
    }
}

/// <summary>Save/load helpers for the round-trip tests.</summary>
public static class Snapshot
{
    public static byte[] Save(ISaveable device) => Snapshots.SnapshotBytes.Save(device);

    public static void Load(ISaveable device, byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes));
        device.LoadState(r, device.SnapshotVersion);
        Assert.That(r.BaseStream.Position, Is.EqualTo(bytes.Length), "LoadState reads everything SaveState wrote");
    }
}
