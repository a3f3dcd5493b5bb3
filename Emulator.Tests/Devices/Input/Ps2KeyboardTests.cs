using Emulator.Core.Time;
using Emulator.Devices.Input;

namespace Emulator.Tests.Devices.Input;

/// <summary>
/// The keyboard's host commands (IBM PS/2 Technical Reference, Keyboards) and its scan code
/// sets 1 and 2 (Microsoft Keyboard Scan Code Specification), read straight off the device.
/// </summary>
public class Ps2KeyboardTests
{
    static Ps2Keyboard New(out VirtualClock clock)
    {
        clock = new VirtualClock();
        return new Ps2Keyboard(clock);
    }

    static byte[] Out(Ps2Keyboard k)
    {
        var bytes = new List<byte>();
        while (k.HasOutput) bytes.Add(k.ReadOutput());
        return bytes.ToArray();
    }

    static byte[] Send(Ps2Keyboard k, params byte[] bytes)
    {
        foreach (byte b in bytes) k.Write(b);
        return Out(k);
    }

    static Ps2Keyboard InSet(int set)
    {
        var k = New(out _);
        if (set == 1) Assert.That(Send(k, 0xF0, 0x01), Is.EqualTo(new byte[] { 0xFA, 0xFA }));
        return k;
    }

    static byte[] Press(Ps2Keyboard k, Key key) { k.KeyDown(key); return Out(k); }
    static byte[] Release(Ps2Keyboard k, Key key) { k.KeyUp(key); return Out(k); }

    [Test]
    public void Reset_acknowledges_and_passes_its_self_test()
    {
        var k = New(out _);
        Assert.That(Send(k, 0xFF), Is.EqualTo(new byte[] { 0xFA, 0xAA }));
    }

    [Test]
    public void Identify_answers_MF2_keyboard_AB_83()
    {
        Assert.That(Send(New(out _), 0xF2), Is.EqualTo(new byte[] { 0xFA, 0xAB, 0x83 }));
    }

    [Test]
    public void Echo_answers_EE_without_an_acknowledge()
    {
        Assert.That(Send(New(out _), 0xEE), Is.EqualTo(new byte[] { 0xEE }));
    }

    [Test]
    public void Set_LEDs_acknowledges_both_bytes_and_exposes_the_LED_state()
    {
        var k = New(out _);
        byte seen = 0xFF;
        k.LedsChanged += v => seen = v;
        Assert.That(Send(k, 0xED, 0x06), Is.EqualTo(new byte[] { 0xFA, 0xFA }));
        Assert.Multiple(() =>
        {
            Assert.That(k.Leds, Is.EqualTo(0x06));
            Assert.That(seen, Is.EqualTo(0x06));
            Assert.That(k.NumLockLed && k.CapsLockLed && !k.ScrollLockLed, Is.True);
        });
    }

    [Test]
    public void Key_codes_wait_while_the_LED_byte_is_awaited()
    {
        // IBM PS/2 Technical Reference, Keyboards, "Set/Reset Status Indicators": after the ACK of
        // ED the keyboard stops scanning until the option byte; a key already queued (A: 1C F0 1C
        // in set 2) comes after the second ACK, so a BIOS reads both ACKs back to back.
        var k = New(out _);
        k.KeyDown(Key.A);
        k.KeyUp(Key.A);
        k.Write(0xED);
        Assert.That(Out(k), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(Send(k, 0x01), Is.EqualTo(new byte[] { 0xFA, 0x1C, 0xF0, 0x1C }));
    }

    [Test]
    public void A_command_byte_in_place_of_a_parameter_starts_the_new_command()
    {
        var k = New(out _);
        Assert.That(Send(k, 0xED, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0xAB, 0x83 }));
        Assert.That(k.Leds, Is.Zero);
    }

