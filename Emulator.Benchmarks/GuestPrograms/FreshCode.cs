using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>
/// Straight-line code run once: <see cref="Blocks"/> blocks of six ALU/memory instructions
/// and a JMP to the next, then CLI; HLT. With an empty block cache, every instruction is
/// decoded once and executed once.
/// </summary>
internal static class FreshCode
{
    public const int Blocks = 1000;
    public const int InstructionsPerBlock = 7;
    public const int Instructions = Blocks * InstructionsPerBlock + 2;

    public static void Build(Assembler a)
    {
        for (int i = 0; i < Blocks; i++)
        {
            var next = a.CreateLabel();
            a.add(eax, i);
            a.xor(ebx, eax);
            a.mov(__dword_ptr[edi + 0x240000 + (i & 0xFF) * 4], eax);
            a.lea(ecx, __[eax + ebx * 2]);
            a.sub(edx, ecx);
            a.inc(esi);
            a.jmp(next);
            a.Label(ref next);
        }
        a.cli();
        a.hlt();
    }
}
