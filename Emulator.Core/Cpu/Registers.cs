namespace Emulator.Core.Cpu;

/// <summary>General-purpose registers in encoding order (Intel SDM vol. 2, table 2-2).</summary>
public enum Gpr { Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15 }

/// <summary>Segment registers in encoding order (the Sreg field of MOV Sreg).</summary>
public enum SegReg { ES, CS, SS, DS, FS, GS }

/// <summary>EFLAGS bits (Intel SDM vol. 1, 3.4.3).</summary>
[Flags]
public enum EFlags : uint
{
    CF = 1 << 0, Reserved1 = 1 << 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7,
    TF = 1 << 8, IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, IOPL = 3 << 12, NT = 1 << 14,
    RF = 1 << 16, VM = 1 << 17, AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21,
    Arithmetic = CF | PF | AF | ZF | SF | OF,
}

/// <summary>Control register bits used by the core (Intel SDM vol. 3, 2.5).</summary>
public static class CrBits
{
    public const ulong CR0_PE = 1, CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_ET = 0x10, CR0_NE = 0x20,
        CR0_WP = 1 << 16, CR0_AM = 1 << 18, CR0_NW = 1 << 29, CR0_CD = 1 << 30, CR0_PG = 1UL << 31;
    public const ulong CR4_VME = 1, CR4_PVI = 2, CR4_TSD = 4, CR4_DE = 8, CR4_PSE = 0x10, CR4_PAE = 0x20,
        CR4_MCE = 0x40, CR4_PGE = 0x80, CR4_PCE = 0x100, CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
}

/// <summary>Exception vectors (Intel SDM vol. 3, table 6-1).</summary>
public static class Vector
{
    public const byte DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
        TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;
}
