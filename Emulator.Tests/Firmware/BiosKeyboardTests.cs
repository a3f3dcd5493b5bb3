using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// INT 09h and INT 16h of the project's BIOS, driven by keys pressed at the emulated PS/2
/// keyboard while guest code (booted through <see cref="BiosRig"/>) calls INT 16h and reports
/// AX over port E9h. Expected words are the IBM PC/AT and PS/2 Technical References' key codes
/// (Ralf Brown's INT 16h tables), worked out by hand.
/// </summary>
public class BiosKeyboardTests
{
    const int Gate = 0x5F0;

    /// <summary>Boots <paramref name="program"/> (after it writes "K>"), runs <paramref name="keys"/> once it is waiting.</summary>
    static (BiosRig Rig, string Output) Run(Action<Assembler, GuestReport> program, Action<BiosRig, Action<Key>> keys,
        Action<Assembler>? setup = null)
    {
        var rig = new BiosRig(bootCode: a =>
        {
            var r = new GuestReport(a);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(es, ax);
            setup?.Invoke(a);
            a.sti();
            a.mov(__byte_ptr[Gate], 0);
            r.Text("K>");
            // Wait (interrupts on) until the host has typed everything, so what each call sees
            // does not depend on how far the guest ran between two keys.
            var wait = a.CreateLabel();
            a.Label(ref wait);
            a.hlt();
            a.cmp(__byte_ptr[Gate], 0);
            a.je(wait);
            program(a, r);
            r.End();
        });
        for (int i = 0; i < 100 && !rig.Console.Contains("K>"); i++) rig.Run(20_000);
        Assert.That(rig.Console, Does.Contain("K>"));
        // Keys go down and up between runs: a key held while the guest idles would repeat.
        var kb = rig.Board.Keyboard;
        void Tap(Key k) { kb.KeyDown(k); kb.KeyUp(k); rig.Run(20_000); }
        keys(rig, Tap);
        rig.Machine.Memory.Ram[Gate] = 1;
        var stop = rig.Run();
        var ram = rig.Machine.Memory.Ram;
        Assert.That(stop, Is.EqualTo(StopReason.Halted), rig.Console + " BDA " + Convert.ToHexString(ram.Slice(0x417, 0x30)) + " 96: " + ram[0x496].ToString("X2") + " " + rig.Machine.Cpu);
        return (rig, rig.Console[(rig.Console.IndexOf("K>") + 2)..]);
    }

    static void Call16(Assembler a, GuestReport r, byte function)
    {
        a.mov(ah, function);
        a.@int(0x16);
        a.movzx(eax, ax);
        r.Hex(eax);
    }

    /// <summary>Calls a function that returns only AL (AH keeps the function number).</summary>
    static void Call16Al(Assembler a, GuestReport r, byte function)
    {
        a.mov(ah, function);
        a.@int(0x16);
        a.movzx(eax, al);
        r.Hex(eax);
    }

    /// <summary>Writes "Z " or "NZ " for ZF; keeps the registers.</summary>
    static void Zero(Assembler a, GuestReport r)
    {
        var set = a.CreateLabel();
        var done = a.CreateLabel();
        a.pushf();
        a.push(ax);
        a.jz(set);
        r.Text("NZ ");
        a.jmp(done);
        a.Label(ref set);
        r.Text("Z ");
        a.Label(ref done);
        a.pop(ax);
        a.popf();
    }

