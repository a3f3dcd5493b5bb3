namespace Emulator.Core.Cpu;

// Writes to CR0 and CR4 as MOV CRn and LMSW make them (Intel SDM vol. 3, 2.5 and vol. 2, MOV CRn):
// invalid combinations and reserved CR4 bits fault, mode changes recompute the mode, and
// changes to the bits that alter translation flush the TLB.
public sealed partial class Cpu
{
    const ulong Cr0Defined = CrBits.CR0_PE | CrBits.CR0_MP | CrBits.CR0_EM | CrBits.CR0_TS | CrBits.CR0_NE |
        CrBits.CR0_WP | CrBits.CR0_AM | CrBits.CR0_NW | CrBits.CR0_CD | CrBits.CR0_PG;

    /// <summary>Loads CR0. PG without PE and NW without CD are #GP(0); the other reserved bits of CR0[31:0] are
    /// ignored and ET reads 1 (P6 behaviour, SDM vol. 3, 2.5).</summary>
    internal bool WriteCr0(ulong value)
    {
        value = (uint)value;
        if ((value & CrBits.CR0_PG) != 0 && (value & CrBits.CR0_PE) == 0) return RaiseFault(Vector.GP, 0);
        if ((value & CrBits.CR0_NW) != 0 && (value & CrBits.CR0_CD) == 0) return RaiseFault(Vector.GP, 0);
        ulong old = cr0;
        cr0 = (value & Cr0Defined) | CrBits.CR0_ET;
        ulong changed = old ^ cr0;
        if ((changed & (CrBits.CR0_PG | CrBits.CR0_WP | CrBits.CR0_PE)) != 0) FlushTlb();
        if ((changed & (CrBits.CR0_PE | CrBits.CR0_PG)) != 0) UpdateMode();
        exitBlock = true;
        return true;
    }

    /// <summary>The CR4 bits this model implements (CPUID.1:EDX decides; SDM vol. 3, 2.5).</summary>
    internal ulong Cr4Supported
    {
        get
        {
            ulong m = CrBits.CR4_PCE;
            if (Model.Has(CpuModel.Edx.VME)) m |= CrBits.CR4_VME | CrBits.CR4_PVI;
            if (Model.Has(CpuModel.Edx.TSC)) m |= CrBits.CR4_TSD;
            if (Model.Has(CpuModel.Edx.DE)) m |= CrBits.CR4_DE;
            if (Model.Has(CpuModel.Edx.PSE)) m |= CrBits.CR4_PSE;
            if (Model.Has(CpuModel.Edx.PAE)) m |= CrBits.CR4_PAE;
            if (Model.Has(CpuModel.Edx.MCE)) m |= CrBits.CR4_MCE;
            if (Model.Has(CpuModel.Edx.PGE)) m |= CrBits.CR4_PGE;
            if (Model.Has(CpuModel.Edx.FXSR)) m |= CrBits.CR4_OSFXSR;
            if (Model.Has(CpuModel.Edx.SSE)) m |= CrBits.CR4_OSXMMEXCPT;
            return m;
        }
    }

    /// <summary>Loads CR4: a reserved (unsupported) bit is #GP(0); PSE, PGE and PAE changes flush the TLB.</summary>
    internal bool WriteCr4(ulong value)
    {
        if ((value & ~Cr4Supported) != 0) return RaiseFault(Vector.GP, 0);
        ulong changed = cr4 ^ value;
        cr4 = value;
        if ((changed & (CrBits.CR4_PSE | CrBits.CR4_PGE | CrBits.CR4_PAE)) != 0) FlushTlb();
        exitBlock = true;
        return true;
    }
}
