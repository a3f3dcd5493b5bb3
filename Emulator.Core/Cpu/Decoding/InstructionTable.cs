using Iced.Intel;
using Emulator.Core.Cpu.Instructions;

namespace Emulator.Core.Cpu.Decoding;

/// <summary>What the table knows about an instruction besides its handlers.</summary>
[Flags]
internal enum InstrFlags : byte
{
    None = 0,
    /// <summary>The instruction ends its block (it changes CS:RIP non-sequentially, the mode, or interrupt state).</summary>
    EndsBlock = 1,
}

/// <summary>
/// The single source of truth mapping Iced's <see cref="Code"/> to the handler for the
/// register form, the handler for the memory form, and metadata (STYLE.md, "one table").
/// Each instruction family registers its codes from its own file.
/// </summary>
internal static unsafe class InstructionTable
{
    public static readonly int CodeCount = Enum.GetValues<Code>().Length;
    static readonly nint[] regForm = new nint[CodeCount];
    static readonly nint[] memForm = new nint[CodeCount];
    static readonly InstrFlags[] flags = new InstrFlags[CodeCount];

    static InstructionTable()
    {
        DataTransfer.Register();
        Arithmetic.Register();
        Logical.Register();
        ShiftRotate.Register();
        BitOps.Register();
        ControlTransfer.Register();
        Strings.Register();
        PortIo.Register();
        Bcd.Register();
        // Before Misc, whose fallback claims every x87 code still unregistered.
        Instructions.X87.Register();
        Mmx.Register();
        Misc.Register();
        SystemInstructions.Register();
        ProtectedTransfer.Register();
    }

    /// <summary>Registers the same handler for both forms (instructions with no ModRM operand).</summary>
    public static void Set(Code code, delegate*<Cpu, ref DecodedOp, void> handler, InstrFlags f = InstrFlags.None)
    {
        regForm[(int)code] = (nint)handler;
        memForm[(int)code] = (nint)handler;
        flags[(int)code] |= f;
    }

    public static void Set(Code code, delegate*<Cpu, ref DecodedOp, void> reg, delegate*<Cpu, ref DecodedOp, void> mem, InstrFlags f = InstrFlags.None)
    {
        regForm[(int)code] = (nint)reg;
        memForm[(int)code] = (nint)mem;
        flags[(int)code] |= f;
    }

    public static void SetFlags(Code code, InstrFlags f) => flags[(int)code] |= f;

    public static delegate*<Cpu, ref DecodedOp, void> Get(Code code, bool memory) =>
        (delegate*<Cpu, ref DecodedOp, void>)(memory ? memForm[(int)code] : regForm[(int)code]);

    public static InstrFlags FlagsOf(Code code) => flags[(int)code];

    public static bool IsImplemented(Code code) => regForm[(int)code] != 0 || memForm[(int)code] != 0;

    /// <summary>All codes of a mnemonic, for families that register by operand shape.</summary>
    public static IEnumerable<Code> CodesOf(Mnemonic m)
    {
        for (int i = 0; i < CodeCount; i++)
        {
            var c = (Code)i;
            if (c.Mnemonic() == m) yield return c;
        }
    }
}
