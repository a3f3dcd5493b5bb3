using System.Buffers.Binary;
using System.Text;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Tests.Firmware;

/// <summary>The fixed tables field by field against the ACPI 1.0b/6.4 layouts and the HPET spec.</summary>
public class AcpiTableTests
{
    static readonly AcpiPlatform Platform = new(128UL << 20, 0x600, 9, 1, true);

    static uint U32(byte[] t, int o) => BinaryPrimitives.ReadUInt32LittleEndian(t.AsSpan(o));
    static ushort U16(byte[] t, int o) => BinaryPrimitives.ReadUInt16LittleEndian(t.AsSpan(o));
    static string Ascii(byte[] t, int o, int n) => Encoding.ASCII.GetString(t, o, n);

    static void AssertHeader(byte[] t, string signature, int length, byte revision)
    {
        Assert.That(Ascii(t, 0, 4), Is.EqualTo(signature));
        Assert.That(U32(t, 4), Is.EqualTo(length));
        Assert.That(t, Has.Length.EqualTo(length));
        Assert.That(t[8], Is.EqualTo(revision));
        Assert.That(Ascii(t, 10, 6), Is.EqualTo("EMU   "));
        Assert.That(Ascii(t, 16, 8), Is.EqualTo("EMUPC   "));
        Assert.That(AcpiTable.Sum(t), Is.EqualTo(0), "checksum");
    }

    [Test]
    public void Fadt_describes_the_piix4_pm_block()
    {
        var t = Fadt.Build(Platform, 0x1234, 0x5678);
        Assert.Multiple(() =>
        {
            AssertHeader(t, "FACP", 116, 1);
            Assert.That(U32(t, 36), Is.EqualTo(0x1234), "FIRMWARE_CTRL");
            Assert.That(U32(t, 40), Is.EqualTo(0x5678), "DSDT");
            Assert.That(t[44], Is.EqualTo(1), "INT_MODEL");
            Assert.That(U16(t, 46), Is.EqualTo(9), "SCI_INT");
            Assert.That(U32(t, 48), Is.EqualTo(0xB2), "SMI_CMD");
            Assert.That(t[52], Is.EqualTo(0xF1), "ACPI_ENABLE");
            Assert.That(t[53], Is.EqualTo(0xF0), "ACPI_DISABLE");
            Assert.That(U32(t, 56), Is.EqualTo(0x600), "PM1a_EVT_BLK");
            Assert.That(U32(t, 60), Is.EqualTo(0), "PM1b_EVT_BLK");
            Assert.That(U32(t, 64), Is.EqualTo(0x604), "PM1a_CNT_BLK");
            Assert.That(U32(t, 68), Is.EqualTo(0), "PM1b_CNT_BLK");
            Assert.That(U32(t, 72), Is.EqualTo(0), "PM2_CNT_BLK");
            Assert.That(U32(t, 76), Is.EqualTo(0x608), "PM_TMR_BLK");
            Assert.That(U32(t, 80), Is.EqualTo(0xAFE0), "GPE0_BLK");
            Assert.That(U32(t, 84), Is.EqualTo(0), "GPE1_BLK");
            Assert.That(t.AsSpan(88, 6).ToArray(), Is.EqualTo(new byte[] { 4, 2, 0, 4, 4, 0 }), "block lengths");
            Assert.That(U16(t, 96), Is.EqualTo(0x0FFF), "P_LVL2_LAT");
            Assert.That(U16(t, 98), Is.EqualTo(0x03E9), "P_LVL3_LAT");
            Assert.That(t[108], Is.EqualTo(0x32), "CENTURY");
            // WBINVD (0), PROC_C1 (2), SLP_BUTTON (5), RTC_S4 (7), USE_PLATFORM_CLOCK (15).
            Assert.That(U32(t, 112), Is.EqualTo(0x0000_80A5), "Flags");
        });
    }

    [Test]
    public void Madt_lists_the_apics_and_the_overrides()
    {
        var t = Madt.Build();
        byte[] expected =
        [
            0x00, 0x00, 0xE0, 0xFE, 0x01, 0x00, 0x00, 0x00,             // local APIC address, PCAT_COMPAT
            0, 8, 0, 0, 1, 0, 0, 0,                                     // local APIC: UID 0, ID 0, enabled
            1, 12, 0, 0, 0x00, 0x00, 0xC0, 0xFE, 0, 0, 0, 0,            // IOAPIC 0 at FEC00000, GSI 0
            2, 10, 0, 0, 2, 0, 0, 0, 0, 0,                              // ISA IRQ 0 -> GSI 2, conforming
            2, 10, 0, 5, 5, 0, 0, 0, 0x0D, 0,                           // IRQ 5 level, active high
            2, 10, 0, 9, 9, 0, 0, 0, 0x0D, 0,
            2, 10, 0, 10, 10, 0, 0, 0, 0x0D, 0,
            2, 10, 0, 11, 11, 0, 0, 0, 0x0D, 0,
            4, 6, 0xFF, 0, 0, 1,                                        // local APIC NMI on LINT1
        ];
        Assert.Multiple(() =>
        {
            AssertHeader(t, "APIC", 36 + expected.Length, 1);
            Assert.That(t.AsSpan(36).ToArray(), Is.EqualTo(expected));
        });
    }

    [Test]
    public void Hpet_table_gives_the_block_id_and_address()
    {
        var t = HpetTable.Build();
        Assert.Multiple(() =>
        {
            AssertHeader(t, "HPET", 56, 1);
            Assert.That(U32(t, 36), Is.EqualTo(0x8086_A201), "event timer block ID: 3 timers, legacy route capable, vendor 8086");
            Assert.That(t.AsSpan(40, 4).ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 0 }), "GAS: system memory");
            Assert.That(BinaryPrimitives.ReadUInt64LittleEndian(t.AsSpan(44)), Is.EqualTo(0xFED0_0000UL));
            Assert.That(t.AsSpan(52, 4).ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 0 }), "HPET 0, no minimum tick, no page protection");
        });
    }
}
