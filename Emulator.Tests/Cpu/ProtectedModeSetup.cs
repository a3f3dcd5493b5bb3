using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// Lays out a protected-mode environment in guest RAM for CPU tests: a GDT with flat ring-0 and
/// ring-3 segments and two 32-bit TSSs, an IDT whose every vector points at a "halt" stub (so the
/// vector taken is known from EIP and the exception frame is on the stack), and a real-mode stub
/// that enters protected mode with LGDT + MOV CR0 + far JMP, loads the data segments, ESP and TR,
/// and runs the test body at <see cref="CodeAddr"/>.
/// </summary>
/// <remarks>
/// Memory map (physical = linear unless a test enables paging):
/// 0500 scratch data · 1000 GDT · 1800 IDT · 3000/3100/3200 TSS A/B/C · 5000 halt stubs (16 bytes per
/// vector) · 7000 real-mode stub · 10000 body · 20000+ extra code · 60000 ring-3 stack top ·
/// 70000 ring-0 stack top · 80000 page directory · 81000 page table.
/// </remarks>
public sealed class ProtectedModeSetup
{
    public const ushort Code0 = 0x08, Data0 = 0x10, Code3 = 0x1B, Data3 = 0x23, TssA = 0x28, TssB = 0x30, TssC = 0x38;
    /// <summary>First GDT slot free for a test (index 8, selector 0x40).</summary>
    public const int FreeGdtIndex = 8;
    public const ulong Scratch = 0x500, GdtBase = 0x1000, IdtBase = 0x1800, TssABase = 0x3000, TssBBase = 0x3100, TssCBase = 0x3200,
        HandlerBase = 0x5000, StubAddr = 0x7000, CodeAddr = 0x10000, ExtraCode = 0x20000, Stack3Top = 0x60000, Stack0Top = 0x70000,
        PageDirectory = 0x80000, PageTable = 0x81000;
    /// <summary>Vector of a DPL-3 interrupt gate to the halt stub: how ring-3 and V86 code ends a test.</summary>
    public const int HaltVector = 0x41;

    public TestMachine M { get; }
    public Emulator.Core.Cpu.Cpu Cpu => M.Cpu;
    public ushort GdtLimit { get; set; } = 0x7FF;
    public ushort IdtLimit { get; set; } = 0x7FF;
    AssemblerResult bodyResult;

    public ProtectedModeSetup(bool noReboot = false, CpuModel? model = null)
    {
        M = new TestMachine(new MachineConfig { MemorySize = 16UL << 20, NoReboot = noReboot, CpuModel = model ?? CpuModel.PentiumPro });
        SetGdt(1, Segment(0, 0xFFFFF, 0x9A, 0xC));
        SetGdt(2, Segment(0, 0xFFFFF, 0x92, 0xC));
        SetGdt(3, Segment(0, 0xFFFFF, 0xFA, 0xC));
        SetGdt(4, Segment(0, 0xFFFFF, 0xF2, 0xC));
        SetGdt(5, Segment((uint)TssABase, 0x67, 0x89, 0));
        SetGdt(6, Segment((uint)TssBBase, 0x67, 0x89, 0));
        SetGdt(7, Segment((uint)TssCBase, 0x67, 0x89, 0));
        var stub = new byte[256 * 16];
        for (int v = 0; v < 256; v++)
        {
            stub[v * 16] = 0xF4;       // hlt
            stub[v * 16 + 1] = 0xEB;   // jmp $-1 (back to hlt if woken)
            stub[v * 16 + 2] = 0xFD;
            SetIdt(v, Gate(Code0, (uint)(HandlerBase + (ulong)v * 16), 0xE, v == HaltVector ? 3 : 0));
        }
        M.WriteBytes(HandlerBase, stub);
        // Ring-0 stack for privilege changes in TSS A (ESP0/SS0).
        M.Write32(TssABase + 4, (uint)Stack0Top);
        M.Write32(TssABase + 8, Data0);
    }

    // ---- descriptor encoding (SDM vol. 3, figures 3-8, 6-2, 5-8) ----

    /// <summary>A segment descriptor: base, 20-bit limit, access byte (P, DPL, S, type) and the flags nibble (G, D/B, L, AVL).</summary>
    public static ulong Segment(uint @base, uint limit, byte access, byte flags) =>
        (limit & 0xFFFF) | ((ulong)(@base & 0xFF_FFFF) << 16) | ((ulong)access << 40) |
        ((ulong)((limit >> 16) & 0xF) << 48) | ((ulong)(flags & 0xF) << 52) | ((ulong)(@base >> 24) << 56);

    /// <summary>A gate: type 4/0xC call gate, 5 task gate, 6/0xE interrupt gate, 7/0xF trap gate; present.</summary>
    public static ulong Gate(ushort selector, uint offset, int type, int dpl, int paramCount = 0, bool present = true) =>
        (offset & 0xFFFF) | ((ulong)selector << 16) | ((ulong)(paramCount & 0x1F) << 32) |
        ((ulong)((present ? 0x80 : 0) | (dpl << 5) | type) << 40) | ((ulong)(offset >> 16) << 48);

