using Emulator.Core.Io;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Timers;

/// <summary>
/// Port 0x61, system control port B of the PC/AT: the 8254 counter 2 GATE and speaker data
/// bits, the DRAM refresh toggle and the OUT2 read-back.
/// </summary>
/// <remarks>
/// Read: bit 0 counter 2 GATE, bit 1 speaker data, bits 2-3 the parity/channel-check enables
/// as written, bit 4 the refresh request toggle (flips every 15 µs of virtual time), bit 5
/// counter 2 OUT, bits 6-7 channel check and parity error status (always 0: no memory parity
/// or I/O channel errors are modelled). Write: bits 0-3; bits 4-7 are read-only. The speaker
/// itself makes no sound here: <see cref="SpeakerData"/> and the PIT's OUT 2 are for an audio
/// device to combine.
/// </remarks>
public sealed class SystemControlPortB : IIoDevice, ISaveable
{
    public const ushort Port = 0x61;

    /// <summary>The refresh toggle's half period in virtual ns.</summary>
    public const long RefreshToggleNs = 15_000;

    readonly Pit8254 pit;
    readonly VirtualClock clock;
    byte written;   // bits 0-3

    public SystemControlPortB(Pit8254 pit, VirtualClock clock)
    {
        this.pit = pit;
        this.clock = clock;
        Reset();
    }

    /// <summary>Bit 1: the speaker is driven by OUT 2 when set.</summary>
    public bool SpeakerData => (written & 2) != 0;

    /// <summary>Bits 2-3 as written: 1 disables the parity (bit 2) or channel check (bit 3) NMI.</summary>
    public byte CheckEnables => (byte)(written & 0x0C);

    public void Reset() => Write(0);

    public uint In(ushort port, int size)
    {
        uint v = (uint)(written & 0x0F);
        if ((clock.Now / RefreshToggleNs & 1) != 0) v |= 0x10;
        if (pit.GetOut(2)) v |= 0x20;
        return size == 1 ? v : v | (size == 2 ? 0xFF00u : 0xFFFF_FF00u);
    }

    public void Out(ushort port, int size, uint value) => Write((byte)value);

    void Write(byte value)
    {
        written = (byte)(value & 0x0F);
        pit.SetGate(2, (written & 1) != 0);
    }

    public string SnapshotName => "port61";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w) => w.Write(written);

    /// <summary>Loads the bits; the PIT (loaded on its own) already holds the matching GATE 2.</summary>
    public void LoadState(BinaryReader r, int version) => written = (byte)(r.ReadByte() & 0x0F);
}
