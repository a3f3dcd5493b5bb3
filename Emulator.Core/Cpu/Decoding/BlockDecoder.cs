using Iced.Intel;
using Emulator.Core.Cpu.Instructions;
using Emulator.Core.Memory;

namespace Emulator.Core.Cpu.Decoding;

/// <summary>
/// Decodes a block with Iced from the physical page under CS:RIP, resolving each
/// instruction's handler and operands once.
/// </summary>
internal sealed unsafe class BlockDecoder
{
    const int MaxOps = 64;

    sealed class BufferReader : CodeReader
    {
        public byte[] Buffer = new byte[4096 + 16];
        public int Position, Length;
        public override int ReadByte() => Position < Length ? Buffer[Position++] : -1;
    }

    readonly BufferReader reader = new();
    readonly Decoder[] decoders;
    readonly DecodedOp[] scratch = new DecodedOp[MaxOps];

    public BlockDecoder()
    {
        decoders = [Decoder.Create(16, reader), Decoder.Create(32, reader), Decoder.Create(64, reader)];
    }

    /// <summary>
    /// Decodes at <paramref name="rip"/> whose bytes start at physical <paramref name="phys"/>.
    /// <paramref name="available"/> bytes are fetchable in this page within the CS limit;
    /// <paramref name="limitBound"/> says the CS limit (not the page end) cut them.
    /// </summary>
    public DecodedBlock? Decode(Cpu cpu, ulong rip, ulong linear, ulong phys, int codeSize, int available, bool limitBound)
    {
        var mem = cpu.Memory;
        byte* host = mem.HostPage(phys, out _);
        int n = Math.Min(available, 4096);
        if (host != null)
            new ReadOnlySpan<byte>(host + (phys & PhysicalMemory.PageMask), n).CopyTo(reader.Buffer);
        else
            for (int i = 0; i < n; i++) reader.Buffer[i] = (byte)mem.ReadSlow(phys + (ulong)i, 1);
        reader.Position = 0;
        reader.Length = n;
        var decoder = decoders[codeSize];
        decoder.IP = rip;

        int count = 0;
        ulong[]? breakOffsets = cpu.debugBreakpoints ? cpu.Debug.breakOffsets : null;
        int pageOffset = (int)(phys & PhysicalMemory.PageMask);
        while (count < MaxOps)
        {
            int start = reader.Position;
            // While breakpoints exist, a block ends before any instruction at a breakpoint's page
            // offset, so the loop's check at block entry sees it under every linear alias of the page.
            if (breakOffsets != null && count > 0)
            {
                int off = pageOffset + start;
                if ((breakOffsets[off >> 6] & (1UL << (off & 63))) != 0) break;
            }
            decoder.Decode(out Instruction instr);
            if (decoder.LastError == DecoderError.NoMoreBytes)
            {
                if (count > 0) break;
                // The first instruction runs off the page (or hits the CS limit): decode it alone.
                return DecodeStraddling(cpu, rip, linear, codeSize, start, limitBound);
            }
            ref DecodedOp op = ref scratch[count++];
            bool ends = Fill(ref op, in instr, codeSize);
            if (ends) break;
        }
        var ops = new DecodedOp[count];
        Array.Copy(scratch, ops, count);
        ulong key = BlockCache.MakeKey(phys, codeSize);
        return new DecodedBlock(key, rip, ops, count, phys >> PhysicalMemory.PageShift);
    }

