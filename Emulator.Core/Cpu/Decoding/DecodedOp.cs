using System.Runtime.InteropServices;

namespace Emulator.Core.Cpu.Decoding;

/// <summary>
/// One decoded instruction as the execution loop sees it: the handler chosen at decode
/// time (register or memory form) and the operands already extracted, so execution never
/// consults Iced's general operand model.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct DecodedOp
{
    public delegate*<Cpu, ref DecodedOp, void> Handler;
    /// <summary>Address of the next instruction (RIP after this one).</summary>
    public ulong NextIp;
    /// <summary>Immediate, branch target, or far-branch offset.</summary>
    public ulong Imm;
    /// <summary>Memory displacement (absolute address for RIP-relative and moffs forms).</summary>
    public ulong Disp;
    /// <summary>Mask of the address size: 0xFFFF, 0xFFFFFFFF or all ones.</summary>
    public ulong AddrMask;
    /// <summary>Second immediate: far selector, ENTER nesting level.</summary>
    public uint Imm2;
    /// <summary>Iced's <c>Code</c>, for handlers shared by several encodings and for tracing.</summary>
    public ushort Code;
    public byte Length;
    /// <summary>Register operand 0 and 1: index 0-15 (16 = none), or byte offset for 8-bit registers.</summary>
    public byte R0, R1;
    public byte Base, Index, Scale;
    /// <summary>Effective segment of the memory operand (SegReg).</summary>
    public byte Seg;
    /// <summary>1 = REP/REPE, 2 = REPNE.</summary>
    public byte Rep;
    public byte Flags;

    public const byte FlagLock = 1, FlagMemory = 2;

}
