namespace Emulator.Tests.Conformance;

/// <summary>A MOO <c>INIT</c> or <c>FINA</c> chunk: registers and RAM bytes (the prefetch queue is ignored).</summary>
public sealed record MooState(MooRegisters Registers, MooRamByte[] Ram);
