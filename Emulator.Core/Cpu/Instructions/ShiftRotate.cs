using System.Runtime.CompilerServices;
using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using static Emulator.Core.Cpu.Instructions.ResultFlags;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>A shift or rotate by a masked, non-zero count; it sets the flags itself.</summary>
internal interface IShiftOp
{
    static abstract ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize;
}

/// <summary>
/// SHL/SAL, SHR, SAR, ROL, ROR, RCL, RCR (by 1, CL or imm8) and SHLD, SHRD (SDM vol. 2, SAL/SAR/SHL/SHR,
/// RCL/RCR/ROL/ROR, SHLD, SHRD).
/// <para>The count is masked to 5 bits (6 with a 64-bit operand); a masked count of 0 changes nothing,
/// not even the flags. Where the SDM leaves a flag undefined this follows real hardware:</para>
/// <list type="bullet">
/// <item>OF for counts above 1 is computed as for a count of 1 from the final result, as Intel CPUs (and the
/// 80286 in the SingleStepTests data) do: SHL/SAL, ROL, RCL: MSB(result) XOR CF; SHR, ROR, RCR, SHRD:
/// XOR of the two top bits of the result (for SHR that is MSB(original) for a count of 1 and 0 for larger
/// counts, which is what the 286 data shows); SAR: 0.</item>
/// <item>CF of SHL/SHR with a count at or above the operand size is the last bit shifted out of an
/// operand extended with zeros (SHL, SHR: 0) or copies of the sign (SAR: the sign).</item>
/// <item>AF of SHL/SAL is bit 4 of the result and of SHR/SAR is 1: what the 80286 produces in every
/// SingleStepTests case (the 286 shifts through its adder). SHLD/SHRD (386+, no hardware data here)
/// clear AF.</item>
/// <item>RCL/RCR rotate modulo 9 (8-bit) or 17 (16-bit); when the masked count is non-zero but the rotation
/// is a whole turn, CF and the value are unchanged and OF is still recomputed from the value (286 data).
/// ROL/ROR likewise update CF and OF when the masked count is a multiple of the operand size
/// (SDM pseudo-code: the flags depend on the masked count, not on the rotation).</item>
/// </list>
/// </summary>
internal static unsafe class ShiftRotate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int Bits<T>() where T : unmanaged, IOperandSize => T.Bytes * 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int CountMask<T>() where T : unmanaged, IOperandSize => T.Bytes == 8 ? 0x3F : 0x1F;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Msb<T>(ulong v) where T : unmanaged, IOperandSize => (v & T.Sign) != 0;

    /// <summary>Bit (size - 2) of <paramref name="v"/>, the bit below the sign.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static bool Msb2<T>(ulong v) where T : unmanaged, IOperandSize => (v & (T.Sign >> 1)) != 0;

    const uint CfOf = CF | OF;

    internal struct Shl : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int bits = Bits<T>();
            ulong r = (d << n) & T.Mask;
            bool cf = n <= bits && ((d >> (bits - n)) & 1) != 0;
            c.SetArithFlags(Szp<T>(r) | If(cf, CF) | If(Msb<T>(r) != cf, OF) | If((r & 0x10) != 0, AF));
            return r;
        }
    }

    internal struct Shr : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            ulong r = d >> n;
            bool cf = ((d >> (n - 1)) & 1) != 0;
            c.SetArithFlags(Szp<T>(r) | If(cf, CF) | If(Msb<T>(r) != Msb2<T>(r), OF) | AF);
            return r;
        }
    }

    internal struct Sar : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int sh = 64 - Bits<T>();
            long sd = (long)(d << sh) >> sh;
            ulong r = (ulong)(sd >> n) & T.Mask;
            bool cf = ((sd >> (n - 1)) & 1) != 0;
            c.SetArithFlags(Szp<T>(r) | If(cf, CF) | AF);
            return r;
        }
    }

    internal struct Rol : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int bits = Bits<T>(), k = n & (bits - 1);
            ulong r = k == 0 ? d : ((d << k) | (d >> (bits - k))) & T.Mask;
            bool cf = (r & 1) != 0;
            c.SetFlagsMasked(If(cf, CF) | If(Msb<T>(r) != cf, OF), CfOf);
            return r;
        }
    }

    internal struct Ror : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int bits = Bits<T>(), k = n & (bits - 1);
            ulong r = k == 0 ? d : ((d >> k) | (d << (bits - k))) & T.Mask;
            c.SetFlagsMasked(If(Msb<T>(r), CF) | If(Msb<T>(r) != Msb2<T>(r), OF), CfOf);
            return r;
        }
    }

    internal struct Rcl : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int bits = Bits<T>();
            // 8/16-bit operands rotate through CF modulo 9/17 (SDM vol. 2, RCL: tempCOUNT).
            int k = bits < 32 ? n % (bits + 1) : n;
            bool cf = c.GetCF();
            ulong r = d;
            if (k != 0)
            {
                // Rotate the (size + 1)-bit value CF:dest.
                UInt128 mask = (UInt128.One << (bits + 1)) - 1;
                UInt128 v = ((UInt128)(cf ? 1u : 0u) << bits) | d;
                v = ((v << k) | (v >> (bits + 1 - k))) & mask;
                r = (ulong)v & T.Mask;
                cf = ((v >> bits) & 1) != 0;
            }
            c.SetFlagsMasked(If(cf, CF) | If(Msb<T>(r) != cf, OF), CfOf);
            return r;
        }
    }

    internal struct Rcr : IShiftOp
    {
        public static ulong Exec<T>(Cpu c, ulong d, int n) where T : unmanaged, IOperandSize
        {
            int bits = Bits<T>();
            int k = bits < 32 ? n % (bits + 1) : n;
            bool cf = c.GetCF();
            ulong r = d;
            if (k != 0)
            {
                UInt128 mask = (UInt128.One << (bits + 1)) - 1;
                UInt128 v = ((UInt128)(cf ? 1u : 0u) << bits) | d;
                v = ((v >> k) | (v << (bits + 1 - k))) & mask;
                r = (ulong)v & T.Mask;
                cf = ((v >> bits) & 1) != 0;
            }
            // For a count of 1 this is MSB(dest) XOR CF before the rotation (SDM), which lands in the top two bits.
            c.SetFlagsMasked(If(cf, CF) | If(Msb<T>(r) != Msb2<T>(r), OF), CfOf);
            return r;
        }
    }

    static void RegImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IShiftOp where T : unmanaged, IOperandSize
    {
        int n = (int)op.Imm & CountMask<T>();
        if (n == 0) return;
        c.SetReg<T>(op.R0, TOp.Exec<T>(c, c.GetReg<T>(op.R0), n));
    }

    static void MemImm<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IShiftOp where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        int n = (int)op.Imm & CountMask<T>();
        if (n == 0) return;
        c.WriteRmw<T>(TOp.Exec<T>(c, d, n));
    }

    static void RegCl<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IShiftOp where T : unmanaged, IOperandSize
    {
        int n = (int)c.Reg(1) & CountMask<T>();
        if (n == 0) return;
        c.SetReg<T>(op.R0, TOp.Exec<T>(c, c.GetReg<T>(op.R0), n));
    }

    static void MemCl<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IShiftOp where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        int n = (int)c.Reg(1) & CountMask<T>();
        if (n == 0) return;
        c.WriteRmw<T>(TOp.Exec<T>(c, d, n));
    }

    // ---------------- SHLD / SHRD ----------------

    /// <summary>
    /// SHLD dest, src, n: dest:src shifted left, the top half kept. A 16-bit SHLD with a count of 17-31 is
    /// undefined (SDM); like P6-family CPUs (and Bochs) this shifts the 48-bit value dest:src:dest, so CF is
    /// the last bit shifted out of that value.
    /// </summary>
    static ulong Shld<T>(Cpu c, ulong d, ulong s, int n) where T : unmanaged, IOperandSize
    {
        int bits = Bits<T>();
        ulong r;
        bool cf;
        if (T.Bytes == 2)
        {
            ulong p = (d << 32) | (s << 16) | d;
            r = (p >> (32 - n)) & 0xFFFF;
            cf = ((p >> (48 - n)) & 1) != 0;
        }
        else
        {
            r = ((d << n) | (s >> (bits - n))) & T.Mask;
            cf = ((d >> (bits - n)) & 1) != 0;
        }
        c.SetArithFlags(Szp<T>(r) | If(cf, CF) | If(Msb<T>(r) != cf, OF));
        return r;
    }

    /// <summary>SHRD dest, src, n: src:dest shifted right, the low half kept; a 16-bit count of 17-31 shifts
    /// dest:src:dest as P6-family CPUs do (see <see cref="Shld{T}"/>).</summary>
    static ulong Shrd<T>(Cpu c, ulong d, ulong s, int n) where T : unmanaged, IOperandSize
    {
        int bits = Bits<T>();
        ulong r;
        bool cf;
        if (T.Bytes == 2)
        {
            ulong p = (d << 32) | (s << 16) | d;
            r = (p >> n) & 0xFFFF;
            cf = ((p >> (n - 1)) & 1) != 0;
        }
        else
        {
            r = ((d >> n) | (s << (bits - n))) & T.Mask;
            cf = ((d >> (n - 1)) & 1) != 0;
        }
        c.SetArithFlags(Szp<T>(r) | If(cf, CF) | If(Msb<T>(r) != Msb2<T>(r), OF));
        return r;
    }

    static void DoubleReg<T>(Cpu c, ref DecodedOp op, int n, bool left) where T : unmanaged, IOperandSize
    {
        n &= CountMask<T>();
        if (n == 0) return;
        ulong d = c.GetReg<T>(op.R0), s = c.GetReg<T>(op.R1);
        c.SetReg<T>(op.R0, left ? Shld<T>(c, d, s, n) : Shrd<T>(c, d, s, n));
    }

    static void DoubleMem<T>(Cpu c, ref DecodedOp op, int n, bool left) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        n &= CountMask<T>();
        if (n == 0) return;
        ulong s = c.GetReg<T>(op.R1);
        c.WriteRmw<T>(left ? Shld<T>(c, d, s, n) : Shrd<T>(c, d, s, n));
    }

    static void ShldRegImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleReg<T>(c, ref op, (int)op.Imm, true);
    static void ShldMemImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleMem<T>(c, ref op, (int)op.Imm, true);
    static void ShldRegCl<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleReg<T>(c, ref op, (int)c.Reg(1), true);
    static void ShldMemCl<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleMem<T>(c, ref op, (int)c.Reg(1), true);
    static void ShrdRegImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleReg<T>(c, ref op, (int)op.Imm, false);
    static void ShrdMemImm<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleMem<T>(c, ref op, (int)op.Imm, false);
    static void ShrdRegCl<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleReg<T>(c, ref op, (int)c.Reg(1), false);
    static void ShrdMemCl<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize => DoubleMem<T>(c, ref op, (int)c.Reg(1), false);

    // ---------------- registration ----------------

    public static void Register()
    {
        RegisterShift<Rol>(Mnemonic.Rol);
        RegisterShift<Ror>(Mnemonic.Ror);
        RegisterShift<Rcl>(Mnemonic.Rcl);
        RegisterShift<Rcr>(Mnemonic.Rcr);
        RegisterShift<Shl>(Mnemonic.Shl);
        // D0-D3 /6 and C0/C1 /6: an undocumented alias of SHL on Intel CPUs (Iced calls it SAL).
        RegisterShift<Shl>(Mnemonic.Sal);
        RegisterShift<Shr>(Mnemonic.Shr);
        RegisterShift<Sar>(Mnemonic.Sar);

        foreach (var code in InstructionTable.CodesOf(Mnemonic.Shld))
        {
            var info = code.ToOpCode();
            int bytes = OperandShape.Bytes(info.GetOpKind(1));
            if (info.GetOpKind(2) == OpCodeOperandKind.cl)
                AluForms.Set(code, bytes, null, null, &ShldRegCl<Size16>, &ShldMemCl<Size16>, &ShldRegCl<Size32>, &ShldMemCl<Size32>, &ShldRegCl<Size64>, &ShldMemCl<Size64>);
            else
                AluForms.Set(code, bytes, null, null, &ShldRegImm<Size16>, &ShldMemImm<Size16>, &ShldRegImm<Size32>, &ShldMemImm<Size32>, &ShldRegImm<Size64>, &ShldMemImm<Size64>);
        }
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Shrd))
        {
            var info = code.ToOpCode();
            int bytes = OperandShape.Bytes(info.GetOpKind(1));
            if (info.GetOpKind(2) == OpCodeOperandKind.cl)
                AluForms.Set(code, bytes, null, null, &ShrdRegCl<Size16>, &ShrdMemCl<Size16>, &ShrdRegCl<Size32>, &ShrdMemCl<Size32>, &ShrdRegCl<Size64>, &ShrdMemCl<Size64>);
            else
                AluForms.Set(code, bytes, null, null, &ShrdRegImm<Size16>, &ShrdMemImm<Size16>, &ShrdRegImm<Size32>, &ShrdMemImm<Size32>, &ShrdRegImm<Size64>, &ShrdMemImm<Size64>);
        }
    }

    /// <summary>Registers the by-1 and by-imm8 forms (the count is the immediate, 1 for D0/D1) and the by-CL forms.</summary>
    static void RegisterShift<TOp>(Mnemonic m) where TOp : IShiftOp
    {
        foreach (var code in InstructionTable.CodesOf(m))
        {
            var info = code.ToOpCode();
            if (info.OpCount != 2) continue;
            int bytes = OperandShape.Bytes(info.GetOpKind(0));
            if (info.GetOpKind(1) == OpCodeOperandKind.cl)
                AluForms.Set(code, bytes, &RegCl<TOp, Size8>, &MemCl<TOp, Size8>, &RegCl<TOp, Size16>, &MemCl<TOp, Size16>,
                    &RegCl<TOp, Size32>, &MemCl<TOp, Size32>, &RegCl<TOp, Size64>, &MemCl<TOp, Size64>);
            else
                AluForms.Set(code, bytes, &RegImm<TOp, Size8>, &MemImm<TOp, Size8>, &RegImm<TOp, Size16>, &MemImm<TOp, Size16>,
                    &RegImm<TOp, Size32>, &MemImm<TOp, Size32>, &RegImm<TOp, Size64>, &MemImm<TOp, Size64>);
        }
    }
}
