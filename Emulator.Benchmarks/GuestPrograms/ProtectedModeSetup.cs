using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Cpu.Decoding;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>How the guest reaches 32-bit protected mode with paging.</summary>
internal enum SetupPath
{
    /// <summary>A real-mode stub runs LGDT, MOV CR0 (PE), a far JMP, MOV CR3 and MOV CR0 (PG), as an OS loader would.</summary>
    RealModeStub,
    /// <summary>The state is written through <see cref="Cpu.SetSegment"/> and <see cref="Cpu.SetControlRegister"/>.</summary>
    DirectApi,
}

/// <summary>
/// The shared system structures every benchmark guest runs on: a flat GDT (0x08 code,
/// 0x10 data, both base 0 limit 4 GiB, 32-bit), a page directory at 0x2000 and two page
/// tables identity-mapping the first 8 MiB with 4 KiB pages (SDM vol. 3, 4.3), and the
/// real-mode stub that switches into that state.
/// </summary>
internal static class ProtectedModeSetup
{
    public const ulong GdtBase = 0x1000;
    public const ushort GdtLimit = 3 * 8 - 1;
    public const ulong PageDirectory = 0x2000;
    public const ulong PageTables = 0x3000;
    public const int MappedMiB = 8;
    public const ulong GdtrImage = 0x7B00;
    public const ulong StubAddress = 0x7C00;
    public const ulong Pm32Entry = 0x8000;
    /// <summary>Every real-mode IVT vector points here (a HLT), so a missing instruction in the stub stops cleanly.</summary>
    public const ulong RealModeTrap = 0x0F00;
    public const ushort CodeSelector = 0x08, DataSelector = 0x10;

    /// <summary>True when the core on this build implements the system instructions the stub needs.</summary>
    public static bool StubSupported =>
        InstructionTable.IsImplemented(Code.Lgdt_m1632_16) &&
        InstructionTable.IsImplemented(Code.Mov_r32_cr) &&
        InstructionTable.IsImplemented(Code.Mov_cr_r32) &&
        InstructionTable.IsImplemented(Code.Jmp_ptr1616);

    /// <summary>Writes the GDT, the page tables, the IVT trap and the stub (which ends by jumping to <paramref name="entry"/>).</summary>
    public static void WriteSystemStructures(Machine m, ulong entry)
    {
        var mem = m.Memory;
        // GDT: null, flat code (type 0xA execute/read, D=1, G=1), flat data (type 0x2 read/write).
        WriteU64(m, GdtBase + 0, 0);
        WriteU64(m, GdtBase + 8, 0x00CF_9B00_0000_FFFFUL);
        WriteU64(m, GdtBase + 16, 0x00CF_9300_0000_FFFFUL);
        // Page directory entries 0..1 → page tables; PTEs identity-map 8 MiB (P|RW, supervisor).
        int tables = MappedMiB / 4;
        for (int t = 0; t < tables; t++)
            WriteU32(m, PageDirectory + (ulong)t * 4, (uint)(PageTables + (ulong)t * 0x1000) | 3);
        for (int i = 0; i < tables * 1024; i++)
            WriteU32(m, PageTables + (ulong)i * 4, (uint)(i << 12) | 3);

        for (int v = 0; v < 256; v++) WriteU32(m, (ulong)v * 4, (uint)RealModeTrap);
        mem.Write(RealModeTrap, [0xF4]);   // HLT
        WriteU32(m, GdtrImage, GdtLimit);
        WriteU32(m, GdtrImage + 2, (uint)GdtBase);

        GuestCode.Load(m, 16, StubAddress, a =>
        {
            a.cli();
            a.lgdt(__fword_ptr[(uint)GdtrImage]);
            a.mov(eax, cr0);
            a.or(eax, 1);
            a.mov(cr0, eax);
            a.jmp(CodeSelector, (uint)Pm32Entry);
        });
        GuestCode.Load(m, 32, Pm32Entry, a =>
        {
            a.mov(ax, DataSelector);
            a.mov(ds, ax);
            a.mov(es, ax);
            a.mov(ss, ax);
            a.mov(fs, ax);
            a.mov(gs, ax);
            a.mov(eax, (uint)PageDirectory);
            a.mov(cr3, eax);
            a.mov(eax, cr0);
            a.or(eax, unchecked((int)0x8000_0000));
            a.mov(cr0, eax);
            a.mov(eax, (uint)entry);
            a.jmp(eax);
        });
    }

    /// <summary>Resets the CPU and prepares it to run from <paramref name="entry"/> in flat 32-bit protected mode with paging.</summary>
    public static void Enter(Machine m, SetupPath path, ulong entry)
    {
        var cpu = m.Cpu;
        cpu.Reset();
        if (path == SetupPath.RealModeStub)
        {
            cpu.SetSegmentReal(SegReg.CS, 0);
            cpu.SetSegmentReal(SegReg.DS, 0);
            cpu.SetSegmentReal(SegReg.SS, 0);
            cpu.Rip = StubAddress;
            return;
        }
        cpu.GdtBase = GdtBase;
        cpu.GdtLimit = GdtLimit;
        cpu.SetControlRegister(3, PageDirectory);
        cpu.SetControlRegister(0, cpu.Cr0 | 0x8000_0001UL);   // PG | PE, CD/NW/ET as after reset
        var code = new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = CodeSelector, Attributes = 0xC09B };
        var data = new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = DataSelector, Attributes = 0xC093 };
        cpu.SetSegment(SegReg.CS, code);
        foreach (var s in new[] { SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS }) cpu.SetSegment(s, data);
        cpu.Rip = entry;
    }

    /// <summary>True when the CPU is in the state the stub (or the API path) should have produced.</summary>
    public static bool InFlatPagedMode(Cpu cpu) =>
        cpu.Mode == CpuMode.Protected && (cpu.Cr0 & 0x8000_0001UL) == 0x8000_0001UL && cpu.Cr3 == PageDirectory
        && cpu.GetSegment(SegReg.CS).Big;

    static void WriteU32(Machine m, ulong a, uint v) => m.Memory.Write(a, BitConverter.GetBytes(v));
    static void WriteU64(Machine m, ulong a, ulong v) => m.Memory.Write(a, BitConverter.GetBytes(v));
}
