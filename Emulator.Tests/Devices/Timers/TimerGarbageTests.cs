using Emulator.Core.Interrupts;
using Emulator.Core.Time;
using Emulator.Devices.Timers;

namespace Emulator.Tests.Devices.Timers;

/// <summary>Guest garbage in any register must never throw or hang the host.</summary>
public class TimerGarbageTests
{
    [Test]
    public void Random_register_traffic_over_time_never_throws()
    {
        var rng = new Random(1234);
        var clock = new VirtualClock();
        var pit = new Pit8254(clock, IrqLine.Unconnected(0));
        var portB = new SystemControlPortB(pit, clock);
        var rtc = new Rtc146818(clock, IrqLine.Unconnected(8), new DateTime(2020, 1, 1));
        var hpet = new Hpet(clock, n => IrqLine.Unconnected(n), IrqLine.Unconnected(0), IrqLine.Unconnected(8), 0xFFFF_FFFF);
        Assert.DoesNotThrow(() =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                int size = 1 << rng.Next(3);
                switch (rng.Next(6))
                {
                    case 0: pit.Out((ushort)(0x40 + rng.Next(4)), size, (uint)rng.Next()); break;
                    case 1: pit.In((ushort)(0x40 + rng.Next(4)), size); break;
                    case 2: portB.Out(0x61, 1, (uint)rng.Next(256)); portB.In(0x61, 1); break;
                    case 3: rtc.Out((ushort)(0x70 + rng.Next(2)), 1, (uint)rng.Next(256)); rtc.In(0x71, 1); break;
                    case 4: hpet.Write((ulong)rng.Next(0x400), 1 << rng.Next(4), (ulong)rng.NextInt64()); break;
                    default: hpet.Read((ulong)rng.Next(0x400), 1 << rng.Next(4)); break;
                }
                // Advance by up to ~1 ms, running due events, but never more than 10,000 of them
                // per step: a guest may ask for a flood of interrupts, but time must still move.
                long target = clock.Now + rng.Next(1_000_000);
                int events = 0;
                while (clock.NextDue <= target && events++ < 10_000)
                {
                    clock.AdvanceTo(clock.NextDue);
                    clock.RunDue();
                }
                clock.AdvanceTo(target);
                clock.RunDue();
            }
        });
    }
}
