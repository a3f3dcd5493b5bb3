using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// IN and OUT with an imm8 or DX port, 8/16/32-bit (SDM vol. 2, IN/OUT), and the I/O
/// protection check they share with INS/OUTS (SDM vol. 1, 19.5-19.6). Every form ends its
/// block so a device's side effects (a raised IRQ, a machine exit request) are seen at once.
/// </summary>
internal static unsafe class PortIo
{
    public static void Register()
    {
        InstructionTable.Set(Code.In_AL_imm8, &InImm<Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.In_AX_imm8, &InImm<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.In_EAX_imm8, &InImm<Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.In_AL_DX, &InDx<Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.In_AX_DX, &InDx<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.In_EAX_DX, &InDx<Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_imm8_AL, &OutImm<Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_imm8_AX, &OutImm<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_imm8_EAX, &OutImm<Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_DX_AL, &OutDx<Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_DX_AX, &OutDx<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Out_DX_EAX, &OutDx<Size32>, InstrFlags.EndsBlock);
    }

    static void InImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => In<T>(c, (ushort)op.Imm);
    static void InDx<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => In<T>(c, (ushort)c.Reg((int)Gpr.Rdx));
    static void OutImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => Out<T>(c, (ushort)op.Imm);
    static void OutDx<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => Out<T>(c, (ushort)c.Reg((int)Gpr.Rdx));

    static void In<T>(Cpu c, ushort port) where T : unmanaged, IOperandSize
    {
        if (!CheckPermission(c, port, T.Bytes)) return;
        // A 32-bit IN zero-extends into RAX in 64-bit mode, like any 32-bit register write.
        c.SetReg<T>((int)Gpr.Rax, c.Io.In(port, T.Bytes));
    }

    static void Out<T>(Cpu c, ushort port) where T : unmanaged, IOperandSize
    {
        if (!CheckPermission(c, port, T.Bytes)) return;
        c.Io.Out(port, T.Bytes, (uint)c.GetReg<T>((int)Gpr.Rax));
    }

    /// <summary>
    /// The protected-mode I/O check (SDM vol. 1, 19.5 and 19.6; vol. 3, 20.2.8): allowed outright
    /// in real mode and when CPL &lt;= IOPL; otherwise (and always in V86 mode) every bit for
    /// ports <paramref name="port"/>..port+size-1 in the TSS I/O permission bitmap must be clear.
    /// Records #GP(0) and returns false when denied.
    /// </summary>
    internal static bool CheckPermission(Cpu c, ushort port, int size)
    {
        var mode = c.Mode;
        if (mode == CpuMode.Real) return true;
        if (mode != CpuMode.Virtual8086 && c.Cpl <= c.Iopl) return true;
        if (!ReadBitmap(c, port, size, out bool allowed)) return false;
        return allowed || c.RaiseFault(Vector.GP, 0);
    }

    /// <summary>
    /// Reads the bitmap the way the processor does: the 16-bit map base at TSS+0x66, then the
    /// two bytes at base + port/8 (two, so a multi-byte access straddling a byte boundary is
    /// covered; that is why the map ends with an extra 0xFF byte). Any byte beyond the TSS limit
    /// means denied; a 16-bit TSS has no bitmap at all. Returns false only when reading the TSS
    /// faulted (#PF recorded).
    /// </summary>
    static bool ReadBitmap(Cpu c, ushort port, int size, out bool allowed)
    {
        allowed = false;
        ref readonly var tr = ref c.tr;
        // Types 9/11: available/busy 32-bit TSS (the 64-bit TSS in IA-32e mode uses the same types).
        if ((tr.Type & 8) == 0 || tr.Limit < 0x67) return true;
        if (!c.ReadSystem(tr.Base + 0x66, 2, out ulong mapBase)) return false;
        ulong at = mapBase + (ulong)(port >> 3);
        if (at + 1 > tr.Limit) return true;
        if (!c.ReadSystem(tr.Base + at, 2, out ulong bits)) return false;
        ulong mask = ((1UL << size) - 1) << (port & 7);
        allowed = (bits & mask) == 0;
        return true;
    }
}
