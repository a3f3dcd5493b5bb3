using System.Numerics;
using System.Runtime.CompilerServices;

namespace Emulator.Core.Cpu;

// Lazy arithmetic flags: arithmetic instructions record operands, result and operation;
// each flag is computed only when something reads it (Jcc, PUSHF, ADC...).
public sealed partial class Cpu
{
    internal uint eflagsBits = 2;
    internal LazyOp lazyOp;
    internal ulong lazyDst, lazySrc, lazyRes, lazySign;
    internal uint lazyCarryIn;

    const uint ArithMask = (uint)EFlags.Arithmetic;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetLazy(LazyOp op, ulong dst, ulong src, ulong res, ulong sign)
    {
        lazyOp = op; lazyDst = dst; lazySrc = src; lazyRes = res; lazySign = sign;
    }

    /// <summary>Records INC/DEC: CF survives from before, so it is materialized first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetLazyIncDec(LazyOp op, ulong dst, ulong res, ulong sign)
    {
        uint cf = GetCF() ? 1u : 0u;
        eflagsBits = (eflagsBits & ~(uint)EFlags.CF) | cf;
        lazyOp = op; lazyDst = dst; lazySrc = 1; lazyRes = res; lazySign = sign;
    }

    /// <summary>Sets all six arithmetic flags from an eagerly computed value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetArithFlags(uint flags)
    {
        lazyOp = LazyOp.None;
        eflagsBits = (eflagsBits & ~ArithMask) | (flags & ArithMask);
    }

    /// <summary>Replaces only the flags in <paramref name="mask"/>, keeping the others' current values.</summary>
    internal void SetFlagsMasked(uint flags, uint mask)
    {
        Materialize();
        eflagsBits = (eflagsBits & ~mask) | (flags & mask);
    }

    internal void Materialize()
    {
        if (lazyOp == LazyOp.None) return;
        eflagsBits = (eflagsBits & ~ArithMask) | ComputeArith();
        lazyOp = LazyOp.None;
    }

    uint ComputeArith()
    {
        uint f = 0;
        if (GetCF()) f |= (uint)EFlags.CF;
        if (GetPF()) f |= (uint)EFlags.PF;
        if (GetAF()) f |= (uint)EFlags.AF;
        if (GetZF()) f |= (uint)EFlags.ZF;
        if (GetSF()) f |= (uint)EFlags.SF;
        if (GetOF()) f |= (uint)EFlags.OF;
        return f;
    }

    ulong LazyMask => (lazySign << 1) - 1;

    internal bool GetCF()
    {
        ulong m = LazyMask;
        switch (lazyOp)
        {
            case LazyOp.Add: return (lazyRes & m) < (lazyDst & m);
            case LazyOp.Adc: return (lazyRes & m) < (lazyDst & m) || (lazyCarryIn != 0 && (lazyRes & m) == (lazyDst & m));
            case LazyOp.Sub: return (lazyDst & m) < (lazySrc & m);
            case LazyOp.Sbb: return (lazyDst & m) < (lazySrc & m) || (lazyCarryIn != 0 && (lazyDst & m) == (lazySrc & m));
            case LazyOp.Logic: return false;
            default: return (eflagsBits & (uint)EFlags.CF) != 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool GetZF() => lazyOp == LazyOp.None ? (eflagsBits & (uint)EFlags.ZF) != 0 : (lazyRes & LazyMask) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool GetSF() => lazyOp == LazyOp.None ? (eflagsBits & (uint)EFlags.SF) != 0 : (lazyRes & lazySign) != 0;

    internal bool GetPF() => lazyOp == LazyOp.None
        ? (eflagsBits & (uint)EFlags.PF) != 0
        : (BitOperations.PopCount((uint)(byte)lazyRes) & 1) == 0;

    internal bool GetAF()
    {
        switch (lazyOp)
        {
            case LazyOp.None: return (eflagsBits & (uint)EFlags.AF) != 0;
            case LazyOp.Logic: return false;
            case LazyOp.Inc: return (lazyRes & 0xF) == 0;
            case LazyOp.Dec: return (lazyRes & 0xF) == 0xF;
            default: return ((lazyDst ^ lazySrc ^ lazyRes) & 0x10) != 0;
        }
    }

    internal bool GetOF()
    {
        ulong s = lazySign;
        switch (lazyOp)
        {
            case LazyOp.Add:
            case LazyOp.Adc: return ((lazyDst ^ lazyRes) & (lazySrc ^ lazyRes) & s) != 0;
            case LazyOp.Sub:
            case LazyOp.Sbb: return ((lazyDst ^ lazySrc) & (lazyDst ^ lazyRes) & s) != 0;
            case LazyOp.Logic: return false;
            case LazyOp.Inc: return (lazyRes & LazyMask) == s;
            case LazyOp.Dec: return (lazyRes & LazyMask) == s - 1;
            default: return (eflagsBits & (uint)EFlags.OF) != 0;
        }
    }

    /// <summary>Evaluates condition code <paramref name="cc"/> (the low nibble of Jcc/SETcc/CMOVcc; SDM vol. 1, B.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Condition(int cc)
    {
        bool r = (cc >> 1) switch
        {
            0 => GetOF(),
            1 => GetCF(),
            2 => GetZF(),
            3 => GetCF() || GetZF(),
            4 => GetSF(),
            5 => GetPF(),
            6 => GetSF() != GetOF(),
            _ => GetZF() || GetSF() != GetOF(),
        };
        return r ^ ((cc & 1) != 0);
    }

    /// <summary>The architectural EFLAGS value (materializes lazy flags).</summary>
    public uint Eflags
    {
        get
        {
            Materialize();
            return eflagsBits;
        }
        set
        {
            lazyOp = LazyOp.None;
            eflagsBits = (value & 0x003F_7FD5u) | 2u;
            UpdateMode();
        }
    }

    internal bool IF => (eflagsBits & (uint)EFlags.IF) != 0;
    internal bool DF => (eflagsBits & (uint)EFlags.DF) != 0;
    internal int Iopl => (int)(eflagsBits >> 12) & 3;
}
