using System.Runtime.CompilerServices;
using Emulator.Core.Cpu.Paging;

namespace Emulator.Core.Cpu;

// Bulk access for repeated string instructions: a host pointer for a linear range that
// the TLB already maps. It never walks page tables and never faults, so the caller falls
// back to the ordinary per-element path (which fills the TLB, or faults) when it gets null.
public sealed unsafe partial class Cpu
{
    /// <summary>
    /// The host address of linear <paramref name="lin"/> when the TLB maps its page for a read
    /// (or a write) at the current privilege; null otherwise. The caller keeps the range within
    /// that page. Write entries exist only for writable, dirty RAM pages that hold no decoded
    /// code (<see cref="Tlb"/>), so writing through the pointer needs no code-page bookkeeping:
    /// a code page never gets a write entry and its writes keep taking the slow path, where
    /// self-modifying code is detected.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal byte* TryHostPointer(ulong lin, bool write)
    {
        ref TlbEntry e = ref tlb.Entry(write ? tlbWrite : tlbRead, lin);
        return e.Tag == (lin & ~0xFFFUL) ? (byte*)(e.Addend + (nint)lin) : null;
    }
}
