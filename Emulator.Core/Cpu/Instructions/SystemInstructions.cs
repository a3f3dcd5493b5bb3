using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// System instructions (Intel SDM vol. 2 instruction pages; vol. 3 chapters 2-5): descriptor-table
/// registers, LDTR/TR, descriptor probes (LAR, LSL, VERR, VERW, ARPL), control and debug registers,
/// cache and TLB control, MSRs, SYSENTER/SYSEXIT and RDPMC.
/// </summary>
/// <remarks>
/// Privileged instructions fault with #GP(0) when CPL &gt; 0. Real mode runs at CPL 0 and
/// virtual-8086 mode at CPL 3, so the one CPL test gives the real-mode and V86 behaviour too.
/// </remarks>
internal static unsafe class SystemInstructions
{
    public static void Register()
    {
        const InstrFlags E = InstrFlags.EndsBlock;
        InstructionTable.Set(Code.Lgdt_m1632_16, &InvalidOpcode, &LoadTableRegister<Size16, Gdt>);
        InstructionTable.Set(Code.Lgdt_m1632, &InvalidOpcode, &LoadTableRegister<Size32, Gdt>);
        InstructionTable.Set(Code.Lidt_m1632_16, &InvalidOpcode, &LoadTableRegister<Size16, Idt>);
        InstructionTable.Set(Code.Lidt_m1632, &InvalidOpcode, &LoadTableRegister<Size32, Idt>);
        InstructionTable.Set(Code.Sgdt_m1632_16, &InvalidOpcode, &StoreTableRegister<Gdt>);
        InstructionTable.Set(Code.Sgdt_m1632, &InvalidOpcode, &StoreTableRegister<Gdt>);
        InstructionTable.Set(Code.Sidt_m1632_16, &InvalidOpcode, &StoreTableRegister<Idt>);
        InstructionTable.Set(Code.Sidt_m1632, &InvalidOpcode, &StoreTableRegister<Idt>);

        foreach (var code in new[] { Code.Lldt_rm16, Code.Lldt_r32m16 }) InstructionTable.Set(code, &Lldt);
        foreach (var code in new[] { Code.Ltr_rm16, Code.Ltr_r32m16 }) InstructionTable.Set(code, &Ltr);
        InstructionTable.Set(Code.Sldt_rm16, &StoreSelector<Size16, LdtrSel>);
        InstructionTable.Set(Code.Sldt_r32m16, &StoreSelector<Size32, LdtrSel>);
        InstructionTable.Set(Code.Str_rm16, &StoreSelector<Size16, TrSel>);
        InstructionTable.Set(Code.Str_r32m16, &StoreSelector<Size32, TrSel>);

        InstructionTable.Set(Code.Lar_r16_rm16, &Lar<Size16>);
        InstructionTable.Set(Code.Lar_r32_r32m16, &Lar<Size32>);
        InstructionTable.Set(Code.Lsl_r16_rm16, &Lsl<Size16>);
        InstructionTable.Set(Code.Lsl_r32_r32m16, &Lsl<Size32>);
        foreach (var code in new[] { Code.Verr_rm16, Code.Verr_r32m16 }) InstructionTable.Set(code, &Verify<ForRead>);
        foreach (var code in new[] { Code.Verw_rm16, Code.Verw_r32m16 }) InstructionTable.Set(code, &Verify<ForWrite>);
        InstructionTable.Set(Code.Arpl_rm16_r16, &ArplReg, &ArplMem);
        InstructionTable.Set(Code.Arpl_r32m16_r32, &ArplReg, &ArplMem);

        InstructionTable.Set(Code.Clts, &Clts);
        foreach (var code in new[] { Code.Lmsw_rm16, Code.Lmsw_r32m16 }) InstructionTable.Set(code, &Lmsw, E);
        InstructionTable.Set(Code.Smsw_rm16, &Smsw<Size16>);
        InstructionTable.Set(Code.Smsw_r32m16, &Smsw<Size32>);
        InstructionTable.Set(Code.Mov_r32_cr, &MovFromCr);
        InstructionTable.Set(Code.Mov_cr_r32, &MovToCr, E);
        InstructionTable.Set(Code.Mov_r32_dr, &MovFromDr);
        InstructionTable.Set(Code.Mov_dr_r32, &MovToDr, E);

        InstructionTable.Set(Code.Invd, &CacheControl);
        InstructionTable.Set(Code.Wbinvd, &CacheControl);
        InstructionTable.Set(Code.Invlpg_m, &InvalidOpcode, &Invlpg, E);
        InstructionTable.Set(Code.Rdmsr, &Rdmsr);
        InstructionTable.Set(Code.Wrmsr, &Wrmsr, E);
        InstructionTable.Set(Code.Rdpmc, &Rdpmc);
        InstructionTable.Set(Code.Sysenter, &Sysenter, E);
        InstructionTable.Set(Code.Sysexitd, &Sysexit, E);
    }

