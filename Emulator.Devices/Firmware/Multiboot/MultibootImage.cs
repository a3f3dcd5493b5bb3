using System.Buffers.Binary;

namespace Emulator.Devices.Firmware.Multiboot;

/// <summary>
/// A kernel image with a Multiboot 1 header (Multiboot Specification 0.6.96, 3.1 "OS image format"):
/// the header lies 4-byte aligned in the first 8192 bytes; with flag 16 its address fields say where
/// the file goes (the "a.out kludge"), otherwise the image is a 32-bit ELF executable whose PT_LOAD
/// segments are loaded at their physical addresses. Of the required flags (bits 0-15), 0 (page-align
/// modules) and 1 (memory information) are honoured; 2 (a video mode) is accepted and ignored, as
/// QEMU does, so no video fields are passed; any other required bit refuses the image as the
/// specification asks.
/// </summary>
public sealed class MultibootImage
{
    public const uint HeaderMagic = 0x1BADB002;
    const int SearchLength = 8192;
    const uint PageAlignModules = 1, MemoryInfo = 2, VideoMode = 4, AddressFields = 1 << 16;

    /// <summary>One piece of the image in memory: <see cref="Data"/> at <see cref="Address"/>, then zeros up to <see cref="MemorySize"/> bytes (bss).</summary>
    public sealed record Segment(ulong Address, byte[] Data, ulong MemorySize);

    public uint Flags { get; }
    public IReadOnlyList<Segment> Segments { get; }
    /// <summary>The physical address the CPU starts at.</summary>
    public uint Entry { get; }
    /// <summary>The first byte after everything the image occupies (its highest segment's end, bss included).</summary>
    public ulong End => Segments.Max(s => s.Address + s.MemorySize);

    /// <summary>True when <paramref name="image"/> has a valid Multiboot header (magic, and flags and checksum summing to zero).</summary>
    public static bool HasHeader(byte[] image) => FindHeader(image) >= 0;

    static int FindHeader(byte[] image)
    {
        int limit = Math.Min(image.Length, SearchLength) - 12;
        for (int at = 0; at <= limit; at += 4)
        {
            var h = image.AsSpan(at);
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
            if (magic != HeaderMagic) continue;
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
            if (unchecked(magic + flags + checksum) == 0) return at;
        }
        return -1;
    }

    /// <exception cref="InvalidDataException">No usable Multiboot header, or a layout that cannot be loaded (one line saying why).</exception>
    public MultibootImage(byte[] image)
    {
        int header = FindHeader(image);
        if (header < 0) throw new InvalidDataException("no Multiboot header (magic 0x1BADB002 with a valid checksum) in the first 8192 bytes");
        Flags = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(header + 4));
        uint unsupported = Flags & 0xFFFF & ~(PageAlignModules | MemoryInfo | VideoMode);
        if (unsupported != 0) throw new InvalidDataException($"the Multiboot header requires features emu does not provide (flags 0x{unsupported:x})");
        (Segments, Entry) = (Flags & AddressFields) != 0 ? FromAddressFields(image, header) : FromElf(image);
    }

    /// <summary>The a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr (spec 3.1.3).</summary>
    static (Segment[], uint) FromAddressFields(byte[] image, int header)
    {
        if (header + 32 > image.Length) throw new InvalidDataException("the Multiboot header's address fields run past the end of the file");
        uint Field(int n) => BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(header + 12 + 4 * n));
        uint headerAddr = Field(0), loadAddr = Field(1), loadEndAddr = Field(2), bssEndAddr = Field(3), entry = Field(4);
        if (loadAddr > headerAddr || headerAddr - loadAddr > (uint)header)
            throw new InvalidDataException($"Multiboot load_addr 0x{loadAddr:x} does not lie before header_addr 0x{headerAddr:x} in the file");
        long fileOffset = header - (long)(headerAddr - loadAddr);
        long length = loadEndAddr == 0 ? image.Length - fileOffset : (long)loadEndAddr - loadAddr;
        if (length <= 0 || fileOffset + length > image.Length)
            throw new InvalidDataException($"Multiboot load_end_addr 0x{loadEndAddr:x} lies outside the file");
        ulong memorySize = bssEndAddr == 0 ? (ulong)length : bssEndAddr < loadAddr + length
            ? throw new InvalidDataException($"Multiboot bss_end_addr 0x{bssEndAddr:x} lies before the loaded data ends")
            : bssEndAddr - (ulong)loadAddr;
        return ([new Segment(loadAddr, image.AsSpan((int)fileOffset, (int)length).ToArray(), memorySize)], entry);
    }

    /// <summary>An ELF32 i386 executable (System V ABI, ELF header and program headers).</summary>
    static (Segment[], uint) FromElf(byte[] image)
    {
        if (image.Length < 52 || BinaryPrimitives.ReadUInt32BigEndian(image) != 0x7F454C46)
            throw new InvalidDataException("the Multiboot header has no address fields (flag 16) and the file is not ELF");
        if (image[4] != 1) throw new InvalidDataException("64-bit ELF kernels cannot be booted by Multiboot 1 (a 32-bit ELF is needed)");
        if (image[5] != 1 || BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(18)) != 3)
            throw new InvalidDataException("the ELF kernel is not a little-endian i386 executable");
        uint entry = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(24));
        uint phoff = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(28));
        int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(42));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(44));
        if (phentsize < 32 || phoff + (ulong)(phentsize * phnum) > (ulong)image.Length)
            throw new InvalidDataException("the ELF kernel's program headers lie outside the file");
        var segments = new List<Segment>();
        uint physicalEntry = entry;
        for (int i = 0; i < phnum; i++)
        {
            var ph = image.AsSpan((int)phoff + i * phentsize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 1) continue;   // PT_LOAD only
            uint offset = BinaryPrimitives.ReadUInt32LittleEndian(ph[4..]);
            uint vaddr = BinaryPrimitives.ReadUInt32LittleEndian(ph[8..]);
            uint paddr = BinaryPrimitives.ReadUInt32LittleEndian(ph[12..]);
            uint filesz = BinaryPrimitives.ReadUInt32LittleEndian(ph[16..]);
            uint memsz = BinaryPrimitives.ReadUInt32LittleEndian(ph[20..]);
            if ((ulong)offset + filesz > (ulong)image.Length || memsz < filesz)
                throw new InvalidDataException($"the ELF kernel's segment {i} lies outside the file");
            segments.Add(new Segment(paddr, image.AsSpan((int)offset, (int)filesz).ToArray(), memsz));
            // A kernel linked to run high (vaddr != paddr) starts at the physical address of its entry.
            if (entry >= vaddr && entry - vaddr < memsz) physicalEntry = paddr + (entry - vaddr);
        }
        if (segments.Count == 0) throw new InvalidDataException("the ELF kernel has no loadable segment");
        return (segments.ToArray(), physicalEntry);
    }
}
