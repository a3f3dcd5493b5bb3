using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Memory;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Finds the machine description tables in guest memory the way an OS does, after a firmware's
/// POST: by signature on 16-byte boundaries in the areas the specifications name, checking each
/// checksum on the way. Returns what was found, with where it is, for the tests to compare.
/// </summary>
public sealed class TableScan(PhysicalMemory memory)
{
    public byte[] Read(ulong address, int length)
    {
        var b = new byte[length];
        memory.Read(address, b);
        return b;
    }

    public static uint U32(byte[] t, int o) => BinaryPrimitives.ReadUInt32LittleEndian(t.AsSpan(o));
    public static ushort U16(byte[] t, int o) => BinaryPrimitives.ReadUInt16LittleEndian(t.AsSpan(o));
    public static string Ascii(byte[] t, int o, int n) => Encoding.ASCII.GetString(t, o, n);

    /// <summary>The first 16-byte-aligned address in [from, to) where <paramref name="signature"/> starts and
    /// <paramref name="length"/> (of the bytes found there) bytes sum to zero, or null.</summary>
    public ulong? Find(string signature, ulong from, ulong to, Func<byte[], int> length)
    {
        for (ulong a = from; a < to; a += 16)
        {
            var head = Read(a, 32);
            if (Ascii(head, 0, signature.Length) != signature) continue;
            int n = length(head);
            if (n > 0 && a + (ulong)n <= to + 0x10000 && AcpiTable.Sum(Read(a, n)) == 0) return a;
        }
        return null;
    }

    /// <summary>An ACPI table at <paramref name="address"/>, its length from its header.</summary>
    public byte[] AcpiAt(ulong address) => Read(address, (int)U32(Read(address + 4, 4), 0));

    /// <summary>One table found: its signature, address and bytes.</summary>
    public sealed record Found(string Signature, ulong Address, byte[] Bytes);

    /// <summary>The ACPI tables reached from the RSDP in E0000-FFFFF (ACPI 6.4 5.2.5.1): RSDP, RSDT, the tables
    /// it lists, and the FADT's FACS and DSDT.</summary>
    public IReadOnlyList<Found> Acpi()
    {
        var rsdp = Find("RSD PTR ", 0xE0000, 0x100000, _ => 20) ?? throw new AssertionException("no RSDP in E0000-FFFFF");
        var found = new List<Found> { new("RSD PTR ", rsdp, Read(rsdp, 20)) };
        ulong rsdtAt = U32(found[0].Bytes, 16);
        var rsdt = AcpiAt(rsdtAt);
        found.Add(new("RSDT", rsdtAt, rsdt));
        for (int o = AcpiTable.HeaderLength; o + 4 <= rsdt.Length; o += 4)
        {
            ulong at = U32(rsdt, o);
            var t = AcpiAt(at);
            found.Add(new(Ascii(t, 0, 4), at, t));
            if (Ascii(t, 0, 4) == "FACP")
            {
                ulong facs = U32(t, 36), dsdt = U32(t, 40);
                found.Add(new("FACS", facs, Read(facs, 64)));
                found.Add(new("DSDT", dsdt, AcpiAt(dsdt)));
            }
        }
        return found;
    }
}
