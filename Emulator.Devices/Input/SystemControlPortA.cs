using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.State;

namespace Emulator.Devices.Input;

/// <summary>
/// System control port A, port 0x92 (IBM PS/2 Hardware Interface Technical Reference,
/// "System Control Port A"; the "fast A20" port of PC chipsets): bit 1 drives the A20 gate,
/// writing bit 0 from 0 to 1 pulses the CPU reset line (fast reset).
/// </summary>
/// <remarks>
/// The other bits (3 power-on password lock, 6-7 fixed-disk activity light) are stored and
/// read back with no effect. Bit 1 reads the A20 gate itself when the port is wired to the
/// memory (the gate is shared with the 8042's output port, last writer wins, as in QEMU),
/// otherwise the last value written. Bit 0 reads back as written until the reset clears it.
/// A wider access uses its low byte; the upper byte lanes of a wider read are 0xFF.
/// </remarks>
public sealed class SystemControlPortA : IIoDevice, ISaveable
{
    public const ushort Port = 0x92;
    public const byte FastReset = 0x01;
    public const byte A20 = 0x02;

    readonly Action<bool> setA20;
    readonly Func<bool>? getA20;
    readonly Action requestReset;
    byte value;

    /// <summary>Wires the port; <paramref name="requestReset"/> is normally <c>machine.RequestReset</c>.</summary>
    public SystemControlPortA(Action<bool> setA20, Action requestReset, Func<bool>? getA20 = null)
    {
        this.setA20 = setA20;
        this.getA20 = getA20;
        this.requestReset = requestReset;
        Reset();
    }

    /// <summary>Wires the port to the A20 gate of <paramref name="memory"/>.</summary>
    public SystemControlPortA(PhysicalMemory memory, Action requestReset)
        : this(a => memory.A20Enabled = a, requestReset, () => memory.A20Enabled)
    {
    }

    /// <summary>The byte a read returns.</summary>
    public byte Value
    {
        get
        {
            if (getA20 == null) return value;
            return (byte)((value & ~A20) | (getA20() ? A20 : 0));
        }
    }

    /// <summary>Machine reset: bit 0 clears and bit 1 reads set (the machine turns A20 on at reset).</summary>
    public void Reset() => value = A20;

    public uint In(ushort port, int size)
    {
        byte v = Value;
        return size switch { 1 => v, 2 => 0xFF00u | v, _ => 0xFFFF_FF00u | v };
    }

    public void Out(ushort port, int size, uint data)
    {
        byte old = value;
        value = (byte)data;
        setA20((value & A20) != 0);
        if ((value & FastReset) != 0 && (old & FastReset) == 0) requestReset();
    }

    public string SnapshotName => "port92";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer) => writer.Write(value);

    /// <summary>Restores the latch; the A20 gate itself is the memory's state and is not driven.</summary>
    public void LoadState(BinaryReader reader, int version) => value = reader.ReadByte();
}
