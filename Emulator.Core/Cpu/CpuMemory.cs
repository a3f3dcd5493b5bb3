using System.Runtime.CompilerServices;
using Emulator.Core.Cpu.Paging;
using Emulator.Core.Memory;

namespace Emulator.Core.Cpu;

// Memory access through segmentation and paging. The fast path (inlined into every
// handler) is a segment-range check, a TLB compare and a host load or store; page
// walks, page-crossing accesses, MMIO, ROM and code pages take the slow path. A fault
// records the exception and returns false: no .NET exception is thrown.
public sealed unsafe partial class Cpu
{
    internal readonly Tlb tlb;
    /// <summary>Offsets of the current privilege's read and write tables in <see cref="Tlb.Entries"/>.</summary>
    internal int tlbRead = Tlb.ReadSup, tlbWrite = Tlb.WriteSup;
    /// <summary>0xFFFFFFFF outside long mode: linear addresses wrap at 4 GiB.</summary>
    internal ulong linearMask = 0xFFFF_FFFF;

    // Read-modify-write target remembered between ReadRmw and WriteRmw.
    byte* rmwHost;
    ulong rmwLinear;

    internal void FlushTlb() => tlb.FlushAll();

    internal void SetTlbPrivilege()
    {
        bool user = Cpl == 3;
        tlbRead = user ? Tlb.ReadUser : Tlb.ReadSup;
        tlbWrite = user ? Tlb.WriteUser : Tlb.WriteSup;
    }

    bool PagingEnabled => (cr0 & CrBits.CR0_PG) != 0;

