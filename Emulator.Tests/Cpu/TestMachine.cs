using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Tests.Cpu;

/// <summary>
/// A machine for CPU tests: guest code assembled with Iced's <see cref="Assembler"/> is
/// loaded into RAM and run until HLT.
/// </summary>
public sealed class TestMachine
{
    public Machine Machine { get; }
    public Emulator.Core.Cpu.Cpu Cpu => Machine.Cpu;

    public TestMachine(ulong memory = 16UL << 20)
    {
        Machine = new Machine(new MachineConfig { MemorySize = memory });
    }

    /// <summary>Assembles <paramref name="build"/> at physical/linear <paramref name="address"/> and loads it.</summary>
    public byte[] Load(int bitness, ulong address, Action<Assembler> build)
    {
        var a = new Assembler(bitness);
        build(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), address);
        var bytes = ms.ToArray();
        Machine.Memory.Write(address, bytes);
        return bytes;
    }

    public void WriteBytes(ulong address, params byte[] bytes) => Machine.Memory.Write(address, bytes);

    public void Write32(ulong address, uint value) => Machine.Memory.Write(address, BitConverter.GetBytes(value));

    public void Write64(ulong address, ulong value) => Machine.Memory.Write(address, BitConverter.GetBytes(value));

    public uint Read32(ulong address)
    {
        var b = new byte[4];
        Machine.Memory.Read(address, b);
        return BitConverter.ToUInt32(b);
    }

    public ushort Read16(ulong address)
    {
        var b = new byte[2];
        Machine.Memory.Read(address, b);
        return BitConverter.ToUInt16(b);
    }

    public byte Read8(ulong address)
    {
        var b = new byte[1];
        Machine.Memory.Read(address, b);
        return b[0];
    }

    /// <summary>Starts real-mode execution at <paramref name="cs"/>:<paramref name="ip"/> with a stack at 0:8000.</summary>
    public void StartReal(ushort cs, ushort ip)
    {
        Cpu.SetSegmentReal(SegReg.CS, cs);
        Cpu.SetSegmentReal(SegReg.SS, 0);
        Cpu.SetSegmentReal(SegReg.DS, 0);
        Cpu.SetSegmentReal(SegReg.ES, 0);
        Cpu.SetGpr(Gpr.Rsp, 0x8000);
        Cpu.Rip = ip;
        Cpu.Halted = false;
    }

    /// <summary>Runs until the guest halts; fails if it runs away.</summary>
    public StopReason Run(long budget = 10_000_000)
    {
        var r = Machine.Run(budget);
        return r;
    }

    public ulong Reg(Gpr r) => Cpu.GetGpr(r);
    public uint Flags => Cpu.Eflags;
}