    static void InvalidOpcode(Cpu c, ref DecodedOp op) => c.RaiseFault(Vector.UD, 0);

    /// <summary>True (after raising #GP(0)) when CPL &gt; 0.</summary>
    static bool NotRing0(Cpu c) => c.Cpl != 0 && !c.RaiseFault(Vector.GP, 0);

    /// <summary>LLDT, LTR, SLDT, STR, LAR, LSL, VERR, VERW and ARPL are #UD outside protected mode (SDM vol. 2).</summary>
    static bool NotProtected(Cpu c) => c.Mode is CpuMode.Real or CpuMode.Virtual8086 && !c.RaiseFault(Vector.UD, 0);

    static bool ReadSelector(Cpu c, ref DecodedOp op, out ushort sel)
    {
        bool ok = c.ReadRm<Size16>(ref op, out ulong v);
        sel = (ushort)v;
        return ok;
    }

    // ---------------- GDTR / IDTR ----------------

    internal interface ITableReg { static abstract ref ulong Base(Cpu c); static abstract ref uint Limit(Cpu c); }
    internal struct Gdt : ITableReg { public static ref ulong Base(Cpu c) => ref c.GdtBase; public static ref uint Limit(Cpu c) => ref c.GdtLimit; }
    internal struct Idt : ITableReg { public static ref ulong Base(Cpu c) => ref c.IdtBase; public static ref uint Limit(Cpu c) => ref c.IdtLimit; }

    /// <summary>LGDT/LIDT: a 16-bit limit then a base; with a 16-bit operand size only 24 bits of the base load
    /// (SDM vol. 2, LGDT/LIDT). Allowed in real mode, which is how protected mode is entered.</summary>
    static void LoadTableRegister<T, TR>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize where TR : ITableReg
    {
        if (NotRing0(c)) return;
        ulong ea = c.EffectiveAddress(ref op);
        if (!c.Read<Size16>(op.Seg, ea, out ulong limit)) return;
        if (!c.Read<Size32>(op.Seg, (ea + 2) & op.AddrMask, out ulong b)) return;
        TR.Base(c) = T.Bytes == 2 ? b & 0xFF_FFFF : b;
        TR.Limit(c) = (uint)limit;
    }

    /// <summary>SGDT/SIDT store the limit and the full 32-bit base at either operand size (current SDM, SGDT);
    /// not privileged without UMIP.</summary>
    static void StoreTableRegister<TR>(Cpu c, ref DecodedOp op) where TR : ITableReg
    {
        ulong ea = c.EffectiveAddress(ref op);
        // Check both parts before writing either, so a fault leaves memory untouched.
        ref var s = ref c.Seg(op.Seg);
        ulong hi = (ea + 5) & op.AddrMask;
        if (ea < s.WriteLow || ea > s.WriteHigh || hi < s.WriteLow || hi > s.WriteHigh) { c.SegmentFault(op.Seg, ea); return; }
        if (!c.Write<Size16>(op.Seg, ea, TR.Limit(c) & 0xFFFF)) return;
        c.Write<Size32>(op.Seg, (ea + 2) & op.AddrMask, TR.Base(c) & 0xFFFF_FFFF);
    }

    // ---------------- LDTR / TR ----------------

