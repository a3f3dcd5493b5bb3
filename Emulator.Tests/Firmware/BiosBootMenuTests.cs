using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Emulator.Devices.Storage;
using Emulator.Devices.Video;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The boot menu of the project's BIOS: offered only with QEMU's <c>-boot menu=on</c> (fw_cfg
/// item 0Eh), waiting <c>splash-time</c> milliseconds (fw_cfg <c>etc/boot-menu-wait</c>) of
/// virtual time for ESC, then a numbered device list where a digit boots that device.
/// </summary>
public class BiosBootMenuTests
{
    /// <summary>Two hard disks whose boot programs report "disk" and the boot drive in DL.</summary>
    static IdeDrive?[] TwoDisks()
    {
        var drives = new IdeDrive?[2];
        for (int i = 0; i < 2; i++)
        {
            var image = new InMemoryImage(1 << 20);
            BiosRig.BootProgram(a =>
            {
                var r = new GuestReport(a);
                r.Text("disk ");
                a.movzx(eax, dl);
                r.Hex(eax);
                r.End();
            }).CopyTo(image.Bytes, 0);
            drives[i] = new IdeDrive(DriveMedia.Disk, image);
        }
        return drives;
    }

    static void RunUntil(BiosRig rig, string text)
    {
        for (int i = 0; i < 200 && !rig.Console.Contains(text); i++) rig.Run(20_000);
        Assert.That(rig.Console, Does.Contain(text));
    }

    static void Tap(BiosRig rig, Key key)
    {
        rig.Board.Keyboard.KeyDown(key);
        rig.Board.Keyboard.KeyUp(key);
        rig.Run(20_000);
    }

    [Test]
    public void Esc_opens_the_menu_and_a_digit_boots_the_second_disk()
    {
        var rig = new BiosRig(ide: TwoDisks(), bootOrder: "c", bootMenu: true, bootMenuWaitMs: 60_000);
        RunUntil(rig, "Press ESC for boot menu.");
        Tap(rig, Key.Escape);
        RunUntil(rig, "Press 1-9");
        Assert.That(rig.Console, Does.Contain("Select boot device:\r\n\r\n1. Hard disk 1\r\n2. Hard disk 2\r\n"));
        Assert.That(rig.Console, Does.Not.Contain("disk 0"), "still waiting for the choice");
        Tap(rig, Key.D2);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console, Does.EndWith("disk 00000081 \n"));
    }

    [Test]
    public void Without_a_key_the_wait_ends_in_virtual_time_and_the_boot_order_boots()
    {
        var rig = new BiosRig(ide: TwoDisks(), bootOrder: "c", bootMenu: true, bootMenuWaitMs: 3000);
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        // 3000 ms = 55 ticks of 18.2 Hz (54.6 rounded down, plus one): at least 3 s passed.
        Assert.Multiple(() =>
        {
            Assert.That(rig.Console, Does.Contain("Press ESC for boot menu."));
            Assert.That(rig.Console, Does.Not.Contain("Select boot device"));
            Assert.That(rig.Console, Does.EndWith("disk 00000080 \n"));
            Assert.That(rig.Machine.Clock.Now, Is.GreaterThanOrEqualTo(3_000_000_000L));
        });
    }

    [Test]
    public void Menu_off_does_not_wait()
    {
        var rig = new BiosRig(ide: TwoDisks(), bootOrder: "c");
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.That(rig.Console, Does.Not.Contain("Press ESC"));
        Assert.That(rig.Console, Does.EndWith("disk 00000080 \n"));
        Assert.That(rig.Machine.Clock.Now, Is.LessThan(1_000_000_000L));
    }

    [Test]
    public void With_a_vga_bios_the_menu_shows_on_the_screen_too()
    {
        var rig = new BiosRig(ide: TwoDisks(), bootOrder: "c", bootMenu: true, bootMenuWaitMs: 60_000, vgaBios: BiosRig.VgaBiosImage());
        RunUntil(rig, "Press ESC for boot menu.");
        Tap(rig, Key.Escape);
        RunUntil(rig, "Press 1-9");
        var screen = TextScreen.Capture(rig.Board.Vga);
        Assert.That(screen, Is.Not.Null, "not in a text mode");
        var rows = Enumerable.Range(0, screen!.Rows).Select(r => screen.RowText(r).TrimEnd()).ToList();
        Assert.That(rows, Does.Contain("Press ESC for boot menu."));
        Assert.That(rows, Does.Contain("Select boot device:"));
        Assert.That(rows, Does.Contain("2. Hard disk 2"));
        Assert.That(Count(rig.Console, "2. Hard disk 2"), Is.EqualTo(1), "once on the debug console, not echoed twice");
    }

    static int Count(string text, string what) => text.Split(what).Length - 1;
}
