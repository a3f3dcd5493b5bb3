namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class BitOps
{
    public static void Register()
    {
    }
}
