using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// The MMX instructions (SDM vol. 1, ch. 9; vol. 2 per instruction) on the eight 64-bit MMX registers, which
/// are the significands of the x87 physical registers R0-R7 (SDM vol. 1, 9.5; <see cref="Emulator.Core.Cpu.X87.FpuState.Mmx"/>).
/// This file holds the entry checks, the operand forms and the data moves; the lane arithmetic is in
/// MmxLanes.cs. Only the MMX forms are registered: the SSE/SSE2 additions on MMX registers (PADDQ, PSUBQ,
/// PMULUDQ, PMULHUW...) and the xmm forms belong to SSE, which this core does not have.
/// </summary>
internal static unsafe partial class Mmx
{
    public static void Register()
    {
        InstructionTable.Set(Code.Movd_mm_rm32, &MovToMm<Size32>, &MovToMmMem<Size32>);
        InstructionTable.Set(Code.Movq_mm_rm64, &MovToMm<Size64>, &MovToMmMem<Size64>);
        InstructionTable.Set(Code.Movd_rm32_mm, &MovFromMm<Size32>, &MovFromMmMem<Size32>);
        InstructionTable.Set(Code.Movq_rm64_mm, &MovFromMm<Size64>, &MovFromMmMem<Size64>);
        InstructionTable.Set(Code.Movq_mm_mmm64, &Binary<Lanes.Copy>, &BinaryMem<Lanes.Copy, Size64>);
        InstructionTable.Set(Code.Movq_mmm64_mm, &Binary<Lanes.Copy>, &MovFromMmMem<Size64>);
        InstructionTable.Set(Code.Emms, &Emms);

        Bin<Lanes.PackSsWb>(Code.Packsswb_mm_mmm64);
        Bin<Lanes.PackSsDw>(Code.Packssdw_mm_mmm64);
        Bin<Lanes.PackUsWb>(Code.Packuswb_mm_mmm64);
        Bin<Lanes.AddB>(Code.Paddb_mm_mmm64);
        Bin<Lanes.AddW>(Code.Paddw_mm_mmm64);
        Bin<Lanes.AddD>(Code.Paddd_mm_mmm64);
        Bin<Lanes.AddSB>(Code.Paddsb_mm_mmm64);
        Bin<Lanes.AddSW>(Code.Paddsw_mm_mmm64);
        Bin<Lanes.AddUSB>(Code.Paddusb_mm_mmm64);
        Bin<Lanes.AddUSW>(Code.Paddusw_mm_mmm64);
        Bin<Lanes.SubB>(Code.Psubb_mm_mmm64);
        Bin<Lanes.SubW>(Code.Psubw_mm_mmm64);
        Bin<Lanes.SubD>(Code.Psubd_mm_mmm64);
        Bin<Lanes.SubSB>(Code.Psubsb_mm_mmm64);
        Bin<Lanes.SubSW>(Code.Psubsw_mm_mmm64);
        Bin<Lanes.SubUSB>(Code.Psubusb_mm_mmm64);
        Bin<Lanes.SubUSW>(Code.Psubusw_mm_mmm64);
        Bin<Lanes.CmpEqB>(Code.Pcmpeqb_mm_mmm64);
        Bin<Lanes.CmpEqW>(Code.Pcmpeqw_mm_mmm64);
        Bin<Lanes.CmpEqD>(Code.Pcmpeqd_mm_mmm64);
        Bin<Lanes.CmpGtB>(Code.Pcmpgtb_mm_mmm64);
        Bin<Lanes.CmpGtW>(Code.Pcmpgtw_mm_mmm64);
        Bin<Lanes.CmpGtD>(Code.Pcmpgtd_mm_mmm64);
        Bin<Lanes.MAddWD>(Code.Pmaddwd_mm_mmm64);
        Bin<Lanes.MulHW>(Code.Pmulhw_mm_mmm64);
        Bin<Lanes.MulLW>(Code.Pmullw_mm_mmm64);
        Bin<Lanes.And>(Code.Pand_mm_mmm64);
        Bin<Lanes.AndNot>(Code.Pandn_mm_mmm64);
        Bin<Lanes.Or>(Code.Por_mm_mmm64);
        Bin<Lanes.Xor>(Code.Pxor_mm_mmm64);
        Bin<Lanes.UnpackHBW>(Code.Punpckhbw_mm_mmm64);
        Bin<Lanes.UnpackHWD>(Code.Punpckhwd_mm_mmm64);
        Bin<Lanes.UnpackHDQ>(Code.Punpckhdq_mm_mmm64);
        // The low unpacks read only the low half of their source: a memory operand is 32 bits (SDM vol. 2, PUNPCKLBW).
        InstructionTable.Set(Code.Punpcklbw_mm_mmm32, &Binary<Lanes.UnpackLBW>, &BinaryMem<Lanes.UnpackLBW, Size32>);
        InstructionTable.Set(Code.Punpcklwd_mm_mmm32, &Binary<Lanes.UnpackLWD>, &BinaryMem<Lanes.UnpackLWD, Size32>);
        InstructionTable.Set(Code.Punpckldq_mm_mmm32, &Binary<Lanes.UnpackLDQ>, &BinaryMem<Lanes.UnpackLDQ, Size32>);

        Shift<Lanes.ShlW>(Code.Psllw_mm_mmm64, Code.Psllw_mm_imm8);
        Shift<Lanes.ShlD>(Code.Pslld_mm_mmm64, Code.Pslld_mm_imm8);
        Shift<Lanes.ShlQ>(Code.Psllq_mm_mmm64, Code.Psllq_mm_imm8);
        Shift<Lanes.ShrW>(Code.Psrlw_mm_mmm64, Code.Psrlw_mm_imm8);
        Shift<Lanes.ShrD>(Code.Psrld_mm_mmm64, Code.Psrld_mm_imm8);
        Shift<Lanes.ShrQ>(Code.Psrlq_mm_mmm64, Code.Psrlq_mm_imm8);
        Shift<Lanes.SarW>(Code.Psraw_mm_mmm64, Code.Psraw_mm_imm8);
        Shift<Lanes.SarD>(Code.Psrad_mm_mmm64, Code.Psrad_mm_imm8);
    }

