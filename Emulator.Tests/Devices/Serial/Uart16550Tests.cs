using Emulator.Core.Interrupts;
using Emulator.Core.Time;
using Emulator.Devices.Serial;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Devices.Serial;

/// <summary>A backend the test feeds and reads.</summary>
internal sealed class TestSerialBackend : ISerialBackend
{
    public readonly Queue<byte> Input = new();
    public readonly List<byte> Output = new();

    public void Write(byte value) => Output.Add(value);

    public bool CanReceive => true;

    public bool TryRead(out byte value) => Input.TryDequeue(out value);

    public void Inject(string text)
    {
        foreach (char c in text) Input.Enqueue((byte)c);
    }

    public string OutputText => new(Output.Select(b => (char)b).ToArray());
}

/// <summary>Register-level tests against the PC16550D datasheet (tables II-IV, section 8).</summary>
public class Uart16550Tests
{
    // Register offsets (datasheet table II)
    const int Rbr = 0, Thr = 0, Dll = 0, Ier = 1, Dlm = 1, Iir = 2, Fcr = 2, Lcr = 3, Mcr = 4, Lsr = 5, Msr = 6, Scr = 7;
    const ushort Base = 0x3F8;

    VirtualClock clock = null!;
    TestSerialBackend backend = null!;
    Uart16550 uart = null!;
    IrqLine irq = null!;

    [SetUp]
    public void SetUp()
    {
        clock = new VirtualClock();
        backend = new TestSerialBackend();
        irq = new IrqLine(4, (_, _) => { });
        uart = new Uart16550("serial0", clock, irq, backend);
    }

    byte In(int reg) => (byte)uart.In((ushort)(Base + reg), 1);

    void Out(int reg, int value) => uart.Out((ushort)(Base + reg), 1, (uint)value);

    void Advance(long ns)
    {
        clock.AdvanceTo(clock.Now + ns);
        clock.RunDue();
    }

    void SetDivisor(int divisor)
    {
        byte lcr = In(Lcr);
        Out(Lcr, lcr | 0x80);
        Out(Dll, divisor & 0xFF);
        Out(Dlm, divisor >> 8);
        Out(Lcr, lcr);
    }

    [Test]
    public void Master_reset_values_follow_table_III()
    {
        Out(Scr, 0x5A);
        SetDivisor(3);
        Out(Ier, 0x0F); Out(Lcr, 0x1B); Out(Mcr, 0x1F); Out(Fcr, 0xC7);
        uart.Reset();
        Assert.Multiple(() =>
        {
            Assert.That(In(Ier), Is.Zero);
            Assert.That(In(Iir), Is.EqualTo(0x01), "no interrupt, FIFOs off");
            Assert.That(In(Lcr), Is.Zero);
            Assert.That(In(Mcr), Is.Zero);
            Assert.That(In(Lsr), Is.EqualTo(0x60), "THRE and TEMT");
            Assert.That(In(Msr), Is.EqualTo(0xB0), "DCD, DSR, CTS from the line, no deltas");
            Assert.That(In(Scr), Is.EqualTo(0x5A), "SCR is not reset");
            Assert.That(uart.Divisor, Is.EqualTo(3), "the divisor latch is not reset");
        });
    }

    [Test]
    public void The_divisor_latch_replaces_rbr_thr_and_ier_while_dlab_is_set()
    {
        Out(Ier, 0x05);
        Out(Lcr, 0x83);
        Out(Dll, 0x80);
        Out(Dlm, 0x01);
        Assert.That(In(Dll), Is.EqualTo(0x80));
        Assert.That(In(Dlm), Is.EqualTo(0x01));
        Assert.That(backend.Output, Is.Empty, "a DLL write transmits nothing");
        Out(Lcr, 0x03);
        Assert.That(In(Ier), Is.EqualTo(0x05));
        Assert.That(uart.Divisor, Is.EqualTo(0x180));
    }

    // character time = bits x divisor / 115200 s
    [TestCase(12, 0x03, 1_041_666L)]   // 8N1 at 9600: 10 bits
    [TestCase(1, 0x1E, 95_486L)]       // 7E2 at 115200: 1 + 7 + 1 + 2 = 11 bits
    [TestCase(1, 0x04, 65_104L)]       // 5N1.5: 1 + 5 + 1.5 = 7.5 bits
    [TestCase(0, 0x03, 5_688_888_888L)] // divisor 0 counts as 65536
    public void Character_time_comes_from_the_divisor_and_the_line_format(int divisor, int lcr, long ns)
    {
        SetDivisor(divisor);
        Out(Lcr, lcr);
        Assert.That(uart.CharacterTime(), Is.EqualTo(ns));
    }

