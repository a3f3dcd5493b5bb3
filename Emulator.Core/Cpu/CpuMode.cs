namespace Emulator.Core.Cpu;

/// <summary>The operating mode, derived from CR0.PE, EFLAGS.VM, EFER.LMA and CS.L (SDM vol. 3, 2.2).</summary>
public enum CpuMode : byte
{
    Real,
    Protected,
    Virtual8086,
    /// <summary>IA-32e compatibility mode (long mode, CS.L = 0).</summary>
    Compatibility,
    /// <summary>IA-32e 64-bit mode.</summary>
    Long64,
}
