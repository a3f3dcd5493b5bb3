using System.Numerics;
using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using static Emulator.Core.Cpu.Instructions.ResultFlags;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>What BT, BTS, BTR and BTC do to the selected bit after copying it to CF.</summary>
internal interface IBitOp
{
    /// <summary>False for BT, which only reads.</summary>
    static abstract bool WritesBack { get; }
    static abstract ulong Apply(ulong value, ulong bit);
}

/// <summary>
/// BT, BTS, BTR, BTC, BSF, BSR and the undocumented SALC (SDM vol. 2, BT/BTS/BTR/BTC, BSF, BSR).
/// <para>BTx set CF to the selected bit; OF, SF, AF and PF are undefined and, as on Intel CPUs and Bochs,
/// left unchanged; ZF is unaffected. BSF/BSR with a zero source set ZF and leave the destination
/// unchanged (what Intel and AMD CPUs do; AMD documents it); with a non-zero source ZF is cleared and the
/// undefined CF, OF, SF, AF, PF are set as by a logical operation on the index (CF=OF=AF=0, SF/PF from the
/// index), as Bochs does: no hardware data here says otherwise.</para>
/// </summary>
internal static unsafe class BitOps
{
    internal struct Bt : IBitOp
    {
        public static bool WritesBack => false;
        public static ulong Apply(ulong v, ulong bit) => v;
    }

    internal struct Bts : IBitOp
    {
        public static bool WritesBack => true;
        public static ulong Apply(ulong v, ulong bit) => v | bit;
    }

    internal struct Btr : IBitOp
    {
        public static bool WritesBack => true;
        public static ulong Apply(ulong v, ulong bit) => v & ~bit;
    }

    internal struct Btc : IBitOp
    {
        public static bool WritesBack => true;
        public static ulong Apply(ulong v, ulong bit) => v ^ bit;
    }

    static void SetCf(Cpu c, bool cf) => c.SetFlagsMasked(cf ? CF : 0, CF);

    /// <summary>Register destination: the offset (register or imm8) is taken modulo the operand size.</summary>
    static void RegForm<TOp, T>(Cpu c, ulong offset, ref DecodedOp op) where TOp : IBitOp where T : unmanaged, IOperandSize
    {
        ulong v = c.GetReg<T>(op.R0);
        ulong bit = 1UL << (int)(offset & (ulong)(T.Bytes * 8 - 1));
        SetCf(c, (v & bit) != 0);
        if (TOp.WritesBack) c.SetReg<T>(op.R0, TOp.Apply(v, bit));
    }

    static void MemAt<TOp, T>(Cpu c, ref DecodedOp op, ulong ea, int bitIndex) where TOp : IBitOp where T : unmanaged, IOperandSize
    {
        ulong bit = 1UL << bitIndex;
        if (TOp.WritesBack)
        {
            if (!c.ReadRmw<T>(op.Seg, ea, out ulong v)) return;
            c.WriteRmw<T>(TOp.Apply(v, bit));
            SetCf(c, (v & bit) != 0);
        }
        else
        {
            if (!c.Read<T>(op.Seg, ea, out ulong v)) return;
            SetCf(c, (v & bit) != 0);
        }
    }

    static void RegReg<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IBitOp where T : unmanaged, IOperandSize =>
        RegForm<TOp, T>(c, c.GetReg<T>(op.R1), ref op);

    static void RegImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IBitOp where T : unmanaged, IOperandSize =>
        RegForm<TOp, T>(c, op.Imm, ref op);

    /// <summary>Memory with an imm8 offset: the offset is taken modulo the operand size, so only the operand
    /// itself is addressed (SDM vol. 2, BT: "the immediate bit offset ... modulo the operand size").</summary>
    static void MemImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IBitOp where T : unmanaged, IOperandSize =>
        MemAt<TOp, T>(c, ref op, c.EffectiveAddress(ref op), (int)(op.Imm & (ulong)(T.Bytes * 8 - 1)));

    /// <summary>
    /// Memory with a register offset: the register is a signed bit index into the bit string that starts at
    /// bit 0 of the addressed byte, so it can reach operands below or above it. The operand read is the
    /// operand-sized unit at EA + size * (offset SAR log2(bits)); the sum wraps at the address size
    /// (SDM vol. 2, BT, "Operation" and table 3-2).
    /// </summary>
    static void MemReg<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IBitOp where T : unmanaged, IOperandSize
    {
        int bits = T.Bytes * 8, sh = 64 - bits;
        long offset = (long)(c.GetReg<T>(op.R1) << sh) >> sh;
        long unit = offset >> BitOperations.TrailingZeroCount(bits);
        ulong ea = (c.EffectiveAddress(ref op) + (ulong)(unit * T.Bytes)) & op.AddrMask;
        MemAt<TOp, T>(c, ref op, ea, (int)(offset & (bits - 1)));
    }

