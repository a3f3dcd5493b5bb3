using System.Runtime.CompilerServices;
using Emulator.Core.Memory;

namespace Emulator.Core.Cpu.Decoding;

/// <summary>
/// Decoded blocks by physical address and code size: a small direct-mapped table in
/// front of a dictionary, plus a per-page index so a write to a code page (CPU or DMA)
/// drops exactly the blocks decoded from it.
/// </summary>
internal sealed class BlockCache
{
    const int FastBits = 12;
    readonly DecodedBlock?[] fast = new DecodedBlock?[1 << FastBits];
    readonly Dictionary<ulong, DecodedBlock> all = new();
    readonly Dictionary<ulong, List<DecodedBlock>> byPage = new();
    readonly Cpu cpu;

    public BlockCache(Cpu cpu) => this.cpu = cpu;

    /// <summary>Number of blocks currently cached.</summary>
    public int Count => all.Count;

    /// <summary>Counts invalidations caused by writes to code (self-modifying code, DMA over code).</summary>
    public long Invalidations { get; private set; }

    /// <summary>The key: physical address in the low 52 bits, code size (0=16, 1=32, 2=64) above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MakeKey(ulong phys, int codeSize) => phys | ((ulong)codeSize << 56);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DecodedBlock? Lookup(ulong key)
    {
        var b = fast[(int)((key ^ (key >> 56)) & ((1 << FastBits) - 1))];
        if (b != null && b.Key == key) return b;
        if (all.TryGetValue(key, out b))
        {
            fast[(int)((key ^ (key >> 56)) & ((1 << FastBits) - 1))] = b;
            return b;
        }
        return null;
    }

    public void Add(DecodedBlock block)
    {
        if (all.TryGetValue(block.Key, out var old)) Remove(old);
        all[block.Key] = block;
        fast[(int)((block.Key ^ (block.Key >> 56)) & ((1 << FastBits) - 1))] = block;
        if (!byPage.TryGetValue(block.PhysPage, out var list))
        {
            list = new List<DecodedBlock>();
            byPage[block.PhysPage] = list;
            cpu.Memory.TrackCodePage(block.PhysPage << PhysicalMemory.PageShift);
        }
        list.Add(block);
    }

    void Remove(DecodedBlock b)
    {
        b.Valid = false;
        b.Unlink();
        all.Remove(b.Key);
        int slot = (int)((b.Key ^ (b.Key >> 56)) & ((1 << FastBits) - 1));
        if (fast[slot] == b) fast[slot] = null;
        if (byPage.TryGetValue(b.PhysPage, out var list)) list.Remove(b);
    }

    /// <summary>A code page was written: drop its blocks and stop tracking it.</summary>
    public void InvalidatePage(ulong page)
    {
        if (!byPage.Remove(page, out var list)) { cpu.Memory.UntrackCodePage(page); return; }
        Invalidations++;
        foreach (var b in list)
        {
            b.Valid = false;
            b.Unlink();
            all.Remove(b.Key);
            int slot = (int)((b.Key ^ (b.Key >> 56)) & ((1 << FastBits) - 1));
            if (fast[slot] == b) fast[slot] = null;
        }
        cpu.Memory.UntrackCodePage(page);
        cpu.OnCodeInvalidated();
    }

    public void Clear()
    {
        foreach (var page in byPage.Keys) cpu.Memory.UntrackCodePage(page);
        foreach (var b in all.Values) { b.Valid = false; b.Unlink(); }
        all.Clear();
        byPage.Clear();
        Array.Clear(fast);
    }
}
