using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// The common parts of ACPI tables: the 36-byte system description table header (ACPI 6.4,
/// 5.2.6) and the byte checksum every table but the FACS carries (the bytes of the table sum to
/// zero, 5.2.6 "Checksum").
/// </summary>
public static class AcpiTable
{
    public const int HeaderLength = 36;
    public const int ChecksumOffset = 9;

    /// <summary>The machine's OEM ID (6 characters) and OEM table ID (8), as QEMU uses "BOCHS " and "BXPC    ".</summary>
    public const string OemId = "EMU   ", OemTableId = "EMUPC   ";
    public const uint OemRevision = 1;
    /// <summary>Creator ID and revision: the tool that made the table (here the emulator's builder).</summary>
    public const string CreatorId = "EMU ";
    public const uint CreatorRevision = 1;

    /// <summary>A new table of <paramref name="length"/> bytes with its header filled and a zero checksum.</summary>
    public static byte[] Create(string signature, int length, byte revision)
    {
        var t = new byte[length];
        Encoding.ASCII.GetBytes(signature, t.AsSpan(0, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(4), (uint)length);
        t[8] = revision;
        Encoding.ASCII.GetBytes(OemId, t.AsSpan(10, 6));
        Encoding.ASCII.GetBytes(OemTableId, t.AsSpan(16, 8));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(24), OemRevision);
        Encoding.ASCII.GetBytes(CreatorId, t.AsSpan(28, 4));
        BinaryPrimitives.WriteUInt32LittleEndian(t.AsSpan(32), CreatorRevision);
        return t;
    }

    /// <summary>The 8-bit sum of <paramref name="bytes"/>.</summary>
    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes) sum += b;
        return sum;
    }

    /// <summary>Sets the byte at <paramref name="checksumOffset"/> so that <paramref name="bytes"/> sum to zero.</summary>
    public static void SetChecksum(Span<byte> bytes, int checksumOffset)
    {
        bytes[checksumOffset] = 0;
        bytes[checksumOffset] = (byte)-Sum(bytes);
    }
}
