using System.Diagnostics;
using Emulator.Core.Machine;
using Emulator.Core.Time;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Timing;

public class PacingTests
{
    [Test]
    public void FreeRunningMachineSkipsIdleTime()
    {
        var m = new TestMachine();
        int fired = 0;
        var ev = new TimerEvent("t", _ => fired++);
        m.Machine.Clock.Schedule(ev, 10_000_000_000);     // 10 s of virtual time
        m.Load(16, 0x1000, a => { a.sti(); a.hlt(); a.cli(); a.hlt(); });
        m.StartReal(0, 0x1000);
        var sw = Stopwatch.StartNew();
        m.Run(1000);
        Assert.Multiple(() =>
        {
            Assert.That(fired, Is.EqualTo(1));
            Assert.That(m.Machine.Clock.Now, Is.GreaterThanOrEqualTo(10_000_000_000));
            Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(5), "idle virtual time is skipped, not waited for");
        });
    }

    [Test]
    public void PacedMachineLetsVirtualTimeFollowTheWallClockWhileIdle()
    {
        var m = new TestMachine(new MachineConfig { MemorySize = 16UL << 20, PaceToWallClock = true });
        int fired = 0;
        var ev = new TimerEvent("t", _ => { fired++; m.Machine.RequestStop(); });
        m.Machine.Clock.Schedule(ev, 200_000_000);        // 200 ms of virtual time
        m.Load(16, 0x1000, a => { a.sti(); a.hlt(); a.jmp(0x1001); });
        m.StartReal(0, 0x1000);
        var sw = Stopwatch.StartNew();
        var reason = m.Run();
        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(StopReason.Stopped));
            Assert.That(fired, Is.EqualTo(1));
            // The event is due 200 ms into the run; a paced machine cannot reach it sooner.
            Assert.That(sw.Elapsed.TotalMilliseconds, Is.GreaterThanOrEqualTo(190));
        });
    }
}
