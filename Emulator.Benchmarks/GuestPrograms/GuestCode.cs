using Iced.Intel;
using Emulator.Core.Machine;

namespace Emulator.Benchmarks.GuestPrograms;

/// <summary>Assembles guest code with Iced at a fixed address and loads it into a machine's RAM.</summary>
internal static class GuestCode
{
    public static byte[] Assemble(int bitness, ulong address, Action<Assembler> build)
    {
        var a = new Assembler(bitness);
        build(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), address);
        return ms.ToArray();
    }

    public static byte[] Load(Machine m, int bitness, ulong address, Action<Assembler> build)
    {
        var bytes = Assemble(bitness, address, build);
        m.Memory.Write(address, bytes);
        return bytes;
    }
}
