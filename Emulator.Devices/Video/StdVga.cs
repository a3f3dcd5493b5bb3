using System.Runtime.CompilerServices;
using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.Time;
using Emulator.Devices.Pci;

namespace Emulator.Devices.Video;

/// <summary>
/// QEMU's standard VGA (<c>-vga std</c>, PCI 1234:1111, class 0x0300): an IBM VGA register set
/// with 256 KiB of planar memory, plus the Bochs VBE "DISPI" extension with a linear framebuffer.
/// </summary>
/// <remarks>
/// <para>Legacy interface (always decoded, as a PCI VGA-compatible device): ports 0x3B0-0x3DF
/// (<see cref="Registers"/> of this partial class: sequencer, CRTC, graphics controller, attribute
/// controller, DAC, misc output, feature control, input status 0/1) and the memory window
/// A0000-BFFFF (<see cref="LegacyWindow"/>), decoded per the graphics controller's memory map
/// select. Bochs DISPI: index port 0x1CE, data port 0x1CF (and 0x1D0, as QEMU).</para>
/// <para>PCI BARs: BAR0 prefetchable 32-bit memory = all of VRAM (the LFB); BAR2 = 4 KiB MMIO
/// as QEMU's stdvga: 0x400-0x41F the VGA ports 0x3C0-0x3DF, 0x500-0x515 the DISPI registers
/// (16-bit, register i at 0x500 + 2i), 0x600-0x607 QEMU's extended registers (size, framebuffer
/// endianness: little); the expansion ROM BAR when a ROM image (the VGA BIOS) is given.</para>
/// <para>LFB: VRAM is pinned host memory mapped with <see cref="PhysicalMemory.MapDeviceMemory"/>,
/// so the CPU's TLB reads and writes it directly. The first write to a page after it was
/// reported takes the slow path and marks it dirty here; a virtual-time refresh event
/// (<see cref="RefreshPeriodNs"/>) re-arms the pages written since, reporting them again. The
/// event runs only while the guest keeps writing, so an idle screen costs nothing.</para>
/// <para>VRAM layout: the VGA's four planes are interleaved, plane p of plane offset o at byte
/// 4*o + p (the first 256 KiB); VBE modes use VRAM linearly from byte 0.</para>
/// <para>Frontends (another thread) read this device only through <see cref="VgaRenderer"/> and
/// <see cref="TextSnapshot"/>: the machine thread takes no locks; renderers see racy but
/// memory-safe state (torn frames possible) and consume <see cref="TakeDirtyPages"/>,
/// <see cref="ConfigVersion"/> and <see cref="FontVersion"/>.</para>
/// <para>For a VGA BIOS (INT 10h): set modes by programming misc output, sequencer (with a
/// synchronous reset around clocking changes if wanted), CRTC (clear CR11 bit 7 first), graphics
/// and attribute controllers (read 0x3DA to reset the flip-flop; finish with index 0x20 to
/// enable video) and the DAC; load fonts into plane 2 (sequencer map mask 4, memory mode 6,
/// GC read map 2, GC mode 0, GC misc 4), 32 bytes a glyph, blocks at 0/16/32/48 KiB and
/// 8/24/40/56 KiB per character map select. The registers power up zero, as QEMU's: nothing
/// shows until a BIOS sets a mode. VBE: DISPI ID 0xB0C5, modes up to <see cref="MaxXres"/> x
/// <see cref="MaxYres"/> as VRAM allows (VIDEO_MEMORY_64K), the LFB at BAR0 (firmware assigns
/// it; read it from config space), the ROM image at the expansion ROM BAR for the firmware to
/// copy to C0000.</para>
/// <para>Absent: the CRTC vertical interrupt (IRQ 2),
/// light pen, the VGA's 8-page odd/even page bit, code executed from VRAM being invalidated by
/// writes through the A0000 window or by VBE memory clears.</para>
/// </remarks>
public sealed unsafe partial class StdVga : PciDevice
{
    public const ushort Vendor = 0x1234, Device = 0x1111;
    public const uint LegacyWindowBase = 0xA0000, LegacyWindowSize = 0x20000;
    public const ushort LegacyPortBase = 0x3B0, LegacyPortCount = 0x30;
    public const ushort DispiIndexPort = 0x1CE, DispiPortCount = 3;
    public const uint MmioBarSize = 0x1000;
    /// <summary>How often dirty LFB pages are re-armed while the guest writes them (60 Hz virtual).</summary>
    public const long RefreshPeriodNs = 16_666_667;

    readonly PhysicalMemory memory;
    readonly VirtualClock clock;
    readonly byte[] vram;
    readonly byte* vramPtr;
    readonly ulong[] dirty;
    readonly byte[]? rom;
    readonly byte* romPtr;
    readonly TimerEvent refresh;
    readonly IMmioHandler mmioBar;
    uint? lfbAddress, mmioAddress, romAddress;
    int configVersion, fontVersion;

