using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// Control instructions (SDM vol. 1, 8.3.12 and table 8-13): they do not update the last-instruction
// pointers, and their no-wait forms (FN…) run even with an unmasked exception pending. The waiting
// forms (FINIT, FCLEX, FSTSW, FSTCW) are WAIT + FN… and report a pending exception first.
internal static unsafe partial class X87
{
    static void RegisterControl()
    {
        InstructionTable.Set(Code.Wait, &Wait);
        InstructionTable.Set(Code.Fninit, &Fninit);
        InstructionTable.Set(Code.Finit, &Waiting<FninitOp>);
        InstructionTable.Set(Code.Fnclex, &Fnclex);
        InstructionTable.Set(Code.Fclex, &Waiting<FnclexOp>);
        InstructionTable.Set(Code.Fnstsw_AX, &FnstswAx);
        InstructionTable.Set(Code.Fstsw_AX, &Waiting<FnstswAxOp>);
        InstructionTable.Set(Code.Fnstsw_m2byte, &FnstswMem);
        InstructionTable.Set(Code.Fstsw_m2byte, &Waiting<FnstswMemOp>);
        InstructionTable.Set(Code.Fnstcw_m2byte, &FnstcwMem);
        InstructionTable.Set(Code.Fstcw_m2byte, &Waiting<FnstcwMemOp>);
        InstructionTable.Set(Code.Fldcw_m2byte, &Fldcw);
        InstructionTable.Set(Code.Fnop, &Fnop);
        // 8087/80287 controls: the 80387 and later execute them as FNOP (SDM vol. 1, 8.3.12 note; vol. 2A, FNOP).
        foreach (var code in new[] { Code.Fneni, Code.Fndisi, Code.Fnsetpm })
            InstructionTable.Set(code, &Fnop8087);
        foreach (var code in new[] { Code.Feni, Code.Fdisi, Code.Fsetpm })
            InstructionTable.Set(code, &Waiting<Fnop8087Op>);
        InstructionTable.Set(Code.Ffree_sti, &Ffree);
        InstructionTable.Set(Code.Ffreep_sti, &Ffreep);
        InstructionTable.Set(Code.Fincstp, &Fincstp);
        InstructionTable.Set(Code.Fdecstp, &Fdecstp);
    }

    interface INoWait { static abstract void Run(Cpu c, ref DecodedOp op); }
    struct FninitOp : INoWait { public static void Run(Cpu c, ref DecodedOp op) => Fninit(c, ref op); }
    struct FnclexOp : INoWait { public static void Run(Cpu c, ref DecodedOp op) => Fnclex(c, ref op); }
    struct FnstswAxOp : INoWait { public static void Run(Cpu c, ref DecodedOp op) => FnstswAx(c, ref op); }
    struct FnstswMemOp : INoWait { public static void Run(Cpu c, ref DecodedOp op) => FnstswMem(c, ref op); }
    struct FnstcwMemOp : INoWait { public static void Run(Cpu c, ref DecodedOp op) => FnstcwMem(c, ref op); }
    struct Fnop8087Op : INoWait { public static void Run(Cpu c, ref DecodedOp op) => Fnop8087(c, ref op); }

    /// <summary>The WAIT-prefixed form of a no-wait control instruction: FWAIT's checks, then the instruction.</summary>
    static void Waiting<T>(Cpu c, ref DecodedOp op) where T : INoWait
    {
        if (!Available(c) || !NoPendingError(c)) return;
        T.Run(c, ref op);
    }

    /// <summary>WAIT/FWAIT: #NM only when CR0.MP and CR0.TS are both set (SDM vol. 3, table 2-2); then a pending error.</summary>
    static void Wait(Cpu c, ref DecodedOp op)
    {
        if ((c.cr0 & (CrBits.CR0_MP | CrBits.CR0_TS)) == (CrBits.CR0_MP | CrBits.CR0_TS)) { c.RaiseFault(Vector.NM, 0); return; }
        NoPendingError(c);
    }

    static void Fninit(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        c.fpu.Initialize();
    }

    /// <summary>FNCLEX: clears the exception flags, SF, ES and B (SDM vol. 2A, FCLEX/FNCLEX); C0-C3 are undefined and kept.</summary>
    static void Fnclex(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        var f = c.fpu;
        f.Status &= unchecked((ushort)~(0x3F | FpuState.SwSF | FpuState.SwES | FpuState.SwB));
        f.UpdateErrorSummary();
    }

    static void FnstswAx(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        c.SetReg<Size16>(0, c.fpu.StatusWord);
    }

    static void FnstswMem(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        c.Write<Size16>(op.Seg, c.EffectiveAddress(ref op), c.fpu.StatusWord);
    }

    static void FnstcwMem(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        c.Write<Size16>(op.Seg, c.EffectiveAddress(ref op), c.fpu.ControlWord);
    }

    /// <summary>
    /// FLDCW: a new control word can unmask a flag already set, which makes the exception pending
    /// (reported by the next waiting instruction, SDM vol. 2A, FLDCW). Bit 6 reads as 1 and the reserved
    /// bits 13-15 as 0 on the 80387 and later.
    /// </summary>
    static void Fldcw(Cpu c, ref DecodedOp op)
    {
        if (!Available(c)) return;
        if (!c.Read<Size16>(op.Seg, c.EffectiveAddress(ref op), out ulong cw)) return;
        c.fpu.ControlWord = (ushort)((cw & 0x1F3F) | 0x40);
        c.fpu.UpdateErrorSummary();
    }

    static void Fnop(Cpu c, ref DecodedOp op) => Begin(c, ref op);

    static void Fnop8087(Cpu c, ref DecodedOp op) => Available(c);

    /// <summary>FFREE: tags ST(i) empty; TOP is unchanged (SDM vol. 2A, FFREE).</summary>
    static void Ffree(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        c.fpu.SetTag(c.fpu.PhysicalIndex(op.R0), FpuState.TagEmpty);
    }

    /// <summary>FFREEP (DF C0+i): FFREE then pop; undocumented but present on the P6 family.</summary>
    static void Ffreep(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        c.fpu.SetTag(c.fpu.PhysicalIndex(op.R0), FpuState.TagEmpty);
        c.fpu.Pop();
    }

    /// <summary>FINCSTP/FDECSTP: rotate TOP without changing tags; C1 cleared (SDM vol. 2A).</summary>
    static void Fincstp(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        c.fpu.Top = (c.fpu.Top + 1) & 7;
        SetC1(c.fpu, false);
    }

    static void Fdecstp(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        c.fpu.Top = (c.fpu.Top - 1) & 7;
        SetC1(c.fpu, false);
    }
}
