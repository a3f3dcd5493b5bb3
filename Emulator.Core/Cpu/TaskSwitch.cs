namespace Emulator.Core.Cpu;

// Hardware task switching (Intel SDM vol. 3, 8.3; table 8-1 for the checks, figures 8-2 and
// 8-11 for the 32- and 16-bit TSS layouts). The switch reads the whole new state first, so a
// page fault on either TSS leaves the old task intact; after the commit point faults belong to
// the new task and are raised with its EIP.
public sealed partial class Cpu
{
    /// <summary>A fault raised after a task switch committed: RIP already holds the new task's EIP, which
    /// the loop must not roll back to the faulting instruction of the old task.</summary>
    internal bool faultKeepsRip;

    /// <summary>Sets or clears the busy bit (type bit 1) of the TSS descriptor <paramref name="sel"/> in the GDT.</summary>
    internal bool SetTssBusy(ushort sel, ulong descriptor, bool busy)
    {
        byte access = (byte)(descriptor >> 40);
        access = busy ? (byte)(access | 2) : (byte)(access & ~2);
        return WriteSystem(GdtBase + (ulong)(sel & 0xFFF8) + 5, 1, access);
    }

    bool NewTaskFault(byte vector, uint error)
    {
        faultKeepsRip = true;
        return RaiseFault(vector, error);
    }

    // Offsets in a 32-bit TSS and in a 16-bit TSS.
    const int Tss32Cr3 = 0x1C, Tss32Eip = 0x20, Tss32Eflags = 0x24, Tss32Eax = 0x28, Tss32Es = 0x48, Tss32Ldt = 0x60;
    const int Tss16Ip = 0x0E, Tss16Flags = 0x10, Tss16Ax = 0x12, Tss16Es = 0x22, Tss16Ldt = 0x2A;

