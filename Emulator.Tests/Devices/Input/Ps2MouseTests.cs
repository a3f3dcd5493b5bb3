using Emulator.Devices.Input;

namespace Emulator.Tests.Devices.Input;

/// <summary>
/// The PS/2 mouse (IBM PS/2 Technical Reference, pointing device: commands E6-FF, the
/// 3-byte packet) and the IntelliMouse extensions (Microsoft: sample-rate knocks 200,100,80
/// for ID 3 and 200,200,80 for ID 4; the 4th packet byte).
/// </summary>
public class Ps2MouseTests
{
    static byte[] Out(Ps2Mouse m)
    {
        var bytes = new List<byte>();
        while (m.HasOutput) bytes.Add(m.ReadOutput());
        return bytes.ToArray();
    }

    static byte[] Send(Ps2Mouse m, params byte[] bytes)
    {
        foreach (byte b in bytes) m.Write(b);
        return Out(m);
    }

    static byte[] Move(Ps2Mouse m, int dx, int dy, int dz, MouseButtons b)
    {
        m.Move(dx, dy, dz, b);
        return Out(m);
    }

    static Ps2Mouse Streaming(byte id = 0)
    {
        var m = new Ps2Mouse();
        if (id >= 3) Send(m, 0xF3, 200, 0xF3, 100, 0xF3, 80);
        if (id == 4) Send(m, 0xF3, 200, 0xF3, 200, 0xF3, 80);
        Assert.That(Send(m, 0xF2, 0xF4), Is.EqualTo(new byte[] { 0xFA, id, 0xFA }));
        return m;
    }

