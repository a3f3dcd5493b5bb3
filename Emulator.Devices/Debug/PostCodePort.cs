using Emulator.Core.Io;
using Emulator.Core.State;

namespace Emulator.Devices.Debug;

/// <summary>
/// The POST diagnostic port 0x80, where BIOSes write a progress code before each step
/// of the power-on self test (a POST card on real hardware shows it on two digits).
/// Each byte written is reported to a callback; a read returns the last byte written.
/// </summary>
/// <remarks>
/// Only port 0x80 is claimed; on a PC port 0x81 and up are DMA page registers. A wider
/// write reports its low byte, and the upper byte lanes of a wider read are 0xFF.
/// </remarks>
public sealed class PostCodePort : IIoDevice, ISaveable
{
    /// <summary>The standard POST port.</summary>
    public const ushort DefaultPort = 0x80;

    readonly Action<byte>? onCode;

    /// <summary>Creates the port; <paramref name="onCode"/> is called with every code written (may be null).</summary>
    public PostCodePort(Action<byte>? onCode = null) => this.onCode = onCode;

    /// <summary>The last code written (0 after power-on).</summary>
    public byte LastCode { get; private set; }

    /// <summary>The log line for a code: <c>POST 42</c>.</summary>
    public static string FormatLine(byte code) => $"POST {code:X2}";

    public uint In(ushort port, int size) => size switch
    {
        1 => LastCode,
        2 => 0xFF00u | LastCode,
        _ => 0xFFFF_FF00u | LastCode,
    };

    public void Out(ushort port, int size, uint value)
    {
        LastCode = (byte)value;
        onCode?.Invoke(LastCode);
    }

    public string SnapshotName => "port80";
    public int SnapshotVersion => 1;

    /// <summary>The last code is state: a read of port 0x80 returns it.</summary>
    public void SaveState(BinaryWriter writer) => writer.Write(LastCode);

    public void LoadState(BinaryReader reader, int version) => LastCode = reader.ReadByte();
}
