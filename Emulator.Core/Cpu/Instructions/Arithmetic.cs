using System.Runtime.CompilerServices;
using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>ADD, ADC, SUB, SBB, CMP, INC, DEC, NEG, MUL, IMUL, DIV, IDIV (SDM vol. 2; flags per vol. 1, appendix A).</summary>
internal static unsafe class Arithmetic
{
    internal struct Add : IAluOp
    {
        public static bool WritesBack => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = (d + s) & T.Mask;
            c.SetLazy(LazyOp.Add, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Adc : IAluOp
    {
        public static bool WritesBack => true;
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            uint cin = c.GetCF() ? 1u : 0u;
            ulong r = (d + s + cin) & T.Mask;
            c.lazyCarryIn = cin;
            c.SetLazy(LazyOp.Adc, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Sub : IAluOp
    {
        public static bool WritesBack => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = (d - s) & T.Mask;
            c.SetLazy(LazyOp.Sub, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Sbb : IAluOp
    {
        public static bool WritesBack => true;
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            uint cin = c.GetCF() ? 1u : 0u;
            ulong r = (d - s - cin) & T.Mask;
            c.lazyCarryIn = cin;
            c.SetLazy(LazyOp.Sbb, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Cmp : IAluOp
    {
        public static bool WritesBack => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = (d - s) & T.Mask;
            c.SetLazy(LazyOp.Sub, d, s, r, T.Sign);
            return r;
        }
    }

    public static void Register()
    {
        AluForms.Register<Add>(Mnemonic.Add);
        AluForms.Register<Adc>(Mnemonic.Adc);
        AluForms.Register<Sub>(Mnemonic.Sub);
        AluForms.Register<Sbb>(Mnemonic.Sbb);
        AluForms.Register<Cmp>(Mnemonic.Cmp);
        RegisterUnary(Mnemonic.Inc, &IncReg<Size8>, &IncMem<Size8>, &IncReg<Size16>, &IncMem<Size16>, &IncReg<Size32>, &IncMem<Size32>, &IncReg<Size64>, &IncMem<Size64>);
        RegisterUnary(Mnemonic.Dec, &DecReg<Size8>, &DecMem<Size8>, &DecReg<Size16>, &DecMem<Size16>, &DecReg<Size32>, &DecMem<Size32>, &DecReg<Size64>, &DecMem<Size64>);
        RegisterUnary(Mnemonic.Neg, &NegReg<Size8>, &NegMem<Size8>, &NegReg<Size16>, &NegMem<Size16>, &NegReg<Size32>, &NegMem<Size32>, &NegReg<Size64>, &NegMem<Size64>);
        RegisterUnary(Mnemonic.Mul, &Mul<Size8>, &Mul<Size8>, &Mul<Size16>, &Mul<Size16>, &Mul<Size32>, &Mul<Size32>, &Mul<Size64>, &Mul<Size64>);
        RegisterUnary(Mnemonic.Div, &Div<Size8>, &Div<Size8>, &Div<Size16>, &Div<Size16>, &Div<Size32>, &Div<Size32>, &Div<Size64>, &Div<Size64>);
        RegisterUnary(Mnemonic.Idiv, &Idiv<Size8>, &Idiv<Size8>, &Idiv<Size16>, &Idiv<Size16>, &Idiv<Size32>, &Idiv<Size32>, &Idiv<Size64>, &Idiv<Size64>);
        foreach (var code in InstructionTable.CodesOf(Mnemonic.Imul))
        {
            var info = code.ToOpCode();
            int bytes = OperandShape.Bytes(info.GetOpKind(0));
            if (info.OpCount == 1)
                AluForms.Set(code, bytes, &Imul1<Size8>, &Imul1<Size8>, &Imul1<Size16>, &Imul1<Size16>, &Imul1<Size32>, &Imul1<Size32>, &Imul1<Size64>, &Imul1<Size64>);
            else if (info.OpCount == 2)
                AluForms.Set(code, bytes, null, null, &ImulN<Size16, TwoOperands>, &ImulN<Size16, TwoOperands>, &ImulN<Size32, TwoOperands>, &ImulN<Size32, TwoOperands>, &ImulN<Size64, TwoOperands>, &ImulN<Size64, TwoOperands>);
            else
                AluForms.Set(code, bytes, null, null, &ImulN<Size16, ThreeOperands>, &ImulN<Size16, ThreeOperands>, &ImulN<Size32, ThreeOperands>, &ImulN<Size32, ThreeOperands>, &ImulN<Size64, ThreeOperands>, &ImulN<Size64, ThreeOperands>);
        }
    }

    internal static void RegisterUnary(Mnemonic m,
        delegate*<Cpu, ref DecodedOp, void> r8, delegate*<Cpu, ref DecodedOp, void> m8,
        delegate*<Cpu, ref DecodedOp, void> r16, delegate*<Cpu, ref DecodedOp, void> m16,
        delegate*<Cpu, ref DecodedOp, void> r32, delegate*<Cpu, ref DecodedOp, void> m32,
        delegate*<Cpu, ref DecodedOp, void> r64, delegate*<Cpu, ref DecodedOp, void> m64)
    {
        foreach (var code in InstructionTable.CodesOf(m))
        {
            var (shape, bytes) = OperandShape.Of(code);
            if (shape is Shape.Rm or Shape.Reg) AluForms.Set(code, bytes, r8, m8, r16, m16, r32, m32, r64, m64);
        }
    }

    static void IncReg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong d = c.GetReg<T>(op.R0), r = (d + 1) & T.Mask;
        c.SetLazyIncDec(LazyOp.Inc, d, r, T.Sign);
        c.SetReg<T>(op.R0, r);
    }

    static void IncMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        ulong r = (d + 1) & T.Mask;
        c.WriteRmw<T>(r);
        c.SetLazyIncDec(LazyOp.Inc, d, r, T.Sign);
    }

    static void DecReg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong d = c.GetReg<T>(op.R0), r = (d - 1) & T.Mask;
        c.SetLazyIncDec(LazyOp.Dec, d, r, T.Sign);
        c.SetReg<T>(op.R0, r);
    }

    static void DecMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        ulong r = (d - 1) & T.Mask;
        c.WriteRmw<T>(r);
        c.SetLazyIncDec(LazyOp.Dec, d, r, T.Sign);
    }

    static void NegReg<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        ulong s = c.GetReg<T>(op.R0), r = (0 - s) & T.Mask;
        c.SetLazy(LazyOp.Sub, 0, s, r, T.Sign);
        c.SetReg<T>(op.R0, r);
    }

    static void NegMem<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong s)) return;
        ulong r = (0 - s) & T.Mask;
        c.WriteRmw<T>(r);
        c.SetLazy(LazyOp.Sub, 0, s, r, T.Sign);
    }

    /// <summary>Flags after a multiply: CF=OF=(upper half significant); SF/ZF/PF from the low half; AF clear
    /// (SF, ZF, AF and PF are undefined, SDM vol. 2, MUL/IMUL).</summary>
    static void SetMulFlags<T>(Cpu c, ulong low, bool overflow) where T : unmanaged, IOperandSize
    {
        uint f = overflow ? (uint)(EFlags.CF | EFlags.OF) : 0;
        if ((low & T.Mask) == 0) f |= (uint)EFlags.ZF;
        if ((low & T.Sign) != 0) f |= (uint)EFlags.SF;
        if ((System.Numerics.BitOperations.PopCount((uint)(byte)low) & 1) == 0) f |= (uint)EFlags.PF;
        c.SetArithFlags(f);
    }

    static void Mul<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong s)) return;
        if (T.Bytes == 1)
        {
            uint r = (uint)c.Reg8(0) * (uint)s;
            c.Reg16(0) = (ushort)r;
            SetMulFlags<T>(c, r, (r >> 8) != 0);
        }
        else if (T.Bytes == 8)
        {
            ulong hi = Math.BigMul(c.Reg(0), s, out ulong lo);
            c.Reg(0) = lo; c.Reg(2) = hi;
            SetMulFlags<T>(c, lo, hi != 0);
        }
        else
        {
            ulong r = (c.Reg(0) & T.Mask) * s;
            ulong hi = r >> (T.Bytes * 8);
            c.SetReg<T>(0, r);
            c.SetReg<T>(2, hi);
            SetMulFlags<T>(c, r, hi != 0);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static long SignExtend<T>(ulong v) where T : unmanaged, IOperandSize =>
        T.Bytes switch { 1 => (sbyte)v, 2 => (short)v, 4 => (int)v, _ => (long)v };

    static void Imul1<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong s)) return;
        if (T.Bytes == 8)
        {
            long hi = Math.BigMul((long)c.Reg(0), (long)s, out long lo);
            c.Reg(0) = (ulong)lo; c.Reg(2) = (ulong)hi;
            SetMulFlags<T>(c, (ulong)lo, hi != (lo >> 63));
            return;
        }
        long r = SignExtend<T>(c.GetReg<T>(0)) * SignExtend<T>(s);
        bool overflow = r != SignExtend<T>((ulong)r & T.Mask);
        if (T.Bytes == 1) c.Reg16(0) = (ushort)r;
        else
        {
            c.SetReg<T>(0, (ulong)r);
            c.SetReg<T>(2, (ulong)(r >> (T.Bytes * 8)));
        }
        SetMulFlags<T>(c, (ulong)r, overflow);
    }

    /// <summary>IMUL r, r/m and IMUL r, r/m, imm: the destination is R0; the source is R1 or memory.</summary>
    static void ImulN<T, TForm>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize where TForm : IImulForm
    {
        ulong s;
        if ((op.Flags & DecodedOp.FlagMemory) != 0)
        {
            if (!c.Read<T>(op.Seg, c.EffectiveAddress(ref op), out s)) return;
        }
        else s = c.GetReg<T>(op.R1);
        bool three = TForm.HasImmediate;
        long a = three ? SignExtend<T>(s) : SignExtend<T>(c.GetReg<T>(op.R0));
        long b = three ? SignExtend<T>(op.Imm & T.Mask) : SignExtend<T>(s);
        ulong lowBits;
        bool overflow;
        if (T.Bytes == 8)
        {
            long hi = Math.BigMul(a, b, out long lo);
            lowBits = (ulong)lo;
            overflow = hi != (lo >> 63);
        }
        else
        {
            long r = a * b;
            lowBits = (ulong)r & T.Mask;
            overflow = r != SignExtend<T>(lowBits);
        }
        c.SetReg<T>(op.R0, lowBits);
        SetMulFlags<T>(c, lowBits, overflow);
    }

    /// <summary>IMUL r, r/m (the destination is a factor) or IMUL r, r/m, imm; chosen at decode time.</summary>
    internal interface IImulForm { static abstract bool HasImmediate { get; } }
    internal struct TwoOperands : IImulForm { public static bool HasImmediate => false; }
    internal struct ThreeOperands : IImulForm { public static bool HasImmediate => true; }

    static void Div<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong s)) return;
        if (s == 0) { c.RaiseFault(Vector.DE, 0); return; }
        if (T.Bytes == 1)
        {
            uint n = c.Reg16(0);
            uint q = n / (uint)s;
            if (q > 0xFF) { c.RaiseFault(Vector.DE, 0); return; }
            c.Reg16(0) = (ushort)(((n % (uint)s) << 8) | q);
        }
        else if (T.Bytes == 8)
        {
            UInt128 n = ((UInt128)c.Reg(2) << 64) | c.Reg(0);
            UInt128 q = n / s;
            if (q > ulong.MaxValue) { c.RaiseFault(Vector.DE, 0); return; }
            c.Reg(0) = (ulong)q; c.Reg(2) = (ulong)(n % s);
        }
        else
        {
            int bits = T.Bytes * 8;
            ulong n = (c.GetReg<T>(2) << bits) | c.GetReg<T>(0);
            ulong q = n / s;
            if (q > T.Mask) { c.RaiseFault(Vector.DE, 0); return; }
            c.SetReg<T>(0, q);
            c.SetReg<T>(2, n % s);
        }
    }

    static void Idiv<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRm<T>(ref op, out ulong sraw)) return;
        long s = SignExtend<T>(sraw);
        if (s == 0) { c.RaiseFault(Vector.DE, 0); return; }
        if (T.Bytes == 8)
        {
            Int128 n = (Int128)(((UInt128)c.Reg(2) << 64) | c.Reg(0));
            Int128 q = n / s;
            if (q > long.MaxValue || q < long.MinValue) { c.RaiseFault(Vector.DE, 0); return; }
            c.Reg(0) = (ulong)(long)q; c.Reg(2) = (ulong)(long)(n % s);
            return;
        }
        int bits = T.Bytes * 8;
        long num = T.Bytes == 1 ? (short)c.Reg16(0) : (long)((c.GetReg<T>(2) << bits) | c.GetReg<T>(0)) << (64 - 2 * bits) >> (64 - 2 * bits);
        long quo = num / s, rem = num % s;
        long max = (long)(T.Sign - 1), min = -(long)T.Sign;
        if (quo > max || quo < min) { c.RaiseFault(Vector.DE, 0); return; }
        if (T.Bytes == 1) c.Reg16(0) = (ushort)(((ulong)rem & 0xFF) << 8 | ((ulong)quo & 0xFF));
        else
        {
            c.SetReg<T>(0, (ulong)quo);
            c.SetReg<T>(2, (ulong)rem);
        }
    }
}