    [Test]
    public void Scan_code_set_is_read_and_selected_with_F0()
    {
        var k = New(out _);
        // F0 is acknowledged, the option byte too, then the set follows.
        Assert.That(Send(k, 0xF0, 0x00), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0x02 }));
        Assert.That(Send(k, 0xF0, 0x01), Is.EqualTo(new byte[] { 0xFA, 0xFA }));
        Assert.That(Send(k, 0xF0, 0x00), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0x01 }));
        Assert.That(Send(k, 0xF0, 0x03), Is.EqualTo(new byte[] { 0xFA, 0xFE }), "set 3 is not offered");
        Assert.That(k.ScanCodeSet, Is.EqualTo(1));
    }

    [Test]
    public void Typematic_byte_gives_delay_and_period_by_the_IBM_formula()
    {
        var k = New(out _);
        // Default 2B: A = 3, B = 1, D = 1: period (8+3)*2*4.17 ms = 91.7 ms (10.9/s), delay 500 ms.
        Assert.That(k.TypematicDelayNs, Is.EqualTo(500_000_000));
        Assert.That(k.TypematicPeriodNs, Is.EqualTo(91_666_674));
        Assert.That(Send(k, 0xF3, 0x7F), Is.EqualTo(new byte[] { 0xFA, 0xFA }));
        // 7F: A = 7, B = 3, D = 3: (15)*8*4.17 ms = 500 ms (2/s), delay 1 s.
        Assert.That(k.TypematicDelayNs, Is.EqualTo(1_000_000_000));
        Assert.That(k.TypematicPeriodNs, Is.EqualTo(500_000_040));
    }

    [Test]
    public void Held_key_repeats_after_the_delay_at_the_rate_in_virtual_time()
    {
        var k = New(out var clock);
        Send(k, 0xF3, 0x00);        // 250 ms delay, 33.3 ms period (30/s)
        Assert.That(Press(k, Key.A), Is.EqualTo(new byte[] { 0x1C }));
        Step(clock, 249_000_000);
        Assert.That(Out(k), Is.Empty);
        Step(clock, 1_000_000);
        Assert.That(Out(k), Is.EqualTo(new byte[] { 0x1C }), "first repeat at 250 ms");
        Step(clock, 33_333_336);
        Assert.That(Out(k), Is.EqualTo(new byte[] { 0x1C }), "then every 33.3 ms");
        k.KeyDown(Key.A);
        Assert.That(Out(k), Is.Empty, "a second KeyDown for a held key is ignored");
        Assert.That(Press(k, Key.B), Is.EqualTo(new byte[] { 0x32 }));
        Step(clock, 250_000_000);
        Assert.That(Out(k), Is.EqualTo(new byte[] { 0x32 }), "only the last key pressed repeats");
        Assert.That(Release(k, Key.B), Is.EqualTo(new byte[] { 0xF0, 0x32 }));
        Step(clock, 1_000_000_000);
        Assert.That(Out(k), Is.Empty, "releasing the repeating key stops the repeat even with A held");
    }

    static void Step(VirtualClock clock, long ns)
    {
        clock.Advance(ns);
        clock.RunDue();
    }

    [Test]
    public void Disable_stops_reporting_and_enable_resumes()
    {
        var k = New(out _);
        Assert.That(Send(k, 0xF5), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(Press(k, Key.A), Is.Empty);
        Assert.That(Send(k, 0xF4), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(Release(k, Key.A), Is.EqualTo(new byte[] { 0xF0, 0x1C }));
    }

    [Test]
    public void Set_default_restores_set_2_and_the_typematic_default()
    {
        var k = New(out _);
        Send(k, 0xF0, 0x01, 0xF3, 0x00);
        Assert.That(Send(k, 0xF6), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(k.ScanCodeSet, Is.EqualTo(2));
        Assert.That(k.Typematic, Is.EqualTo(0x2B));
        Assert.That(k.ScanningEnabled, Is.True);
    }

    [Test]
    public void Resend_repeats_the_last_byte_and_unknown_commands_get_FE()
    {
        var k = New(out _);
        Send(k, 0xF2);
        Assert.That(Send(k, 0xFE), Is.EqualTo(new byte[] { 0x83 }));
        Assert.That(Send(k, 0xF7), Is.EqualTo(new byte[] { 0xFE }), "set 3 all-typematic is not implemented");
        Assert.That(Send(k, 0x42), Is.EqualTo(new byte[] { 0xFE }));
    }

    [Test]
    public void Buffer_overrun_drops_the_sequence_and_queues_the_overrun_code_once()
    {
        var k = New(out _);
        Key[] keys = [Key.A, Key.B, Key.C, Key.D, Key.E, Key.F, Key.G, Key.H, Key.I, Key.J, Key.K, Key.L,
            Key.M, Key.N, Key.O, Key.P, Key.Q, Key.R];
        foreach (var key in keys) k.KeyDown(key);
        var bytes = Out(k);
        Assert.That(bytes, Has.Length.EqualTo(17));
        Assert.That(bytes[15], Is.EqualTo(0x4D), "P, the 16th key");
        Assert.That(bytes[16], Is.EqualTo(0x00), "set 2 overrun code");
    }

    // Set 2 (untranslated) sequences, Microsoft Keyboard Scan Code Specification appendix.
    [TestCase(Key.A, new byte[] { 0x1C }, new byte[] { 0xF0, 0x1C })]
    [TestCase(Key.Z, new byte[] { 0x1A }, new byte[] { 0xF0, 0x1A })]
    [TestCase(Key.D1, new byte[] { 0x16 }, new byte[] { 0xF0, 0x16 })]
    [TestCase(Key.Enter, new byte[] { 0x5A }, new byte[] { 0xF0, 0x5A })]
    [TestCase(Key.Escape, new byte[] { 0x76 }, new byte[] { 0xF0, 0x76 })]
    [TestCase(Key.F1, new byte[] { 0x05 }, new byte[] { 0xF0, 0x05 })]
    [TestCase(Key.F7, new byte[] { 0x83 }, new byte[] { 0xF0, 0x83 })]
    [TestCase(Key.F12, new byte[] { 0x07 }, new byte[] { 0xF0, 0x07 })]
    [TestCase(Key.LeftShift, new byte[] { 0x12 }, new byte[] { 0xF0, 0x12 })]
    [TestCase(Key.RightControl, new byte[] { 0xE0, 0x14 }, new byte[] { 0xE0, 0xF0, 0x14 })]
    [TestCase(Key.RightAlt, new byte[] { 0xE0, 0x11 }, new byte[] { 0xE0, 0xF0, 0x11 })]
    [TestCase(Key.LeftGui, new byte[] { 0xE0, 0x1F }, new byte[] { 0xE0, 0xF0, 0x1F })]
    [TestCase(Key.Application, new byte[] { 0xE0, 0x2F }, new byte[] { 0xE0, 0xF0, 0x2F })]
    [TestCase(Key.Up, new byte[] { 0xE0, 0x75 }, new byte[] { 0xE0, 0xF0, 0x75 })]
    [TestCase(Key.Delete, new byte[] { 0xE0, 0x71 }, new byte[] { 0xE0, 0xF0, 0x71 })]
    [TestCase(Key.KeypadEnter, new byte[] { 0xE0, 0x5A }, new byte[] { 0xE0, 0xF0, 0x5A })]
    [TestCase(Key.KeypadDivide, new byte[] { 0xE0, 0x4A }, new byte[] { 0xE0, 0xF0, 0x4A })]
    [TestCase(Key.Keypad7, new byte[] { 0x6C }, new byte[] { 0xF0, 0x6C })]
    [TestCase(Key.NonUsBackslash, new byte[] { 0x61 }, new byte[] { 0xF0, 0x61 })]
    [TestCase(Key.Ro, new byte[] { 0x51 }, new byte[] { 0xF0, 0x51 })]
    [TestCase(Key.Yen, new byte[] { 0x6A }, new byte[] { 0xF0, 0x6A })]
    [TestCase(Key.Hangul, new byte[] { 0xF2 }, new byte[0])]
    public void Set_2_make_and_break(Key key, byte[] make, byte[] brk)
    {
        var k = InSet(2);
        Assert.That(Press(k, key), Is.EqualTo(make));
        Assert.That(Release(k, key), Is.EqualTo(brk));
    }

    // Set 1 sequences: break = make | 0x80.
    [TestCase(Key.A, new byte[] { 0x1E }, new byte[] { 0x9E })]
    [TestCase(Key.Z, new byte[] { 0x2C }, new byte[] { 0xAC })]
    [TestCase(Key.D0, new byte[] { 0x0B }, new byte[] { 0x8B })]
    [TestCase(Key.Space, new byte[] { 0x39 }, new byte[] { 0xB9 })]
    [TestCase(Key.Escape, new byte[] { 0x01 }, new byte[] { 0x81 })]
    [TestCase(Key.F7, new byte[] { 0x41 }, new byte[] { 0xC1 })]
    [TestCase(Key.F11, new byte[] { 0x57 }, new byte[] { 0xD7 })]
    [TestCase(Key.F12, new byte[] { 0x58 }, new byte[] { 0xD8 })]
    [TestCase(Key.RightControl, new byte[] { 0xE0, 0x1D }, new byte[] { 0xE0, 0x9D })]
    [TestCase(Key.RightGui, new byte[] { 0xE0, 0x5C }, new byte[] { 0xE0, 0xDC })]
    [TestCase(Key.Up, new byte[] { 0xE0, 0x48 }, new byte[] { 0xE0, 0xC8 })]
    [TestCase(Key.Home, new byte[] { 0xE0, 0x47 }, new byte[] { 0xE0, 0xC7 })]
    [TestCase(Key.KeypadEnter, new byte[] { 0xE0, 0x1C }, new byte[] { 0xE0, 0x9C })]
    [TestCase(Key.KeypadMultiply, new byte[] { 0x37 }, new byte[] { 0xB7 })]
    [TestCase(Key.NumLock, new byte[] { 0x45 }, new byte[] { 0xC5 })]
    [TestCase(Key.NonUsBackslash, new byte[] { 0x56 }, new byte[] { 0xD6 })]
    [TestCase(Key.Ro, new byte[] { 0x73 }, new byte[] { 0xF3 })]
    [TestCase(Key.Yen, new byte[] { 0x7D }, new byte[] { 0xFD })]
    [TestCase(Key.Henkan, new byte[] { 0x79 }, new byte[] { 0xF9 })]
    [TestCase(Key.Muhenkan, new byte[] { 0x7B }, new byte[] { 0xFB })]
    [TestCase(Key.KatakanaHiragana, new byte[] { 0x70 }, new byte[] { 0xF0 })]
    public void Set_1_make_and_break(Key key, byte[] make, byte[] brk)
    {
        var k = InSet(1);
        Assert.That(Press(k, key), Is.EqualTo(make));
        Assert.That(Release(k, key), Is.EqualTo(brk));
    }

    [Test]
    public void Pause_sends_its_E1_sequence_on_make_and_nothing_on_break()
    {
        var k2 = InSet(2);
        Assert.That(Press(k2, Key.Pause), Is.EqualTo(new byte[] { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 }));
        Assert.That(Release(k2, Key.Pause), Is.Empty);
        var k1 = InSet(1);
        Assert.That(Press(k1, Key.Pause), Is.EqualTo(new byte[] { 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 }));
        Assert.That(Release(k1, Key.Pause), Is.Empty);
    }

    [Test]
    public void Ctrl_Pause_sends_Break()
    {
        var k2 = InSet(2);
        Press(k2, Key.LeftControl);
        Assert.That(Press(k2, Key.Pause), Is.EqualTo(new byte[] { 0xE0, 0x7E, 0xE0, 0xF0, 0x7E }));
        var k1 = InSet(1);
        Press(k1, Key.RightControl);
        Assert.That(Press(k1, Key.Pause), Is.EqualTo(new byte[] { 0xE0, 0x46, 0xE0, 0xC6 }));
    }

    [Test]
    public void Pause_does_not_repeat()
    {
        var k = New(out var clock);
        Press(k, Key.Pause);
        Step(clock, 2_000_000_000);
        Assert.That(Out(k), Is.Empty);
    }

    [Test]
    public void PrintScreen_alone_wraps_its_code_in_a_fake_left_shift()
    {
        var k2 = InSet(2);
        Assert.That(Press(k2, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0x12, 0xE0, 0x7C }));
        Assert.That(Release(k2, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 }));
        var k1 = InSet(1);
        Assert.That(Press(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0x2A, 0xE0, 0x37 }));
        Assert.That(Release(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0xB7, 0xE0, 0xAA }));
    }

    [Test]
    public void PrintScreen_with_Shift_or_Ctrl_sends_E0_37_and_with_Alt_SysRq()
    {
        var k1 = InSet(1);
        Press(k1, Key.LeftShift);
        Assert.That(Press(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0x37 }));
        Assert.That(Release(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0xB7 }));
        Release(k1, Key.LeftShift);
        Press(k1, Key.LeftAlt);
        Assert.That(Press(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0x54 }));
        Assert.That(Release(k1, Key.PrintScreen), Is.EqualTo(new byte[] { 0xD4 }));

        var k2 = InSet(2);
        Press(k2, Key.RightAlt);
        Assert.That(Press(k2, Key.PrintScreen), Is.EqualTo(new byte[] { 0x84 }));
        Assert.That(Release(k2, Key.PrintScreen), Is.EqualTo(new byte[] { 0xF0, 0x84 }));
        Release(k2, Key.RightAlt);
        Press(k2, Key.LeftControl);
        Assert.That(Press(k2, Key.PrintScreen), Is.EqualTo(new byte[] { 0xE0, 0x7C }));
    }

    [Test]
    public void Every_key_of_the_enum_has_a_scan_code()
    {
        foreach (var key in Enum.GetValues<Key>())
        {
            if (key == Key.None) continue;
            var k = InSet(2);
            Assert.That(Press(k, key), Is.Not.Empty, key.ToString());
        }
    }

    [Test]
    public void Save_and_restore_round_trip_with_queued_codes_and_a_pending_repeat()
    {
        var k = New(out var clock);
        Assert.That(Send(k, 0xED), Is.EqualTo(new byte[] { 0xFA }));   // now waiting for the LED byte
        k.KeyDown(Key.Left);        // E0 6B queued, repeat pending
        var c2 = new VirtualClock();
        var copy = new Ps2Keyboard(c2);
        Ps2Rig.RoundTrip(k, copy);
        foreach (var (kb, clk) in new[] { (k, clock), (copy, c2) })
        {
            // The keyboard sends no key codes until the LED byte arrives (IBM PS/2 Technical
            // Reference, "Set/Reset Status Indicators"); then the queued E0 6B follows the ACK.
            Assert.That(Out(kb), Is.Empty, "held while the LED byte is awaited");
            Assert.That(Send(kb, 0x02), Is.EqualTo(new byte[] { 0xFA, 0xE0, 0x6B }), "the LED command continues");
            Step(clk, 500_000_000);
            Assert.That(Out(kb), Is.EqualTo(new byte[] { 0xE0, 0x6B }), "the repeat continues");
        }
    }
}
