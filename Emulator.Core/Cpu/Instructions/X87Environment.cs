using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// FSTENV/FLDENV and FSAVE/FRSTOR (SDM vol. 1, 8.1.10, figures 8-9 to 8-12). The environment is 14 bytes
// with a 16-bit operand size and 28 with a 32-bit one, in a protected-mode layout (offsets and selectors)
// or, in real and virtual-8086 mode, a real-mode layout (20/32-bit linear pointers split around the
// opcode). FSAVE/FRSTOR add the eight registers, ST(0) first, 10 bytes each.
internal static unsafe partial class X87
{
    static void RegisterEnvironment()
    {
        InstructionTable.Set(Code.Fnstenv_m14byte, &Fnstenv<Env16>);
        InstructionTable.Set(Code.Fnstenv_m28byte, &Fnstenv<Env32>);
        InstructionTable.Set(Code.Fstenv_m14byte, &WaitThen<Env16, StenvOp>);
        InstructionTable.Set(Code.Fstenv_m28byte, &WaitThen<Env32, StenvOp>);
        InstructionTable.Set(Code.Fldenv_m14byte, &Fldenv<Env16>);
        InstructionTable.Set(Code.Fldenv_m28byte, &Fldenv<Env32>);
        InstructionTable.Set(Code.Fnsave_m94byte, &Fnsave<Env16>);
        InstructionTable.Set(Code.Fnsave_m108byte, &Fnsave<Env32>);
        InstructionTable.Set(Code.Fsave_m94byte, &WaitThen<Env16, SaveOp>);
        InstructionTable.Set(Code.Fsave_m108byte, &WaitThen<Env32, SaveOp>);
        InstructionTable.Set(Code.Frstor_m94byte, &Frstor<Env16>);
        InstructionTable.Set(Code.Frstor_m108byte, &Frstor<Env32>);
    }

    interface IEnvSize { static abstract int Bytes { get; } }
    struct Env16 : IEnvSize { public static int Bytes => 14; }
    struct Env32 : IEnvSize { public static int Bytes => 28; }

    interface IEnvStore { static abstract void Run<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize; }
    struct StenvOp : IEnvStore { public static void Run<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize => Fnstenv<TEnv>(c, ref op); }
    struct SaveOp : IEnvStore { public static void Run<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize => Fnsave<TEnv>(c, ref op); }

    static void WaitThen<TEnv, TOp>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize where TOp : IEnvStore
    {
        if (!Available(c) || !NoPendingError(c)) return;
        TOp.Run<TEnv>(c, ref op);
    }

    static bool RealLayout(Cpu c) => c.Mode is CpuMode.Real or CpuMode.Virtual8086;

    /// <summary>The environment image as 16-bit words (7 or 14 of them), filled from the state.</summary>
    static void BuildEnvironment(Cpu c, Span<ushort> w, bool wide)
    {
        var f = c.fpu;
        ushort cw = f.ControlWord, sw = f.StatusWord, tw = f.FullTagWord();
        if (RealLayout(c))
        {
            uint ip = (uint)(f.InstructionSelector * 16u + f.InstructionPointer);
            uint dp = (uint)(f.DataSelector * 16u + f.DataPointer);
            if (wide)
            {
                // Figure 8-10: FIP[15:0]; FIP[31:16] in bits 12-27 above the opcode; FDP[15:0]; FDP[31:16] in bits 12-27.
                uint ipHigh = ((ip >> 16) << 12) | (f.Opcode & 0x7FFu);
                uint dpHigh = (dp >> 16) << 12;
                Fill32(w, cw, sw, tw, ip & 0xFFFF | 0xFFFF0000, ipHigh, dp & 0xFFFF | 0xFFFF0000, dpHigh);
            }
            else
            {
                // Figure 8-12: FIP[19:16] in bits 12-15 with the opcode; FDP[19:16] in bits 12-15.
                w[0] = cw; w[1] = sw; w[2] = tw;
                w[3] = (ushort)ip;
                w[4] = (ushort)(((ip >> 16) & 0xF) << 12 | (f.Opcode & 0x7FFu));
                w[5] = (ushort)dp;
                w[6] = (ushort)(((dp >> 16) & 0xF) << 12);
            }
        }
        else if (wide)
        {
            // Figure 8-9: FIP; FCS with the opcode in bits 16-26; FDP; FDS.
            Fill32(w, cw, sw, tw, (uint)f.InstructionPointer, f.InstructionSelector | (uint)(f.Opcode & 0x7FF) << 16,
                (uint)f.DataPointer, f.DataSelector | 0xFFFF0000);
        }
        else
        {
            // Figure 8-11.
            w[0] = cw; w[1] = sw; w[2] = tw;
            w[3] = (ushort)f.InstructionPointer; w[4] = f.InstructionSelector;
            w[5] = (ushort)f.DataPointer; w[6] = f.DataSelector;
        }
    }

