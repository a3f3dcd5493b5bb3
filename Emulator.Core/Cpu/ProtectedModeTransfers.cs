namespace Emulator.Core.Cpu;

// Protected-mode far transfers through code-segment descriptors (SDM vol. 2 JMP/CALL/RET/IRET,
// vol. 3, 5.8.1-5.8.6). Gates and tasks are dispatched to CallGates.cs and TaskSwitch.cs.
public sealed partial class Cpu
{
    void FarJumpProtected(ushort sel, ulong offset, int size)
    {
        if (!FetchFarTarget(sel, out ulong d)) return;
        if (DescIsCodeOrData(d))
        {
            if (!CheckDirectCodeTarget(sel, d)) return;
            if (size == 2) offset &= 0xFFFF;
            if (offset > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
            if (!SetAccessed(sel, d)) return;
            LoadCs(sel, d, Cpl);
            Rip = offset;
            return;
        }
        JumpOrCallThroughSystemDescriptor(sel, d, offset, size, isCall: false, returnIp: 0);
    }

    void FarCallProtected(ushort sel, ulong offset, int size, ulong returnIp)
    {
        if (!FetchFarTarget(sel, out ulong d)) return;
        if (DescIsCodeOrData(d))
        {
            if (!CheckDirectCodeTarget(sel, d)) return;
            if (size == 2) offset &= 0xFFFF;
            ulong mask = StackMask;
            ulong sp = Reg((int)Gpr.Rsp);
            ulong sp1 = (sp - (ulong)size) & mask, sp2 = (sp - 2 * (ulong)size) & mask;
            if (!WriteStack(sp1, size, Seg((int)SegReg.CS).Selector)) return;
            if (!WriteStack(sp2, size, returnIp)) return;
            if (offset > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
            if (!SetAccessed(sel, d)) return;
            LoadCs(sel, d, Cpl);
            SetSp(sp2);
            Rip = offset;
            return;
        }
        JumpOrCallThroughSystemDescriptor(sel, d, offset, size, isCall: true, returnIp);
    }

    /// <summary>Far RET: same privilege, or return to an outer level popping SS:ESP (SDM vol. 2, RET).</summary>
    void FarReturnProtected(int size, uint release)
    {
        if (!ReadStack(0, size, out ulong ip)) return;
        if (!ReadStack((ulong)size, size, out ulong csv)) return;
        ushort sel = (ushort)csv;
        if (!CheckReturnCodeSegment(sel, out ulong d)) return;
        int rpl = sel & 3;
        if (size == 2) ip &= 0xFFFF;
        if (rpl == Cpl)
        {
            if (ip > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
            LoadCs(sel, d, Cpl);
            Rip = ip;
            SetSp(Reg((int)Gpr.Rsp) + 2 * (ulong)size + release);
            return;
        }
        // Return to an outer privilege level.
        ulong ssOff = 2 * (ulong)size + release;
        if (!ReadStack(ssOff, size, out ulong newSp)) return;
        if (!ReadStack(ssOff + (ulong)size, size, out ulong ssv)) return;
        if (!CheckOuterStack((ushort)ssv, rpl, out ulong sd)) return;
        if (ip > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
        if (!SetAccessed((ushort)ssv, sd)) return;
        LoadCs(sel, d, rpl);
        var ss = CacheFromDescriptor((ushort)ssv, sd | (1UL << 40));
        ss.UpdateRanges(true, false);
        Seg((int)SegReg.SS) = ss;
        Rip = ip;
        SetSp(newSp + release);
        InvalidateSegmentsForOuterLevel();
    }

    /// <summary>Checks the SS selector popped on a return to privilege <paramref name="rpl"/> (SDM vol. 2, RET/IRET).</summary>
    bool CheckOuterStack(ushort ss, int rpl, out ulong desc)
    {
        desc = 0;
        if ((ss & 0xFFFC) == 0) return RaiseFault(Vector.GP, 0);
        var f = FetchDescriptor(ss, out desc);
        if (f == DescriptorFetch.Faulted) return false;
        uint err = (uint)(ss & 0xFFFC);
        if (f == DescriptorFetch.OutsideTable || (ss & 3) != rpl || !DescWritableData(desc) || DescDpl(desc) != rpl)
            return RaiseFault(Vector.GP, err);
        if (!DescPresent(desc)) return RaiseFault(Vector.SS, err);
        return true;
    }

    void InterruptReturnProtected(int size)
    {
        if ((eflagsBits & (uint)EFlags.NT) != 0)
        {
            // Nested task: return to the task in the back link (SDM vol. 3, 8.3).
            if (!ReadSystem(tr.Base, 2, out ulong link)) return;
            TaskSwitch((ushort)link, TaskSwitchSource.Iret, false, 0, 0);
            return;
        }
        if (!ReadStack(0, size, out ulong ip)) return;
        if (!ReadStack((ulong)size, size, out ulong csv)) return;
        if (!ReadStack(2 * (ulong)size, size, out ulong fl)) return;
        if (size == 4 && (fl & (ulong)EFlags.VM) != 0 && Cpl == 0)
        {
            ReturnToVirtual8086(ip, (ushort)csv, (uint)fl);
            return;
        }
        ushort sel = (ushort)csv;
        if (!CheckReturnCodeSegment(sel, out ulong d)) return;
        int rpl = sel & 3;
        if (size == 2) ip &= 0xFFFF;
        if (rpl == Cpl)
        {
            if (ip > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
            LoadCs(sel, d, Cpl);
            Rip = ip;
            SetSp(Reg((int)Gpr.Rsp) + 3 * (ulong)size);
            WriteFlagsFromStack(fl, size);
            return;
        }
        if (!ReadStack(3 * (ulong)size, size, out ulong newSp)) return;
        if (!ReadStack(4 * (ulong)size, size, out ulong ssv)) return;
        if (!CheckOuterStack((ushort)ssv, rpl, out ulong sd)) return;
        if (ip > DescriptorLimit(d)) { RaiseFault(Vector.GP, 0); return; }
        if (!SetAccessed((ushort)ssv, sd)) return;
        // Flags are written with the old CPL's privileges, before CS (and so CPL) changes (SDM vol. 2, IRET: "EFLAGS ← tempEFLAGS" under CPL rules).
        WriteFlagsFromStack(fl, size);
        LoadCs(sel, d, rpl);
        var ss = CacheFromDescriptor((ushort)ssv, sd | (1UL << 40));
        ss.UpdateRanges(true, false);
        Seg((int)SegReg.SS) = ss;
        Rip = ip;
        SetSp(newSp);
        InvalidateSegmentsForOuterLevel();
    }

    /// <summary>IRETD from CPL 0 with VM set in the popped EFLAGS: resume virtual-8086 mode (SDM vol. 3, 20.3.1).</summary>
    void ReturnToVirtual8086(ulong ip, ushort cs, uint flags)
    {
        Span<ulong> v = stackalloc ulong[6];
        for (int i = 0; i < 6; i++)
            if (!ReadStack((ulong)(12 + 4 * i), 4, out v[i])) return;
        // v: ESP, SS, ES, DS, FS, GS
        eflagsBits = (flags & 0x003F_7FD5u) | 2u;
        lazyOp = LazyOp.None;
        UpdateMode();   // now Virtual8086, CPL 3
        SetV86Segment(SegReg.CS, cs);
        SetV86Segment(SegReg.SS, (ushort)v[1]);
        SetV86Segment(SegReg.ES, (ushort)v[2]);
        SetV86Segment(SegReg.DS, (ushort)v[3]);
        SetV86Segment(SegReg.FS, (ushort)v[4]);
        SetV86Segment(SegReg.GS, (ushort)v[5]);
        Reg((int)Gpr.Rsp) = (uint)v[0];
        Rip = ip & 0xFFFF;
        UpdateMode();
    }

    void SetV86Segment(SegReg s, ushort selector)
    {
        ref var sc = ref Seg((int)s);
        sc.Selector = selector;
        sc.Base = (ulong)selector << 4;
        sc.Limit = 0xFFFF;
        sc.Attributes = 0xF3;   // V86 segments are writable data at DPL 3, as in Bochs (SDM vol. 3, 20.1.1)
        sc.UpdateRanges(true, false);
    }

    /// <summary>The descriptor a far JMP/CALL names: #GP(0) for a null selector, #GP(sel) outside the table.</summary>
    bool FetchFarTarget(ushort sel, out ulong d)
    {
        d = 0;
        if ((sel & 0xFFFC) == 0) return RaiseFault(Vector.GP, 0);
        var f = FetchDescriptor(sel, out d);
        if (f == DescriptorFetch.Faulted) return false;
        if (f == DescriptorFetch.OutsideTable) return RaiseFault(Vector.GP, (uint)(sel & 0xFFFC));
        return true;
    }

    /// <summary>A direct far JMP/CALL to a code segment (SDM vol. 3, 5.8.1): conforming needs DPL &lt;= CPL,
    /// non-conforming needs RPL &lt;= CPL and DPL = CPL; then it must be present.</summary>
    bool CheckDirectCodeTarget(ushort sel, ulong d)
    {
        uint err = (uint)(sel & 0xFFFC);
        if (!DescIsCode(d)) return RaiseFault(Vector.GP, err);
        int dpl = DescDpl(d), rpl = sel & 3;
        if (DescConforming(d) ? dpl > Cpl : (rpl > Cpl || dpl != Cpl)) return RaiseFault(Vector.GP, err);
        if (!DescPresent(d)) return RaiseFault(Vector.NP, err);
        return true;
    }

    /// <summary>The CS popped by RET/IRET (SDM vol. 2, RET "protected mode" checks): a code segment with
    /// RPL &gt;= CPL, DPL &lt;= RPL if conforming or = RPL otherwise, present.</summary>
    bool CheckReturnCodeSegment(ushort sel, out ulong d)
    {
        d = 0;
        if ((sel & 0xFFFC) == 0) return RaiseFault(Vector.GP, 0);
        var f = FetchDescriptor(sel, out d);
        if (f == DescriptorFetch.Faulted) return false;
        uint err = (uint)(sel & 0xFFFC);
        int rpl = sel & 3;
        if (f == DescriptorFetch.OutsideTable || !DescIsCode(d) || rpl < Cpl) return RaiseFault(Vector.GP, err);
        int dpl = DescDpl(d);
        if (DescConforming(d) ? dpl > rpl : dpl != rpl) return RaiseFault(Vector.GP, err);
        if (!DescPresent(d)) return RaiseFault(Vector.NP, err);
        return true;
    }
}
