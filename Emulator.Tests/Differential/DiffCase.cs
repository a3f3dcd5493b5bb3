using Iced.Intel;

namespace Emulator.Tests.Differential;

/// <summary>Where an operand of a generated instruction lives.</summary>
internal enum DiffOperandKind { Register, Memory, Immediate }

/// <summary>
/// One operand of a generated instruction, independent of the mode it is encoded for: a
/// memory operand names its base and index by GPR number (0-7, encoding order) so the
/// same description becomes <c>[esi+disp]</c> for the emulated 32-bit side and
/// <c>[rsi+disp]</c> for the native 64-bit side.
/// </summary>
internal readonly record struct DiffOperand(DiffOperandKind Kind, Register Register, int Immediate, int Base, int Index, int Scale, int Displacement)
{
    public static DiffOperand Reg(Register r) => new(DiffOperandKind.Register, r, 0, -1, -1, 1, 0);
    public static DiffOperand Imm(int value) => new(DiffOperandKind.Immediate, Register.None, value, -1, -1, 1, 0);
    public static DiffOperand Mem(int baseGpr, int indexGpr, int scale, int displacement) =>
        new(DiffOperandKind.Memory, Register.None, 0, baseGpr, indexGpr, scale, displacement);

    public MemoryOperand ToMemoryOperand(int bitness)
    {
        var first = bitness == 64 ? Register.RAX : Register.EAX;
        var b = Base < 0 ? Register.None : first + Base;
        var x = Index < 0 ? Register.None : first + Index;
        return new MemoryOperand(b, x, Scale, Displacement, Displacement == 0 ? 0 : (Displacement is >= -128 and <= 127 ? 1 : bitness / 8));
    }
}

/// <summary>
/// One differential test case: an instruction (by Iced <see cref="Code"/> and mode-free
/// operands) and the machine state it starts from. Both executors run exactly this.
/// </summary>
internal sealed class DiffCase
{
    /// <summary>Size of the scratch buffer memory operands point into.</summary>
    public const int ScratchSize = 512;
    /// <summary>Offset in the scratch buffer that the base register of a memory operand points at.</summary>
    public const int ScratchBaseOffset = 256;

    public required Code Code { get; init; }
    public required DiffOperand[] Operands { get; init; }
    /// <summary>EAX..EDI in encoding order; index 4 (ESP) is unused and always 0.</summary>
    public uint[] Regs { get; } = new uint[8];
    /// <summary>Initial arithmetic flags (CF PF AF ZF SF OF only).</summary>
    public uint Flags { get; set; }
    public byte[] Scratch { get; } = new byte[ScratchSize];
    /// <summary>The GPR that holds the scratch pointer for a memory operand, or -1 (no memory access).</summary>
    public int ScratchBaseReg { get; init; } = -1;

    public Mnemonic Mnemonic => Code.Mnemonic();

    /// <summary>The mnemonic as reported: the condition-code families are grouped per mnemonic anyway.</summary>
    public string MnemonicName => Mnemonic.ToString().ToUpperInvariant();

    /// <summary>
    /// An optional flag-setting instruction run first (ADD/ADC/SUB/SBB/CMP/INC/DEC/NEG on registers the
    /// instruction under test does not use), so the instruction under test reads flags the core still
    /// holds lazily rather than freshly loaded ones. It defines every arithmetic flag, so the masks of
    /// the instruction under test stay exact.
    /// </summary>
    public (Code Code, DiffOperand[] Operands)? Prefix { get; set; }

    /// <summary>Builds the instruction under test for a 32-bit (emulated) or 64-bit (native) code segment.</summary>
    public Instruction Build(int bitness) => Build(Code, Operands, bitness);

    static Instruction Build(Code code, DiffOperand[] o, int bitness)
    {
        return o.Length switch
        {
            0 => Instruction.Create(code),
            1 => o[0].Kind switch
            {
                DiffOperandKind.Register => Instruction.Create(code, o[0].Register),
                DiffOperandKind.Memory => Instruction.Create(code, o[0].ToMemoryOperand(bitness)),
                _ => throw Shape(code),
            },
            2 => (o[0].Kind, o[1].Kind) switch
            {
                (DiffOperandKind.Register, DiffOperandKind.Register) => Instruction.Create(code, o[0].Register, o[1].Register),
                (DiffOperandKind.Register, DiffOperandKind.Memory) => Instruction.Create(code, o[0].Register, o[1].ToMemoryOperand(bitness)),
                (DiffOperandKind.Memory, DiffOperandKind.Register) => Instruction.Create(code, o[0].ToMemoryOperand(bitness), o[1].Register),
                (DiffOperandKind.Register, DiffOperandKind.Immediate) => Instruction.Create(code, o[0].Register, o[1].Immediate),
                (DiffOperandKind.Memory, DiffOperandKind.Immediate) => Instruction.Create(code, o[0].ToMemoryOperand(bitness), o[1].Immediate),
                _ => throw Shape(code),
            },
            3 => (o[0].Kind, o[1].Kind, o[2].Kind) switch
            {
                (DiffOperandKind.Register, DiffOperandKind.Register, DiffOperandKind.Immediate) =>
                    Instruction.Create(code, o[0].Register, o[1].Register, o[2].Immediate),
                (DiffOperandKind.Register, DiffOperandKind.Memory, DiffOperandKind.Immediate) =>
                    Instruction.Create(code, o[0].Register, o[1].ToMemoryOperand(bitness), o[2].Immediate),
                (DiffOperandKind.Memory, DiffOperandKind.Register, DiffOperandKind.Immediate) =>
                    Instruction.Create(code, o[0].ToMemoryOperand(bitness), o[1].Register, o[2].Immediate),
                (DiffOperandKind.Register, DiffOperandKind.Register, DiffOperandKind.Register) =>
                    Instruction.Create(code, o[0].Register, o[1].Register, o[2].Register),
                (DiffOperandKind.Memory, DiffOperandKind.Register, DiffOperandKind.Register) =>
                    Instruction.Create(code, o[0].ToMemoryOperand(bitness), o[1].Register, o[2].Register),
                _ => throw Shape(code),
            },
            _ => throw Shape(code),
        };
    }