    /// <summary>The 32-bit layouts: the reserved upper halves of the control, status and tag words read as FFFFH.</summary>
    static void Fill32(Span<ushort> w, ushort cw, ushort sw, ushort tw, uint d3, uint d4, uint d5, uint d6)
    {
        w[0] = cw; w[1] = 0xFFFF; w[2] = sw; w[3] = 0xFFFF; w[4] = tw; w[5] = 0xFFFF;
        w[6] = (ushort)d3; w[7] = (ushort)(d3 >> 16);
        w[8] = (ushort)d4; w[9] = (ushort)(d4 >> 16);
        w[10] = (ushort)d5; w[11] = (ushort)(d5 >> 16);
        w[12] = (ushort)d6; w[13] = (ushort)(d6 >> 16);
    }

    static bool StoreEnvironment(Cpu c, ref DecodedOp op, ulong ea, int totalBytes, bool wide)
    {
        if (!c.ProbeWrite(op.Seg, ea, totalBytes, op.AddrMask)) return false;
        Span<ushort> w = stackalloc ushort[14];
        BuildEnvironment(c, w, wide);
        int words = wide ? 14 : 7;
        for (int i = 0; i < words; i++)
            if (!c.Write<Size16>(op.Seg, (ea + (ulong)(2 * i)) & op.AddrMask, w[i])) return false;
        return true;
    }

    /// <summary>FNSTENV: stores the environment, then masks all exceptions (SDM vol. 2A, FSTENV/FNSTENV).</summary>
    static void Fnstenv<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize
    {
        if (!Available(c)) return;
        ulong ea = c.EffectiveAddress(ref op);
        if (!StoreEnvironment(c, ref op, ea, TEnv.Bytes, TEnv.Bytes == 28)) return;
        c.fpu.ControlWord |= 0x3F;
        c.fpu.UpdateErrorSummary();
    }

    /// <summary>FNSAVE: the environment, the eight registers from ST(0), then FNINIT (SDM vol. 2A, FSAVE/FNSAVE).</summary>
    static void Fnsave<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize
    {
        if (!Available(c)) return;
        ulong ea = c.EffectiveAddress(ref op);
        int total = TEnv.Bytes + 80;
        if (!c.ProbeWrite(op.Seg, ea, total, op.AddrMask)) return;
        if (!StoreEnvironment(c, ref op, ea, TEnv.Bytes, TEnv.Bytes == 28)) return;
        var f = c.fpu;
        for (int i = 0; i < 8; i++)
            if (!WriteFloat80(c, op.Seg, (ea + (ulong)(TEnv.Bytes + 10 * i)) & op.AddrMask, op.AddrMask, f.St(i))) return;
        f.Initialize();
    }

    /// <summary>Reads the environment words; nothing is changed if any read faults.</summary>
    static bool ReadEnvironment(Cpu c, ref DecodedOp op, ulong ea, Span<ushort> w, int words)
    {
        for (int i = 0; i < words; i++)
        {
            if (!c.Read<Size16>(op.Seg, (ea + (ulong)(2 * i)) & op.AddrMask, out ulong v)) return false;
            w[i] = (ushort)v;
        }
        return true;
    }

