using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Tests.Differential;

/// <summary>
/// Runs one instruction on the emulated CPU in 32-bit protected mode with flat segments
/// (a GDT in RAM and the segment caches loaded as if from it, CPL 0), followed by HLT.
/// Every exception vector has an IDT gate to its own HLT stub, so the vector an
/// instruction raised (#UD for the unimplemented ones) is read back from EIP.
/// </summary>
internal sealed class EmulatedExecutor
{
    const ulong GdtAddress = 0x1000, IdtAddress = 0x2000, StubAddress = 0x3000, StackTop = 0x9000;
    const int StubStride = 16, Vectors = 32;
    public const ulong CodeAddress = 0x10000;
    const ulong ScratchAddress = 0x20000;
    /// <summary>The value of the base register of a memory operand: the middle of the scratch buffer.</summary>
    public const uint ScratchBaseAddress = (uint)ScratchAddress + DiffCase.ScratchBaseOffset;

    const ushort CodeSelector = 0x08, DataSelector = 0x10;

    readonly Machine machine;
    readonly Emulator.Core.Cpu.Cpu cpu;
    readonly byte[] code = new byte[48];

    public EmulatedExecutor()
    {
        machine = new Machine(new MachineConfig { MemorySize = 1UL << 20, NoReboot = true });
        cpu = machine.Cpu;
        Setup();
    }

    void Setup()
    {
        var mem = machine.Memory;

        // GDT (SDM vol. 3, 3.4.5): null, flat 32-bit code (base 0, limit 4 GiB, DPL 0, accessed), flat data.
        mem.Write(GdtAddress, BitConverter.GetBytes(0UL));
        mem.Write(GdtAddress + 8, BitConverter.GetBytes(0x00CF_9B00_0000_FFFFUL));
        mem.Write(GdtAddress + 16, BitConverter.GetBytes(0x00CF_9300_0000_FFFFUL));
        cpu.GdtBase = GdtAddress;
        cpu.GdtLimit = 3 * 8 - 1;

        // IDT of 32-bit interrupt gates (SDM vol. 3, 6.11), vector v → stub v: HLT.
        for (int v = 0; v < Vectors; v++)
        {
            uint target = (uint)(StubAddress + (ulong)(v * StubStride));
            uint low = ((uint)CodeSelector << 16) | (target & 0xFFFF);
            uint high = (target & 0xFFFF_0000) | 0x8E00;
            mem.Write(IdtAddress + (ulong)(v * 8), BitConverter.GetBytes(((ulong)high << 32) | low));
            mem.Write(target, [0xF4]);
        }
        cpu.IdtBase = IdtAddress;
        cpu.IdtLimit = Vectors * 8 - 1;

        cpu.SetControlRegister(0, CrBits.CR0_PE | CrBits.CR0_ET);
        var data = new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = DataSelector, Attributes = 0xC093 };
        foreach (var s in new[] { SegReg.ES, SegReg.SS, SegReg.DS, SegReg.FS, SegReg.GS }) cpu.SetSegment(s, data);
        cpu.SetSegment(SegReg.CS, new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = CodeSelector, Attributes = 0xC09B });
        if (cpu.Mode != CpuMode.Protected || cpu.Cpl != 0)
            throw new InvalidOperationException($"flat protected mode setup failed: {cpu.Mode}, CPL {cpu.Cpl}");
    }

    /// <summary>Runs <paramref name="c"/>; <paramref name="instruction"/> is its 32-bit encoding at <see cref="CodeAddress"/>.</summary>
    public DiffOutcome Run(DiffCase c, byte[] instruction)
    {
        var mem = machine.Memory;
        Array.Clear(code);
        instruction.CopyTo(code, 0);
        code[instruction.Length] = 0xF4;   // HLT
        // Writing the code page drops the blocks decoded from it for the previous case.
        mem.Write(CodeAddress, code.AsSpan(0, instruction.Length + 1));
        mem.Write(ScratchAddress, c.Scratch);

        for (int i = 0; i < 8; i++) cpu.SetGpr((Gpr)i, c.Regs[i]);
        cpu.SetGpr(Gpr.Rsp, StackTop);
        if (c.ScratchBaseReg >= 0) cpu.SetGpr((Gpr)c.ScratchBaseReg, ScratchBaseAddress);
        // IF stays clear, so the final HLT stops Machine.Run.
        cpu.Eflags = (c.Flags & 0x8D5) | 2;
        cpu.Rip = CodeAddress;
        cpu.Halted = false;

        var stop = machine.Run(1000);
        var o = new DiffOutcome();
        for (int i = 0; i < 8; i++) o.Regs[i] = (uint)cpu.GetGpr((Gpr)i);
        o.Regs[4] = 0;
        o.Flags = cpu.Eflags & 0x8D5;
        mem.Read(ScratchAddress, o.Scratch);

        ulong rip = cpu.Rip;
        ulong end = CodeAddress + (ulong)instruction.Length + 1;
        if (stop != StopReason.Halted)
        {
            o.RunError = $"run stopped with {stop} at EIP={rip:X8}";
            machine.Reset();
            Setup();
            return o;
        }
        if (rip == end) return o;
        ulong stubEnd = StubAddress + (ulong)(Vectors * StubStride);
        if (rip > StubAddress && rip <= stubEnd && (rip - StubAddress - 1) % StubStride == 0)
            o.Exception = (int)((rip - StubAddress - 1) / StubStride);
        else
            o.RunError = $"halted at unexpected EIP={rip:X8}";
        return o;
    }
}
