namespace Emulator.Tests.Conformance;

/// <summary>
/// A MOO <c>EXCP</c> chunk: the instruction raised exception <paramref name="Number"/>
/// and pushed FLAGS at physical address <paramref name="FlagsAddress"/> (two bytes).
/// </summary>
public readonly record struct MooException(byte Number, uint FlagsAddress);
