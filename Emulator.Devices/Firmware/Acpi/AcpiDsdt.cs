using System.Buffers.Binary;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// The Differentiated System Description Table: the AML iasl compiled from <c>dsdt.dsl</c>
/// (embedded as the resource <c>acpi/dsdt.aml</c>), with two DWord Names patched for the
/// machine's configuration, as QEMU once patched its static DSDT: <c>PMLO</c>, the start of the
/// 32-bit PCI memory window (the top of RAM below 4 GiB), and <c>DEVS</c>, the ISA devices that
/// exist (bits 0-3 COM1-COM4, bit 4 the floppy controller). The checksum is then recomputed.
/// </summary>
public static class AcpiDsdt
{
    public const string ResourceName = "acpi/dsdt.aml";
    public const uint DevsFloppy = 0x10;

    /// <summary>The AML exactly as compiled.</summary>
    public static byte[] Compiled()
    {
        using var stream = typeof(AcpiDsdt).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded resource {ResourceName} is missing from the build");
        var aml = new byte[stream.Length];
        stream.ReadExactly(aml);
        return aml;
    }

    public static byte[] Build(AcpiPlatform p)
    {
        var aml = Compiled();
        // The window ends below the IOAPIC at FEC00000, so RAM cannot reach it; clamp to keep it non-empty.
        uint pciStart = (uint)Math.Min(p.RamBelow4G, 0xFEB0_0000UL);
        PatchName(aml, "PMLO", pciStart);
        uint devs = (uint)((1 << Math.Clamp(p.SerialPorts, 0, 4)) - 1) | (p.FloppyController ? DevsFloppy : 0);
        PatchName(aml, "DEVS", devs);
        AcpiTable.SetChecksum(aml, AcpiTable.ChecksumOffset);
        return aml;
    }

    /// <summary>
    /// Sets the value of <c>Name (<paramref name="name"/>, DWordConst)</c>: the AML NameOp (0x08),
    /// the name segment, DWordPrefix (0x0C) and four bytes (ACPI 6.4, 20.2.5.1 and 20.2.3).
    /// </summary>
    static void PatchName(byte[] aml, string name, uint value)
    {
        ReadOnlySpan<byte> pattern = [0x08, (byte)name[0], (byte)name[1], (byte)name[2], (byte)name[3], 0x0C];
        int at = aml.AsSpan().IndexOf(pattern);
        if (at < 0 || aml.AsSpan(at + 1).IndexOf(pattern) >= 0)
            throw new InvalidOperationException($"the DSDT has no single DWord Name {name}");
        BinaryPrimitives.WriteUInt32LittleEndian(aml.AsSpan(at + pattern.Length), value);
    }
}
