namespace Emulator.Core.Cpu.X87;

/// <summary>
/// What one x87 operation needs from the control word and what it reports back: the rounding
/// mode, the precision-control width in bits (24, 53 or 64; SDM vol. 1, 8.1.5.2), the exception
/// masks (an unmasked overflow or underflow changes the delivered result, SDM vol. 1, 8.5.4 and
/// 8.5.5), and on return the exceptions raised and whether the result was rounded up in
/// magnitude (the C1 condition code, SDM vol. 1, 8.1.3.3).
/// </summary>
public struct FpuContext
{
    public RoundingMode Rounding;
    public int Precision;
    public FpuExceptions Masks;
    public FpuExceptions Raised;
    public bool RoundedUp;

    public FpuContext(RoundingMode rounding, int precision = 64, FpuExceptions masks = FpuExceptions.All)
    {
        Rounding = rounding;
        Precision = precision;
        Masks = masks;
        Raised = FpuExceptions.None;
        RoundedUp = false;
    }

    /// <summary>A context from an x87 control word: RC in bits 10-11, PC in bits 8-9, masks in bits 0-5.</summary>
    public static FpuContext FromControlWord(ushort cw) => new(
        (RoundingMode)((cw >> 10) & 3),
        ((cw >> 8) & 3) switch { 0 => 24, 2 => 53, _ => 64 },   // PC=01 is reserved; treat as 64
        (FpuExceptions)(cw & 0x3F));

    public readonly bool IsMasked(FpuExceptions e) => (Masks & e) == e;
}
