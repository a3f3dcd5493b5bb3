using System.Numerics;
using System.Runtime.CompilerServices;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>Flag bits computed eagerly from a result, for the families that do not use lazy flags
/// (shifts, rotates, bit operations, BCD adjustments).</summary>
internal static class ResultFlags
{
    public const uint CF = (uint)EFlags.CF, PF = (uint)EFlags.PF, AF = (uint)EFlags.AF,
        ZF = (uint)EFlags.ZF, SF = (uint)EFlags.SF, OF = (uint)EFlags.OF;

    /// <summary>SF, ZF and PF of <paramref name="r"/> at operand size T (PF from the low byte only, SDM vol. 1, 3.4.3.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Szp<T>(ulong r) where T : unmanaged, IOperandSize
    {
        uint f = (BitOperations.PopCount((uint)(byte)r) & 1) == 0 ? PF : 0;
        if ((r & T.Mask) == 0) f |= ZF;
        if ((r & T.Sign) != 0) f |= SF;
        return f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint If(bool b, uint flag) => b ? flag : 0;
}
