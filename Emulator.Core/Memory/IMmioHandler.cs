namespace Emulator.Core.Memory;

/// <summary>
/// A device that answers physical-memory accesses in a range (MMIO). Accesses reach it
/// only through the slow path of <see cref="PhysicalMemory"/>; the CPU's TLB never maps
/// MMIO pages to host memory.
/// </summary>
public interface IMmioHandler
{
    /// <summary>Reads <paramref name="size"/> bytes (1, 2, 4 or 8) at <paramref name="offset"/> into the region.</summary>
    ulong Read(ulong offset, int size);

    /// <summary>Writes <paramref name="size"/> bytes (1, 2, 4 or 8) at <paramref name="offset"/> into the region.</summary>
    void Write(ulong offset, int size, ulong value);
}
