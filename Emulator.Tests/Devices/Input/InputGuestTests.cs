using System.Numerics;
using Emulator.Core.Interrupts;
using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Emulator.Tests.Cpu;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Input;

/// <summary>
/// Real-mode guest programs driving the 8042, the keyboard, the mouse and port 0x92 through
/// the port bus: keyboard and mouse interrupts with injected input, A20 aliasing, reset.
/// </summary>
public class InputGuestTests
{
    /// <summary>
    /// A test stand-in for the 8259 pair (not merged yet): a rising edge on IRQ n latches it;
    /// acknowledge returns vector 8+n (IRQ 0-7) or 0x70+n-8 (IRQ 8-15), as the PC BIOS programs them.
    /// </summary>
    sealed class EdgeLatch : IInterruptController
    {
        int requests;
        public void Line(int irq, bool high) { if (high) requests |= 1 << irq; }
        public bool InterruptPending => requests != 0;
        public byte Acknowledge()
        {
            int n = BitOperations.TrailingZeroCount(requests);
            requests &= ~(1 << n);
            return (byte)(n < 8 ? 8 + n : 0x70 + n - 8);
        }
    }

    sealed class Pc
    {
        public readonly TestMachine M;
        public readonly Ps2Keyboard Keyboard;
        public readonly Ps2Mouse Mouse = new();
        public readonly Ps2Controller Kbc;
        public readonly SystemControlPortA PortA;

        public Pc(bool noReboot = false)
        {
            M = new TestMachine(new MachineConfig { MemorySize = 4UL << 20, NoReboot = noReboot });
            var machine = M.Machine;
            var pic = new EdgeLatch();
            machine.Cpu.InterruptController = pic;
            Keyboard = new Ps2Keyboard(machine.Clock);
            Kbc = new Ps2Controller(Keyboard, Mouse, new IrqLine(1, pic.Line), new IrqLine(12, pic.Line),
                machine.Memory, machine.RequestReset);
            PortA = new SystemControlPortA(machine.Memory, machine.RequestReset);
            machine.Io.Register(Ps2Controller.DataPort, 1, Kbc);
            machine.Io.Register(Ps2Controller.StatusPort, 1, Kbc);
            machine.Io.Register(SystemControlPortA.Port, 1, PortA);
            machine.OnReset(Kbc.Reset);
            machine.OnReset(Keyboard.Reset);
            machine.OnReset(Mouse.Reset);
            machine.OnReset(PortA.Reset);
        }

        public StopReason Run() => M.Run(200_000);

        public byte[] Bytes(ulong address, int count)
        {
            var b = new byte[count];
            M.Machine.Memory.Read(address, b);
            return b;
        }
    }

    const ushort BufferPointer = 0x4FE;   // word: where the next byte goes
    const ushort Buffer = 0x500;

    /// <summary>An interrupt handler that appends the byte read from port 0x60 to the buffer.</summary>
    static void StoreByteHandler(Assembler a)
    {
        a.push(ax);
        a.push(bx);
        a.@in(al, 0x60);
        a.mov(bx, __word_ptr[BufferPointer]);
        a.mov(__byte_ptr[bx], al);
        a.inc(__word_ptr[BufferPointer]);
        a.pop(bx);
        a.pop(ax);
        a.iret();
    }

    /// <summary>Waits until the 8042 can take a byte (IBF clear), as BIOSes do.</summary>
    static void WaitInputEmpty(Assembler a)
    {
        var wait = a.CreateLabel();
        a.Label(ref wait);
        a.@in(al, 0x64);
        a.test(al, 0x02);
        a.jnz(wait);
    }

