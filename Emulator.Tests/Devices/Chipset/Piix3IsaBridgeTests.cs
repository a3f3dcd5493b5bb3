using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Chipset;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Chipset;

/// <summary>The PIIX3 function 0: identity, QEMU's reset values, PIRQ routes and the reset control register.</summary>
public class Piix3IsaBridgeTests
{
    static IrqLine[] Lines() => Enumerable.Range(0, 16).Select(i => IrqLine.Unconnected(i)).ToArray();

    [Test]
    public void Identity_and_reset_values()
    {
        var p = new Piix3IsaBridge(Lines(), _ => { });
        Assert.Multiple(() =>
        {
            Assert.That(p.ReadConfig(0, 4), Is.EqualTo(0x7000_8086));
            Assert.That(p.ReadConfig(0x04, 4), Is.EqualTo(0x0200_0007), "master, memory, I/O; DEVSEL medium");
            Assert.That(p.ReadConfig(0x08, 4), Is.EqualTo(0x0601_0000));
            Assert.That(p.ReadConfig(0x0E, 1), Is.EqualTo(0x80));
            Assert.That(p.ReadConfig(0x60, 4), Is.EqualTo(0x8080_8080), "every PIRQ route disabled");
            Assert.That(p.ReadConfig(0x69, 1), Is.EqualTo(0x02), "top of memory 1 MiB");
            Assert.That(p.ReadConfig(0x4C, 1), Is.EqualTo(0x4D));
            Assert.That(p.ReadConfig(0x70, 1), Is.EqualTo(0x80));
            Assert.That(p.ReadConfig(0xA8, 1), Is.EqualTo(0x0F));
        });
    }

    [Test]
    public void Pirq_levels_follow_their_routes()
    {
        var levels = new bool[16];
        var lines = Enumerable.Range(0, 16).Select(i => new IrqLine(i, (n, l) => levels[n] = l)).ToArray();
        var p = new Piix3IsaBridge(lines, _ => { });
        p.SetPirq(0, true);
        Assert.That(levels, Has.None.True, "routes are disabled after reset");
        p.WriteConfig(0x60, 2, 0x0B0B);              // PIRQA and PIRQB -> IRQ 11
        Assert.That(levels[11], Is.True);
        p.SetPirq(1, true);
        p.SetPirq(0, false);
        Assert.That(levels[11], Is.True);
        p.SetPirq(1, false);
        Assert.That(levels[11], Is.False);
        Assert.That(p.PirqRoute(0), Is.EqualTo(11));
        p.WriteConfig(0x60, 1, 0x8B);
        Assert.That(p.PirqRoute(0), Is.EqualTo(-1));
    }

    [Test]
    public void Writing_6_to_cf9_from_a_guest_resets_the_machine()
    {
        var m = new BoardTestMachine(noReboot: true);
        var reason = m.RunReal(a =>
        {
            a.mov(dx, 0xCF9);
            a.mov(al, 0x02);
            a.@out(dx, al);       // hard reset selected, nothing happens yet
            a.@in(al, dx);
            a.mov(bl, al);
            a.mov(al, 0x06);
            a.@out(dx, al);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Reset));
        Assert.That(m.Reg(Emulator.Core.Cpu.Gpr.Rbx) & 0xFF, Is.EqualTo(0x02));
    }

    /// <summary>
    /// PIIX3 datasheet 2.3.1: RCPU (bit 2) starts the reset SRST (bit 1) selects. 06h is a hard
    /// reset, of the whole system: the i440FX's PAM register is back at 0. 04h is a soft reset,
    /// INIT to the CPU only: the CPU restarts at the reset vector and the chipset keeps its PAM
    /// setting (30h) and the SRST bit's 0.
    /// </summary>
    [TestCase(0x06, 0x00)]
    [TestCase(0x04, 0x30)]
    public void Without_no_reboot_the_reset_restarts_at_the_reset_vector_and_a_hard_one_clears_the_chipset(int value, int pam)
    {
        var m = new BoardTestMachine();
        m.Board.PciBus.WriteConfig(0, 0, 0x59, 1, 0x30);
        var reason = m.RunReal(a =>
        {
            a.mov(dx, 0xCF9);
            a.mov(al, (byte)value);
            a.@out(dx, al);
            a.mov(ebx, 0x1234);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        Assert.That(m.Machine.Cpu.Rip, Is.EqualTo(0xFFF1), "halted on the HLT at the reset vector");
        Assert.That(m.Board.HostBridge.ReadRegister(0x59), Is.EqualTo(pam));
        Assert.That(m.Board.Piix3.In(0xCF9, 1), Is.Zero);
    }

    [Test]
    public void The_state_round_trips()
    {
        var levels = new bool[16];
        var p = new Piix3IsaBridge(Enumerable.Range(0, 16).Select(i => IrqLine.Unconnected(i)).ToArray(), _ => { });
        p.WriteConfig(0x61, 1, 5);
        p.SetPirq(1, true);
        p.Out(0xCF9, 1, 0x02);
        var saved = Snapshot.Save(p);
        var fresh = new Piix3IsaBridge(Enumerable.Range(0, 16).Select(i => new IrqLine(i, (n, l) => levels[n] = l)).ToArray(), _ => { });
        Snapshot.Load(fresh, saved);
        Assert.That(Snapshot.Save(fresh), Is.EqualTo(saved));
        Assert.That(levels[5], Is.True, "the loaded PIRQ level drives its ISA IRQ");
        Assert.That(fresh.In(0xCF9, 1), Is.EqualTo(0x02));
    }
}
