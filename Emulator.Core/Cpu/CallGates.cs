namespace Emulator.Core.Cpu;

// Far JMP/CALL through system descriptors: call gates, task gates and TSS descriptors
// (Intel SDM vol. 2, JMP and CALL pseudo-code; vol. 3, 5.8.3-5.8.5 and 8.3).
public sealed partial class Cpu
{
    void JumpOrCallThroughSystemDescriptor(ushort sel, ulong d, ulong offset, int size, bool isCall, ulong returnIp)
    {
        _ = offset; _ = size;   // a gate or task supplies its own target and size
        uint err = (uint)(sel & 0xFFFC);
        int dpl = DescDpl(d), rpl = sel & 3;
        var source = isCall ? TaskSwitchSource.Call : TaskSwitchSource.Jump;
        // For -d pcall (see TransferTrace.cs): what the transfer went through.
        transferGateType = (byte)DescSystemType(d);
        transferGateSelector = sel;
        transferParameterCount = (byte)((d >> 32) & 0x1F);
        switch (DescSystemType(d))
        {
            case 1: case 9:
                // Available TSS: DPL must admit both CPL and RPL.
                if (dpl < Cpl || dpl < rpl) { RaiseFault(Vector.GP, err); return; }
                if (!DescPresent(d)) { RaiseFault(Vector.NP, err); return; }
                TaskSwitch(sel, source, false, 0, 0);
                return;
            case 5:
                TaskGate(sel, d, source);
                return;
            case 4: case 0xC:
                if (dpl < Cpl || dpl < rpl) { RaiseFault(Vector.GP, err); return; }
                if (!DescPresent(d)) { RaiseFault(Vector.NP, err); return; }
                ThroughCallGate(d, isCall, returnIp);
                return;
            default:
                // Busy TSS, LDT, interrupt/trap gates and reserved types.
                RaiseFault(Vector.GP, err);
                return;
        }
    }

    /// <summary>A task gate in the GDT or LDT (SDM vol. 2, JMP/CALL "TASK-GATE"): the gate's DPL is checked,
    /// then the TSS it names must be an available TSS in the GDT.</summary>
    void TaskGate(ushort sel, ulong gate, TaskSwitchSource source)
    {
        uint err = (uint)(sel & 0xFFFC);
        int dpl = DescDpl(gate);
        if (dpl < Cpl || dpl < (sel & 3)) { RaiseFault(Vector.GP, err); return; }
        if (!DescPresent(gate)) { RaiseFault(Vector.NP, err); return; }
        ushort tss = (ushort)(gate >> 16);
        uint tssErr = (uint)(tss & 0xFFFC);
        if ((tss & 4) != 0) { RaiseFault(Vector.GP, tssErr); return; }
        var f = FetchDescriptor(tss, out ulong td);
        if (f == DescriptorFetch.Faulted) return;
        if (f == DescriptorFetch.OutsideTable || DescIsCodeOrData(td) || DescSystemType(td) is not (1 or 9))
        { RaiseFault(Vector.GP, tssErr); return; }
        if (!DescPresent(td)) { RaiseFault(Vector.NP, tssErr); return; }
        TaskSwitch(tss, source, false, 0, 0);
    }

