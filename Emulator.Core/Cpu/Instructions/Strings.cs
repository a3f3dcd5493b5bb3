namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class Strings
{
    public static void Register()
    {
    }
}