    /// <param name="memory">The physical address space BARs are mapped into.</param>
    /// <param name="clock">Virtual time: retrace bits, blinking and the dirty-page refresh.</param>
    /// <param name="rom">The VGA BIOS image behind the expansion ROM BAR, or null for none.</param>
    /// <param name="vramMiB">VRAM size in MiB (a power of two, 1-256); QEMU's default is 16.</param>
    public StdVga(PhysicalMemory memory, VirtualClock clock, byte[]? rom = null, int vramMiB = 16)
        : base(Vendor, Device, 0x02, 0x030000)
    {
        if (vramMiB < 1 || vramMiB > 256 || (vramMiB & (vramMiB - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(vramMiB));
        this.memory = memory;
        this.clock = clock;
        vram = GC.AllocateArray<byte>(vramMiB << 20, pinned: true);
        vramPtr = (byte*)Unsafe.AsPointer(ref vram[0]);
        dirty = new ulong[(vram.Length >> PhysicalMemory.PageShift) / 64];
        refresh = new TimerEvent("vga-refresh", _ => memory.RearmWriteTracking(lfbAddress ?? 0, lfbAddress is null ? 0 : (ulong)vram.Length));
        SetWord(Config, 0x2C, 0x1AF4);                  // subsystem vendor (Red Hat), as QEMU
        SetWord(Config, 0x2E, 0x1100);
        DefineMemoryBar(0, (uint)vram.Length, prefetchable: true, MapLfb);
        DefineMemoryBar(2, MmioBarSize, prefetchable: false, MapMmioBar);
        if (rom is { Length: > 0 })
        {
            uint size = PhysicalMemory.PageSize;       // the bus maps whole pages
            while (size < rom.Length) size <<= 1;
            this.rom = GC.AllocateArray<byte>((int)size, pinned: true);
            rom.CopyTo(this.rom, 0);
            romPtr = (byte*)Unsafe.AsPointer(ref this.rom[0]);
            DefineRomBar(size, MapRom);
        }
        LegacyWindow = new MmioAdapter(ReadWindow, WriteWindow);
        mmioBar = new MmioAdapter(ReadMmioBar, WriteMmioBar);
        Ports = new PortAdapter(this);
        ResetRegisters();
    }

    /// <summary>The A0000-BFFFF memory window, for the board to map.</summary>
    public IMmioHandler LegacyWindow { get; }

    /// <summary>The legacy I/O ports (0x3B0-0x3DF and 0x1CE-0x1D0), for the board to register.</summary>
    public IIoDevice Ports { get; }

    /// <summary>The video memory (VRAM), shared with the renderer; read-only for frontends.</summary>
    public ReadOnlySpan<byte> Vram => vram;

    internal byte[] VramArray => vram;

    public int VramSize => vram.Length;

    /// <summary>The current virtual time (for blink phases), as the machine thread last set it.</summary>
    public long Now => clock.Now;

    /// <summary>Bumped on every register write that can change the picture (mode, palette, start
    /// address, cursor...): a renderer that sees it change redraws everything.</summary>
    public int ConfigVersion => Volatile.Read(ref configVersion);

    /// <summary>Bumped when a write reaches plane 2 (where text-mode fonts live).</summary>
    public int FontVersion => Volatile.Read(ref fontVersion);

    void Changed() => Volatile.Write(ref configVersion, configVersion + 1);

    /// <summary>Marks the 4 KiB VRAM page holding byte <paramref name="vramOffset"/> dirty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void MarkDirty(int vramOffset)
    {
        // Always an interlocked OR (a full fence): the VRAM store before it must be visible to a
        // renderer that takes the bit, on weakly ordered hosts too. Only slow-path writes get here.
        int page = vramOffset >> PhysicalMemory.PageShift;
        Interlocked.Or(ref dirty[page >> 6], 1UL << (page & 63));
    }

    void MarkAllDirty()
    {
        for (int i = 0; i < dirty.Length; i++) Interlocked.Exchange(ref dirty[i], ulong.MaxValue);
        Changed();
    }

    /// <summary>
    /// Takes the dirty bits of VRAM's 4 KiB pages into <paramref name="into"/> (OR-ed in, bit
    /// <c>p &amp; 63</c> of word <c>p / 64</c> for page p) and clears them: a page written after
    /// this call is reported by the next one. Safe from any thread.
    /// </summary>
    public void TakeDirtyPages(Span<ulong> into)
    {
        int n = Math.Min(into.Length, dirty.Length);
        for (int i = 0; i < n; i++)
            if (Volatile.Read(ref dirty[i]) != 0) into[i] |= Interlocked.Exchange(ref dirty[i], 0);
    }

    /// <summary>Words in the dirty bitmap (<see cref="VramSize"/> / 4 KiB / 64).</summary>
    public int DirtyWords => dirty.Length;

    // ---------------- PCI BARs ----------------

    void MapLfb(uint? address)
    {
        if (lfbAddress is uint old) memory.UnmapDeviceMemory(old, (nint)vramPtr, (ulong)vram.Length);
        lfbAddress = address;
        if (address is uint a) memory.MapDeviceMemory(a, (nint)vramPtr, (ulong)vram.Length, LfbPageWritten);
    }

    /// <summary>The guest wrote an LFB page that was clean (or re-armed one it wrote through the TLB).</summary>
    void LfbPageWritten(ulong page)
    {
        MarkDirty((int)(page << PhysicalMemory.PageShift));
        if (!refresh.Pending) clock.Schedule(refresh, clock.Now + RefreshPeriodNs);
    }

    void MapMmioBar(uint? address)
    {
        if (mmioAddress is uint old) memory.UnmapMmio(old, mmioBar);
        mmioAddress = address;
        if (address is uint a) memory.MapMmio(a, MmioBarSize, mmioBar);
    }

    void MapRom(uint? address)
    {
        uint size = (uint)rom!.Length;
        if (romAddress is uint old) memory.UnmapDeviceMemory(old, (nint)romPtr, size);
        romAddress = address;
        // A read-only device mapping: writes to ROM are dropped by the bus.
        if (address is uint a) memory.MapDeviceMemory(a, (nint)romPtr, size, null);
    }

    /// <summary>The address BAR0 (the LFB) decodes now, or null.</summary>
    public uint? LfbAddress => lfbAddress;

    ulong ReadMmioBar(ulong offset, int size)
    {
        ulong v = 0;
        if (offset >= 0x400 && offset < 0x420)
        {
            for (int i = 0; i < size; i++) v |= (ulong)ReadPort((ushort)(0x3C0 + offset - 0x400 + (ulong)i)) << (8 * i);
            return v;
        }
        if (offset >= 0x500 && offset < 0x516)
        {
            int index = (int)(offset - 0x500) >> 1;
            v = DispiRead(index);
            if ((offset & 1) != 0) v >>= 8;
            return size == 1 ? v & 0xFF : v;
        }
        if (offset >= 0x600 && offset < 0x608)
        {
            // QEMU's extended registers: 0x600 the region size, 0x604 framebuffer endianness (little).
            v = offset < 0x604 ? 8u : 0x1E1E1E1Eu;
            return v >> (8 * (int)(offset & 3));
        }
        return size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
    }

    void WriteMmioBar(ulong offset, int size, ulong value)
    {
        if (offset >= 0x400 && offset < 0x420)
        {
            for (int i = 0; i < size; i++) WritePort((ushort)(0x3C0 + offset - 0x400 + (ulong)i), (byte)(value >> (8 * i)));
            return;
        }
        if (offset >= 0x500 && offset < 0x516 && (offset & 1) == 0 && size >= 2)
            DispiWrite((int)(offset - 0x500) >> 1, (ushort)value);
    }

    // ---------------- reset and save/restore ----------------

    public override void Reset()
    {
        base.Reset();
        ResetRegisters();
    }

    public override string SnapshotName => "vga";
    public override int SnapshotVersion => 2;

    public override void SaveState(BinaryWriter writer)
    {
        base.SaveState(writer);
        SaveRegisters(writer);
        writer.Write(vram);
        writer.Write(refresh.Pending ? refresh.Due : -1L);
    }

    public override void LoadState(BinaryReader reader, int version)
    {
        base.LoadState(reader, version);
        LoadRegisters(reader);
        reader.ReadExactly(vram);
        // Everything may differ from what a frontend drew; LFB pages are protected again.
        if (lfbAddress is uint a) memory.RearmWriteTracking(a, (ulong)vram.Length);
        // The refresh event is re-armed where it was: it is part of the event queue a restored run replays.
        long refreshDue = reader.ReadInt64();
        clock.Cancel(refresh);
        if (refreshDue >= 0) clock.Schedule(refresh, refreshDue);
        MarkAllDirty();
    }

    sealed class MmioAdapter(Func<ulong, int, ulong> read, Action<ulong, int, ulong> write) : IMmioHandler
    {
        public ulong Read(ulong offset, int size) => read(offset, size);
        public void Write(ulong offset, int size, ulong value) => write(offset, size, value);
    }

    sealed class PortAdapter(StdVga vga) : IIoDevice
    {
        public uint In(ushort port, int size)
        {
            if (port >= DispiIndexPort && port < DispiIndexPort + DispiPortCount) return vga.DispiIn(port, size);
            uint v = 0;
            for (int i = 0; i < size; i++) v |= (uint)vga.ReadPort((ushort)(port + i)) << (8 * i);
            return v;
        }

        public void Out(ushort port, int size, uint value)
        {
            if (port >= DispiIndexPort && port < DispiIndexPort + DispiPortCount) { vga.DispiOut(port, value); return; }
            // A word OUT to an index port writes the index, then the data register after it.
            for (int i = 0; i < size; i++) vga.WritePort((ushort)(port + i), (byte)(value >> (8 * i)));
        }
    }
}
