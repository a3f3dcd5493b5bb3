using Emulator.Core.Machine;

namespace Emulator.Tests.Cpu;

/// <summary>
/// The two reset kinds of <see cref="Machine"/>: a CPU reset (the RESET/INIT line: the 8042 pulse,
/// a triple fault) runs the CPU-level handlers only and leaves RAM, the A20 gate and the devices
/// alone; a system reset runs every handler and turns A20 on.
/// </summary>
public class MachineResetTests
{
    [Test]
    public void A_cpu_reset_leaves_the_devices_and_a20_and_a_system_reset_wins_over_it()
    {
        var m = new Machine(new MachineConfig { MemorySize = 1 << 20 });
        int devices = 0, cpu = 0;
        m.OnReset(() => devices++);
        m.OnCpuReset(() => cpu++);
        m.Reset();
        Assert.That((devices, cpu), Is.EqualTo((1, 1)));

        m.Memory.A20Enabled = false;
        m.RequestReset(ResetKind.Cpu);
        Assert.That(m.Run(0), Is.EqualTo(StopReason.BudgetExhausted));
        Assert.Multiple(() =>
        {
            Assert.That((devices, cpu), Is.EqualTo((1, 2)));
            Assert.That(m.Memory.A20Enabled, Is.False);
            Assert.That(m.Cpu.Rip, Is.EqualTo(0xFFF0), "the CPU restarts at the reset vector");
        });

        m.RequestReset(ResetKind.System);
        m.RequestReset(ResetKind.Cpu);
        m.Run(0);
        Assert.Multiple(() =>
        {
            Assert.That((devices, cpu), Is.EqualTo((2, 3)), "one system reset");
            Assert.That(m.Memory.A20Enabled, Is.True);
        });
    }
}
