using System.Runtime.CompilerServices;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu;

// Operand access shared by all handlers: effective addresses and sized register access.
public sealed partial class Cpu
{
    /// <summary>The effective address (offset in its segment) of the memory operand: branch-free,
    /// because absent base/index registers point at the always-zero register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong EffectiveAddress(ref DecodedOp op) =>
        (Reg(op.Base) + (Reg(op.Index) << op.Scale) + op.Disp) & op.AddrMask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong GetReg<T>(int r) where T : unmanaged, IOperandSize =>
        T.Bytes == 1 ? Reg8(r) : Reg(r) & T.Mask;

    /// <summary>Writes a register at operand size: 8/16-bit writes keep the other bits, 32-bit writes zero-extend
    /// (SDM vol. 1, 3.4.1.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetReg<T>(int r, ulong v) where T : unmanaged, IOperandSize
    {
        if (T.Bytes == 1) Reg8(r) = (byte)v;
        else if (T.Bytes == 2) Reg16(r) = (ushort)v;
        else if (T.Bytes == 4) Reg(r) = (uint)v;
        else Reg(r) = v;
    }

    /// <summary>Reads the r/m operand: register R0 in the register form, memory in the memory form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReadRm<T>(ref DecodedOp op, out ulong v) where T : unmanaged, IOperandSize
    {
        if ((op.Flags & DecodedOp.FlagMemory) == 0) { v = GetReg<T>(op.R0); return true; }
        return Read<T>(op.Seg, EffectiveAddress(ref op), out v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool WriteRm<T>(ref DecodedOp op, ulong v) where T : unmanaged, IOperandSize
    {
        if ((op.Flags & DecodedOp.FlagMemory) == 0) { SetReg<T>(op.R0, v); return true; }
        return Write<T>(op.Seg, EffectiveAddress(ref op), v);
    }

    /// <summary>The address of the instruction <paramref name="op"/> (where a fault or a restart resumes):
    /// it wraps within the code size, so an instruction at FFFF in 16-bit code that ends past it still starts at FFFF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong InstructionStart(ref DecodedOp op) => (op.NextIp - op.Length) & IpMask;

    /// <summary>Current operand-size stack push of the instruction pointer etc. uses these masks.</summary>
    internal ulong IpMask => codeSize switch { 0 => 0xFFFF, 1 => 0xFFFF_FFFF, _ => ulong.MaxValue };
}
