using System.Text;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The project's BIOS loads fw_cfg <c>genroms/*</c> option ROMs (bios/src/genroms.asm), as
/// SeaBIOS does: valid ones (55AAh, size, zero byte sum: IBM PC/AT Technical Reference "Adapter
/// ROM") are copied to the first free 2 KiB boundary of the option ROM area and initialised
/// through offset 3, and a PnP header's bootstrap entry vector (BBS 1.01, 6.5) is called at
/// boot: before the CMOS boot order when fw_cfg's bootorder names the ROM ("/rom@genroms/NAME",
/// SeaBIOS's bootprio_find_named_rom), after it otherwise; the boot goes on if the BEV returns.
/// </summary>
public class BiosGenRomsTests
{
    const int PnpOffset = 0x20, InitOffset = 0x100, BevOffset = 0x200, RomSize = 1024;

    /// <summary>A 1 KiB ROM whose init prints "init-NAME CS" and whose BEV prints "bev-NAME CS" and returns.</summary>
    static byte[] Rom(string name, bool validChecksum = true)
    {
        var rom = new byte[RomSize];
        rom[0] = 0x55;
        rom[1] = 0xAA;
        rom[2] = RomSize / 512;
        rom[3] = 0xE9;                                          // jmp near InitOffset
        BitConverter.GetBytes((ushort)(InitOffset - 6)).CopyTo(rom, 4);
        BitConverter.GetBytes((ushort)PnpOffset).CopyTo(rom, 0x1A);
        Encoding.ASCII.GetBytes("$PnP").CopyTo(rom, PnpOffset);
        rom[PnpOffset + 4] = 1;                                 // revision
        rom[PnpOffset + 5] = 2;                                 // 32 bytes
        BitConverter.GetBytes((ushort)BevOffset).CopyTo(rom, PnpOffset + 0x1A);
        byte pnpSum = 0;
        for (int i = 0; i < 32; i++) pnpSum += rom[PnpOffset + i];
        rom[PnpOffset + 9] = (byte)-pnpSum;
        Code(rom, InitOffset, "init-" + name);
        Code(rom, BevOffset, "bev-" + name);
        byte sum = 0;
        for (int i = 0; i < RomSize - 1; i++) sum += rom[i];
        rom[RomSize - 1] = (byte)(-sum + (validChecksum ? 0 : 1));
        return rom;
    }

    static void Code(byte[] rom, int offset, string text)
    {
        var a = new Assembler(16);
        var r = new GuestReport(a);
        r.Text(text + " ");
        a.push(eax);
        a.xor(eax, eax);
        a.mov(ax, cs);
        r.Hex(eax);
        a.pop(eax);
        a.retf();
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), (ulong)offset);
        stream.ToArray().CopyTo(rom, offset);
    }

    static string Boot(string bootorder)
    {
        var rig = new BiosRig(wire: board =>
        {
            board.FwCfg.AddFile("genroms/a.bin", Rom("a"));
            board.FwCfg.AddFile("genroms/b.bin", Rom("b", validChecksum: false));
            board.FwCfg.AddFile("other/c.bin", Rom("c"));
            board.FwCfg.ReplaceFile("bootorder", Encoding.ASCII.GetBytes(bootorder));
        });
        for (int i = 0; i < 200 && !rig.Console.Contains("No bootable device."); i++) rig.Run(1_000_000);
        TestContext.Out.WriteLine(rig.Console);
        return rig.Console;
    }

    [TestCase("/rom@genroms/a.bin\0")]
    [TestCase("/pci@i0cf8/*@1,1/drive@0/disk@0\n/rom@genroms/a.bin\0")]
    public void A_genrom_named_in_bootorder_is_initialised_and_boots_before_the_cmos_order(string bootorder)
    {
        string log = Boot(bootorder);
        // No VGA ROM on this rig: a.bin goes to the first 2 KiB boundary, C0000.
        int init = log.IndexOf("init-a 0000C000 ", StringComparison.Ordinal);
        int bev = log.IndexOf("bev-a 0000C000 ", StringComparison.Ordinal);
        int order = log.IndexOf("Booting from", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(init, Is.GreaterThanOrEqualTo(0), "a.bin initialised at C000:0003");
            Assert.That(bev, Is.GreaterThan(init), "its BEV called at boot");
            Assert.That(order, Is.GreaterThan(bev), "the CMOS boot order after the BEV returned");
            Assert.That(log, Does.Contain("No bootable device."));
            Assert.That(log, Does.Not.Contain("init-b"), "a ROM whose bytes do not sum to zero is not run");
            Assert.That(log, Does.Not.Contain("init-c"), "only genroms/ files are option ROMs");
        });
    }

    [TestCase("")]
    [TestCase("/rom@genroms/a.bin.old\0")]
    public void A_genrom_bootorder_does_not_name_boots_after_the_cmos_order(string bootorder)
    {
        string log = Boot(bootorder);
        int init = log.IndexOf("init-a 0000C000 ", StringComparison.Ordinal);
        int order = log.IndexOf("Boot failed", StringComparison.Ordinal);
        int bev = log.IndexOf("bev-a 0000C000 ", StringComparison.Ordinal);
        int none = log.IndexOf("No bootable device.", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(init, Is.GreaterThanOrEqualTo(0), "a.bin initialised at C000:0003");
            Assert.That(order, Is.GreaterThan(init), "the CMOS boot order first");
            Assert.That(bev, Is.GreaterThan(order), "then the BEV, through INT 18h");
            Assert.That(none, Is.GreaterThan(bev), "then the BIOS's own INT 18h");
        });
    }
}
