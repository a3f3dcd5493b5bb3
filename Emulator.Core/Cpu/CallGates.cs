namespace Emulator.Core.Cpu;

// Far JMP/CALL through system descriptors: call gates, task gates and TSS descriptors
// (SDM vol. 3, 5.8.3-5.8.5 and 8.3).
public sealed partial class Cpu
{
    void JumpOrCallThroughSystemDescriptor(ushort sel, ulong d, ulong offset, int size, bool isCall, ulong returnIp)
    {
        _ = offset; _ = size; _ = returnIp; _ = isCall; _ = d;
        // In progress: call gates and task gates are not implemented yet.
        RaiseFault(Vector.GP, (uint)(sel & 0xFFFC));
    }
}
