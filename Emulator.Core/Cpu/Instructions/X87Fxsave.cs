using Iced.Intel;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Cpu.X87;

namespace Emulator.Core.Cpu.Instructions;

// FXSAVE/FXRSTOR (SDM vol. 1, 10.5.1, table 10-2; vol. 2A FXSAVE, FXRSTOR): the x87 state in the 512-byte
// image with the abridged tag word (one bit per physical register: 1 = not empty). This model has no SSE,
// so the MXCSR fields are stored as zero and the XMM area (bytes 160-511) is neither written nor read.
internal static unsafe partial class X87
{
    static void RegisterFxsave()
    {
        InstructionTable.Set(Code.Fxsave_m512byte, &Fxsave);
        InstructionTable.Set(Code.Fxrstor_m512byte, &Fxrstor);
    }

    /// <summary>#UD with CR0.EM, #NM with CR0.TS, #GP(0) for an image not on a 16-byte boundary (SDM vol. 2A, FXSAVE).</summary>
    static bool FxAccessible(Cpu c, ref DecodedOp op, out ulong ea)
    {
        ea = 0;
        if ((c.cr0 & CrBits.CR0_EM) != 0) return c.RaiseFault(Vector.UD, 0);
        if ((c.cr0 & CrBits.CR0_TS) != 0) return c.RaiseFault(Vector.NM, 0);
        ea = c.EffectiveAddress(ref op);
        if (((c.Seg(op.Seg).Base + ea) & 15) != 0) return c.RaiseFault(Vector.GP, 0);
        return true;
    }

    static void Fxsave(Cpu c, ref DecodedOp op)
    {
        if (!FxAccessible(c, ref op, out ulong ea)) return;
        if (!c.ProbeWrite(op.Seg, ea, 160, op.AddrMask)) return;
        var f = c.fpu;
        int abridged = 0;
        for (int p = 0; p < 8; p++)
            if (f.Tag(p) != FpuState.TagEmpty) abridged |= 1 << p;
        ulong mask = op.AddrMask;
        ulong At(int o) => (ea + (ulong)o) & mask;
        int seg = op.Seg;
        bool ok = c.Write<Size16>(seg, At(0), f.ControlWord)
            && c.Write<Size16>(seg, At(2), f.StatusWord)
            && c.Write<Size16>(seg, At(4), (ushort)abridged)
            && c.Write<Size16>(seg, At(6), f.Opcode)
            && c.Write<Size32>(seg, At(8), (uint)f.InstructionPointer)
            && c.Write<Size32>(seg, At(12), f.InstructionSelector)
            && c.Write<Size32>(seg, At(16), (uint)f.DataPointer)
            && c.Write<Size32>(seg, At(20), f.DataSelector)
            && c.Write<Size64>(seg, At(24), 0);                     // MXCSR and MXCSR_MASK: no SSE
        for (int i = 0; ok && i < 8; i++)
        {
            var v = f.St(i);
            ok = c.Write<Size64>(seg, At(32 + 16 * i), v.Significand)
                && c.Write<Size64>(seg, At(40 + 16 * i), v.SignExponent);
        }
    }

    static void Fxrstor(Cpu c, ref DecodedOp op)
    {
        if (!FxAccessible(c, ref op, out ulong ea)) return;
        ulong mask = op.AddrMask;
        ulong At(int o) => (ea + (ulong)o) & mask;
        int seg = op.Seg;
        if (!c.Read<Size16>(seg, At(0), out ulong cw) || !c.Read<Size16>(seg, At(2), out ulong sw)
            || !c.Read<Size16>(seg, At(4), out ulong ftw) || !c.Read<Size16>(seg, At(6), out ulong fop)
            || !c.Read<Size32>(seg, At(8), out ulong fip) || !c.Read<Size32>(seg, At(12), out ulong fcs)
            || !c.Read<Size32>(seg, At(16), out ulong fdp) || !c.Read<Size32>(seg, At(20), out ulong fds)) return;
        Span<Float80> regs = stackalloc Float80[8];
        for (int i = 0; i < 8; i++)
        {
            if (!c.Read<Size64>(seg, At(32 + 16 * i), out ulong sig) || !c.Read<Size16>(seg, At(40 + 16 * i), out ulong se)) return;
            regs[i] = new Float80((ushort)se, sig);
        }
        var f = c.fpu;
        f.ControlWord = (ushort)((cw & 0x1F3F) | 0x40);
        f.Status = (ushort)((ushort)sw & ~FpuState.SwTop);
        f.Top = (int)((sw >> 11) & 7);
        for (int i = 0; i < 8; i++) f.Regs[(f.Top + i) & 7] = regs[i];
        int tags = 0;
        for (int p = 0; p < 8; p++)
            tags |= ((ftw >> p & 1UL) != 0 ? FpuState.TagOf(f.Regs[p]) : FpuState.TagEmpty) << (2 * p);
        f.TagWord = (ushort)tags;
        f.Opcode = (ushort)(fop & 0x7FF);
        f.InstructionPointer = fip;
        f.InstructionSelector = (ushort)fcs;
        f.DataPointer = fdp;
        f.DataSelector = (ushort)fds;
        f.UpdateErrorSummary();
    }
}
