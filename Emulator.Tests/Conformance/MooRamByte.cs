namespace Emulator.Tests.Conformance;

/// <summary>One byte of a MOO <c>RAM </c> chunk: a physical address and its value.</summary>
public readonly record struct MooRamByte(uint Address, byte Value)
{
    public override string ToString() => $"[{Address:X5}]={Value:X2}";
}
