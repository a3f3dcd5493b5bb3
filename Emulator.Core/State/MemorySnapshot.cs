using K4os.Compression.LZ4;
using Emulator.Core.Memory;

namespace Emulator.Core.State;

/// <summary>
/// Guest RAM, the A20 gate and the routes of the first megabyte (the i440FX PAM and SMRAM
/// decisions for A0000-FFFFF) in a snapshot. RAM goes in 64 KiB chunks: an all-zero chunk (most
/// of a guest's RAM) is one byte, the rest is LZ4 (its fast level, ~GB/s each way) or stored when
/// LZ4 does not make it smaller. ROM and device memory belong to their owners' sections.
/// </summary>
/// <remarks>Loading writes RAM behind the block cache's back: it loads after the CPU section
/// (as an <see cref="IPackedSection"/>, last), which dropped every decoded block and TLB entry.</remarks>
public sealed class MemorySnapshot(PhysicalMemory memory) : ISaveable, IPackedSection
{
    const int ChunkSize = 64 << 10;
    const byte ChunkZero = 0, ChunkLz4 = 1, ChunkStored = 2;
    /// <summary>The pages whose route the chipset sets (legacy video, expansion ROMs, BIOS).</summary>
    const ulong RoutedBase = 0xA_0000, RoutedEnd = 0x10_0000;

    public string SnapshotName => "ram";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(memory.RamSize);
        w.Write(memory.A20Enabled);
        for (ulong a = RoutedBase; a < RoutedEnd; a += PhysicalMemory.PageSize)
        {
            var (readRam, writeRam) = memory.GetRoute(a);
            w.Write((byte)((readRam ? 1 : 0) | (writeRam ? 2 : 0)));
        }
        var packed = new byte[LZ4Codec.MaximumOutputSize(ChunkSize)];
        for (ulong off = 0; off < memory.RamSize; off += ChunkSize)
        {
            ReadOnlySpan<byte> chunk = memory.RamSpan(off, (int)Math.Min(ChunkSize, memory.RamSize - off));
            if (!chunk.ContainsAnyExcept((byte)0))
            {
                w.Write(ChunkZero);
                continue;
            }
            int n = LZ4Codec.Encode(chunk, packed, LZ4Level.L00_FAST);
            if (n > 0 && n < chunk.Length)
            {
                w.Write(ChunkLz4);
                w.Write(n);
                w.Write(packed, 0, n);
            }
            else
            {
                w.Write(ChunkStored);
                w.Write(chunk);
            }
        }
    }

    /// <summary>
    /// Checks every chunk (unpacking each into a scratch buffer) before RAM is touched, then writes
    /// RAM: a bad section changes nothing, so the reader need not keep a copy of RAM to roll back.
    /// </summary>
    /// <exception cref="InvalidDataException">The RAM size differs or a chunk is malformed.</exception>
    public void LoadState(BinaryReader r, int version)
    {
        ulong size = r.ReadUInt64();
        if (size != memory.RamSize)
            throw new InvalidDataException($"the snapshot has {size >> 20} MiB of RAM, this machine {memory.RamSize >> 20} MiB");
        bool a20 = r.ReadBoolean();
        var routes = r.ReadBytes((int)((RoutedEnd - RoutedBase) / PhysicalMemory.PageSize));
        if (routes.Length * PhysicalMemory.PageSize != (int)(RoutedEnd - RoutedBase)) throw new EndOfStreamException();
        long chunksAt = r.BaseStream.Position;
        var scratch = new byte[ChunkSize];
        ReadChunks(r, scratch, write: false);
        r.BaseStream.Position = chunksAt;
        ReadChunks(r, scratch, write: true);
        memory.A20Enabled = a20;
        for (int i = 0; i < routes.Length; i++)
            memory.SetRoute(RoutedBase + (ulong)i * PhysicalMemory.PageSize, PhysicalMemory.PageSize, (routes[i] & 1) != 0, (routes[i] & 2) != 0);
    }

    /// <summary>Reads the chunks, into RAM when <paramref name="write"/>, else into <paramref name="scratch"/> to check them.</summary>
    /// <remarks>A zero chunk clears RAM only where it is not zero already: RAM the guest never
    /// wrote stays untouched, so a large, mostly empty RAM (native, see PhysicalMemory) costs
    /// the host no memory for its zeros after a load either.</remarks>
    void ReadChunks(BinaryReader r, byte[] scratch, bool write)
    {
        var packed = new byte[LZ4Codec.MaximumOutputSize(ChunkSize)];
        for (ulong off = 0; off < memory.RamSize; off += ChunkSize)
        {
            int length = (int)Math.Min(ChunkSize, memory.RamSize - off);
            var chunk = write ? memory.RamSpan(off, length) : scratch.AsSpan(0, length);
            switch (r.ReadByte())
            {
                case ChunkZero:
                    if (write && chunk.ContainsAnyExcept((byte)0)) chunk.Clear();
                    break;
                case ChunkLz4:
                    int n = r.ReadInt32();
                    if (n <= 0 || n > packed.Length) throw new InvalidDataException($"RAM chunk at {off:X} claims {n} packed bytes");
                    r.ReadExactly(packed.AsSpan(0, n));
                    if (LZ4Codec.Decode(packed.AsSpan(0, n), chunk) != chunk.Length)
                        throw new InvalidDataException($"RAM chunk at {off:X} does not unpack to {chunk.Length} bytes");
                    break;
                case ChunkStored:
                    r.ReadExactly(chunk);
                    break;
                case var kind:
                    throw new InvalidDataException($"RAM chunk at {off:X} has unknown kind {kind}");
            }
        }
    }
}
