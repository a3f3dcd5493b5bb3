using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// Runs a BIOS linker/loader script (<see cref="BiosLinkerLoader"/>) the way firmware does
/// (SeaBIOS's romfile_loader_execute): files are allocated where <c>allocate</c> says, pointers
/// and checksums patched in copies of the files. The caller then writes the files to guest memory.
/// Used by tests that check the script leads to valid tables (the firmware runs it in the guest).
/// </summary>
/// <remarks>Unknown commands are skipped, as SeaBIOS does. A malformed script (a reference to a
/// file not allocated, a range outside a file) throws: the scripts come from the machine, not the guest.</remarks>
public static class TableLoader
{
    /// <summary>One loaded file: where it was allocated and its patched bytes.</summary>
    public sealed record Loaded(string Name, ulong Address, byte[] Data, byte Zone);

    /// <param name="script">The loader script.</param>
    /// <param name="file">The fw_cfg file of a name, or null if there is none.</param>
    /// <param name="allocate">The address for a file: (name, size, alignment, zone) to address.</param>
    /// <exception cref="InvalidDataException">The script is malformed.</exception>
    public static IReadOnlyList<Loaded> Execute(byte[] script, Func<string, byte[]?> file, Func<string, int, uint, byte, ulong> allocate)
    {
        if (script.Length % BiosLinkerLoader.EntrySize != 0)
            throw new InvalidDataException("loader script is not a whole number of entries");
        var loaded = new List<Loaded>();
        Loaded Find(string name) => loaded.Find(l => l.Name == name)
            ?? throw new InvalidDataException($"loader script uses {name} before allocating it");
        const int F = BiosLinkerLoader.FileNameSize;
        for (int at = 0; at < script.Length; at += BiosLinkerLoader.EntrySize)
        {
            var e = script.AsSpan(at, BiosLinkerLoader.EntrySize);
            switch (BinaryPrimitives.ReadUInt32LittleEndian(e))
            {
                case BiosLinkerLoader.CommandAllocate:
                {
                    string name = Name(e[4..]);
                    var data = file(name) ?? throw new InvalidDataException($"loader script allocates missing file {name}");
                    uint align = BinaryPrimitives.ReadUInt32LittleEndian(e[(4 + F)..]);
                    if (align == 0 || (align & (align - 1)) != 0) throw new InvalidDataException($"bad alignment {align} for {name}");
                    byte zone = e[8 + F];
                    loaded.Add(new Loaded(name, allocate(name, data.Length, align, zone), (byte[])data.Clone(), zone));
                    break;
                }
                case BiosLinkerLoader.CommandAddPointer:
                {
                    var dest = Find(Name(e[4..]));
                    var src = Find(Name(e[(4 + F)..]));
                    uint offset = BinaryPrimitives.ReadUInt32LittleEndian(e[(4 + 2 * F)..]);
                    int size = e[8 + 2 * F];
                    if (size is not (1 or 2 or 4 or 8) || offset + (ulong)size > (ulong)dest.Data.Length)
                        throw new InvalidDataException($"bad pointer at {offset} size {size} in {dest.Name}");
                    var p = dest.Data.AsSpan((int)offset, size);
                    ulong value = 0;
                    for (int i = 0; i < size; i++) value |= (ulong)p[i] << (8 * i);
                    value += src.Address;
                    for (int i = 0; i < size; i++) p[i] = (byte)(value >> (8 * i));
                    break;
                }
                case BiosLinkerLoader.CommandAddChecksum:
                {
                    var f = Find(Name(e[4..]));
                    uint offset = BinaryPrimitives.ReadUInt32LittleEndian(e[(4 + F)..]);
                    uint start = BinaryPrimitives.ReadUInt32LittleEndian(e[(8 + F)..]);
                    uint length = BinaryPrimitives.ReadUInt32LittleEndian(e[(12 + F)..]);
                    if (offset >= f.Data.Length || start + (ulong)length > (ulong)f.Data.Length)
                        throw new InvalidDataException($"bad checksum range in {f.Name}");
                    f.Data[offset] -= AcpiTable.Sum(f.Data.AsSpan((int)start, (int)length));
                    break;
                }
            }
        }
        return loaded;
    }

    static string Name(ReadOnlySpan<byte> field)
    {
        field = field[..BiosLinkerLoader.FileNameSize];
        int end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
    }
}
