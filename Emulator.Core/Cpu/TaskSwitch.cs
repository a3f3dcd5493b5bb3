namespace Emulator.Core.Cpu;

// Hardware task switching (SDM vol. 3, 8.3).
public sealed partial class Cpu
{
    internal void TaskSwitch(ushort selector, TaskSwitchSource source, bool hasError, uint error, uint ext)
    {
        _ = source; _ = hasError; _ = error;
        // In progress: task switching is not implemented yet.
        RaiseFault(Vector.TS, (uint)(selector & 0xFFFC) + ext);
    }
}
