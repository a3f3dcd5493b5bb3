using Emulator.Core.Io;

namespace Emulator.Devices.Debug;

/// <summary>
/// The Bochs/QEMU debug console (QEMU's <c>isa-debugcon</c>), normally at port 0xE9:
/// every byte the guest writes goes to a sink, and a read returns 0xE9 so a guest can
/// tell the port is there (an empty ISA port reads 0xFF).
/// </summary>
/// <remarks>
/// Like QEMU, which splits wider accesses into byte accesses, a 16- or 32-bit write emits
/// each of its bytes, lowest first, and a wider read returns the read-back byte in every
/// byte lane. Output is flushed at each newline, at <see cref="Flush"/>, and after every
/// byte when constructed with <c>flushEachByte</c> (for a terminal).
/// </remarks>
public sealed class DebugConsole : IIoDevice
{
    /// <summary>The port Bochs and QEMU use.</summary>
    public const ushort DefaultPort = 0xE9;

    /// <summary>What a read returns (QEMU's <c>readback</c> property).</summary>
    public const byte ReadBack = 0xE9;

    readonly Stream? stream;
    readonly TextWriter? writer;
    readonly bool flushEachByte;

    /// <summary>Writes the guest's bytes unchanged to <paramref name="sink"/>.</summary>
    public DebugConsole(Stream sink, bool flushEachByte = false)
    {
        stream = sink;
        this.flushEachByte = flushEachByte;
    }

    /// <summary>Writes each guest byte as the character of the same code (Latin-1) to <paramref name="sink"/>.</summary>
    public DebugConsole(TextWriter sink, bool flushEachByte = false)
    {
        writer = sink;
        this.flushEachByte = flushEachByte;
    }

    public uint In(ushort port, int size) => size switch
    {
        1 => ReadBack,
        2 => ReadBack * 0x0101u,
        _ => ReadBack * 0x0101_0101u,
    };

    public void Out(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++) Emit((byte)(value >> (8 * i)));
    }

    void Emit(byte b)
    {
        if (stream != null) stream.WriteByte(b);
        else writer!.Write((char)b);
        if (flushEachByte || b == (byte)'\n') Flush();
    }

    /// <summary>Pushes buffered output to the sink.</summary>
    public void Flush()
    {
        stream?.Flush();
        writer?.Flush();
    }
}
