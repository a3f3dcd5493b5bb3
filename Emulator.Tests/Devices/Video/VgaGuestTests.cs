using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Video;
using Emulator.Tests.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Video;

/// <summary>Guest programs on the board drive the VGA at PCI 02.0 through its ports, the A0000 window and the LFB.</summary>
public class VgaGuestTests
{
    const int VgaDevFn = 2 << 3;

    static void Out8(Assembler a, ushort port, byte value)
    {
        a.mov(dx, port);
        a.mov(al, value);
        a.@out(dx, al);
    }

    /// <summary>Programs a mode table with OUT instructions, as a VGA BIOS's set-mode does.</summary>
    static void SetMode(Assembler a, VgaRig.ModeTable m)
    {
        Out8(a, 0x3C2, m.Misc);
        for (int i = 0; i < m.Seq.Length; i++) { a.mov(dx, (ushort)0x3C4); a.mov(ax, (ushort)(m.Seq[i] << 8 | i)); a.@out(dx, ax); }
        for (int i = 0; i < m.Crtc.Length; i++) { a.mov(dx, (ushort)0x3D4); a.mov(ax, (ushort)(m.Crtc[i] << 8 | i)); a.@out(dx, ax); }
        for (int i = 0; i < m.Gc.Length; i++) { a.mov(dx, (ushort)0x3CE); a.mov(ax, (ushort)(m.Gc[i] << 8 | i)); a.@out(dx, ax); }
        a.mov(dx, (ushort)0x3DA);
        a.@in(al, dx);
        for (int i = 0; i < m.Attr.Length; i++) { Out8(a, 0x3C0, (byte)i); Out8(a, 0x3C0, m.Attr[i]); }
        Out8(a, 0x3C0, 0x20);
    }

