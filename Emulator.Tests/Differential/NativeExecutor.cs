using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using Emulator.Tests.Native;

namespace Emulator.Tests.Differential;

/// <summary>
/// Runs one instruction on the host CPU (x86-64 Linux) as the reference for the
/// differential test. A thunk in executable memory, called through an unmanaged function
/// pointer as <c>thunk(input, output)</c> (System V: RDI, RSI), loads EAX..EDI and the
/// arithmetic flags from the input block, executes the instruction placed in its slot,
/// and stores the registers and flags to the output block.
/// </summary>
/// <remarks>
/// Blocks are 9 quadwords: RAX RCX RDX RBX (RSP, unused) RBP RSI RDI, then RFLAGS. The
/// registers are loaded as full 64-bit values so the base register of a memory operand can
/// hold a real 64-bit pointer to the scratch buffer; the others hold zero-extended 32-bit
/// values and only their low 32 bits are compared. The thunk saves and restores the
/// callee-saved registers it uses (RBX, RBP, R12-R15), touches nothing above its own
/// pushes, and returns with DF clear (the instruction under test cannot set it), so it
/// keeps the System V ABI.
/// </remarks>
internal sealed unsafe partial class NativeExecutor : IDisposable
{
    const int PageSize = 4096;
    /// <summary>Bytes reserved for the instructions under test (an optional flag-setting prefix and the instruction).</summary>
    const int SlotSize = 32;

    const int InputOffset = 0, OutputOffset = 128, ScratchOffset = 1024;
    const int FlagsSlot = 8;

    /// <summary>Flags always set in the value POPFQ loads: reserved bit 1 and IF (a CPL-3 POPFQ leaves IF alone anyway).</summary>
    const ulong FixedFlags = 0x202;
    const uint ArithFlags = 0x8D5;

    readonly nint code, data;
    readonly byte* slot;
    readonly delegate* unmanaged<nint, nint, void> thunk;

    public NativeExecutor()
    {
        // The slot is rewritten for every case, so the code page is writable as well as executable.
        code = HostPages.Map(PageSize, executable: true);
        data = HostPages.Map(PageSize, executable: false);
        var bytes = AssembleThunk((ulong)code, out int slotOffset);
        new ReadOnlySpan<byte>(bytes).CopyTo(new Span<byte>((void*)code, PageSize));
        slot = (byte*)code + slotOffset;
        thunk = (delegate* unmanaged<nint, nint, void>)code;
    }

    static byte[] AssembleThunk(ulong address, out int slotOffset)
    {
        var a = new Assembler(64);
        var slotLabel = a.CreateLabel();
        a.push(rbx); a.push(rbp); a.push(r12); a.push(r13); a.push(r14); a.push(r15);
        a.mov(r14, rdi);
        a.mov(r15, rsi);
        a.push(__qword_ptr[r14 + FlagsSlot * 8]);
        a.mov(rax, __qword_ptr[r14 + 0 * 8]);
        a.mov(rcx, __qword_ptr[r14 + 1 * 8]);
        a.mov(rdx, __qword_ptr[r14 + 2 * 8]);
        a.mov(rbx, __qword_ptr[r14 + 3 * 8]);
        a.mov(rbp, __qword_ptr[r14 + 5 * 8]);
        a.mov(rsi, __qword_ptr[r14 + 6 * 8]);
        a.mov(rdi, __qword_ptr[r14 + 7 * 8]);
        a.popfq();
        a.Label(ref slotLabel);
        a.db(Enumerable.Repeat((byte)0x90, SlotSize).ToArray());
        a.pushfq();
        a.mov(__qword_ptr[r15 + 0 * 8], rax);
        a.mov(__qword_ptr[r15 + 1 * 8], rcx);
        a.mov(__qword_ptr[r15 + 2 * 8], rdx);
        a.mov(__qword_ptr[r15 + 3 * 8], rbx);
        a.mov(__qword_ptr[r15 + 5 * 8], rbp);
        a.mov(__qword_ptr[r15 + 6 * 8], rsi);
        a.mov(__qword_ptr[r15 + 7 * 8], rdi);
        a.pop(__qword_ptr[r15 + FlagsSlot * 8]);
        a.pop(r15); a.pop(r14); a.pop(r13); a.pop(r12); a.pop(rbp); a.pop(rbx);
        a.ret();
        using var ms = new MemoryStream();
        var result = a.Assemble(new StreamCodeWriter(ms), address, BlockEncoderOptions.ReturnNewInstructionOffsets);
        slotOffset = (int)(result.GetLabelRIP(slotLabel) - address);
        return ms.ToArray();
    }

    /// <summary>Runs <paramref name="c"/> natively; <paramref name="instruction"/> is its 64-bit encoding.</summary>
    public DiffOutcome Run(DiffCase c, byte[] instruction)
    {
        if (instruction.Length > SlotSize) throw new ArgumentException("instructions longer than the slot", nameof(instruction));
        var s = new Span<byte>(slot, SlotSize);
        s.Fill(0x90);
        instruction.CopyTo(s);

        ulong* input = (ulong*)(data + InputOffset);
        ulong* output = (ulong*)(data + OutputOffset);
        byte* scratch = (byte*)data + ScratchOffset;
        for (int i = 0; i < 8; i++) input[i] = c.Regs[i];
        input[4] = 0;
        if (c.ScratchBaseReg >= 0) input[c.ScratchBaseReg] = (ulong)(scratch + DiffCase.ScratchBaseOffset);
        input[FlagsSlot] = (c.Flags & ArithFlags) | FixedFlags;
        c.Scratch.CopyTo(new Span<byte>(scratch, DiffCase.ScratchSize));

        thunk(data + InputOffset, data + OutputOffset);

        var o = new DiffOutcome();
        for (int i = 0; i < 8; i++) o.Regs[i] = (uint)output[i];
        o.Regs[4] = 0;
        if (c.ScratchBaseReg >= 0)
        {
            // The base register is never an operand; report whether it survived in emulated terms.
            bool kept = output[c.ScratchBaseReg] == input[c.ScratchBaseReg];
            o.Regs[c.ScratchBaseReg] = kept ? EmulatedExecutor.ScratchBaseAddress : ~EmulatedExecutor.ScratchBaseAddress;
        }
        o.Flags = (uint)output[FlagsSlot] & ArithFlags;
        new ReadOnlySpan<byte>(scratch, DiffCase.ScratchSize).CopyTo(o.Scratch);
        return o;
    }

    public void Dispose()
    {
        HostPages.Unmap(code, PageSize);
        HostPages.Unmap(data, PageSize);
    }
}
