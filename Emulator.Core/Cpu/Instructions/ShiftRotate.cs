namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class ShiftRotate
{
    public static void Register()
    {
    }
}
