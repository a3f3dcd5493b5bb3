namespace Emulator.Tests.Conformance;

/// <summary>
/// The places where a real 80286 and this emulator's 386+/P6-class CPU legitimately
/// differ in real mode, each with the Intel SDM reference for the 386+ behaviour.
/// </summary>
/// <remarks>
/// Not an exclusion but a normalization, applied to every test: the 286 cannot hold
/// FLAGS bits 12-15 in real mode (they read and push as 0; the generator's random
/// initial FLAGS are reduced to that by the chip itself, as the NOP tests' final FLAGS
/// show), whereas on a 386+ IOPL (bits 12-13) and NT (bit 14) are ordinary writable
/// bits in real mode (SDM vol. 1, 3.4.3 "EFLAGS Register"; vol. 2B POPF "Operation",
/// real-address mode branch). The runner therefore loads the initial FLAGS with bits
/// 12-15 clear, the state the 286 actually executed with, and compares FLAGS with those
/// bits masked, as the SingleStepTests README specifies. That also covers real-mode
/// POPF (9D) and IRET (CF), which may set IOPL/NT on a 386+ but not on the 286.
/// </remarks>
public static class KnownDifferences80286
{
    public static readonly IReadOnlyList<KnownDifference> All =
    [
        new(
            "lock-non-lockable",
            "any opcode with an F0 prefix, except ADD/ADC/AND/OR/SBB/SUB/XOR (00-31, 80-83 /0-6), XCHG (86/87), NOT/NEG (F6/F7 /2-3), INC/DEC (FE/FF /0-1) with a memory destination",
            "SDM vol. 2A, \"LOCK—Assert LOCK# Signal Prefix\": #UD if LOCK is used with an instruction not listed or whose destination is not memory",
            "the 286 accepts LOCK on any instruction and just runs it; a 386+ raises #UD (int 6)",
            (_, _, ins) => ins.Lock && !IsLockable(ins)),
        new(
            "mov-sreg-fs-gs",
            "8C /4-5 (MOV r/m16, FS/GS), 8E /4-5 (MOV FS/GS, r/m16)",
            "SDM vol. 2B, \"MOV—Move\" (8C /r MOV r/m16,Sreg and 8E /r MOV Sreg,r/m16; FS and GS are Sreg 4 and 5 per the sreg-field table in vol. 2D, appendix B)",
            "the 286 has no FS/GS and raises #UD (int 6) for Sreg 4-5; a 386+ moves FS/GS",
            (_, _, ins) => ins.Opcode is 0x8C or 0x8E && ins.Reg is 4 or 5),
        new(
            "instruction-over-10-bytes",
            "any opcode whose encoding (prefixes included) is longer than 10 bytes (the 286 test data has 11-byte ones)",
            "SDM vol. 3A, 6.15 \"Interrupt 13—General Protection Exception (#GP)\" (instruction length limit of 15 bytes) and vol. 2A, 2.3.11 (\"maximum length ... remains 15 bytes\")",
            "the 286 limits an instruction to 10 bytes and raises int 13 beyond; a 386+ allows up to 15 bytes and executes it",
            (_, test, _) => test.Exception?.Number == Vector13 && test.Bytes.Length - 1 > 10),
        new(
            "ss-overrun-is-#SS",
            "any SS-relative memory access (BP-based ModRM, SS: override, PUSH/POP/CALL/RET/LEAVE/INT) past offset FFFF",
            "SDM vol. 2, \"Real-Address Mode Exceptions\" of each instruction (\"#SS If a memory operand effective address is outside the SS segment limit\"); vol. 3A, 6.15 \"Interrupt 12—Stack Fault Exception (#SS)\"",
            "the 286 reports every real-mode segment overrun as int 13; a 386+ raises #SS (int 12) when the segment is SS",
            (_, test, ins) => test.Exception?.Number == Vector13 && test.Bytes.Length - 1 <= 10 && FaultsThroughSs(test, ins)),
        new(
            "string-overrun-steps-index",
            "6D, 6F, A5, A7, AB, AD, AF (INSW, OUTSW, MOVSW, CMPSW, STOSW, LODSW, SCASW) whose word access overruns offset FFFF",
            "SDM vol. 3A, 6.5 \"Exception Classifications\" (a fault restores the state from before the faulting instruction) and vol. 2B, \"REP\" (a fault in a repeated string instruction leaves the registers as of the faulting iteration); vol. 2, real-address mode exceptions of each instruction (#SS for an SS-relative operand)",
            "the 286 has already stepped SI/DI (and with REP decremented CX) for the faulting element when it raises int 13; a 386+ leaves them as they were before that element (and raises #SS if the overrun operand is SS:SI)",
            (_, test, ins) => test.Exception?.Number == Vector13 && test.Bytes.Length - 1 <= 10
                && ins.Opcode is 0x6D or 0x6F or 0xA5 or 0xA7 or 0xAB or 0xAD or 0xAF),
    ];

