using Emulator.Core.State;

namespace Emulator.Core.Cpu.X87;

/// <summary>
/// The x87 FPU's registers (SDM vol. 1, 8.1, figure 8-1): eight 80-bit data registers used as a
/// stack whose top is the status word's TOP field, the control, status and tag words, and the
/// last-instruction and last-operand pointers with the last opcode (8.1.8, 8.1.9). Register
/// indexes here are physical (R0-R7); <see cref="St"/> maps ST(i) onto them.
/// </summary>
public sealed class FpuState : ISaveable
{
    // Status word bits (SDM vol. 1, 8.1.3, figure 8-4).
    public const ushort SwSF = 1 << 6, SwES = 1 << 7, SwC0 = 1 << 8, SwC1 = 1 << 9, SwC2 = 1 << 10,
        SwTop = 7 << 11, SwC3 = 1 << 14, SwB = 1 << 15;
    public const ushort SwConditionCodes = SwC0 | SwC1 | SwC2 | SwC3;

    // Tag values (SDM vol. 1, 8.1.7, figure 8-7).
    public const int TagValid = 0, TagZero = 1, TagSpecial = 2, TagEmpty = 3;

    public readonly Float80[] Regs = new Float80[8];
    public int Top;
    public ushort ControlWord;
    /// <summary>The status word without TOP (bits 11-13 kept zero here).</summary>
    public ushort Status;
    public ushort TagWord;
    public ulong InstructionPointer;
    public ushort InstructionSelector;
    public ulong DataPointer;
    public ushort DataSelector;
    /// <summary>The 11-bit opcode of the last non-control instruction.</summary>
    public ushort Opcode;

    /// <summary>
    /// The FERR# output (SDM vol. 1, 8.7 and appendix D): true while an unmasked exception is pending.
    /// A PC board wires it to IRQ 13 for the CR0.NE=0 (MS-DOS compatible) error reporting; it is
    /// called on every change of the pending state.
    /// </summary>
    public Action<bool>? ErrorSignal;

    public ushort StatusWord => (ushort)((Status & ~SwTop) | (Top << 11));

    public ref Float80 St(int i) => ref Regs[(Top + i) & 7];
    public int PhysicalIndex(int i) => (Top + i) & 7;
    public int Tag(int physical) => (TagWord >> (physical * 2)) & 3;
    public bool IsEmpty(int i) => Tag(PhysicalIndex(i)) == TagEmpty;

    public void SetTag(int physical, int tag) =>
        TagWord = (ushort)((TagWord & ~(3 << (physical * 2))) | (tag << (physical * 2)));

    /// <summary>The tag a value gets when written to a register (SDM vol. 1, 8.1.7).</summary>
    public static int TagOf(Float80 v) => v.Class switch
    {
        Float80Class.Zero => TagZero,
        Float80Class.Normal => TagValid,
        _ => TagSpecial,
    };

    /// <summary>Writes ST(i) and tags it by its contents.</summary>
    public void Set(int i, Float80 v)
    {
        int p = PhysicalIndex(i);
        Regs[p] = v;
        SetTag(p, TagOf(v));
    }

    /// <summary>Decrements TOP and writes the new ST(0).</summary>
    public void Push(Float80 v)
    {
        Top = (Top - 1) & 7;
        Set(0, v);
    }

    /// <summary>Marks ST(0) empty and increments TOP.</summary>
    public void Pop()
    {
        SetTag(Top, TagEmpty);
        Top = (Top + 1) & 7;
    }

    /// <summary>MMX register <paramref name="i"/>: the significand of physical register Ri (SDM vol. 1, 9.5; vol. 3, 12.2).</summary>
    public ulong Mmx(int i) => Regs[i].Significand;

    /// <summary>An MMX write: the significand takes the value and bits 64-79 (sign and exponent) become all ones (SDM vol. 3, 12.2).</summary>
    public void SetMmx(int i, ulong v) => Regs[i] = new Float80(0xFFFF, v);

