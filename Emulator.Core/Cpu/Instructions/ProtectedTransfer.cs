namespace Emulator.Core.Cpu.Instructions;

internal static unsafe class ProtectedTransfer
{
    public static void Register()
    {
    }
}
