namespace Emulator.Core.Cpu;

/// <summary>Where an event comes from; it decides the EXT bit, the gate DPL check and the return address.</summary>
internal enum InterruptKind : byte
{
    /// <summary>A processor exception (fault, trap or abort): EXT=1 in error codes.</summary>
    Exception,
    /// <summary>INTR from the interrupt controller: EXT=1.</summary>
    External,
    Nmi,
    /// <summary>INT n, INT3, INTO: gate DPL is checked against CPL, EXT=0.</summary>
    Software,
}
