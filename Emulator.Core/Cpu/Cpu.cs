using System.Runtime.CompilerServices;
using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.Time;

namespace Emulator.Core.Cpu;

[InlineArray(17)]
internal struct GprFile { ulong element0; }

[InlineArray(6)]
internal struct SegmentFile { SegmentCache element0; }

/// <summary>
/// One x86 processor: the architectural state and the execution engine. Register file
/// and address paths are 64-bit from the start so long mode adds to this core.
/// </summary>
/// <remarks>
/// The class is split by concern into partial files: state and public surface here,
/// flags (<c>Flags.cs</c>), memory access through segmentation and the TLB
/// (<c>CpuMemory.cs</c>), the execution loop (<c>ExecutionLoop.cs</c>), exception and
/// interrupt delivery (<c>Interrupts.cs</c>), segment loading (<c>Segmentation.cs</c>).
/// Instruction handlers live in <c>Instructions/</c> as static methods.
/// </remarks>
public sealed unsafe partial class Cpu
{
    /// <summary>Index of the always-zero pseudo register used for absent base/index registers.</summary>
    internal const int ZeroReg = 16;

    internal GprFile gpr;
    internal SegmentFile segs;

    /// <summary>The instruction pointer (RIP; EIP/IP are its low bits).</summary>
    public ulong Rip;

    internal ulong cr0 = 0x60000010, cr2, cr3, cr4;
    /// <summary>The x87 FPU (Cpu/X87/FpuState.cs).</summary>
    internal readonly X87.FpuState fpu = new();
    public X87.FpuState Fpu => fpu;
    internal ulong efer;
    internal readonly ulong[] dr = new ulong[8];

    // Descriptor-table registers (SDM vol. 3, 2.4).
    public ulong GdtBase, IdtBase;
    public uint GdtLimit, IdtLimit = 0x3FF;
    internal SegmentCache ldtr, tr;

    /// <summary>Current privilege level (CS.RPL in protected mode; 0 in real mode; 3 in V86).</summary>
    public int Cpl { get; internal set; }

    public CpuModel Model { get; }
    public PhysicalMemory Memory { get; }
    public IoBus Io { get; }
    public VirtualClock Clock { get; }

    /// <summary>The interrupt controller whose INTR line the CPU samples; null when none is attached.</summary>
    public IInterruptController? InterruptController { get; set; }

    /// <summary>True after HLT until an interrupt arrives.</summary>
    public bool Halted { get; internal set; }

    /// <summary>Instructions executed since power-on, counting each faulting instruction once (drives the TSC and virtual time).</summary>
    public long InstructionsRetired { get; internal set; }

    /// <summary>Time-stamp counter offset, so WRMSR to the TSC works while it stays tied to the retired count.</summary>
    internal long tscOffset;

    // Model-specific registers the core itself keeps (SDM vol. 4).
    internal ulong sysenterCs, sysenterEsp, sysenterEip;
    internal readonly Dictionary<uint, ulong> otherMsrs = new();

    public Cpu(CpuModel model, PhysicalMemory memory, IoBus io, VirtualClock clock)
    {
        Model = model;
        Memory = memory;
        Io = io;
        Clock = clock;
        tlb = new Paging.Tlb();
        Blocks = new Decoding.BlockCache(this);
        Debug = new Debugging.DebugHooks(this);
        memory.MappingChanged += FlushTlb;
        memory.CodePageTracked += tlb.FlushWritesTo;
        memory.CodeWritten += Blocks.InvalidatePage;
        Reset();
    }

    /// <summary>Processor reset (SDM vol. 3, 10.1.1, table 10-1): real mode at F000:FFF0 with CS base FFFF0000.</summary>
    public void Reset()
    {
        for (int i = 0; i < 17; i++) gpr[i] = 0;
        gpr[(int)Gpr.Rdx] = (uint)(0x600 | (Model.Family << 8 & 0xF00) | (Model.Model << 4) | Model.Stepping);
        eflagsBits = 2;
        lazyOp = LazyOp.None;
        cr0 = 0x60000010; cr2 = cr3 = cr4 = 0; efer = 0;
        Array.Clear(dr);
        dr[6] = 0xFFFF0FF0; dr[7] = 0x400;
        for (int s = 0; s < 6; s++)
        {
            ref var sc = ref segs[s];
            sc = default;
            sc.Limit = 0xFFFF;
            sc.Attributes = SegmentCache.RealModeData;
            sc.UpdateRanges(true, false);
        }
        ref var cs = ref segs[(int)SegReg.CS];
        cs.Selector = 0xF000;
        cs.Base = 0xFFFF0000;
        cs.Attributes = SegmentCache.RealModeData;   // SDM vol. 3, table 10-1: present, R/W, accessed
        cs.UpdateRanges(true, false);
        Rip = 0xFFF0;
        GdtBase = IdtBase = 0; GdtLimit = 0xFFFF; IdtLimit = 0x3FF;
        ldtr = default; ldtr.Limit = 0xFFFF; ldtr.Attributes = 0x82;
        tr = default; tr.Limit = 0xFFFF; tr.Attributes = 0x8B;
        Cpl = 0;
        Halted = false;
        sysenterCs = sysenterEsp = sysenterEip = 0;
        otherMsrs.Clear();
        pendingException = false;
        nmiPending = false;
        nmiBlocked = false;
        interruptShadow = false;
        shutdown = false;
        fpu.Reset();
        UpdateMode();
        FlushTlb();
        Blocks.Clear();
    }

