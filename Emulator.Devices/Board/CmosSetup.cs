using Emulator.Devices.Storage;
using Emulator.Devices.Timers;

namespace Emulator.Devices.Board;

/// <summary>
/// The CMOS bytes the board's firmware reads to learn the machine, filled as QEMU's
/// <c>pc_cmos_init</c>/<c>pc_cmos_init_late</c> and the Bochs BIOS expect them. CMOS is
/// battery-backed, so the board fills it once, at construction; a reset keeps it.
/// </summary>
/// <remarks>
/// <para>Layout (IBM PC/AT Technical Reference, "CMOS RAM Address Map", with the Bochs/QEMU
/// extensions): 0x10 floppy drive types (A: high nibble, B: low; 1 = 360K, 2 = 1.2M, 3 = 720K,
/// 4 = 1.44M, 5 = 2.88M); 0x12 hard disk types (0xF in a nibble = "see 0x19/0x1A"); 0x14
/// equipment (bit 0 floppy present, bits 7-6 floppy count - 1, bit 1 FPU, bit 2 PS/2 mouse, as
/// QEMU sets it); 0x15-0x16 base memory in KiB; 0x17-0x18 (and the copy at 0x30-0x31) extended
/// memory above 1 MiB in KiB, at most 65535; 0x19/0x1A extended disk type 47 (user-defined),
/// with the geometry of disk 0 at 0x1B-0x23 and disk 1 at 0x24-0x2C; 0x2E-0x2F the checksum of
/// 0x10-0x2D; 0x32 century (the RTC keeps it); 0x34-0x35 RAM between 16 MiB and 4 GiB in 64 KiB
/// units; 0x38 and 0x3D the boot order (0x3D low nibble first device, high nibble second; 0x38
/// high nibble third, bit 0 = skip the floppy boot-signature check; 1 floppy, 2 hard disk,
/// 3 CD-ROM, 4 network); 0x39 ATA translation of disks 0-3 (2 bits each, 0 none, 1 LBA);
/// 0x5B-0x5D RAM above 4 GiB in 64 KiB units; 0x5F the number of CPUs - 1.</para>
/// <para>Known limits: the hard disk geometry is the default QEMU gives a disk without a
/// partition table (16 heads, 63 sectors, cylinders = sectors / 1008, at most 16383); QEMU's
/// guess from an MBR's partition entries is not made. An empty floppy drive is reported as a
/// 1.44 MB drive. The board has no RAM above 4 GiB yet, so 0x5B-0x5D are 0.</para>
/// </remarks>
public static class CmosSetup
{
    public const int FloppyTypes = 0x10, HardDiskTypes = 0x12, Equipment = 0x14, BaseMemoryLow = 0x15,
        ExtendedMemoryLow = 0x17, HardDisk0Type = 0x19, HardDisk1Type = 0x1A, HardDisk0Params = 0x1B,
        HardDisk1Params = 0x24, ExtendedMemoryCopyLow = 0x30, MemoryAbove16MLow = 0x34, BootOrder3 = 0x38,
        AtaTranslation = 0x39, BootOrder12 = 0x3D, MemoryAbove4GLow = 0x5B, CpuCountMinusOne = 0x5F;

    const ulong KiB = 1024, MiB = 1024 * KiB;

