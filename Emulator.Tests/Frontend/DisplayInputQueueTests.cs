using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Emulator.Frontend.Display;

namespace Emulator.Tests.Frontend;

/// <summary>Input posted from a display thread reaches the PS/2 devices only when the machine thread applies it.</summary>
public class DisplayInputQueueTests
{
    static (Machine, Ps2Keyboard, Ps2Mouse, InputQueue) Rig()
    {
        var m = new Machine(new MachineConfig { MemorySize = 1 << 20 });
        var kbd = new Ps2Keyboard(m.Clock);
        var mouse = new Ps2Mouse();
        return (m, kbd, mouse, new InputQueue(m, kbd, mouse));
    }

    [Test]
    public void KeysPostedOnAnotherThreadArriveOnDrainInOrder()
    {
        var (_, kbd, _, q) = Rig();
        var t = new Thread(() =>
        {
            q.Post(new InputEvent.KeyDown(Key.LeftShift));
            q.Post(new InputEvent.KeyDown(Key.A));
            q.Post(new InputEvent.KeyUp(Key.A));
        });
        t.Start();
        t.Join();
        Assert.That(kbd.HasOutput, Is.False, "nothing reaches the keyboard before the machine thread drains");
        q.Drain();
        var bytes = new List<byte>();
        while (kbd.HasOutput) bytes.Add(kbd.ReadOutput());
        // Set 2: left Shift 12, A 1C, A's break F0 1C (IBM PS/2 Technical Reference, scan code set 2).
        Assert.That(bytes, Is.EqualTo(new byte[] { 0x12, 0x1C, 0xF0, 0x1C }));
    }

    [Test]
    public void ALineTypedFasterThanTheGuestReadsWaitsForRoomInsteadOfOverrunning()
    {
        var (m, kbd, mouse, q) = Rig();
        mouse.Write(0xF4);
        mouse.ReadOutput();
        // 20 presses of A at once: 60 bytes of set 2 codes, far more than the 16-byte buffer.
        for (int i = 0; i < 20; i++)
        {
            q.Post(new InputEvent.KeyDown(Key.A));
            q.Post(new InputEvent.KeyUp(Key.A));
        }
        q.Post(new InputEvent.Mouse(1, 0, 0, MouseButtons.None));
        q.Drain();
        Assert.That(mouse.HasOutput, Is.True, "the mouse does not wait behind the keys");
        var bytes = new List<byte>();
        for (int poll = 0; poll < 40 && bytes.Count < 60; poll++)
        {
            while (kbd.HasOutput) bytes.Add(kbd.ReadOutput());   // the guest reads between polls
            q.Drain();
        }
        // A: make 1C, break F0 1C (set 2); no overrun code 00 in between.
        Assert.That(bytes, Is.EqualTo(Enumerable.Repeat(new byte[] { 0x1C, 0xF0, 0x1C }, 20).SelectMany(b => b)));
        Assert.That(kbd.HasOutput, Is.False);
    }

    [Test]
    public void KeysWaitingForAGuestThatDoesNotReadDoNotHoldBackPowerOff()
    {
        var (m, kbd, _, q) = Rig();
        for (int i = 0; i < 10; i++)
        {
            q.Post(new InputEvent.KeyDown(Key.A));
            q.Post(new InputEvent.KeyUp(Key.A));
        }
        q.Post(new InputEvent.PowerOff());
        q.Drain();
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.ExitRequested));
    }

    [Test]
    public void MouseMovementBecomesAStreamPacket()
    {
        var (_, _, mouse, q) = Rig();
        mouse.Write(0xF4);                                   // enable data reporting
        Assert.That(mouse.ReadOutput(), Is.EqualTo(0xFA));
        q.Post(new InputEvent.Mouse(5, -3, 0, MouseButtons.Left));
        q.Drain();
        // Byte 0: bit 3 always set, left button; X = +5; Y = +3 (PS/2 counts up as positive; the screen moved up 3).
        Assert.That(new[] { mouse.ReadOutput(), mouse.ReadOutput(), mouse.ReadOutput() }, Is.EqualTo(new byte[] { 0x09, 0x05, 0x03 }));
    }

    [Test]
    public void ThePollEventDrainsInVirtualTimeAndPowerOffStopsTheMachine()
    {
        var (m, kbd, _, q) = Rig();
        q.Start();
        q.Post(new InputEvent.KeyDown(Key.Escape));
        q.Post(new InputEvent.PowerOff());
        m.Clock.AdvanceTo(InputQueue.PollPeriodNs);
        m.Clock.RunDue();
        Assert.That(kbd.ReadOutput(), Is.EqualTo(0x76), "Escape's set 2 make code");
        Assert.That(m.Run(1000), Is.EqualTo(StopReason.ExitRequested));
        Assert.That(m.ExitCode, Is.EqualTo(0));
        Assert.That(m.Clock.PendingEvents.Any(e => e.Name == "display.input"), Is.True, "the poll re-arms itself");
    }
}