    const byte Vector13 = 13;

    /// <summary>
    /// Whether the access that overran a segment in a 286 int-13 test is SS-relative: the ModRM
    /// memory operand when there is one (SS by override or BP base; or the stack push/pop of
    /// PUSH/POP/CALL r/m when SP is at the edge), otherwise the implicit stack access.
    /// </summary>
    static bool FaultsThroughSs(MooTest test, InstructionBytes ins)
    {
        ushort sp = test.Initial.Registers[MooRegister.SP];
        if (ins.MemoryOperand && ins.ModRm is byte modrm)
        {
            bool operandSs = ins.SegmentOverride is byte o
                ? o == 0x36
                : (modrm & 7) is 2 or 3 || ((modrm & 7) == 6 && modrm >> 6 != 0);
            if (operandSs) return true;
            return (ins.Opcode == 0xFF && ins.Reg is 2 or 3 or 6 && sp is 1 or 3)
                || (ins.Opcode == 0x8F && sp == 0xFFFF);
        }
        return ins.Opcode switch
        {
            0x06 or 0x07 or 0x0E or 0x16 or 0x17 or 0x1E or 0x1F => true,   // PUSH/POP sreg
            >= 0x50 and <= 0x5F => true,                                    // PUSH/POP r16
            0x60 or 0x61 or 0x68 or 0x6A or 0x9A or 0x9C or 0x9D => true,   // PUSHA/POPA/PUSH imm/CALL far/PUSHF/POPF
            0xC2 or 0xC3 or 0xC9 or 0xCA or 0xCB => true,                   // RET/LEAVE/RETF
            >= 0xCC and <= 0xCF => true,                                    // INT3/INT/INTO/IRET
            0xE8 => true,                                                   // CALL rel16
            _ => false,
        };
    }

    /// <summary>The first known difference covering a test, or null.</summary>
    public static KnownDifference? Find(string fileKey, MooTest test, InstructionBytes ins)
    {
        foreach (var d in All)
            if (d.AppliesTo(fileKey, test, ins)) return d;
        return null;
    }

    /// <summary>Instructions LOCK may prefix on a 386+ (SDM vol. 2A, LOCK), restricted to the one-byte map.</summary>
    static bool IsLockable(InstructionBytes ins)
    {
        if (!ins.MemoryOperand) return false;
        return ins.Opcode switch
        {
            0x00 or 0x01 or 0x08 or 0x09 or 0x10 or 0x11 or 0x18 or 0x19 or
            0x20 or 0x21 or 0x28 or 0x29 or 0x30 or 0x31 => true,
            >= 0x80 and <= 0x83 => ins.Reg != 7,
            0x86 or 0x87 => true,
            0xF6 or 0xF7 => ins.Reg is 2 or 3,
            0xFE or 0xFF => ins.Reg is 0 or 1,
            _ => false,
        };
    }
}