    /// <summary>LLDT (SDM vol. 2, LLDT): a null selector marks the LDT unusable; otherwise a present LDT
    /// descriptor in the GDT.</summary>
    static void Lldt(Cpu c, ref DecodedOp op)
    {
        if (NotProtected(c) || NotRing0(c)) return;
        if (!ReadSelector(c, ref op, out ushort sel)) return;
        if ((sel & 0xFFFC) == 0)
        {
            c.ldtr = new SegmentCache { Selector = sel };
            return;
        }
        uint err = (uint)(sel & 0xFFFC);
        if ((sel & 4) != 0) { c.RaiseFault(Vector.GP, err); return; }
        var f = c.FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) return;
        if (f == DescriptorFetch.OutsideTable || Cpu.DescIsCodeOrData(d) || Cpu.DescSystemType(d) != 2) { c.RaiseFault(Vector.GP, err); return; }
        if (!Cpu.DescPresent(d)) { c.RaiseFault(Vector.NP, err); return; }
        c.ldtr = Cpu.CacheFromDescriptor(sel, d);
    }

    /// <summary>LTR (SDM vol. 2, LTR): an available TSS in the GDT, which LTR marks busy.</summary>
    static void Ltr(Cpu c, ref DecodedOp op)
    {
        if (NotProtected(c) || NotRing0(c)) return;
        if (!ReadSelector(c, ref op, out ushort sel)) return;
        if ((sel & 0xFFFC) == 0) { c.RaiseFault(Vector.GP, 0); return; }
        uint err = (uint)(sel & 0xFFFC);
        if ((sel & 4) != 0) { c.RaiseFault(Vector.GP, err); return; }
        var f = c.FetchDescriptor(sel, out ulong d);
        if (f == DescriptorFetch.Faulted) return;
        int type = Cpu.DescSystemType(d);
        if (f == DescriptorFetch.OutsideTable || Cpu.DescIsCodeOrData(d) || type is not (1 or 9)) { c.RaiseFault(Vector.GP, err); return; }
        if (!Cpu.DescPresent(d)) { c.RaiseFault(Vector.NP, err); return; }
        if (!c.SetTssBusy(sel, d, true)) return;
        c.tr = Cpu.CacheFromDescriptor(sel, d | (2UL << 40));
    }

    internal interface ISystemSel { static abstract ushort Get(Cpu c); }
    internal struct LdtrSel : ISystemSel { public static ushort Get(Cpu c) => c.ldtr.Selector; }
    internal struct TrSel : ISystemSel { public static ushort Get(Cpu c) => c.tr.Selector; }

    /// <summary>SLDT/STR: a register destination gets the selector zero-extended to the operand size;
    /// memory always gets 16 bits (SDM vol. 2, SLDT/STR).</summary>
    static void StoreSelector<T, TS>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize where TS : ISystemSel
    {
        if (NotProtected(c)) return;
        ushort sel = TS.Get(c);
        if ((op.Flags & DecodedOp.FlagMemory) != 0) c.Write<Size16>(op.Seg, c.EffectiveAddress(ref op), sel);
        else c.SetReg<T>(op.R0, sel);
    }

    // ---------------- descriptor probes ----------------

    /// <summary>Fetches the descriptor LAR/LSL/VERR/VERW examine. Returns false when the instruction must stop
    /// (a fault was raised); <paramref name="found"/> is false for a null selector or one outside its table.</summary>
    static bool Probe(Cpu c, ref DecodedOp op, out ushort sel, out ulong d, out bool found, bool rmIsSecond = false)
    {
        d = 0; found = false;
        // LAR/LSL have the selector as their second operand (register form: R1).
        if (rmIsSecond && (op.Flags & DecodedOp.FlagMemory) == 0) sel = c.Reg16(op.R1);
        else if (!ReadSelector(c, ref op, out sel)) return false;
        if ((sel & 0xFFFC) == 0) return true;
        var f = c.FetchDescriptor(sel, out d);
        if (f == DescriptorFetch.Faulted) return false;
        found = f == DescriptorFetch.Ok;
        return true;
    }

    /// <summary>The privilege test LAR, LSL, VERR and VERW share: conforming code is always visible, anything
    /// else needs DPL &gt;= CPL and DPL &gt;= RPL.</summary>
    static bool Visible(Cpu c, ushort sel, ulong d) =>
        Cpu.DescConforming(d) || (Cpu.DescDpl(d) >= c.Cpl && Cpu.DescDpl(d) >= (sel & 3));

    static void SetZf(Cpu c, bool z) => c.SetFlagsMasked(z ? (uint)EFlags.ZF : 0, (uint)EFlags.ZF);

    /// <summary>LAR (SDM vol. 2, LAR): system types 1-5, 9, B and C are valid (not interrupt or trap gates).
    /// The destination gets the descriptor's second dword masked with 00F0FF00H (FF00H at 16 bits).</summary>
    static void Lar<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (NotProtected(c)) return;
        if (!Probe(c, ref op, out ushort sel, out ulong d, out bool found, rmIsSecond: true)) return;
        bool ok = found && Visible(c, sel, d) &&
                  (Cpu.DescIsCodeOrData(d) || Cpu.DescSystemType(d) is 1 or 2 or 3 or 4 or 5 or 9 or 0xB or 0xC);
        if (ok) c.SetReg<T>(op.R0, (d >> 32) & 0x00F0_FF00 & T.Mask);
        SetZf(c, ok);
    }

    /// <summary>LSL (SDM vol. 2, LSL): code, data, LDT and TSS descriptors; the byte-granular limit.</summary>
    static void Lsl<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if (NotProtected(c)) return;
        if (!Probe(c, ref op, out ushort sel, out ulong d, out bool found, rmIsSecond: true)) return;
        bool ok = found && Visible(c, sel, d) &&
                  (Cpu.DescIsCodeOrData(d) || Cpu.DescSystemType(d) is 1 or 2 or 3 or 9 or 0xB);
        if (ok) c.SetReg<T>(op.R0, Cpu.DescriptorLimit(d) & T.Mask);
        SetZf(c, ok);
    }

    internal interface IVerifyKind { static abstract bool Accessible(ulong d); }
    internal struct ForRead : IVerifyKind { public static bool Accessible(ulong d) => Cpu.DescReadable(d); }
    internal struct ForWrite : IVerifyKind { public static bool Accessible(ulong d) => Cpu.DescWritableData(d); }

    /// <summary>
    /// VERR/VERW (SDM vol. 2): ZF = 1 when the segment is readable/writable at the current CPL and the
    /// selector's RPL. Linux executes VERW with a memory operand on every return to user mode (MDS buffer
    /// clearing), so this path is only a selector read and a descriptor read that hits the TLB
    /// (<see cref="Cpu.ReadSystem"/> tries it first).
    /// </summary>
    static void Verify<TK>(Cpu c, ref DecodedOp op) where TK : IVerifyKind
    {
        if (NotProtected(c)) return;
        if (!Probe(c, ref op, out ushort sel, out ulong d, out bool found)) return;
        SetZf(c, found && TK.Accessible(d) && (typeof(TK) == typeof(ForWrite) ? Cpu.DescDpl(d) >= c.Cpl && Cpu.DescDpl(d) >= (sel & 3) : Visible(c, sel, d)));
    }

    /// <summary>ARPL (SDM vol. 2): raises the destination selector's RPL to the source's; ZF says it did.</summary>
    static void ArplReg(Cpu c, ref DecodedOp op)
    {
        if (NotProtected(c)) return;
        ushort dst = c.Reg16(op.R0), src = c.Reg16(op.R1);
        bool adjust = (dst & 3) < (src & 3);
        if (adjust) c.Reg16(op.R0) = (ushort)((dst & ~3) | (src & 3));
        SetZf(c, adjust);
    }

    static void ArplMem(Cpu c, ref DecodedOp op)
    {
        if (NotProtected(c)) return;
        if (!c.ReadRmw<Size16>(op.Seg, c.EffectiveAddress(ref op), out ulong dst)) return;
        ushort src = c.Reg16(op.R1);
        bool adjust = (dst & 3) < (ulong)(src & 3);
        c.WriteRmw<Size16>(adjust ? (dst & ~3UL) | (uint)(src & 3) : dst);
        SetZf(c, adjust);
    }

    // ---------------- control registers ----------------

    static void Clts(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        c.cr0 &= ~CrBits.CR0_TS;
    }

    /// <summary>LMSW (SDM vol. 2): loads CR0 bits 0-3; it can set PE but never clear it.</summary>
    static void Lmsw(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        if (!c.ReadRm<Size16>(ref op, out ulong v)) return;
        ulong keepPe = c.cr0 & CrBits.CR0_PE;
        ulong cr0 = (c.cr0 & ~0xFUL) | (v & 0xF) | keepPe;
        c.WriteCr0(cr0);
    }

    /// <summary>SMSW (SDM vol. 2): a 32-bit register destination gets all of CR0, a 16-bit one or memory its low word.</summary>
    static void Smsw<T>(Cpu c, ref DecodedOp op) where T : unmanaged, IOperandSize
    {
        if ((op.Flags & DecodedOp.FlagMemory) != 0) c.Write<Size16>(op.Seg, c.EffectiveAddress(ref op), c.cr0 & 0xFFFF);
        else c.SetReg<T>(op.R0, c.cr0 & T.Mask);
    }

    static void MovFromCr(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        ulong v;
        switch (op.R1)
        {
            case 0: v = c.cr0; break;
            case 2: v = c.cr2; break;
            case 3: v = c.cr3; break;
            case 4: v = c.cr4; break;
            default: c.RaiseFault(Vector.UD, 0); return;
        }
        c.Reg(op.R0) = (uint)v;
    }

    static void MovToCr(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        ulong v = (uint)c.Reg(op.R1);
        switch (op.R0)
        {
            case 0: c.WriteCr0(v); break;
            case 2: c.cr2 = v; break;
            case 3:
                // CR3 (SDM vol. 3, 4.3): page-directory base plus PWT/PCD; loading it flushes the TLB.
                c.cr3 = v & 0xFFFF_F018;
                c.FlushTlb();
                break;
            case 4: c.WriteCr4(v); break;
            default: c.RaiseFault(Vector.UD, 0); return;
        }
    }

    // ---------------- debug registers ----------------

    /// <summary>DR4/DR5 alias DR6/DR7 unless CR4.DE, when they are #UD (SDM vol. 3, 18.2.2).</summary>
    static bool DebugIndex(Cpu c, int n, out int index)
    {
        index = n;
        if (n is 4 or 5)
        {
            if ((c.cr4 & CrBits.CR4_DE) != 0) return c.RaiseFault(Vector.UD, 0);
            index = n + 2;
        }
        if (n > 7) return c.RaiseFault(Vector.UD, 0);
        return true;
    }

    static void MovFromDr(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        if (!DebugIndex(c, op.R1, out int i)) return;
        c.Reg(op.R0) = (uint)c.dr[i];
    }

    /// <summary>MOV DRn: DR6 keeps its reserved ones (FFFF0FF0H) and DR7 bit 10 (SDM vol. 3, 18.2.3-18.2.4).</summary>
    static void MovToDr(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        if (!DebugIndex(c, op.R0, out int i)) return;
        ulong v = (uint)c.Reg(op.R1);
        c.dr[i] = i switch
        {
            6 => (v & 0xE00F) | 0xFFFF_0FF0,
            7 => (v & 0xFFFF_2FFF) | 0x400,
            _ => v,
        };
    }

    // ---------------- caches, TLB, MSRs ----------------

    /// <summary>INVD/WBINVD: no caches are modelled, so only the privilege check remains.</summary>
    static void CacheControl(Cpu c, ref DecodedOp op) => NotRing0(c);

    /// <summary>INVLPG (SDM vol. 2): drops the TLB entries of the page holding the operand's linear address.</summary>
    static void Invlpg(Cpu c, ref DecodedOp op)
    {
        if (NotRing0(c)) return;
        ulong lin = (c.Seg(op.Seg).Base + c.EffectiveAddress(ref op)) & c.linearMask;
        c.tlb.FlushPage(lin);
    }

    static void Rdmsr(Cpu c, ref DecodedOp op)
    {
        if (!c.Model.Has(CpuModel.Edx.MSR)) { c.RaiseFault(Vector.UD, 0); return; }
        if (NotRing0(c)) return;
        if (!c.ReadMsr((uint)c.Reg(1), out ulong v)) { c.RaiseFault(Vector.GP, 0); return; }
        c.Reg(0) = (uint)v;
        c.Reg(2) = (uint)(v >> 32);
    }

    static void Wrmsr(Cpu c, ref DecodedOp op)
    {
        if (!c.Model.Has(CpuModel.Edx.MSR)) { c.RaiseFault(Vector.UD, 0); return; }
        if (NotRing0(c)) return;
        ulong v = (uint)c.Reg(0) | ((ulong)(uint)c.Reg(2) << 32);
        if (!c.WriteMsr((uint)c.Reg(1), v)) c.RaiseFault(Vector.GP, 0);
    }

    /// <summary>RDPMC (SDM vol. 2): allowed at CPL 0 or with CR4.PCE; the P6 has counters 0 and 1, which
    /// read 0 here because no events are counted.</summary>
    static void Rdpmc(Cpu c, ref DecodedOp op)
    {
        if (c.Cpl != 0 && (c.cr4 & CrBits.CR4_PCE) == 0) { c.RaiseFault(Vector.GP, 0); return; }
        if ((uint)c.Reg(1) > 1) { c.RaiseFault(Vector.GP, 0); return; }
        c.Reg(0) = 0;
        c.Reg(2) = 0;
    }

    // ---------------- SYSENTER / SYSEXIT ----------------

    const ushort FlatCode = 0xC09B, FlatData = 0xC093;

    static SegmentCache Flat(ushort selector, ushort attributes, int dpl) => new()
    {
        Selector = selector,
        Base = 0,
        Limit = 0xFFFF_FFFF,
        Attributes = (ushort)(attributes | (dpl << 5)),
    };

    /// <summary>SYSENTER (SDM vol. 2): to CPL 0 with flat CS = SYSENTER_CS and SS = SYSENTER_CS + 8, the
    /// descriptors are not read from the GDT. Clears VM, IF and RF.</summary>
    static void Sysenter(Cpu c, ref DecodedOp op)
    {
        if (!c.Model.Has(CpuModel.Edx.SEP)) { c.RaiseFault(Vector.UD, 0); return; }
        if (c.Mode == CpuMode.Real || (c.sysenterCs & 0xFFFC) == 0) { c.RaiseFault(Vector.GP, 0); return; }
        c.eflagsBits &= ~(uint)(EFlags.VM | EFlags.IF | EFlags.RF);
        ushort cs = (ushort)(c.sysenterCs & 0xFFFC);
        c.SetSegmentCache((int)SegReg.SS, Flat((ushort)(cs + 8), FlatData, 0));
        c.Seg((int)SegReg.CS) = Flat(cs, FlatCode, 0);
        c.Seg((int)SegReg.CS).UpdateRanges(true, false);
        c.Cpl = 0;
        c.UpdateMode();
        c.Reg((int)Gpr.Rsp) = (uint)c.sysenterEsp;
        c.Rip = (uint)c.sysenterEip;
    }

    /// <summary>SYSEXIT (SDM vol. 2): from CPL 0 to CPL 3 with CS = SYSENTER_CS + 16 and SS = SYSENTER_CS + 24
    /// (RPL 3), ESP = ECX, EIP = EDX.</summary>
    static void Sysexit(Cpu c, ref DecodedOp op)
    {
        if (!c.Model.Has(CpuModel.Edx.SEP)) { c.RaiseFault(Vector.UD, 0); return; }
        if (c.Mode is CpuMode.Real or CpuMode.Virtual8086 || (c.sysenterCs & 0xFFFC) == 0 || c.Cpl != 0) { c.RaiseFault(Vector.GP, 0); return; }
        ushort baseSel = (ushort)c.sysenterCs;
        c.Seg((int)SegReg.CS) = Flat((ushort)((baseSel + 16) | 3), FlatCode, 3);
        c.Seg((int)SegReg.CS).UpdateRanges(true, false);
        c.Seg((int)SegReg.SS) = Flat((ushort)((baseSel + 24) | 3), FlatData, 3);
        c.Seg((int)SegReg.SS).UpdateRanges(true, false);
        c.Cpl = 3;
        c.UpdateMode();
        c.Reg((int)Gpr.Rsp) = (uint)c.Reg((int)Gpr.Rcx);
        c.Rip = (uint)c.Reg((int)Gpr.Rdx);
    }
}