    [Test]
    public void Reset_answers_FA_AA_00_and_get_id_answers_00()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xFF), Is.EqualTo(new byte[] { 0xFA, 0xAA, 0x00 }));
        Assert.That(Send(m, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0x00 }));
    }

    [Test]
    public void Sample_rates_200_100_80_make_an_IntelliMouse_and_200_200_80_an_Explorer()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2),
            Is.EqualTo(new byte[] { 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x03 }));
        Assert.That(Send(m, 0xF3, 200, 0xF3, 200, 0xF3, 80, 0xF2),
            Is.EqualTo(new byte[] { 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0x04 }));
        Assert.That(Send(m, 0xFF), Is.EqualTo(new byte[] { 0xFA, 0xAA, 0x00 }), "reset returns to a standard mouse");
    }

    [Test]
    public void The_knock_must_be_consecutive_set_rate_commands()
    {
        var m = new Ps2Mouse();
        Send(m, 0xF3, 200, 0xF3, 100, 0xE6, 0xF3, 80);
        Assert.That(Send(m, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0x00 }));
    }

    [Test]
    public void Invalid_sample_rate_and_resolution_are_refused_with_FE()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xF3, 33), Is.EqualTo(new byte[] { 0xFA, 0xFE }));
        Assert.That(Send(m, 0xE8, 4), Is.EqualTo(new byte[] { 0xFA, 0xFE }));
        Assert.That(m.SampleRate, Is.EqualTo(100));
        Assert.That(m.Resolution, Is.EqualTo(2));
        Assert.That(Send(m, 0xE1), Is.EqualTo(new byte[] { 0xFE }), "unknown command");
    }

    [Test]
    public void Status_request_reports_mode_scaling_enable_buttons_resolution_and_rate()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xE9), Is.EqualTo(new byte[] { 0xFA, 0x00, 0x02, 100 }), "defaults: 4 counts/mm, 100/s");
        Send(m, 0xE8, 0x03, 0xF3, 40, 0xE7, 0xF4);
        m.Move(0, 0, 0, MouseButtons.Left | MouseButtons.Right);
        Out(m);
        // Bit 2 left, bit 0 right, bit 4 scaling 2:1, bit 5 enabled.
        Assert.That(Send(m, 0xE9), Is.EqualTo(new byte[] { 0xFA, 0x35, 0x03, 40 }));
        Send(m, 0xF0);
        Assert.That(Send(m, 0xE9)[1], Is.EqualTo(0x75), "bit 6 remote mode");
    }

    [Test]
    public void Standard_packets_carry_buttons_bit_3_and_the_sign_bits()
    {
        var m = Streaming();
        // 10 right, 5 up, left button: 09 0A 05.
        Assert.That(Move(m, 10, -5, 0, MouseButtons.Left), Is.EqualTo(new byte[] { 0x09, 0x0A, 0x05 }));
        // 3 left, 4 down, right button: X and Y negative: 08|02|10|20 = 3A, FD, FC.
        Assert.That(Move(m, -3, 4, 0, MouseButtons.Right), Is.EqualTo(new byte[] { 0x3A, 0xFD, 0xFC }));
        Assert.That(Move(m, 0, 0, 0, MouseButtons.Middle), Is.EqualTo(new byte[] { 0x0C, 0x00, 0x00 }));
        Assert.That(Move(m, 0, 0, 5, MouseButtons.None), Is.EqualTo(new byte[] { 0x08, 0x00, 0x00 }),
            "a standard mouse has no wheel byte");
    }

    [Test]
    public void Movement_beyond_nine_bits_sets_the_overflow_bits()
    {
        var m = Streaming();
        Assert.That(Move(m, 300, 0, 0, 0), Is.EqualTo(new byte[] { 0x48, 0xFF, 0x00 }));
        Assert.That(Move(m, -400, 0, 0, 0), Is.EqualTo(new byte[] { 0x58, 0x00, 0x00 }));
        Assert.That(Move(m, 0, 300, 0, 0), Is.EqualTo(new byte[] { 0xA8, 0x00, 0x00 }));
        Assert.That(Move(m, 255, -255, 0, 0), Is.EqualTo(new byte[] { 0x08, 0xFF, 0xFF }), "255 still fits");
        Assert.That(Move(m, -256, 0, 0, 0), Is.EqualTo(new byte[] { 0x18, 0x00, 0x00 }), "-256 still fits");
    }

    [Test]
    public void IntelliMouse_packets_have_a_fourth_byte_with_the_wheel()
    {
        var m = Streaming(3);
        Assert.That(Move(m, 1, 0, 2, MouseButtons.Middle), Is.EqualTo(new byte[] { 0x0C, 0x01, 0x00, 0x02 }));
        Assert.That(Move(m, 0, 0, -1, 0), Is.EqualTo(new byte[] { 0x08, 0x00, 0x00, 0xFF }));
    }

    [Test]
    public void Explorer_packets_put_Z_in_bits_0_3_and_buttons_4_5_above()
    {
        var m = Streaming(4);
        Assert.That(Move(m, 0, 0, -1, MouseButtons.Button4 | MouseButtons.Button5),
            Is.EqualTo(new byte[] { 0x08, 0x00, 0x00, 0x3F }));
        m.Move(0, 0, 9, 0);     // beyond -8..7: 7 now, the remaining 2 in the next packet
        Assert.That(Out(m), Is.EqualTo(new byte[] { 0x08, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x02 }));
    }

    [Test]
    public void Movement_accumulates_while_the_host_has_not_taken_the_packets()
    {
        var m = Streaming();
        for (int i = 0; i < 10; i++) m.Move(1, 0, 0, 0);
        // 16 bytes hold five 3-byte packets; the other five moves wait and go out as one.
        var bytes = Out(m);
        Assert.That(bytes, Has.Length.EqualTo(18));
        Assert.That(bytes[15..], Is.EqualTo(new byte[] { 0x08, 0x05, 0x00 }));
    }

    [Test]
    public void Scaling_2_to_1_maps_stream_movement_as_the_table()
    {
        var m = Streaming();
        Send(m, 0xE7);
        Send(m, 0xF4);
        Assert.That(Move(m, 4, 0, 0, 0)[1], Is.EqualTo(6));
        Assert.That(Move(m, -5, 0, 0, 0)[1], Is.EqualTo(0xF7));   // -9
        Assert.That(Move(m, 2, 0, 0, 0)[1], Is.EqualTo(1));
        Assert.That(Move(m, 10, 0, 0, 0)[1], Is.EqualTo(20));
    }

    [Test]
    public void Disabled_reporting_sends_nothing()
    {
        var m = new Ps2Mouse();
        Assert.That(Move(m, 5, 5, 0, MouseButtons.Left), Is.Empty);
        Send(m, 0xF4);
        Send(m, 0xF5);
        Assert.That(Move(m, 5, 5, 0, MouseButtons.Left), Is.Empty);
    }

    [Test]
    public void Remote_mode_accumulates_until_read_data()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xF0), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(Move(m, 5, 0, 0, 0), Is.Empty);
        Assert.That(Move(m, 2, -1, 0, MouseButtons.Left), Is.Empty);
        Assert.That(Send(m, 0xEB), Is.EqualTo(new byte[] { 0xFA, 0x09, 0x07, 0x01 }));
        Assert.That(Send(m, 0xEB), Is.EqualTo(new byte[] { 0xFA, 0x09, 0x00, 0x00 }), "counters cleared by the read");
    }

    [Test]
    public void Wrap_mode_echoes_until_reset_wrap()
    {
        var m = new Ps2Mouse();
        Assert.That(Send(m, 0xEE, 0x12, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0x12, 0xF2 }));
        Assert.That(Send(m, 0xEC, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0x00 }));
    }

    [Test]
    public void A_command_discards_queued_packets_so_its_acknowledge_comes_next()
    {
        var m = Streaming();
        m.Move(1, 1, 0, 0);
        m.ReadOutput();
        Assert.That(Send(m, 0xF5), Is.EqualTo(new byte[] { 0xFA }));
    }

    [Test]
    public void Set_defaults_keeps_the_id_but_restores_rate_resolution_and_stream_mode()
    {
        var m = Streaming(3);
        Send(m, 0xF0, 0xE8, 0x00, 0xE7);
        Assert.That(Send(m, 0xF6), Is.EqualTo(new byte[] { 0xFA }));
        Assert.That(Send(m, 0xE9, 0xF2), Is.EqualTo(new byte[] { 0xFA, 0x00, 0x02, 100, 0xFA, 0x03 }));
    }

    [Test]
    public void Save_and_restore_round_trip_mid_packet()
    {
        var m = Streaming(3);
        m.Move(3, -2, 1, MouseButtons.Left);
        Assert.That(m.ReadOutput(), Is.EqualTo(0x09));
        var copy = new Ps2Mouse();
        Ps2Rig.RoundTrip(m, copy);
        foreach (var x in new[] { m, copy })
        {
            Assert.That(Out(x), Is.EqualTo(new byte[] { 0x03, 0x02, 0x01 }), "the rest of the packet");
            Assert.That(Send(x, 0xF3, 60, 0xE9), Is.EqualTo(new byte[] { 0xFA, 0xFA, 0xFA, 0x24, 0x02, 60 }));
            Assert.That(Move(x, 1, 0, 0, MouseButtons.Left), Is.EqualTo(new byte[] { 0x09, 0x01, 0x00, 0x00 }));
        }
    }
}