    // ---------------- segment-level access ----------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Read<T>(int seg, ulong offset, out ulong value) where T : unmanaged, IOperandSize
    {
        ref SegmentCache s = ref Seg(seg);
        if (offset < s.ReadLow || offset + (ulong)(T.Bytes - 1) > s.ReadHigh)
        {
            value = 0;
            return SegmentFault(seg, offset);
        }
        return ReadLinear<T>((s.Base + offset) & linearMask, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Write<T>(int seg, ulong offset, ulong value) where T : unmanaged, IOperandSize
    {
        ref SegmentCache s = ref Seg(seg);
        if (offset < s.WriteLow || offset + (ulong)(T.Bytes - 1) > s.WriteHigh)
            return SegmentFault(seg, offset);
        return WriteLinear<T>((s.Base + offset) & linearMask, value);
    }

    /// <summary>Reads the destination of a read-modify-write, checking write access up front so
    /// <see cref="WriteRmw{T}"/> cannot fault (SDM: a locked or RMW access faults as a write).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReadRmw<T>(int seg, ulong offset, out ulong value) where T : unmanaged, IOperandSize
    {
        ref SegmentCache s = ref Seg(seg);
        if (offset < s.WriteLow || offset + (ulong)(T.Bytes - 1) > s.WriteHigh || s.ReadLow > s.ReadHigh)
        {
            value = 0;
            return SegmentFault(seg, offset);
        }
        ulong lin = (s.Base + offset) & linearMask;
        ref TlbEntry e = ref tlb.Entry(tlbWrite, lin);
        if (e.Tag == (lin & ~0xFFFUL) && (lin & 0xFFF) <= (ulong)(0x1000 - T.Bytes))
        {
            byte* p = (byte*)(e.Addend + (nint)lin);
            rmwHost = p;
            value = T.Load(p);
            return true;
        }
        return ReadRmwSlow<T>(lin, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteRmw<T>(ulong value) where T : unmanaged, IOperandSize
    {
        if (rmwHost != null) T.Store(rmwHost, value);
        else WriteLinearChecked(rmwLinear, T.Bytes, value);
    }

    /// <summary>
    /// Checks that a write of <paramref name="size"/> bytes (at most a page) at <paramref name="offset"/> would
    /// succeed, faulting as the write would (#GP/#SS for the segment, #PF for the page), without reading or
    /// writing anything, so an MMIO destination sees no access. Multi-part stores (FSAVE, FSTENV, FBSTP,
    /// FSTP m80, FXSAVE) probe first so they are never partly performed. The range spans at most two pages:
    /// the segment check covers its first and last byte (the last offset wraps with <paramref name="addrMask"/>,
    /// as the store's parts do), the page check its first byte and, in a second page, that page's first
    /// byte written, which is where CR2 points if it faults (as for any page-crossing access).
    /// </summary>
    internal bool ProbeWrite(int seg, ulong offset, int size, ulong addrMask)
    {
        ref SegmentCache s = ref Seg(seg);
        ulong last = (offset + (ulong)(size - 1)) & addrMask;
        if (offset < s.WriteLow || offset > s.WriteHigh || last < s.WriteLow || last > s.WriteHigh)
            return SegmentFault(seg, offset);
        ulong lin = (s.Base + offset) & linearMask;
        ulong linLast = (s.Base + last) & linearMask;
        if (!ProbeWritePage(lin)) return false;
        if ((linLast & ~0xFFFUL) == (lin & ~0xFFFUL)) return true;
        // A wrapped range restarts at offset 0; a contiguous one enters the second page at its start.
        ulong second = last < offset ? Math.Max(linLast & ~0xFFFUL, s.Base & linearMask) : linLast & ~0xFFFUL;
        return ProbeWritePage(second);
    }

    bool ProbeWritePage(ulong lin)
    {
        ref TlbEntry e = ref tlb.Entry(tlbWrite, lin);
        if (e.Tag == (lin & ~0xFFFUL)) return true;
        return Translate(lin, true, Cpl == 3, out _);
    }

    // ---------------- linear access ----------------

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ReadLinear<T>(ulong lin, out ulong value) where T : unmanaged, IOperandSize
    {
        ref TlbEntry e = ref tlb.Entry(tlbRead, lin);
        if (e.Tag == (lin & ~0xFFFUL) && (lin & 0xFFF) <= (ulong)(0x1000 - T.Bytes))
        {
            value = T.Load((byte*)(e.Addend + (nint)lin));
            return true;
        }
        return ReadLinearSlow(lin, T.Bytes, out value, Cpl == 3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool WriteLinear<T>(ulong lin, ulong value) where T : unmanaged, IOperandSize
    {
        ref TlbEntry e = ref tlb.Entry(tlbWrite, lin);
        if (e.Tag == (lin & ~0xFFFUL) && (lin & 0xFFF) <= (ulong)(0x1000 - T.Bytes))
        {
            T.Store((byte*)(e.Addend + (nint)lin), value);
            return true;
        }
        return WriteLinearSlow(lin, T.Bytes, value, Cpl == 3);
    }

    /// <summary>Supervisor-mode (implicit) reads of system structures: descriptor tables, TSS, IDT.</summary>
    /// <remarks>Descriptor fetches are frequent (segment loads, VERW on every Linux return to user mode), so a
    /// supervisor read-TLB hit is served directly; only a miss walks the page tables.</remarks>
    internal bool ReadSystem(ulong lin, int size, out ulong value)
    {
        lin &= linearMask;
        ref TlbEntry e = ref tlb.Entry(Tlb.ReadSup, lin);
        if (e.Tag == (lin & ~0xFFFUL) && (lin & 0xFFF) <= (ulong)(0x1000 - size))
        {
            byte* p = (byte*)(e.Addend + (nint)lin);
            value = size switch
            {
                1 => *p,
                2 => Unsafe.ReadUnaligned<ushort>(p),
                4 => Unsafe.ReadUnaligned<uint>(p),
                _ => Unsafe.ReadUnaligned<ulong>(p),
            };
            return true;
        }
        return ReadLinearSlow(lin, size, out value, false);
    }

    internal bool WriteSystem(ulong lin, int size, ulong value) => WriteLinearSlow(lin & linearMask, size, value, false);

    // ---------------- slow paths ----------------

    /// <summary>Translates a linear address; fills the TLB; on a fault records #PF and returns false.</summary>
    internal bool Translate(ulong lin, bool write, bool user, out ulong phys)
    {
        ulong page = lin & ~0xFFFUL;
        Translation t;
        if (!PagingEnabled)
        {
            t = new Translation(page & Memory.A20Mask, true, true, true, true, 0);
        }
        else
        {
            t = PageWalker.Walk(Memory, cr3, cr0, cr4, lin, write, user);
            if (!t.Ok)
            {
                cr2 = lin;
                phys = 0;
                return RaiseFault(Vector.PF, t.ErrorCode);
            }
            t = t with { Physical = t.Physical & ~0xFFFUL & Memory.A20Mask };
        }
        byte* host = Memory.HostPage(t.Physical, out bool hostWritable);
        bool supWritable = t.Writable || (cr0 & CrBits.CR0_WP) == 0;
        bool noRead = false, noWrite = false;
        if (debugWatch) Debug.WatchedPage(page, out noRead, out noWrite);
        if (host != null && !noRead)
        {
            nint addend = (nint)host - (nint)page;
            // Read entries for supervisor always; for user only when the page is a user page.
            Fill(Tlb.ReadSup, page, addend, t.Physical);
            if (t.User) Fill(Tlb.ReadUser, page, addend, t.Physical);
            if (hostWritable && t.Dirty && !noWrite)
            {
                if (supWritable) Fill(Tlb.WriteSup, page, addend, t.Physical);
                if (t.User && t.Writable) Fill(Tlb.WriteUser, page, addend, t.Physical);
            }
        }
        phys = t.Physical | (lin & 0xFFF);
        return true;
    }

    void Fill(int table, ulong page, nint addend, ulong phys)
    {
        ref var e = ref tlb.Entry(table, page);
        e.Tag = page;
        e.Addend = addend;
        e.Physical = phys;
    }

    internal bool ReadLinearSlow(ulong lin, int size, out ulong value, bool user)
    {
        value = 0;
        if (!Translate(lin, false, user, out ulong p0)) return false;
        if (debugWatch) WatchRead(lin, size);
        int first = (int)Math.Min((ulong)size, 0x1000 - (lin & 0xFFF));
        if (first == size)
        {
            value = Memory.ReadSlow(p0, size);
            return true;
        }
        ulong lin2 = (lin + (ulong)first) & linearMask;
        if (!Translate(lin2, false, user, out ulong p1)) return false;
        for (int i = 0; i < size; i++)
        {
            ulong b = i < first ? Memory.ReadSlow(p0 + (ulong)i, 1) : Memory.ReadSlow(p1 + (ulong)(i - first), 1);
            value |= b << (8 * i);
        }
        return true;
    }

    internal bool WriteLinearSlow(ulong lin, int size, ulong value, bool user)
    {
        if (!Translate(lin, true, user, out ulong p0)) return false;
        if (debugWatch) WatchWrite(lin, size);
        int first = (int)Math.Min((ulong)size, 0x1000 - (lin & 0xFFF));
        if (first == size)
        {
            Memory.WriteSlow(p0, size, value);
            return true;
        }
        ulong lin2 = (lin + (ulong)first) & linearMask;
        if (!Translate(lin2, true, user, out ulong p1)) return false;
        for (int i = 0; i < size; i++)
        {
            ulong b = (value >> (8 * i)) & 0xFF;
            if (i < first) Memory.WriteSlow(p0 + (ulong)i, 1, b);
            else Memory.WriteSlow(p1 + (ulong)(i - first), 1, b);
        }
        return true;
    }

    /// <summary>Writes after the translation was already checked (second half of an RMW).</summary>
    void WriteLinearChecked(ulong lin, int size, ulong value) => WriteLinearSlow(lin, size, value, Cpl == 3);

    bool ReadRmwSlow<T>(ulong lin, out ulong value) where T : unmanaged, IOperandSize
    {
        value = 0;
        bool user = Cpl == 3;
        // Check write access to every page the operand touches before reading.
        if (!Translate(lin, true, user, out _)) return false;
        if ((lin & 0xFFF) > (ulong)(0x1000 - T.Bytes) && !Translate((lin + (ulong)T.Bytes - 1) & linearMask, true, user, out _)) return false;
        if (!ReadLinearSlow(lin, T.Bytes, out value, user)) return false;
        rmwHost = null;
        rmwLinear = lin;
        return true;
    }

    /// <summary>A segment limit or rights violation: #SS(0) for SS, #GP(0) otherwise (SDM vol. 3, 6.15).</summary>
    internal bool SegmentFault(int seg, ulong offset)
    {
        _ = offset;
        return RaiseFault(seg == (int)SegReg.SS ? Vector.SS : Vector.GP, 0);
    }

    // ---------------- stack ----------------

    /// <summary>Mask of the stack pointer: SS.B selects ESP or SP (SDM vol. 1, 6.2.3).</summary>
    internal ulong StackMask => Mode == CpuMode.Long64 ? ulong.MaxValue : (Seg((int)SegReg.SS).Big ? 0xFFFF_FFFFUL : 0xFFFFUL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetSp(ulong value)
    {
        ulong mask = StackMask;
        ref ulong rsp = ref Reg((int)Gpr.Rsp);
        rsp = mask == 0xFFFF ? (rsp & ~0xFFFFUL) | (value & 0xFFFF) : value & mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Push<T>(ulong value) where T : unmanaged, IOperandSize
    {
        ulong sp = (Reg((int)Gpr.Rsp) - (ulong)T.Bytes) & StackMask;
        if (!Write<T>((int)SegReg.SS, sp, value)) return false;
        SetSp(sp);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Pop<T>(out ulong value) where T : unmanaged, IOperandSize
    {
        ulong sp = Reg((int)Gpr.Rsp) & StackMask;
        if (!Read<T>((int)SegReg.SS, sp, out value)) return false;
        SetSp(sp + (ulong)T.Bytes);
        return true;
    }

    /// <summary>Reads at SP + <paramref name="offset"/> without moving SP (multi-part pops that must not commit early).</summary>
    internal bool PeekStack<T>(ulong offset, out ulong value) where T : unmanaged, IOperandSize =>
        Read<T>((int)SegReg.SS, (Reg((int)Gpr.Rsp) + offset) & StackMask, out value);

    // ---------------- public helpers for debuggers and loaders ----------------

    /// <summary>Translates a linear address without side effects on guest state (debugger reads); false if not mapped.</summary>
    public bool TryTranslateDebug(ulong linear, out ulong physical)
    {
        if (!PagingEnabled) { physical = linear & Memory.A20Mask; return true; }
        var t = PageWalker.Walk(Memory, cr3, cr0, cr4, linear, false, false, update: false);
        physical = t.Physical & Memory.A20Mask;
        return t.Ok;
    }
}