    /// <summary>
    /// Switches to the task whose TSS descriptor <paramref name="selector"/> names. JMP/CALL made the
    /// privilege checks of the descriptor or gate already; this makes the checks of SDM table 8-1.
    /// <paramref name="hasError"/>/<paramref name="error"/>: an exception's error code, pushed on the new
    /// task's stack. <paramref name="ext"/>: the EXT bit of error codes.
    /// </summary>
    internal void TaskSwitch(ushort selector, TaskSwitchSource source, bool hasError, uint error, uint ext)
    {
        exitBlock = true;
        bool iret = source == TaskSwitchSource.Iret;
        // A bad target is #TS for IRET (the back link) and #GP for the others (SDM vol. 2, IRET, CALL, INT n).
        byte badVector = iret ? Vector.TS : Vector.GP;
        uint selErr = (uint)(selector & 0xFFFC) + ext;
        if ((selector & 4) != 0) { RaiseFault(badVector, selErr); return; }
        var f = FetchDescriptor(selector, out ulong d);
        if (f == DescriptorFetch.Faulted) return;
        int type = DescSystemType(d);
        if (f == DescriptorFetch.OutsideTable || DescIsCodeOrData(d) || type is not (1 or 3 or 9 or 0xB))
        { RaiseFault(badVector, selErr); return; }
        bool busy = (type & 2) != 0;
        if (iret ? !busy : busy) { RaiseFault(badVector, selErr); return; }
        if (!DescPresent(d)) { RaiseFault(Vector.NP, selErr); return; }
        bool new32 = (type & 8) != 0;
        if (DescriptorLimit(d) < (new32 ? 0x67u : 0x2Bu)) { RaiseFault(Vector.TS, selErr); return; }
        ulong nb = DescriptorBase(d);

        // Read the new task's state (step 11's values) before anything changes.
        Span<ulong> regs = stackalloc ulong[8];
        Span<ushort> sels = stackalloc ushort[6];
        ulong newCr3 = cr3, newEip, newFlags, v;
        ushort newLdt;
        if (new32)
        {
            if (!ReadSystem(nb + Tss32Cr3, 4, out newCr3)) return;
            if (!ReadSystem(nb + Tss32Eip, 4, out newEip)) return;
            if (!ReadSystem(nb + Tss32Eflags, 4, out newFlags)) return;
            for (int i = 0; i < 8; i++) if (!ReadSystem(nb + Tss32Eax + (ulong)(4 * i), 4, out regs[i])) return;
            for (int i = 0; i < 6; i++) { if (!ReadSystem(nb + Tss32Es + (ulong)(4 * i), 2, out v)) return; sels[i] = (ushort)v; }
            if (!ReadSystem(nb + Tss32Ldt, 2, out v)) return;
            newLdt = (ushort)v;
        }
        else
        {
            if (!ReadSystem(nb + Tss16Ip, 2, out newEip)) return;
            if (!ReadSystem(nb + Tss16Flags, 2, out newFlags)) return;
            for (int i = 0; i < 8; i++) if (!ReadSystem(nb + Tss16Ax + (ulong)(2 * i), 2, out regs[i])) return;
            // A 16-bit TSS holds ES, CS, SS, DS only; FS and GS become null.
            for (int i = 0; i < 4; i++) { if (!ReadSystem(nb + Tss16Es + (ulong)(2 * i), 2, out v)) return; sels[i] = (ushort)v; }
            if (!ReadSystem(nb + Tss16Ldt, 2, out v)) return;
            newLdt = (ushort)v;
        }

        // Save the old task (steps 5-7). The old TSS is probed for writing first so a page fault on it
        // leaves the processor state unchanged.
        bool old32 = (tr.Type & 8) != 0;
        ulong ob = tr.Base;
        if (!Translate(ob & linearMask, true, false, out _) || !Translate((ob + (old32 ? 0x5DUL : 0x29UL)) & linearMask, true, false, out _)) return;
        if (source is TaskSwitchSource.Call or TaskSwitchSource.InterruptOrException &&
            !Translate(nb & linearMask, true, false, out _)) return;
        uint oldFlags = Eflags;
        if (iret) oldFlags &= ~(uint)EFlags.NT;
        if (source is TaskSwitchSource.Jump or TaskSwitchSource.Iret)
        {
            if (!ReadSystem(GdtBase + (ulong)(tr.Selector & 0xFFF8) + 5, 1, out ulong acc)) return;
            if (!SetTssBusy(tr.Selector, acc << 40, false)) return;
        }
        if (old32)
        {
            if (!WriteSystem(ob + Tss32Eip, 4, (uint)Rip)) return;
            if (!WriteSystem(ob + Tss32Eflags, 4, oldFlags)) return;
            for (int i = 0; i < 8; i++) if (!WriteSystem(ob + Tss32Eax + (ulong)(4 * i), 4, (uint)Reg(i))) return;
            for (int i = 0; i < 6; i++) if (!WriteSystem(ob + Tss32Es + (ulong)(4 * i), 2, Seg(i).Selector)) return;
        }
        else
        {
            if (!WriteSystem(ob + Tss16Ip, 2, Rip & 0xFFFF)) return;
            if (!WriteSystem(ob + Tss16Flags, 2, oldFlags & 0xFFFF)) return;
            for (int i = 0; i < 8; i++) if (!WriteSystem(ob + Tss16Ax + (ulong)(2 * i), 2, Reg(i) & 0xFFFF)) return;
            for (int i = 0; i < 4; i++) if (!WriteSystem(ob + Tss16Es + (ulong)(2 * i), 2, Seg(i).Selector)) return;
        }

        // Link and busy bits (steps 8-9): CALL and interrupts nest the new task under the old one.
        if (source is TaskSwitchSource.Call or TaskSwitchSource.InterruptOrException)
        {
            if (!WriteSystem(nb, 2, tr.Selector)) return;
            newFlags |= (uint)EFlags.NT;
        }
        if (!iret && !SetTssBusy(selector, d, true)) return;

        // Commit (step 10): TR, CR0.TS, CR3, EFLAGS, EIP, general registers, raw selectors.
        tr = CacheFromDescriptor(selector, d | (2UL << 40));
        cr0 |= CrBits.CR0_TS;
        if (new32 && PagingEnabled)
        {
            cr3 = newCr3 & 0xFFFF_F018;
            FlushTlb();
        }
        lazyOp = LazyOp.None;
        eflagsBits = new32 ? ((uint)newFlags & 0x003F_7FD5u) | 2u : ((uint)newFlags & 0x7FD5u) | 2u;
        Rip = new32 ? (uint)newEip : newEip & 0xFFFF;
        for (int i = 0; i < 8; i++)
        {
            if (new32) Reg(i) = (uint)regs[i];
            else Reg16(i) = (ushort)regs[i];
        }
        for (int i = 0; i < 6; i++)
        {
            var raw = new SegmentCache { Selector = sels[i] };
            raw.UpdateRanges(false, false);
            Seg(i) = raw;
        }
        ldtr = new SegmentCache { Selector = newLdt };
        if ((eflagsBits & (uint)EFlags.VM) != 0)
        {
            // A V86 task: segments load the real-mode way at CPL 3 (SDM vol. 3, 20.2.1).
            UpdateMode();
            for (int i = 0; i < 6; i++) SetV86Segment((SegReg)i, sels[i]);
        }

        // Load the new task's segments (step 11); faults here are in the new task's context.
        if (!LoadTaskLdt(newLdt)) return;
        if ((eflagsBits & (uint)EFlags.VM) == 0)
        {
            // The new CPL is the RPL of the new CS. SS is loaded before CS (Bochs does the same) so that a
            // fault on CS or a data segment can still be delivered on the new task's stack.
            Cpl = sels[(int)SegReg.CS] & 3;
            SetTlbPrivilege();
            if (!LoadTaskSs(sels[(int)SegReg.SS])) return;
            foreach (int s in stackalloc[] { (int)SegReg.ES, (int)SegReg.DS, (int)SegReg.FS, (int)SegReg.GS })
                if (!LoadTaskDataSegment(s, sels[s])) return;
            if (!LoadTaskCs(sels[(int)SegReg.CS])) return;
        }
        UpdateMode();
        if (Rip > Seg((int)SegReg.CS).Limit) { NewTaskFault(Vector.GP, 0); return; }
        if (hasError)
        {
            ulong sp = (Reg((int)Gpr.Rsp) - (new32 ? 4UL : 2UL)) & StackMask;
            if (!(new32 ? Write<Size32>((int)SegReg.SS, sp, error) : Write<Size16>((int)SegReg.SS, sp, error & 0xFFFF)))
            {
                faultKeepsRip = true;
                return;
            }
            SetSp(sp);
        }
    }

