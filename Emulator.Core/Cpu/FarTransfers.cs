namespace Emulator.Core.Cpu;

// Far JMP, far CALL, far RET and IRET (Intel SDM vol. 2, JMP/CALL/RET/IRET pseudo-code;
// vol. 3, 5.8 privilege-level changes). Real and virtual-8086 mode load CS the real-mode
// way; protected mode checks descriptors, gates and privilege.
public sealed partial class Cpu
{
    /// <summary>Far JMP to selector:offset (operand size <paramref name="size"/> bytes); <paramref name="length"/>:
    /// the instruction's, for <c>-d pcall</c>.</summary>
    internal void FarJump(ushort selector, ulong offset, int size, int length)
    {
        if (Mode is CpuMode.Real or CpuMode.Virtual8086)
        {
            if (offset > Seg((int)SegReg.CS).Limit) { RaiseFault(Vector.GP, 0); return; }
            SetSegmentReal(SegReg.CS, selector);
            Rip = offset;
            exitBlock = true;
            return;
        }
        if (ControlTransferred != null)
        {
            var from = BeginTransferTrace(length);
            FarJumpProtected(selector, offset, size);
            EndTransferTrace(TransferKind.Jump, 0, from);
        }
        else FarJumpProtected(selector, offset, size);
        exitBlock = true;
    }

    /// <summary>Far CALL: pushes CS and the return address at operand size, then transfers.</summary>
    internal void FarCall(ushort selector, ulong offset, int size, ulong returnIp, int length)
    {
        if (Mode is CpuMode.Real or CpuMode.Virtual8086)
        {
            if (offset > Seg((int)SegReg.CS).Limit) { RaiseFault(Vector.GP, 0); return; }
            ulong mask = StackMask;
            ulong sp = Reg((int)Gpr.Rsp);
            ulong sp1 = (sp - (ulong)size) & mask, sp2 = (sp - 2 * (ulong)size) & mask;
            if (!WriteStack(sp1, size, Seg((int)SegReg.CS).Selector)) return;
            if (!WriteStack(sp2, size, returnIp)) return;
            SetSp(sp2);
            SetSegmentReal(SegReg.CS, selector);
            Rip = offset;
            exitBlock = true;
            return;
        }
        if (ControlTransferred != null)
        {
            var from = BeginTransferTrace(length);
            FarCallProtected(selector, offset, size, returnIp);
            EndTransferTrace(TransferKind.Call, 0, from);
        }
        else FarCallProtected(selector, offset, size, returnIp);
        exitBlock = true;
    }

    /// <summary>Far RET [imm16].</summary>
    internal void FarReturn(int size, uint release, int length)
    {
        if (Mode is CpuMode.Real or CpuMode.Virtual8086)
        {
            if (!ReadStack(0, size, out ulong ip)) return;
            if (!ReadStack((ulong)size, size, out ulong cs)) return;
            if (ip > Seg((int)SegReg.CS).Limit) { RaiseFault(Vector.GP, 0); return; }
            SetSegmentReal(SegReg.CS, (ushort)cs);
            Rip = ip & (size == 2 ? 0xFFFFUL : 0xFFFF_FFFFUL);
            SetSp(Reg((int)Gpr.Rsp) + 2 * (ulong)size + release);
            exitBlock = true;
            return;
        }
        if (ControlTransferred != null)
        {
            var from = BeginTransferTrace(length);
            FarReturnProtected(size, release);
            EndTransferTrace(TransferKind.Return, 0, from);
        }
        else FarReturnProtected(size, release);
        exitBlock = true;
    }

    /// <summary>IRET/IRETD.</summary>
    internal void InterruptReturn(int size, int length)
    {
        exitBlock = true;
        // IRET ends the NMI handler: NMIs are blocked until the next IRET (SDM vol. 3, 6.7.1).
        nmiBlocked = false;
        if (Mode == CpuMode.Real)
        {
            if (!ReadStack(0, size, out ulong ip)) return;
            if (!ReadStack((ulong)size, size, out ulong cs)) return;
            if (!ReadStack(2 * (ulong)size, size, out ulong fl)) return;
            SetSegmentReal(SegReg.CS, (ushort)cs);
            Rip = ip & (size == 2 ? 0xFFFFUL : 0xFFFF_FFFFUL);
            SetSp(Reg((int)Gpr.Rsp) + 3 * (ulong)size);
            WriteFlagsFromStack(fl, size);
            return;
        }
        if (Mode == CpuMode.Virtual8086)
        {
            // IRET in V86 mode traps to the monitor unless IOPL is 3 (SDM vol. 3, 20.2.7).
            if (Iopl < 3) { RaiseFault(Vector.GP, 0); return; }
            if (!ReadStack(0, size, out ulong ip)) return;
            if (!ReadStack((ulong)size, size, out ulong cs)) return;
            if (!ReadStack(2 * (ulong)size, size, out ulong fl)) return;
            LoadSegment((int)SegReg.CS, (ushort)cs);
            Rip = ip & (size == 2 ? 0xFFFFUL : 0xFFFF_FFFFUL);
            SetSp(Reg((int)Gpr.Rsp) + 3 * (ulong)size);
            // VM, IOPL and VIP/VIF are not changed by IRET in V86 mode.
            fl = (fl & ~(ulong)EFlags.IOPL) | ((ulong)Iopl << 12);
            WriteFlagsFromStack(fl, size);
            return;
        }
        if (ControlTransferred != null)
        {
            var from = BeginTransferTrace(length);
            InterruptReturnProtected(size);
            EndTransferTrace(TransferKind.InterruptReturn, 0, from);
        }
        else InterruptReturnProtected(size);
    }

    /// <summary>INT3, INT1 and INTO: like INT n, but INT3/INTO are not subject to the V86 IOPL check... except
    /// through the gate DPL (SDM vol. 3, 20.3.1 note).</summary>
    internal void BreakpointInterrupt(byte vector)
    {
        DeliverInterrupt(vector, vector == Vector.DB ? InterruptKind.Exception : InterruptKind.Software, false, 0);
        exitBlock = true;
    }

    internal bool WriteStack(ulong sp, int size, ulong value) => size switch
    {
        2 => Write<Size16>((int)SegReg.SS, sp, value),
        4 => Write<Size32>((int)SegReg.SS, sp, value),
        _ => Write<Size64>((int)SegReg.SS, sp, value),
    };

    internal bool ReadStack(ulong offset, int size, out ulong value)
    {
        ulong a = (Reg((int)Gpr.Rsp) + offset) & StackMask;
        return size switch
        {
            2 => Read<Size16>((int)SegReg.SS, a, out value),
            4 => Read<Size32>((int)SegReg.SS, a, out value),
            _ => Read<Size64>((int)SegReg.SS, a, out value),
        };
    }
}
