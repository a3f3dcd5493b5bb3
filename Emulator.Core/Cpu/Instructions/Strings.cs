using System.Runtime.CompilerServices;
using Iced.Intel;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu.Instructions;

/// <summary>
/// MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS and their REP/REPE/REPNE forms (SDM vol. 2, each
/// instruction and "REP/REPE/REPZ/REPNE/REPNZ").
/// </summary>
/// <remarks>
/// The source is seg:SI with seg = DS or the override (op.Seg); the destination is always
/// ES:DI and cannot be overridden. The address size (op.AddrMask) picks SI/DI/CX, ESI/EDI/ECX
/// or RSI/RDI/RCX; with 16-bit addressing only the low 16 bits of each change. Each REP
/// iteration commits its registers, so a fault part-way leaves SI/DI/CX at the faulting
/// element with RIP at the instruction, which then restarts where it stopped. A handler call
/// runs at most <see cref="MaxIterations"/> elements; an unfinished instruction points RIP back
/// at itself and leaves the block, so the loop can take interrupts and keep its budget.
/// </remarks>
internal static unsafe class Strings
{
    /// <summary>Elements per handler call before a repeated instruction yields to the execution loop.</summary>
    const ulong MaxIterations = 4096;

    const int Es = (int)SegReg.ES;
    const int Rax = (int)Gpr.Rax, Rcx = (int)Gpr.Rcx, Rdx = (int)Gpr.Rdx, Rsi = (int)Gpr.Rsi, Rdi = (int)Gpr.Rdi;

    public static void Register()
    {
        InstructionTable.Set(Code.Movsb_m8_m8, &Exec<Movs, Size8>);
        InstructionTable.Set(Code.Movsw_m16_m16, &Exec<Movs, Size16>);
        InstructionTable.Set(Code.Movsd_m32_m32, &Exec<Movs, Size32>);
        InstructionTable.Set(Code.Movsq_m64_m64, &Exec<Movs, Size64>);
        InstructionTable.Set(Code.Cmpsb_m8_m8, &Exec<Cmps, Size8>);
        InstructionTable.Set(Code.Cmpsw_m16_m16, &Exec<Cmps, Size16>);
        InstructionTable.Set(Code.Cmpsd_m32_m32, &Exec<Cmps, Size32>);
        InstructionTable.Set(Code.Cmpsq_m64_m64, &Exec<Cmps, Size64>);
        InstructionTable.Set(Code.Scasb_AL_m8, &Exec<Scas, Size8>);
        InstructionTable.Set(Code.Scasw_AX_m16, &Exec<Scas, Size16>);
        InstructionTable.Set(Code.Scasd_EAX_m32, &Exec<Scas, Size32>);
        InstructionTable.Set(Code.Scasq_RAX_m64, &Exec<Scas, Size64>);
        InstructionTable.Set(Code.Lodsb_AL_m8, &Exec<Lods, Size8>);
        InstructionTable.Set(Code.Lodsw_AX_m16, &Exec<Lods, Size16>);
        InstructionTable.Set(Code.Lodsd_EAX_m32, &Exec<Lods, Size32>);
        InstructionTable.Set(Code.Lodsq_RAX_m64, &Exec<Lods, Size64>);
        InstructionTable.Set(Code.Stosb_m8_AL, &Exec<Stos, Size8>);
        InstructionTable.Set(Code.Stosw_m16_AX, &Exec<Stos, Size16>);
        InstructionTable.Set(Code.Stosd_m32_EAX, &Exec<Stos, Size32>);
        InstructionTable.Set(Code.Stosq_m64_RAX, &Exec<Stos, Size64>);
        // Port I/O ends the block so device side effects are seen promptly (see PortIo).
        InstructionTable.Set(Code.Insb_m8_DX, &Exec<Ins, Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Insw_m16_DX, &Exec<Ins, Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Insd_m32_DX, &Exec<Ins, Size32>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Outsb_DX_m8, &Exec<Outs, Size8>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Outsw_DX_m16, &Exec<Outs, Size16>, InstrFlags.EndsBlock);
        InstructionTable.Set(Code.Outsd_DX_m32, &Exec<Outs, Size32>, InstrFlags.EndsBlock);
    }

    /// <summary>One string operation: a single element, and optionally a bulk path for DF = 0.</summary>
    internal interface IStringOp
    {
        /// <summary>True for CMPS and SCAS, where REPE/REPNE also stop on ZF (the others treat F2 like F3).</summary>
        static abstract bool Compares { get; }

