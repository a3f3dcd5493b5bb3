using System.Runtime.CompilerServices;

namespace Emulator.Core.Memory;

/// <summary>
/// The physical address space of one machine: RAM, ROM and MMIO at 4 KiB page
/// granularity, the A20 gate, and tracking of pages that hold decoded code.
/// </summary>
/// <remarks>
/// <para>Each page below 4 GiB has a host pointer for reads (RAM or ROM, so the CPU's TLB can
/// map it directly) or none (MMIO or unmapped, so accesses take <see cref="ReadSlow"/>).
/// Pages whose writes do not go to that same host memory (ROM, write-protected shadow RAM)
/// are flagged read-only for the TLB, and their writes take <see cref="WriteSlow"/>. Pages
/// holding decoded code are flagged too; any write to one (CPU or DMA) goes through
/// <see cref="CodeWritten"/> so the block cache can drop stale blocks. The CPU never learns
/// why a page is tracked.</para>
/// <para>Shadowing: a page that has RAM can also have a bus mapping (ROM from
/// <see cref="MapRom"/>/<see cref="MapAlias"/>, or MMIO). Mapping ROM or MMIO over RAM routes
/// the page's reads and writes to the bus side; <see cref="SetRoute"/> routes reads and writes
/// separately to RAM or to the bus side, as the i440FX PAM and SMRAM registers do for
/// A0000-FFFFF. Writes routed to the bus side of a ROM page are dropped.</para>
/// <para>Device memory (<see cref="MapDeviceMemory"/>, a video card's VRAM behind a PCI BAR) is
/// host memory on the bus side that TLBs read and write directly; its pages are write-protected
/// until first written after each <see cref="RearmWriteTracking"/>, so the owner learns which
/// pages the guest wrote without a callback on every store. BARs that move are unmapped with
/// <see cref="UnmapDeviceMemory"/> and <see cref="UnmapMmio"/>.</para>
/// <para>RAM up to <see cref="Array.MaxLength"/> bytes is a pinned array; more (<c>-m 3G</c>) is
/// one block of native memory from calloc, whose untouched pages cost the host nothing (the
/// kernel maps them on first write), freed by the finalizer. Such RAM has no single
/// <see cref="Ram"/> span: code that walks all of it takes <see cref="RamSpan"/> slices.</para>
/// </remarks>
public sealed unsafe class PhysicalMemory
{
    public const int PageShift = 12;
    public const int PageSize = 1 << PageShift;
    public const ulong PageMask = PageSize - 1;
    const int PageCount = 1 << (32 - PageShift);

    // Derived per-page flags (recomputed by UpdatePage):
    const byte FlagReadOnly = 1;     // writes do not go to pageHost: WriteSlow routes them
    const byte FlagCode = 2;         // the page holds decoded code
    const byte FlagWriteRam = 4;     // writes go to RAM although reads do not
    // The page's route, set by the map calls and SetRoute; meaningful only for pages with RAM:
    const byte FlagReadBus = 8;      // reads go to the bus side (ROM, MMIO or nothing)
    const byte FlagWriteBus = 16;    // writes go to the bus side
    const byte FlagWriteTrack = 32;  // device memory not written since its owner last re-armed it
    /// <summary>Flags that keep a TLB from writing through the page's host pointer.</summary>
    const byte NotWritableMask = FlagReadOnly | FlagCode | FlagWriteRam | FlagWriteTrack;

    /// <summary>RAM as an array, or null when it is larger than an array can be (then native, see the remarks).</summary>
    readonly byte[]? ram;
    readonly byte* ramPtr;
    readonly nint[] pageHost = new nint[PageCount];
    readonly byte[] pageFlags = new byte[PageCount];
    readonly List<(ulong Start, ulong End, IMmioHandler Handler)> mmio = new();
    readonly List<byte[]> pinnedBlocks = new();
    /// <summary>Device memory mapped with <see cref="MapDeviceMemory"/>: its range and whom to tell of writes.</summary>
    readonly List<(ulong Start, ulong End, Action<ulong> PageWritten)> deviceMemory = new();
    /// <summary>The ROM side of pages that have one: host pointer and whether writes are dropped.</summary>
    readonly Dictionary<ulong, (nint Host, bool ReadOnly)> busPages = new();
    readonly ulong ramPages;