    DecodedBlock? DecodeStraddling(Cpu cpu, ulong rip, ulong linear, int codeSize, int start, bool limitBound)
    {
        // Bytes of this page are already in the buffer from 'start'; append the next page's.
        int have = reader.Length - start;
        var buf = new byte[16];
        Array.Copy(reader.Buffer, start, buf, 0, Math.Min(have, 16));
        int total = have;
        if (!limitBound && have < 15)
        {
            int want = 15 - have;
            int allowed = cpu.CodeBytesAvailable(rip + (ulong)have, want);
            ulong nextLin = (linear + (ulong)have) & cpu.linearMask;
            if (allowed > 0)
            {
                if (!cpu.Translate(nextLin, false, cpu.Cpl == 3, out ulong p2)) return null;
                for (int i = 0; i < allowed; i++) buf[have + i] = (byte)cpu.Memory.ReadSlow(p2 + (ulong)i, 1);
                total += allowed;
            }
        }
        Array.Copy(buf, reader.Buffer, total);
        reader.Position = 0;
        reader.Length = total;
        var decoder = decoders[codeSize];
        decoder.IP = rip;
        decoder.Decode(out Instruction instr);
        var ops = new DecodedOp[1];
        if (decoder.LastError == DecoderError.NoMoreBytes)
        {
            // Cut by the CS limit (or longer than 15 bytes): #GP(0) when it executes (SDM vol. 3, 6.15).
            ops[0].Handler = &Misc.GeneralProtectionFault;
            ops[0].NextIp = rip;
        }
        else Fill(ref ops[0], in instr, codeSize);
        return new DecodedBlock(ulong.MaxValue, rip, ops, 1, ulong.MaxValue);
    }