    [Test]
    public void Int_16h_functions_with_injected_scan_codes()
    {
        var (rig, output) = Run((a, r) =>
        {
            Call16(a, r, 0x10);                 // Up, extended: 48E0h
            Call16(a, r, 0x00);                 // Up, standard: 4800h
            a.mov(ah, 0x11);                    // F11 waiting: ZF clear, 8500h
            a.@int(0x16);
            Zero(a, r);
            a.movzx(eax, ax);
            r.Hex(eax);
            a.mov(ah, 0x01);                    // 01h drops F11 (scan code > 84h), shows 'a'
            a.@int(0x16);
            Zero(a, r);
            a.movzx(eax, ax);
            r.Hex(eax);
            Call16(a, r, 0x00);                 // 'a'
            Call16(a, r, 0x10);                 // keypad Enter, extended: E00Dh
            Call16(a, r, 0x00);                 // keypad /, standard: 352Fh
            Call16(a, r, 0x10);                 // Ctrl+B with right Ctrl and left Shift held: 3002h
            r.Text("| ");
            a.mov(ah, 0x05);                    // store 1234h: AL = 0
            a.mov(cx, 0x1234);
            a.@int(0x16);
            a.movzx(eax, al);
            r.Hex(eax);
            Call16(a, r, 0x10);
            a.mov(ah, 0x01);                    // empty: ZF set
            a.@int(0x16);
            Zero(a, r);
            r.Text("| ");
            Call16(a, r, 0x12);                 // extended flags
            Call16Al(a, r, 0x02);
            r.Text("| ");
            Call16Al(a, r, 0x09);               // functionality
            a.mov(ah, 0x0A);                    // keyboard ID
            a.@int(0x16);
            a.movzx(eax, bx);
            r.Hex(eax);
            a.mov(ax, 0x0305);                  // typematic: delay 2 (750 ms), rate 14h
            a.mov(bx, 0x0214);
            a.@int(0x16);
            // Caps Lock set in 40:17 by a program: the next INT 16h call updates the LEDs.
            a.or(__byte_ptr[0x417], 0x40);
            a.mov(ah, 0x01);
            a.@int(0x16);
        }, (rig, tap) =>
        {
            tap(Key.Up);
            tap(Key.Up);
            tap(Key.F11);
            tap(Key.A);
            tap(Key.KeypadEnter);
            tap(Key.KeypadDivide);
            tap(Key.NumLock);
            var kb = rig.Board.Keyboard;
            kb.KeyDown(Key.RightControl);
            kb.KeyDown(Key.LeftShift);
            rig.Run(20_000);
            tap(Key.B);
        });
        // 12h: AL = 26h (Num Lock 20h, Ctrl 04h, left Shift 02h), AH = 04h (right Ctrl);
        // 09h: AL = 14h (0305h and 0Ah supported); 0Ah: ABh then 83h translated by the 8042 to 41h.
        Assert.That(output, Is.EqualTo(
            "000048E0 00004800 NZ 00008500 NZ 00001E61 00001E61 0000E00D 0000352F 00003002 " +
            "| 00000000 00001234 Z " +
            "| 00000426 00000026 " +
            "| 00000014 000041AB \n"));
        var kbd = rig.Board.Keyboard;
        Assert.Multiple(() =>
        {
            Assert.That(kbd.Typematic, Is.EqualTo(0x54), "F3h with (2 << 5) | 14h");
            Assert.That(kbd.Leds, Is.EqualTo(Ps2Keyboard.LedNumLock | Ps2Keyboard.LedCapsLock), "EDh sent for Num Lock and for Caps Lock");
        });
    }

    [Test]
    public void Lock_keys_toggle_the_flags_and_the_keyboard_LEDs()
    {
        var (rig, output) = Run((a, r) =>
        {
            Call16(a, r, 0x00);                 // 'a' with Caps Lock on: 1E41h
            Call16Al(a, r, 0x02);
            Call16(a, r, 0x00);                 // keypad 7 with Num Lock on: 4737h
            Call16(a, r, 0x00);                 // keypad 7 with Num Lock off: 4700h
            a.mov(al, __byte_ptr[0x497]);       // the LEDs as the BIOS last sent them
            a.movzx(eax, al);
            r.Hex(eax);
        }, (rig, tap) =>
        {
            tap(Key.CapsLock);
            tap(Key.ScrollLock);
            tap(Key.A);
            tap(Key.NumLock);
            tap(Key.Keypad7);
            tap(Key.NumLock);
            tap(Key.Keypad7);
        });
        // 02h right after 'a': Caps 40h + Scroll 10h. Num Lock on, then off again: 40:97 = the
        // LEDs Caps (4) + Scroll (1).
        Assert.That(output, Is.EqualTo("00001E41 00000050 00004737 00004700 00000005 \n"));
        Assert.That(rig.Board.Keyboard.Leds, Is.EqualTo(Ps2Keyboard.LedCapsLock | Ps2Keyboard.LedScrollLock));
    }

