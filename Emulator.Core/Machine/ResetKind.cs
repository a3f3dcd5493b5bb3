namespace Emulator.Core.Machine;

/// <summary>What a reset request resets.</summary>
public enum ResetKind
{
    /// <summary>
    /// The CPU only (its RESET or INIT line, with the local APIC of its package, Intel SDM vol. 3,
    /// 10.4.7.3): the 8042's output port bit 0 (IBM PC/AT Technical Reference, "Keyboard
    /// Controller": the line goes to the processor's RESET), port 92h bit 0, a triple fault (the
    /// shutdown cycle, which the chipset answers with INIT) and a soft reset through port CF9h
    /// (PIIX3 datasheet 2.3.1, SRST = 0). RAM, the A20 gate and every device keep their state, so
    /// software resuming through the CMOS shutdown byte finds the 8259s and timers as it left them.
    /// </summary>
    Cpu,

    /// <summary>The whole system: power-on, a hard reset through port CF9h (SRST = 1: PCIRST# and
    /// the CPU's RESET), the monitor's <c>system_reset</c>.</summary>
    System,
}