    [Test]
    public void TheVgaIsAtPciSlot2AsQemuStdVga()
    {
        var m = new BoardTestMachine();
        m.RunReal(a =>
        {
            PciAsm.ReadDword(a, VgaDevFn, 0x00); a.mov(ebx, eax);
            PciAsm.ReadDword(a, VgaDevFn, 0x08); a.mov(ecx, eax);
            PciAsm.ReadDword(a, VgaDevFn, 0x10);
            a.hlt();
        });
        Assert.That(m.Reg(Gpr.Rbx), Is.EqualTo(0x1111_1234u));
        Assert.That(m.Reg(Gpr.Rcx) >> 8, Is.EqualTo(0x03_0000u));
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(0x08u), "BAR0: prefetchable 32-bit memory, unassigned");
    }

    [Test]
    public void GuestWritesTextToB8000AndTheSnapshotShowsIt()
    {
        var m = new BoardTestMachine();
        const string text = "Hello, VGA";
        var r = m.RunReal(a =>
        {
            SetMode(a, VgaRig.Mode03);
            a.mov(ax, (ushort)0xB800);
            a.mov(es, ax);
            a.mov(di, (ushort)((2 * 80 + 5) * 2));
            a.mov(ah, 0x1F);
            foreach (char c in text)
            {
                a.mov(al, (byte)c);
                a.stosw();
            }
            int cursor = 2 * 80 + 5 + text.Length;
            a.mov(dx, (ushort)0x3D4);
            a.mov(ax, (ushort)((cursor & 0xFF00) | 0x0E));
            a.@out(dx, ax);
            a.mov(ax, (ushort)((cursor & 0xFF) << 8 | 0x0F));
            a.@out(dx, ax);
            a.hlt();
        });
        Assert.That(r, Is.EqualTo(StopReason.Halted));
        var t = TextScreen.Capture(m.Board.Vga)!;
        Assert.That(t, Is.Not.Null);
        Assert.That(t.RowText(2).Substring(5, text.Length), Is.EqualTo(text));
        Assert.That(t.Attribute(5, 2), Is.EqualTo(0x1F));
        Assert.That((t.CursorColumn, t.CursorRow, t.CursorVisible), Is.EqualTo((5 + text.Length, 2, true)));
    }

    /// <summary>A flat 4 GiB DS in real mode ("unreal mode"): load DS in protected mode, then return.</summary>
    static void EnterUnreal(Assembler a)
    {
        a.lgdt(__[0x520]);
        a.mov(eax, cr0);
        a.or(al, 1);
        a.mov(cr0, eax);
        a.mov(bx, (ushort)8);
        a.mov(ds, bx);
        a.and(al, 0xFE);
        a.mov(cr0, eax);
    }

    static void Dispi(Assembler a, int index, ushort value)
    {
        a.mov(dx, (ushort)0x1CE); a.mov(ax, (ushort)index); a.@out(dx, ax);
        a.mov(dx, (ushort)0x1CF); a.mov(ax, value); a.@out(dx, ax);
    }

    static void Pixel(Assembler a, uint address, uint color)
    {
        a.mov(ebx, address);
        a.mov(eax, color);
        a.mov(__dword_ptr[ebx], eax);
    }

    [Test]
    public void VbeModeAndLfbWritesThroughAMovedBar()
    {
        var m = new BoardTestMachine();
        // GDT at 0x500: null, flat 4 GiB data; GDTR at 0x520.
        m.Machine.Memory.Write(0x500, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0 });
        m.Machine.Memory.Write(0x520, new byte[] { 0x0F, 0, 0x00, 0x05, 0, 0 });
        var vga = m.Board.Vga;
        var view = new VgaRenderer(vga);

        Assert.That(m.RunReal(a =>
        {
            PciAsm.WriteDword(a, VgaDevFn, 0x10, 0xE000_0000);
            PciAsm.WriteByte(a, VgaDevFn, 0x04, 0x03);
            Dispi(a, StdVga.DispiXres, 640);
            Dispi(a, StdVga.DispiYres, 480);
            Dispi(a, StdVga.DispiBpp, 32);
            Dispi(a, StdVga.DispiEnable, StdVga.EnableOn | StdVga.EnableLfb);
            EnterUnreal(a);
            Pixel(a, 0xE000_0000, 0x00FF_0000);
            Pixel(a, 0xE000_0004, 0x0000_FF00);
            Pixel(a, 0xE000_0008, 0x0000_00FF);
            a.hlt();
        }), Is.EqualTo(StopReason.Halted));
        view.Render();
        Assert.That((view.Width, view.Height, view.Kind), Is.EqualTo((640, 480, VgaDisplayKind.Vbe)));
        Assert.That(view.Pixels[..4], Is.EqualTo(new[] { 0xFFFF_0000u, 0xFF00_FF00u, 0xFF00_00FFu, 0xFF00_0000u }));
        Assert.That(view.Render().IsEmpty, Is.True);

        // The guest moves BAR0: the LFB follows, the old address decodes nothing.
        Assert.That(m.RunReal(a =>
        {
            PciAsm.WriteDword(a, VgaDevFn, 0x10, 0xF000_0000);
            EnterUnreal(a);
            Pixel(a, 0xF000_000C, 0x0012_3456);
            Pixel(a, 0xE000_0010, 0x00FF_FFFF);
            a.hlt();
        }), Is.EqualTo(StopReason.Halted));
        Assert.That(vga.LfbAddress, Is.EqualTo(0xF000_0000u));
        Assert.That(view.Render(), Is.EqualTo(new DirtyRect(0, 0, 640, 2)), "page 0 holds rows 0 and 1");
        Assert.That(view.Pixels[3..5], Is.EqualTo(new[] { 0xFF12_3456u, 0xFF00_0000u }));
        Assert.That(m.Machine.Memory.ReadSlow(0xE000_0010, 4), Is.EqualTo(0xFFFF_FFFFul));

        // The page is writable now: these writes go through the CPU's TLB, unreported until the
        // refresh re-arms the page.
        Assert.That(m.RunReal(a =>
        {
            EnterUnreal(a);
            Pixel(a, 0xF000_0014, 0x0000_0001);
            Pixel(a, 0xF000_0018, 0x0000_0002);
            Pixel(a, 0xF000_001C, 0x0000_0003);
            a.hlt();
        }), Is.EqualTo(StopReason.Halted));
        Assert.That(view.Render().IsEmpty, Is.True);
        var clock = m.Machine.Clock;
        var refresh = clock.PendingEvents.Single(e => e.Name == "vga-refresh");
        clock.AdvanceTo(refresh.Due);
        clock.RunDue();
        Assert.That(view.Render(), Is.EqualTo(new DirtyRect(0, 0, 640, 2)));
        Assert.That(view.Pixels[5..8], Is.EqualTo(new[] { 0xFF00_0001u, 0xFF00_0002u, 0xFF00_0003u }));
    }
}