    [Test]
    public void Alt_and_keypad_digits_type_a_character_code()
    {
        var (_, output) = Run((a, r) =>
        {
            Call16(a, r, 0x00);
            Call16(a, r, 0x10);                 // Alt+Home (grey): 9700h
        }, (rig, tap) =>
        {
            var kb = rig.Board.Keyboard;
            kb.KeyDown(Key.LeftAlt);
            rig.Run(20_000);
            tap(Key.Keypad6);
            tap(Key.Keypad5);
            kb.KeyUp(Key.LeftAlt);
            rig.Run(20_000);
            kb.KeyDown(Key.LeftAlt);
            rig.Run(20_000);
            tap(Key.Home);
            kb.KeyUp(Key.LeftAlt);
            rig.Run(20_000);
        });
        // Alt, 6, 5, Alt up: ASCII 65 = 'A' with scan code 0.
        Assert.That(output, Is.EqualTo("00000041 00009700 \n"));
    }

    [Test]
    public void Ctrl_break_empties_the_buffer_calls_int_1bh_and_stores_a_zero_word()
    {
        var (_, output) = Run((a, r) =>
        {
            var wait = a.CreateLabel();
            a.Label(ref wait);                  // not reading keys until INT 1Bh has run
            a.hlt();
            a.cmp(__byte_ptr[0x600], 0);
            a.je(wait);
            Call16(a, r, 0x00);                 // what Break left: 0000h ('x' was dropped)
            a.mov(ah, 0x01);
            a.@int(0x16);
            Zero(a, r);
            a.movzx(eax, __byte_ptr[0x471]);    // bit 7: Break was pressed
            r.Hex(eax);
        }, (rig, tap) =>
        {
            tap(Key.X);
            var kb = rig.Board.Keyboard;
            kb.KeyDown(Key.LeftControl);
            rig.Run(20_000);
            tap(Key.Pause);                     // with Ctrl: Break (E0 46 E0 C6)
            kb.KeyUp(Key.LeftControl);
        }, setup: a =>
        {
            // INT 1Bh -> a handler at 0:0700 that sets 0:0600: cs: mov byte [600h], 1Bh; iret.
            byte[] handler = [0x2E, 0xC6, 0x06, 0x00, 0x06, 0x1B, 0xCF];
            for (int i = 0; i < handler.Length; i++) a.mov(__byte_ptr[0x700 + i], handler[i]);
            a.mov(__byte_ptr[0x600], 0);
            a.mov(__word_ptr[0x1B * 4], 0x700);
            a.mov(__word_ptr[0x1B * 4 + 2], 0);
        });
        Assert.That(output, Is.EqualTo("00000000 Z 00000080 \n"));
    }

    [Test]
    public void Pause_holds_in_int_09h_until_the_next_key()
    {
        var (_, output) = Run((a, r) =>
        {
            Call16(a, r, 0x00);                 // 'b': the 'a' that ended the pause is dropped
            a.movzx(eax, __byte_ptr[0x418]);    // pause flag (bit 3) clear again
            r.Hex(eax);
        }, (rig, tap) =>
        {
            tap(Key.Pause);
            Assert.That(rig.Machine.Memory.Ram[0x418] & 0x08, Is.EqualTo(0x08), "paused");
            rig.Run(200_000);                   // virtual time passes, still paused
            Assert.That(rig.Machine.Memory.Ram[0x418] & 0x08, Is.EqualTo(0x08), "still paused");
            tap(Key.A);
            tap(Key.B);
        });
        Assert.That(output, Is.EqualTo("00003062 00000000 \n"));
    }
}