    [Test]
    public void Guest_enables_the_keyboard_interrupt_and_reads_injected_keys_in_its_IRQ_1_handler()
    {
        var pc = new Pc();
        pc.M.Write32(9 * 4, 0x0000_2000);              // IRQ 1 → vector 9 → 0000:2000
        pc.M.Load(16, 0x2000, StoreByteHandler);
        pc.M.Load(16, 0x1000, a =>
        {
            var idle = a.CreateLabel();
            a.cli();
            a.mov(__word_ptr[BufferPointer], Buffer);
            WaitInputEmpty(a);
            a.mov(al, 0x60);                           // write command byte
            a.@out(0x64, al);
            WaitInputEmpty(a);
            a.mov(al, 0x45);                           // translate, system flag, keyboard interrupt
            a.@out(0x60, al);
            a.sti();
            a.Label(ref idle);
            a.hlt();
            a.jmp(idle);
        });
        pc.M.StartReal(0, 0x1000);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted), "nothing to read yet");

        pc.Keyboard.KeyDown(Key.A);
        pc.Keyboard.KeyUp(Key.A);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted));
        pc.Keyboard.KeyDown(Key.RightControl);
        pc.Keyboard.KeyUp(Key.RightControl);
        pc.Keyboard.KeyDown(Key.Pause);
        pc.Keyboard.KeyUp(Key.Pause);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted));

        byte[] expected = [0x1E, 0x9E, 0xE0, 0x1D, 0xE0, 0x9D, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5];
        Assert.That(pc.Bytes(Buffer, expected.Length), Is.EqualTo(expected), "set 1 through the 8042's translation, one IRQ per byte");
        Assert.That(pc.M.Read16(BufferPointer), Is.EqualTo(Buffer + expected.Length));
    }

    /// <summary>Sends AL to the mouse through D4 and reads its acknowledge (polling, interrupts off).</summary>
    static void SendToMouse(Assembler a, byte value)
    {
        var wait = a.CreateLabel();
        WaitInputEmpty(a);
        a.mov(al, 0xD4);
        a.@out(0x64, al);
        WaitInputEmpty(a);
        a.mov(al, value);
        a.@out(0x60, al);
        a.Label(ref wait);
        a.@in(al, 0x64);
        a.and(al, 0x21);
        a.cmp(al, 0x21);                               // output full with mouse data
        a.jne(wait);
        a.@in(al, 0x60);
        a.mov(bx, __word_ptr[BufferPointer]);
        a.mov(__byte_ptr[bx], al);
        a.inc(__word_ptr[BufferPointer]);
    }

    [Test]
    public void Guest_turns_on_the_wheel_and_reads_mouse_packets_in_its_IRQ_12_handler()
    {
        var pc = new Pc();
        pc.M.Write32(0x74 * 4, 0x0000_2000);           // IRQ 12 → vector 0x74
        pc.M.Load(16, 0x2000, StoreByteHandler);
        pc.M.Load(16, 0x1000, a =>
        {
            var idle = a.CreateLabel();
            a.cli();
            a.mov(__word_ptr[BufferPointer], Buffer);
            WaitInputEmpty(a);
            a.mov(al, 0x60);
            a.@out(0x64, al);
            WaitInputEmpty(a);
            a.mov(al, 0x44);                           // translate, system flag, no interrupts while set up
            a.@out(0x60, al);
            a.mov(al, 0xA8);                           // enable the mouse port
            a.@out(0x64, al);
            foreach (byte b in new byte[] { 0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF2 }) SendToMouse(a, b);
            // The ID byte follows the acknowledge of F2.
            var waitId = a.CreateLabel();
            a.Label(ref waitId);
            a.@in(al, 0x64);
            a.test(al, 0x01);
            a.jz(waitId);
            a.@in(al, 0x60);
            a.mov(__byte_ptr[0x4F0], al);
            SendToMouse(a, 0xF4);
            WaitInputEmpty(a);
            a.mov(al, 0x60);
            a.@out(0x64, al);
            WaitInputEmpty(a);
            a.mov(al, 0x46);                           // mouse interrupt on (keyboard's stays off)
            a.@out(0x60, al);
            a.sti();
            a.Label(ref idle);
            a.hlt();
            a.jmp(idle);
        });
        pc.M.StartReal(0, 0x1000);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted));
        Assert.That(pc.Bytes(0x4F0, 1)[0], Is.EqualTo(0x03), "IntelliMouse ID");
        Assert.That(pc.Bytes(Buffer, 8), Is.EqualTo(Enumerable.Repeat((byte)0xFA, 8).ToArray()), "eight acknowledges");

        pc.Mouse.Move(-2, -3, 1, MouseButtons.Left);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted));
        // Left, X negative: 08|01|10 = 19; X FE; Y +3 (up); Z +1 (towards the user).
        Assert.That(pc.Bytes(Buffer + 8, 4), Is.EqualTo(new byte[] { 0x19, 0xFE, 0x03, 0x01 }));
        Assert.That(pc.M.Read16(BufferPointer), Is.EqualTo(Buffer + 12));
    }

    [Test]
    public void A20_off_through_the_8042_output_port_aliases_1_MiB_onto_0_and_port_92_turns_it_back_on()
    {
        var pc = new Pc();
        pc.M.Load(16, 0x1000, a =>
        {
            a.cli();
            a.mov(ax, 0xFFFF);
            a.mov(es, ax);                             // ES:0010 = physical 0x100000
            a.mov(__byte_ptr[0], 0x11);
            // A20 off: D1 then output port DD (reset line high, A20 low).
            WaitInputEmpty(a);
            a.mov(al, 0xD1);
            a.@out(0x64, al);
            WaitInputEmpty(a);
            a.mov(al, 0xDD);
            a.@out(0x60, al);
            WaitInputEmpty(a);
            a.mov(__byte_ptr.es[0x10], 0x5A);          // lands on physical 0
            a.mov(bl, __byte_ptr[0]);
            // A20 on through port 0x92 bit 1 (bit 0 kept clear: no reset).
            a.@in(al, 0x92);
            a.or(al, 0x02);
            a.and(al, 0xFE);
            a.@out(0x92, al);
            a.mov(__byte_ptr.es[0x10], 0xA5);          // physical 0x100000 now
            a.mov(cl, __byte_ptr[0]);
            a.mov(dl, __byte_ptr.es[0x10]);
            // Off again through port 0x92: 0x100000 reads physical 0.
            a.@in(al, 0x92);
            a.and(al, 0xFC);
            a.@out(0x92, al);
            a.mov(dh, __byte_ptr.es[0x10]);
            // And on through the 8042 (D1 DF).
            WaitInputEmpty(a);
            a.mov(al, 0xD1);
            a.@out(0x64, al);
            WaitInputEmpty(a);
            a.mov(al, 0xDF);
            a.@out(0x60, al);
            a.mov(ch, __byte_ptr.es[0x10]);
            a.hlt();
        });
        pc.M.StartReal(0, 0x1000);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(pc.M.Reg(Emulator.Core.Cpu.Gpr.Rbx) & 0xFF, Is.EqualTo(0x5A), "A20 off: FFFF:0010 wrote physical 0");
            Assert.That(pc.M.Reg(Emulator.Core.Cpu.Gpr.Rcx) & 0xFF, Is.EqualTo(0x5A), "A20 on: physical 0 untouched");
            Assert.That(pc.M.Reg(Emulator.Core.Cpu.Gpr.Rdx) & 0xFF, Is.EqualTo(0xA5), "A20 on: 1 MiB is its own byte");
            Assert.That((pc.M.Reg(Emulator.Core.Cpu.Gpr.Rdx) >> 8) & 0xFF, Is.EqualTo(0x5A), "A20 off via port 92 aliases again");
            Assert.That((pc.M.Reg(Emulator.Core.Cpu.Gpr.Rcx) >> 8) & 0xFF, Is.EqualTo(0xA5), "A20 on via the 8042");
            Assert.That(pc.M.Machine.Memory.A20Enabled, Is.True);
        });
    }

    [TestCase(0x64, 0xFE)]
    [TestCase(0x92, 0x03)]
    public void Guest_resets_the_machine_through_the_8042_pulse_or_port_92(int port, int value)
    {
        var pc = new Pc(noReboot: true);
        pc.M.Load(16, 0x1000, a =>
        {
            a.mov(al, (byte)value);
            a.@out((byte)port, al);
            a.mov(cx, 0x1234);                         // not reached: the reset stops the CPU first
            a.hlt();
        });
        pc.M.StartReal(0, 0x1000);
        Assert.That(pc.Run(), Is.EqualTo(StopReason.Reset));
    }

    [Test]
    public void A_machine_reset_restores_the_controller_and_devices()
    {
        var pc = new Pc();
        pc.Kbc.Out(0x64, 1, 0x60);
        pc.Kbc.Out(0x60, 1, 0x74);
        pc.Kbc.Out(0x60, 1, 0xF5);                     // keyboard disabled
        pc.M.Machine.Reset();
        Assert.That(pc.Kbc.CommandByte, Is.EqualTo(0x03));
        Assert.That(pc.Kbc.Status & Ps2Controller.StatusOutputFull, Is.Zero, "keyboard reply queue cleared");
        Assert.That(pc.Keyboard.ScanningEnabled, Is.True);
    }
}