        /// <summary>Processes one element and steps the index registers by <paramref name="delta"/>;
        /// false when it faulted, with nothing committed.</summary>
        static abstract bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize;

        /// <summary>With DF = 0, processes up to <paramref name="max"/> elements at once through host memory,
        /// stepping SI/DI (not CX); returns how many, 0 when the per-element path must be taken.</summary>
        static abstract ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize;
    }

    static void Exec<TOp, T>(Cpu c, ref DecodedOp op) where TOp : IStringOp where T : unmanaged, IOperandSize
    {
        bool down = c.DF;
        ulong delta = down ? (ulong)-(long)T.Bytes : (ulong)T.Bytes;
        if (op.Rep == 0)
        {
            TOp.Once<T>(c, ref op, delta);
            return;
        }

        ulong mask = op.AddrMask;
        ulong count = c.Reg(Rcx) & mask;
        // Single-stepping traps after every iteration (SDM vol. 3, 18.3.1.4), so take one at a time then.
        ulong budget = c.IterationTraps ? 1 : MaxIterations;
        while (count != 0)
        {
            if (budget == 0)
            {
                // Not finished: run this instruction again after the loop has looked at interrupts.
                c.Rip = c.InstructionStart(ref op);
                c.exitBlock = true;
                c.repRestartLinear = (c.Seg((int)SegReg.CS).Base + c.Rip) & c.linearMask;
                return;
            }
            if (!down)
            {
                ulong n = TOp.Bulk<T>(c, ref op, Math.Min(count, budget));
                if (n != 0)
                {
                    count -= n;
                    budget -= n;
                    SetIndex(c, Rcx, count, mask);
                    continue;
                }
            }
            if (!TOp.Once<T>(c, ref op, delta)) return;
            count--;
            budget--;
            SetIndex(c, Rcx, count, mask);
            // REPE stops when the elements differ (ZF = 0), REPNE when they match (ZF = 1).
            if (TOp.Compares && c.GetZF() != (op.Rep == 1)) return;
        }
    }