    static void ApplyEnvironment(Cpu c, ReadOnlySpan<ushort> w, bool wide)
    {
        var f = c.fpu;
        int k = wide ? 2 : 1;   // words per field
        ushort cw = w[0], sw = w[k], tw = w[2 * k];
        f.ControlWord = (ushort)((cw & 0x1F3F) | 0x40);
        f.Status = (ushort)(sw & ~FpuState.SwTop);
        f.Top = (sw >> 11) & 7;
        // Only "empty" matters in the loaded tag word; the others are recomputed from the contents.
        int tags = 0;
        for (int p = 0; p < 8; p++)
        {
            int t = (tw >> (2 * p)) & 3;
            tags |= (t == FpuState.TagEmpty ? FpuState.TagEmpty : FpuState.TagOf(f.Regs[p])) << (2 * p);
        }
        f.TagWord = (ushort)tags;
        if (c.Mode is CpuMode.Real or CpuMode.Virtual8086)
        {
            uint ipHigh = Field(w, wide, 4), dpHigh = Field(w, wide, 6);
            f.InstructionPointer = wide ? (Field(w, wide, 3) & 0xFFFF) | ((ipHigh >> 12) << 16) : Field(w, wide, 3) | ((ipHigh >> 12) & 0xF) << 16;
            f.DataPointer = wide ? (Field(w, wide, 5) & 0xFFFF) | ((dpHigh >> 12) << 16) : Field(w, wide, 5) | ((dpHigh >> 12) & 0xF) << 16;
            f.InstructionSelector = f.DataSelector = 0;   // the real-mode image holds linear addresses
            f.Opcode = (ushort)(ipHigh & 0x7FF);
        }
        else
        {
            f.InstructionPointer = Field(w, wide, 3);
            f.InstructionSelector = (ushort)Field(w, wide, 4);
            f.Opcode = wide ? (ushort)((Field(w, wide, 4) >> 16) & 0x7FF) : (ushort)0;
            f.DataPointer = Field(w, wide, 5);
            f.DataSelector = (ushort)Field(w, wide, 6);
        }
        f.UpdateErrorSummary();
    }

    /// <summary>Field <paramref name="i"/> of the environment: a word in the 16-bit layouts, a doubleword in the 32-bit ones.</summary>
    static uint Field(ReadOnlySpan<ushort> w, bool wide, int i) => wide ? (uint)(w[2 * i] | w[2 * i + 1] << 16) : w[i];

    /// <summary>FLDENV: a pending unmasked exception in the loaded status word is reported by the next waiting instruction.</summary>
    static void Fldenv<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize
    {
        if (!Available(c)) return;
        ulong ea = c.EffectiveAddress(ref op);
        Span<ushort> w = stackalloc ushort[14];
        if (!ReadEnvironment(c, ref op, ea, w, TEnv.Bytes / 2)) return;
        ApplyEnvironment(c, w, TEnv.Bytes == 28);
    }

    static void Frstor<TEnv>(Cpu c, ref DecodedOp op) where TEnv : IEnvSize
    {
        if (!Available(c)) return;
        ulong ea = c.EffectiveAddress(ref op);
        Span<ushort> w = stackalloc ushort[14];
        if (!ReadEnvironment(c, ref op, ea, w, TEnv.Bytes / 2)) return;
        Span<Float80> regs = stackalloc Float80[8];
        for (int i = 0; i < 8; i++)
            if (!ReadFloat80(c, op.Seg, (ea + (ulong)(TEnv.Bytes + 10 * i)) & op.AddrMask, op.AddrMask, out regs[i])) return;
        var f = c.fpu;
        int sw = TEnv.Bytes == 28 ? w[2] : w[1];
        int top = (sw >> 11) & 7;
        for (int i = 0; i < 8; i++) f.Regs[(top + i) & 7] = regs[i];
        ApplyEnvironment(c, w, TEnv.Bytes == 28);
    }
}
