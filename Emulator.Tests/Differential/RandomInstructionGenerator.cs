using Iced.Intel;

namespace Emulator.Tests.Differential;

/// <summary>
/// Generates random user-level integer instructions with random operands and inputs from
/// a seed. Encodings are taken from Iced's opcode tables: every legacy encoding of the
/// chosen mnemonics that is valid in both 32-bit and 64-bit mode with an 8/16/32-bit
/// operand size, so each instruction means the same on the emulated 32-bit side and the
/// native 64-bit side (low 32 bits). Inputs are built so that nothing can fault natively.
/// </summary>
internal sealed class RandomInstructionGenerator
{
    static readonly Mnemonic[] Plain =
    [
        Mnemonic.Add, Mnemonic.Adc, Mnemonic.Sub, Mnemonic.Sbb, Mnemonic.Cmp, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor,
        Mnemonic.Test, Mnemonic.Inc, Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Not,
        Mnemonic.Mul, Mnemonic.Imul, Mnemonic.Div, Mnemonic.Idiv,
        Mnemonic.Shl, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Rol, Mnemonic.Ror, Mnemonic.Rcl, Mnemonic.Rcr,
        Mnemonic.Shld, Mnemonic.Shrd,
        Mnemonic.Bt, Mnemonic.Bts, Mnemonic.Btr, Mnemonic.Btc, Mnemonic.Bsf, Mnemonic.Bsr,
        Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Xchg, Mnemonic.Xadd, Mnemonic.Cmpxchg, Mnemonic.Bswap, Mnemonic.Lea,
        Mnemonic.Cbw, Mnemonic.Cwde, Mnemonic.Cwd, Mnemonic.Cdq,
        Mnemonic.Clc, Mnemonic.Stc, Mnemonic.Cmc, Mnemonic.Lahf, Mnemonic.Sahf,
    ];

    /// <summary>Registers a memory operand's base may use: never an implicit operand (EAX, ECX, EDX) nor ESP.</summary>
    static readonly int[] BaseCandidates = [3, 5, 6, 7];

    static readonly uint[] Interesting =
    [
        0, 1, 2, 0x7F, 0x80, 0x81, 0xFF, 0x100, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x10000,
        0x7FFF_FFFF, 0x8000_0000, 0x8000_0001, 0xFFFF_FFFF, 0xFFFF_FFFE, 0xFFFF_FF80, 0xFFFF_8000,
    ];

    /// <summary>The encodings under test, grouped in families (each mnemonic; SETcc and CMOVcc one family each)
    /// so that the 16 condition codes do not crowd out the rest.</summary>
    public static readonly IReadOnlyList<Code[]> Families = BuildFamilies();

    readonly Random rng;

    public RandomInstructionGenerator(int seed) => rng = new Random(seed);

