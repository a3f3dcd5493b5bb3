using System.Runtime.InteropServices;

namespace Emulator.Core.Cpu;

/// <summary>
/// The hidden part of a segment register (Intel SDM vol. 3, 3.4.3): selector, base,
/// limit and access rights, plus the offset ranges precomputed from them so the memory
/// fast path checks a limit with two compares.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct SegmentCache
{
    public ulong Base;
    /// <summary>Lowest and highest offset readable through this segment (empty when not readable).</summary>
    internal ulong ReadLow, ReadHigh;
    /// <summary>Lowest and highest offset writable through this segment (empty when not writable).</summary>
    internal ulong WriteLow, WriteHigh;
    /// <summary>The scaled (byte-granular) limit.</summary>
    public uint Limit;
    public ushort Selector;
    /// <summary>Access-rights bits 8..23 of the descriptor's high dword: type, S, DPL, P, AVL, L, D/B, G.</summary>
    public ushort Attributes;

    public readonly int Type => Attributes & 0xF;
    public readonly bool IsSystem => (Attributes & 0x10) == 0;
    public readonly int Dpl => (Attributes >> 5) & 3;
    public readonly bool Present => (Attributes & 0x80) != 0;
    public readonly bool Long => (Attributes & 0x2000) != 0;
    public readonly bool Big => (Attributes & 0x4000) != 0;
    public readonly bool IsCode => !IsSystem && (Attributes & 0x8) != 0;
    public readonly bool Conforming => IsCode && (Attributes & 0x4) != 0;
    public readonly bool ExpandDown => !IsSystem && !IsCode && (Attributes & 0x4) != 0;
    public readonly bool Writable => !IsSystem && !IsCode && (Attributes & 0x2) != 0;
    public readonly bool Readable => !IsSystem && (!IsCode || (Attributes & 0x2) != 0);

    /// <summary>Attributes of a real-mode or V86 data segment: present, writable, accessed, DPL as given.</summary>
    public const ushort RealModeData = 0x93;

    /// <summary>Recomputes the read and write ranges from base, limit and attributes.</summary>
    /// <param name="usable">False for a null selector loaded in protected mode: every access faults.</param>
    /// <param name="flat64">True in 64-bit mode, where limits are not checked (SDM vol. 3, 3.4.4).</param>
    public void UpdateRanges(bool usable, bool flat64)
    {
        ulong low, high;
        if (flat64) { low = 0; high = ulong.MaxValue; }
        else if (ExpandDown) { low = (ulong)Limit + 1; high = Big ? 0xFFFF_FFFFUL : 0xFFFFUL; }
        else { low = 0; high = Limit; }
        bool valid = usable && Present;
        bool readable = valid && (flat64 || Readable);
        bool writable = valid && (flat64 || Writable);
        if (readable) { ReadLow = low; ReadHigh = high; } else { ReadLow = 1; ReadHigh = 0; }
        if (writable) { WriteLow = low; WriteHigh = high; } else { WriteLow = 1; WriteHigh = 0; }
    }

    public override readonly string ToString() =>
        $"{Selector:X4} base={Base:X8} limit={Limit:X8} attr={Attributes:X4}";
}
