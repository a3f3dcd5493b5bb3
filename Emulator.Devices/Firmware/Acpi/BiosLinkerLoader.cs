using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// Writes QEMU's BIOS linker/loader script, the fw_cfg file <c>etc/table-loader</c> (QEMU's
/// hw/acpi/bios-linker-loader.c; SeaBIOS's romfile_loader): a sequence of 128-byte little-endian
/// entries, a 32-bit command then its arguments, which tell firmware to allocate memory for
/// fw_cfg files and copy them there, to add the address of one file to a pointer inside another,
/// and to set table checksums after the pointers are patched.
/// </summary>
/// <remarks>
/// Entries: ALLOCATE (1): file name (56 bytes, NUL-padded), 32-bit alignment (a power of 2),
/// 8-bit zone (1 high memory, 2 the F segment below 1 MiB). ADD_POINTER (2): destination file,
/// source file, 32-bit offset of the pointer in the destination, 8-bit pointer size (1, 2, 4
/// or 8); the pointer holds an offset into the source file and the loader adds the source's
/// address. ADD_CHECKSUM (3): file, 32-bit offset of the checksum byte, 32-bit start and length
/// of the summed range; the loader subtracts the range's sum from the checksum byte. QEMU's
/// WRITE_POINTER (4) is not used by these tables.
/// </remarks>
public sealed class BiosLinkerLoader
{
    public const int EntrySize = 128, FileNameSize = 56;
    public const uint CommandAllocate = 1, CommandAddPointer = 2, CommandAddChecksum = 3, CommandWritePointer = 4;
    public const byte ZoneHigh = 1, ZoneFseg = 2;

    /// <summary>The fw_cfg file names QEMU uses.</summary>
    public const string ScriptFile = "etc/table-loader", TablesFile = "etc/acpi/tables", RsdpFile = "etc/acpi/rsdp";

    readonly List<byte[]> entries = new();

    public void Allocate(string file, uint align, byte zone)
    {
        var e = Entry(CommandAllocate);
        Name(e, 4, file);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4 + FileNameSize), align);
        e[8 + FileNameSize] = zone;
    }

    public void AddPointer(string destFile, string srcFile, uint offset, byte size)
    {
        var e = Entry(CommandAddPointer);
        Name(e, 4, destFile);
        Name(e, 4 + FileNameSize, srcFile);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4 + 2 * FileNameSize), offset);
        e[8 + 2 * FileNameSize] = size;
    }

    public void AddChecksum(string file, uint offset, uint start, uint length)
    {
        var e = Entry(CommandAddChecksum);
        Name(e, 4, file);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(4 + FileNameSize), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(8 + FileNameSize), start);
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(12 + FileNameSize), length);
    }

    /// <summary>The script: the entries in the order they were added.</summary>
    public byte[] ToArray()
    {
        var script = new byte[entries.Count * EntrySize];
        for (int i = 0; i < entries.Count; i++) entries[i].CopyTo(script, i * EntrySize);
        return script;
    }

    byte[] Entry(uint command)
    {
        var e = new byte[EntrySize];
        BinaryPrimitives.WriteUInt32LittleEndian(e, command);
        entries.Add(e);
        return e;
    }

    static void Name(byte[] e, int at, string name)
    {
        if (name.Length >= FileNameSize) throw new ArgumentException($"loader file name '{name}' is too long", nameof(name));
        Encoding.ASCII.GetBytes(name, e.AsSpan(at, FileNameSize - 1));
    }
}
