namespace Emulator.Core.Interrupts;

/// <summary>
/// What the CPU sees of the interrupt controllers: the INTR line and the
/// interrupt-acknowledge cycle that returns the vector (the 8259A or the local APIC).
/// </summary>
public interface IInterruptController
{
    /// <summary>True while a maskable interrupt is requested (the INTR pin).</summary>
    bool InterruptPending { get; }

    /// <summary>The acknowledge cycle: returns the vector to deliver and updates ISR/IRR.</summary>
    byte Acknowledge();
}
