using Emulator.Core.State;

namespace Emulator.Core.Cpu;

// The processor's architectural state in a machine snapshot: what SDM vol. 3, 10.1 lists as set
// by RESET (general, segment, descriptor-table, control and debug registers, EFLAGS, EIP, the
// x87/MMX state, which the MMX registers alias) plus the MSRs the core keeps and the state between
// instructions that hardware also holds: HLT, the one-instruction interrupt shadow after STI/MOV SS
// (SDM vol. 3, 6.8.3), a latched NMI and NMI blocking (6.7.1). The core has no SSE, so there is
// no XMM/MXCSR state. Derived state (mode, code size, CPL-dependent TLB tables, segment offset
// ranges) is recomputed on load; TLBs and decoded blocks are dropped, as after a MOV CR3 that
// also changed every mapping.
public sealed partial class Cpu : ISaveable
{
    public string SnapshotName => "cpu";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(Model.Name);
        for (int i = 0; i < 16; i++) w.Write(gpr[i]);
        w.Write(Rip);
        Materialize();   // the lazily kept arithmetic flags become EFLAGS bits, so the layout has no lazy state
        w.Write(eflagsBits);
        for (int s = 0; s < 6; s++) WriteSegment(w, segs[s]);
        WriteSegment(w, ldtr);
        WriteSegment(w, tr);
        w.Write(GdtBase); w.Write(GdtLimit);
        w.Write(IdtBase); w.Write(IdtLimit);
        w.Write(cr0); w.Write(cr2); w.Write(cr3); w.Write(cr4);
        w.Write(efer);
        foreach (ulong d in dr) w.Write(d);
        w.Write(Cpl);
        w.Write(tscOffset);
        w.Write(sysenterCs); w.Write(sysenterEsp); w.Write(sysenterEip);
        w.Write(otherMsrs.Count);
        foreach (var (index, value) in otherMsrs.OrderBy(m => m.Key)) { w.Write(index); w.Write(value); }
        w.Write(InstructionsRetired);
        w.Write(Halted);
        w.Write(interruptShadow);
        w.Write(nmiPending); w.Write(nmiBlocked);
        w.Write(shutdown);
        w.Write(pendingException); w.Write(pendingVector); w.Write(pendingHasError); w.Write(pendingError);
        w.Write(repRestartLinear);
        fpu.SaveState(w);
    }

    /// <exception cref="InvalidDataException">The snapshot is of another CPU model.</exception>
    public void LoadState(BinaryReader r, int version)
    {
        string model = r.ReadString();
        if (model != Model.Name)
            throw new InvalidDataException($"the snapshot is of a {model} CPU, this machine has a {Model.Name}");
        for (int i = 0; i < 16; i++) gpr[i] = r.ReadUInt64();
        gpr[ZeroReg] = 0;
        Rip = r.ReadUInt64();
        lazyOp = LazyOp.None;
        eflagsBits = r.ReadUInt32() | 2;
        for (int s = 0; s < 6; s++) segs[s] = ReadSegment(r);
        ldtr = ReadSegment(r);
        tr = ReadSegment(r);
        GdtBase = r.ReadUInt64(); GdtLimit = r.ReadUInt32();
        IdtBase = r.ReadUInt64(); IdtLimit = r.ReadUInt32();
        cr0 = r.ReadUInt64(); cr2 = r.ReadUInt64(); cr3 = r.ReadUInt64(); cr4 = r.ReadUInt64();
        efer = r.ReadUInt64();
        for (int i = 0; i < dr.Length; i++) dr[i] = r.ReadUInt64();
        int cpl = r.ReadInt32() & 3;
        tscOffset = r.ReadInt64();
        sysenterCs = r.ReadUInt64(); sysenterEsp = r.ReadUInt64(); sysenterEip = r.ReadUInt64();
        otherMsrs.Clear();
        int msrs = r.ReadInt32();
        if (msrs is < 0 or > 4096) throw new InvalidDataException($"the CPU section lists {msrs} MSRs");
        for (int i = 0; i < msrs; i++) otherMsrs[r.ReadUInt32()] = r.ReadUInt64();
        InstructionsRetired = r.ReadInt64();
        Halted = r.ReadBoolean();
        interruptShadow = r.ReadBoolean();
        nmiPending = r.ReadBoolean(); nmiBlocked = r.ReadBoolean();
        shutdown = r.ReadBoolean();
        pendingException = r.ReadBoolean(); pendingVector = r.ReadByte(); pendingHasError = r.ReadBoolean(); pendingError = r.ReadUInt32();
        repRestartLinear = r.ReadUInt64();
        fpu.LoadState(r, fpu.SnapshotVersion);

        // Derived state: the mode from CR0/EFLAGS/CS (which sets CPL in real and V86 mode); then
        // nothing decoded or translated under the old state survives.
        Cpl = cpl;
        UpdateMode();
        UpdateDebugFlags();
        FlushTlb();
        Blocks.Clear();
        exitBlock = true;
    }

    static void WriteSegment(BinaryWriter w, in SegmentCache s)
    {
        w.Write(s.Selector); w.Write(s.Base); w.Write(s.Limit); w.Write(s.Attributes);
        // The offset ranges are derived, but "usable" (a null selector in protected mode) is not
        // recoverable from the other fields in every case, so they are kept as they are.
        w.Write(s.ReadLow); w.Write(s.ReadHigh); w.Write(s.WriteLow); w.Write(s.WriteHigh);
    }

    static SegmentCache ReadSegment(BinaryReader r) => new()
    {
        Selector = r.ReadUInt16(), Base = r.ReadUInt64(), Limit = r.ReadUInt32(), Attributes = r.ReadUInt16(),
        ReadLow = r.ReadUInt64(), ReadHigh = r.ReadUInt64(), WriteLow = r.ReadUInt64(), WriteHigh = r.ReadUInt64(),
    };
}