    /// <summary>Fills the firmware's CMOS bytes for a board with <paramref name="ramBelow4G"/> bytes of RAM.</summary>
    /// <exception cref="ArgumentException">The boot order has more than 3 devices or a letter other than a-d or n.</exception>
    public static void Fill(Rtc146818 rtc, PcBoardConfig config, ulong ramBelow4G, ulong ramAbove4G = 0)
    {
        // Memory sizes (pc_cmos_init).
        ulong baseKiB = Math.Min(ramBelow4G / KiB, 640);
        SetWord(rtc, BaseMemoryLow, (int)baseKiB);
        ulong extKiB = ramBelow4G > MiB ? Math.Min((ramBelow4G - MiB) / KiB, 65535) : 0;
        SetWord(rtc, ExtendedMemoryLow, (int)extKiB);
        SetWord(rtc, ExtendedMemoryCopyLow, (int)extKiB);
        ulong above16M = ramBelow4G > 16 * MiB ? Math.Min((ramBelow4G - 16 * MiB) / (64 * KiB), 65535) : 0;
        SetWord(rtc, MemoryAbove16MLow, (int)above16M);
        ulong above4G = ramAbove4G / (64 * KiB);
        rtc.SetCmos(MemoryAbove4GLow, (byte)above4G);
        rtc.SetCmos(MemoryAbove4GLow + 1, (byte)(above4G >> 8));
        rtc.SetCmos(MemoryAbove4GLow + 2, (byte)(above4G >> 16));
        rtc.SetCmos(CpuCountMinusOne, 0);

        SetBootOrder(rtc, config.BootOrder);

        // Floppies (pc_cmos_init_floppy): drive types, and the count in the equipment byte.
        byte equipment = 0x02 | 0x04;   // FPU present, PS/2 mouse present
        int floppyCount = 0;
        int types = 0;
        for (int i = 0; i < 2 && i < config.Floppies.Count; i++)
        {
            types |= FloppyDriveType(config.Floppies[i]) << (i == 0 ? 4 : 0);
            floppyCount++;
        }
        rtc.SetCmos(FloppyTypes, (byte)types);
        if (floppyCount == 1) equipment |= 0x01;
        else if (floppyCount == 2) equipment |= 0x41;
        rtc.SetCmos(Equipment, equipment);

        // Hard disks (pc_cmos_init_late): the primary channel's disks get type 47 with a geometry.
        int diskTypes = 0, translation = 0;
        for (int i = 0; i < 4 && i < config.IdeDrives.Count; i++)
        {
            if (config.IdeDrives[i] is not { Media: DriveMedia.Disk, Image: { } image }) continue;
            var (cyls, heads, secs) = DefaultGeometry(image.Length / 512);
            if (cyls > 1024) translation |= 1 << (i * 2);
            if (i > 1) continue;
            diskTypes |= i == 0 ? 0xF0 : 0x0F;
            rtc.SetCmos(i == 0 ? HardDisk0Type : HardDisk1Type, 47);
            SetDiskParameters(rtc, i == 0 ? HardDisk0Params : HardDisk1Params, cyls, heads, secs);
        }
        rtc.SetCmos(HardDiskTypes, (byte)diskTypes);
        rtc.SetCmos(AtaTranslation, (byte)translation);

        rtc.UpdateChecksum();
    }

    /// <summary>
    /// The CHS geometry QEMU gives a disk of <paramref name="sectors"/> sectors without a partition
    /// table (<c>guess_chs_for_size</c>): 16 heads, 63 sectors per track, 2 to 16383 cylinders.
    /// </summary>
    public static (int Cylinders, int Heads, int Sectors) DefaultGeometry(long sectors) =>
        ((int)Math.Clamp(sectors / (16 * 63), 2, 16383), 16, 63);

    /// <summary>The CMOS floppy drive type for a medium by its size (an empty drive is a 1.44 MB drive).</summary>
    public static int FloppyDriveType(IBlockImage? medium) => medium?.Length switch
    {
        <= 368_640 => 1,     // 360 KiB 5.25"
        <= 737_280 => 3,     // 720 KiB 3.5"
        <= 1_228_800 => 2,   // 1.2 MB 5.25"
        <= 1_474_560 => 4,   // 1.44 MB 3.5"
        null => 4,
        _ => 5,              // 2.88 MB 3.5"
    };

    static void SetBootOrder(Rtc146818 rtc, string order)
    {
        if (order.Length > 3)
            throw new ArgumentException($"too many boot devices for a PC: '{order}' (at most 3)", nameof(order));
        Span<int> nibbles = stackalloc int[3];
        for (int i = 0; i < order.Length; i++)
        {
            nibbles[i] = order[i] switch
            {
                'a' or 'b' => 1,
                'c' => 2,
                'd' => 3,
                'n' => 4,
                _ => throw new ArgumentException($"invalid boot device for a PC: '{order[i]}'", nameof(order)),
            };
        }
        rtc.SetCmos(BootOrder12, (byte)(nibbles[1] << 4 | nibbles[0]));
        rtc.SetCmos(BootOrder3, (byte)(nibbles[2] << 4));   // bit 0 clear: check the floppy's signature
    }

    /// <summary>The 9-byte AT fixed-disk parameter block (QEMU's cmos_init_hd).</summary>
    static void SetDiskParameters(Rtc146818 rtc, int at, int cyls, int heads, int secs)
    {
        SetWord(rtc, at, cyls);
        rtc.SetCmos(at + 2, (byte)heads);
        rtc.SetCmos(at + 3, 0xFF);                                // write precompensation: none
        rtc.SetCmos(at + 4, 0xFF);
        rtc.SetCmos(at + 5, (byte)(0xC0 | (heads > 8 ? 0x08 : 0))); // control byte: more than 8 heads
        SetWord(rtc, at + 6, cyls);                               // landing zone
        rtc.SetCmos(at + 8, (byte)secs);
    }

    static void SetWord(Rtc146818 rtc, int at, int value)
    {
        rtc.SetCmos(at, (byte)value);
        rtc.SetCmos(at + 1, (byte)(value >> 8));
    }
}
