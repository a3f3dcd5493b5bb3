using Emulator.Core.Machine;

namespace Emulator.Frontend.Debugging;

/// <summary>
/// Debugger access to guest memory at linear (virtual) addresses, translated through the
/// guest's current page tables without touching guest state (no accessed/dirty bits, no
/// TLB fills, no faults). Runs on the machine thread. Writes go through
/// <see cref="Emulator.Core.Memory.PhysicalMemory.Write"/>, so decoded code on the page is dropped.
/// </summary>
internal static class GuestMemoryAccess
{
    /// <summary>Reads up to <paramref name="length"/> bytes; stops at the first unmapped page and returns what was read.</summary>
    public static byte[] Read(Machine machine, ulong linear, int length)
    {
        var result = new byte[length];
        int done = 0;
        while (done < length)
        {
            ulong lin = (linear + (ulong)done) & 0xFFFF_FFFFUL;
            if (!machine.Cpu.TryTranslateDebug(lin, out ulong phys)) break;
            int chunk = (int)Math.Min((ulong)(length - done), 0x1000 - (lin & 0xFFF));
            machine.Memory.Read(phys, result.AsSpan(done, chunk));
            done += chunk;
        }
        return done == length ? result : result[..done];
    }

    /// <summary>Writes <paramref name="data"/>; false (and nothing written) if any page of the range is unmapped.</summary>
    public static bool Write(Machine machine, ulong linear, ReadOnlySpan<byte> data)
    {
        var physical = new List<(ulong Phys, int Offset, int Length)>();
        int done = 0;
        while (done < data.Length)
        {
            ulong lin = (linear + (ulong)done) & 0xFFFF_FFFFUL;
            if (!machine.Cpu.TryTranslateDebug(lin, out ulong phys)) return false;
            int chunk = (int)Math.Min((ulong)(data.Length - done), 0x1000 - (lin & 0xFFF));
            physical.Add((phys, done, chunk));
            done += chunk;
        }
        foreach (var (phys, offset, length) in physical) machine.Memory.Write(phys, data.Slice(offset, length));
        return true;
    }
}
