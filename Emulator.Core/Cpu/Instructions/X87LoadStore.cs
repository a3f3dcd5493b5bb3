using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// Data transfer (SDM vol. 1, 8.3.3): FLD/FST/FSTP of reals, FILD/FIST/FISTP/FISTTP of integers,
// FXCH, FCMOVcc, and the constant loads (8.3.4).
internal static unsafe partial class X87
{
    static void RegisterLoadStore()
    {
        InstructionTable.Set(Code.Fld_m32fp, &FldMem<M32Real>);
        InstructionTable.Set(Code.Fld_m64fp, &FldMem<M64Real>);
        InstructionTable.Set(Code.Fld_m80fp, &FldMem<M80Real>);
        InstructionTable.Set(Code.Fild_m16int, &FldMem<MInt<Size16>>);
        InstructionTable.Set(Code.Fild_m32int, &FldMem<MInt<Size32>>);
        InstructionTable.Set(Code.Fild_m64int, &FldMem<MInt<Size64>>);
        InstructionTable.Set(Code.Fld_sti, &FldSt);

        InstructionTable.Set(Code.Fst_m32fp, &FstReal<Size32, NoPop>);
        InstructionTable.Set(Code.Fstp_m32fp, &FstReal<Size32, PopOnce>);
        InstructionTable.Set(Code.Fst_m64fp, &FstReal<Size64, NoPop>);
        InstructionTable.Set(Code.Fstp_m64fp, &FstReal<Size64, PopOnce>);
        InstructionTable.Set(Code.Fstp_m80fp, &FstpM80);
        InstructionTable.Set(Code.Fst_sti, &FstSt<NoPop>);
        InstructionTable.Set(Code.Fstp_sti, &FstSt<PopOnce>);
        // Aliases of FSTP ST(i) in the D9 D8+i, DF D0+i and DF D8+i slots (SDM vol. 2A, opcode map table A-10 notes).
        InstructionTable.Set(Code.Fstpnce_sti, &FstSt<PopOnce>);
        InstructionTable.Set(Code.Fstp_sti_DFD0, &FstSt<PopOnce>);
        InstructionTable.Set(Code.Fstp_sti_DFD8, &FstSt<PopOnce>);

        InstructionTable.Set(Code.Fist_m16int, &FistMem<Size16, NoPop, RcRounding>);
        InstructionTable.Set(Code.Fist_m32int, &FistMem<Size32, NoPop, RcRounding>);
        InstructionTable.Set(Code.Fistp_m16int, &FistMem<Size16, PopOnce, RcRounding>);
        InstructionTable.Set(Code.Fistp_m32int, &FistMem<Size32, PopOnce, RcRounding>);
        InstructionTable.Set(Code.Fistp_m64int, &FistMem<Size64, PopOnce, RcRounding>);
        InstructionTable.Set(Code.Fisttp_m16int, &FistMem<Size16, PopOnce, Truncating>);
        InstructionTable.Set(Code.Fisttp_m32int, &FistMem<Size32, PopOnce, Truncating>);
        InstructionTable.Set(Code.Fisttp_m64int, &FistMem<Size64, PopOnce, Truncating>);

        InstructionTable.Set(Code.Fbld_m80bcd, &FldMem<M80Bcd>);
        InstructionTable.Set(Code.Fbstp_m80bcd, &Fbstp);

        InstructionTable.Set(Code.Fld1, &FldConst<One>);
        InstructionTable.Set(Code.Fldz, &FldConst<ZeroConst>);
        InstructionTable.Set(Code.Fldpi, &FldConst<PiConst>);
        InstructionTable.Set(Code.Fldl2t, &FldConst<L2TConst>);
        InstructionTable.Set(Code.Fldl2e, &FldConst<L2EConst>);
        InstructionTable.Set(Code.Fldlg2, &FldConst<LG2Const>);
        InstructionTable.Set(Code.Fldln2, &FldConst<LN2Const>);

        InstructionTable.Set(Code.Fxch_st0_sti, &Fxch);
        InstructionTable.Set(Code.Fxch_st0_sti_DDC8, &Fxch);
        InstructionTable.Set(Code.Fxch_st0_sti_DFC8, &Fxch);

        InstructionTable.Set(Code.Fcmovb_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmove_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovbe_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovu_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovnb_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovne_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovnbe_st0_sti, &Fcmov);
        InstructionTable.Set(Code.Fcmovnu_st0_sti, &Fcmov);
    }

    // ---- memory source formats ----

