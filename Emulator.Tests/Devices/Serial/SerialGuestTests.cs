using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Serial;
using Emulator.Tests.Cpu;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Serial;

/// <summary>Real-mode guests driving COM1 the way a BIOS or DOS program does, by polling LSR.</summary>
public class SerialGuestTests
{
    const ushort Com1 = 0x3F8;

    static (TestMachine, TestSerialBackend, Uart16550) Setup()
    {
        var m = new TestMachine();
        var backend = new TestSerialBackend();
        var uart = new Uart16550("serial0", m.Machine.Clock, IrqLine.Unconnected(4), backend);
        m.Machine.Io.Register(Com1, 8, uart);
        return (m, backend, uart);
    }

    /// <summary>115200 baud (divisor 1), 8N1, FIFOs on.</summary>
    static void InitUart(Assembler a)
    {
        a.mov(dx, Com1 + 3); a.mov(al, 0x80); a.@out(dx, al);
        a.mov(dx, Com1 + 0); a.mov(al, 1); a.@out(dx, al);
        a.mov(dx, Com1 + 1); a.mov(al, 0); a.@out(dx, al);
        a.mov(dx, Com1 + 3); a.mov(al, 0x03); a.@out(dx, al);
        a.mov(dx, Com1 + 2); a.mov(al, 0x07); a.@out(dx, al);
    }

    [Test]
    public void A_guest_prints_a_string_by_polling_thre()
    {
        const string text = "Hello, serial\r\n";
        var (m, backend, uart) = Setup();
        m.WriteBytes(0x2000, System.Text.Encoding.ASCII.GetBytes(text + "\0"));
        m.Load(16, 0x1000, a =>
        {
            var next = a.CreateLabel();
            var wait = a.CreateLabel();
            var done = a.CreateLabel();
            InitUart(a);
            a.mov(si, 0x2000);
            a.Label(ref next);
            a.lodsb();
            a.test(al, al);
            a.jz(done);
            a.mov(bl, al);
            a.mov(dx, Com1 + 5);
            a.Label(ref wait);
            a.@in(al, dx);
            a.test(al, 0x20);
            a.jz(wait);
            a.mov(dx, Com1);
            a.mov(al, bl);
            a.@out(dx, al);
            a.jmp(next);
            a.Label(ref done);
            a.cli();
            a.hlt();
        });
        m.StartReal(0, 0x1000);

        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(backend.OutputText, Is.EqualTo(text));
        Assert.That(m.Machine.Clock.Now, Is.GreaterThanOrEqualTo((text.Length - 1) * uart.CharacterTime()),
            "each character after the first waited one character time for THRE");
    }

    [Test]
    public void A_guest_receives_bytes_injected_by_the_test()
    {
        var (m, backend, _) = Setup();
        backend.Inject("ping\n");
        m.Load(16, 0x1000, a =>
        {
            var wait = a.CreateLabel();
            InitUart(a);
            a.mov(di, 0x2000);
            a.Label(ref wait);
            a.mov(dx, Com1 + 5);
            a.@in(al, dx);
            a.test(al, 0x01);
            a.jz(wait);
            a.mov(dx, Com1);
            a.@in(al, dx);
            a.stosb();
            a.cmp(al, (byte)'\n');
            a.jne(wait);
            a.cli();
            a.hlt();
        });
        m.StartReal(0, 0x1000);

        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        var got = new byte[5];
        m.Machine.Memory.Read(0x2000, got);
        Assert.That(System.Text.Encoding.ASCII.GetString(got), Is.EqualTo("ping\n"));
    }
}
