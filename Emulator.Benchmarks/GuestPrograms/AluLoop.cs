using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>Endless loops for the execution-loop micro-benchmarks: the host runs them for a fixed instruction budget.</summary>
internal static class AluLoop
{
    /// <summary>Eight ALU instructions and a taken JNZ: one 10-instruction block per iteration (the JMP never runs).</summary>
    public static void Build(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, -1);
        a.Label(ref loop);
        a.add(eax, ebx);
        a.xor(ebx, eax);
        a.sub(edx, eax);
        a.and(eax, 0x7FFF);
        a.or(edx, eax);
        a.inc(esi);
        a.cmp(esi, edx);
        a.adc(edi, 1);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(loop);
    }
}
