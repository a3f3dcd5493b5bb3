using System.Buffers.Binary;
using System.Text;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Devices.Firmware.Tables;

/// <summary>
/// The PCI IRQ Routing Table ($PIR) of Microsoft's PCI IRQ Routing Table Specification 1.0:
/// a 32-byte header (signature, version 1.0, size, the interrupt router's bus and devfn, the IRQs
/// only PCI uses, a compatible router's IDs, miniport data, 11 reserved bytes, checksum) and one
/// 16-byte entry per PCI slot (bus, devfn with function 0, then for INTA#-INTD# the link value and
/// the bitmap of ISA IRQs the link can be routed to, the slot number, a reserved byte).
/// </summary>
/// <remarks>
/// The board's router is the PIIX3 at 00:01.0; a link value is the PIIX3 register that routes it
/// (PIRQRC[A:D] at 60h-63h, PIIX3 datasheet 2.2.10), so INTx of slot S uses link 60h + the PIRQ
/// the board's swizzle gives. Each link's bitmap holds the one IRQ the board routes it to: the
/// table is where firmware reads the routing it programs into PIRQRC[A:D] (the project's BIOS,
/// bios/src/pirq.asm), so the PIIX3, the interrupt lines, this table and the MP table agree
/// (SeaBIOS, which builds its own table, allows DEF8h and picks the same IRQs); no IRQ is
/// exclusive to PCI. The compatible router field is 0: the router at
/// 00:01.0 is known by its own IDs. Slot numbers: 0 for the chipset (devices 0 and 1, embedded),
/// else the device number. The checksum makes the table's bytes sum to zero; it has no pointers.
/// </remarks>
public static class PirTable
{
    public const int HeaderLength = 32, EntryLength = 16;
    public const ushort Version = 0x0100;
    public const byte RouterDevFn = 1 << 3;
    public const byte LinkBase = 0x60;

    /// <param name="slots">The populated PCI device numbers on bus 0, ascending.</param>
    /// <param name="pirqOf">The PIRQ (0-3) that INTx pin (1-4) of a device is wired to.</param>
    /// <param name="pirqIrqs">The ISA IRQ each PIRQ (A-D) is routed to.</param>
    public static byte[] Build(IReadOnlyList<int> slots, Func<int, int, int> pirqOf, IReadOnlyList<int> pirqIrqs)
    {
        int size = HeaderLength + EntryLength * slots.Count;
        var t = new byte[size];
        var s = t.AsSpan();
        Encoding.ASCII.GetBytes("$PIR", s);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], (ushort)size);
        t[8] = 0;
        t[9] = RouterDevFn;
        int o = HeaderLength;
        foreach (int slot in slots)
        {
            t[o] = 0;
            t[o + 1] = (byte)(slot << 3);
            for (int pin = 1; pin <= 4; pin++)
            {
                int pirq = pirqOf(slot, pin);
                t[o + 2 + 3 * (pin - 1)] = (byte)(LinkBase + pirq);
                BinaryPrimitives.WriteUInt16LittleEndian(s[(o + 3 + 3 * (pin - 1))..], (ushort)(1 << pirqIrqs[pirq]));
            }
            t[o + 14] = (byte)(slot <= 1 ? 0 : slot);
            o += EntryLength;
        }
        AcpiTable.SetChecksum(t, 31);
        return t;
    }
}
