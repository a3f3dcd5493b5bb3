namespace Emulator.Core.Cpu;

/// <summary>What started a task switch; it decides the busy-bit and NT/back-link handling (SDM vol. 3, 8.3, table 8-2).</summary>
internal enum TaskSwitchSource : byte { Jump, Call, InterruptOrException, Iret }
