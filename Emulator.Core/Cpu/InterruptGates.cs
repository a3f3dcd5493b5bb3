namespace Emulator.Core.Cpu;

// Protected-mode interrupt and exception delivery through the IDT (Intel SDM vol. 3,
// 6.10-6.14 and 20.3 for interrupts out of virtual-8086 mode).
public sealed partial class Cpu
{
    void DeliverProtected(byte vector, InterruptKind kind, bool hasError, uint error)
    {
        uint ext = kind is InterruptKind.Software ? 0u : 1u;
        uint idtErr = (uint)vector * 8 + 2 + ext;
        if ((ulong)vector * 8 + 7 > IdtLimit) { RaiseFault(Vector.GP, idtErr); return; }
        if (!ReadSystem(IdtBase + (ulong)vector * 8, 8, out ulong gate)) return;
        int type = (int)(gate >> 40) & 0x1F;   // S bit included: gates are system descriptors
        int gateDpl = (int)(gate >> 45) & 3;
        bool present = (gate & (1UL << 47)) != 0;
        if (type is not (0x05 or 0x06 or 0x07 or 0x0E or 0x0F)) { RaiseFault(Vector.GP, idtErr); return; }
        if (kind == InterruptKind.Software && gateDpl < Cpl) { RaiseFault(Vector.GP, idtErr); return; }
        if (!present) { RaiseFault(Vector.NP, idtErr); return; }
        transferGateType = (byte)(type & 0xF);   // for -d pcall (TransferTrace.cs)

        if (type == 0x05)
        {
            TaskSwitch((ushort)(gate >> 16), TaskSwitchSource.InterruptOrException, hasError, error, ext);
            return;
        }

        ushort sel = (ushort)(gate >> 16);
        ulong offset = (gate & 0xFFFF) | (type >= 0x0E ? (gate >> 32) & 0xFFFF_0000 : 0);
        bool gate32 = type >= 0x0E;
        bool trapGate = (type & 1) != 0;
        if ((sel & 0xFFFC) == 0) { RaiseFault(Vector.GP, ext); return; }
        var fetch = FetchDescriptor(sel, out ulong cd);
        if (fetch == DescriptorFetch.Faulted) return;
        uint selErr = (uint)(sel & 0xFFFC) + ext;
        if (fetch == DescriptorFetch.OutsideTable || !DescIsCode(cd) || DescDpl(cd) > Cpl) { RaiseFault(Vector.GP, selErr); return; }
        if (!DescPresent(cd)) { RaiseFault(Vector.NP, selErr); return; }
        int dpl = DescDpl(cd);
        bool fromV86 = Mode == CpuMode.Virtual8086;
        if (!gate32) offset &= 0xFFFF;
        // The target must lie within the new CS before anything is pushed (SDM vol. 2, INT n: #GP(EXT)).
        if (offset > DescriptorLimit(cd)) { RaiseFault(Vector.GP, ext); return; }
        uint flags = Eflags;
        int size = gate32 ? 4 : 2;

        if (!DescConforming(cd) && dpl < Cpl)
        {
            // Inter-privilege: switch to the stack for ring 'dpl' from the TSS.
            if (fromV86 && dpl != 0) { RaiseFault(Vector.GP, selErr); return; }
            if (!ReadTssStack(dpl, out ushort newSs, out ulong newSp, ext)) return;
            uint ssErr = (uint)(newSs & 0xFFFC) + ext;
            if ((newSs & 0xFFFC) == 0) { RaiseFault(Vector.TS, ext); return; }
            var f2 = FetchDescriptor(newSs, out ulong sd);
            if (f2 == DescriptorFetch.Faulted) return;
            if (f2 == DescriptorFetch.OutsideTable || (newSs & 3) != dpl || DescDpl(sd) != dpl || !DescWritableData(sd))
            { RaiseFault(Vector.TS, ssErr); return; }
            if (!DescPresent(sd)) { RaiseFault(Vector.SS, ssErr); return; }
            var ssCache = CacheFromDescriptor(newSs, sd | (1UL << 40));
            ssCache.UpdateRanges(true, false);
            ulong spMask = ssCache.Big ? 0xFFFF_FFFFUL : 0xFFFFUL;

            Span<ulong> frame = stackalloc ulong[10];
            int n = 0;
            if (fromV86)
            {
                frame[n++] = Seg((int)SegReg.GS).Selector;
                frame[n++] = Seg((int)SegReg.FS).Selector;
                frame[n++] = Seg((int)SegReg.DS).Selector;
                frame[n++] = Seg((int)SegReg.ES).Selector;
            }
            frame[n++] = Seg((int)SegReg.SS).Selector;
            frame[n++] = Reg((int)Gpr.Rsp) & (size == 4 ? 0xFFFF_FFFFUL : 0xFFFFUL);
            frame[n++] = flags;
            frame[n++] = Seg((int)SegReg.CS).Selector;
            frame[n++] = Rip;
            if (hasError) frame[n++] = error;
            ulong sp = newSp;
            for (int i = 0; i < n; i++)
            {
                sp = (sp - (ulong)size) & spMask;
                if (!StackWriteWithCache(ref ssCache, sp, size, frame[i], dpl == 3, ssErr)) return;
            }
            if (!SetAccessed(newSs, sd)) return;
            if (fromV86)
            {
                foreach (int s in stackalloc[] { (int)SegReg.ES, (int)SegReg.DS, (int)SegReg.FS, (int)SegReg.GS })
                {
                    var nul = new SegmentCache();
                    nul.UpdateRanges(false, false);
                    Seg(s) = nul;
                }
            }
            eflagsBits &= ~(uint)(EFlags.TF | EFlags.NT | EFlags.RF | EFlags.VM);
            if (!trapGate) eflagsBits &= ~(uint)EFlags.IF;
            Seg((int)SegReg.SS) = ssCache;
            LoadCs(sel, cd, dpl);
            ulong rspMasked = ssCache.Big ? sp : (Reg((int)Gpr.Rsp) & ~0xFFFFUL) | (sp & 0xFFFF);
            Reg((int)Gpr.Rsp) = rspMasked;
        }
        else if (DescConforming(cd) || dpl == Cpl)
        {
            if (fromV86) { RaiseFault(Vector.GP, selErr); return; }
            ulong spMask = StackMask;
            ulong sp = Reg((int)Gpr.Rsp);
            ref var ss = ref Seg((int)SegReg.SS);
            Span<ulong> frame = stackalloc ulong[4];
            int n = 0;
            frame[n++] = flags;
            frame[n++] = Seg((int)SegReg.CS).Selector;
            frame[n++] = Rip;
            if (hasError) frame[n++] = error;
            for (int i = 0; i < n; i++)
            {
                sp = (sp - (ulong)size) & spMask;
                if (!StackWriteWithCache(ref ss, sp, size, frame[i], Cpl == 3, 0)) return;
            }
            eflagsBits &= ~(uint)(EFlags.TF | EFlags.NT | EFlags.RF | EFlags.VM);
            if (!trapGate) eflagsBits &= ~(uint)EFlags.IF;
            LoadCs(sel, cd, Cpl);
            SetSp(sp);
        }
        else
        {
            RaiseFault(Vector.GP, selErr);
            return;
        }
        Rip = offset;
        lazyOp = LazyOp.None;   // flags were materialized by Eflags above
    }