    // ---- register file access (used by handlers; all inlined) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ulong Reg(int index) => ref Unsafe.Add(ref Unsafe.As<GprFile, ulong>(ref gpr), index);

    /// <summary>An 8-bit register by byte offset into the file (AL=0, AH=1, CL=8, ... SPL=32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref byte Reg8(int byteOffset) => ref Unsafe.Add(ref Unsafe.As<GprFile, byte>(ref gpr), byteOffset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref ushort Reg16(int index) => ref Unsafe.As<ulong, ushort>(ref Reg(index));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref SegmentCache Seg(int index) => ref Unsafe.Add(ref Unsafe.As<SegmentFile, SegmentCache>(ref segs), index);

    // ---- public surface for machines, debuggers and tests ----

    public ulong GetGpr(Gpr r) => gpr[(int)r];
    public void SetGpr(Gpr r, ulong value) => gpr[(int)r] = value;

    public SegmentCache GetSegment(SegReg s) => segs[(int)s];

    /// <summary>Loads a segment register the way real mode does (base = selector × 16, limit and rights kept).</summary>
    public void SetSegmentReal(SegReg s, ushort selector)
    {
        LoadRealModeSegment((int)s, selector);
        if (s == SegReg.CS) UpdateMode();
    }

    /// <summary>
    /// A segment load in real mode: base = selector × 16; the limit is kept (so "unreal" limits
    /// survive); the rights become a present, writable data segment, because real mode does not
    /// check segment types (as Bochs does; CS after reset is also R/W data, SDM vol. 3, table 10-1).
    /// </summary>
    internal void LoadRealModeSegment(int s, ushort selector)
    {
        ref var sc = ref Seg(s);
        sc.Selector = selector;
        sc.Base = (ulong)selector << 4;
        sc.Attributes = (ushort)(SegmentCache.RealModeData | (s == (int)SegReg.CS ? 0 : sc.Attributes & 0xC000));
        sc.UpdateRanges(true, false);
    }

    /// <summary>Sets a segment's hidden part directly (loaders, snapshots, tests).</summary>
    public void SetSegment(SegReg s, SegmentCache cache)
    {
        cache.UpdateRanges(true, Mode == CpuMode.Long64);
        segs[(int)s] = cache;
        if (s == SegReg.CS) { UpdateMode(); }
    }

    public ulong Cr0 => cr0;
    public ulong Cr2 => cr2;
    public ulong Cr3 => cr3;
    public ulong Cr4 => cr4;
    public ulong Efer => efer;
    public SegmentCache Ldtr => ldtr;
    public SegmentCache Tr => tr;
    public ulong GetDr(int i) => dr[i];

    /// <summary>
    /// Writes a control register as MOV CRn would, without privilege checks (loaders, tests).
    /// </summary>
    public void SetControlRegister(int n, ulong value)
    {
        switch (n)
        {
            case 0: cr0 = value | CrBits.CR0_ET; break;
            case 2: cr2 = value; break;
            case 3: cr3 = value; break;
            case 4: cr4 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(n));
        }
        UpdateMode();
        FlushTlb();
    }

    public override string ToString()
    {
        var f = Eflags;
        return $"EAX={gpr[0]:X8} EBX={gpr[3]:X8} ECX={gpr[1]:X8} EDX={gpr[2]:X8}\n" +
               $"ESI={gpr[6]:X8} EDI={gpr[7]:X8} EBP={gpr[5]:X8} ESP={gpr[4]:X8}\n" +
               $"EIP={Rip:X8} EFL={f:X8} CPL={Cpl} {Mode}\n" +
               $"ES ={segs[0]}\nCS ={segs[1]}\nSS ={segs[2]}\nDS ={segs[3]}\nFS ={segs[4]}\nGS ={segs[5]}\n" +
               $"LDT={ldtr}\nTR ={tr}\nGDT={GdtBase:X8} {GdtLimit:X4}\nIDT={IdtBase:X8} {IdtLimit:X4}\n" +
               $"CR0={cr0:X8} CR2={cr2:X8} CR3={cr3:X8} CR4={cr4:X8}";
    }
}
