namespace Emulator.Tests.Differential;

/// <summary>The state after one side ran a <see cref="DiffCase"/>: registers, arithmetic flags, scratch buffer,
/// and the exception vector the instruction raised (emulated side only; -1 when none).</summary>
internal sealed class DiffOutcome
{
    public uint[] Regs { get; } = new uint[8];
    public uint Flags { get; set; }
    public byte[] Scratch { get; } = new byte[DiffCase.ScratchSize];
    public int Exception { get; set; } = -1;
    /// <summary>Set when the emulated run did not end at the HLT or in an exception stub (budget, triple fault).</summary>
    public string? RunError { get; set; }
}
