using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>A two-operand ALU operation written once over operand size; it sets the (lazy) flags itself.</summary>
internal interface IAluOp
{
    /// <summary>False for CMP and TEST, which only set flags.</summary>
    static abstract bool WritesBack { get; }
    static abstract ulong Exec<T>(Cpu c, ulong dst, ulong src) where T : unmanaged, IOperandSize;
}

/// <summary>
/// The operand forms of the two-operand ALU instructions, each a generic handler the JIT
/// specialises per operation and size, and their registration by Iced opcode shape.
/// </summary>
internal static unsafe class AluForms
{
    static void RegReg<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IAluOp where T : unmanaged, IOperandSize
    {
        ulong r = TOp.Exec<T>(c, c.GetReg<T>(op.R0), c.GetReg<T>(op.R1));
        if (TOp.WritesBack) c.SetReg<T>(op.R0, r);
    }

    static void MemReg<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IAluOp where T : unmanaged, IOperandSize
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (TOp.WritesBack)
        {
            if (!c.ReadRmw<T>(op.Seg, ea, out ulong d)) return;
            c.WriteRmw<T>(TOp.Exec<T>(c, d, c.GetReg<T>(op.R1)));
        }
        else
        {
            if (!c.Read<T>(op.Seg, ea, out ulong d)) return;
            TOp.Exec<T>(c, d, c.GetReg<T>(op.R1));
        }
    }

    static void RegMem<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IAluOp where T : unmanaged, IOperandSize
    {
        if (!c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out ulong s)) return;
        ulong r = TOp.Exec<T>(c, c.GetReg<T>(op.R0), s);
        if (TOp.WritesBack) c.SetReg<T>(op.R0, r);
    }

    static void RegImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IAluOp where T : unmanaged, IOperandSize
    {
        ulong r = TOp.Exec<T>(c, c.GetReg<T>(op.R0), op.Imm & T.Mask);
        if (TOp.WritesBack) c.SetReg<T>(op.R0, r);
    }

    static void MemImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IAluOp where T : unmanaged, IOperandSize
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (TOp.WritesBack)
        {
            if (!c.ReadRmw<T>(op.Seg, ea, out ulong d)) return;
            c.WriteRmw<T>(TOp.Exec<T>(c, d, op.Imm & T.Mask));
        }
        else
        {
            if (!c.Read<T>(op.Seg, ea, out ulong d)) return;
            TOp.Exec<T>(c, d, op.Imm & T.Mask);
        }
    }

    /// <summary>Registers every encoding of <paramref name="mnemonic"/> whose shape is r/m,reg / reg,r/m / r/m,imm.</summary>
    public static void Register<TOp>(Mnemonic mnemonic) where TOp : IAluOp
    {
        foreach (var code in InstructionTable.CodesOf(mnemonic))
        {
            var (shape, bytes) = OperandShape.Of(code);
            switch (shape)
            {
                case Shape.RmReg:
                    Set(code, bytes, &RegReg<TOp, Size8>, &MemReg<TOp, Size8>, &RegReg<TOp, Size16>, &MemReg<TOp, Size16>,
                        &RegReg<TOp, Size32>, &MemReg<TOp, Size32>, &RegReg<TOp, Size64>, &MemReg<TOp, Size64>);
                    break;
                case Shape.RegRm:
                    Set(code, bytes, &RegReg<TOp, Size8>, &RegMem<TOp, Size8>, &RegReg<TOp, Size16>, &RegMem<TOp, Size16>,
                        &RegReg<TOp, Size32>, &RegMem<TOp, Size32>, &RegReg<TOp, Size64>, &RegMem<TOp, Size64>);
                    break;
                case Shape.RmImm:
                case Shape.RegImm:
                    Set(code, bytes, &RegImm<TOp, Size8>, &MemImm<TOp, Size8>, &RegImm<TOp, Size16>, &MemImm<TOp, Size16>,
                        &RegImm<TOp, Size32>, &MemImm<TOp, Size32>, &RegImm<TOp, Size64>, &MemImm<TOp, Size64>);
                    break;
            }
        }
    }

    /// <summary>Picks the register- and memory-form handlers for the operand size.</summary>
    public static void Set(Code code, int bytes,
        delegate*<Cpu, ref DecodedOp, void> r8, delegate*<Cpu, ref DecodedOp, void> m8,
        delegate*<Cpu, ref DecodedOp, void> r16, delegate*<Cpu, ref DecodedOp, void> m16,
        delegate*<Cpu, ref DecodedOp, void> r32, delegate*<Cpu, ref DecodedOp, void> m32,
        delegate*<Cpu, ref DecodedOp, void> r64, delegate*<Cpu, ref DecodedOp, void> m64,
        InstrFlags flags = InstrFlags.None)
    {
        switch (bytes)
        {
            case 1: InstructionTable.Set(code, r8, m8, flags); break;
            case 2: InstructionTable.Set(code, r16, m16, flags); break;
            case 4: InstructionTable.Set(code, r32, m32, flags); break;
            case 8: InstructionTable.Set(code, r64, m64, flags); break;
        }
    }
}