    static void Bin<TOp>(Code code) where TOp : Lanes.IOp =>
        InstructionTable.Set(code, &Binary<TOp>, &BinaryMem<TOp, Size64>);

    /// <summary>A shift by an MMX register or m64 count, and by an imm8 count (SDM vol. 2, PSLLW/PSLLD/PSLLQ).</summary>
    static void Shift<TOp>(Code byMm, Code byImm) where TOp : Lanes.IOp
    {
        InstructionTable.Set(byMm, &Binary<TOp>, &BinaryMem<TOp, Size64>);
        InstructionTable.Set(byImm, &ShiftImm<TOp>);
    }

    /// <summary>
    /// The checks every MMX instruction makes before its operands (SDM vol. 3, 22.25.3, tables 22-7 and 22-8;
    /// 12.5, table 12-1): #UD on a CPU without MMX (CPUID.1:EDX bit 23) or with CR0.EM=1, whatever TS says;
    /// #NM with CR0.TS=1, so a kernel's lazy FPU switch sees MMX code too; #MF for a pending unmasked x87
    /// exception, reported as the x87's waiting instructions report it (<see cref="X87.NoPendingError"/>).
    /// </summary>
    static bool Begin(Cpu c)
    {
        if ((c.Model.FeaturesEdx & CpuModel.Edx.MMX) == 0 || (c.cr0 & CrBits.CR0_EM) != 0) return c.RaiseFault(Vector.UD, 0);
        if ((c.cr0 & CrBits.CR0_TS) != 0) return c.RaiseFault(Vector.NM, 0);
        return X87.NoPendingError(c);
    }

    // ---- forms: the destination is an MMX register (R0), the source an MMX register (R1), memory or imm8 ----

    static void Binary<TOp>(Cpu c, ref DecodedOp op) where TOp : Lanes.IOp
    {
        if (!Begin(c)) return;
        var f = c.fpu;
        ulong r = TOp.Exec(f.Mmx(op.R0), f.Mmx(op.R1));
        f.EnterMmx();
        f.SetMmx(op.R0, r);
    }

    static void BinaryMem<TOp, TSize>(Cpu c, ref DecodedOp op) where TOp : Lanes.IOp where TSize : unmanaged, IOperandSize
    {
        if (!Begin(c)) return;
        if (!c.Read<TSize>(op.Seg, c.EffectiveAddress(ref op), out ulong s)) return;
        var f = c.fpu;
        ulong r = TOp.Exec(f.Mmx(op.R0), s);
        f.EnterMmx();
        f.SetMmx(op.R0, r);
    }

    static void ShiftImm<TOp>(Cpu c, ref DecodedOp op) where TOp : Lanes.IOp
    {
        if (!Begin(c)) return;
        var f = c.fpu;
        ulong r = TOp.Exec(f.Mmx(op.R0), op.Imm & 0xFF);
        f.EnterMmx();
        f.SetMmx(op.R0, r);
    }

    // ---- MOVD/MOVQ between MMX registers and general registers or memory (SDM vol. 2, MOVD/MOVQ) ----

    /// <summary>MOVD mm, r32 (zero-extended) and, in 64-bit mode, MOVQ mm, r64.</summary>
    static void MovToMm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!Begin(c)) return;
        var f = c.fpu;
        ulong v = c.GetReg<T>(op.R1);
        f.EnterMmx();
        f.SetMmx(op.R0, v);
    }

    static void MovToMmMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!Begin(c)) return;
        if (!c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out ulong v)) return;
        var f = c.fpu;
        f.EnterMmx();
        f.SetMmx(op.R0, v);
    }

    /// <summary>MOVD r32, mm (the low doubleword; a 32-bit register write zero-extends in 64-bit mode) and MOVQ r64, mm.</summary>
    static void MovFromMm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!Begin(c)) return;
        var f = c.fpu;
        c.SetReg<T>(op.R0, f.Mmx(op.R1) & T.Mask);
        f.EnterMmx();
    }

    /// <summary>A store of an MMX register: the x87 side effects only once the store has succeeded, so a faulting store changes nothing.</summary>
    static void MovFromMmMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!Begin(c)) return;
        var f = c.fpu;
        if (!c.Write<T>(op.Seg, c.EffectiveAddress(ref op), f.Mmx(op.R1) & T.Mask)) return;
        f.EnterMmx();
    }

    /// <summary>EMMS: every tag empty (FFFFH); TOP and the registers are left as they are (SDM vol. 2A, EMMS; vol. 3, table 12-1).</summary>
    static void Emms(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c)) return;
        c.fpu.TagWord = 0xFFFF;
    }
}
