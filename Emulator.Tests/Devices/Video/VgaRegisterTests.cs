using Emulator.Devices.Video;
using Emulator.Tests.Snapshots;

namespace Emulator.Tests.Devices.Video;

/// <summary>VGA and DISPI registers against FreeVGA, the Bochs VBE interface and PCI 3.0.</summary>
public class VgaRegisterTests
{
    [Test]
    public void SequencerAndGraphicsRegistersKeepTheirDefinedBits()
    {
        var r = new VgaRig();
        r.Seq(1, 0xFF);
        r.Out(0x3C4, 1);
        Assert.That(r.In(0x3C5), Is.EqualTo(0x3D), "clocking mode: bits 0, 2-5");
        r.Gc(5, 0xFF);
        r.Out(0x3CE, 5);
        Assert.That(r.In(0x3CF), Is.EqualTo(0x7B), "graphics mode: bits 0-1, 3-6");
        // A word OUT writes the index and then the data register.
        r.OutW(0x3CE, 0x5A08);
        Assert.That(r.In(0x3CE), Is.EqualTo(0x08));
        Assert.That(r.In(0x3CF), Is.EqualTo(0x5A));
    }

    [Test]
    public void CrtcAddressFollowsMiscOutputBit0()
    {
        var r = new VgaRig();
        r.Out(0x3C2, 0x01);                 // colour: 3D4/3D5
        r.Crtc(0x0C, 0x12);
        Assert.That(r.In(0x3B5), Is.EqualTo(0xFF), "mono ports do not decode in colour mode");
        r.Out(0x3C2, 0x00);                 // mono: 3B4/3B5
        r.Out(0x3B4, 0x0C);
        Assert.That(r.In(0x3B5), Is.EqualTo(0x12));
        Assert.That(r.In(0x3D5), Is.EqualTo(0xFF));
        Assert.That(r.In(0x3CC), Is.EqualTo(0x00), "misc output reads back at 3CC");
    }

    [Test]
    public void CrtcProtectBitGuardsRegisters0To7ButLineCompareBit8()
    {
        var r = new VgaRig();
        r.Out(0x3C2, 0x01);
        r.Crtc(0x00, 0x5F);
        r.Crtc(0x07, 0x00);
        r.Crtc(0x11, 0x80);
        r.Crtc(0x00, 0x11);
        r.Crtc(0x07, 0xFF);
        r.Crtc(0x08, 0x05);
        r.Out(0x3D4, 0x00); Assert.That(r.In(0x3D5), Is.EqualTo(0x5F));
        r.Out(0x3D4, 0x07); Assert.That(r.In(0x3D5), Is.EqualTo(0x10), "only bit 4 of CR07 is writable");
        r.Out(0x3D4, 0x08); Assert.That(r.In(0x3D5), Is.EqualTo(0x05), "CR08 is not protected");
    }

    [Test]
    public void AttributeFlipFlopIsResetByReadingInputStatus1()
    {
        var r = new VgaRig();
        r.Out(0x3C2, 0x01);
        r.In(0x3DA);
        r.Out(0x3C0, 0x05);                 // index 5 (PAS clear: palette writable)
        r.Out(0x3C0, 0x2A);                 // data
        r.Out(0x3C0, 0x06);                 // index again
        Assert.That(r.In(0x3C0), Is.EqualTo(0x06));
        r.Out(0x3C0, 0x15);                 // data for 6; flip-flop back to index
        r.In(0x3DA);
        r.Out(0x3C0, 0x05);
        Assert.That(r.In(0x3C1), Is.EqualTo(0x2A));
        r.Out(0x3C0, 0x33);                 // data for 5
        r.Out(0x3C0, 0x06);                 // would be data if the flip-flop were stuck
        r.In(0x3DA);                        // reset mid-way: next write is an index
        r.Out(0x3C0, 0x06);
        Assert.That(r.In(0x3C1), Is.EqualTo(0x15));
        // With PAS set (video on), palette registers ignore writes.
        r.In(0x3DA);
        r.Out(0x3C0, 0x25);
        r.Out(0x3C0, 0x01);
        Assert.That(r.In(0x3C1), Is.EqualTo(0x33));
    }

    [Test]
    public void DacAutoIncrementsAndKeepsSixBits()
    {
        var r = new VgaRig();
        r.Out(0x3C8, 0x10);
        foreach (byte b in new byte[] { 0xFF, 0x01, 0x02, 0x03, 0x04, 0x05 }) r.Out(0x3C9, b);
        Assert.That(r.In(0x3C8), Is.EqualTo(0x12), "write index advanced past two entries");
        Assert.That(r.In(0x3C7), Is.EqualTo(0x00), "DAC state: write mode");
        r.Out(0x3C7, 0x10);
        Assert.That(r.In(0x3C7), Is.EqualTo(0x03), "DAC state: read mode");
        var got = Enumerable.Range(0, 6).Select(_ => r.In(0x3C9)).ToArray();
        Assert.That(got, Is.EqualTo(new byte[] { 0x3F, 0x01, 0x02, 0x03, 0x04, 0x05 }));
        r.Out(0x3C6, 0x0F);
        Assert.That(r.In(0x3C6), Is.EqualTo(0x0F));
    }

