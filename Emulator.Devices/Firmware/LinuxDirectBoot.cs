using System.Buffers.Binary;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Devices.Firmware;

/// <summary>
/// Boots a Linux bzImage through the boot protocol's 32-bit entry point (boot.rst, "32-bit Boot
/// Protocol"), without firmware: the loader builds boot_params (the "zero page") with the setup
/// header, the command line, the initrd and an E820 memory map, loads the protected-mode kernel
/// at 1 MiB, and starts the CPU in flat 32-bit protected mode at the kernel's entry with ESI
/// pointing at boot_params. This is how kernels start under loaders that skip the real-mode
/// setup code (and how the emulator tests its CPU and devices against Linux before any BIOS
/// service is involved); the BIOS path runs the real-mode setup instead.
/// </summary>
/// <remarks>
/// Memory layout (physical): boot_params at 0x10000, command line at 0x20000, GDT at 0x1000
/// (selectors 0x10 code and 0x18 data, the __BOOT_CS/__BOOT_DS the protocol requires), the
/// kernel at 0x100000, the initrd as high as <c>initrd_addr_max</c> and RAM allow (below the
/// ACPI tables when <see cref="Acpi.AcpiDirectInstall"/> put them at the top of RAM).
/// </remarks>
public static class LinuxDirectBoot
{
    const ulong GdtAddress = 0x1000, BootParamsAddress = 0x10000, CommandLineAddress = 0x20000, KernelAddress = 0x100000;
    /// <summary>boot_params offsets (Linux's arch/x86/include/uapi/asm/bootparam.h).</summary>
    const int E820EntriesOffset = 0x1E8, E820TableOffset = 0x2D0, E820MaxEntries = 128, ExtMemKOffset = 0x002,
        AltMemKOffset = 0x1E0, TypeOfLoaderOffset = 0x210, LoadFlagsOffset = 0x211, HeapEndPtrOffset = 0x224,
        CmdLinePtrOffset = 0x228, RamdiskImageOffset = 0x218, RamdiskSizeOffset = 0x21C;
    /// <summary>screen_info (boot_params offset 0): an 80x25 colour VGA text console.</summary>
    const int OrigVideoModeOffset = 0x06, OrigVideoColsOffset = 0x07, OrigVideoLinesOffset = 0x0E, OrigVideoIsVgaOffset = 0x0F,
        OrigVideoPointsOffset = 0x10;

    /// <summary>
    /// The memory map the kernel gets: the board's (<see cref="Board.BoardMemoryMap"/>, the same one
    /// fw_cfg gives the BIOS) with what this loader, standing in for firmware, claims: the EBDA's KiB
    /// below 0xA0000, which holds the RSDP (reserved), the legacy video and option ROM hole
    /// A0000-EFFFF (left out), the BIOS segment F0000-FFFFF (reserved), and the last
    /// <paramref name="acpiSize"/> bytes of RAM below 4 GiB, which hold the ACPI tables (type 3,
    /// reclaimable once the OS has read them).
    /// </summary>
    public static IReadOnlyList<E820Entry> MemoryMap(IReadOnlyList<E820Entry> board, ulong acpiSize = 0)
    {
        var map = E820Map.Claim(board, 0x9FC00, 0x400, E820Map.Reserved);
        map = E820Map.Claim(map, 0xA0000, 0x50000, null);
        map = E820Map.Claim(map, 0xF0000, 0x10000, E820Map.Reserved);
        if (acpiSize != 0)
        {
            ulong ramTop = board.Where(e => e.Type == E820Map.Ram && e.End <= 1UL << 32).Max(e => e.End);
            map = E820Map.Claim(map, ramTop - acpiSize, acpiSize, E820Map.Acpi);
        }
        return map;
    }