    static bool Fill(ref DecodedOp op, in Instruction instr, int codeSize)
    {
        op = default;
        // IP wraps within the code size: after an instruction ending at FFFF in 16-bit code, IP is 0000.
        op.NextIp = instr.NextIP & (codeSize switch { 0 => 0xFFFFUL, 1 => 0xFFFF_FFFFUL, _ => ulong.MaxValue });
        op.Length = (byte)instr.Length;
        var code = instr.Code;
        op.Code = (ushort)code;
        op.R0 = op.R1 = op.Base = op.Index = Cpu.ZeroReg;
        op.Seg = (byte)SegReg.DS;
        op.AddrMask = codeSize switch { 0 => 0xFFFF, 1 => 0xFFFF_FFFF, _ => ulong.MaxValue };
        if (code == Code.INVALID)
        {
            op.Handler = &Misc.InvalidOpcode;
            return true;
        }
        if (instr.HasRepePrefix || instr.HasRepPrefix) op.Rep = 1;
        else if (instr.HasRepnePrefix) op.Rep = 2;
        if (instr.HasLockPrefix) op.Flags |= DecodedOp.FlagLock;

        bool memory = false;
        int imms = 0;
        for (int i = 0; i < instr.OpCount; i++)
        {
            switch (instr.GetOpKind(i))
            {
                case OpKind.Register:
                    byte r = RegisterIndex(instr.GetOpRegister(i));
                    if (i == 0) op.R0 = r; else if (i == 1) op.R1 = r; else if (op.R1 == Cpu.ZeroReg) op.R1 = r;
                    break;
                case OpKind.Memory:
                    memory = true;
                    op.Seg = (byte)SegIndex(instr.MemorySegment);
                    var b = instr.MemoryBase;
                    var x = instr.MemoryIndex;
                    if (b == Register.RIP || b == Register.EIP)
                    {
                        op.Disp = instr.MemoryDisplacement64;
                        op.AddrMask = b == Register.EIP ? 0xFFFF_FFFF : ulong.MaxValue;
                    }
                    else
                    {
                        op.Disp = instr.MemoryDisplacement64;
                        if (b != Register.None) op.Base = RegisterIndex(b);
                        if (x != Register.None) { op.Index = RegisterIndex(x); op.Scale = (byte)(instr.MemoryIndexScale switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 }); }
                        var sizeReg = b != Register.None ? b : x;
                        if (sizeReg != Register.None)
                            op.AddrMask = sizeReg.IsGPR16() ? 0xFFFF : sizeReg.IsGPR32() ? 0xFFFF_FFFF : ulong.MaxValue;
                        else
                            op.AddrMask = instr.MemoryDisplSize switch { 2 => 0xFFFF, 4 => 0xFFFF_FFFF, 8 => ulong.MaxValue, _ => op.AddrMask };
                    }
                    break;
                case OpKind.Immediate8:
                case OpKind.Immediate16:
                case OpKind.Immediate32:
                case OpKind.Immediate64:
                case OpKind.Immediate8to16:
                case OpKind.Immediate8to32:
                case OpKind.Immediate8to64:
                case OpKind.Immediate32to64:
                    if (imms++ == 0) op.Imm = instr.GetImmediate(i); else op.Imm2 = (uint)instr.GetImmediate(i);
                    break;
                case OpKind.Immediate8_2nd:
                    op.Imm2 = instr.Immediate8_2nd;
                    break;
                case OpKind.NearBranch16:
                case OpKind.NearBranch32:
                case OpKind.NearBranch64:
                    op.Imm = instr.NearBranchTarget;
                    break;
                case OpKind.FarBranch16:
                    op.Imm = instr.FarBranch16; op.Imm2 = instr.FarBranchSelector;
                    break;
                case OpKind.FarBranch32:
                    op.Imm = instr.FarBranch32; op.Imm2 = instr.FarBranchSelector;
                    break;
                case OpKind.MemorySegSI: case OpKind.MemoryESDI: case OpKind.MemorySegDI:
                    op.Seg = (byte)SegIndex(instr.MemorySegment); op.AddrMask = 0xFFFF; break;
                case OpKind.MemorySegESI: case OpKind.MemoryESEDI: case OpKind.MemorySegEDI:
                    op.Seg = (byte)SegIndex(instr.MemorySegment); op.AddrMask = 0xFFFF_FFFF; break;
                case OpKind.MemorySegRSI: case OpKind.MemoryESRDI: case OpKind.MemorySegRDI:
                    op.Seg = (byte)SegIndex(instr.MemorySegment); op.AddrMask = ulong.MaxValue; break;
            }
        }
        // String ops read their source segment (with override) from MemorySegment even when the
        // only operand is ES:DI (STOS/SCAS have no DS operand: harmless).
        if (memory) op.Flags |= DecodedOp.FlagMemory;
        // Jcc, SETcc and CMOVcc carry their condition (SDM vol. 1, B.1 encoding) in Imm2.
        if (instr.ConditionCode != ConditionCode.None && code.Mnemonic() is not (Mnemonic.Loope or Mnemonic.Loopne))
            op.Imm2 = (uint)instr.ConditionCode - 1;
        // x87 instructions carry no immediate: Imm holds the FPU's last-opcode value (Cpu/X87/X87Opcode.cs).
        if (code.Mnemonic() is >= Mnemonic.F2xm1 and <= Mnemonic.Fyl2xp1 && imms == 0) op.Imm = X87.X87Opcode.Of(in instr);
        var h = InstructionTable.Get(code, memory);
        op.Handler = h != null ? h : &Misc.InvalidOpcode;
        return (InstructionTable.FlagsOf(code) & InstrFlags.EndsBlock) != 0
            || instr.FlowControl != FlowControl.Next
            || h == null;
    }

    static int SegIndex(Register r) => r switch
    {
        Register.ES => 0, Register.CS => 1, Register.SS => 2, Register.FS => 4, Register.GS => 5, _ => 3,
    };

    /// <summary>Our register number: 0-15 for 16/32/64-bit GPRs (encoding order), a byte offset for 8-bit ones,
    /// the Sreg number for segment registers, n for CRn/DRn, x87 ST(n) and MMn.</summary>
    internal static byte RegisterIndex(Register r)
    {
        if (r >= Register.AL && r <= Register.R15L)
        {
            int i = r - Register.AL;
            if (i < 4) return (byte)(i * 8);            // AL CL DL BL
            if (i < 8) return (byte)((i - 4) * 8 + 1);  // AH CH DH BH
            return (byte)((i - 4) * 8);                 // SPL.. R15L
        }
        if (r >= Register.AX && r <= Register.R15W) return (byte)(r - Register.AX);
        if (r >= Register.EAX && r <= Register.R15D) return (byte)(r - Register.EAX);
        if (r >= Register.RAX && r <= Register.R15) return (byte)(r - Register.RAX);
        if (r >= Register.ES && r <= Register.GS) return (byte)(r - Register.ES);
        if (r >= Register.CR0 && r <= Register.CR15) return (byte)(r - Register.CR0);
        if (r >= Register.DR0 && r <= Register.DR15) return (byte)(r - Register.DR0);
        if (r >= Register.TR0 && r <= Register.TR7) return (byte)(r - Register.TR0);
        if (r >= Register.ST0 && r <= Register.ST7) return (byte)(r - Register.ST0);
        if (r >= Register.MM0 && r <= Register.MM7) return (byte)(r - Register.MM0);
        return Cpu.ZeroReg;
    }
}
