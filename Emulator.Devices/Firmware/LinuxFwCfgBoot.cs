using System.Buffers.Binary;
using System.Text;

namespace Emulator.Devices.Firmware;

/// <summary>
/// <c>-kernel</c> for a Linux bzImage the way QEMU's <c>x86_load_linux</c> does it: the board
/// does not touch guest memory or the CPU; it puts the kernel in fw_cfg, and the firmware boots it.
/// The real-mode setup code (boot sector and setup sectors, its setup header patched as a boot
/// loader must, Linux Documentation/arch/x86/boot.rst "The Linux/x86 Boot Protocol" and "Details
/// of header fields"), the protected-mode kernel, the initrd and the command line go under QEMU's
/// keys (<c>FW_CFG_SETUP_*</c>, <c>KERNEL_*</c>, <c>INITRD_*</c>, <c>CMDLINE_*</c>), and the
/// option ROM that loads them (bios/src/linuxboot.asm) is file <c>genroms/linuxboot.bin</c>,
/// named first in <c>bootorder</c> (QEMU gives it bootindex 0). SeaBIOS and the project's BIOS
/// both run it at boot; it jumps to the setup code, which asks the BIOS for E820, video and the rest.
/// </summary>
/// <remarks>
/// Layout (QEMU's for protocol 2.02 and later): setup at 0x10000, the command line at 0x20000,
/// the heap up to the command line (heap_end_ptr 0xFE00), the kernel at 0x100000, the initrd as
/// high as <c>initrd_addr_max</c> allows below the top <see cref="FirmwareReserve"/> of RAM, which
/// the firmware keeps for its tables (SeaBIOS's 256 KiB high zone, the project BIOS's 64 KiB).
/// </remarks>
public static class LinuxFwCfgBoot
{
    public const uint SetupAddress = 0x10000, CommandLineAddress = 0x20000, KernelAddress = 0x100000;
    /// <summary>RAM at the top left to the firmware (its ACPI, SMBIOS and other tables).</summary>
    public const ulong FirmwareReserve = 1 << 20;
    public const string RomFile = "genroms/linuxboot.bin";
    /// <summary>The boot path SeaBIOS matches the ROM against (its bootprio_find_named_rom: "/rom@" + the file name).</summary>
    public const string BootPath = "/rom@" + RomFile;

    // fw_cfg keys (QEMU docs/specs/fw_cfg.rst, include/standard-headers/linux/qemu_fw_cfg.h).
    public const ushort KernelAddr = 0x07, KernelSize = 0x08, InitrdAddr = 0x0A, InitrdSize = 0x0B, KernelData = 0x11,
        InitrdData = 0x12, CmdlineAddr = 0x13, CmdlineSize = 0x14, CmdlineData = 0x15, SetupAddr = 0x16, SetupSize = 0x17,
        SetupData = 0x18;

    /// <summary>Setup header offsets (boot.rst "The real-mode kernel header").</summary>
    public const int TypeOfLoaderOffset = 0x210, LoadFlagsOffset = 0x211, RamdiskImageOffset = 0x218, RamdiskSizeOffset = 0x21C,
        HeapEndPtrOffset = 0x224, CmdLinePtrOffset = 0x228;
    /// <summary>type_of_loader 0xFF: "undefined" (boot.rst: emu has no assigned loader ID).</summary>
    public const byte TypeOfLoader = 0xFF;
    /// <summary>loadflags bit 7, CAN_USE_HEAP: heap_end_ptr is valid.</summary>
    public const byte CanUseHeap = 0x80;