    bool LoadTaskLdt(ushort sel)
    {
        if ((sel & 0xFFFC) == 0) return true;
        uint err = (uint)(sel & 0xFFFC);
        if ((sel & 4) != 0) return NewTaskFault(Vector.TS, err);
        var f = FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) { faultKeepsRip = true; return false; }
        if (f == DescriptorFetch.OutsideTable || DescIsCodeOrData(d) || DescSystemType(d) != 2 || !DescPresent(d))
            return NewTaskFault(Vector.TS, err);
        ldtr = CacheFromDescriptor(sel, d);
        return true;
    }

    bool LoadTaskCs(ushort sel)
    {
        uint err = (uint)(sel & 0xFFFC);
        if ((sel & 0xFFFC) == 0) return NewTaskFault(Vector.TS, err);
        var f = FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) { faultKeepsRip = true; return false; }
        int rpl = sel & 3, dpl = DescDpl(d);
        if (f == DescriptorFetch.OutsideTable || !DescIsCode(d) || (DescConforming(d) ? dpl > rpl : dpl != rpl))
            return NewTaskFault(Vector.TS, err);
        if (!DescPresent(d)) return NewTaskFault(Vector.NP, err);
        if (!SetAccessed(sel, d)) { faultKeepsRip = true; return false; }
        LoadCs(sel, d, rpl);
        return true;
    }

    bool LoadTaskSs(ushort sel)
    {
        uint err = (uint)(sel & 0xFFFC);
        if ((sel & 0xFFFC) == 0) return NewTaskFault(Vector.TS, err);
        var f = FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) { faultKeepsRip = true; return false; }
        if (f == DescriptorFetch.OutsideTable || !DescWritableData(d) || DescDpl(d) != Cpl || (sel & 3) != Cpl)
            return NewTaskFault(Vector.TS, err);
        if (!DescPresent(d)) return NewTaskFault(Vector.SS, err);
        if (!SetAccessed(sel, d)) { faultKeepsRip = true; return false; }
        SetSegmentCache((int)SegReg.SS, CacheFromDescriptor(sel, d | (1UL << 40)));
        return true;
    }

    bool LoadTaskDataSegment(int seg, ushort sel)
    {
        if ((sel & 0xFFFC) == 0) return true;   // stays null (loaded above)
        uint err = (uint)(sel & 0xFFFC);
        var f = FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) { faultKeepsRip = true; return false; }
        if (f == DescriptorFetch.OutsideTable || !DescReadable(d)) return NewTaskFault(Vector.TS, err);
        if (!DescConforming(d) && (DescDpl(d) < Cpl || DescDpl(d) < (sel & 3))) return NewTaskFault(Vector.TS, err);
        if (!DescPresent(d)) return NewTaskFault(Vector.NP, err);
        if (!SetAccessed(sel, d)) { faultKeepsRip = true; return false; }
        SetSegmentCache(seg, CacheFromDescriptor(sel, d | (1UL << 40)));
        return true;
    }
}
