using Emulator.Core.Interrupts;

namespace Emulator.Devices.Interrupts;

/// <summary>
/// What the CPU's INTR/INTA sees on a PC with both controllers: the local APIC's fixed
/// interrupts, and the 8259 pair through LINT0 when LINT0 is an unmasked ExtINT input (virtual
/// wire mode, the reset state). The board assigns this once to <c>cpu.InterruptController</c>; the
/// PIC path then works until the OS programs the APIC (masks LINT0 or changes its mode).
/// </summary>
/// <remarks>
/// Holds no state of its own (both controllers save theirs). It also drives LINT0 with the
/// 8259's INTR, for a guest that programs LINT0 as a fixed or NMI input. When both have
/// something, the APIC's interrupt is taken first (as QEMU).
/// </remarks>
public sealed class ApicInterruptController : IInterruptController
{
    readonly LocalApic apic;
    readonly DualPic pic;

    public ApicInterruptController(LocalApic apic, DualPic pic)
    {
        this.apic = apic;
        this.pic = pic;
        pic.OutputChanged += level => apic.SetLint(0, level);
        apic.SetLint(0, pic.InterruptPending);
    }

    public bool InterruptPending => apic.InterruptPending || (apic.ExtIntEnabled && pic.InterruptPending);

    /// <summary>
    /// The APIC's highest deliverable vector; else, through ExtINT, the 8259's INTA sequence (which
    /// answers a spurious IRQ 7 itself); else the APIC's spurious vector.
    /// </summary>
    public byte Acknowledge()
    {
        if (apic.InterruptPending) return apic.Acknowledge();
        if (apic.ExtIntEnabled) return pic.Acknowledge();
        return apic.Acknowledge();
    }
}
