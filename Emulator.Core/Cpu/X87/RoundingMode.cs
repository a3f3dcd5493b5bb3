namespace Emulator.Core.Cpu.X87;

/// <summary>The RC field of the x87 control word (SDM vol. 1, 4.8.4, table 4-8).</summary>
public enum RoundingMode : byte
{
    /// <summary>Round to nearest, ties to even (the default).</summary>
    Nearest = 0,
    /// <summary>Round toward −∞.</summary>
    Down = 1,
    /// <summary>Round toward +∞.</summary>
    Up = 2,
    /// <summary>Round toward zero (truncate).</summary>
    Zero = 3,
}
