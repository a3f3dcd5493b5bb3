using Emulator.Devices.Firmware;
using Emulator.Devices.Interrupts;
using Emulator.Devices.Timers;

namespace Emulator.Devices.Board;

/// <summary>
/// The board's memory map, the one source every firmware starts from: fw_cfg's <c>etc/e820</c>
/// (which SeaBIOS and the project's BIOS read) and the direct-boot loaders (<c>-kernel</c>) all
/// take it from here, and add only what they claim themselves (EBDA, BIOS area, tables) with
/// <see cref="E820Map.Claim"/>.
/// </summary>
/// <remarks>
/// RAM from 0 to the end of RAM (all of it below 4 GiB on this board), as QEMU's <c>pc</c> puts it
/// in <c>etc/e820</c>, hole at 640 KiB-1 MiB included: firmware knows where its own holes are. Then
/// the board's fixed MMIO pages, reserved so an OS that sizes memory from E820 alone does not map
/// RAM over them: the IOAPIC (FEC00000), the HPET (FED00000), the local APIC (FEE00000), each as its
/// 4 KiB page, and the BIOS ROM where the board maps it, ending at 4 GiB.
/// </remarks>
public static class BoardMemoryMap
{
    const ulong FourGiB = 1UL << 32, Page = 0x1000;

    public static IReadOnlyList<E820Entry> Build(ulong ramSize, ulong biosSize) =>
    [
        new(0, ramSize, E820Map.Ram),
        new(IoApic.DefaultBase, PageRound(IoApic.Length), E820Map.Reserved),
        new(Hpet.BaseAddress, PageRound(Hpet.Size), E820Map.Reserved),
        new(LocalApic.DefaultBase, PageRound(LocalApic.Length), E820Map.Reserved),
        new(FourGiB - biosSize, biosSize, E820Map.Reserved),
    ];

    static ulong PageRound(ulong length) => (length + Page - 1) & ~(Page - 1);
}
