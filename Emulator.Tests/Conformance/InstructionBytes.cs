namespace Emulator.Tests.Conformance;

/// <summary>
/// Just enough 16-bit decoding of a test's instruction bytes to classify it: the legacy
/// prefixes, the opcode and the ModRM byte (for opcodes that have one).
/// </summary>
public readonly record struct InstructionBytes(bool Lock, bool Rep, byte? SegmentOverride, byte Opcode, byte? ModRm)
{
    /// <summary>ModRM.reg, or -1 without a ModRM byte.</summary>
    public int Reg => ModRm is byte m ? m >> 3 & 7 : -1;

    /// <summary>True when the ModRM byte addresses memory (mod != 3).</summary>
    public bool MemoryOperand => ModRm is byte m && m >> 6 != 3;

    public static InstructionBytes Decode(ReadOnlySpan<byte> bytes)
    {
        bool lockPrefix = false, rep = false;
        byte? segment = null;
        int i = 0;
        for (; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b == 0xF0) lockPrefix = true;
            else if (b is 0xF2 or 0xF3) rep = true;
            else if (b is 0x26 or 0x2E or 0x36 or 0x3E) segment = b;
            else break;
        }
        if (i >= bytes.Length) return new InstructionBytes(lockPrefix, rep, segment, 0, null);
        byte op = bytes[i];
        byte? modrm = HasModRm(op) && i + 1 < bytes.Length ? bytes[i + 1] : null;
        return new InstructionBytes(lockPrefix, rep, segment, op, modrm);
    }

    /// <summary>One-byte opcodes of the 8086/286 map that take a ModRM byte.</summary>
    static bool HasModRm(byte op) => op switch
    {
        < 0x40 => (op & 7) < 4,
        0x62 or 0x63 or 0x69 or 0x6B => true,
        >= 0x80 and <= 0x8F => true,
        0xC0 or 0xC1 or 0xC4 or 0xC5 or 0xC6 or 0xC7 => true,
        >= 0xD0 and <= 0xD3 => true,
        >= 0xD8 and <= 0xDF => true,
        0xF6 or 0xF7 or 0xFE or 0xFF => true,
        _ => false,
    };
}
