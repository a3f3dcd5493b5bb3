using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>
/// Each iteration stores into the immediate of an instruction on its own code page, so the
/// page's blocks are invalidated and re-decoded every time (self-modifying code). Five
/// instructions per iteration.
/// </summary>
internal static class SelfModifyingLoop
{
    public const int InstructionsPerIteration = 5;

    /// <summary>Offset of MOV EBX, imm32 (BB id, SDM vol. 2) from the start: MOV EDI,imm32 (5) + INC EAX (1) + MOV [EDI],EAX (2).</summary>
    const int PatchOffset = 8;

    public static Action<Assembler> Build(ulong address) => a =>
    {
        var loop = a.CreateLabel();
        a.mov(edi, (uint)address + PatchOffset + 1);
        a.Label(ref loop);
        a.inc(eax);
        a.mov(__dword_ptr[edi], eax);
        a.mov(ebx, 0x11111111);
        a.add(esi, ebx);
        a.jmp(loop);
    };

    /// <summary>Checks that the assembled layout matches <see cref="PatchOffset"/>.</summary>
    public static void Verify(byte[] code)
    {
        if (code[PatchOffset] != 0xBB) throw new InvalidOperationException("self-modifying loop: unexpected layout");
    }
}
