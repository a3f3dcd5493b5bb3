using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>Two nested calls per iteration: every block is 1-3 instructions, so this measures block dispatch and the stack path.</summary>
internal static class CallRetLoop
{
    public static void Build(Assembler a)
    {
        var loop = a.CreateLabel();
        var f1 = a.CreateLabel();
        var f2 = a.CreateLabel();
        a.mov(ecx, -1);
        a.Label(ref loop);
        a.call(f1);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(loop);
        a.Label(ref f1);
        a.push(ebx);
        a.call(f2);
        a.pop(ebx);
        a.ret();
        a.Label(ref f2);
        a.add(eax, 1);
        a.ret();
    }
}
