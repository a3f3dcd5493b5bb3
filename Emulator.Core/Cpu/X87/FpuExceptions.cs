namespace Emulator.Core.Cpu.X87;

/// <summary>
/// The six x87 floating-point exception flags, in their status-word and control-word (mask) bit
/// positions (SDM vol. 1, 8.1.3 and 8.1.5): invalid operation, denormal operand, zero divide,
/// overflow, underflow, precision (inexact).
/// </summary>
[Flags]
public enum FpuExceptions : ushort
{
    None = 0,
    IE = 1 << 0,
    DE = 1 << 1,
    ZE = 1 << 2,
    OE = 1 << 3,
    UE = 1 << 4,
    PE = 1 << 5,
    All = IE | DE | ZE | OE | UE | PE,
}