    public void SetGdt(int index, ulong descriptor) => M.Write64(GdtBase + (ulong)index * 8, descriptor);
    public ulong GetGdt(int index) => (ulong)M.Read32(GdtBase + (ulong)index * 8) | ((ulong)M.Read32(GdtBase + (ulong)index * 8 + 4) << 32);
    public void SetIdt(int vector, ulong gate) => M.Write64(IdtBase + (ulong)vector * 8, gate);

    /// <summary>Fills the dynamic fields of a 32-bit TSS (figure 8-2): EIP, EFLAGS, ESP, the segment selectors and CR3.</summary>
    public void WriteTss32(ulong tss, uint eip, uint eflags, uint esp, ushort cs = Code0, ushort ds = Data0, ushort ss = Data0,
        uint cr3 = 0, ushort ldt = 0)
    {
        M.Write32(tss + 0x1C, cr3);
        M.Write32(tss + 0x20, eip);
        M.Write32(tss + 0x24, eflags);
        M.Write32(tss + 0x38, esp);
        M.Write32(tss + 0x48, ds);   // ES
        M.Write32(tss + 0x4C, cs);
        M.Write32(tss + 0x50, ss);
        M.Write32(tss + 0x54, ds);
        M.Write32(tss + 0x58, ds);   // FS
        M.Write32(tss + 0x5C, ds);   // GS
        M.Write32(tss + 0x60, ldt);
    }

    /// <summary>Identity-maps the first 4 MiB with 4 KiB pages (PDE 0 → <see cref="PageTable"/>), all P/RW/US.</summary>
    public void IdentityMapFirst4M(uint pteFlags = 7)
    {
        M.Write32(PageDirectory, (uint)PageTable | 7);
        for (uint i = 0; i < 1024; i++) M.Write32(PageTable + i * 4, (i << 12) | pteFlags);
    }

    public void SetPte(uint linear, uint value) => M.Write32(PageTable + ((linear >> 12) & 0x3FF) * 4, value);
    public uint GetPte(uint linear) => M.Read32(PageTable + ((linear >> 12) & 0x3FF) * 4);

    /// <summary>Assembles 32-bit code at <paramref name="address"/>; returns the result for label addresses.</summary>
    public AssemblerResult Assemble32(ulong address, Action<Assembler> build) => Assemble(32, address, build);

    public AssemblerResult Assemble(int bitness, ulong address, Action<Assembler> build)
    {
        var a = new Assembler(bitness);
        build(a);
        using var ms = new MemoryStream();
        var r = a.Assemble(new StreamCodeWriter(ms), address, BlockEncoderOptions.ReturnNewInstructionOffsets);
        M.WriteBytes(address, ms.ToArray());
        return r;
    }

    /// <summary>Address of a label in the body.</summary>
    public uint BodyLabel(Label label) => (uint)bodyResult.GetLabelRIP(label);

    /// <summary>
    /// Writes the real-mode stub and the body, then points the CPU at the stub. The body starts at
    /// CPL 0 with DS=ES=FS=GS=SS=<see cref="Data0"/>, ESP=<see cref="Stack0Top"/>, TR=<see cref="TssA"/>.
    /// </summary>
    public void Build(Action<Assembler> body)
    {
        // GDTR and IDTR pseudo-descriptors.
        M.WriteBytes(0x7F00, BitConverter.GetBytes(GdtLimit));
        M.Write32(0x7F02, (uint)GdtBase);
        M.WriteBytes(0x7F08, BitConverter.GetBytes(IdtLimit));
        M.Write32(0x7F0A, (uint)IdtBase);
        Assemble(16, StubAddr, a =>
        {
            a.cli();
            a.lgdt(__[0x7F00]);
            a.lidt(__[0x7F08]);
            a.mov(eax, cr0);
            a.or(eax, 1);
            a.mov(cr0, eax);
            // jmp dword 0008:CodeAddr (66 EA ptr16:32)
            a.db(0x66, 0xEA);
            a.dd((uint)CodeAddr);
            a.dw(Code0);
        });
        bodyResult = Assemble32(CodeAddr, a =>
        {
            a.mov(ax, Data0);
            a.mov(ds, ax);
            a.mov(es, ax);
            a.mov(fs, ax);
            a.mov(gs, ax);
            a.mov(ss, ax);
            a.mov(esp, (uint)Stack0Top);
            a.mov(ax, TssA);
            a.ltr(ax);
            body(a);
        });
        M.StartReal(0, (ushort)StubAddr);
    }

    public StopReason Run(long budget = 1_000_000) => M.Run(budget);

    /// <summary>The vector whose halt stub the CPU stopped in, or -1.</summary>
    public int HaltedVector
    {
        get
        {
            ulong lin = Cpu.GetSegment(SegReg.CS).Base + Cpu.Rip - 1;
            return lin >= HandlerBase && lin < HandlerBase + 0x1000 && (lin & 15) == 0 ? (int)((lin - HandlerBase) / 16) : -1;
        }
    }

    /// <summary>The dword at SS:ESP + 4 × <paramref name="index"/> (the exception frame in a halt stub).</summary>
    public uint Frame(int index) =>
        M.Read32(Cpu.GetSegment(SegReg.SS).Base + (uint)Cpu.GetGpr(Gpr.Rsp) + (ulong)(4 * index));

    public uint Reg32(Gpr r) => (uint)Cpu.GetGpr(r);
}
