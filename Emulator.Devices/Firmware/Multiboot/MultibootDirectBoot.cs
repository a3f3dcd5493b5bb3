using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Devices.Firmware.Multiboot;

/// <summary>
/// Boots a Multiboot 1 kernel as a boot loader would (Multiboot Specification 0.6.96, 3.2 "Machine
/// state" and 3.3 "Boot information format"): the image's segments go where it asks, bss zeroed;
/// each module (QEMU's <c>-initrd "file args,file2"</c>) follows page-aligned; then one page-aligned
/// block holds the boot information (flags: memory, command line, modules, memory map, boot loader
/// name), the strings, the module list, the memory map (the board's E820 map) and a GDT. The CPU
/// starts in flat protected mode at the entry with EAX = 0x2BADB002 and EBX = the information's
/// address. No boot device (flag 1), symbol table (4/5), drives, APM or video (11) fields are given.
/// </summary>
public static class MultibootDirectBoot
{
    public const uint BootloaderMagic = 0x2BADB002;
    const uint FlagMemory = 1 << 0, FlagCommandLine = 1 << 2, FlagModules = 1 << 3, FlagMemoryMap = 1 << 6, FlagLoaderName = 1 << 9;
    const int InfoSize = 88, ModuleEntrySize = 16, MapEntrySize = 24;
    const ulong PageSize = 0x1000, LowestLoad = 0x1000;

    /// <summary>A module: its contents and its command line (the file name and any arguments).</summary>
    public sealed record Module(byte[] Data, string CommandLine);

    /// <summary>Where the pieces go: each module's address, then the information block; checks that all of it fits.</summary>
    /// <exception cref="InvalidDataException">Something does not fit in RAM (one line); nothing is written then.</exception>
    public static (ulong[] Modules, ulong Info) Plan(ulong ramSize, ulong acpiSize, IReadOnlyList<E820Entry> boardMap, MultibootImage kernel,
        IReadOnlyList<Module> modules, string commandLine)
    {
        ulong ram = ramSize - acpiSize;
        foreach (var s in kernel.Segments)
        {
            // The first page (real-mode IVT and BDA) and the hole at 640 KiB-1 MiB are not RAM to load into.
            bool low = s.Address + s.MemorySize <= 0xA0000 && s.Address >= LowestLoad;
            if (!(low || s.Address >= 0x100000) || s.Address + s.MemorySize > ram)
                throw new InvalidDataException($"the kernel's segment at 0x{s.Address:x} ({s.MemorySize} bytes) does not fit in {ram >> 20} MiB of RAM");
        }
        ulong next = AlignUp(Math.Max(kernel.End, 0x100000));
        var at = new ulong[modules.Count];
        for (int i = 0; i < modules.Count; i++)
        {
            at[i] = next;
            next = AlignUp(next + (ulong)modules[i].Data.Length);
        }
        ulong infoEnd = next + InfoBlockSize(modules, commandLine, LinuxDirectBoot.MemoryMap(boardMap, acpiSize).Count);
        if (infoEnd > ram)
            throw new InvalidDataException($"the kernel and its modules do not fit in {ram >> 20} MiB of RAM");
        return (at, next);
    }

    static ulong AlignUp(ulong value) => (value + PageSize - 1) & ~(PageSize - 1);

    static ulong InfoBlockSize(IReadOnlyList<Module> modules, string commandLine, int mapEntries) =>
        InfoSize + (ulong)(Encoding.UTF8.GetByteCount(commandLine) + 1 + LoaderName.Length + 1
            + modules.Sum(m => Encoding.UTF8.GetByteCount(m.CommandLine) + 1)
            + modules.Count * ModuleEntrySize + mapEntries * MapEntrySize + FlatProtectedModeEntry.GdtSize + 16);

    const string LoaderName = "emu";

