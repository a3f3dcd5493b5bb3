namespace Emulator.Core.Io;

/// <summary>A device answering a range of I/O ports.</summary>
public interface IIoDevice
{
    /// <summary>Reads <paramref name="size"/> bytes (1, 2 or 4) from <paramref name="port"/>.</summary>
    uint In(ushort port, int size);

    /// <summary>Writes <paramref name="size"/> bytes (1, 2 or 4) to <paramref name="port"/>.</summary>
    void Out(ushort port, int size, uint value);
}
