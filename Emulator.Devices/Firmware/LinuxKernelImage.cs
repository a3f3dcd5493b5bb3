using System.Buffers.Binary;

namespace Emulator.Devices.Firmware;

/// <summary>
/// A Linux x86 kernel image (bzImage) as the boot protocol describes it (Linux's
/// Documentation/arch/x86/boot.rst, "The real-mode kernel header"): the real-mode setup code of
/// <see cref="SetupSectors"/> + 1 sectors, followed by the protected-mode kernel.
/// </summary>
public sealed class LinuxKernelImage
{
    /// <summary>Offset of the setup header in the image and in boot_params (the "zero page").</summary>
    public const int HeaderOffset = 0x1F1;
    const int BootFlagOffset = 0x1FE, MagicOffset = 0x202, VersionOffset = 0x206;

    public byte[] Image { get; }
    public int SetupSectors { get; }
    /// <summary>Boot protocol version, major in the high byte (2.00 = 0x0200).</summary>
    public ushort ProtocolVersion { get; }
    /// <summary>loadflags: bit 0 LOADED_HIGH (protected-mode kernel at 0x100000).</summary>
    public byte LoadFlags => Image[0x211];
    public uint InitrdAddressMax { get; }
    public uint CommandLineSize { get; }
    /// <summary>Bytes of the setup header to copy into boot_params (0x1F1 up to the end the header declares).</summary>
    public int HeaderLength { get; }

    /// <summary>The protected-mode part, loaded at 1 MiB.</summary>
    public ReadOnlySpan<byte> ProtectedModeKernel => Image.AsSpan((SetupSectors + 1) * 512);

    /// <summary>The real-mode part (boot sector and setup code).</summary>
    public ReadOnlySpan<byte> RealModeSetup => Image.AsSpan(0, (SetupSectors + 1) * 512);

    /// <summary>True when <paramref name="image"/> has the boot flag and the "HdrS" setup header of boot protocol 2.00 or later.</summary>
    public static bool HasSetupHeader(byte[] image) =>
        image.Length >= 0x1000 && BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(BootFlagOffset)) == 0xAA55
        && BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(MagicOffset)) == 0x53726448;

    /// <exception cref="InvalidDataException">Not a bzImage this loader can boot (one line saying why).</exception>
    public LinuxKernelImage(byte[] image)
    {
        Image = image;
        if (image.Length < 0x1000 || BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(BootFlagOffset)) != 0xAA55)
            throw new InvalidDataException("not a Linux kernel image (no boot flag 0xAA55 at 0x1FE)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(MagicOffset)) != 0x53726448) // "HdrS"
            throw new InvalidDataException("Linux kernel image without a setup header (\"HdrS\"): boot protocol older than 2.00 is not supported");
        ProtocolVersion = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(VersionOffset));
        if (ProtocolVersion < 0x0206)
            throw new InvalidDataException($"Linux boot protocol {ProtocolVersion >> 8}.{ProtocolVersion & 0xFF:D2} is too old (2.06 or newer needed)");
        SetupSectors = image[HeaderOffset] == 0 ? 4 : image[HeaderOffset];
        if ((SetupSectors + 1) * 512 >= image.Length)
            throw new InvalidDataException("Linux kernel image is truncated (setup code runs past the end)");
        // syssize (0x1F4, 32 bits from protocol 2.04): the protected-mode code in 16-byte units;
        // a file shorter than that lost its end.
        if ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(0x1F4)) * 16 > (ulong)ProtectedModeKernel.Length)
            throw new InvalidDataException("Linux kernel image is truncated (shorter than the protected-mode size its header gives)");
        if ((LoadFlags & 1) == 0)
            throw new InvalidDataException("zImage kernels (loaded low) are not supported; use a bzImage");
        InitrdAddressMax = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(0x22C));
        CommandLineSize = BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(0x238));
        // The header ends at 0x202 + the byte at 0x201 (the jump's displacement), per boot.rst.
        HeaderLength = 0x202 + image[0x201] - HeaderOffset;
    }
}