    /// <summary>Writes an index or count register at the address size: 16-bit addressing keeps the upper
    /// bits, 32-bit zero-extends (as any 32-bit register write does in 64-bit mode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void SetIndex(Cpu c, int reg, ulong value, ulong mask)
    {
        ref ulong r = ref c.Reg(reg);
        r = mask == 0xFFFF ? (r & ~0xFFFFUL) | (value & 0xFFFF) : value & mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Step(Cpu c, int reg, ulong delta, ulong mask) => SetIndex(c, reg, c.Reg(reg) + delta, mask);

    /// <summary>
    /// How many bytes from <paramref name="offset"/> (linear <paramref name="lin"/>) can be accessed
    /// without leaving the segment's range, wrapping the address size, or leaving the page.
    /// </summary>
    static ulong Room(ulong offset, ulong low, ulong high, ulong mask, ulong lin)
    {
        if (offset < low || offset > high) return 0;
        ulong last = Math.Min(Math.Min(high - offset, mask - offset), 0xFFF - (lin & 0xFFF));
        return last + 1;
    }

    internal struct Movs : IStringOp
    {
        public static bool Compares => false;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            if (!c.Read<T>(op.Seg, c.Reg(Rsi) & m, out ulong v)) return false;
            if (!c.Write<T>(Es, c.Reg(Rdi) & m, v)) return false;
            Step(c, Rsi, delta, m);
            Step(c, Rdi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            ulong si = c.Reg(Rsi) & m, di = c.Reg(Rdi) & m;
            ref SegmentCache s = ref c.Seg(op.Seg);
            ref SegmentCache d = ref c.Seg(Es);
            ulong linS = (s.Base + si) & c.linearMask, linD = (d.Base + di) & c.linearMask;
            ulong room = Math.Min(Room(si, s.ReadLow, s.ReadHigh, m, linS), Room(di, d.WriteLow, d.WriteHigh, m, linD));
            ulong n = Math.Min(max, room / (ulong)T.Bytes);
            if (n == 0) return 0;
            byte* src = c.TryHostPointer(linS, false);
            byte* dst = c.TryHostPointer(linD, true);
            if (src == null || dst == null) return 0;
            ulong len = n * (ulong)T.Bytes;
            if (dst > src && dst < src + len)
            {
                // The destination starts inside the source: element order matters (REP MOVSB with
                // DI = SI + 1 replicates a byte), so copy element by element as the CPU does.
                for (ulong i = 0; i < len; i += (ulong)T.Bytes) T.Store(dst + i, T.Load(src + i));
            }
            else Buffer.MemoryCopy(src, dst, len, len);
            SetIndex(c, Rsi, si + len, m);
            SetIndex(c, Rdi, di + len, m);
            return n;
        }
    }

    internal struct Stos : IStringOp
    {
        public static bool Compares => false;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            if (!c.Write<T>(Es, c.Reg(Rdi) & m, c.GetReg<T>(Rax))) return false;
            Step(c, Rdi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            ulong di = c.Reg(Rdi) & m;
            ref SegmentCache d = ref c.Seg(Es);
            ulong linD = (d.Base + di) & c.linearMask;
            ulong n = Math.Min(max, Room(di, d.WriteLow, d.WriteHigh, m, linD) / (ulong)T.Bytes);
            if (n == 0) return 0;
            byte* dst = c.TryHostPointer(linD, true);
            if (dst == null) return 0;
            ulong len = n * (ulong)T.Bytes;
            ulong v = c.GetReg<T>(Rax);
            if (T.Bytes == 1) new Span<byte>(dst, (int)len).Fill((byte)v);
            else for (ulong i = 0; i < len; i += (ulong)T.Bytes) T.Store(dst + i, v);
            SetIndex(c, Rdi, di + len, m);
            return n;
        }
    }

    internal struct Lods : IStringOp
    {
        public static bool Compares => false;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            if (!c.Read<T>(op.Seg, c.Reg(Rsi) & m, out ulong v)) return false;
            c.SetReg<T>(Rax, v);
            Step(c, Rsi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize => 0;
    }

    /// <summary>CMPS: flags of seg:[SI] − ES:[DI], as SUB sets them (SDM vol. 2, CMPS).</summary>
    internal struct Cmps : IStringOp
    {
        public static bool Compares => true;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            if (!c.Read<T>(op.Seg, c.Reg(Rsi) & m, out ulong a)) return false;
            if (!c.Read<T>(Es, c.Reg(Rdi) & m, out ulong b)) return false;
            c.SetLazy(LazyOp.Sub, a, b, (a - b) & T.Mask, T.Sign);
            Step(c, Rsi, delta, m);
            Step(c, Rdi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize => 0;
    }

    /// <summary>SCAS: flags of AL/AX/EAX/RAX − ES:[DI] (SDM vol. 2, SCAS).</summary>
    internal struct Scas : IStringOp
    {
        public static bool Compares => true;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ulong m = op.AddrMask;
            if (!c.Read<T>(Es, c.Reg(Rdi) & m, out ulong b)) return false;
            ulong a = c.GetReg<T>(Rax);
            c.SetLazy(LazyOp.Sub, a, b, (a - b) & T.Mask, T.Sign);
            Step(c, Rdi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize => 0;
    }

    /// <summary>INS: port DX to ES:[DI]. The destination is checked for writability before the port
    /// is read, so a faulting element does not consume device data it cannot store.</summary>
    internal struct Ins : IStringOp
    {
        public static bool Compares => false;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ushort port = (ushort)c.Reg(Rdx);
            if (!PortIo.CheckPermission(c, port, T.Bytes)) return false;
            ulong m = op.AddrMask;
            ulong dest = c.Reg(Rdi) & m;
            // Probe rather than read the destination: an MMIO target must see only the store.
            if (!c.ProbeWrite(Es, dest, T.Bytes, m)) return false;
            c.Write<T>(Es, dest, c.Io.In(port, T.Bytes));
            Step(c, Rdi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize => 0;
    }

    /// <summary>OUTS: seg:[SI] to port DX.</summary>
    internal struct Outs : IStringOp
    {
        public static bool Compares => false;

        public static bool Once<T>(Cpu c, ref DecodedOp op, ulong delta) where T : unmanaged, IOperandSize
        {
            ushort port = (ushort)c.Reg(Rdx);
            if (!PortIo.CheckPermission(c, port, T.Bytes)) return false;
            ulong m = op.AddrMask;
            if (!c.Read<T>(op.Seg, c.Reg(Rsi) & m, out ulong v)) return false;
            c.Io.Out(port, T.Bytes, (uint)v);
            Step(c, Rsi, delta, m);
            return true;
        }

        public static ulong Bulk<T>(Cpu c, ref DecodedOp op, ulong max) where T : unmanaged, IOperandSize => 0;
    }
}
