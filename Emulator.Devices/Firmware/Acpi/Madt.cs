using System.Buffers.Binary;
using Emulator.Devices.Interrupts;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// The Multiple APIC Description Table ("APIC", ACPI 6.4 5.2.12), as QEMU's <c>pc</c> machine
/// builds it for one CPU: the local APIC address with PCAT_COMPAT (the 8259A pair is present),
/// the processor's local APIC (ACPI ID 0, APIC ID 0), the IOAPIC (ID 0 at FEC00000, GSI base 0),
/// interrupt source overrides for ISA IRQ 0 to GSI 2 (the board wires the timer to IOAPIC input
/// 2) and for the PCI IRQs 5, 9, 10 and 11 as level-triggered active high (QEMU's PCI INTx
/// lines, which the DSDT's links route there), and the local APIC NMI on LINT1.
/// </summary>
public static class Madt
{
    public const byte Revision = 1;
    public const byte IoApicId = 0;
    /// <summary>The ISA IRQs PCI interrupts may be routed to (the links' _PRS, and the SCI's 9).</summary>
    public static IReadOnlyList<int> PciIrqs { get; } = [5, 9, 10, 11];
    /// <summary>MPS INTI flags (5.2.12.5): polarity active high (01b), trigger level (11b).</summary>
    public const ushort LevelActiveHigh = 0x000D;

    public static byte[] Build()
    {
        int length = AcpiTable.HeaderLength + 8 + 8 + 12 + 10 * (1 + PciIrqs.Count) + 6;
        var t = AcpiTable.Create("APIC", length, Revision);
        var s = t.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], (uint)LocalApic.DefaultBase);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], 1);          // PCAT_COMPAT
        int o = 44;
        // Processor Local APIC (type 0): ACPI processor UID 0, APIC ID 0, enabled.
        t[o] = 0; t[o + 1] = 8; t[o + 2] = 0; t[o + 3] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(s[(o + 4)..], 1);
        o += 8;
        // I/O APIC (type 1).
        t[o] = 1; t[o + 1] = 12; t[o + 2] = IoApicId;
        BinaryPrimitives.WriteUInt32LittleEndian(s[(o + 4)..], (uint)IoApic.DefaultBase);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(o + 8)..], 0);
        o += 12;
        o = Override(s, o, 0, 2, 0);
        foreach (int irq in PciIrqs) o = Override(s, o, irq, (uint)irq, LevelActiveHigh);
        // Local APIC NMI (type 4): all processors (0xFF), bus-conforming flags, LINT1.
        t[o] = 4; t[o + 1] = 6; t[o + 2] = 0xFF; t[o + 5] = 1;
        AcpiTable.SetChecksum(t, AcpiTable.ChecksumOffset);
        return t;
    }

    /// <summary>An Interrupt Source Override (type 2) for ISA (bus 0) IRQ <paramref name="irq"/>.</summary>
    static int Override(Span<byte> s, int o, int irq, uint gsi, ushort flags)
    {
        s[o] = 2; s[o + 1] = 10; s[o + 2] = 0; s[o + 3] = (byte)irq;
        BinaryPrimitives.WriteUInt32LittleEndian(s[(o + 4)..], gsi);
        BinaryPrimitives.WriteUInt16LittleEndian(s[(o + 8)..], flags);
        return o + 10;
    }
}
