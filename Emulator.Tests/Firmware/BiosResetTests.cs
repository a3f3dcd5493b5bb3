using Emulator.Core.Machine;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Warm resets back into the project's BIOS: the PIIX3 reset control register (port CF9h), the
/// 8042's reset line (command FEh), a triple fault, and the CMOS shutdown status byte (0Fh)
/// with which software resumes at 40:67 without a POST (IBM PC/AT Technical Reference,
/// "Shutdown Status Byte"; Ralf Brown's CMOS list, byte 0Fh).
/// </summary>
public class BiosResetTests
{
    const int Boots = 0x600;

    static int Count(string text, string what) => text.Split(what).Length - 1;

    /// <summary>Boot code that counts its boots at 0:0600 (RAM survives a reset) and resets once.</summary>
    static BiosRig ResetOnce(Action<Assembler> reset)
    {
        return new BiosRig(bootCode: a =>
        {
            var r = new GuestReport(a);
            var second = a.CreateLabel();
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.inc(__byte_ptr[Boots]);
            a.cmp(__byte_ptr[Boots], 1);
            a.jne(second);
            r.Text("first|");
            reset(a);
            r.Text("no reset");
            r.End();
            a.Label(ref second);
            r.Text("second|");
            r.End();
        });
    }

    [Test]
    public void Port_cf9_resets_into_post()
    {
        var rig = ResetOnce(a =>
        {
            a.mov(dx, 0xCF9);
            a.mov(al, 0x06);                    // hard reset (bit 1), start it (bit 2)
            a.@out(dx, al);
        });
        AssertSecondPost(rig);
    }

    [Test]
    public void The_8042_reset_line_resets_into_post()
    {
        var rig = ResetOnce(a =>
        {
            a.mov(al, 0xFE);                    // pulse output port bit 0 (CPU reset)
            a.@out(0x64, al);
        });
        AssertSecondPost(rig);
    }

    [Test]
    public void A_triple_fault_resets_into_post()
    {
        var rig = ResetOnce(a =>
        {
            // An empty IDT: INT 3 is beyond its limit (#GP), and so are #GP and #DF: shutdown.
            a.mov(__word_ptr[0x610], 0);
            a.mov(__dword_ptr[0x612], 0);
            a.lidt(__[0x610]);
            a.int3();
        });
        AssertSecondPost(rig);
    }

    static void AssertSecondPost(BiosRig rig)
    {
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.Multiple(() =>
        {
            Assert.That(Count(rig.Console, "emu BIOS 0.2"), Is.EqualTo(2), rig.Console);
            Assert.That(rig.Console, Does.Contain("first|emu BIOS 0.2"), "the reset went straight back to POST");
            Assert.That(rig.Console, Does.EndWith("second|\n"));
            Assert.That(rig.Machine.Memory.Ram[Boots], Is.EqualTo(2));
        });
    }

    /// <summary>
    /// Shutdown codes 05h, 0Ah (far jump to the pointer at 40:67), 0Bh (IRET) and 0Ch (RETF) with
    /// SS:SP at 40:67: the reset goes to 0:0700 without a second POST, and the byte is cleared.
    /// </summary>
    [TestCase(0x05)]
    [TestCase(0x0A)]
    [TestCase(0x0B)]
    [TestCase(0x0C)]
    public void Shutdown_status_resumes_through_40_67_without_post(int code)
    {
        var rig = ResetOnce(a =>
        {
            // At 0:0700: mov al, 'R'; out E9h, al; cli; hlt
            byte[] resume = [0xB0, (byte)'R', 0xE6, 0xE9, 0xFA, 0xF4];
            for (int i = 0; i < resume.Length; i++) a.mov(__byte_ptr[0x700 + i], resume[i]);
            if (code is 0x05 or 0x0A)
            {
                a.mov(__word_ptr[0x467], 0x0700);       // CS:IP = 0000:0700
                a.mov(__word_ptr[0x469], 0);
            }
            else
            {
                // A stack at 0:0900 holding IP 0700h, CS 0 (and FLAGS 0002h for IRET).
                a.mov(__word_ptr[0x900], 0x0700);
                a.mov(__word_ptr[0x902], 0);
                a.mov(__word_ptr[0x904], 0x0002);
                a.mov(__word_ptr[0x467], 0x0900);       // SS:SP = 0000:0900
                a.mov(__word_ptr[0x469], 0);
            }
            a.mov(al, 0x0F);
            a.@out(0x70, al);
            a.mov(al, (byte)code);
            a.@out(0x71, al);
            a.mov(dx, 0xCF9);
            a.mov(al, 0x06);
            a.@out(dx, al);
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.Multiple(() =>
        {
            Assert.That(Count(rig.Console, "emu BIOS 0.2"), Is.EqualTo(1), "no second POST");
            Assert.That(rig.Console, Does.EndWith("first|R"));
            Assert.That(rig.Board.Rtc.GetCmos(0x0F), Is.Zero, "the shutdown byte is cleared");
        });
    }

    /// <summary>
    /// What a reset resets (ResetKind): the 8042's output port pulse (command FEh) drives only the
    /// CPU's RESET line (IBM PC/AT Technical Reference, "Keyboard Controller"), as do port 92h bit 0,
    /// a soft reset through CF9h (04h: INIT, PIIX3 datasheet 2.3.1) and a triple fault (the shutdown
    /// cycle); a hard reset through CF9h (06h) resets the system. With shutdown byte 0Ah the BIOS
    /// jumps through 40:67 without touching the 8259s, so the code there reads back the master's
    /// mask the boot code programmed (4Dh), or the 8259A's reset value (00h) after a system reset.
    /// </summary>
    [TestCase("8042", 0x4D)]
    [TestCase("port92", 0x4D)]
    [TestCase("cf9-soft", 0x4D)]
    [TestCase("triple", 0x4D)]
    [TestCase("cf9-hard", 0x00)]
    public void A_cpu_reset_keeps_the_8259_programmed_and_a_hard_reset_clears_it(string how, int mask)
    {
        var rig = ResetOnce(a =>
        {
            // At 0:0700: cli; hlt (the test reads the PIC's state from the board).
            a.mov(__word_ptr[0x700], 0xF4FA);
            a.mov(__word_ptr[0x467], 0x0700);
            a.mov(__word_ptr[0x469], 0);
            a.mov(al, 0x0F);
            a.@out(0x70, al);
            a.mov(al, 0x0A);
            a.@out(0x71, al);
            a.mov(al, 0x4D);
            a.@out(0x21, al);
            switch (how)
            {
                case "8042":
                    a.mov(al, 0xFE);
                    a.@out(0x64, al);
                    break;
                case "port92":
                    a.@in(al, 0x92);
                    a.or(al, 0x01);
                    a.@out(0x92, al);
                    break;
                case "cf9-soft":
                case "cf9-hard":
                    a.mov(dx, 0xCF9);
                    a.mov(al, (byte)(how == "cf9-soft" ? 0x04 : 0x06));
                    a.@out(dx, al);
                    break;
                case "triple":
                    a.mov(__word_ptr[0x610], 0);
                    a.mov(__dword_ptr[0x612], 0);
                    a.lidt(__[0x610]);
                    a.int3();
                    break;
            }
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Machine.Cpu.Rip, Is.EqualTo(0x702), "resumed at 0:0700 and halted");
            Assert.That(rig.Console, Does.EndWith("first|"), "no second POST");
            Assert.That(rig.Board.Pic.Master.Imr, Is.EqualTo(mask));
        });
    }
}
