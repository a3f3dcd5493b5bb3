using System.Text;
using Emulator.Devices.Firmware.Acpi;
using Emulator.Devices.Firmware.Tables;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The MP table (Intel MultiProcessor Specification 1.4), the $PIR table (PCI IRQ Routing Table
/// Specification 1.0), SMBIOS (DSP0134 2.8.0) and the loader script for the legacy tables, byte
/// by byte against the specifications' layouts; expected bytes are worked out by hand.
/// </summary>
public class MachineTableTests
{
    static byte[] B(params int[] bytes) => bytes.Select(b => (byte)b).ToArray();
    static byte[] A(string s) => Encoding.ASCII.GetBytes(s);

    static readonly MpPlatform Mp = new(0x619, 0x0000_8F3D, 0x14, 0xFEE00000, 0, 0x20, 0xFEC00000,
        [new PciInterrupt(1, 1, 9)], [5, 9, 10, 11]);

    [Test]
    public void Mp_floating_pointer_and_configuration_table()
    {
        var f = MpTable.Build(Mp);
        // 14 interrupt entries: the PCI one, ISA IRQs 0 1 3 4 6 7 8 12 13 14 15, ExtINT and NMI.
        const int length = 44 + 20 + 2 * 8 + 8 + 14 * 8;
        Assert.Multiple(() =>
        {
            Assert.That(f, Has.Length.EqualTo(16 + length));
            // "_MP_", the table's offset (for the loader), 1 paragraph, revision 1.4, checksum and features 0.
            Assert.That(f[..16], Is.EqualTo(B('_', 'M', 'P', '_', 0x10, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0)));
            var t = f[16..];
            Assert.That(t[..8], Is.EqualTo(B('P', 'C', 'M', 'P', length, 0, 4, t[7])));
            Assert.That(AcpiTable.Sum(t), Is.EqualTo(0), "configuration table checksum");
            Assert.That(t[8..28], Is.EqualTo(A("EMU     PC          ")));
            // OEM table 0, size 0, 18 entries, local APIC FEE00000h, no extended table.
            Assert.That(t[28..44], Is.EqualTo(B(0, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0xE0, 0xFE, 0, 0, 0, 0)));
            Assert.That(t[44..64], Is.EqualTo(B(0, 0, 0x14, 3, 0x19, 0x06, 0, 0, 0x3D, 0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            Assert.That(t[64..80], Is.EqualTo(B(1, 0, 'P', 'C', 'I', ' ', ' ', ' ', 1, 1, 'I', 'S', 'A', ' ', ' ', ' ')));
            Assert.That(t[80..88], Is.EqualTo(B(2, 0, 0x20, 1, 0, 0, 0xC0, 0xFE)));
            // 00:01 INTA# (source IRQ 1 << 2 | 0), active high, to input 9.
            Assert.That(t[88..96], Is.EqualTo(B(3, 0, 1, 0, 0, 4, 0, 9)));
            // ISA IRQ 0 to input 2, IRQ 1 to 1, IRQ 3 next (2 left out), IRQ 6 after 4 (5 is a PCI IRQ), then 12 (9-11 PCI).
            Assert.That(t[96..104], Is.EqualTo(B(3, 0, 0, 0, 1, 0, 0, 2)));
            Assert.That(t[104..112], Is.EqualTo(B(3, 0, 0, 0, 1, 1, 0, 1)));
            Assert.That(t[112..120], Is.EqualTo(B(3, 0, 0, 0, 1, 3, 0, 3)));
            Assert.That(t[128..136], Is.EqualTo(B(3, 0, 0, 0, 1, 6, 0, 6)));
            Assert.That(t[152..160], Is.EqualTo(B(3, 0, 0, 0, 1, 12, 0, 12)));
            Assert.That(t[176..184], Is.EqualTo(B(3, 0, 0, 0, 1, 15, 0, 15)));
            // ExtINT to LINT0 of APIC 0, NMI to LINT1 of all APICs.
            Assert.That(t[184..200], Is.EqualTo(B(4, 3, 0, 0, 1, 0, 0, 0, 4, 1, 0, 0, 1, 0, 0xFF, 1)));
        });
    }

    [Test]
    public void Pir_header_and_one_entry_per_slot()
    {
        var t = PirTable.Build([0, 1, 2], (dev, pin) => (pin - 1 + dev - 1) & 3, [10, 10, 11, 11]);
        Assert.Multiple(() =>
        {
            Assert.That(t, Has.Length.EqualTo(80));
            // "$PIR", version 1.0, size 80, router 00:01.0, no exclusive IRQs, no compatible router, no miniport data.
            Assert.That(t[..31], Is.EqualTo(B('$', 'P', 'I', 'R', 0, 1, 80, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            Assert.That(AcpiTable.Sum(t), Is.EqualTo(0), "checksum");
            // Slot 0: INTA# is PIRQD (63h) by the swizzle; the chipset slots are embedded (slot number 0).
            // Bitmaps: links 60h, 61h only IRQ 10 (0400h), 62h, 63h only IRQ 11 (0800h).
            Assert.That(t[32..48], Is.EqualTo(B(0, 0x00, 0x63, 0x00, 0x08, 0x60, 0x00, 0x04, 0x61, 0x00, 0x04, 0x62, 0x00, 0x08, 0, 0)));
            Assert.That(t[48..64], Is.EqualTo(B(0, 0x08, 0x60, 0x00, 0x04, 0x61, 0x00, 0x04, 0x62, 0x00, 0x08, 0x63, 0x00, 0x08, 0, 0)));
            Assert.That(t[64..80], Is.EqualTo(B(0, 0x10, 0x61, 0x00, 0x04, 0x62, 0x00, 0x08, 0x63, 0x00, 0x08, 0x60, 0x00, 0x04, 2, 0)));
        });
    }

    static readonly SmbiosPlatform Platform = new(128UL << 20, 0, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(),
        "GenuineIntel", "CPU X", 0x619, 0x8F3D, 0x0D);

    /// <summary>The structures of a table, each its whole bytes (formatted area and strings).</summary>
    static List<byte[]> Structures(byte[] tables)
    {
        var list = new List<byte[]>();
        int o = 0;
        while (o < tables.Length)
        {
            int start = o;
            o += tables[o + 1];
            while (!(tables[o] == 0 && tables[o + 1] == 0)) o++;
            o += 2;
            list.Add(tables[start..o]);
        }
        return list;
    }

    [Test]
    public void Smbios_structures()
    {
        var s = Structures(Smbios.Build(Platform).Tables);
        Assert.Multiple(() =>
        {
            Assert.That(s.Select(x => (int)x[0]), Is.EqualTo(new[] { 1, 3, 4, 16, 17, 19, 32, 127 }));
            // Type 1: 1Bh bytes, handle 0100h, manufacturer 1, product 2, no version/serial, the UUID, power switch, no SKU/family.
            Assert.That(s[0], Is.EqualTo(B(1, 0x1B, 0, 1, 1, 2, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 6, 0, 0)
                .Concat(A("emu\0Standard PC (i440FX + PIIX, 1996)\0\0"))));
            // Type 3: 16h bytes, manufacturer 1, type Other, states Safe, security Unknown, no elements, no SKU.
            Assert.That(s[1], Is.EqualTo(B(3, 0x16, 0, 3, 1, 1, 0, 0, 0, 3, 3, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0).Concat(A("emu\0\0"))));
            // Type 4: 2Ah bytes; socket 1, central, Pentium Pro, vendor 2, ID = signature and features, version 3,
            // speeds unknown, populated and enabled, no caches, one core and thread, family 2 = 000Dh.
            Assert.That(s[2][..0x2A], Is.EqualTo(B(4, 0x2A, 0, 4, 1, 3, 0x0D, 2, 0x19, 0x06, 0, 0, 0x3D, 0x8F, 0, 0,
                3, 0, 0, 0, 0, 0, 0, 0, 0x41, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 1, 1, 2, 0, 0x0D, 0)));
            Assert.That(s[2][0x2A..], Is.EqualTo(A("CPU 0\0GenuineIntel\0CPU X\0\0")));
            // Type 16: 17h bytes; board, system memory, no ECC, 128 MiB = 20000h KiB, no error info, 1 device.
            Assert.That(s[3], Is.EqualTo(B(16, 0x17, 0, 0x10, 3, 3, 3, 0, 0, 2, 0, 0xFE, 0xFF, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            // Type 17: 28h bytes; array 1000h, widths unknown, 128 MiB, DIMM, locator 1, RAM, detail Other, manufacturer 2.
            Assert.That(s[4][..0x18], Is.EqualTo(B(17, 0x28, 0, 0x11, 0, 0x10, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 128, 0,
                9, 0, 1, 0, 7, 2, 0, 0, 0, 2)));
            Assert.That(s[4][0x18..0x28], Is.All.EqualTo(0));
            Assert.That(s[4][0x28..], Is.EqualTo(A("DIMM 0\0emu\0\0")));
            // Type 19: 1Fh bytes; KiB 0 to 1FFFFh, array 1000h, partition width 1.
            Assert.That(s[5], Is.EqualTo(B(19, 0x1F, 0, 0x13, 0, 0, 0, 0, 0xFF, 0xFF, 1, 0, 0, 0x10, 1,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            Assert.That(s[6], Is.EqualTo(B(32, 0x0B, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            Assert.That(s[7], Is.EqualTo(B(127, 4, 0, 0x7F, 0, 0)));
        });
    }

    [Test]
    public void Smbios_entry_point_for_a_table_at_address_zero()
    {
        var files = Smbios.Build(Platform);
        var a = files.Anchor;
        int max = Structures(files.Tables).Max(x => x.Length);
        Assert.Multiple(() =>
        {
            Assert.That(a, Has.Length.EqualTo(0x1F));
            Assert.That(a[..4], Is.EqualTo(A("_SM_")));
            Assert.That(a[5..0x10], Is.EqualTo(B(0x1F, 2, 8, max, 0, 0, 0, 0, 0, 0, 0)));
            Assert.That(a[0x10..0x15], Is.EqualTo(A("_DMI_")));
            Assert.That(a[0x16..0x1F], Is.EqualTo(B(files.Tables.Length & 0xFF, files.Tables.Length >> 8, 0, 0, 0, 0, 8, 0, 0x28)));
            Assert.That(AcpiTable.Sum(a.AsSpan(0x10)), Is.EqualTo(0), "intermediate checksum");
            Assert.That(AcpiTable.Sum(a), Is.EqualTo(0), "entry point checksum");
        });
    }

    [Test]
    public void Smbios_mapped_address_of_3_5_gib()
    {
        var s = Structures(Smbios.Build(Platform with { RamBelow4G = 0xE000_0000 }).Tables);
        // End address (E0000000h >> 10) - 1 = 37FFFFh KiB; capacity 380000h KiB; size 3584 = E00h MiB.
        Assert.Multiple(() =>
        {
            Assert.That(s[5][4..12], Is.EqualTo(B(0, 0, 0, 0, 0xFF, 0xFF, 0x37, 0)));
            Assert.That(s[3][7..11], Is.EqualTo(B(0, 0, 0x38, 0)));
            Assert.That(s[4][0x0C..0x0E], Is.EqualTo(B(0x00, 0x0E)));
        });
    }

    [Test]
    public void Legacy_loader_script_links_the_mp_floating_pointer()
    {
        var files = LegacyTables.Build(Mp, PirTable.Build([1], (d, p) => p - 1, [10, 10, 11, 11]));
        var loaded = TableLoader.Execute(files.Loader, name => name switch
        {
            LegacyTables.MpFile => files.MpTable,
            LegacyTables.PirFile => files.Pir,
            _ => null,
        }, (name, size, align, zone) =>
        {
            Assert.That((align, zone), Is.EqualTo((16u, BiosLinkerLoader.ZoneFseg)), name);
            return name == LegacyTables.MpFile ? 0xF5A30UL : 0xF6000UL;
        });
        var mp = loaded.Single(l => l.Name == LegacyTables.MpFile).Data;
        Assert.Multiple(() =>
        {
            Assert.That(files.Loader, Has.Length.EqualTo(4 * 128));
            // The pointer is the file's address + 16; the 16 bytes sum to zero.
            Assert.That(mp[4..8], Is.EqualTo(B(0x40, 0x5A, 0x0F, 0)));
            Assert.That(AcpiTable.Sum(mp.AsSpan(0, 16)), Is.EqualTo(0));
            Assert.That(mp[16..], Is.EqualTo(files.MpTable[16..]), "the configuration table is not patched");
            Assert.That(loaded.Single(l => l.Name == LegacyTables.PirFile).Data, Is.EqualTo(files.Pir));
        });
    }
}
