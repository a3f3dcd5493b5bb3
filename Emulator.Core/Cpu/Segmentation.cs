namespace Emulator.Core.Cpu;

/// <summary>Outcome of reading a descriptor from the GDT or LDT.</summary>
internal enum DescriptorFetch : byte { Ok, OutsideTable, Faulted }

// Segment descriptors and segment-register loads (Intel SDM vol. 3, 3.4-3.5 and 5.5-5.10;
// vol. 2, MOV/POP/LDS checks).
public sealed partial class Cpu
{
    /// <summary>Reads the 8-byte descriptor for <paramref name="selector"/> from the GDT or LDT.</summary>
    internal DescriptorFetch FetchDescriptor(ushort selector, out ulong descriptor)
    {
        descriptor = 0;
        ulong index = (ulong)(selector & 0xFFF8);
        ulong tableBase;
        uint tableLimit;
        if ((selector & 4) != 0)
        {
            if ((ldtr.Selector & 0xFFFC) == 0 || !ldtr.Present) return DescriptorFetch.OutsideTable;
            tableBase = ldtr.Base; tableLimit = ldtr.Limit;
        }
        else { tableBase = GdtBase; tableLimit = GdtLimit; }
        if (index + 7 > tableLimit) return DescriptorFetch.OutsideTable;
        if (!ReadSystem(tableBase + index, 8, out descriptor)) return DescriptorFetch.Faulted;
        return DescriptorFetch.Ok;
    }

    /// <summary>Sets the accessed bit of a code or data descriptor in memory (SDM vol. 3, 3.4.5.1).</summary>
    internal bool SetAccessed(ushort selector, ulong descriptor)
    {
        if ((descriptor & (1UL << 40)) != 0) return true;
        ulong tableBase = (selector & 4) != 0 ? ldtr.Base : GdtBase;
        return WriteSystem(tableBase + (ulong)(selector & 0xFFF8) + 5, 1, (byte)((descriptor >> 40) | 1));
    }

    internal static ulong DescriptorBase(ulong d) => ((d >> 16) & 0xFF_FFFF) | ((d >> 32) & 0xFF00_0000);

    internal static uint DescriptorLimit(ulong d)
    {
        uint limit = (uint)(d & 0xFFFF) | (uint)((d >> 32) & 0xF_0000);
        return (d & (1UL << 55)) != 0 ? (limit << 12) | 0xFFF : limit;
    }

    /// <summary>Access rights as kept in <see cref="SegmentCache.Attributes"/>: descriptor bits 40-47 and 52-55.</summary>
    internal static ushort DescriptorAttributes(ulong d) => (ushort)(((d >> 40) & 0xFF) | (((d >> 52) & 0xF) << 12));

    internal static SegmentCache CacheFromDescriptor(ushort selector, ulong d) => new()
    {
        Selector = selector,
        Base = DescriptorBase(d),
        Limit = DescriptorLimit(d),
        Attributes = DescriptorAttributes(d),
    };

    internal static int DescDpl(ulong d) => (int)(d >> 45) & 3;
    internal static bool DescPresent(ulong d) => (d & (1UL << 47)) != 0;
    internal static bool DescIsCodeOrData(ulong d) => (d & (1UL << 44)) != 0;
    internal static bool DescIsCode(ulong d) => DescIsCodeOrData(d) && (d & (1UL << 43)) != 0;
    internal static bool DescConforming(ulong d) => DescIsCode(d) && (d & (1UL << 42)) != 0;
    internal static bool DescReadable(ulong d) => DescIsCodeOrData(d) && (!DescIsCode(d) || (d & (1UL << 41)) != 0);
    internal static bool DescWritableData(ulong d) => DescIsCodeOrData(d) && !DescIsCode(d) && (d & (1UL << 41)) != 0;
    internal static int DescSystemType(ulong d) => (int)(d >> 40) & 0xF;

    /// <summary>Installs a segment cache, recomputing its fast-path ranges.</summary>
    internal void SetSegmentCache(int seg, SegmentCache cache, bool usable = true)
    {
        cache.UpdateRanges(usable, Mode == CpuMode.Long64);
        Seg(seg) = cache;
    }

    /// <summary>
    /// Loads a data or stack segment register as MOV Sreg, POP Sreg, LDS/LES/LFS/LGS/LSS do.
    /// Returns false after raising the fault the SDM specifies.
    /// </summary>
    internal bool LoadSegment(int seg, ushort selector)
    {
        if (Mode is CpuMode.Real or CpuMode.Virtual8086)
        {
            ref var sc = ref Seg(seg);
            sc.Selector = selector;
            sc.Base = (ulong)selector << 4;
            if (Mode == CpuMode.Virtual8086) { sc.Limit = 0xFFFF; sc.Attributes = SegmentCache.RealModeData | (3 << 5); }
            sc.UpdateRanges(true, false);
            return true;
        }
        ushort sel = selector;
        if ((sel & 0xFFFC) == 0)
        {
            if (seg == (int)SegReg.SS) return RaiseFault(Vector.GP, 0);
            // A null selector loads fine; any use of the segment then faults.
            var nul = new SegmentCache { Selector = sel };
            nul.UpdateRanges(false, false);
            Seg(seg) = nul;
            return true;
        }
        var fetch = FetchDescriptor(sel, out ulong d);
        if (fetch == DescriptorFetch.Faulted) return false;
        uint errSel = (uint)(sel & 0xFFFC);
        if (fetch == DescriptorFetch.OutsideTable) return RaiseFault(Vector.GP, errSel);
        int rpl = sel & 3, dpl = DescDpl(d);
        if (seg == (int)SegReg.SS)
        {
            if (rpl != Cpl || dpl != Cpl || !DescWritableData(d)) return RaiseFault(Vector.GP, errSel);
            if (!DescPresent(d)) return RaiseFault(Vector.SS, errSel);
        }
        else
        {
            if (!DescReadable(d)) return RaiseFault(Vector.GP, errSel);
            if (!DescConforming(d) && (rpl > dpl || Cpl > dpl)) return RaiseFault(Vector.GP, errSel);
            if (!DescPresent(d)) return RaiseFault(Vector.NP, errSel);
        }
        if (!SetAccessed(sel, d)) return false;
        var cache = CacheFromDescriptor(sel, d | (1UL << 40));
        cache.UpdateRanges(true, false);
        Seg(seg) = cache;
        return true;
    }

    /// <summary>Loads CS for a control transfer whose checks the caller made; sets CPL and the mode.</summary>
    internal void LoadCs(ushort selector, ulong descriptor, int cpl)
    {
        var cache = CacheFromDescriptor((ushort)((selector & 0xFFFC) | cpl), descriptor | (1UL << 40));
        cache.UpdateRanges(true, false);
        Seg((int)SegReg.CS) = cache;
        Cpl = cpl;
        UpdateMode();
    }

    /// <summary>After a return to an outer privilege level, null data segments the new CPL may not use (SDM vol. 2, RET/IRET).</summary>
    internal void InvalidateSegmentsForOuterLevel()
    {
        foreach (int s in stackalloc[] { (int)SegReg.ES, (int)SegReg.DS, (int)SegReg.FS, (int)SegReg.GS })
        {
            ref var sc = ref Seg(s);
            bool dataOrNonConformingCode = !sc.IsSystem && (!sc.IsCode || !sc.Conforming);
            if ((sc.Selector & 0xFFFC) == 0 || (dataOrNonConformingCode && sc.Dpl < Cpl))
            {
                var nul = new SegmentCache { Selector = 0 };
                nul.UpdateRanges(false, false);
                sc = nul;
            }
        }
    }
}
