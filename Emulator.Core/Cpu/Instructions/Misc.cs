using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>NOP, HLT, flag instructions, CPUID, RDTSC, BOUND, UD, and the fault handlers the decoder plants.</summary>
internal static unsafe class Misc
{
    public static void Register()
    {
        InstructionTable.Set(Code.Hlt, &Hlt, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Clc, &Clc);
        InstructionTable.Set(Code.Stc, &Stc);
        InstructionTable.Set(Code.Cmc, &Cmc);
        InstructionTable.Set(Code.Cld, &Cld);
        InstructionTable.Set(Code.Std, &Std);
        InstructionTable.Set(Code.Cli, &Cli);
        InstructionTable.Set(Code.Sti, &Sti, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Cpuid, &Cpuid);
        InstructionTable.Set(Code.Rdtsc, &Rdtsc);
        InstructionTable.Set(Code.Ud2, &InvalidOpcode, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Ud0, &InvalidOpcode, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Ud1_r16_rm16, &InvalidOpcode, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Ud1_r32_rm32, &InvalidOpcode, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Bound_r16_m1616, &InvalidOpcode, &Bound<Size16>);
        InstructionTable.Set(Code.Bound_r32_m3232, &InvalidOpcode, &Bound<Size32>);
        for (int i = 0; i < InstructionTable.CodeCount; i++)
        {
            var code = (Code)i;
            if (!InstructionTable.IsImplemented(code) && code.CpuidFeatures().Any(f => f is CpuidFeature.FPU or CpuidFeature.FPU287 or CpuidFeature.FPU287XL_ONLY or CpuidFeature.FPU387))
                InstructionTable.Set(code, &UnimplementedFpuInstruction);
        }
    }

    /// <summary>
    /// An x87 instruction the FPU (Instructions/X87*.cs, registered first) does not implement yet (issue 7):
    /// #NM when CR0.EM or CR0.TS is set, as for every x87 instruction (SDM vol. 3, 2.5, table 2-2), so a
    /// kernel's lazy FPU switch still happens first; otherwise #UD. CPUID reports an FPU, so silently
    /// ignoring the instruction (the no-coprocessor behaviour) would corrupt the program's results.
    /// </summary>
    static void UnimplementedFpuInstruction(Cpu c, ref DecodedOp op)
    {
        if ((c.cr0 & (CrBits.CR0_EM | CrBits.CR0_TS)) != 0) { c.RaiseFault(Vector.NM, 0); return; }
        c.RaiseFault(Vector.UD, 0);
    }

    public static void Nop(Cpu c, ref DecodedOp op) { }

    public static void InvalidOpcode(Cpu c, ref DecodedOp op)
    {
        c.RaiseFault(Vector.UD, 0);
    }

    public static void GeneralProtectionFault(Cpu c, ref DecodedOp op) => c.RaiseFault(Vector.GP, 0);

    /// <summary>HLT: privileged (#GP(0) at CPL &gt; 0); the CPU then waits for an interrupt.</summary>
    static void Hlt(Cpu c, ref DecodedOp op)
    {
        if (c.Cpl != 0) { c.RaiseFault(Vector.GP, 0); return; }
        c.Halted = true;
        c.exitBlock = true;
    }

    static void Clc(Cpu c, ref DecodedOp op) => c.SetFlagsMasked(0, (uint)EFlags.CF);
    static void Stc(Cpu c, ref DecodedOp op) => c.SetFlagsMasked((uint)EFlags.CF, (uint)EFlags.CF);
    static void Cmc(Cpu c, ref DecodedOp op) => c.SetFlagsMasked(c.GetCF() ? 0 : (uint)EFlags.CF, (uint)EFlags.CF);
    static void Cld(Cpu c, ref DecodedOp op) => c.eflagsBits &= ~(uint)EFlags.DF;
    static void Std(Cpu c, ref DecodedOp op) => c.eflagsBits |= (uint)EFlags.DF;

    /// <summary>CLI/STI: allowed when CPL &lt;= IOPL (IOPL = 3 in V86 mode), else #GP(0) (SDM vol. 2, CLI; VME/PVI not modelled).</summary>
    static void Cli(Cpu c, ref DecodedOp op)
    {
        if (c.Mode != CpuMode.Real && c.Cpl > c.Iopl) { c.RaiseFault(Vector.GP, 0); return; }
        c.eflagsBits &= ~(uint)EFlags.IF;
    }

    static void Sti(Cpu c, ref DecodedOp op)
    {
        if (c.Mode != CpuMode.Real && c.Cpl > c.Iopl) { c.RaiseFault(Vector.GP, 0); return; }
        // STI delays interrupts by one instruction when it sets IF (SDM vol. 2, STI).
        if ((c.eflagsBits & (uint)EFlags.IF) == 0) c.interruptShadow = true;
        c.eflagsBits |= (uint)EFlags.IF;
    }

    static void Cpuid(Cpu c, ref DecodedOp op) => c.ExecuteCpuid();

    /// <summary>RDTSC: #GP(0) when CR4.TSD is set and CPL &gt; 0 (SDM vol. 2, RDTSC).</summary>
    static void Rdtsc(Cpu c, ref DecodedOp op)
    {
        if ((c.cr4 & CrBits.CR4_TSD) != 0 && c.Cpl != 0 && c.Mode != CpuMode.Real) { c.RaiseFault(Vector.GP, 0); return; }
        ulong tsc = c.TimeStampCounter;
        c.Reg(0) = (uint)tsc;
        c.Reg(2) = (uint)(tsc >> 32);
    }

    /// <summary>BOUND: #BR when the signed index is outside [lower, upper] (SDM vol. 2, BOUND).</summary>
    static void Bound<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong ea = c.EffectiveAddress(ref op);
        if (!c.Read<T>(op.Seg, ea, out ulong lo)) return;
        if (!c.Read<T>(op.Seg, (ea + (ulong)T.Bytes) & op.AddrMask, out ulong hi)) return;
        long idx = T.Bytes == 2 ? (short)c.GetReg<T>(op.R0) : (int)c.GetReg<T>(op.R0);
        long l = T.Bytes == 2 ? (short)lo : (int)lo, h = T.Bytes == 2 ? (short)hi : (int)hi;
        if (idx < l || idx > h) c.RaiseFault(Vector.BR, 0);
    }

}
