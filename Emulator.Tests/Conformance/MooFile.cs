using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Emulator.Tests.Conformance;

/// <summary>
/// A SingleStepTests MOO file (gzip-compressed, little-endian): the <c>"MOO "</c> header
/// chunk, then <c>TEST</c> chunks each made of sub-chunks (NAME, BYTS, INIT, FINA, EXCP,
/// HASH, ...). Unknown chunk tags are skipped, as the format asks.
/// </summary>
public sealed class MooFile
{
    MooFile(byte version, uint declaredCount, string cpuName, IReadOnlyList<MooTest> tests)
    {
        Version = version;
        DeclaredCount = declaredCount;
        CpuName = cpuName;
        Tests = tests;
    }

    public byte Version { get; }

    /// <summary>The test count the header declares.</summary>
    public uint DeclaredCount { get; }

    /// <summary>The 4-character CPU name, e.g. <c>C286</c>.</summary>
    public string CpuName { get; }

    public IReadOnlyList<MooTest> Tests { get; }

    /// <summary>Reads a <c>.MOO.gz</c> file (or an uncompressed <c>.MOO</c> file).</summary>
    public static MooFile Load(string path)
    {
        using var file = File.OpenRead(path);
        using Stream input = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : file;
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Parses the decompressed bytes of a MOO file.</summary>
    public static MooFile Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ChunkReader(data);
        if (!reader.Next(out var tag, out var header) || tag != "MOO ")
            throw new InvalidDataException("not a MOO file (missing \"MOO \" header chunk)");
        if (header.Length < 12) throw new InvalidDataException("MOO header too short");
        byte version = header[0];
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        string cpu = Encoding.ASCII.GetString(header.Slice(8, 4));

        var tests = new List<MooTest>((int)Math.Min(count, 1_000_000));
        while (reader.Next(out tag, out var payload))
        {
            if (tag == "TEST") tests.Add(ParseTest(payload));
        }
        return new MooFile(version, count, cpu, tests);
    }

    static MooTest ParseTest(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4) throw new InvalidDataException("TEST chunk too short");
        int index = BinaryPrimitives.ReadInt32LittleEndian(payload);
        string? name = null;
        byte[]? bytes = null;
        MooState? initial = null, final = null;
        MooException? exception = null;
        string hash = "";

        var reader = new ChunkReader(payload[4..]);
        while (reader.Next(out var tag, out var body))
        {
            switch (tag)
            {
                case "NAME":
                    name = Encoding.UTF8.GetString(LengthPrefixed(body, 1));
                    break;
                case "BYTS":
                    bytes = LengthPrefixed(body, 1).ToArray();
                    break;
                case "INIT":
                    initial = ParseState(body);
                    break;
                case "FINA":
                    final = ParseState(body);
                    break;
                case "EXCP":
                    if (body.Length < 5) throw new InvalidDataException("EXCP chunk too short");
                    exception = new MooException(body[0], BinaryPrimitives.ReadUInt32LittleEndian(body[1..]));
                    break;
                case "HASH":
                    hash = Convert.ToHexStringLower(body);
                    break;
            }
        }
        return new MooTest(
            index,
            name ?? throw new InvalidDataException($"test {index}: no NAME"),
            bytes ?? throw new InvalidDataException($"test {index}: no BYTS"),
            initial ?? throw new InvalidDataException($"test {index}: no INIT"),
            final ?? throw new InvalidDataException($"test {index}: no FINA"),
            exception,
            hash);
    }

    static MooState ParseState(ReadOnlySpan<byte> payload)
    {
        var registers = MooRegisters.Empty;
        MooRamByte[] ram = [];
        var reader = new ChunkReader(payload);
        while (reader.Next(out var tag, out var body))
        {
            switch (tag)
            {
                case "REGS":
                    registers = ParseRegisters(body);
                    break;
                case "RAM ":
                    ram = ParseRam(body);
                    break;
                // QUEU (prefetch queue) and anything unknown: ignored.
            }
        }
        return new MooState(registers, ram);
    }

    static MooRegisters ParseRegisters(ReadOnlySpan<byte> body)
    {
        ushort mask = BinaryPrimitives.ReadUInt16LittleEndian(body);
        var values = new ushort[MooRegisters.Count];
        int offset = 2;
        for (int i = 0; i < MooRegisters.Count; i++)
        {
            if ((mask >> i & 1) == 0) continue;
            values[i] = BinaryPrimitives.ReadUInt16LittleEndian(body[offset..]);
            offset += 2;
        }
        return new MooRegisters((ushort)(mask & ((1 << MooRegisters.Count) - 1)), values);
    }

    static MooRamByte[] ParseRam(ReadOnlySpan<byte> body)
    {
        int count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(body));
        if (body.Length < 4 + 5L * count) throw new InvalidDataException("RAM chunk too short");
        var ram = new MooRamByte[count];
        for (int i = 0; i < count; i++)
        {
            var entry = body.Slice(4 + 5 * i, 5);
            ram[i] = new MooRamByte(BinaryPrimitives.ReadUInt32LittleEndian(entry), entry[4]);
        }
        return ram;
    }

    /// <summary>A u32 count followed by count elements of <paramref name="elementSize"/> bytes.</summary>
    static ReadOnlySpan<byte> LengthPrefixed(ReadOnlySpan<byte> body, int elementSize)
    {
        int count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(body));
        return body.Slice(4, count * elementSize);
    }

    /// <summary>Walks a sequence of chunks: 4-byte ASCII tag, u32 length, payload.</summary>
    ref struct ChunkReader(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> rest = data;

        public bool Next(out string tag, out ReadOnlySpan<byte> payload)
        {
            if (rest.Length < 8)
            {
                tag = "";
                payload = default;
                return false;
            }
            tag = Encoding.ASCII.GetString(rest[..4]);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            if (length > (uint)(rest.Length - 8)) throw new InvalidDataException($"chunk '{tag}' overruns its container");
            payload = rest.Slice(8, (int)length);
            rest = rest[(8 + (int)length)..];
            return true;
        }
    }
}
