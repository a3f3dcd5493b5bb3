using System.Buffers.Binary;
using Emulator.Devices.Timers;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// The HPET description table ("HPET", IA-PC HPET specification 1.0a, 3.2.4, 56 bytes): the
/// event timer block ID (the low half of the capabilities register), its base address in system
/// memory, HPET number 0, no minimum tick and no page protection, as QEMU gives them.
/// </summary>
public static class HpetTable
{
    public const int Length = 56;
    public const byte Revision = 1;

    public static byte[] Build()
    {
        var t = AcpiTable.Create("HPET", Length, Revision);
        var s = t.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], unchecked((uint)Hpet.Capabilities));
        // Generic Address Structure: system memory (0), bit width/offset/access size 0, the address.
        BinaryPrimitives.WriteUInt64LittleEndian(s[44..], Hpet.BaseAddress);
        AcpiTable.SetChecksum(t, AcpiTable.ChecksumOffset);
        return t;
    }
}
