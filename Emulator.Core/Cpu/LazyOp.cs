namespace Emulator.Core.Cpu;

/// <summary>
/// The operation whose result the arithmetic flags are computed from on demand
/// (DESIGN.md, lazy flags). <see cref="None"/> means the flags are stored in EFLAGS.
/// </summary>
internal enum LazyOp : byte
{
    None,
    Add,
    /// <summary>ADD with carry-in <c>lazyCarryIn</c>.</summary>
    Adc,
    Sub,
    Sbb,
    /// <summary>AND/OR/XOR/TEST: CF=OF=AF=0, the rest from the result.</summary>
    Logic,
    /// <summary>INC: CF is kept in the stored bits.</summary>
    Inc,
    /// <summary>DEC: CF is kept in the stored bits.</summary>
    Dec,
}
