using Iced.Intel;

namespace Emulator.Core.Cpu.X87;

/// <summary>
/// The 11-bit x87 opcode the FPU keeps for the last non-control instruction (SDM vol. 1, 8.1.9, figure 8-8):
/// the low three bits of the escape byte (D8-DF) and the ModRM byte. Iced's decoded instruction has no raw
/// ModRM, so it is rebuilt from the opcode table (register forms) or from the memory operand's addressing
/// form (SDM vol. 2, 2.1.5, tables 2-1 and 2-2). Computed once at decode time.
/// </summary>
internal static class X87Opcode
{
    /// <summary>The opcode for an x87 instruction; 0 for anything else.</summary>
    public static ushort Of(in Instruction instr)
    {
        var info = instr.Code.ToOpCode();
        uint opc = info.OpCode;
        if (info.OpCodeLength == 2 && (opc >> 8) is >= 0xD8 and <= 0xDF)
        {
            // "D8 C0+i" and fixed forms: the second byte is the ModRM, plus the ST(i) register where there is one.
            uint modrm = opc & 0xFF;
            if (info.ToOpCodeString().EndsWith("+i", StringComparison.Ordinal))
                for (int i = 0; i < instr.OpCount; i++)
                    if (instr.GetOpKind(i) == OpKind.Register && instr.GetOpRegister(i) is >= Register.ST1 and <= Register.ST7)
                    {
                        modrm += (uint)(instr.GetOpRegister(i) - Register.ST0);
                        break;
                    }
            return (ushort)(((opc >> 8) & 7) << 8 | modrm);
        }
        if (info.OpCodeLength == 1 && opc is >= 0xD8 and <= 0xDF && info.GroupIndex >= 0)
            return (ushort)((opc & 7) << 8 | ModRmOfMemory(in instr) | (uint)info.GroupIndex << 3);
        return 0;
    }

    /// <summary>The mod and r/m fields of a memory operand's encoding.</summary>
    static uint ModRmOfMemory(in Instruction instr)
    {
        var b = instr.MemoryBase;
        var x = instr.MemoryIndex;
        int displ = instr.MemoryDisplSize;
        if (b == Register.None && x == Register.None)
            return instr.MemoryDisplSize == 2 ? 6u : 5u;             // disp16 / disp32 only: mod 00
        if (b == Register.RIP || b == Register.EIP) return 5;      // RIP-relative: mod 00, r/m 101
        uint mod = displ switch { 0 => 0u, 1 => 1u, _ => 2u };
        uint rm;
        if (b.IsGPR16() || x.IsGPR16())
        {
            rm = (b, x) switch
            {
                (Register.BX, Register.SI) => 0, (Register.BX, Register.DI) => 1,
                (Register.BP, Register.SI) => 2, (Register.BP, Register.DI) => 3,
                (Register.SI, Register.None) => 4, (Register.DI, Register.None) => 5,
                (Register.BP, Register.None) => 6, _ => 7,
            };
        }
        else if (x != Register.None || b == Register.None || (b.GetNumber() & 7) == 4)
        {
            rm = 4;                                                // SIB
            if (b == Register.None) mod = 0;                       // [index*s + disp32]: mod 00, SIB base 101
        }
        else rm = (uint)(b.GetNumber() & 7);
        return mod << 6 | rm;
    }
}
