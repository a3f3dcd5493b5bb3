namespace Emulator.Core.Interrupts;

/// <summary>
/// An interrupt request wire from a device to the interrupt controllers. The board
/// creates one per ISA IRQ / IOAPIC input and decides where it goes (the PIC, the IOAPIC,
/// or both); the device only drives the level. Edge-triggered devices raise then lower it.
/// </summary>
public sealed class IrqLine
{
    readonly Action<int, bool> sink;

    public IrqLine(int number, Action<int, bool> sink)
    {
        Number = number;
        this.sink = sink;
    }

    /// <summary>The IRQ number (ISA IRQ 0-15, or a global system interrupt above).</summary>
    public int Number { get; }

    /// <summary>The current level of the wire.</summary>
    public bool Level { get; private set; }

    public void Set(bool high)
    {
        if (high == Level) return;
        Level = high;
        sink(Number, high);
    }

    public void Raise() => Set(true);

    public void Lower() => Set(false);

    /// <summary>A rising then falling edge (an ISA device's edge-triggered request).</summary>
    public void Pulse()
    {
        Set(true);
        Set(false);
    }

    /// <summary>A line connected to nothing, for devices used on their own (tests).</summary>
    public static IrqLine Unconnected(int number = -1) => new(number, static (_, _) => { });
}