    /// <param name="acpi">The ACPI tables <see cref="Acpi.AcpiDirectInstall"/> installed, or null for none.</param>
    /// <summary>Where <see cref="Load"/> puts the initrd (0 without one), after checking that everything fits.</summary>
    /// <param name="ramSize">All of RAM; <paramref name="acpiSize"/> bytes at its top hold ACPI tables.</param>
    /// <exception cref="InvalidDataException">The kernel, initrd or command line cannot be loaded (one line).</exception>
    public static ulong CheckPlacement(ulong ramSize, ulong acpiSize, LinuxKernelImage kernel, byte[]? initrd, string commandLine)
    {
        ulong ram = ramSize - acpiSize;
        ulong kernelLength = (ulong)kernel.ProtectedModeKernel.Length;
        if (KernelAddress + kernelLength > ram)
            throw new InvalidDataException($"the kernel ({kernelLength} bytes) does not fit in {ram >> 20} MiB of RAM");
        if (kernel.CommandLineSize != 0 && (ulong)commandLine.Length > kernel.CommandLineSize)
            throw new InvalidDataException($"the kernel command line is longer than the kernel's limit of {kernel.CommandLineSize} bytes");
        if (initrd is not { Length: > 0 }) return 0;
        // As high as allowed, page aligned, below the kernel's limit and the top of RAM (boot.rst:
        // "as high as possible" keeps it clear of the decompressing kernel).
        ulong top = Math.Min(ram, (ulong)kernel.InitrdAddressMax + 1);
        ulong at = (top - (ulong)initrd.Length) & ~0xFFFUL;
        if ((ulong)initrd.Length >= top || at < KernelAddress + kernelLength * 4)
            throw new InvalidDataException($"the initrd ({initrd.Length} bytes) does not fit in {ram >> 20} MiB of RAM with the kernel");
        return at;
    }

    /// <param name="boardMap">The board's memory map (<c>PcBoard.MemoryMap</c>), which the kernel's E820 map starts from.</param>
    /// <exception cref="InvalidDataException">The kernel, initrd or command line cannot be loaded (one line); nothing is written then.</exception>
    public static void Load(Machine machine, IReadOnlyList<E820Entry> boardMap, LinuxKernelImage kernel, byte[]? initrd, string commandLine,
        Acpi.AcpiDirectInstall.Installed? acpi = null)
    {
        var memory = machine.Memory;
        ulong acpiSize = acpi?.RegionSize ?? 0;
        ulong ram = memory.RamSize - acpiSize;
        ulong initrdAddress = CheckPlacement(memory.RamSize, acpiSize, kernel, initrd, commandLine);
        memory.Write(KernelAddress, kernel.ProtectedModeKernel);

        var bp = new byte[4096];
        kernel.Image.AsSpan(LinuxKernelImage.HeaderOffset, kernel.HeaderLength).CopyTo(bp.AsSpan(LinuxKernelImage.HeaderOffset));
        bp[TypeOfLoaderOffset] = 0xFF;                                  // "undefined" loader
        bp[LoadFlagsOffset] = (byte)(bp[LoadFlagsOffset] | 0x80);       // CAN_USE_HEAP
        BinaryPrimitives.WriteUInt16LittleEndian(bp.AsSpan(HeapEndPtrOffset), 0xFE00);
        ulong extK = Math.Min((ram - 0x100000) >> 10, 0xFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(bp.AsSpan(ExtMemKOffset), (ushort)extK);
        BinaryPrimitives.WriteUInt32LittleEndian(bp.AsSpan(AltMemKOffset), (uint)((ram - 0x100000) >> 10));
        bp[OrigVideoModeOffset] = 3;
        bp[OrigVideoColsOffset] = 80;
        bp[OrigVideoLinesOffset] = 25;
        bp[OrigVideoIsVgaOffset] = 1;
        bp[OrigVideoPointsOffset] = 16;

        var cmd = System.Text.Encoding.ASCII.GetBytes(commandLine + "\0");
        memory.Write(CommandLineAddress, cmd);
        BinaryPrimitives.WriteUInt32LittleEndian(bp.AsSpan(CmdLinePtrOffset), (uint)CommandLineAddress);

        if (initrdAddress != 0)
        {
            memory.Write(initrdAddress, initrd);
            BinaryPrimitives.WriteUInt32LittleEndian(bp.AsSpan(RamdiskImageOffset), (uint)initrdAddress);
            BinaryPrimitives.WriteUInt32LittleEndian(bp.AsSpan(RamdiskSizeOffset), (uint)initrd!.Length);
        }

        var map = MemoryMap(boardMap, acpiSize);
        bp[E820EntriesOffset] = (byte)Math.Min(map.Count, E820MaxEntries);
        for (int i = 0; i < map.Count; i++)
        {
            var e = bp.AsSpan(E820TableOffset + i * 20, 20);
            BinaryPrimitives.WriteUInt64LittleEndian(e, map[i].Base);
            BinaryPrimitives.WriteUInt64LittleEndian(e[8..], map[i].Length);
            BinaryPrimitives.WriteUInt32LittleEndian(e[16..], map[i].Type);
        }
        memory.Write(BootParamsAddress, bp);

        FlatProtectedModeEntry.Enter(machine, GdtAddress, (uint)KernelAddress);
        machine.Cpu.SetGpr(Gpr.Rsi, BootParamsAddress);
    }
}
