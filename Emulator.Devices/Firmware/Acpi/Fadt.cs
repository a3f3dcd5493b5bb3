using System.Buffers.Binary;
using Emulator.Devices.Chipset;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// The Fixed ACPI Description Table ("FACP"), revision 1 (ACPI 1.0b 5.2.5, 116 bytes), as QEMU's
/// <c>pc</c> machine gives it for the PIIX4: the SCI on IRQ 9, the APM control port 0xB2 as
/// SMI_CMD with the ACPI enable/disable values the PIIX4 PM device (<see cref="Piix4Acpi"/>)
/// acts on, the PM1a event/control blocks and PM timer in the PM I/O block at the base the
/// firmware programs, GPE0 at 0xAFE0. No reset register (that needs revision 2 or later).
/// </summary>
public static class Fadt
{
    public const int Length = 116;
    public const byte Revision = 1;
    /// <summary>Offsets of the FACS and DSDT pointers, which the loader patches.</summary>
    public const int FirmwareCtrlOffset = 36, DsdtOffset = 40;

    /// <summary>Flags (5.2.5 table 5-9): WBINVD, PROC_C1, SLP_BUTTON (no fixed sleep button),
    /// RTC_S4, USE_PLATFORM_CLOCK, as QEMU sets them. TMR_VAL_EXT is clear: the PM timer is 24 bits.</summary>
    public const uint Flags = 1u << 0 | 1u << 2 | 1u << 5 | 1u << 7 | 1u << 15;

    /// <summary>The table with the FACS and DSDT pointers holding <paramref name="facs"/> and <paramref name="dsdt"/>.</summary>
    public static byte[] Build(AcpiPlatform p, uint facs, uint dsdt)
    {
        var t = AcpiTable.Create("FACP", Length, Revision);
        var s = t.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], facs);
        BinaryPrimitives.WriteUInt32LittleEndian(s[40..], dsdt);
        t[44] = 1;                                                      // INT_MODEL: multiple APIC (QEMU)
        BinaryPrimitives.WriteUInt16LittleEndian(s[46..], (ushort)p.SciIrq);
        BinaryPrimitives.WriteUInt32LittleEndian(s[48..], Piix4Acpi.ApmControlPort);   // SMI_CMD
        t[52] = Piix4Acpi.AcpiEnable;
        t[53] = Piix4Acpi.AcpiDisable;
        BinaryPrimitives.WriteUInt32LittleEndian(s[56..], p.PmBase);                  // PM1a_EVT_BLK
        BinaryPrimitives.WriteUInt32LittleEndian(s[64..], p.PmBase + 4u);             // PM1a_CNT_BLK
        BinaryPrimitives.WriteUInt32LittleEndian(s[76..], p.PmBase + 8u);             // PM_TMR_BLK
        BinaryPrimitives.WriteUInt32LittleEndian(s[80..], Piix4Acpi.Gpe0Port);        // GPE0_BLK
        t[88] = 4;                                                      // PM1_EVT_LEN: status + enable
        t[89] = 2;                                                      // PM1_CNT_LEN
        t[91] = 4;                                                      // PM_TMR_LEN
        t[92] = Piix4Acpi.Gpe0Length;                                   // GPE0_BLK_LEN
        // C2/C3 latencies above 100 and 1000 us say they are not supported (5.2.5), as QEMU does.
        BinaryPrimitives.WriteUInt16LittleEndian(s[96..], 0x0FFF);
        BinaryPrimitives.WriteUInt16LittleEndian(s[98..], 0x03E9);
        t[108] = 0x32;                                                  // CENTURY: the CMOS century byte
        BinaryPrimitives.WriteUInt32LittleEndian(s[112..], Flags);
        AcpiTable.SetChecksum(t, AcpiTable.ChecksumOffset);
        return t;
    }
}
