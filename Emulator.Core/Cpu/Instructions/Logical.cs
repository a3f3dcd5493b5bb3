using System.Runtime.CompilerServices;
using Iced.Intel;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>AND, OR, XOR, TEST, NOT (SDM vol. 2): CF=OF=0, SF/ZF/PF from the result, AF undefined (cleared).</summary>
internal static unsafe class Logical
{
    internal struct And : IAluOp
    {
        public static bool WritesBack => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = d & s;
            c.SetLazy(LazyOp.Logic, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Or : IAluOp
    {
        public static bool WritesBack => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = d | s;
            c.SetLazy(LazyOp.Logic, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Xor : IAluOp
    {
        public static bool WritesBack => true;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = d ^ s;
            c.SetLazy(LazyOp.Logic, d, s, r, T.Sign);
            return r;
        }
    }

    internal struct Test : IAluOp
    {
        public static bool WritesBack => false;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong Exec<T>(Cpu c, ulong d, ulong s) where T : unmanaged, IOperandSize
        {
            ulong r = d & s;
            c.SetLazy(LazyOp.Logic, d, s, r, T.Sign);
            return r;
        }
    }

    public static void Register()
    {
        AluForms.Register<And>(Mnemonic.And);
        AluForms.Register<Or>(Mnemonic.Or);
        AluForms.Register<Xor>(Mnemonic.Xor);
        AluForms.Register<Test>(Mnemonic.Test);
        Arithmetic.RegisterUnary(Mnemonic.Not, &NotReg<Size8>, &NotMem<Size8>, &NotReg<Size16>, &NotMem<Size16>,
            &NotReg<Size32>, &NotMem<Size32>, &NotReg<Size64>, &NotMem<Size64>);
    }

    static void NotReg<T>(Cpu c, ref Decoding.DecodedOp op) where T : unmanaged, IOperandSize =>
        c.SetReg<T>(op.R0, ~c.GetReg<T>(op.R0) & T.Mask);

    static void NotMem<T>(Cpu c, ref Decoding.DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (!c.ReadRmw<T>(op.Seg, c.EffectiveAddress(ref op), out ulong d)) return;
        c.WriteRmw<T>(~d & T.Mask);
    }
}
