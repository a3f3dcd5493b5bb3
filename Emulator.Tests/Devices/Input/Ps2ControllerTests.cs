using Emulator.Devices.Input;

namespace Emulator.Tests.Devices.Input;

/// <summary>
/// The 8042 at register level (IBM PS/2 Hardware Interface Technical Reference, keyboard
/// controller: status register, command byte, commands 20-FF, output port).
/// </summary>
public class Ps2ControllerTests
{
    const byte OBF = Ps2Controller.StatusOutputFull, AUX = Ps2Controller.StatusAuxOutputFull;

    [Test]
    public void After_reset_the_buffers_are_empty_and_the_command_byte_enables_both_interrupts()
    {
        var r = new Ps2Rig();
        Assert.Multiple(() =>
        {
            // Bit 3 (last write was a command) and bit 4 (not inhibited); OBF, IBF, SYS clear.
            Assert.That(r.Status, Is.EqualTo(0x18));
            Assert.That(r.Query(0x20), Is.EqualTo(0x03));
            Assert.That(r.Kbc.OutputPort, Is.EqualTo(0xCF), "reset line high, A20 on");
        });
    }

    [Test]
    public void Command_byte_write_sets_the_system_flag_and_clears_the_command_bit()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x65);     // translate, mouse clock off, system flag, keyboard interrupt
        Assert.That(r.Status, Is.EqualTo(0x14), "SYS (bit 2) follows the command byte; bit 3 clear after a data write");
        Assert.That(r.Query(0x20), Is.EqualTo(0x65));
        Assert.That(r.Status & 0x08, Is.EqualTo(0x08), "bit 3 set after a command write");
    }

    [Test]
    public void Internal_ram_bytes_1_to_31_are_read_and_written_with_21_3F_and_61_7F()
    {
        var r = new Ps2Rig();
        r.Command(0x7F);
        r.Data(0xC3);
        r.Command(0x65);
        r.Data(0x12);
        Assert.That(r.Query(0x3F), Is.EqualTo(0xC3));
        Assert.That(r.Query(0x25), Is.EqualTo(0x12));
        Assert.That(r.Query(0x20), Is.EqualTo(0x03), "the command byte is untouched");
    }

    [Test]
    public void Self_test_answers_55_and_sets_the_system_flag_interface_tests_answer_00()
    {
        var r = new Ps2Rig();
        Assert.That(r.Query(0xAA), Is.EqualTo(0x55));
        Assert.That(r.Status & Ps2Controller.StatusSystemFlag, Is.Not.Zero);
        Assert.That(r.Query(0xAB), Is.EqualTo(0x00));
        Assert.That(r.Query(0xA9), Is.EqualTo(0x00));
        Assert.That(r.Query(0xA4), Is.EqualTo(0xF1), "no password installed");
        Assert.That(r.Query(0xC0), Is.EqualTo(0x80), "input port: keyboard not inhibited");
        Assert.That(r.Query(0xE0), Is.EqualTo(0x00));
    }

    [Test]
    public void A7_A8_AD_AE_set_and_clear_the_clock_disable_bits_of_the_command_byte()
    {
        var r = new Ps2Rig();
        r.Command(0xA7);
        Assert.That(r.Query(0x20), Is.EqualTo(0x23));
        r.Command(0xAD);
        Assert.That(r.Query(0x20), Is.EqualTo(0x33));
        r.Command(0xA8);
        Assert.That(r.Query(0x20), Is.EqualTo(0x13));
        r.Command(0xAE);
        Assert.That(r.Query(0x20), Is.EqualTo(0x03));
    }

    [Test]
    public void D2_and_D3_put_a_byte_in_the_output_buffer_as_keyboard_or_mouse_data()
    {
        var r = new Ps2Rig();
        r.Command(0xD2);
        r.Data(0x5A);
        Assert.That(r.Status & (OBF | AUX), Is.EqualTo(OBF));
        Assert.That(r.Irq1.Level, Is.True);
        Assert.That(r.Irq12.Level, Is.False);
        Assert.That(r.Read(), Is.EqualTo(0x5A));
        Assert.That(r.Irq1.Level, Is.False, "reading the output buffer drops IRQ 1");

        r.Command(0xD3);
        r.Data(0x77);
        Assert.That(r.Status & (OBF | AUX), Is.EqualTo(OBF | AUX));
        Assert.That(r.Irq12.Level, Is.True);
        Assert.That(r.Irq1.Level, Is.False);
        Assert.That(r.Read(), Is.EqualTo(0x77));
        Assert.That(r.Status & (OBF | AUX), Is.Zero);
        Assert.That(r.Read(), Is.EqualTo(0x77), "an empty output buffer reads its last byte again");
    }

    [Test]
    public void Interrupts_follow_the_enable_bits_of_the_command_byte()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x00);
        r.Command(0xD2);
        r.Data(0x11);
        Assert.That(r.Irq1.Level, Is.False, "IRQ 1 disabled");
        r.SetCommandByte(0x01);
        Assert.That(r.Irq1.Level, Is.True, "enabling with data waiting raises IRQ 1");
    }

    [Test]
    public void Output_port_D1_drives_A20_and_D0_reads_it_back()
    {
        var r = new Ps2Rig();
        r.Command(0xD1);
        r.Data(0xDD);               // A20 off, reset line high
        Assert.That(r.A20, Is.False);
        Assert.That(r.Resets, Is.Zero);
        Assert.That(r.Query(0xD0), Is.EqualTo(0xCD), "bits 4/5 show the IRQ outputs, both low when D0 was issued");
        r.Command(0xD1);
        r.Data(0xDF);
        Assert.That(r.A20, Is.True);
        Assert.That(r.Resets, Is.Zero);
    }

    [Test]
    public void Output_port_bit_0_low_resets_the_machine()
    {
        var r = new Ps2Rig();
        r.Command(0xD1);
        r.Data(0xDE);
        Assert.That(r.Resets, Is.EqualTo(1));
    }

    [Test]
    public void DD_and_DF_turn_A20_off_and_on()
    {
        var r = new Ps2Rig();
        r.Command(0xDD);
        Assert.That(r.A20, Is.False);
        Assert.That(r.Query(0xD0) & 0x02, Is.Zero);
        r.Command(0xDF);
        Assert.That(r.A20, Is.True);
        Assert.That(r.Resets, Is.Zero);
    }

    [TestCase(0xFE, 1)]
    [TestCase(0xF0, 1)]
    [TestCase(0xFC, 1)]
    [TestCase(0xFF, 0)]
    [TestCase(0xFD, 0)]
    public void Pulse_commands_reset_when_bit_0_is_pulsed(int command, int resets)
    {
        var r = new Ps2Rig();
        r.Command((byte)command);
        Assert.That(r.Resets, Is.EqualTo(resets));
    }

    [Test]
    public void Keyboard_reset_through_port_60_gives_FA_then_AA_one_byte_per_read()
    {
        var r = new Ps2Rig();
        r.Data(0xFF);
        Assert.That(r.Irq1Edges, Is.EqualTo(1));
        Assert.That(r.Read(), Is.EqualTo(0xFA));
        Assert.That(r.Irq1Edges, Is.EqualTo(2), "the next byte is a new IRQ 1 edge");
        Assert.That(r.Read(), Is.EqualTo(0xAA));
        Assert.That(r.Status & OBF, Is.Zero);
    }

    [Test]
    public void Keyboard_identify_is_AB_83_raw_and_AB_41_translated()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x01);
        r.Data(0xF2);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xFA, 0xAB, 0x83 }));
        r.SetCommandByte(0x41);
        r.Data(0xF2);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xFA, 0xAB, 0x41 }));
        r.Data(0xF0);
        r.Data(0x00);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0x41 }), "set 2 reads as 41 through translation");
    }

    [Test]
    public void Translation_turns_set_2_key_codes_into_set_1()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x41);
        r.Keyboard.KeyDown(Key.A);
        r.Keyboard.KeyUp(Key.A);
        r.Keyboard.KeyDown(Key.Up);
        r.Keyboard.KeyUp(Key.Up);
        r.Keyboard.KeyDown(Key.F7);
        r.Keyboard.KeyUp(Key.F7);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0x1E, 0x9E, 0xE0, 0x48, 0xE0, 0xC8, 0x41, 0xC1 }));
    }

    [Test]
    public void Translated_Pause_and_PrintScreen_equal_the_keyboards_own_set_1()
    {
        // Read after each event: set 2's Pause and Print Screen together overflow the 16-byte buffer.
        static byte[] Keys(Ps2Rig r)
        {
            var bytes = new List<byte>();
            foreach (var (key, down) in new[] { (Key.Pause, true), (Key.Pause, false), (Key.PrintScreen, true),
                (Key.PrintScreen, false), (Key.LeftAlt, true), (Key.PrintScreen, true), (Key.PrintScreen, false),
                (Key.LeftAlt, false) })
            {
                if (down) r.Keyboard.KeyDown(key);
                else r.Keyboard.KeyUp(key);
                bytes.AddRange(r.Drain());
            }
            return bytes.ToArray();
        }
        var translated = new Ps2Rig();
        translated.SetCommandByte(0x41);
        var native = new Ps2Rig();
        native.SetCommandByte(0x01);
        native.Data(0xF0);
        native.Data(0x01);
        native.Drain();
        Assert.That(Keys(translated), Is.EqualTo(Keys(native)));
    }

    [Test]
    public void Raw_set_2_passes_untranslated_with_an_IRQ_edge_per_byte()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x01);
        r.Keyboard.KeyDown(Key.Up);
        Assert.That(r.Read(), Is.EqualTo(0xE0));
        Assert.That(r.Read(), Is.EqualTo(0x75));
        Assert.That(r.Irq1Edges, Is.EqualTo(2));
    }

    [Test]
    public void A_disabled_keyboard_interface_holds_key_data_until_enabled()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x41);
        r.Command(0xAD);
        r.Keyboard.KeyDown(Key.Z);
        Assert.That(r.Status & OBF, Is.Zero);
        r.Command(0xAE);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0x2C }));
    }

    [Test]
    public void D4_sends_to_the_mouse_whose_replies_set_AUX_OBF_and_IRQ_12()
    {
        var r = new Ps2Rig();
        r.Command(0xD4);
        r.Data(0xFF);
        Assert.That(r.Status & (OBF | AUX), Is.EqualTo(OBF | AUX));
        Assert.That(r.Irq12.Level, Is.True);
        Assert.That(r.Irq1.Level, Is.False);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xFA, 0xAA, 0x00 }));
        Assert.That(r.Irq12Edges, Is.EqualTo(3));
        Assert.That(r.Irq1Edges, Is.Zero);
    }

    [Test]
    public void A_disabled_mouse_interface_holds_mouse_data()
    {
        var r = new Ps2Rig();
        r.Command(0xD4);
        r.Data(0xF4);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xFA }));
        r.Command(0xA7);
        r.Mouse.Move(1, 0, 0, MouseButtons.None);
        Assert.That(r.Status & OBF, Is.Zero);
        r.Command(0xA8);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0x08, 0x01, 0x00 }));
    }

    [Test]
    public void Controller_replies_wait_for_the_output_buffer_and_go_ahead_of_device_data()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x01);
        r.Keyboard.KeyDown(Key.Up);     // E0 75: E0 in the buffer, 75 waiting in the keyboard
        r.Command(0x20);
        Assert.That(r.Drain(), Is.EqualTo(new byte[] { 0xE0, 0x01, 0x75 }));
    }

    [Test]
    public void Wide_reads_return_the_byte_with_the_upper_lanes_high()
    {
        var r = new Ps2Rig();
        Assert.That(r.Kbc.In(0x64, 2), Is.EqualTo(0xFF18));
    }

    [Test]
    public void Save_and_restore_round_trip_including_a_pending_command_and_a_full_buffer()
    {
        var r = new Ps2Rig();
        r.SetCommandByte(0x47);
        r.Command(0xD2);
        r.Data(0x33);               // output buffer full
        r.Command(0xD1);            // waiting for the output port byte
        var copy = new Ps2Rig();
        Ps2Rig.RoundTrip(r.Kbc, copy.Kbc);
        Assert.That(copy.Irq1.Level, Is.True, "restore re-drives the IRQ line");
        foreach (var x in new[] { r, copy })
        {
            x.Data(0xDD);
            Assert.That(x.A20, Is.False);
            Assert.That(x.Read(), Is.EqualTo(0x33));
            Assert.That(x.Query(0x20), Is.EqualTo(0x47));
        }
    }
}
