using System.Collections.Concurrent;
using Emulator.Core.Machine;
using Emulator.Core.Time;
using Emulator.Devices.Input;

namespace Emulator.Frontend.Display;

/// <summary>One input event from a display, applied on the machine thread.</summary>
internal abstract record InputEvent
{
    public sealed record KeyDown(Key Key) : InputEvent;
    public sealed record KeyUp(Key Key) : InputEvent;
    /// <summary>Relative mouse movement (right, down, wheel towards the user) and the buttons now down.</summary>
    public sealed record Mouse(int Dx, int Dy, int Dz, MouseButtons Buttons) : InputEvent;
    /// <summary>The user closed the window: power the machine off.</summary>
    public sealed record PowerOff : InputEvent;
}

/// <summary>
/// The thread-safe queue from a display's thread to the machine (DESIGN.md, Threads): the
/// display posts events from its own thread; the machine thread applies them to the PS/2
/// keyboard and mouse from a virtual-time event every <see cref="PollPeriodNs"/> (the devices
/// take no locks, so they are only touched on the machine thread). Posting wakes a machine
/// that is idling in HLT, so a key reaches a waiting guest within one poll period.
/// </summary>
/// <remarks>The poll event is named "display.input"; it is armed only while a display is attached.</remarks>
internal sealed class InputQueue
{
    /// <summary>100 Hz: a keyboard's own scan rate is of this order, and the cost is a few hundred events a second.</summary>
    public const long PollPeriodNs = 10_000_000;

    readonly ConcurrentQueue<InputEvent> queue = new();
    readonly Machine machine;
    readonly Ps2Keyboard keyboard;
    readonly Ps2Mouse mouse;
    readonly TimerEvent poll;

    public InputQueue(Machine machine, Ps2Keyboard keyboard, Ps2Mouse mouse)
    {
        this.machine = machine;
        this.keyboard = keyboard;
        this.mouse = mouse;
        poll = new TimerEvent("display.input", Poll);
    }

    /// <summary>Arms the poll event; call on the machine thread before it runs (and again after a reset clears events, if it does).</summary>
    public void Start() => machine.Clock.Schedule(poll, machine.Clock.Now + PollPeriodNs);

    /// <summary>Queues <paramref name="e"/>; any thread.</summary>
    public void Post(InputEvent e)
    {
        queue.Enqueue(e);
        machine.Wake();
    }

    /// <summary>
    /// The longest sequence one key event sends (Pause in set 2: E1 14 77 E1 F0 14 F0 77). A key
    /// is pressed only while the keyboard's buffer has this much room.
    /// </summary>
    const int LongestSequence = 8;

    /// <summary>Key events a guest has not made room for yet, never more than <see cref="MaxHeldKeys"/>.</summary>
    readonly Queue<InputEvent> heldKeys = new();

    /// <summary>Past this many waiting key events (a guest that stopped reading its keyboard) new ones are dropped.</summary>
    const int MaxHeldKeys = 1024;

    /// <summary>
    /// Applies what is queued; machine thread only. A host delivers a pasted or scripted line (a
    /// terminal's burst of bytes, xdotool) faster than any typist, and all of it at once would
    /// overrun the keyboard's 16-byte buffer, which drops whole sequences (PS/2 keyboard
    /// behaviour). So key events wait, in order, until the guest has read enough of the buffer;
    /// mouse movement and power-off never wait behind them.
    /// </summary>
    public void Drain()
    {
        while (heldKeys.Count > 0 && keyboard.KeyBufferFree >= LongestSequence)
            Apply(heldKeys.Dequeue());
        while (queue.TryDequeue(out var e))
        {
            if (e is InputEvent.KeyDown or InputEvent.KeyUp && (heldKeys.Count > 0 || keyboard.KeyBufferFree < LongestSequence))
            {
                if (heldKeys.Count < MaxHeldKeys) heldKeys.Enqueue(e);
                continue;
            }
            Apply(e);
        }
    }

    void Apply(InputEvent e)
    {
        switch (e)
        {
            case InputEvent.KeyDown k: keyboard.KeyDown(k.Key); break;
            case InputEvent.KeyUp k: keyboard.KeyUp(k.Key); break;
            case InputEvent.Mouse m: mouse.Move(m.Dx, m.Dy, m.Dz, m.Buttons); break;
            case InputEvent.PowerOff: machine.RequestExit(0); break;
        }
    }

    void Poll(long now)
    {
        Drain();
        machine.Clock.Schedule(poll, now + PollPeriodNs);
    }
}
