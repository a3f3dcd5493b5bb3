using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>
/// Loads, stores and a read-modify-write walking two 64 KiB arrays with a 68-byte stride:
/// 32 pages, all resident in the software TLB after the first pass (TLB hits).
/// </summary>
internal static class MemoryLoop
{
    public const int ArrayA = 0x240000, ArrayB = 0x250000;

    public static void Build(Assembler a)
    {
        var loop = a.CreateLabel();
        a.mov(ecx, -1);
        a.xor(edi, edi);
        a.Label(ref loop);
        a.mov(eax, __dword_ptr[edi + ArrayA]);
        a.add(eax, ebx);
        a.mov(__dword_ptr[edi + ArrayB], eax);
        a.add(__dword_ptr[edi + ArrayA], ecx);
        a.mov(ebx, __dword_ptr[edi + ArrayB + 4]);
        a.add(edi, 0x44);
        a.and(edi, 0xFFFC);
        a.dec(ecx);
        a.jnz(loop);
        a.jmp(loop);
    }
}