    /// <param name="commandLine">The kernel's command line (QEMU passes the kernel's file name, a space, then <c>-append</c>).</param>
    /// <param name="acpi">The ACPI tables installed at the top of RAM, or null.</param>
    /// <param name="boardMap">The board's memory map (<c>PcBoard.MemoryMap</c>), which the kernel's map starts from.</param>
    public static void Load(Machine machine, IReadOnlyList<E820Entry> boardMap, MultibootImage kernel, IReadOnlyList<Module> modules,
        string commandLine, Acpi.AcpiDirectInstall.Installed? acpi = null)
    {
        var memory = machine.Memory;
        ulong acpiSize = acpi?.RegionSize ?? 0;
        var (moduleAddresses, infoAddress) = Plan(memory.RamSize, acpiSize, boardMap, kernel, modules, commandLine);
        foreach (var s in kernel.Segments)
        {
            memory.Write(s.Address, s.Data);
            if (s.MemorySize > (ulong)s.Data.Length) memory.Write(s.Address + (ulong)s.Data.Length, new byte[s.MemorySize - (ulong)s.Data.Length]);
        }
        for (int i = 0; i < modules.Count; i++) memory.Write(moduleAddresses[i], modules[i].Data);

        var map = LinuxDirectBoot.MemoryMap(boardMap, acpiSize);
        var block = new byte[InfoBlockSize(modules, commandLine, map.Count)];
        int used = InfoSize;
        uint Put(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(block.AsSpan(used));
            uint address = (uint)infoAddress + (uint)used;
            used += bytes.Length;
            return address;
        }
        uint String(string text) => Put(Encoding.UTF8.GetBytes(text + "\0"));

        var info = block.AsSpan(0, InfoSize);
        ulong ram = memory.RamSize - acpiSize;
        BinaryPrimitives.WriteUInt32LittleEndian(info[0..], FlagMemory | FlagCommandLine | FlagModules | FlagMemoryMap | FlagLoaderName);
        // mem_lower: KiB of RAM from 0 (below the EBDA, as the map says); mem_upper: KiB from 1 MiB to the first hole.
        BinaryPrimitives.WriteUInt32LittleEndian(info[4..], (uint)(map[0].Length >> 10));
        BinaryPrimitives.WriteUInt32LittleEndian(info[8..], (uint)((ram - 0x100000) >> 10));
        BinaryPrimitives.WriteUInt32LittleEndian(info[16..], String(commandLine));

        var names = modules.Select(m => String(m.CommandLine)).ToArray();
        var list = new byte[modules.Count * ModuleEntrySize];
        for (int i = 0; i < modules.Count; i++)
        {
            var e = list.AsSpan(i * ModuleEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)moduleAddresses[i]);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], (uint)(moduleAddresses[i] + (ulong)modules[i].Data.Length));
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], names[i]);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(info[20..], (uint)modules.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(info[24..], Put(list));

        // Each map entry starts with its size, not counting the size field itself (spec 3.3, mmap_*).
        var entries = new byte[map.Count * MapEntrySize];
        for (int i = 0; i < map.Count; i++)
        {
            var e = entries.AsSpan(i * MapEntrySize);
            BinaryPrimitives.WriteUInt32LittleEndian(e, MapEntrySize - 4);
            BinaryPrimitives.WriteUInt64LittleEndian(e[4..], map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[12..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[20..], map[i].Type);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(info[44..], (uint)entries.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(info[48..], Put(entries));
        BinaryPrimitives.WriteUInt32LittleEndian(info[64..], String(LoaderName));

        used = (used + 15) & ~15;
        ulong gdtAddress = infoAddress + (ulong)used;
        memory.Write(infoAddress, block.AsSpan(0, used));

        FlatProtectedModeEntry.Enter(machine, gdtAddress, kernel.Entry);
        machine.Cpu.SetGpr(Gpr.Rax, BootloaderMagic);
        machine.Cpu.SetGpr(Gpr.Rbx, infoAddress);
    }
}