    static IReadOnlyList<Code[]> BuildFamilies()
    {
        var byFamily = new Dictionary<string, List<Code>>();
        foreach (var code in Enum.GetValues<Code>())
        {
            var m = code.Mnemonic();
            string? family =
                Plain.Contains(m) ? m.ToString() :
                code.ConditionCode() != ConditionCode.None && m.ToString().StartsWith("Set", StringComparison.Ordinal) ? "Setcc" :
                code.ConditionCode() != ConditionCode.None && m.ToString().StartsWith("Cmov", StringComparison.Ordinal) ? "Cmovcc" :
                null;
            if (family == null || !Usable(code)) continue;
            if (!byFamily.TryGetValue(family, out var list)) byFamily[family] = list = new();
            list.Add(code);
        }
        return byFamily.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value.ToArray()).ToArray();
    }

    static bool Usable(Code code)
    {
        var info = code.ToOpCode();
        if (!info.IsInstruction || info.Encoding != EncodingKind.Legacy || !info.Mode32 || !info.Mode64) return false;
        if (info.OperandSize == 64) return false;
        var name = code.ToString();
        // Aliases that only some processors decode (F6 /1 TEST, 82 group), the 486-A CMPXCHG
        // opcode, and BSWAP r16, whose result the SDM leaves undefined.
        if (name.Contains("_F6r1", StringComparison.Ordinal) || name.Contains("_F7r1", StringComparison.Ordinal)
            || name.EndsWith("_82", StringComparison.Ordinal) || name.Contains("486", StringComparison.Ordinal)
            || code == Code.Bswap_r16)
            return false;
        for (int i = 0; i < info.OpCount; i++)
            if (OperandBytes(info.GetOpKind(i)) < 0) return false;
        return true;
    }

    /// <summary>The size in bytes of an operand kind the generator supports; 0 for immediates and LEA's mem; -1 if unsupported.</summary>
    internal static int OperandBytes(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode or OpCodeOperandKind.al or OpCodeOperandKind.cl => 1,
        OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.ax => 2,
        OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.eax => 4,
        OpCodeOperandKind.imm8 or OpCodeOperandKind.imm8_const_1 or OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32
            or OpCodeOperandKind.imm16 or OpCodeOperandKind.imm32 or OpCodeOperandKind.mem => 0,
        _ => -1,
    };

    public DiffCase Next()
    {
        var family = Families[rng.Next(Families.Count)];
        var code = family[rng.Next(family.Length)];
        var info = code.ToOpCode();
        var m = code.Mnemonic();

        bool hasRm = false, isLea = false;
        for (int i = 0; i < info.OpCount; i++)
        {
            var k = info.GetOpKind(i);
            if (k is OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem) hasRm = true;
            if (k == OpCodeOperandKind.mem) isLea = true;
        }
        bool useMem = hasRm && rng.Next(3) == 0;
        int baseReg = useMem ? BaseCandidates[rng.Next(BaseCandidates.Length)] : -1;

        // Divisors never share a register with the dividend (DIV AH would always overflow).
        int excludedForRm = m is Mnemonic.Div or Mnemonic.Idiv ? (1 << 0) | (1 << 2) : 0;
        var ops = new DiffOperand[info.OpCount];
        for (int i = 0; i < info.OpCount; i++)
        {
            var k = info.GetOpKind(i);
            ops[i] = k switch
            {
                OpCodeOperandKind.al => DiffOperand.Reg(Register.AL),
                OpCodeOperandKind.ax => DiffOperand.Reg(Register.AX),
                OpCodeOperandKind.eax => DiffOperand.Reg(Register.EAX),
                OpCodeOperandKind.cl => DiffOperand.Reg(Register.CL),
                OpCodeOperandKind.imm8_const_1 => DiffOperand.Imm(1),
                OpCodeOperandKind.imm8 => DiffOperand.Imm(ShiftLike(m) ? SmallCount() : rng.Next(-128, 128)),
                OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 => DiffOperand.Imm(rng.Next(-128, 128)),
                OpCodeOperandKind.imm16 => DiffOperand.Imm(rng.Next(-32768, 32768)),
                OpCodeOperandKind.imm32 => DiffOperand.Imm((int)Value()),
                OpCodeOperandKind.mem => LeaOperand(),
                OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem when useMem =>
                    DiffOperand.Mem(baseReg, -1, 1, rng.Next(2) == 0 ? 0 : rng.Next(-64, 64)),
                OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem =>
                    DiffOperand.Reg(PickReg(OperandBytes(k), baseReg, excludedForRm, code)),
                _ => DiffOperand.Reg(PickReg(OperandBytes(k), baseReg, 0, code)),
            };
        }

        var c = new DiffCase { Code = code, Operands = ops, ScratchBaseReg = isLea ? -1 : baseReg };
        for (int i = 0; i < 8; i++) c.Regs[i] = i == 4 ? 0 : Value();
        if (c.ScratchBaseReg >= 0) c.Regs[c.ScratchBaseReg] = EmulatedExecutor.ScratchBaseAddress;
        c.Flags = (uint)rng.Next(0x1000) & 0x8D5;
        rng.NextBytes(c.Scratch);
        if (useMem && rng.Next(2) == 0)
        {
            var mem = Array.Find(ops, o => o.Kind == DiffOperandKind.Memory);
            c.WriteOperand(mem, 4, Value());
        }
        ApplyConstraints(c, info);
        if (rng.Next(2) == 0) AddPrefix(c);
        return c;
    }

    static bool ShiftLike(Mnemonic m) => m is Mnemonic.Shl or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol or Mnemonic.Ror
        or Mnemonic.Rcl or Mnemonic.Rcr or Mnemonic.Shld or Mnemonic.Shrd or Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc;

    /// <summary>A count: usually within 0..33 so every interesting count is hit, sometimes any byte (masked by the CPU).</summary>
    int SmallCount() => rng.Next(4) == 0 ? rng.Next(256) : rng.Next(34);

    /// <summary>A random 32-bit value, biased towards the edges of the 8/16/32-bit ranges.</summary>
    uint Value() => rng.Next(4) switch
    {
        0 => Interesting[rng.Next(Interesting.Length)],
        1 => (uint)rng.Next(256),
        2 => (uint)rng.Next(0x10000) | (rng.Next(2) == 0 ? 0 : 0xFFFF_0000),
        _ => (uint)rng.NextInt64(0x1_0000_0000),
    };

    /// <summary>A random register of <paramref name="bytes"/> that is not (part of) the scratch base register or an excluded GPR.</summary>
    Register PickReg(int bytes, int baseReg, int excludedGprs, Code code)
    {
        int allowed = 0xEF & ~excludedGprs & ~(baseReg >= 0 ? 1 << baseReg : 0);
        // XCHG (E)AX,(E)AX in the short form is NOP; it says nothing.
        if (code is Code.Xchg_r16_AX or Code.Xchg_r32_EAX) allowed &= ~1;
        return TryPickReg(bytes, allowed, out var r) ? r : throw new InvalidOperationException($"{code}: no register left to pick");
    }

    /// <summary>A random register of <paramref name="bytes"/> inside one of the GPRs in <paramref name="allowedGprs"/> (bit mask).</summary>
    bool TryPickReg(int bytes, int allowedGprs, out Register r)
    {
        var candidates = new List<Register>(8);
        for (int i = 0; i < 8; i++)
        {
            if (bytes == 1)
            {
                if ((allowedGprs & (1 << (i & 3))) != 0) candidates.Add(Register.AL + i);
            }
            else if (i != 4 && (allowedGprs & (1 << i)) != 0)
                candidates.Add((bytes == 2 ? Register.AX : Register.EAX) + i);
        }
        r = candidates.Count == 0 ? Register.None : candidates[rng.Next(candidates.Count)];
        return candidates.Count != 0;
    }

    static readonly Code[] PrefixCodes = Families.SelectMany(f => f)
        .Where(c => c.Mnemonic() is Mnemonic.Add or Mnemonic.Adc or Mnemonic.Sub or Mnemonic.Sbb or Mnemonic.Cmp
            or Mnemonic.Inc or Mnemonic.Dec or Mnemonic.Neg)
        .ToArray();

    /// <summary>
    /// Puts a flag-setting register instruction before the one under test, so that it reads
    /// flags the core holds lazily. It writes only GPRs the instruction under test does not
    /// use (per Iced's instruction info, implicit operands included) and never reads the
    /// scratch base register, whose value differs between the two sides.
    /// </summary>
    void AddPrefix(DiffCase c)
    {
        int used = 1 << 4;
        foreach (var u in new InstructionInfoFactory().GetInfo(c.Build(32)).GetUsedRegisters())
        {
            var full = u.Register.GetFullRegister32();
            if (full >= Register.EAX && full <= Register.EDI) used |= 1 << (full - Register.EAX);
        }
        int free = 0xFF & ~used;
        int readable = 0xEF & ~(c.ScratchBaseReg >= 0 ? 1 << c.ScratchBaseReg : 0);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var code = PrefixCodes[rng.Next(PrefixCodes.Length)];
            var info = code.ToOpCode();
            var ops = new DiffOperand[info.OpCount];
            bool ok = true;
            for (int i = 0; i < info.OpCount && ok; i++)
            {
                var k = info.GetOpKind(i);
                int bytes = OperandBytes(k);
                switch (k)
                {
                    case OpCodeOperandKind.al or OpCodeOperandKind.ax or OpCodeOperandKind.eax:
                        ok = (free & 1) != 0;
                        ops[i] = DiffOperand.Reg(bytes == 1 ? Register.AL : bytes == 2 ? Register.AX : Register.EAX);
                        break;
                    case OpCodeOperandKind.imm8 or OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32:
                        ops[i] = DiffOperand.Imm(rng.Next(-128, 128)); break;
                    case OpCodeOperandKind.imm16: ops[i] = DiffOperand.Imm(rng.Next(-32768, 32768)); break;
                    case OpCodeOperandKind.imm32: ops[i] = DiffOperand.Imm((int)Value()); break;
                    default:
                        ok = TryPickReg(bytes, i == 0 ? free : readable, out var r);
                        ops[i] = DiffOperand.Reg(r);
                        break;
                }
            }
            if (!ok) continue;
            c.Prefix = (code, ops);
            return;
        }
    }

    /// <summary>LEA's address: any base, optional index with scale, 0/8/32-bit displacement (never accessed).</summary>
    DiffOperand LeaOperand()
    {
        int b = RandomGpr();
        int x = rng.Next(3) == 0 ? -1 : RandomGpr();
        int scale = 1 << rng.Next(4);
        int disp = rng.Next(3) switch { 0 => 0, 1 => rng.Next(-128, 128), _ => (int)Value() };
        return DiffOperand.Mem(b, x, scale, disp);
    }

    int RandomGpr()
    {
        while (true)
        {
            int g = rng.Next(8);
            if (g != 4) return g;
        }
    }

    /// <summary>Per-instruction input constraints: no native fault, no undefined result, interesting cases more often.</summary>
    void ApplyConstraints(DiffCase c, OpCodeInfo info)
    {
        var ops = c.Operands;
        int size = info.OpCount > 0 ? Math.Max(1, OperandBytes(info.GetOpKind(0))) : 0;
        switch (c.Mnemonic)
        {
            case Mnemonic.Div: ConstrainDiv(c, size); break;
            case Mnemonic.Idiv: ConstrainIdiv(c, size); break;

            case Mnemonic.Shl or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr:
                if (ops[1].Kind == DiffOperandKind.Register) c.SetReg(Register.CL, (uint)SmallCount());
                break;

            case Mnemonic.Shld or Mnemonic.Shrd:
            {
                // A count above the operand size gives an undefined result (SDM vol. 2, SHLD): keep it at most 16 for 16-bit.
                int count = SmallCount();
                if (size == 2 && (count & 31) > 16) count &= 15;
                if (ops[2].Kind == DiffOperandKind.Register) c.SetReg(Register.CL, (uint)count);
                else ops[2] = DiffOperand.Imm(count);
                break;
            }

            case Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc:
                // With a register bit offset, a memory operand is a bit string: keep the addressed
                // byte within the scratch buffer (offsets -256..255 bits, i.e. +-32 bytes).
                if (ops[0].Kind == DiffOperandKind.Memory && ops[1].Kind == DiffOperandKind.Register)
                    c.SetReg(ops[1].Register, (uint)rng.Next(-256, 256));
                else if (ops[1].Kind == DiffOperandKind.Register && rng.Next(2) == 0)
                    c.SetReg(ops[1].Register, (uint)SmallCount());
                break;

            case Mnemonic.Bsf or Mnemonic.Bsr:
                if (rng.Next(8) == 0) c.WriteOperand(ops[1], size, 0);
                break;

            case Mnemonic.Cmpxchg:
                if (rng.Next(2) == 0)
                {
                    var acc = size switch { 1 => Register.AL, 2 => Register.AX, _ => Register.EAX };
                    c.SetReg(acc, c.ReadOperand(ops[0], size));
                }
                break;
        }
    }

    /// <summary>DIV: divisor ≠ 0 and the high half of the dividend below the divisor, so the quotient fits.</summary>
    void ConstrainDiv(DiffCase c, int size)
    {
        uint mask = DiffCase.SizeMask(size);
        uint d = Value() & mask;
        if (d == 0) d = 1 + (uint)rng.Next((int)Math.Min(mask, int.MaxValue));
        c.WriteOperand(c.Operands[0], size, d);
        uint high = (uint)(rng.NextInt64(0x1_0000_0000) % d);
        if (size == 1) c.SetReg(Register.AH, high);
        else c.SetReg(size == 2 ? Register.DX : Register.EDX, high);
    }

    /// <summary>
    /// IDIV: dividend = q·d + r with |q| &lt; 2^(n-1) and |r| &lt; |d| of the dividend's sign,
    /// so truncating division gives exactly q and cannot overflow. The most negative
    /// quotient is avoided: older processors raised #DE for it.
    /// </summary>
    void ConstrainIdiv(DiffCase c, int size)
    {
        int bits = size * 8;
        long half = 1L << (bits - 1);
        long d = SignExtend(Value(), bits);
        if (d == 0) d = rng.Next(2) == 0 ? 1 : -1;
        long q = rng.Next(3) == 0 ? SignExtend(Value(), bits) : rng.NextInt64(-half + 1, half);
        if (q == -half) q++;
        long absD = Math.Abs(d);
        long r = rng.NextInt64(absD);
        long product = q * d;
        if (product < 0 || (product == 0 && rng.Next(2) == 0)) r = -r;
        long dividend = product + r;
        c.WriteOperand(c.Operands[0], size, (uint)d);
        ulong n = (ulong)dividend;
        switch (size)
        {
            case 1: c.SetReg(Register.AX, (uint)n); break;
            case 2: c.SetReg(Register.AX, (uint)n); c.SetReg(Register.DX, (uint)(n >> 16)); break;
            default: c.SetReg(Register.EAX, (uint)n); c.SetReg(Register.EDX, (uint)(n >> 32)); break;
        }
    }

    static long SignExtend(uint v, int bits) => (long)((ulong)v << (64 - bits)) >> (64 - bits);
}