    [Test]
    public void InputStatus1TogglesWithTheCrtcTimingInVirtualTime()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode03);
        // Mode 03h: 28.322 MHz (misc bits 3-2 = 01), 9-dot characters, H total 0x5F+5 = 100
        // characters: 900 dots = 31777 ns a line; display 80 characters = 25421 ns; V display end
        // 0x18F (400 lines), retrace start 0x19C = 412, end when the low 4 bits reach 0xE (2 lines);
        // V total 0x1BF + 2 = 449 lines.
        const long line = 900L * 1_000_000_000 / 28_322_000;
        Assert.That(line, Is.EqualTo(31777));
        long frame = line * 449;
        r.Clock.AdvanceTo(frame * 3 + 10);                      // line 0, in the display
        Assert.That(r.In(0x3DA) & 0x09, Is.EqualTo(0x00));
        r.Clock.AdvanceTo(frame * 3 + 5 * line + 26_000);       // line 5, horizontal blanking
        Assert.That(r.In(0x3DA) & 0x09, Is.EqualTo(0x01));
        r.Clock.AdvanceTo(frame * 3 + 412 * line + 10);         // vertical retrace
        Assert.That(r.In(0x3DA) & 0x09, Is.EqualTo(0x09));
        r.Clock.AdvanceTo(frame * 3 + 414 * line + 10);         // retrace over, still vertical blanking
        Assert.That(r.In(0x3DA) & 0x09, Is.EqualTo(0x01));
        r.Clock.AdvanceTo(frame * 4 + 411 * line + 10);
        Assert.That(r.In(0x3DA) & 0x08, Is.EqualTo(0x00));
    }

    [Test]
    public void DispiIdCapsAndModeFixups()
    {
        var r = new VgaRig();
        Assert.That(r.DispiR(StdVga.DispiId), Is.EqualTo(0xB0C5));
        r.DispiW(StdVga.DispiId, 0xB0C2);
        Assert.That(r.DispiR(StdVga.DispiId), Is.EqualTo(0xB0C2));
        r.DispiW(StdVga.DispiId, 0x1234);
        Assert.That(r.DispiR(StdVga.DispiId), Is.EqualTo(0xB0C2), "unknown IDs are ignored");
        Assert.That(r.DispiR(StdVga.DispiVideoMemory64K), Is.EqualTo(256), "16 MiB in 64 KiB units");
        r.DispiW(StdVga.DispiEnable, StdVga.EnableGetCaps);
        Assert.That(r.DispiR(StdVga.DispiXres), Is.EqualTo(StdVga.MaxXres));
        Assert.That(r.DispiR(StdVga.DispiYres), Is.EqualTo(StdVga.MaxYres));
        Assert.That(r.DispiR(StdVga.DispiBpp), Is.EqualTo(32));
        r.DispiW(StdVga.DispiEnable, 0);
        r.DispiW(StdVga.DispiXres, 1920);
        r.DispiW(StdVga.DispiYres, 1200);
        r.DispiW(StdVga.DispiBpp, 32);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn | StdVga.EnableLfb);
        Assert.That(r.DispiR(StdVga.DispiXres), Is.EqualTo(1920));
        Assert.That(r.DispiR(StdVga.DispiYres), Is.EqualTo(1200));
        Assert.That(r.DispiR(StdVga.DispiVirtWidth), Is.EqualTo(1920));
        Assert.That(r.DispiR(StdVga.DispiVirtHeight), Is.EqualTo((16 << 20) / (1920 * 4)), "lines VRAM holds");
        r.DispiW(StdVga.DispiBpp, 12);
        Assert.That(r.DispiR(StdVga.DispiBpp), Is.EqualTo(8), "an unknown depth becomes 8 bpp");
        r.DispiW(StdVga.DispiBpp, 32);
        r.DispiW(StdVga.DispiYOffset, 3000);                    // 3000 + 1200 lines > 2184: reset to 0
        Assert.That(r.DispiR(StdVga.DispiYOffset), Is.EqualTo(0));
        r.DispiW(StdVga.DispiYOffset, 900);
        Assert.That(r.DispiR(StdVga.DispiYOffset), Is.EqualTo(900));
        r.DispiW(StdVga.DispiBank, 0x1FF);
        Assert.That(r.DispiR(StdVga.DispiBank), Is.EqualTo(0xFF), "bank masked to VRAM's 256 banks");
    }

    [Test]
    public void DispiEnableClearsVramUnlessNoClearMem()
    {
        var r = new VgaRig();
        r.DispiW(StdVga.DispiXres, 64); r.DispiW(StdVga.DispiYres, 64); r.DispiW(StdVga.DispiBpp, 8);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn);
        r.Poke(0xA0010, 0x77);                                  // banked window, bank 0
        Assert.That(r.Vga.Vram[0x10], Is.EqualTo(0x77));
        r.DispiW(StdVga.DispiBank, 2);
        r.Poke(0xA0010, 0x66);
        Assert.That(r.Vga.Vram[0x20010], Is.EqualTo(0x66));
        Assert.That(r.Peek(0xA0010), Is.EqualTo(0x66));
        r.DispiW(StdVga.DispiEnable, 0);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn | StdVga.EnableNoClearMem);
        Assert.That(r.Vga.Vram[0x10], Is.EqualTo(0x77));
        r.DispiW(StdVga.DispiEnable, 0);
        r.DispiW(StdVga.DispiEnable, StdVga.EnableOn);
        Assert.That(r.Vga.Vram[0x10], Is.EqualTo(0x00));
    }

    [Test]
    public void PciIdentityAndBarSizes()
    {
        var r = new VgaRig(rom: new byte[40 << 10]);
        var v = r.Vga;
        Assert.That(v.ReadConfig(0, 4), Is.EqualTo(0x1111_1234u));
        Assert.That(v.ReadConfig(8, 4) >> 8, Is.EqualTo(0x030000u), "class: VGA-compatible display controller");
        v.WriteConfig(0x10, 4, 0xFFFF_FFFF);
        Assert.That(v.ReadConfig(0x10, 4), Is.EqualTo(0xFF00_0008u), "BAR0: 16 MiB prefetchable memory");
        v.WriteConfig(0x18, 4, 0xFFFF_FFFF);
        Assert.That(v.ReadConfig(0x18, 4), Is.EqualTo(0xFFFF_F000u), "BAR2: 4 KiB memory");
        v.WriteConfig(0x30, 4, 0xFFFF_FFFF);
        Assert.That(v.ReadConfig(0x30, 4), Is.EqualTo(0xFFFF_0001u), "ROM BAR: 40 KiB rounds up to 64 KiB");
    }

    [Test]
    public void MmioBarReachesVgaPortsAndDispi()
    {
        var r = new VgaRig();
        var v = r.Vga;
        v.WriteConfig(0x18, 4, 0x000F_0000);
        v.WriteConfig(0x04, 2, 0x0002);
        r.Memory.WriteSlow(0xF0400 + 0x0E, 2, 0x3C07);          // 3CE/3CF: GC7 = 0x3C? masked to 0x0C
        r.Out(0x3CE, 7);
        Assert.That(r.In(0x3CF), Is.EqualTo(0x0C));
        Assert.That(r.Memory.ReadSlow(0xF0500, 2), Is.EqualTo(0xB0C5ul), "DISPI ID at 0x500");
        r.Memory.WriteSlow(0xF0500 + 2 * StdVga.DispiXres, 2, 800);
        Assert.That(r.DispiR(StdVga.DispiXres), Is.EqualTo(800));
        Assert.That(r.Memory.ReadSlow(0xF0600, 4), Is.EqualTo(8ul), "QEMU extended registers: size");
    }

    [Test]
    public void ExpansionRomAppearsAtItsBarWhenEnabled()
    {
        var rom = new byte[8192];
        rom[0] = 0x55; rom[1] = 0xAA; rom[0x1FFF] = 0x42;
        var r = new VgaRig(rom);
        r.Vga.WriteConfig(0x30, 4, 0x000C_0000);                 // address set, enable bit clear
        r.Vga.WriteConfig(0x04, 2, 0x0002);
        Assert.That(r.Peek(0xC0000), Is.EqualTo(0x00), "not decoded without the enable bit (RAM)");
        r.Vga.WriteConfig(0x30, 4, 0x000C_0001);
        Assert.That(r.Peek(0xC0000), Is.EqualTo(0x55));
        Assert.That(r.Peek(0xC1FFF), Is.EqualTo(0x42));
        r.Poke(0xC0000, 0x00);
        Assert.That(r.Peek(0xC0000), Is.EqualTo(0x55), "ROM ignores writes");
        r.Vga.WriteConfig(0x30, 4, 0x000D_0001);
        Assert.That(r.Peek(0xD0001), Is.EqualTo(0xAA));
        Assert.That(r.Peek(0xC0000), Is.EqualTo(0xFF), "the old address decodes nothing (its route stays on the bus side)");
    }

    [Test]
    public void SnapshotRoundTrip()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode03);
        r.Poke(0xB8000, 0x41);
        r.Dac(3, 1, 2, 3);
        r.DispiW(StdVga.DispiXres, 800);
        var bytes = SnapshotBytes.Save(r.Vga);
        var other = new VgaRig();
        SnapshotBytes.Load(other.Vga, bytes);
        Assert.That(SnapshotBytes.Save(other.Vga).AsSpan().SequenceEqual(bytes), Is.True, "save, load, save gives the same bytes");
        Assert.That(other.Peek(0xB8000), Is.EqualTo(0x41));
        Assert.That(other.DispiR(StdVga.DispiXres), Is.EqualTo(800));
    }
}
