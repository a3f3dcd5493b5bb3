using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>JMP, Jcc, CALL, RET, LOOP/LOOPcc, JCXZ, ENTER, LEAVE, INT n/INT3/INTO, IRET and far transfers (SDM vol. 2).
/// Protected-mode far transfers (gates, privilege changes, tasks) are in <c>Cpu.FarTransfers</c>.</summary>
internal static unsafe class ControlTransfer
{
    public static void Register()
    {
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Jmp))
        {
            var info = code.ToOpCode();
            var k = info.GetOpKind(0).ToString();
            int size = info.OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 0 };
            if (k.StartsWith("br", StringComparison.Ordinal)) InstructionTable.Set(code, &JmpRel);
            else if (k.StartsWith("mem_offs", StringComparison.Ordinal) || k.StartsWith("farbr", StringComparison.Ordinal)) InstructionTable.Set(code, &JmpFarDirect);
            else if (k == "mem") AluForms.Set(code, size, null, null, null, &JmpFarIndirect<Size16>, null, &JmpFarIndirect<Size32>, null, &JmpFarIndirect<Size64>);
            else AluForms.Set(code, size, null, null, &JmpRm<Size16>, &JmpRm<Size16>, &JmpRm<Size32>, &JmpRm<Size32>, &JmpRm<Size64>, &JmpRm<Size64>);
        }
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Call))
        {
            var info = code.ToOpCode();
            var k = info.GetOpKind(0).ToString();
            int size = info.OperandSize switch { 16 => 2, 32 => 4, 64 => 8, _ => 0 };
            if (k.StartsWith("br", StringComparison.Ordinal))
                AluForms.Set(code, size, null, null, &CallRel<Size16>, &CallRel<Size16>, &CallRel<Size32>, &CallRel<Size32>, &CallRel<Size64>, &CallRel<Size64>);
            else if (k.StartsWith("farbr", StringComparison.Ordinal))
                AluForms.Set(code, size, null, null, &CallFarDirect<Size16>, &CallFarDirect<Size16>, &CallFarDirect<Size32>, &CallFarDirect<Size32>, null, null);
            else if (k == "mem")
                AluForms.Set(code, size, null, null, null, &CallFarIndirect<Size16>, null, &CallFarIndirect<Size32>, null, &CallFarIndirect<Size64>);
            else
                AluForms.Set(code, size, null, null, &CallRm<Size16>, &CallRm<Size16>, &CallRm<Size32>, &CallRm<Size32>, &CallRm<Size64>, &CallRm<Size64>);
        }
        for (int i = 0; i < InstructionTable.CodeCount; i++)
        {
            var code = (Code)i;
            if (code.ToOpCode().IsInstruction && code.ConditionCode() != ConditionCode.None && code.FlowControl() == FlowControl.ConditionalBranch
                && code.Mnemonic() is not (Mnemonic.Loop or Mnemonic.Loope or Mnemonic.Loopne or Mnemonic.Jcxz or Mnemonic.Jecxz or Mnemonic.Jrcxz))
                InstructionTable.Set(code, &Jcc);
        }
        InstructionTable.Set(Code.Retnw, &RetNear<Size16>);
        InstructionTable.Set(Code.Retnd, &RetNear<Size32>);
        InstructionTable.Set(Code.Retnq, &RetNear<Size64>);
        InstructionTable.Set(Code.Retnw_imm16, &RetNear<Size16>);
        InstructionTable.Set(Code.Retnd_imm16, &RetNear<Size32>);
        InstructionTable.Set(Code.Retnq_imm16, &RetNear<Size64>);
        InstructionTable.Set(Code.Retfw, &RetFar<Size16>);
        InstructionTable.Set(Code.Retfd, &RetFar<Size32>);
        InstructionTable.Set(Code.Retfq, &RetFar<Size64>);
        InstructionTable.Set(Code.Retfw_imm16, &RetFar<Size16>);
        InstructionTable.Set(Code.Retfd_imm16, &RetFar<Size32>);
        InstructionTable.Set(Code.Retfq_imm16, &RetFar<Size64>);

        InstructionTable.Set(Code.Loop_rel8_16_CX, &Loop<Size16, LoopAlways>);
        InstructionTable.Set(Code.Loop_rel8_32_CX, &Loop<Size16, LoopAlways>);
        InstructionTable.Set(Code.Loop_rel8_16_ECX, &Loop<Size32, LoopAlways>);
        InstructionTable.Set(Code.Loop_rel8_32_ECX, &Loop<Size32, LoopAlways>);
        InstructionTable.Set(Code.Loop_rel8_64_ECX, &Loop<Size32, LoopAlways>);
        InstructionTable.Set(Code.Loop_rel8_64_RCX, &Loop<Size64, LoopAlways>);
        InstructionTable.Set(Code.Loope_rel8_16_CX, &Loop<Size16, LoopZ>);
        InstructionTable.Set(Code.Loope_rel8_32_CX, &Loop<Size16, LoopZ>);
        InstructionTable.Set(Code.Loope_rel8_16_ECX, &Loop<Size32, LoopZ>);
        InstructionTable.Set(Code.Loope_rel8_32_ECX, &Loop<Size32, LoopZ>);
        InstructionTable.Set(Code.Loope_rel8_64_ECX, &Loop<Size32, LoopZ>);
        InstructionTable.Set(Code.Loope_rel8_64_RCX, &Loop<Size64, LoopZ>);
        InstructionTable.Set(Code.Loopne_rel8_16_CX, &Loop<Size16, LoopNz>);
        InstructionTable.Set(Code.Loopne_rel8_32_CX, &Loop<Size16, LoopNz>);
        InstructionTable.Set(Code.Loopne_rel8_16_ECX, &Loop<Size32, LoopNz>);
        InstructionTable.Set(Code.Loopne_rel8_32_ECX, &Loop<Size32, LoopNz>);
        InstructionTable.Set(Code.Loopne_rel8_64_ECX, &Loop<Size32, LoopNz>);
        InstructionTable.Set(Code.Loopne_rel8_64_RCX, &Loop<Size64, LoopNz>);
        InstructionTable.Set(Code.Jcxz_rel8_16, &Jcxz<Size16>);
        InstructionTable.Set(Code.Jcxz_rel8_32, &Jcxz<Size16>);
        InstructionTable.Set(Code.Jecxz_rel8_16, &Jcxz<Size32>);
        InstructionTable.Set(Code.Jecxz_rel8_32, &Jcxz<Size32>);
        InstructionTable.Set(Code.Jecxz_rel8_64, &Jcxz<Size32>);
        InstructionTable.Set(Code.Jrcxz_rel8_64, &Jcxz<Size64>);

        InstructionTable.Set(Code.Enterw_imm16_imm8, &Enter<Size16>);
        InstructionTable.Set(Code.Enterd_imm16_imm8, &Enter<Size32>);
        InstructionTable.Set(Code.Enterq_imm16_imm8, &Enter<Size64>);
        InstructionTable.Set(Code.Leavew, &Leave<Size16>);
        InstructionTable.Set(Code.Leaved, &Leave<Size32>);
        InstructionTable.Set(Code.Leaveq, &Leave<Size64>);

        InstructionTable.Set(Code.Int_imm8, &IntN, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Int3, &Int3, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Into, &Into, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Int1, &Int1, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Iretw, &Iret<Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Iretd, &Iret<Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Iretq, &Iret<Size64>, InstrFlags.EndsBlock);
    }

    /// <summary>A near branch: the target must lie within the CS limit, else #GP(0) at the branch (SDM vol. 2, JMP).</summary>
    internal static bool Branch(Cpu c, ulong target)
    {
        if (c.Mode != CpuMode.Long64 && target > c.Seg((int)SegReg.CS).Limit) return c.RaiseFault(Vector.GP, 0);
        c.Rip = target;
        return true;
    }

    static void JmpRel(Cpu c, ref DecodedOp op) => Branch(c, op.Imm);

    static void Jcc(Cpu c, ref DecodedOp op)
    {
        if (c.Condition((int)op.Imm2)) Branch(c, op.Imm);
    }

    static void JmpRm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (c.ReadRm<T>(ref op, out ulong t)) Branch(c, t);
    }

    static void CallRel<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong target = op.Imm;
        if (c.Mode != CpuMode.Long64 && target > c.Seg((int)SegReg.CS).Limit) { c.RaiseFault(Vector.GP, 0); return; }
        if (!c.Push<T>(op.NextIp & T.Mask)) return;
        c.Rip = target;
    }

    static void CallRm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong target)) return;
        if (c.Mode != CpuMode.Long64 && target > c.Seg((int)SegReg.CS).Limit) { c.RaiseFault(Vector.GP, 0); return; }
        if (!c.Push<T>(op.NextIp & T.Mask)) return;
        c.Rip = target;
    }

    static void RetNear<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.PeekStack<T>(0, out ulong target)) return;
        if (c.Mode != CpuMode.Long64 && target > c.Seg((int)SegReg.CS).Limit) { c.RaiseFault(Vector.GP, 0); return; }
        c.SetSp(c.Reg((int)Gpr.Rsp) + (ulong)T.Bytes + (op.Imm & 0xFFFF));
        c.Rip = target;
    }

    internal interface ILoopKind { static abstract bool Continue(Cpu c); }
    internal struct LoopAlways : ILoopKind { public static bool Continue(Cpu c) => true; }
    internal struct LoopZ : ILoopKind { public static bool Continue(Cpu c) => c.GetZF(); }
    internal struct LoopNz : ILoopKind { public static bool Continue(Cpu c) => !c.GetZF(); }

    /// <summary>LOOP/LOOPE/LOOPNE: the counter size is the address size (CX, ECX or RCX).</summary>
    static void Loop<TCount, TKind>(Cpu c, ref DecodedOp op) where TCount : unmanaged, IOperandSize where TKind : ILoopKind
    {
        ulong count = (c.GetReg<TCount>((int)Gpr.Rcx) - 1) & TCount.Mask;
        if (count != 0 && TKind.Continue(c))
        {
            if (!Branch(c, op.Imm)) return;
        }
        c.SetReg<TCount>((int)Gpr.Rcx, count);
    }

    static void Jcxz<TCount>(Cpu c, ref DecodedOp op) where TCount : unmanaged, IOperandSize
    {
        if (c.GetReg<TCount>((int)Gpr.Rcx) == 0) Branch(c, op.Imm);
    }

    /// <summary>ENTER (SDM vol. 2): push BP, copy nesting-1 frame pointers, push the frame pointer, reserve locals.
    /// Every write is checked before any register changes.</summary>
    static void Enter<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong size = op.Imm & 0xFFFF;
        int level = (int)(op.Imm2 & 0x1F);
        ulong mask = c.StackMask;
        ulong sp = c.Reg((int)Gpr.Rsp);
        ulong bp = c.Reg((int)Gpr.Rbp);
        ulong bpMask = mask == 0xFFFF ? 0xFFFF : mask;
        sp = (sp - (ulong)T.Bytes) & mask;
        if (!c.Write<T>((int)SegReg.SS, sp, bp & T.Mask)) return;
        ulong frameTemp = sp;
        if (level > 0)
        {
            ulong bpWalk = bp;
            for (int i = 1; i < level; i++)
            {
                bpWalk = (bpWalk - (ulong)T.Bytes) & bpMask;
                if (!c.Read<T>((int)SegReg.SS, bpWalk, out ulong v)) return;
                sp = (sp - (ulong)T.Bytes) & mask;
                if (!c.Write<T>((int)SegReg.SS, sp, v)) return;
            }
            sp = (sp - (ulong)T.Bytes) & mask;
            if (!c.Write<T>((int)SegReg.SS, sp, frameTemp & T.Mask)) return;
        }
        ulong newSp = (sp - size) & mask;
        // The final stack pointer must be within the limit (#SS(0)), SDM vol. 2, ENTER.
        ref var ss = ref c.Seg((int)SegReg.SS);
        if (newSp < ss.WriteLow || newSp > ss.WriteHigh) { c.RaiseFault(Vector.SS, 0); return; }
        c.SetReg<T>((int)Gpr.Rbp, frameTemp);
        c.SetSp(newSp);
    }

    static void Leave<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong bp = c.Reg((int)Gpr.Rbp) & c.StackMask;
        if (!c.Read<T>((int)SegReg.SS, bp, out ulong v)) return;
        c.SetSp(bp + (ulong)T.Bytes);
        c.SetReg<T>((int)Gpr.Rbp, v);
    }

    static void IntN(Cpu c, ref DecodedOp op) => c.SoftwareInterrupt((byte)op.Imm);

    static void Int3(Cpu c, ref DecodedOp op) => c.BreakpointInterrupt(Vector.BP);

    static void Int1(Cpu c, ref DecodedOp op) => c.BreakpointInterrupt(Vector.DB);

    static void Into(Cpu c, ref DecodedOp op)
    {
        if (c.GetOF()) c.BreakpointInterrupt(Vector.OF);
    }

    // ---- far transfers ----

    static void JmpFarDirect(Cpu c, ref DecodedOp op) => c.FarJump((ushort)op.Imm2, op.Imm, op.Code == (ushort)Code.Jmp_ptr1632 ? 4 : 2, op.Length);

    static void JmpFarIndirect<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (!c.Read<T>(op.Seg, ea, out ulong off)) return;
        if (!c.Read<Size16>(op.Seg, (ea + (ulong)T.Bytes) & op.AddrMask, out ulong sel)) return;
        c.FarJump((ushort)sel, off, T.Bytes, op.Length);
    }

    static void CallFarDirect<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize =>
        c.FarCall((ushort)op.Imm2, op.Imm, T.Bytes, op.NextIp, op.Length);

    static void CallFarIndirect<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (!c.Read<T>(op.Seg, ea, out ulong off)) return;
        if (!c.Read<Size16>(op.Seg, (ea + (ulong)T.Bytes) & op.AddrMask, out ulong sel)) return;
        c.FarCall((ushort)sel, off, T.Bytes, op.NextIp, op.Length);
    }

    static void RetFar<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize =>
        c.FarReturn(T.Bytes, (uint)(op.Imm & 0xFFFF), op.Length);

    static void Iret<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => c.InterruptReturn(T.Bytes, op.Length);
}