    /// <summary>Where the initrd goes (0 without one), after checking that the kernel, initrd and command line fit.</summary>
    /// <exception cref="InvalidDataException">They do not fit in <paramref name="ramSize"/> (one line saying why).</exception>
    public static uint PlaceInitrd(ulong ramSize, LinuxKernelImage kernel, byte[]? initrd, string commandLine)
    {
        ulong ram = ramSize - Math.Min(ramSize, FirmwareReserve);
        ulong kernelLength = (ulong)kernel.ProtectedModeKernel.Length;
        if (KernelAddress + kernelLength > ram)
            throw new InvalidDataException($"the kernel ({kernelLength} bytes) does not fit in {ramSize >> 20} MiB of RAM");
        if (kernel.CommandLineSize != 0 && (ulong)commandLine.Length > kernel.CommandLineSize)
            throw new InvalidDataException($"the kernel command line is longer than the kernel's limit of {kernel.CommandLineSize} bytes");
        if (CommandLineAddress + (ulong)commandLine.Length + 1 > 0x9F000)
            throw new InvalidDataException("the kernel command line does not fit below the EBDA");
        if (initrd is not { Length: > 0 }) return 0;
        // As high as allowed, page aligned (boot.rst: "as high as possible" keeps it clear of the
        // decompressing kernel, which needs room above its own image).
        ulong top = Math.Min(ram, (ulong)kernel.InitrdAddressMax + 1);
        ulong at = (top - (ulong)initrd.Length) & ~0xFFFUL;
        if ((ulong)initrd.Length >= top || at < KernelAddress + kernelLength * 4)
            throw new InvalidDataException($"the initrd ({initrd.Length} bytes) does not fit in {ramSize >> 20} MiB of RAM with the kernel");
        return (uint)at;
    }

    /// <summary>The setup code with its header filled in for this boot (boot.rst "Details of header fields").</summary>
    public static byte[] PatchedSetup(LinuxKernelImage kernel, uint initrdAddress, int initrdLength)
    {
        var setup = kernel.RealModeSetup.ToArray();
        setup[TypeOfLoaderOffset] = TypeOfLoader;
        setup[LoadFlagsOffset] |= CanUseHeap;
        // The heap ends where the command line begins, less the 0x200 bytes the protocol counts from (boot.rst "heap_end_ptr").
        BinaryPrimitives.WriteUInt16LittleEndian(setup.AsSpan(HeapEndPtrOffset), (ushort)(CommandLineAddress - SetupAddress - 0x200));
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(CmdLinePtrOffset), CommandLineAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(RamdiskImageOffset), initrdAddress);
        BinaryPrimitives.WriteUInt32LittleEndian(setup.AsSpan(RamdiskSizeOffset), (uint)initrdLength);
        return setup;
    }

    /// <summary>Puts the kernel, initrd, command line and the loader ROM in <paramref name="fwCfg"/>; checks first, so nothing is added on error.</summary>
    /// <exception cref="InvalidDataException">The kernel, initrd or command line cannot be loaded (one line).</exception>
    public static void Configure(FwCfg fwCfg, ulong ramSize, LinuxKernelImage kernel, byte[]? initrd, string commandLine, byte[] loaderRom)
    {
        uint initrdAddress = PlaceInitrd(ramSize, kernel, initrd, commandLine);
        int initrdLength = initrd?.Length ?? 0;
        var setup = PatchedSetup(kernel, initrdAddress, initrdLength);
        var kernelBytes = kernel.ProtectedModeKernel.ToArray();

        fwCfg.AddUInt32(SetupAddr, SetupAddress);
        fwCfg.AddUInt32(SetupSize, (uint)setup.Length);
        fwCfg.AddBytes(SetupData, setup);
        fwCfg.AddUInt32(KernelAddr, KernelAddress);
        fwCfg.AddUInt32(KernelSize, (uint)kernelBytes.Length);
        fwCfg.AddBytes(KernelData, kernelBytes);
        var cmd = Encoding.ASCII.GetBytes(commandLine + "\0");
        fwCfg.AddUInt32(CmdlineAddr, CommandLineAddress);
        fwCfg.AddUInt32(CmdlineSize, (uint)cmd.Length);
        fwCfg.AddBytes(CmdlineData, cmd);
        if (initrdLength > 0)
        {
            fwCfg.AddUInt32(InitrdAddr, initrdAddress);
            fwCfg.AddUInt32(InitrdSize, (uint)initrdLength);
            fwCfg.AddBytes(InitrdData, initrd!);
        }
        fwCfg.AddFile(RomFile, loaderRom);
        // bootorder: NUL-terminated lines (QEMU's get_boot_devices_list); the ROM is bootindex 0.
        fwCfg.ReplaceFile("bootorder", Encoding.ASCII.GetBytes(BootPath + "\0"));
    }
}