    /// <summary>Writes to a stack described by <paramref name="ss"/> (possibly not yet loaded), with the limit check
    /// giving #SS(<paramref name="ssError"/>) (SDM vol. 3, 6.12.1).</summary>
    internal bool StackWriteWithCache(ref SegmentCache ss, ulong sp, int size, ulong value, bool user, uint ssError)
    {
        if (sp < ss.WriteLow || sp + (ulong)(size - 1) > ss.WriteHigh) return RaiseFault(Vector.SS, ssError);
        return WriteLinearSlow((ss.Base + sp) & linearMask, size, value, user);
    }

    /// <summary>Reads SS:ESP for privilege level <paramref name="level"/> from the current TSS (SDM vol. 3, 8.2.1).</summary>
    internal bool ReadTssStack(int level, out ushort ss, out ulong sp, uint ext = 0)
    {
        ss = 0; sp = 0;
        bool tss32 = (tr.Type & 8) != 0;
        ulong offset = tss32 ? (ulong)(level * 8 + 4) : (ulong)(level * 4 + 2);
        int spSize = tss32 ? 4 : 2;
        // ESP and SS occupy 6 bytes in a 32-bit TSS, SP and SS 4 in a 16-bit one (SDM vol. 2, INT n).
        if (offset + (ulong)spSize + 1 > tr.Limit) return RaiseFault(Vector.TS, (uint)(tr.Selector & 0xFFFC) + ext);
        if (!ReadSystem(tr.Base + offset, spSize, out sp)) return false;
        if (!ReadSystem(tr.Base + offset + (ulong)spSize, 2, out ulong s)) return false;
        ss = (ushort)s;
        return true;
    }
}
