using Emulator.Devices.Board;
using Emulator.Devices.Firmware;

namespace Emulator.Tests.Devices.Firmware;

/// <summary>
/// The board's memory map and the claims firmware makes on it (ACPI 6.x 15.1: ranges of type 1
/// RAM, 2 reserved, 3 ACPI; a range given to firmware is no longer RAM to the OS).
/// </summary>
public class E820MapTests
{
    [Test]
    public void The_board_map_is_all_ram_then_the_mmio_pages_and_the_rom()
    {
        Assert.That(BoardMemoryMap.Build(32UL << 20, 256 << 10), Is.EqualTo(new E820Entry[]
        {
            new(0, 0x200_0000, 1),
            new(0xFEC0_0000, 0x1000, 2),
            new(0xFED0_0000, 0x1000, 2),
            new(0xFEE0_0000, 0x1000, 2),
            new(0xFFFC_0000, 0x4_0000, 2),
        }));
    }

    [Test]
    public void A_claim_inside_ram_cuts_it_in_two_and_sits_between()
    {
        IReadOnlyList<E820Entry> map = [new(0, 0x100_0000, 1), new(0xFEC0_0000, 0x1000, 2)];
        Assert.That(E820Map.Claim(map, 0x9FC00, 0x400, 2), Is.EqualTo(new E820Entry[]
        {
            new(0, 0x9FC00, 1), new(0x9FC00, 0x400, 2), new(0xA0000, 0xF6_0000, 1), new(0xFEC0_0000, 0x1000, 2),
        }));
    }

    [Test]
    public void A_range_left_out_is_in_no_entry()
    {
        IReadOnlyList<E820Entry> map = [new(0, 0x9FC00, 1), new(0x9FC00, 0x400, 2), new(0xA0000, 0xF6_0000, 1)];
        // A0000-EFFFF out: the reserved KiB below it stays, the RAM after it starts at F0000.
        Assert.That(E820Map.Claim(map, 0xA0000, 0x5_0000, null), Is.EqualTo(new E820Entry[]
        {
            new(0, 0x9FC00, 1), new(0x9FC00, 0x400, 2), new(0xF0000, 0xF1_0000, 1),
        }));
    }

    [Test]
    public void A_claim_over_a_whole_entry_and_the_ends_of_two_others_replaces_them()
    {
        IReadOnlyList<E820Entry> map = [new(0, 0x2000, 1), new(0x2000, 0x1000, 3), new(0x3000, 0x2000, 1), new(1UL << 32, 0x1000, 1)];
        Assert.That(E820Map.Claim(map, 0x1000, 0x3000, 2), Is.EqualTo(new E820Entry[]
        {
            new(0, 0x1000, 1), new(0x1000, 0x3000, 2), new(0x4000, 0x1000, 1), new(1UL << 32, 0x1000, 1),
        }));
    }
}
