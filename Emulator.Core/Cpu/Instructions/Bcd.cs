namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class Bcd
{
    public static void Register()
    {
    }
}
