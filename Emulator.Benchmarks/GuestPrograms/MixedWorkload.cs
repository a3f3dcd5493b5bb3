using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>
/// The guest of the MIPS benchmark: a fixed loop mixing ALU work, loads, stores and
/// read-modify-writes spread over 32 data pages (TLB hits), PUSH/POP, taken and
/// not-taken branches, a CALL/RET pair and, optionally, REP MOVSD/STOSD every 8th
/// iteration. It ends with CLI; HLT and leaves EBP = 0.
/// </summary>
internal static class MixedWorkload
{
    public const ulong CodeAddress = 0x10000;
    public const uint StackTop = 0x90000;
    /// <summary>Two 64 KiB arrays: 16 pages each, at TLB slots 0x40-0x5F (away from code and stack).</summary>
    public const uint ArrayA = 0x240000, ArrayB = 0x250000;
    public const uint StringSource = 0x260000, StringDest = 0x270000;
    public const int StringDwords = 64;

    public static Action<Assembler> Build(int iterations, bool strings) => a =>
    {
        var outer = a.CreateLabel();
        var even = a.CreateLabel();
        var below = a.CreateLabel();
        var func = a.CreateLabel();
        var skipStrings = a.CreateLabel();

        a.mov(esp, StackTop);
        a.mov(ebp, iterations);
        a.xor(eax, eax);
        a.mov(ebx, 0x12345678);
        a.xor(ecx, ecx);
        a.mov(edx, unchecked((int)0x9E3779B9));
        a.xor(esi, esi);
        a.cld();

        a.Label(ref outer);
        // ALU
        a.mov(eax, ebx);
        a.add(eax, 0x01234567);
        a.xor(edx, eax);
        a.sub(ebx, edx);
        a.and(eax, 0x0FFFFFFF);
        a.or(edx, 3);
        a.imul(eax, eax, 13);
        a.lea(esi, __[eax + ebx * 2 + 8]);
        a.adc(esi, ecx);
        // Memory: a 68-byte stride through two 64 KiB arrays.
        a.imul(edi, ebp, 0x44);
        a.and(edi, 0xFFFC);
        a.mov(eax, __dword_ptr[edi + (int)ArrayA]);
        a.add(eax, esi);
        a.mov(__dword_ptr[edi + (int)ArrayA], eax);
        a.add(__dword_ptr[edi + (int)ArrayB], edx);
        a.movzx(ecx, __byte_ptr[edi + (int)ArrayB + 1]);
        a.push(eax);
        a.push(ebx);
        a.pop(ebx);
        a.pop(eax);
        // Branches: one alternating, one data-dependent.
        a.test(ebp, 1);
        a.jz(even);
        a.inc(ecx);
        a.Label(ref even);
        a.cmp(eax, edx);
        a.jb(below);
        a.dec(edx);
        a.Label(ref below);
        a.call(func);
        if (strings)
        {
            a.test(ebp, 7);
            a.jnz(skipStrings);
            a.mov(esi, StringSource);
            a.mov(edi, StringDest);
            a.mov(ecx, StringDwords);
            a.rep.movsd();
            a.mov(ecx, StringDwords);
            a.rep.stosd();
            a.Label(ref skipStrings);
        }
        a.dec(ebp);
        a.jnz(outer);
        a.cli();
        a.hlt();

        a.Label(ref func);
        a.add(eax, ebx);
        a.xor(eax, 0x5A5A5A5A);
        a.ret();
    };
}
