using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using Emulator.Tests.Firmware;

namespace Emulator.Tests.Frontend;

/// <summary>emu puts its embedded VGA BIOS behind the standard VGA's expansion ROM BAR, as QEMU's
/// -vga std carries vgabios-stdvga.bin, whichever system BIOS runs.</summary>
public class EmbeddedVgaBiosTests
{
    [Test]
    public void The_vga_rom_bar_carries_the_committed_vga_bios()
    {
        using var dir = new TempDir();
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        using var runner = MachineRunner.Create(EmuCommandLine.Parse(["-bios", bios], new StringWriter(), new StringWriter()).Options!,
            new ConsoleStreams(new StringWriter(), new StringWriter()));
        var vga = runner.Board.Vga;
        // PCI Local Bus 3.0, 6.2.5.2: the expansion ROM BAR at 30h, bit 0 enables it; memory
        // decoding (command bit 1) must be on too.
        vga.WriteConfig(0x30, 4, 0xFEB0_0001);
        vga.WriteConfig(0x04, 2, vga.Command | 2u);
        var expected = BiosRig.VgaBiosImage();
        var seen = new byte[expected.Length];
        runner.Machine.Memory.Read(0xFEB0_0000, seen);
        Assert.That(seen, Is.EqualTo(expected));
    }
}
