using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Interrupts;
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
        Assert.That(m.Machine.Clock.Now, Is.GreaterThanOrEqualTo((text.Length - 1) * Uart16550.TransmitTime),
            "each character after the first waited the transmit time for THRE");
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

    [Test]
    public void A_guest_takes_receive_interrupts_on_irq_4_through_the_pic()
    {
        var m = new TestMachine();
        var pic = new DualPic();
        pic.Attach(m.Machine.Io);
        m.Machine.Cpu.InterruptController = pic;
        var backend = new TestSerialBackend();
        var uart = new Uart16550("serial0", m.Machine.Clock, new IrqLine(4, pic.SetIrq), backend);
        m.Machine.Io.Register(Com1, 8, uart);
        backend.Inject("hello");
        m.Load(16, 0x1000, a =>
        {
            var idle = a.CreateLabel();
            a.mov(__word_ptr[0x0C * 4], 0x1100);       // IVT: IRQ 4 is vector 0x0C with the master at 0x08
            a.mov(__word_ptr[0x0C * 4 + 2], 0);
            foreach (var (port, value) in new (byte, byte)[] { (0x20, 0x11), (0x21, 0x08), (0x21, 0x04), (0x21, 0x01),
                         (0xA0, 0x11), (0xA1, 0x70), (0xA1, 0x02), (0xA1, 0x01), (0x21, 0xEF), (0xA1, 0xFF) })
            {
                a.mov(al, value);
                a.@out(port, al);
            }
            InitUart(a);
            a.mov(dx, Com1 + 2); a.mov(al, 0x07); a.@out(dx, al);   // FIFOs, trigger level 1
            a.mov(dx, Com1 + 1); a.mov(al, 0x01); a.@out(dx, al);   // IER: received data
            a.mov(dx, Com1 + 4); a.mov(al, 0x08); a.@out(dx, al);   // MCR: OUT2 lets INTR reach IRQ 4
            a.mov(di, 0x2000);
            a.sti();
            a.Label(ref idle);
            a.hlt();
            a.cmp(di, 0x2005);
            a.jb(idle);
            a.cli();
            a.hlt();
        });
        m.Load(16, 0x1100, a =>
        {
            var drain = a.CreateLabel();
            var eoi = a.CreateLabel();
            a.push(ax);
            a.push(dx);
            a.Label(ref drain);
            a.mov(dx, Com1 + 5);
            a.@in(al, dx);
            a.test(al, 0x01);
            a.jz(eoi);
            a.mov(dx, Com1);
            a.@in(al, dx);
            a.stosb();
            a.jmp(drain);
            a.Label(ref eoi);
            a.mov(al, 0x20);
            a.@out(0x20, al);
            a.pop(dx);
            a.pop(ax);
            a.iret();
        });
        m.StartReal(0, 0x1000);

        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        var got = new byte[5];
        m.Machine.Memory.Read(0x2000, got);
        Assert.That(System.Text.Encoding.ASCII.GetString(got), Is.EqualTo("hello"));
    }
}
