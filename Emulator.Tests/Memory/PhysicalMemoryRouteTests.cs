using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Core.Memory;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Memory;

/// <summary>
/// Shadow routing (PhysicalMemory.SetRoute): a page with RAM and a ROM on the bus side can send
/// reads and writes to either, as the i440FX PAM registers do (datasheet 3.2.17).
/// </summary>
public unsafe class PhysicalMemoryRouteTests
{
    const ulong Page = 0xF0000;

    static PhysicalMemory WithRomAtF0000(byte romByte = 0xAA)
    {
        var m = new PhysicalMemory(1 << 20);
        var rom = new byte[0x10000];
        Array.Fill(rom, romByte);
        m.MapRom(0xFFFF_0000, rom);
        m.MapAlias(0xF0000, 0xFFFF_0000, 0x10000, readOnly: true);
        return m;
    }

    [Test]
    public void Mapping_rom_over_ram_routes_the_page_to_the_bus_side()
    {
        var m = WithRomAtF0000();
        Assert.That(m.GetRoute(Page), Is.EqualTo((false, false)));
        Assert.That(m.GetRoute(0xE0000), Is.EqualTo((true, true)));
        Assert.That(m.ReadSlow(Page, 1), Is.EqualTo(0xAA));
        m.WriteSlow(Page, 1, 0x11);
        Assert.That(m.ReadSlow(Page, 1), Is.EqualTo(0xAA), "ROM ignores writes");
    }

    [Test]
    public void Read_write_ram_shows_the_ram_and_the_tlb_may_write_it()
    {
        var m = WithRomAtF0000();
        m.SetRoute(Page, 0x10000, readRam: true, writeRam: true);
        Assert.That(m.ReadSlow(Page, 1), Is.Zero);
        m.WriteSlow(Page, 2, 0x1234);
        Assert.That(m.ReadSlow(Page, 2), Is.EqualTo(0x1234));
        Assert.That(m.Ram[(int)Page], Is.EqualTo(0x34));
        byte* host = m.HostPage(Page, out bool writable);
        Assert.That(writable, Is.True);
        Assert.That((nint)host, Is.Not.Zero);
    }

    [Test]
    public void Read_ram_write_bus_is_write_protected_shadow()
    {
        var m = WithRomAtF0000();
        m.SetRoute(Page, 0x10000, true, true);
        m.WriteSlow(Page, 1, 0x42);
        m.SetRoute(Page, 0x10000, readRam: true, writeRam: false);
        m.WriteSlow(Page, 1, 0x99);
        m.Write(Page + 1, [0x77]);
        Assert.That(m.ReadSlow(Page, 1), Is.EqualTo(0x42));
        Assert.That(m.ReadSlow(Page + 1, 1), Is.Zero, "bulk writes are dropped too");
        m.HostPage(Page, out bool writable);
        Assert.That(writable, Is.False, "a TLB must not write through a write-protected page");
    }

    [Test]
    public void Read_bus_write_ram_reads_rom_and_fills_the_ram_below()
    {
        var m = WithRomAtF0000();
        m.SetRoute(Page, 0x10000, readRam: false, writeRam: true);
        m.WriteSlow(Page, 4, 0xCAFEBABE);
        Assert.That(m.ReadSlow(Page, 1), Is.EqualTo(0xAA), "reads still come from ROM");
        m.SetRoute(Page, 0x10000, true, true);
        Assert.That(m.ReadSlow(Page, 4), Is.EqualTo(0xCAFEBABE));
    }

    [Test]
    public void Mapping_changed_fires_only_when_a_route_changes()
    {
        var m = WithRomAtF0000();
        int changes = 0;
        m.MappingChanged += () => changes++;
        m.SetRoute(Page, 0x10000, false, false);
        Assert.That(changes, Is.Zero);
        m.SetRoute(Page, 0x10000, true, false);
        Assert.That(changes, Is.EqualTo(1));
    }

    [Test]
    public void Pages_without_ram_stay_on_the_bus_side()
    {
        var m = new PhysicalMemory(0x80000);   // 512 KiB: nothing at F0000 but the ROM
        m.MapRom(0xF0000, new byte[] { 0x5A });
        m.SetRoute(0xF0000, 0x1000, true, true);
        Assert.That(m.GetRoute(0xF0000), Is.EqualTo((false, false)));
        Assert.That(m.ReadSlow(0xF0000, 1), Is.EqualTo(0x5A));
    }

    sealed class Mmio : IMmioHandler
    {
        public ulong LastWrite;
        public ulong Read(ulong offset, int size) => 0x5A;
        public void Write(ulong offset, int size, ulong value) => LastWrite = value;
    }

    [Test]
    public void Mmio_over_ram_is_the_bus_side_and_ram_comes_back_when_routed()
    {
        var m = new PhysicalMemory(1 << 20);
        var vga = new Mmio();
        m.MapMmio(0xA0000, 0x20000, vga);
        Assert.That(m.ReadSlow(0xA0000, 1), Is.EqualTo(0x5A));
        m.WriteSlow(0xA0000, 1, 0x33);
        Assert.That(vga.LastWrite, Is.EqualTo(0x33));
        m.SetRoute(0xA0000, 0x20000, true, true);
        m.WriteSlow(0xA0000, 1, 0x44);
        Assert.That(m.ReadSlow(0xA0000, 1), Is.EqualTo(0x44));
        Assert.That(vga.LastWrite, Is.EqualTo(0x33));
    }

    [Test]
    public void Code_decoded_from_rom_is_dropped_when_the_page_is_routed_to_ram()
    {
        // ROM at F0000: mov al,1 ; hlt.  RAM below it: mov al,2 ; hlt.
        var m = new TestMachine(1 << 20);
        var rom = new byte[0x1000];
        rom[0] = 0xB0; rom[1] = 0x01; rom[2] = 0xF4;
        m.Machine.Memory.Ram[0xF0000] = 0xB0;
        m.Machine.Memory.Ram[0xF0001] = 0x02;
        m.Machine.Memory.Ram[0xF0002] = 0xF4;
        m.Machine.Memory.MapRom(0xF0000, rom);

        m.StartReal(0xF000, 0);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rax) & 0xFF, Is.EqualTo(1));

        m.Machine.Memory.SetRoute(0xF0000, 0x1000, true, true);
        m.StartReal(0xF000, 0);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rax) & 0xFF, Is.EqualTo(2));
    }

    [Test]
    public void A_guest_write_to_a_write_protected_page_is_dropped_after_the_tlb_mapped_it_writable()
    {
        var m = new TestMachine(1 << 20);
        m.Load(16, 0x1000, a =>
        {
            a.mov(ax, 0x2000);
            a.mov(ds, ax);
            a.mov(__byte_ptr[0], 0x11);   // fills the write TLB entry for 20000
            a.mov(al, 0xEE);
            a.@out(0x99, al);              // the test's device write-protects the page here
            a.mov(__byte_ptr[0], 0x22);
            a.hlt();
        });
        m.Machine.Io.Register(0x99, 1, new ProtectOnWrite(m.Machine));
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Read8(0x20000), Is.EqualTo(0x11));
    }

    sealed class ProtectOnWrite(Machine machine) : Emulator.Core.Io.IIoDevice
    {
        public uint In(ushort port, int size) => 0xFF;
        public void Out(ushort port, int size, uint value) => machine.Memory.SetRoute(0x20000, 0x1000, true, false);
    }
}
