using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>MOV, MOVZX/MOVSX, XCHG, LEA, PUSH/POP and their variants, CBW/CWD, LAHF/SAHF, segment loads,
/// BSWAP, XADD, CMPXCHG, CMPXCHG8B, CMOVcc, SETcc, XLAT (SDM vol. 2).</summary>
internal static unsafe class DataTransfer
{
    public static void Register()
    {
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Mov))
        {
            var (shape, bytes) = OperandShape.Of(code);
            switch (shape)
            {
                case Shape.RmReg:
                    AluForms.Set(code, bytes, &MovRR<Size8>, &MovMR<Size8>, &MovRR<Size16>, &MovMR<Size16>, &MovRR<Size32>, &MovMR<Size32>, &MovRR<Size64>, &MovMR<Size64>);
                    break;
                case Shape.RegRm:
                    AluForms.Set(code, bytes, &MovRR<Size8>, &MovRM<Size8>, &MovRR<Size16>, &MovRM<Size16>, &MovRR<Size32>, &MovRM<Size32>, &MovRR<Size64>, &MovRM<Size64>);
                    break;
                case Shape.RmImm:
                case Shape.RegImm:
                    AluForms.Set(code, bytes, &MovRI<Size8>, &MovMI<Size8>, &MovRI<Size16>, &MovMI<Size16>, &MovRI<Size32>, &MovMI<Size32>, &MovRI<Size64>, &MovMI<Size64>);
                    break;
            }
        }
        // moffs forms: the accumulator with a direct address.
        InstructionTable.Set(Code.Mov_AL_moffs8, &MovRM<Size8>);
        InstructionTable.Set(Code.Mov_AX_moffs16, &MovRM<Size16>);
        InstructionTable.Set(Code.Mov_EAX_moffs32, &MovRM<Size32>);
        InstructionTable.Set(Code.Mov_RAX_moffs64, &MovRM<Size64>);
        InstructionTable.Set(Code.Mov_moffs8_AL, &MovMR0<Size8>);
        InstructionTable.Set(Code.Mov_moffs16_AX, &MovMR0<Size16>);
        InstructionTable.Set(Code.Mov_moffs32_EAX, &MovMR0<Size32>);
        InstructionTable.Set(Code.Mov_moffs64_RAX, &MovMR0<Size64>);

        // Segment registers.
        InstructionTable.Set(Code.Mov_rm16_Sreg, &MovFromSregReg<Size16>, &MovFromSregMem);
        InstructionTable.Set(Code.Mov_r32m16_Sreg, &MovFromSregReg<Size32>, &MovFromSregMem);
        InstructionTable.Set(Code.Mov_r64m16_Sreg, &MovFromSregReg<Size64>, &MovFromSregMem);
        InstructionTable.Set(Code.Mov_Sreg_rm16, &MovToSreg, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Mov_Sreg_r32m16, &MovToSreg, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Mov_Sreg_r64m16, &MovToSreg, InstrFlags.EndsBlock);

        foreach (var (m, signed) in new[] { (Mnemonic.Movzx, false), (Mnemonic.Movsx, true), (Mnemonic.Movsxd, true) })
            foreach (var code in InstructionTable.CodesOf(m))
            {
                var info = code.ToOpCode();
                int d = OperandShape.Bytes(info.GetOpKind(0)), s = OperandShape.Bytes(info.GetOpKind(1));
                InstructionTable.Set(code, Extend(d, s, signed));
            }

        foreach (var code in InstructionTable.CodesOf(Mnemonic.Xchg))
        {
            var (_, bytes) = OperandShape.Of(code);
            if (bytes == 0) bytes = OperandShape.Bytes(code.ToOpCode().GetOpKind(1));
            AluForms.Set(code, bytes, &XchgRR<Size8>, &XchgMR<Size8>, &XchgRR<Size16>, &XchgMR<Size16>, &XchgRR<Size32>, &XchgMR<Size32>, &XchgRR<Size64>, &XchgMR<Size64>);
        }

        InstructionTable.Set(Code.Lea_r16_m, null, &Lea<Size16>);
        InstructionTable.Set(Code.Lea_r32_m, null, &Lea<Size32>);
        InstructionTable.Set(Code.Lea_r64_m, null, &Lea<Size64>);

        RegisterStack();

        InstructionTable.Set(Code.Cbw, &Cbw);
        InstructionTable.Set(Code.Cwde, &Cwde);
        InstructionTable.Set(Code.Cdqe, &Cdqe);
        InstructionTable.Set(Code.Cwd, &Cwd);
        InstructionTable.Set(Code.Cdq, &Cdq);
        InstructionTable.Set(Code.Cqo, &Cqo);
        InstructionTable.Set(Code.Lahf, &Lahf);
        InstructionTable.Set(Code.Sahf, &Sahf);

        InstructionTable.Set(Code.Lds_r16_m1616, null, &LoadFar<Size16, DsSeg>);
        InstructionTable.Set(Code.Lds_r32_m1632, null, &LoadFar<Size32, DsSeg>);
        InstructionTable.Set(Code.Les_r16_m1616, null, &LoadFar<Size16, EsSeg>);
        InstructionTable.Set(Code.Les_r32_m1632, null, &LoadFar<Size32, EsSeg>);
        InstructionTable.Set(Code.Lss_r16_m1616, null, &LoadFar<Size16, SsSeg>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Lss_r32_m1632, null, &LoadFar<Size32, SsSeg>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Lss_r64_m1664, null, &LoadFar<Size64, SsSeg>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Lfs_r16_m1616, null, &LoadFar<Size16, FsSeg>);
        InstructionTable.Set(Code.Lfs_r32_m1632, null, &LoadFar<Size32, FsSeg>);
        InstructionTable.Set(Code.Lfs_r64_m1664, null, &LoadFar<Size64, FsSeg>);
        InstructionTable.Set(Code.Lgs_r16_m1616, null, &LoadFar<Size16, GsSeg>);
        InstructionTable.Set(Code.Lgs_r32_m1632, null, &LoadFar<Size32, GsSeg>);
        InstructionTable.Set(Code.Lgs_r64_m1664, null, &LoadFar<Size64, GsSeg>);

        InstructionTable.Set(Code.Bswap_r16, &Bswap16);
        InstructionTable.Set(Code.Bswap_r32, &Bswap32);
        InstructionTable.Set(Code.Bswap_r64, &Bswap64);

        foreach (var code in InstructionTable.CodesOf(Mnemonic.Xadd))
        {
            var (_, bytes) = OperandShape.Of(code);
            AluForms.Set(code, bytes, &XaddR<Size8>, &XaddM<Size8>, &XaddR<Size16>, &XaddM<Size16>, &XaddR<Size32>, &XaddM<Size32>, &XaddR<Size64>, &XaddM<Size64>);
        }
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Cmpxchg))
        {
            var (_, bytes) = OperandShape.Of(code);
            AluForms.Set(code, bytes, &CmpxchgR<Size8>, &CmpxchgM<Size8>, &CmpxchgR<Size16>, &CmpxchgM<Size16>, &CmpxchgR<Size32>, &CmpxchgM<Size32>, &CmpxchgR<Size64>, &CmpxchgM<Size64>);
        }
        InstructionTable.Set(Code.Cmpxchg8b_m64, &Misc.InvalidOpcode, &Cmpxchg8b);

        for (int i = 0; i < InstructionTable.CodeCount; i++)
        {
            var code = (Code)i;
            var name = code.Mnemonic().ToString();
            if (name.StartsWith("Cmov", StringComparison.Ordinal))
            {
                var (_, bytes) = OperandShape.Of(code);
                AluForms.Set(code, bytes, null, null, &Cmov<Size16>, &Cmov<Size16>, &Cmov<Size32>, &Cmov<Size32>, &Cmov<Size64>, &Cmov<Size64>);
            }
            else if (name.StartsWith("Set", StringComparison.Ordinal) && code.ToOpCode().OpCount == 1 && OperandShape.Bytes(code.ToOpCode().GetOpKind(0)) == 1
                     && name is not ("Setssbsy"))
            {
                InstructionTable.Set(code, &Setcc);
            }
        }

        InstructionTable.Set(Code.Xlat_m8, &Xlat);
        InstructionTable.Set(Code.Nopw, &Misc.Nop);
        InstructionTable.Set(Code.Nopd, &Misc.Nop);
        InstructionTable.Set(Code.Nopq, &Misc.Nop);
        // PAUSE is REP NOP: a NOP on every processor, a spin-loop hint since the Pentium 4 (SDM vol. 2B, PAUSE).
        InstructionTable.Set(Code.Pause, &Misc.Nop);
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Nop)) InstructionTable.Set(code, &Misc.Nop);
    }

    // ---- MOV ----
    static void MovRR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.SetReg<T>(op.R0, c.GetReg<T>(op.R1));
    static void MovMR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.Write<T>(op.Seg, c.EffectiveAddress(ref op), c.GetReg<T>(op.R1));
    static void MovMR0<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.Write<T>(op.Seg, c.EffectiveAddress(ref op), c.GetReg<T>(0));
    static void MovRI<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.SetReg<T>(op.R0, op.Imm);
    static void MovMI<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.Write<T>(op.Seg, c.EffectiveAddress(ref op), op.Imm);
    static void MovRM<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out ulong v)) c.SetReg<T>(op.R0, v);
    }

    /// <summary>MOV r/m, Sreg: a register destination gets the selector zero-extended (SDM vol. 2, MOV).</summary>
    static void MovFromSregReg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (op.R1 > 5) { c.RaiseFault(Vector.UD, 0); return; }
        c.SetReg<T>(op.R0, c.Seg(op.R1).Selector);
    }

    static void MovFromSregMem(Cpu c, ref DecodedOp op)
    {
        if (op.R1 > 5) { c.RaiseFault(Vector.UD, 0); return; }
        c.Write<Size16>(op.Seg, c.EffectiveAddress(ref op), c.Seg(op.R1).Selector);
    }

    static void MovToSreg(Cpu c, ref DecodedOp op)
    {
        int sreg = op.R0;
        if (sreg == (int)SegReg.CS || sreg > 5) { c.RaiseFault(Vector.UD, 0); return; }
        ulong v;
        if ((op.Flags & DecodedOp.FlagMemory) != 0)
        {
            if (!c.Read<Size16>(op.Seg, c.EffectiveAddress(ref op), out v)) return;
        }
        else v = c.Reg(op.R1) & 0xFFFF;
        if (!c.LoadSegment(sreg, (ushort)v)) return;
        if (sreg == (int)SegReg.SS) c.interruptShadow = true;
    }

    // ---- MOVZX / MOVSX ----
    static delegate*<Cpu, ref DecodedOp, void> Extend(int d, int s, bool signed) => (d, s, signed) switch
    {
        (2, 1, false) => &Ext<Size16, Size8, Zero>, (4, 1, false) => &Ext<Size32, Size8, Zero>, (8, 1, false) => &Ext<Size64, Size8, Zero>,
        (2, 2, false) => &Ext<Size16, Size16, Zero>, (4, 2, false) => &Ext<Size32, Size16, Zero>, (8, 2, false) => &Ext<Size64, Size16, Zero>,
        (2, 1, true) => &Ext<Size16, Size8, Signed>, (4, 1, true) => &Ext<Size32, Size8, Signed>, (8, 1, true) => &Ext<Size64, Size8, Signed>,
        (2, 2, true) => &Ext<Size16, Size16, Signed>, (4, 2, true) => &Ext<Size32, Size16, Signed>, (8, 2, true) => &Ext<Size64, Size16, Signed>,
        (2, 2, _) or (4, 4, _) => &Ext<Size32, Size32, Zero>,
        (8, 4, true) => &Ext<Size64, Size32, Signed>,
        _ => &Misc.InvalidOpcode,
    };

    internal interface IExtension { static abstract bool IsSigned { get; } }
    internal struct Zero : IExtension { public static bool IsSigned => false; }
    internal struct Signed : IExtension { public static bool IsSigned => true; }

    static void Ext<TD, TS, TE>(Cpu c, ref DecodedOp op) where TD : unmanaged, IOperandSize where TS : unmanaged, IOperandSize where TE : IExtension
    {
        ulong v;
        if ((op.Flags & DecodedOp.FlagMemory) != 0)
        {
            if (!c.Read<TS>(op.Seg, c.EffectiveAddress(ref op), out v)) return;
        }
        else v = c.GetReg<TS>(op.R1);
        if (TE.IsSigned)
            v = TS.Bytes switch { 1 => (ulong)(long)(sbyte)v, 2 => (ulong)(long)(short)v, _ => (ulong)(long)(int)v };
        c.SetReg<TD>(op.R0, v & TD.Mask);
    }

    // ---- XCHG ----
    static void XchgRR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong a = c.GetReg<T>(op.R0), b = c.GetReg<T>(op.R1);
        c.SetReg<T>(op.R0, b);
        c.SetReg<T>(op.R1, a);
    }

    static void XchgMR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong m)) return;
        int r = op.R1;
        c.WriteRmw<T>(c.GetReg<T>(r));
        c.SetReg<T>(r, m);
    }

    static void Lea<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize =>
        c.SetReg<T>(op.R0, c.EffectiveAddress(ref op));

    // ---- stack ----
    static void RegisterStack()
    {
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Push))
        {
            var info = code.ToOpCode();
            var k = info.GetOpKind(0).ToString();
            int size = info.OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 0 };
            if (k.StartsWith("imm", StringComparison.Ordinal))
                AluForms.Set(code, size, null, null, &PushImm<Size16>, &PushImm<Size16>, &PushImm<Size32>, &PushImm<Size32>, &PushImm<Size64>, &PushImm<Size64>);
            else if (k is "es" or "cs" or "ss" or "ds" or "fs" or "gs")
                AluForms.Set(code, size, null, null, &PushSreg<Size16>, &PushSreg<Size16>, &PushSreg<Size32>, &PushSreg<Size32>, &PushSreg<Size64>, &PushSreg<Size64>);
            else
                AluForms.Set(code, size, null, null, &PushRm<Size16>, &PushRm<Size16>, &PushRm<Size32>, &PushRm<Size32>, &PushRm<Size64>, &PushRm<Size64>);
        }
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Pop))
        {
            var info = code.ToOpCode();
            var k = info.GetOpKind(0).ToString();
            int size = info.OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 0 };
            if (k is "es" or "cs" or "ss" or "ds" or "fs" or "gs")
            {
                var f = k == "ss" ? InstrFlags.EndsBlock : InstrFlags.None;
                AluForms.Set(code, size, null, null, &PopSreg<Size16>, &PopSreg<Size16>, &PopSreg<Size32>, &PopSreg<Size32>, &PopSreg<Size64>, &PopSreg<Size64>, f);
            }
            else
                AluForms.Set(code, size, null, null, &PopReg<Size16>, &PopMem<Size16>, &PopReg<Size32>, &PopMem<Size32>, &PopReg<Size64>, &PopMem<Size64>);
        }
        InstructionTable.Set(Code.Pushaw, &Pusha<Size16>);
        InstructionTable.Set(Code.Pushad, &Pusha<Size32>);
        InstructionTable.Set(Code.Popaw, &Popa<Size16>);
        InstructionTable.Set(Code.Popad, &Popa<Size32>);
        InstructionTable.Set(Code.Pushfw, &Pushf<Size16>);
        InstructionTable.Set(Code.Pushfd, &Pushf<Size32>);
        InstructionTable.Set(Code.Pushfq, &Pushf<Size64>);
        InstructionTable.Set(Code.Popfw, &Popf<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Popfd, &Popf<Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Popfq, &Popf<Size64>, InstrFlags.EndsBlock);
    }

    static void PushRm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong v)) return;
        c.Push<T>(v);
    }

    static void PushImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.Push<T>(op.Imm & T.Mask);

    /// <summary>PUSH Sreg: with a 32-bit operand size only the low 16 bits are written (SDM vol. 2, PUSH; recent processors).</summary>
    static void PushSreg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong sp = (c.Reg((int)Gpr.Rsp) - (ulong)T.Bytes) & c.StackMask;
        if (!c.Write<Size16>((int)SegReg.SS, sp, c.Seg(op.R0).Selector)) return;
        if (T.Bytes > 2 && !c.Read<T>((int)SegReg.SS, sp, out _)) return;
        c.SetSp(sp);
    }

    static void PopSreg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.PeekStack<T>(0, out ulong v)) return;
        if (!c.LoadSegment(op.R0, (ushort)v)) return;
        c.SetSp(c.Reg((int)Gpr.Rsp) + (ulong)T.Bytes);
        if (op.R0 == (int)SegReg.SS) c.interruptShadow = true;
    }

    static void PopReg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.Pop<T>(out ulong v)) return;
        c.SetReg<T>(op.R0, v);
    }

    /// <summary>POP m: the address is computed after ESP is incremented (SDM vol. 2, POP).</summary>
    static void PopMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.PeekStack<T>(0, out ulong v)) return;
        ulong oldSp = c.Reg((int)Gpr.Rsp);
        c.SetSp(oldSp + (ulong)T.Bytes);
        if (!c.Write<T>(op.Seg, c.EffectiveAddress(ref op), v)) c.Reg((int)Gpr.Rsp) = oldSp;
    }

    static void Pusha<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong sp = c.Reg((int)Gpr.Rsp);
        ulong mask = c.StackMask;
        ulong temp = sp & T.Mask;
        for (int r = 0; r < 8; r++)
        {
            ulong v = r == (int)Gpr.Rsp ? temp : c.GetReg<T>(r);
            if (!c.Write<T>((int)SegReg.SS, (sp - (ulong)((r + 1) * T.Bytes)) & mask, v)) return;
        }
        c.SetSp(sp - (ulong)(8 * T.Bytes));
    }

    static void Popa<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        Span<ulong> vals = stackalloc ulong[8];
        for (int i = 0; i < 8; i++)
            if (!c.PeekStack<T>((ulong)(i * T.Bytes), out vals[7 - i])) return;
        for (int r = 0; r < 8; r++)
            if (r != (int)Gpr.Rsp) c.SetReg<T>(r, vals[r]);
        c.SetSp(c.Reg((int)Gpr.Rsp) + (ulong)(8 * T.Bytes));
    }

    /// <summary>PUSHF: VM and RF read as 0 in the image; #GP(0) in V86 mode with IOPL &lt; 3 (SDM vol. 2, PUSHF).</summary>
    static void Pushf<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (c.Mode == CpuMode.Virtual8086 && c.Iopl < 3) { c.RaiseFault(Vector.GP, 0); return; }
        c.Push<T>(c.Eflags & ~(uint)(EFlags.VM | EFlags.RF) & T.Mask);
    }

    static void Popf<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (c.Mode == CpuMode.Virtual8086 && c.Iopl < 3) { c.RaiseFault(Vector.GP, 0); return; }
        if (!c.Pop<T>(out ulong v)) return;
        if (c.Mode == CpuMode.Virtual8086)
        {
            // IOPL is not changed in V86 mode (SDM vol. 3, 20.2.5).
            v = (v & ~(ulong)EFlags.IOPL) | ((ulong)c.Iopl << 12);
        }
        c.WriteFlagsFromStack(v, T.Bytes);
    }

    // ---- conversions and flags ----
    static void Cbw(Cpu c, ref DecodedOp op) => c.Reg16(0) = (ushort)(sbyte)c.Reg8(0);
    static void Cwde(Cpu c, ref DecodedOp op) => c.Reg(0) = (uint)(short)c.Reg16(0);
    static void Cdqe(Cpu c, ref DecodedOp op) => c.Reg(0) = (ulong)(int)c.Reg(0);
    static void Cwd(Cpu c, ref DecodedOp op) => c.Reg16(2) = (ushort)((short)c.Reg16(0) >> 15);
    static void Cdq(Cpu c, ref DecodedOp op) => c.Reg(2) = (uint)((int)c.Reg(0) >> 31);
    static void Cqo(Cpu c, ref DecodedOp op) => c.Reg(2) = (ulong)((long)c.Reg(0) >> 63);

    static void Lahf(Cpu c, ref DecodedOp op) => c.Reg8(1) = (byte)(c.Eflags & 0xD5 | 2);

    static void Sahf(Cpu c, ref DecodedOp op) =>
        c.SetFlagsMasked(c.Reg8(1), (uint)(EFlags.SF | EFlags.ZF | EFlags.AF | EFlags.PF | EFlags.CF));

    // ---- far pointer loads ----
    internal interface ISegIndex { static abstract int Index { get; } }
    internal struct DsSeg : ISegIndex { public static int Index => (int)SegReg.DS; }
    internal struct EsSeg : ISegIndex { public static int Index => (int)SegReg.ES; }
    internal struct SsSeg : ISegIndex { public static int Index => (int)SegReg.SS; }
    internal struct FsSeg : ISegIndex { public static int Index => (int)SegReg.FS; }
    internal struct GsSeg : ISegIndex { public static int Index => (int)SegReg.GS; }

    static void LoadFar<T, TS>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize where TS : ISegIndex
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (!c.Read<T>(op.Seg, ea, out ulong off)) return;
        if (!c.Read<Size16>(op.Seg, (ea + (ulong)T.Bytes) & op.AddrMask, out ulong sel)) return;
        if (!c.LoadSegment(TS.Index, (ushort)sel)) return;
        c.SetReg<T>(op.R0, off);
        if (TS.Index == (int)SegReg.SS) c.interruptShadow = true;
    }

    // ---- BSWAP, XADD, CMPXCHG ----
    static void Bswap16(Cpu c, ref DecodedOp op) => c.Reg16(op.R0) = 0;   // undefined; zero as current Intel CPUs do
    static void Bswap32(Cpu c, ref DecodedOp op) => c.Reg(op.R0) = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)c.Reg(op.R0));
    static void Bswap64(Cpu c, ref DecodedOp op) => c.Reg(op.R0) = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(c.Reg(op.R0));

    static void XaddR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong d = c.GetReg<T>(op.R0), s = c.GetReg<T>(op.R1);
        ulong r = Arithmetic.Add.Exec<T>(c, d, s);
        c.SetReg<T>(op.R1, d);
        c.SetReg<T>(op.R0, r);
    }

    static void XaddM<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        ulong s = c.GetReg<T>(op.R1);
        ulong r = Arithmetic.Add.Exec<T>(c, d, s);
        c.WriteRmw<T>(r);
        c.SetReg<T>(op.R1, d);
    }

    static void CmpxchgR<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong d = c.GetReg<T>(op.R0), acc = c.GetReg<T>(0);
        Arithmetic.Cmp.Exec<T>(c, acc, d);
        if (acc == d) c.SetReg<T>(op.R0, c.GetReg<T>(op.R1));
        else c.SetReg<T>(0, d);
    }

    /// <summary>CMPXCHG m: the destination is always written (with itself when unequal), SDM vol. 2.</summary>
    static void CmpxchgM<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        ulong acc = c.GetReg<T>(0);
        Arithmetic.Cmp.Exec<T>(c, acc, d);
        if (acc == d) c.WriteRmw<T>(c.GetReg<T>(op.R1));
        else
        {
            c.WriteRmw<T>(d);
            c.SetReg<T>(0, d);
        }
    }

    static void Cmpxchg8b(Cpu c, ref DecodedOp op)
    {
        if (!c.ReadRmw<Size64>(op.Seg, c.EffectiveAddress(ref op), out ulong m)) return;
        ulong edxeax = ((c.Reg(2) & 0xFFFF_FFFF) << 32) | (c.Reg(0) & 0xFFFF_FFFF);
        if (m == edxeax)
        {
            c.WriteRmw<Size64>(((c.Reg(1) & 0xFFFF_FFFF) << 32) | (c.Reg(3) & 0xFFFF_FFFF));
            c.SetFlagsMasked((uint)EFlags.ZF, (uint)EFlags.ZF);
        }
        else
        {
            c.WriteRmw<Size64>(m);
            c.Reg(0) = (uint)m;
            c.Reg(2) = (uint)(m >> 32);
            c.SetFlagsMasked(0, (uint)EFlags.ZF);
        }
    }

    /// <summary>CMOVcc: the source is read even when the condition is false; a 32-bit destination is
    /// zero-extended in 64-bit mode either way (SDM vol. 2, CMOVcc).</summary>
    static void Cmov<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong s;
        if ((op.Flags & DecodedOp.FlagMemory) != 0)
        {
            if (!c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out s)) return;
        }
        else s = c.GetReg<T>(op.R1);
        if (c.Condition((int)op.Imm2)) c.SetReg<T>(op.R0, s);
        else if (T.Bytes == 4) c.SetReg<T>(op.R0, c.GetReg<T>(op.R0));
    }

    static void Setcc(Cpu c, ref DecodedOp op) => c.WriteRm<Size8>(ref op, c.Condition((int)op.Imm2) ? 1UL : 0UL);

    static void Xlat(Cpu c, ref DecodedOp op)
    {
        ulong ea = (c.Reg((int)Gpr.Rbx) + c.Reg8(0)) & op.AddrMask;
        if (c.Read<Size8>(op.Seg, ea, out ulong v)) c.Reg8(0) = (byte)v;
    }
}
