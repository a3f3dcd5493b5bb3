using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>An MMX kernel's inner loop: eight MMX instructions (add, multiply-add, shift, compare, unpack, pack) per iteration.</summary>
internal static class MmxLoop
{
    public static void Build(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, -1);
        a.Label(ref loop);
        a.movq(mm0, mm1);
        a.paddusb(mm0, mm2);
        a.pmaddwd(mm1, mm3);
        a.psrlw(mm0, 3);
        a.pcmpgtb(mm2, mm0);
        a.punpcklbw(mm3, mm0);
        a.pxor(mm1, mm0);
        a.packuswb(mm0, mm1);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(loop);
    }
}