    [Test]
    public void A_thr_write_is_sent_at_once_and_thre_temt_return_after_the_transmit_time_whatever_the_baud_rate()
    {
        SetDivisor(12);                       // 9600 baud: a character time would be 1 041 666 ns
        Out(Lcr, 0x03);
        Out(Thr, 'A');
        Assert.That(backend.OutputText, Is.EqualTo("A"));
        Assert.That(In(Lsr) & 0x60, Is.Zero);
        Advance(Uart16550.TransmitTime - 1);
        Assert.That(In(Lsr) & 0x60, Is.Zero);
        Advance(1);
        Assert.That(In(Lsr), Is.EqualTo(0x60));
    }

    [Test]
    public void The_thre_interrupt_is_armed_on_enable_cleared_by_iir_read_or_thr_write_and_rearmed_when_thr_empties()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Mcr, 0x08);                       // OUT2 enables the IRQ on a PC
        Out(Ier, 0x02);
        Assert.That(irq.Level, Is.True, "enabling ETBEI with THR empty interrupts at once");
        Assert.That(In(Iir), Is.EqualTo(0x02));
        Assert.That(In(Iir), Is.EqualTo(0x01), "reading IIR reporting THRE cleared it");
        Assert.That(irq.Level, Is.False);

        Out(Thr, 'x');
        Advance(uart.CharacterTime());
        Assert.That(irq.Level, Is.True);
        Out(Thr, 'y');
        Assert.That(irq.Level, Is.False, "a THR write clears it");
        Advance(uart.CharacterTime());
        Assert.That(In(Iir), Is.EqualTo(0x02));

        Out(Ier, 0x00);
        Out(Ier, 0x02);
        Assert.That(In(Iir), Is.EqualTo(0x02), "toggling ETBEI re-arms it while THR is empty");
    }

    [Test]
    public void Out2_gates_the_irq_and_loopback_forces_it_off()
    {
        Out(Ier, 0x02);
        Assert.That(irq.Level, Is.False, "OUT2 off: no IRQ");
        Out(Mcr, 0x08);
        Assert.That(irq.Level, Is.True);
        Out(Mcr, 0x18);
        Assert.That(irq.Level, Is.False, "loopback forces the OUT2 pin inactive");
        Assert.That(In(Iir), Is.EqualTo(0x02), "the interrupt is still identified in loopback");
    }

    [TestCase(0x01, 1)]
    [TestCase(0x41, 4)]
    [TestCase(0x81, 8)]
    [TestCase(0xC1, 14)]
    public void Received_data_interrupts_when_the_fifo_reaches_its_trigger_level(int fcr, int level)
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Fcr, fcr);
        Out(Mcr, 0x18);
        Out(Ier, 0x01);
        for (int i = 0; i < level - 1; i++) Out(Thr, 'a' + i);
        Assert.That(In(Iir), Is.EqualTo(0xC1), $"{level - 1} bytes: below the trigger level");
        Assert.That(In(Lsr) & 1, Is.EqualTo(level > 1 ? 1 : 0));
        Out(Thr, 'Z');
        Assert.That(In(Iir), Is.EqualTo(0xC4));
        In(Rbr);
        Assert.That(In(Iir), Is.EqualTo(0xC1), "back below the trigger level");
    }

    [Test]
    public void The_character_timeout_fires_after_four_character_times_and_clears_on_rbr_read()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Fcr, 0xC1);
        Out(Mcr, 0x18);
        Out(Ier, 0x01);
        Out(Thr, 'a');
        Out(Thr, 'b');
        long four = 4 * uart.CharacterTime();
        Advance(four - 1);
        Assert.That(In(Iir), Is.EqualTo(0xC1));
        Advance(1);
        Assert.That(In(Iir), Is.EqualTo(0xCC));
        Assert.That(In(Rbr), Is.EqualTo('a'));
        Assert.That(In(Iir), Is.EqualTo(0xC1), "an RBR read clears the timeout and restarts the timer");
        Advance(four);
        Assert.That(In(Iir), Is.EqualTo(0xCC));
        Assert.That(In(Rbr), Is.EqualTo('b'));
        Advance(four);
        Assert.That(In(Iir), Is.EqualTo(0xC1), "no timeout with an empty FIFO");
    }

    [Test]
    public void Interrupts_are_identified_in_datasheet_priority_order()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Mcr, 0x11);                       // loopback, DTR: the modem inputs change
        Out(Thr, 'a');
        Out(Thr, 'b');                        // no FIFO: overwrites RBR, overrun
        Advance(uart.CharacterTime());
        Out(Ier, 0x0F);

        Assert.That(In(Iir), Is.EqualTo(0x06), "receiver line status first");
        Assert.That(In(Lsr), Is.EqualTo(0x63), "DR, OE, THRE, TEMT");
        Assert.That(In(Lsr), Is.EqualTo(0x61), "OE clears on read");
        Assert.That(In(Iir), Is.EqualTo(0x04), "then received data");
        Assert.That(In(Rbr), Is.EqualTo('b'), "the overrun character replaced the first");
        Assert.That(In(Iir), Is.EqualTo(0x02), "then THR empty");
        Assert.That(In(Iir), Is.EqualTo(0x00), "then modem status (the THRE read cleared THRE)");
        Assert.That(In(Msr) & 0x0F, Is.Not.Zero);
        Assert.That(In(Iir), Is.EqualTo(0x01));
    }

    [Test]
    public void Loopback_maps_mcr_to_msr_with_delta_bits()
    {
        Out(Mcr, 0x10);
        Assert.That(In(Msr), Is.EqualTo(0x0B), "CTS, DSR, DCD dropped: DCTS, DDSR, DDCD");
        Assert.That(In(Msr), Is.EqualTo(0x00), "reading MSR clears the deltas");
        Out(Mcr, 0x1F);
        Assert.That(In(Msr), Is.EqualTo(0xFB), "RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD; RI rising sets no TERI");
        Out(Mcr, 0x1B);
        Assert.That(In(Msr), Is.EqualTo(0xB4), "OUT1 off: RI's trailing edge sets TERI");
        Out(Mcr, 0x02);
        Assert.That(In(Msr), Is.EqualTo(0xB0 | 0x00), "leaving loopback: the line's CTS, DSR, DCD again, unchanged from the loop");
    }

    [Test]
    public void Modem_status_interrupts_on_a_line_change()
    {
        Out(Mcr, 0x08);
        Out(Ier, 0x08);
        Assert.That(irq.Level, Is.False);
        uart.SetModemInputs(cts: false, dsr: true, ri: false, dcd: true);
        Assert.That(irq.Level, Is.True);
        Assert.That(In(Iir), Is.EqualTo(0x00));
        Assert.That(In(Msr), Is.EqualTo(0xA1));
        Assert.That(irq.Level, Is.False);
    }

    [Test]
    public void Loopback_delivers_only_the_word_length_bits()
    {
        Out(Lcr, 0x00);                       // 5-bit words
        Out(Mcr, 0x10);
        Out(Thr, 0xFF);
        Assert.That(In(Rbr), Is.EqualTo(0x1F));
        Assert.That(backend.Output, Is.Empty, "loopback sends nothing to the line");
    }

    [Test]
    public void A_full_fifo_in_loopback_overruns_and_keeps_its_sixteen_bytes()
    {
        Out(Fcr, 0x01);
        Out(Lcr, 0x03);
        Out(Mcr, 0x10);
        for (int i = 0; i < 17; i++) Out(Thr, i);
        Assert.That(In(Lsr) & 0x03, Is.EqualTo(0x03));
        var got = Enumerable.Range(0, 17).Select(_ => In(Rbr)).ToArray();
        Assert.That(got[..16], Is.EqualTo(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()));
        Assert.That(In(Lsr) & 1, Is.Zero);
    }

    [Test]
    public void Backend_input_is_held_back_while_the_fifo_is_full_so_nothing_is_lost()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Fcr, 0x01);
        var text = string.Concat(Enumerable.Range(0, 40).Select(i => (char)('0' + i)));
        backend.Inject(text);
        Advance(100 * uart.CharacterTime());
        Assert.That(backend.Input, Has.Count.EqualTo(24), "16 in the FIFO, the rest still in the backend");
        var got = new List<byte>();
        while (got.Count < 40)
        {
            byte lsr = In(Lsr);
            Assert.That(lsr & 0x02, Is.Zero, "never an overrun");
            if ((lsr & 1) != 0) got.Add(In(Rbr));
            else Advance(uart.CharacterTime());
        }
        Assert.That(new string(got.Select(b => (char)b).ToArray()), Is.EqualTo(text));
    }

    [Test]
    public void Without_fifos_input_arrives_one_byte_per_rbr_read()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        backend.Inject("ab");
        Advance(10 * uart.CharacterTime());
        Assert.That(In(Lsr), Is.EqualTo(0x61));
        Assert.That(In(Rbr), Is.EqualTo('a'));
        Assert.That(In(Lsr) & 1, Is.Zero);
        Advance(uart.CharacterTime());
        Assert.That(In(Rbr), Is.EqualTo('b'));
        Assert.That(In(Lsr), Is.EqualTo(0x60), "no overrun");
    }

    [Test]
    public void Input_arrives_one_character_time_apart()
    {
        SetDivisor(1);
        Out(Lcr, 0x03);
        Out(Fcr, 0x01);
        long t = uart.CharacterTime();
        backend.Inject("abc");
        Advance(t);
        Advance(t);
        Assert.That(backend.Input, Has.Count.EqualTo(1));
    }

    [Test]
    public void Fcr_bits_are_programmed_only_with_bit_0_and_iir_shows_the_fifos()
    {
        Out(Fcr, 0xC0);
        Assert.That(In(Iir), Is.EqualTo(0x01));
        Out(Fcr, 0x01);
        Assert.That(In(Iir), Is.EqualTo(0xC1), "IIR bits 7:6 set with FIFOs enabled");
        Out(Mcr, 0x10);
        Out(Lcr, 0x03);
        Out(Thr, 'q');
        Out(Fcr, 0x03);                       // clear the receive FIFO
        Assert.That(In(Lsr) & 1, Is.Zero);
        Out(Thr, 'r');
        Out(Fcr, 0x00);                       // leaving FIFO mode clears the FIFOs
        Assert.That(In(Lsr) & 1, Is.Zero);
        Assert.That(In(Iir), Is.EqualTo(0x01));
    }

    [Test]
    public void Wide_accesses_are_split_into_byte_registers()
    {
        uart.Out(Base + Lcr, 2, 0x0B03);      // LCR = 3, MCR = 0x0B
        Assert.That(In(Lcr), Is.EqualTo(3));
        Assert.That(In(Mcr), Is.EqualTo(0x0B));
        Assert.That(uart.In(Base + Lcr, 2), Is.EqualTo(0x0B03));
    }

    [Test]
    public void Save_and_load_round_trip_with_fifo_contents_and_pending_timers()
    {
        SetDivisor(2);
        Out(Lcr, 0x03);
        Out(Fcr, 0x41);
        Out(Ier, 0x0B);
        Out(Scr, 0x77);
        backend.Inject("hello");
        Advance(3 * uart.CharacterTime());
        Out(Thr, '!');
        Advance(7);

        byte[] saved = Save(uart);
        var clock2 = new VirtualClock();
        clock2.AdvanceTo(clock.Now);
        var backend2 = new TestSerialBackend();
        foreach (byte b in backend.Input) backend2.Input.Enqueue(b);
        var copy = new Uart16550("serial0", clock2, IrqLine.Unconnected(4), backend2);
        using (var reader = new BinaryReader(new MemoryStream(saved))) copy.LoadState(reader, copy.SnapshotVersion);
        Assert.That(Save(copy), Is.EqualTo(saved));

        var a = new List<byte>();
        var b2 = new List<byte>();
        for (int step = 0; step < 12; step++)
        {
            a.Add(In(Iir)); a.Add(In(Lsr)); a.Add(In(Rbr));
            b2.Add((byte)copy.In(Base + Iir, 1)); b2.Add((byte)copy.In(Base + Lsr, 1)); b2.Add((byte)copy.In(Base + Rbr, 1));
            Advance(uart.CharacterTime() / 2);
            clock2.AdvanceTo(clock.Now);
            clock2.RunDue();
        }
        Assert.That(b2, Is.EqualTo(a));
        Assert.That(a, Does.Contain((byte)'o'), "the input after the snapshot arrived too");
    }

}