    /// <summary>
    /// The x87 side effect of every MMX instruction but EMMS, reading or writing (SDM vol. 3, 12.2, table 12-1):
    /// TOP becomes 0 and every tag valid (00B). The rest of the status word, the control word and the
    /// instruction and data pointers are unchanged.
    /// </summary>
    public void EnterMmx()
    {
        Top = 0;
        TagWord = 0;
    }

    public void SetConditionCodes(ushort codes) => Status = (ushort)((Status & ~SwConditionCodes) | (codes & SwConditionCodes));

    /// <summary>
    /// Sets exception flags and recomputes ES and B: ES is set while any flag is set whose mask bit is
    /// clear (SDM vol. 1, 8.1.3.1); B mirrors ES on the 80387 and later.
    /// </summary>
    public void RaiseFlags(FpuExceptions e)
    {
        Status |= (ushort)e;
        UpdateErrorSummary();
    }

    public bool ErrorPending => (Status & SwES) != 0;

    /// <summary>The level last driven on <see cref="ErrorSignal"/> (tracked apart from ES, which FNCLEX and FRSTOR write directly).</summary>
    bool errorSignalled;

    public void UpdateErrorSummary()
    {
        bool pending = (Status & ~ControlWord & 0x3F) != 0;
        Status = (ushort)(pending ? Status | SwES | SwB : Status & ~(SwES | SwB));
        if (pending != errorSignalled)
        {
            errorSignalled = pending;
            ErrorSignal?.Invoke(pending);
        }
    }

    /// <summary>
    /// The tag word with each non-empty register's tag recomputed from its contents, as FSTENV/FSAVE
    /// store it (SDM vol. 1, 8.1.7).
    /// </summary>
    public ushort FullTagWord()
    {
        int tw = 0;
        for (int p = 0; p < 8; p++)
            tw |= (Tag(p) == TagEmpty ? TagEmpty : TagOf(Regs[p])) << (p * 2);
        return (ushort)tw;
    }

    /// <summary>FNINIT (SDM vol. 2A, FINIT/FNINIT): control word 037FH, status 0, all registers empty, pointers cleared.</summary>
    public void Initialize()
    {
        ControlWord = 0x037F;
        Status = 0;
        Top = 0;
        TagWord = 0xFFFF;
        InstructionPointer = DataPointer = 0;
        InstructionSelector = DataSelector = 0;
        Opcode = 0;
        UpdateErrorSummary();
    }

    /// <summary>State after RESET (SDM vol. 3, 10.1.1, table 10-1): control word 0040H, tag word 5555H, registers +0.</summary>
    public void Reset()
    {
        Initialize();
        ControlWord = 0x0040;
        TagWord = 0x5555;
        Array.Clear(Regs);
        UpdateErrorSummary();
    }

    public string SnapshotName => "fpu";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        foreach (var r in Regs) { w.Write(r.Significand); w.Write(r.SignExponent); }
        w.Write((byte)Top);
        w.Write(ControlWord);
        w.Write(Status);
        w.Write(TagWord);
        w.Write(InstructionPointer);
        w.Write(InstructionSelector);
        w.Write(DataPointer);
        w.Write(DataSelector);
        w.Write(Opcode);
    }

    /// <summary>Loads the registers; the FERR# level is taken as already driven (the interrupt controller restores its own input state).</summary>
    public void LoadState(BinaryReader r, int version)
    {
        for (int i = 0; i < 8; i++)
        {
            ulong sig = r.ReadUInt64();
            Regs[i] = new Float80(r.ReadUInt16(), sig);
        }
        Top = r.ReadByte() & 7;
        ControlWord = r.ReadUInt16();
        Status = r.ReadUInt16();
        TagWord = r.ReadUInt16();
        InstructionPointer = r.ReadUInt64();
        InstructionSelector = r.ReadUInt16();
        DataPointer = r.ReadUInt64();
        DataSelector = r.ReadUInt16();
        Opcode = r.ReadUInt16();
        errorSignalled = ErrorPending;
    }
}