    interface ISource { static abstract bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v); }

    struct M32Real : ISource
    {
        public static bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v)
        {
            v = default;
            if (!c.Read<Size32>(seg, ea, out ulong bits)) return false;
            v = Float80.FromSingle((uint)bits, ref ctx);
            return true;
        }
    }

    struct M64Real : ISource
    {
        public static bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v)
        {
            v = default;
            if (!c.Read<Size64>(seg, ea, out ulong bits)) return false;
            v = Float80.FromDouble(bits, ref ctx);
            return true;
        }
    }

    /// <summary>An 80-bit load is a plain copy: no conversion and no exceptions (SDM vol. 2A, FLD).</summary>
    struct M80Real : ISource
    {
        public static bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v) =>
            ReadFloat80(c, seg, ea, addrMask, out v);
    }

    /// <summary>A 16, 32 or 64-bit signed integer operand (FILD, FIADD...), exact in the 64-bit significand.</summary>
    struct MInt<T> : ISource where T : unmanaged, IOperandSize
    {
        public static bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v)
        {
            v = default;
            if (!c.Read<T>(seg, ea, out ulong bits)) return false;
            int unused = 64 - 8 * T.Bytes;
            v = Float80.FromInt64((long)(bits << unused) >> unused);
            return true;
        }
    }

    struct M80Bcd : ISource
    {
        public static bool Load(Cpu c, int seg, ulong ea, ulong addrMask, ref FpuContext ctx, out Float80 v)
        {
            v = default;
            if (!c.Read<Size64>(seg, ea, out ulong lo)) return false;
            if (!c.Read<Size16>(seg, (ea + 8) & addrMask, out ulong hi)) return false;
            Span<byte> b = stackalloc byte[10];
            BitConverter.TryWriteBytes(b, lo);
            BitConverter.TryWriteBytes(b[8..], (ushort)hi);
            v = Float80.FromPackedBcd(b);
            return true;
        }
    }

    interface IPop { static abstract int Count { get; } }
    struct NoPop : IPop { public static int Count => 0; }
    struct PopOnce : IPop { public static int Count => 1; }
    struct PopTwice : IPop { public static int Count => 2; }

    // ---- loads ----

    static void FldMem<TSrc>(Cpu c, ref DecodedOp op) where TSrc : ISource
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var ctx = Context(c);
        if (!TSrc.Load(c, op.Seg, ea, op.AddrMask, ref ctx, out var v)) return;
        PushResult(c, v, ref ctx);
    }

    /// <summary>Pushes a loaded value: stack overflow first, then the load's own exceptions (an unmasked one cancels the push).</summary>
    static void PushResult(Cpu c, Float80 v, ref FpuContext ctx)
    {
        var f = c.fpu;
        if (PushOverflows(f)) { Overflow(c); return; }
        if ((ctx.Raised & ~ctx.Masks) == 0) f.Push(v);
        SetC1(f, false);
        f.RaiseFlags(ctx.Raised);
    }

    static void FldSt(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(op.R0))
        {
            // The empty source is an underflow; the masked response pushes the real indefinite.
            if (PushOverflows(f)) { Overflow(c); return; }
            SetC1(f, false);
            f.Status |= FpuState.SwSF;
            if (Masked(c, FpuExceptions.IE)) f.Push(Float80.Indefinite);
            f.RaiseFlags(FpuExceptions.IE);
            return;
        }
        var v = f.St(op.R0);
        var ctx = Context(c);
        PushResult(c, v, ref ctx);
    }

    interface IConstant { static abstract Float80 Value(RoundingMode rc); }
    struct One : IConstant { public static Float80 Value(RoundingMode rc) => Float80.One; }
    struct ZeroConst : IConstant { public static Float80 Value(RoundingMode rc) => Float80.Zero; }
    struct PiConst : IConstant { public static Float80 Value(RoundingMode rc) => Float80Constants.Pi(rc); }
    struct L2TConst : IConstant { public static Float80 Value(RoundingMode rc) => Float80Constants.Log2Ten(rc); }
    struct L2EConst : IConstant { public static Float80 Value(RoundingMode rc) => Float80Constants.Log2E(rc); }
    struct LG2Const : IConstant { public static Float80 Value(RoundingMode rc) => Float80Constants.Log10Two(rc); }
    struct LN2Const : IConstant { public static Float80 Value(RoundingMode rc) => Float80Constants.LnTwo(rc); }

    static void FldConst<T>(Cpu c, ref DecodedOp op) where T : IConstant
    {
        if (!Begin(c, ref op)) return;
        var ctx = Context(c);
        PushResult(c, T.Value(ctx.Rounding), ref ctx);
    }

    // ---- stores ----

    /// <summary>FST/FSTP m32fp and m64fp: rounded by RC to the destination format.</summary>
    static void FstReal<TSize, TPop>(Cpu c, ref DecodedOp op) where TSize : unmanaged, IOperandSize where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var f = c.fpu;
        var ctx = Context(c);
        ulong bits;
        bool empty = f.IsEmpty(0);
        if (empty)
        {
            ctx.Raised |= FpuExceptions.IE;
            bits = TSize.Bytes == 4 ? 0xFFC0_0000UL : 0xFFF8_0000_0000_0000UL;   // the real indefinite in each format
        }
        else bits = TSize.Bytes == 4 ? Float80.ToSingle(f.St(0), ref ctx) : Float80.ToDouble(f.St(0), ref ctx);
        if (StoreAllowed(ref ctx) && !c.Write<TSize>(op.Seg, ea, bits)) return;
        if (empty) { Underflow(c, -1, TPop.Count); return; }
        FinishStore(c, ref ctx, TPop.Count > 0);
    }

    static void FstpM80(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var f = c.fpu;
        bool empty = f.IsEmpty(0);
        if (empty && !Masked(c, FpuExceptions.IE)) { Underflow(c, -1, 1); return; }
        if (!WriteFloat80(c, op.Seg, ea, op.AddrMask, empty ? Float80.Indefinite : f.St(0))) return;
        if (empty) { Underflow(c, -1, 1); return; }
        SetC1(f, false);
        f.Pop();
    }

    /// <summary>FBSTP m80bcd: the store happens unless an unmasked invalid operation stops it; then pop.</summary>
    static void Fbstp(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var f = c.fpu;
        var ctx = Context(c);
        Span<byte> b = stackalloc byte[10];
        bool empty = f.IsEmpty(0);
        Float80.ToPackedBcd(empty ? Float80.Indefinite : f.St(0), b, ref ctx);
        if (StoreAllowed(ref ctx))
        {
            if (!c.ProbeWrite(op.Seg, ea, 10, op.AddrMask)) return;
            if (!c.Write<Size64>(op.Seg, ea, BitConverter.ToUInt64(b)) || !c.Write<Size16>(op.Seg, (ea + 8) & op.AddrMask, BitConverter.ToUInt16(b[8..]))) return;
        }
        if (empty) { Underflow(c, -1, 1); return; }
        FinishStore(c, ref ctx, true);
    }

    static void FstSt<TPop>(Cpu c, ref DecodedOp op) where TPop : IPop
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        if (f.IsEmpty(0)) { Underflow(c, op.R0, TPop.Count); return; }
        f.Set(op.R0, f.St(0));
        SetC1(f, false);
        if (TPop.Count > 0) f.Pop();
    }

    interface IIntRounding { static abstract RoundingMode Mode(RoundingMode rc); }
    struct RcRounding : IIntRounding { public static RoundingMode Mode(RoundingMode rc) => rc; }
    /// <summary>FISTTP truncates whatever RC says (SDM vol. 2A, FISTTP).</summary>
    struct Truncating : IIntRounding { public static RoundingMode Mode(RoundingMode rc) => RoundingMode.Zero; }

    static void FistMem<TSize, TPop, TRound>(Cpu c, ref DecodedOp op)
        where TSize : unmanaged, IOperandSize where TPop : IPop where TRound : IIntRounding
    {
        if (!Begin(c, ref op)) return;
        ulong ea = OperandAddress(c, ref op);
        var f = c.fpu;
        var ctx = Context(c);
        int bits = TSize.Bytes * 8;
        bool empty = f.IsEmpty(0);
        long v;
        if (empty)
        {
            ctx.Raised |= FpuExceptions.IE;
            v = bits == 64 ? long.MinValue : -(1L << (bits - 1));   // the integer indefinite
        }
        else v = Float80.ToInteger(f.St(0), bits, TRound.Mode(ctx.Rounding), ref ctx);
        if (StoreAllowed(ref ctx) && !c.Write<TSize>(op.Seg, ea, (ulong)v & TSize.Mask)) return;
        if (empty) { Underflow(c, -1, TPop.Count); return; }
        FinishStore(c, ref ctx, TPop.Count > 0);
    }

    // ---- register moves ----

    /// <summary>FXCH: an empty operand is an underflow; masked, the empty one reads as the real indefinite (SDM vol. 2A, FXCH).</summary>
    static void Fxch(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R1 == Cpu.ZeroReg ? 1 : op.R1;
        bool e0 = f.IsEmpty(0), ei = f.IsEmpty(i);
        if (e0 || ei)
        {
            SetC1(f, false);
            f.Status |= FpuState.SwSF;
            if (Masked(c, FpuExceptions.IE))
            {
                if (e0) f.Set(0, Float80.Indefinite);
                if (ei) f.Set(i, Float80.Indefinite);
                Swap(f, i);
            }
            f.RaiseFlags(FpuExceptions.IE);
            return;
        }
        Swap(f, i);
        SetC1(f, false);
    }

    static void Swap(FpuState f, int i)
    {
        var a = f.St(0);
        f.Set(0, f.St(i));
        f.Set(i, a);
    }

    /// <summary>FCMOVcc: the conditions of CMOVcc on CF, ZF and PF (SDM vol. 2A, FCMOVcc).</summary>
    static void Fcmov(Cpu c, ref DecodedOp op)
    {
        if (!Begin(c, ref op)) return;
        var f = c.fpu;
        int i = op.R1;
        if (f.IsEmpty(0) || f.IsEmpty(i)) { Underflow(c, 0, 0); return; }
        bool cond = (Code)op.Code switch
        {
            Code.Fcmovb_st0_sti => c.GetCF(),
            Code.Fcmove_st0_sti => c.GetZF(),
            Code.Fcmovbe_st0_sti => c.GetCF() || c.GetZF(),
            Code.Fcmovu_st0_sti => c.GetPF(),
            Code.Fcmovnb_st0_sti => !c.GetCF(),
            Code.Fcmovne_st0_sti => !c.GetZF(),
            Code.Fcmovnbe_st0_sti => !c.GetCF() && !c.GetZF(),
            _ => !c.GetPF(),
        };
        if (cond) f.Set(0, f.St(i));
        SetC1(f, false);
    }
}
