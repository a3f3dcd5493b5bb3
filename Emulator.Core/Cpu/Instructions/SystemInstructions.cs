namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class SystemInstructions
{
    public static void Register()
    {
    }
}