    static void RegisterBt<TOp>(Mnemonic m) where TOp : IBitOp
    {
        foreach (var code in InstructionTable.CodesOf(m))
        {
            var (shape, bytes) = OperandShape.Of(code);
            if (shape == Shape.RmReg)
                AluForms.Set(code, bytes, null, null, &RegReg<TOp, Size16>, &MemReg<TOp, Size16>,
                    &RegReg<TOp, Size32>, &MemReg<TOp, Size32>, &RegReg<TOp, Size64>, &MemReg<TOp, Size64>);
            else if (shape == Shape.RmImm)
                AluForms.Set(code, bytes, null, null, &RegImm<TOp, Size16>, &MemImm<TOp, Size16>,
                    &RegImm<TOp, Size32>, &MemImm<TOp, Size32>, &RegImm<TOp, Size64>, &MemImm<TOp, Size64>);
        }
    }

    // ---------------- BSF / BSR ----------------

    static bool ReadSource<T>(Cpu c, ref DecodedOp op, out ulong s) where T : unmanaged, IOperandSize
    {
        if ((op.Flags & DecodedOp.FlagMemory) != 0) return c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out s);
        s = c.GetReg<T>(op.R1);
        return true;
    }

    static void ScanResult<T>(Cpu c, ref DecodedOp op, ulong s, int index) where T : unmanaged, IOperandSize
    {
        if (s == 0)
        {
            c.SetFlagsMasked(ZF, ZF);
            return;
        }
        c.SetReg<T>(op.R0, (ulong)index);
        c.SetArithFlags(Szp<T>((ulong)index) & ~ZF);
    }

    static void Bsf<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!ReadSource<T>(c, ref op, out ulong s)) return;
        ScanResult<T>(c, ref op, s, BitOperations.TrailingZeroCount(s));
    }

    static void Bsr<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!ReadSource<T>(c, ref op, out ulong s)) return;
        ScanResult<T>(c, ref op, s, 63 - BitOperations.LeadingZeroCount(s));
    }

    /// <summary>SALC (D6, undocumented, invalid in 64-bit mode): AL = CF ? FFh : 00h; flags unchanged.</summary>
    static void Salc(Cpu c, ref DecodedOp op) => c.Reg8(0) = c.GetCF() ? (byte)0xFF : (byte)0;

    public static void Register()
    {
        RegisterBt<Bt>(Mnemonic.Bt);
        RegisterBt<Bts>(Mnemonic.Bts);
        RegisterBt<Btr>(Mnemonic.Btr);
        RegisterBt<Btc>(Mnemonic.Btc);
        // TZCNT (F3 0F BC) and LZCNT (F3 0F BD) execute as BSF and BSR on processors without BMI1 and
        // LZCNT, which ignore the F3 prefix there (SDM vol. 2B, TZCNT/LZCNT: "on processors that do not
        // support [them], the instruction byte encoding is executed as BSF/BSR"). None of the CPU models
        // here reports BMI1 or LZCNT, and kernels rely on this: Linux's __ffs is "rep; bsf".
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Bsf).Concat(InstructionTable.CodesOf(Mnemonic.Tzcnt)))
        {
            var (shape, bytes) = OperandShape.Of(code);
            if (shape == Shape.RegRm) AluForms.Set(code, bytes, null, null, &Bsf<Size16>, &Bsf<Size16>, &Bsf<Size32>, &Bsf<Size32>, &Bsf<Size64>, &Bsf<Size64>);
        }
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Bsr).Concat(InstructionTable.CodesOf(Mnemonic.Lzcnt)))
        {
            var (shape, bytes) = OperandShape.Of(code);
            if (shape == Shape.RegRm) AluForms.Set(code, bytes, null, null, &Bsr<Size16>, &Bsr<Size16>, &Bsr<Size32>, &Bsr<Size32>, &Bsr<Size64>, &Bsr<Size64>);
        }
        InstructionTable.Set(Code.Salc, &Salc);
    }
}
