using System.Runtime.CompilerServices;
using Emulator.Core.Memory;

namespace Emulator.Tests.Memory;

/// <summary>
/// Device memory (a video card's VRAM behind a PCI BAR) mapped as host memory the TLB can use,
/// with per-page write tracking, and mappings removed when a BAR moves.
/// </summary>
public unsafe class PhysicalMemoryDeviceMemoryTests
{
    const ulong Base = 0xE000_0000;

    sealed class Recorder : IMmioHandler
    {
        public int Reads;
        public ulong Read(ulong offset, int size) { Reads++; return 0x5A; }
        public void Write(ulong offset, int size, ulong value) { }
    }

    static (PhysicalMemory M, byte[] Vram, List<ulong> Written) Mapped()
    {
        var m = new PhysicalMemory(1 << 20);
        var vram = GC.AllocateArray<byte>(4 * PhysicalMemory.PageSize, pinned: true);
        var written = new List<ulong>();
        m.MapDeviceMemory(Base, (nint)Unsafe.AsPointer(ref vram[0]), (ulong)vram.Length, written.Add);
        return (m, vram, written);
    }

    [Test]
    public void First_write_to_a_page_is_reported_then_the_tlb_may_write_it()
    {
        var (m, vram, written) = Mapped();
        byte* host = m.HostPage(Base + 0x1000, out bool writable);
        Assert.That(host == (byte*)Unsafe.AsPointer(ref vram[0x1000]), Is.True, "reads go straight to the device's memory");
        Assert.That(writable, Is.False, "a clean page is write-protected for TLBs");
        m.WriteSlow(Base + 0x1004, 4, 0x1122_3344);
        Assert.That(BitConverter.ToUInt32(vram, 0x1004), Is.EqualTo(0x1122_3344u));
        Assert.That(written, Is.EqualTo(new ulong[] { 1 }));
        m.HostPage(Base + 0x1000, out writable);
        Assert.That(writable, Is.True);
        m.WriteSlow(Base + 0x1008, 1, 0x77);
        Assert.That(written, Has.Count.EqualTo(1), "a writable page is not reported again until re-armed");
        m.Write(Base + 0x2FFE, new byte[] { 1, 2, 3, 4 });     // bulk write over pages 2 and 3
        Assert.That(written, Is.EqualTo(new ulong[] { 1, 2, 3 }));
        Assert.That(m.ReadSlow(Base + 0x3000, 2), Is.EqualTo(0x0403ul));
    }

    [Test]
    public void Rearming_reports_pages_written_since_and_protects_them_again()
    {
        var (m, _, written) = Mapped();
        int changes = 0;
        m.MappingChanged += () => changes++;
        m.RearmWriteTracking(Base, 0x4000);
        Assert.That(changes, Is.EqualTo(0), "nothing was writable: no TLB flush");
        m.WriteSlow(Base + 0x2000, 1, 1);
        written.Clear();
        m.RearmWriteTracking(Base, 0x4000);
        Assert.That(written, Is.EqualTo(new ulong[] { 2 }));
        Assert.That(changes, Is.EqualTo(1), "TLBs drop their write entries");
        m.HostPage(Base + 0x2000, out bool writable);
        Assert.That(writable, Is.False);
        m.WriteSlow(Base + 0x2000, 1, 2);
        Assert.That(written, Is.EqualTo(new ulong[] { 2, 2 }));
    }

    [Test]
    public void Unmapping_removes_only_that_mapping()
    {
        var (m, vram, written) = Mapped();
        m.UnmapDeviceMemory(Base, (nint)Unsafe.AsPointer(ref vram[0]), 0x4000);
        Assert.That(m.HostPage(Base, out _) == null, Is.True);
        Assert.That(m.ReadSlow(Base, 4), Is.EqualTo(0xFFFF_FFFFul), "nothing decodes there now");
        m.WriteSlow(Base, 1, 9);
        Assert.That(vram[0], Is.EqualTo(0));
        Assert.That(written, Is.Empty);
        m.MapDeviceMemory(0xF000_0000, (nint)Unsafe.AsPointer(ref vram[0]), 0x4000, written.Add);
        m.WriteSlow(0xF000_0000, 1, 9);
        Assert.That(vram[0], Is.EqualTo(9), "moved: the same memory at the new address");

        // Device memory over MMIO (a BAR over another device): the MMIO shows again when it goes.
        var mmio = new Recorder();
        m.MapMmio(0xF100_0000, 0x1000, mmio);
        m.MapDeviceMemory(0xF100_0000, (nint)Unsafe.AsPointer(ref vram[0]), 0x1000, written.Add);
        Assert.That(m.ReadSlow(0xF100_0000, 1), Is.EqualTo(9ul));
        m.UnmapDeviceMemory(0xF100_0000, (nint)Unsafe.AsPointer(ref vram[0]), 0x1000);
        Assert.That(m.ReadSlow(0xF100_0000, 1), Is.EqualTo(0x5Aul));
        m.UnmapMmio(0xF100_0000, mmio);
        Assert.That(m.ReadSlow(0xF100_0000, 1), Is.EqualTo(0xFFul));
        Assert.That(mmio.Reads, Is.EqualTo(1));

        // Over RAM: the page keeps its bus route after the unmap (the chipset decides whether RAM shows).
        m.WriteSlow(0xD0000, 1, 0x42);
        m.MapMmio(0xD0000, 0x1000, mmio);
        m.UnmapMmio(0xD0000, mmio);
        Assert.That(m.ReadSlow(0xD0000, 1), Is.EqualTo(0xFFul));
        m.SetRoute(0xD0000, 0x1000, readRam: true, writeRam: true);
        Assert.That(m.ReadSlow(0xD0000, 1), Is.EqualTo(0x42ul));
    }

    [Test]
    public void Read_only_device_memory_drops_writes()
    {
        var m = new PhysicalMemory(1 << 20);
        var rom = GC.AllocateArray<byte>(PhysicalMemory.PageSize, pinned: true);
        rom[5] = 0xAB;
        m.MapDeviceMemory(Base, (nint)Unsafe.AsPointer(ref rom[0]), PhysicalMemory.PageSize, null);
        m.WriteSlow(Base + 5, 1, 0);
        Assert.That(m.ReadSlow(Base + 5, 1), Is.EqualTo(0xABul));
        m.HostPage(Base, out bool writable);
        Assert.That(writable, Is.False);
    }
}
