using Emulator.Core.Io;

namespace Emulator.Devices.Debug;

/// <summary>
/// QEMU's <c>isa-debug-exit</c>: a write of value V to any of its ports ends the
/// emulator with exit status <c>(V &lt;&lt; 1) | 1</c>, so a test guest can report
/// success or failure without a power-off path. Reads return 0, as in QEMU.
/// </summary>
/// <remarks>
/// QEMU's defaults are iobase 0x501 and iosize 2; test setups often use
/// <c>iobase=0xf4,iosize=0x04</c>. V is the value of the access at its width (a byte
/// write gives 0..255). The status is passed on as an int; the host truncates a process
/// exit status to its low 8 bits.
/// </remarks>
public sealed class IsaDebugExit : IIoDevice
{
    public const ushort DefaultIoBase = 0x501;
    public const int DefaultIoSize = 2;

    readonly Action<int> requestExit;

    /// <summary>Creates the device; <paramref name="requestExit"/> is normally <c>Machine.RequestExit</c>.</summary>
    public IsaDebugExit(Action<int> requestExit) => this.requestExit = requestExit;

    /// <summary>The exit status QEMU gives for a write of <paramref name="value"/> with <paramref name="size"/> bytes.</summary>
    public static int ExitStatus(uint value, int size)
    {
        ulong v = size >= 4 ? value : value & ((1u << (8 * size)) - 1);
        return unchecked((int)((v << 1) | 1));
    }

    public uint In(ushort port, int size) => 0;

    public void Out(ushort port, int size, uint value) => requestExit(ExitStatus(value, size));
}
