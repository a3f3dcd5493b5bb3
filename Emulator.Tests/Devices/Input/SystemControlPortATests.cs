using Emulator.Core.Memory;
using Emulator.Devices.Input;

namespace Emulator.Tests.Devices.Input;

/// <summary>Port 0x92 (IBM PS/2 Hardware Interface Technical Reference, System Control Port A).</summary>
public class SystemControlPortATests
{
    [Test]
    public void Bit_1_drives_A20_and_reads_the_gate_back()
    {
        var memory = new PhysicalMemory(2UL << 20);
        int resets = 0;
        var p = new SystemControlPortA(memory, () => resets++);
        Assert.That(p.In(0x92, 1), Is.EqualTo(0x02), "A20 on after reset");
        p.Out(0x92, 1, 0x00);
        Assert.That(memory.A20Enabled, Is.False);
        Assert.That(p.In(0x92, 1), Is.EqualTo(0x00));
        memory.A20Enabled = true;   // e.g. the 8042 turned it on: the port reads the gate
        Assert.That(p.In(0x92, 1), Is.EqualTo(0x02));
        Assert.That(resets, Is.Zero);
    }

    [Test]
    public void Bit_0_rising_requests_a_reset_once()
    {
        bool a20 = true;
        int resets = 0;
        var p = new SystemControlPortA(a => a20 = a, () => resets++);
        p.Out(0x92, 1, 0x03);
        Assert.That(resets, Is.EqualTo(1));
        Assert.That(p.In(0x92, 1), Is.EqualTo(0x03));
        p.Out(0x92, 1, 0x03);
        Assert.That(resets, Is.EqualTo(1), "no edge, no reset");
        p.Out(0x92, 1, 0x02);
        p.Out(0x92, 1, 0x01);
        Assert.That(resets, Is.EqualTo(2));
        Assert.That(a20, Is.False);
        p.Reset();
        Assert.That(p.In(0x92, 1), Is.EqualTo(0x02), "reset clears bit 0");
    }

    [Test]
    public void Save_and_restore_round_trip()
    {
        var p = new SystemControlPortA(_ => { }, () => { });
        p.Out(0x92, 1, 0xC8);
        var copy = new SystemControlPortA(_ => { }, () => { });
        Ps2Rig.RoundTrip(p, copy);
        Assert.That(copy.In(0x92, 2), Is.EqualTo(0xFFC8));
    }
}