    /// <summary>Bytes of RAM.</summary>
    public ulong RamSize { get; }

    /// <summary>Where accesses to unassigned addresses are reported (<c>-d guest_errors</c>); null when off.</summary>
    public Diagnostics.GuestLog? GuestLog;

    /// <summary>Called with the physical page number when a tracked code page is written.</summary>
    public Action<ulong>? CodeWritten;

    /// <summary>Raised when the A20 gate or the page map changes, so TLBs can be flushed.</summary>
    public event Action? MappingChanged;

    /// <summary>Raised with the physical page address when a page starts holding decoded code: only
    /// direct write mappings of that page (write TLB entries) become stale, not the whole map.</summary>
    public event Action<ulong>? CodePageTracked;

    /// <summary>The mask applied to every physical address: bit 20 is cleared when A20 is off.</summary>
    public ulong A20Mask { get; private set; } = ~0UL;

    public PhysicalMemory(ulong ramSize)
    {
        if (ramSize == 0 || ramSize > 0xE000_0000UL || (ramSize & PageMask) != 0)
            throw new ArgumentOutOfRangeException(nameof(ramSize), "RAM must be a non-zero multiple of 4 KiB below 3.5 GiB");
        RamSize = ramSize;
        if (ramSize <= (ulong)Array.MaxLength)
        {
            ram = GC.AllocateArray<byte>((int)ramSize, pinned: true);
            ramPtr = (byte*)Unsafe.AsPointer(ref ram[0]);
        }
        else
        {
            ramPtr = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)ramSize);
            GC.AddMemoryPressure((long)Math.Min(ramSize, 1UL << 30));
        }
        ramPages = ramSize >> PageShift;
        for (ulong p = 0; p < ramPages; p++)
            pageHost[p] = (nint)(ramPtr + (p << PageShift));
    }

    ~PhysicalMemory()
    {
        // A constructor that threw (bad size) left nothing allocated, and finalizers still run for it.
        if (ram == null && ramPtr != null)
        {
            System.Runtime.InteropServices.NativeMemory.Free(ramPtr);
            GC.RemoveMemoryPressure((long)Math.Min(RamSize, 1UL << 30));
        }
    }

    /// <summary>The RAM as a span (for loaders and tests).</summary>
    /// <exception cref="InvalidOperationException">RAM is larger than a span can be: use <see cref="RamSpan"/>.</exception>
    public Span<byte> Ram => ram ?? throw new InvalidOperationException($"{RamSize >> 20} MiB of RAM does not fit one span; take RamSpan slices");

    /// <summary><paramref name="length"/> bytes of RAM from <paramref name="offset"/> (any RAM size).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not all RAM.</exception>
    public Span<byte> RamSpan(ulong offset, int length)
    {
        if (length < 0 || offset > RamSize || (ulong)length > RamSize - offset) throw new ArgumentOutOfRangeException(nameof(offset));
        return new Span<byte>(ramPtr + offset, length);
    }

    /// <summary>Enables or disables the A20 gate (8042 output port bit 1, port 0x92 bit 1).</summary>
    public bool A20Enabled
    {
        get => A20Mask == ~0UL;
        set
        {
            ulong mask = value ? ~0UL : ~(1UL << 20);
            if (mask == A20Mask) return;
            A20Mask = mask;
            MappingChanged?.Invoke();
        }
    }

    /// <summary>Maps a ROM image at <paramref name="address"/> (page aligned). Writes to it are ignored.</summary>
    public void MapRom(ulong address, ReadOnlySpan<byte> image)
    {
        if ((address & PageMask) != 0) throw new ArgumentException("ROM must be page aligned", nameof(address));
        int pages = (image.Length + PageSize - 1) >> PageShift;
        var block = GC.AllocateArray<byte>(pages << PageShift, pinned: true);
        image.CopyTo(block);
        pinnedBlocks.Add(block);
        byte* p = (byte*)Unsafe.AsPointer(ref block[0]);
        for (int i = 0; i < pages; i++)
            MapBusPage((address >> PageShift) + (ulong)i, (nint)(p + ((long)i << PageShift)), readOnly: true);
        MappingChanged?.Invoke();
    }

    /// <summary>
    /// Maps the same bytes as <paramref name="source"/> at <paramref name="alias"/> (the BIOS at
    /// both F0000 and FFFF0000) on the bus side; the alias is routed to the bus side.
    /// </summary>
    public void MapAlias(ulong alias, ulong source, ulong length, bool readOnly)
    {
        for (ulong off = 0; off < length; off += PageSize)
        {
            ulong dst = (alias + off) >> PageShift, src = (source + off) >> PageShift;
            MapBusPage(dst, pageHost[src], readOnly);
        }
        MappingChanged?.Invoke();
    }

    /// <summary>Routes the range to an MMIO handler (on the bus side: pages with RAM are routed to the bus).</summary>
    public void MapMmio(ulong address, ulong length, IMmioHandler handler)
    {
        mmio.Add((address, address + length, handler));
        for (ulong a = address & ~PageMask; a < address + length && a < (1UL << 32); a += PageSize)
            MapBusPage(a >> PageShift, 0, readOnly: false);
        MappingChanged?.Invoke();
    }

    /// <summary>
    /// Maps device-owned host memory (a video card's VRAM behind a PCI BAR) at the page-aligned
    /// <paramref name="address"/> on the bus side, so the CPU's TLB reads and writes it directly
    /// like RAM. Writes are tracked per page: a page starts write-protected for TLBs; the first
    /// write to it takes the slow path, stores, lifts the protection and calls
    /// <paramref name="pageWritten"/> with the page's index in the region. The owner re-arms the
    /// protection with <see cref="RearmWriteTracking"/>. With <paramref name="pageWritten"/> null the
    /// mapping is read-only (a PCI expansion ROM) and writes are dropped. <paramref name="host"/>
    /// must stay pinned while mapped; <see cref="UnmapDeviceMemory"/> removes the mapping.
    /// </summary>
    public void MapDeviceMemory(ulong address, nint host, ulong length, Action<ulong>? pageWritten)
    {
        if (((address | length) & PageMask) != 0) throw new ArgumentException("device memory is mapped per 4 KiB page");
        if (pageWritten != null) deviceMemory.Add((address, address + length, pageWritten));
        for (ulong off = 0; off < length && address + off < (1UL << 32); off += PageSize)
        {
            ulong page = (address + off) >> PageShift;
            if (pageWritten != null) pageFlags[page] |= FlagWriteTrack;
            MapBusPage(page, host + (nint)off, readOnly: pageWritten == null);
        }
        MappingChanged?.Invoke();
    }

    /// <summary>
    /// Write-protects the pages of device memory in the range again, and calls the owner's
    /// callback for each page that was writable: the CPU may have written it through a TLB since
    /// it was last reported. TLBs are flushed when any page changed. Device memory is reported
    /// page by page this way, and never missed: a write either finds the page protected (and is
    /// reported now) or happened before the next re-arm (and is reported then).
    /// </summary>
    public void RearmWriteTracking(ulong address, ulong length)
    {
        bool changed = false;
        foreach (var (start, end, pageWritten) in deviceMemory)
        {
            ulong from = Math.Max(start, address & ~PageMask), to = Math.Min(end, address + length);
            for (ulong a = from; a < to && a < (1UL << 32); a += PageSize)
            {
                ref byte f = ref pageFlags[a >> PageShift];
                if ((f & FlagWriteTrack) != 0) continue;
                f |= FlagWriteTrack;
                pageWritten((a - start) >> PageShift);
                changed = true;
            }
        }
        if (changed) MappingChanged?.Invoke();
    }

    /// <summary>
    /// Removes a mapping made by <see cref="MapDeviceMemory"/> with the same arguments, as when the
    /// guest moves or disables a PCI BAR. Only this mapping goes: MMIO under it shows again. Pages
    /// keep their route, so whether RAM shows there stays the chipset's decision (PAM, SMRAM).
    /// </summary>
    public void UnmapDeviceMemory(ulong address, nint host, ulong length)
    {
        deviceMemory.RemoveAll(d => d.Start == address && d.End == address + length);
        for (ulong off = 0; off < length && address + off < (1UL << 32); off += PageSize)
        {
            ulong page = (address + off) >> PageShift;
            if (busPages.TryGetValue(page, out var bus) && bus.Host == host + (nint)off) busPages.Remove(page);
            pageFlags[page] &= unchecked((byte)~FlagWriteTrack);
            UpdatePage(page);
        }
        MappingChanged?.Invoke();
    }

    /// <summary>The MMIO handlers mapped now, for checks that every device's state is accounted for (snapshots).</summary>
    public IEnumerable<IMmioHandler> MmioHandlers => mmio.Select(m => m.Handler);

    /// <summary>Removes the MMIO mapping of <paramref name="handler"/> at <paramref name="address"/> (a BAR that moved).
    /// Pages keep their route, as for <see cref="UnmapDeviceMemory"/>.</summary>
    public void UnmapMmio(ulong address, IMmioHandler handler)
    {
        mmio.RemoveAll(m => m.Start == address && m.Handler == handler);
        MappingChanged?.Invoke();
    }

    void MapBusPage(ulong page, nint host, bool readOnly)
    {
        if (host != 0) busPages[page] = (host, readOnly);
        else busPages.Remove(page);
        pageFlags[page] |= FlagReadBus | FlagWriteBus;
        UpdatePage(page);
    }

    /// <summary>
    /// Routes reads and writes of the page-aligned range separately to RAM or to the bus side
    /// (ROM, MMIO, or nothing), as the i440FX PAM registers do for C0000-FFFFF (i440FX datasheet,
    /// 3.2.17: read enable and write enable per segment) and the SMRAM register for A0000-BFFFF.
    /// Pages without RAM always use the bus side. Decoded code on a page whose route changes is
    /// dropped, and <see cref="MappingChanged"/> fires so TLBs are flushed.
    /// </summary>
    public void SetRoute(ulong address, ulong length, bool readRam, bool writeRam)
    {
        if (((address | length) & PageMask) != 0) throw new ArgumentException("routes are set per 4 KiB page");
        bool changed = false;
        for (ulong a = address; a < address + length && a < (1UL << 32); a += PageSize)
        {
            ulong page = a >> PageShift;
            byte old = pageFlags[page];
            byte route = (byte)((readRam ? 0 : FlagReadBus) | (writeRam ? 0 : FlagWriteBus));
            if ((old & (FlagReadBus | FlagWriteBus)) == route) continue;
            pageFlags[page] = (byte)((old & ~(FlagReadBus | FlagWriteBus)) | route);
            UpdatePage(page);
            changed = true;
        }
        if (changed) MappingChanged?.Invoke();
    }

    /// <summary>Where reads and writes of the page at <paramref name="physical"/> go (true: RAM).</summary>
    public (bool ReadRam, bool WriteRam) GetRoute(ulong physical)
    {
        ulong page = (physical & 0xFFFF_FFFFUL) >> PageShift;
        bool hasRam = page < ramPages;
        return (hasRam && (pageFlags[page] & FlagReadBus) == 0, hasRam && (pageFlags[page] & FlagWriteBus) == 0);
    }

    /// <summary>Recomputes a page's read pointer and write flags from its route and its bus side.</summary>
    void UpdatePage(ulong page)
    {
        byte f = pageFlags[page];
        bool hasRam = page < ramPages;
        bool readRam = hasRam && (f & FlagReadBus) == 0;
        bool writeRam = hasRam && (f & FlagWriteBus) == 0;
        nint ramHost = hasRam ? (nint)(ramPtr + (page << PageShift)) : 0;
        busPages.TryGetValue(page, out var bus);
        nint readHost = readRam ? ramHost : bus.Host;
        byte derived;
        if (readRam) derived = writeRam ? (byte)0 : FlagReadOnly;
        else if (writeRam) derived = FlagReadOnly | FlagWriteRam;
        else derived = bus.Host != 0 && !bus.ReadOnly ? (byte)0 : FlagReadOnly;
        bool readSideChanged = pageHost[page] != readHost;
        pageHost[page] = readHost;
        pageFlags[page] = (byte)((f & (FlagCode | FlagReadBus | FlagWriteBus | FlagWriteTrack)) | derived);
        // Blocks decoded from the old read side are stale.
        if (readSideChanged && (f & FlagCode) != 0) CodeWritten?.Invoke(page);
    }

    /// <summary>
    /// The host pointer for a physical page, or null when the page needs the slow path
    /// (MMIO, unmapped, or above 4 GiB). <paramref name="writable"/> is false for ROM and
    /// for pages holding decoded code, which must not be written through a TLB.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte* HostPage(ulong physical, out bool writable)
    {
        physical &= A20Mask;
        if (physical >= 1UL << 32) { writable = false; return null; }
        ulong page = physical >> PageShift;
        writable = (pageFlags[page] & NotWritableMask) == 0;
        return (byte*)pageHost[page];
    }

    /// <summary>Marks a page as holding decoded code: from now on writes to it notify <see cref="CodeWritten"/>.</summary>
    public void TrackCodePage(ulong physical)
    {
        physical &= A20Mask;
        if (physical >= 1UL << 32) return;
        ref byte f = ref pageFlags[physical >> PageShift];
        if ((f & FlagCode) != 0) return;
        f |= FlagCode;
        CodePageTracked?.Invoke(physical & ~PageMask);
    }

    /// <summary>Stops tracking a code page (its blocks were dropped).</summary>
    public void UntrackCodePage(ulong page)
    {
        if (page < PageCount) pageFlags[page] &= unchecked((byte)~FlagCode);
    }

    public bool IsCodePage(ulong physical) =>
        (physical & A20Mask) < (1UL << 32) && (pageFlags[(physical & A20Mask) >> PageShift] & FlagCode) != 0;

    /// <summary>Reads 1, 2, 4 or 8 bytes at a physical address that does not cross a page.</summary>
    public ulong ReadSlow(ulong physical, int size)
    {
        physical &= A20Mask;
        if (physical < (1UL << 32))
        {
            byte* host = (byte*)pageHost[physical >> PageShift];
            if (host != null)
            {
                byte* p = host + (physical & PageMask);
                return size switch { 1 => *p, 2 => *(ushort*)p, 4 => *(uint*)p, _ => *(ulong*)p };
            }
        }
        foreach (var (start, end, handler) in mmio)
            if (physical >= start && physical < end)
                return handler.Read(physical - start, size);
        // Nothing decodes the address: the bus floats high (as QEMU's unassigned region reads). Reads of
        // the expansion ROM area C0000-FFFFF are not reported: firmware scans it for 55AAh signatures and
        // copies it into shadow RAM whatever it holds (PCI Firmware 3.0, 5.1; the i440FX PAM registers).
        if (GuestLog != null && (physical < 0xC_0000 || physical >= 0x10_0000))
            GuestLog.Error("memory", $"read of unassigned physical address 0x{physical:x8} ({size} byte{(size == 1 ? "" : "s")}), returns all ones");
        return size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
    }

    /// <summary>Writes 1, 2, 4 or 8 bytes at a physical address that does not cross a page.</summary>
    public void WriteSlow(ulong physical, int size, ulong value)
    {
        physical &= A20Mask;
        if (physical < (1UL << 32))
        {
            ulong page = physical >> PageShift;
            byte* host = (byte*)pageHost[page];
            byte f = pageFlags[page];
            if ((f & FlagWriteRam) != 0)
            {
                // Reads come from the bus side, so decoded code there does not change.
                Store(ramPtr + physical, size, value);
                return;
            }
            if (host != null && (f & FlagReadOnly) == 0)
            {
                Store(host + (physical & PageMask), size, value);
                if ((f & FlagCode) != 0) CodeWritten?.Invoke(page);
                if ((f & FlagWriteTrack) != 0) DeviceMemoryWritten(physical);
                return;
            }
        }
        foreach (var (start, end, handler) in mmio)
            if (physical >= start && physical < end)
            {
                handler.Write(physical - start, size, value);
                return;
            }
        // Writes to ROM are dropped as on hardware and are routine (shadowing); only a write that
        // nothing decodes is reported.
        if (GuestLog != null && (physical >= 1UL << 32 || pageHost[physical >> PageShift] == 0))
            GuestLog.Error("memory", $"write of 0x{value:x} to unassigned physical address 0x{physical:x8} ({size} byte{(size == 1 ? "" : "s")}), ignored");
    }

    /// <summary>The first write to a protected page of device memory: lift the protection (TLBs may
    /// now map the page for writes) and tell the owner, after the store so it sees the data.</summary>
    void DeviceMemoryWritten(ulong physical)
    {
        pageFlags[physical >> PageShift] &= unchecked((byte)~FlagWriteTrack);
        foreach (var (start, end, pageWritten) in deviceMemory)
            if (physical >= start && physical < end)
            {
                pageWritten((physical - start) >> PageShift);
                return;
            }
    }

    static void Store(byte* p, int size, ulong value)
    {
        switch (size)
        {
            case 1: *p = (byte)value; break;
            case 2: *(ushort*)p = (ushort)value; break;
            case 4: *(uint*)p = (uint)value; break;
            default: *(ulong*)p = value; break;
        }
    }

    /// <summary>Reads bytes at any physical address (DMA, loaders, debuggers).</summary>
    public void Read(ulong physical, Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)ReadSlow(physical + (ulong)i, 1);
    }

    /// <summary>Writes bytes at any physical address (DMA, loaders, debuggers); code pages are invalidated.</summary>
    public void Write(ulong physical, ReadOnlySpan<byte> data)
    {
        int i = 0;
        while (i < data.Length)
        {
            ulong a = (physical + (ulong)i) & A20Mask;
            int chunk = (int)Math.Min((ulong)(data.Length - i), PageSize - (a & PageMask));
            byte* host = a < (1UL << 32) ? (byte*)pageHost[a >> PageShift] : null;
            byte f = a < (1UL << 32) ? pageFlags[a >> PageShift] : FlagReadOnly;
            if (host != null && (f & (FlagReadOnly | FlagWriteRam)) == 0)
            {
                data.Slice(i, chunk).CopyTo(new Span<byte>(host + (a & PageMask), chunk));
                if ((f & FlagCode) != 0) CodeWritten?.Invoke(a >> PageShift);
                if ((f & FlagWriteTrack) != 0) DeviceMemoryWritten(a);
            }
            else
            {
                for (int j = 0; j < chunk; j++) WriteSlow(a + (ulong)j, 1, data[i + j]);
            }
            i += chunk;
        }
    }
}
