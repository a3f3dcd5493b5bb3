using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware.Multiboot;

/// <summary>
/// <c>-kernel</c> for a Multiboot 1 kernel the way QEMU's <c>load_multiboot</c> does it: through
/// the firmware. The board lays the kernel's segments (bss zeroed) and the modules (QEMU's
/// <c>-initrd "file args,file2"</c>, each page aligned after the kernel) out as one block for
/// <c>FW_CFG_KERNEL_ADDR/SIZE/DATA</c> with the entry in <c>FW_CFG_KERNEL_ENTRY</c>, and builds the
/// boot information (Multiboot Specification 0.6.96, 3.3) at <see cref="InfoAddress"/> for
/// <c>FW_CFG_INITRD_ADDR/SIZE/DATA</c>: flags (memory, command line, modules, memory map, loader
/// name), the strings, the module list and room for <see cref="MapRoom"/> memory-map entries. The
/// option ROM (bios/src/multiboot.asm, fw_cfg file <c>genroms/multiboot.bin</c>, first in
/// <c>bootorder</c>) copies both, fills mem_lower, mem_upper and the memory map from the BIOS
/// (INT 12h, INT 15h E801 and E820), and enters the kernel in the state spec 3.2 asks for.
/// No boot device (flag 1), symbol table (4/5), drives, APM or video (11) fields are given.
/// </summary>
public static class MultibootFwCfgBoot
{
    /// <summary>Where the boot information goes: below 1 MiB, where the real-mode ROM can write the map (QEMU's ADDR_MBI).</summary>
    public const uint InfoAddress = 0x9000;
    /// <summary>Memory-map entries the information has room for (the ROM stops there).</summary>
    public const int MapRoom = 32;
    public const string RomFile = "genroms/multiboot.bin";
    public const string BootPath = "/rom@" + RomFile;
    public const uint FlagMemory = 1 << 0, FlagCommandLine = 1 << 2, FlagModules = 1 << 3, FlagMemoryMap = 1 << 6, FlagLoaderName = 1 << 9;
    public const ushort KernelEntry = 0x10;
    const int InfoSize = 88, ModuleEntrySize = 16, MapEntrySize = 24;
    const ulong PageSize = 0x1000, LowestLoad = 0x1000, HoleStart = 0xA0000, HoleEnd = 0x100000;
    const string LoaderName = "emu";

    /// <summary>A module: its contents and its command line (the file name and any arguments).</summary>
    public sealed record Module(byte[] Data, string CommandLine);

    static ulong AlignUp(ulong value) => (value + PageSize - 1) & ~(PageSize - 1);

    /// <summary>The kernel-and-modules block's base and each module's address, after checking that all of it fits.</summary>
    /// <exception cref="InvalidDataException">Something does not fit (one line).</exception>
    public static (ulong Base, ulong[] Modules, ulong End) Plan(ulong ramSize, MultibootImage kernel, IReadOnlyList<Module> modules,
        string commandLine)
    {
        ulong ram = ramSize - Math.Min(ramSize, LinuxFwCfgBoot.FirmwareReserve);
        ulong infoEnd = InfoAddress + InfoBlockSize(modules, commandLine);
        if (infoEnd > HoleStart - 0x1000)
            throw new InvalidDataException("the Multiboot command lines do not fit below the EBDA");
        ulong blockBase = kernel.Segments.Min(s => s.Address);
        foreach (var s in kernel.Segments)
        {
            // The IVT/BDA page, the boot information and the 640 KiB-1 MiB hole are not RAM to load into.
            bool low = s.Address >= LowestLoad && s.Address + s.MemorySize <= HoleStart
                && (s.Address >= infoEnd || s.Address + s.MemorySize <= InfoAddress);
            if (!(low || s.Address >= HoleEnd) || s.Address + s.MemorySize > ram)
                throw new InvalidDataException($"the kernel's segment at 0x{s.Address:x} ({s.MemorySize} bytes) does not fit in {ramSize >> 20} MiB of RAM");
        }
        if (blockBase < HoleStart && kernel.End > HoleStart)
            throw new InvalidDataException("the kernel's segments lie both below 640 KiB and above 1 MiB, which one block cannot hold");
        ulong next = AlignUp(Math.Max(kernel.End, HoleEnd));
        var at = new ulong[modules.Count];
        for (int i = 0; i < modules.Count; i++)
        {
            at[i] = next;
            next = AlignUp(next + (ulong)modules[i].Data.Length);
        }
        ulong end = modules.Count > 0 ? at[^1] + (ulong)modules[^1].Data.Length : kernel.End;
        if (end > ram) throw new InvalidDataException($"the kernel and its modules do not fit in {ramSize >> 20} MiB of RAM");
        if (modules.Count > 0 && blockBase < HoleStart)
            throw new InvalidDataException("a kernel loaded below 640 KiB cannot have modules (they go above 1 MiB)");
        return (blockBase, at, end);
    }

