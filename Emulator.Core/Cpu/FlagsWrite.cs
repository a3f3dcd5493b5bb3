namespace Emulator.Core.Cpu;

// EFLAGS writes by POPF and IRET, with the privilege rules of SDM vol. 2 (POPF) and
// vol. 3, 20.2.5 for virtual-8086 mode.
public sealed partial class Cpu
{
    /// <summary>Bits software may ever change through POPF/IRET (VM, RF, VIF, VIP are handled separately).</summary>
    const uint PopfBits = (uint)(EFlags.Arithmetic | EFlags.TF | EFlags.IF | EFlags.DF | EFlags.IOPL | EFlags.NT | EFlags.AC | EFlags.ID);

    /// <summary>POPF/IRET flag update at operand size <paramref name="size"/> bytes, honouring CPL and IOPL.</summary>
    internal void WriteFlagsFromStack(ulong value, int size)
    {
        uint v = (uint)value;
        uint changeable = PopfBits;
        if (Mode != CpuMode.Real)
        {
            if (Cpl > 0) changeable &= ~(uint)EFlags.IOPL;
            if (Cpl > Iopl) changeable &= ~(uint)EFlags.IF;
        }
        if (size == 2) changeable &= 0xFFFF;
        Materialize();
        eflagsBits = (eflagsBits & ~changeable) | (v & changeable) | 2;
        eflagsBits &= ~(uint)EFlags.RF;
        lazyOp = LazyOp.None;
    }
}
