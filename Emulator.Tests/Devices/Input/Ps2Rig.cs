using Emulator.Core.State;
using Emulator.Core.Interrupts;
using Emulator.Core.Time;
using Emulator.Devices.Input;

namespace Emulator.Tests.Devices.Input;

/// <summary>An 8042 with keyboard and mouse, its IRQ lines, A20 and reset recorded.</summary>
sealed class Ps2Rig
{
    public readonly VirtualClock Clock = new();
    public readonly Ps2Keyboard Keyboard;
    public readonly Ps2Mouse Mouse = new();
    public readonly IrqLine Irq1;
    public readonly IrqLine Irq12;
    public readonly Ps2Controller Kbc;
    public bool A20 = true;
    public int A20Writes;
    public int Resets;
    public int Irq1Edges, Irq12Edges;

    public Ps2Rig()
    {
        Keyboard = new Ps2Keyboard(Clock);
        Irq1 = new IrqLine(1, (_, high) => { if (high) Irq1Edges++; });
        Irq12 = new IrqLine(12, (_, high) => { if (high) Irq12Edges++; });
        Kbc = new Ps2Controller(Keyboard, Mouse, Irq1, Irq12, a => { A20 = a; A20Writes++; }, () => Resets++);
    }

    public byte Status => (byte)Kbc.In(0x64, 1);
    public void Command(byte c) => Kbc.Out(0x64, 1, c);
    public void Data(byte d) => Kbc.Out(0x60, 1, d);
    public byte Read() => (byte)Kbc.In(0x60, 1);

    /// <summary>Reads port 0x60 while the status register says the output buffer is full.</summary>
    public byte[] Drain()
    {
        var bytes = new List<byte>();
        while ((Status & Ps2Controller.StatusOutputFull) != 0 && bytes.Count < 100) bytes.Add(Read());
        return bytes.ToArray();
    }

    /// <summary>Sends a command byte and returns the controller's one-byte reply.</summary>
    public byte Query(byte command)
    {
        Command(command);
        Assert.That(Status & Ps2Controller.StatusOutputFull, Is.Not.Zero, $"reply to {command:X2}");
        return Read();
    }

    public void SetCommandByte(byte value)
    {
        Command(0x60);
        Data(value);
    }

    /// <summary>Advances virtual time and runs due events (typematic).</summary>
    public void Advance(long ns)
    {
        Clock.Advance(ns);
        Clock.RunDue();
    }

    public static byte[] RoundTrip(ISaveable from, ISaveable into)
    {
        var first = Save(from);
        using (var r = new BinaryReader(new MemoryStream(first))) into.LoadState(r, from.SnapshotVersion);
        var second = Save(into);
        Assert.That(second, Is.EqualTo(first), "save, load, save gives the same bytes");
        return first;
    }

    public static byte[] Save(ISaveable s) => Snapshots.SnapshotBytes.Save(s);
}