    static ulong InfoBlockSize(IReadOnlyList<Module> modules, string commandLine) =>
        InfoSize + (ulong)(Encoding.UTF8.GetByteCount(commandLine) + 1 + LoaderName.Length + 1
            + modules.Sum(m => Encoding.UTF8.GetByteCount(m.CommandLine) + 1) + 4)
            + (ulong)(modules.Count * ModuleEntrySize + MapRoom * MapEntrySize);

    /// <summary>Puts the kernel, modules, boot information and loader ROM in fw_cfg; checks first, so nothing is added on error.</summary>
    /// <param name="commandLine">The kernel's command line (QEMU passes the kernel's file name, a space, then <c>-append</c>).</param>
    /// <exception cref="InvalidDataException">Something does not fit (one line).</exception>
    public static void Configure(FwCfg fwCfg, ulong ramSize, MultibootImage kernel, IReadOnlyList<Module> modules, string commandLine,
        byte[] loaderRom)
    {
        var (blockBase, moduleAddresses, end) = Plan(ramSize, kernel, modules, commandLine);
        var block = new byte[end - blockBase];
        foreach (var s in kernel.Segments) s.Data.CopyTo(block, (int)(s.Address - blockBase));
        for (int i = 0; i < modules.Count; i++) modules[i].Data.CopyTo(block, (int)(moduleAddresses[i] - blockBase));

        var info = new byte[InfoBlockSize(modules, commandLine)];
        int used = InfoSize;
        uint Put(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(info.AsSpan(used));
            uint address = InfoAddress + (uint)used;
            used += bytes.Length;
            return address;
        }
        uint String(string text) => Put(Encoding.UTF8.GetBytes(text + "\0"));

        var header = info.AsSpan(0, InfoSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FlagMemory | FlagCommandLine | FlagModules | FlagMemoryMap | FlagLoaderName);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], String(commandLine));
        var names = modules.Select(m => String(m.CommandLine)).ToArray();
        used = (used + 3) & ~3;
        var list = new byte[modules.Count * ModuleEntrySize];
        for (int i = 0; i < modules.Count; i++)
        {
            var e = list.AsSpan(i * ModuleEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)moduleAddresses[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], (uint)(moduleAddresses[i] + (ulong)modules[i].Data.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], names[i]);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)modules.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], Put(list));
        BinaryPrimitives.WriteUInt32LittleEndian(header[64..], String(LoaderName));
        // mmap_addr: the room the ROM fills from INT 15h E820 (it sets mmap_length, mem_lower and mem_upper).
        BinaryPrimitives.WriteUInt32LittleEndian(header[48..], InfoAddress + (uint)used);

        fwCfg.AddUInt32(LinuxFwCfgBoot.KernelAddr, (uint)blockBase);
        fwCfg.AddUInt32(LinuxFwCfgBoot.KernelSize, (uint)block.Length);
        fwCfg.AddBytes(LinuxFwCfgBoot.KernelData, block);
        fwCfg.AddUInt32(KernelEntry, kernel.Entry);
        fwCfg.AddUInt32(LinuxFwCfgBoot.InitrdAddr, InfoAddress);
        fwCfg.AddUInt32(LinuxFwCfgBoot.InitrdSize, (uint)info.Length);
        fwCfg.AddBytes(LinuxFwCfgBoot.InitrdData, info);
        fwCfg.AddFile(RomFile, loaderRom);
        fwCfg.ReplaceFile("bootorder", Encoding.ASCII.GetBytes(BootPath + "\0"));
    }
}