    /// <summary>
    /// JMP or CALL through a call gate (SDM vol. 3, 5.8.4-5.8.5). JMP stays at the current privilege;
    /// CALL to a more privileged non-conforming segment switches to the stack for that level from the TSS
    /// and copies the gate's parameter count of words or dwords (5.8.5, figure 5-13).
    /// </summary>
    void ThroughCallGate(ulong gate, bool isCall, ulong returnIp)
    {
        bool gate32 = DescSystemType(gate) == 0xC;
        int size = gate32 ? 4 : 2;
        ushort csSel = (ushort)(gate >> 16);
        ulong target = (gate & 0xFFFF) | (gate32 ? (gate >> 32) & 0xFFFF_0000 : 0);
        if ((csSel & 0xFFFC) == 0) { RaiseFault(Vector.GP, 0); return; }
        var f = FetchDescriptor(csSel, out ulong cd);
        if (f == DescriptorFetch.Faulted) return;
        uint csErr = (uint)(csSel & 0xFFFC);
        int dpl = DescDpl(cd);
        if (f == DescriptorFetch.OutsideTable || !DescIsCode(cd) || dpl > Cpl) { RaiseFault(Vector.GP, csErr); return; }
        if (!isCall && !DescConforming(cd) && dpl != Cpl) { RaiseFault(Vector.GP, csErr); return; }
        if (!DescPresent(cd)) { RaiseFault(Vector.NP, csErr); return; }
        if (target > DescriptorLimit(cd)) { RaiseFault(Vector.GP, 0); return; }
        returnIp &= size == 2 ? 0xFFFFUL : 0xFFFF_FFFFUL;

        if (!isCall)
        {
            if (!SetAccessed(csSel, cd)) return;
            LoadCs(csSel, cd, Cpl);
            Rip = target;
            return;
        }

        if (DescConforming(cd) || dpl == Cpl)
        {
            // Same privilege: push CS and the return address at the gate's size.
            ulong mask = StackMask;
            ulong sp = Reg((int)Gpr.Rsp);
            ulong sp1 = (sp - (ulong)size) & mask, sp2 = (sp - 2 * (ulong)size) & mask;
            if (!WriteStack(sp1, size, Seg((int)SegReg.CS).Selector)) return;
            if (!WriteStack(sp2, size, returnIp)) return;
            if (!SetAccessed(csSel, cd)) return;
            LoadCs(csSel, cd, Cpl);
            SetSp(sp2);
            Rip = target;
            return;
        }

        // More privilege: the new stack comes from the TSS.
        int newCpl = dpl;
        if (!ReadTssStack(newCpl, out ushort newSs, out ulong newSp)) return;
        if ((newSs & 0xFFFC) == 0) { RaiseFault(Vector.TS, 0); return; }
        var f2 = FetchDescriptor(newSs, out ulong sd);
        if (f2 == DescriptorFetch.Faulted) return;
        uint ssErr = (uint)(newSs & 0xFFFC);
        if (f2 == DescriptorFetch.OutsideTable || (newSs & 3) != newCpl || DescDpl(sd) != newCpl || !DescWritableData(sd))
        { RaiseFault(Vector.TS, ssErr); return; }
        if (!DescPresent(sd)) { RaiseFault(Vector.SS, ssErr); return; }
        var ssCache = CacheFromDescriptor(newSs, sd | (1UL << 40));
        ssCache.UpdateRanges(true, false);
        ulong newMask = ssCache.Big ? 0xFFFF_FFFFUL : 0xFFFFUL;

        // Parameters are read from the caller's stack, the first one at its top.
        int count = (int)(gate >> 32) & 0x1F;
        Span<ulong> param = stackalloc ulong[32];
        for (int i = 0; i < count; i++)
            if (!ReadStack((ulong)(i * size), size, out param[i])) return;
        ulong oldSp = Reg((int)Gpr.Rsp) & (size == 4 ? 0xFFFF_FFFFUL : 0xFFFFUL);
        ushort oldSs = Seg((int)SegReg.SS).Selector;

        // New stack (figure 5-13): SS, ESP, the parameters in their original order, CS, EIP.
        // Every write is checked against the new SS limit with #SS(new SS) before the commit.
        ulong sp2n = newSp & newMask;
        bool Push(ref SegmentCache ss, ulong value)
        {
            sp2n = (sp2n - (ulong)size) & newMask;
            return StackWriteWithCache(ref ss, sp2n, size, value, newCpl == 3, ssErr);
        }
        if (!Push(ref ssCache, oldSs)) return;
        if (!Push(ref ssCache, oldSp)) return;
        for (int i = count - 1; i >= 0; i--)
            if (!Push(ref ssCache, param[i])) return;
        if (!Push(ref ssCache, Seg((int)SegReg.CS).Selector)) return;
        if (!Push(ref ssCache, returnIp)) return;
        if (!SetAccessed(newSs, sd) || !SetAccessed(csSel, cd)) return;

        Seg((int)SegReg.SS) = ssCache;
        LoadCs(csSel, cd, newCpl);
        ref ulong rsp = ref Reg((int)Gpr.Rsp);
        rsp = ssCache.Big ? sp2n : (rsp & ~0xFFFFUL) | (sp2n & 0xFFFF);
        Rip = target;
    }
}
