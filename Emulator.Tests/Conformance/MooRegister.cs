namespace Emulator.Tests.Conformance;

/// <summary>
/// The registers of a MOO <c>REGS</c> chunk, in bitmask order (bit i of the mask =
/// register i). Note this is not the x86 encoding order: AX BX CX DX, not AX CX DX BX.
/// </summary>
public enum MooRegister
{
    AX, BX, CX, DX, CS, SS, DS, ES, SP, BP, SI, DI, IP, FLAGS,
}