    static InvalidOperationException Shape(Code code) => new($"{code}: operand shape not supported by the differential generator");

    /// <summary>Encodes the prefix instruction (if any) and the instruction under test for <paramref name="bitness"/>.</summary>
    public byte[] Encode(int bitness, ulong ip)
    {
        var w = new ByteWriter();
        var enc = Encoder.Create(bitness, w);
        foreach (var instr in Instructions(bitness))
        {
            if (!enc.TryEncode(instr, ip + (ulong)w.Bytes.Count, out _, out var error))
                throw new InvalidOperationException($"{instr.Code} ({Format()}) cannot be encoded for {bitness}-bit code: {error}");
        }
        return w.Bytes.ToArray();
    }

    IEnumerable<Instruction> Instructions(int bitness)
    {
        if (Prefix is { } p) yield return Build(p.Code, p.Operands, bitness);
        yield return Build(bitness);
    }

    /// <summary>The 32-bit form in Intel syntax, as the report shows it.</summary>
    public string Format()
    {
        var f = new IntelFormatter();
        var o = new StringOutput();
        return string.Join(" ; ", Instructions(32).Select(i => { f.Format(i, o); return o.ToStringAndReset(); }));
    }

    // ---- values of operands in the initial state (for constraints and masks) ----

    /// <summary>Reads a register (8/16/32-bit) from <see cref="Regs"/>.</summary>
    public uint GetReg(Register r)
    {
        var (gpr, shift, mask) = Locate(r);
        return (Regs[gpr] >> shift) & mask;
    }

    public void SetReg(Register r, uint value)
    {
        var (gpr, shift, mask) = Locate(r);
        Regs[gpr] = (Regs[gpr] & ~(mask << shift)) | ((value & mask) << shift);
    }

    /// <summary>The GPR, bit position and mask of a legacy 8/16/32-bit register.</summary>
    public static (int Gpr, int Shift, uint Mask) Locate(Register r)
    {
        if (r >= Register.AL && r <= Register.BL) return (r - Register.AL, 0, 0xFF);
        if (r >= Register.AH && r <= Register.BH) return (r - Register.AH, 8, 0xFF);
        if (r >= Register.AX && r <= Register.DI) return (r - Register.AX, 0, 0xFFFF);
        if (r >= Register.EAX && r <= Register.EDI) return (r - Register.EAX, 0, 0xFFFF_FFFF);
        throw new ArgumentOutOfRangeException(nameof(r), r, "not a legacy GPR");
    }

    /// <summary>Offset in <see cref="Scratch"/> of a memory operand (which must address the scratch buffer).</summary>
    public int ScratchOffset(in DiffOperand m) => ScratchBaseOffset + m.Displacement;

    public uint ReadOperand(in DiffOperand op, int bytes)
    {
        switch (op.Kind)
        {
            case DiffOperandKind.Register: return GetReg(op.Register);
            case DiffOperandKind.Immediate: return (uint)op.Immediate & SizeMask(bytes);
            default:
                int at = ScratchOffset(op);
                uint v = 0;
                for (int i = 0; i < bytes; i++) v |= (uint)Scratch[at + i] << (8 * i);
                return v;
        }
    }

    public void WriteOperand(in DiffOperand op, int bytes, uint value)
    {
        if (op.Kind == DiffOperandKind.Register) { SetReg(op.Register, value); return; }
        if (op.Kind != DiffOperandKind.Memory) throw new InvalidOperationException("cannot write an immediate");
        int at = ScratchOffset(op);
        for (int i = 0; i < bytes; i++) Scratch[at + i] = (byte)(value >> (8 * i));
    }

    public static uint SizeMask(int bytes) => bytes switch { 1 => 0xFF, 2 => 0xFFFF, _ => 0xFFFF_FFFF };

    sealed class ByteWriter : CodeWriter
    {
        public readonly List<byte> Bytes = new(16);
        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
