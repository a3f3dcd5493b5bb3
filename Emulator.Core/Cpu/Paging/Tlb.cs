using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emulator.Core.Cpu.Paging;

/// <summary>One software-TLB entry: a linear page mapped to host memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TlbEntry
{
    /// <summary>The linear page address (low 12 bits clear), or <see cref="Tlb.Invalid"/>.</summary>
    public ulong Tag;
    /// <summary>Host pointer of the page minus the linear page address: host = Addend + linear.</summary>
    public nint Addend;
    /// <summary>The physical page address the entry maps to.</summary>
    public ulong Physical;
}

/// <summary>
/// The software TLB (DESIGN.md): direct-mapped, with separate tables for reads and for
/// writes, each for supervisor and for user accesses, so the fast path of a memory
/// access is one compare and a host load. A write entry exists only for pages that are
/// writable at that privilege, already dirty, RAM, and hold no decoded code, so every
/// write through the fast path needs no further bookkeeping.
/// </summary>
internal sealed class Tlb
{
    public const int Bits = 8;
    public const int Size = 1 << Bits;
    public const ulong Invalid = ulong.MaxValue;

    /// <summary>Four tables: read/supervisor, write/supervisor, read/user, write/user.</summary>
    public readonly TlbEntry[] Entries = GC.AllocateArray<TlbEntry>(4 * Size, pinned: true);

    public const int ReadSup = 0, WriteSup = Size, ReadUser = 2 * Size, WriteUser = 3 * Size;

    public Tlb() => FlushAll();

    /// <summary>
    /// Bumped by every flush (and by the CPU on mode, CPL or code-size changes): block links
    /// made under an older epoch may rest on translations that are gone, so they are not followed.
    /// </summary>
    public uint Epoch;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TlbEntry Entry(int table, ulong linear) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Entries), table + (int)((linear >> 12) & (Size - 1)));

    public void FlushAll()
    {
        Epoch++;
        var e = Entries;
        for (int i = 0; i < e.Length; i++) e[i].Tag = Invalid;
    }

    public void FlushWrites()
    {
        Epoch++;
        var e = Entries;
        for (int i = 0; i < Size; i++)
        {
            e[WriteSup + i].Tag = Invalid;
            e[WriteUser + i].Tag = Invalid;
        }
    }

    /// <summary>
    /// Drops the write entries that map physical page <paramref name="physical"/> (it now holds
    /// decoded code, so writes to it must take the slow path that invalidates blocks). Read
    /// entries stay, so tracking a new code page does not cost every other translation.
    /// </summary>
    public void FlushWritesTo(ulong physical)
    {
        var e = Entries;
        for (int i = 0; i < Size; i++)
        {
            if (e[WriteSup + i].Physical == physical) e[WriteSup + i].Tag = Invalid;
            if (e[WriteUser + i].Physical == physical) e[WriteUser + i].Tag = Invalid;
        }
    }

    /// <summary>INVLPG: drops every entry for the linear page.</summary>
    public void FlushPage(ulong linear)
    {
        ulong tag = linear & ~0xFFFUL;
        Epoch++;
        for (int t = 0; t < 4; t++)
        {
            ref var en = ref Entry(t * Size, linear);
            if (en.Tag == tag) en.Tag = Invalid;
        }
    }
}
