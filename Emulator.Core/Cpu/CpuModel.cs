namespace Emulator.Core.Cpu;

/// <summary>
/// A named CPU model: what CPUID reports and which instruction-set levels are enabled.
/// Later ISA extensions switch on by model rather than by scattered checks.
/// </summary>
public sealed record CpuModel(
    string Name,
    string Vendor,
    int Family,
    int Model,
    int Stepping,
    uint FeaturesEdx,
    uint FeaturesEcx,
    string BrandString)
{
    /// <summary>CPUID.1:EDX bits (Intel SDM vol. 2A, CPUID, table 3-11).</summary>
    public static class Edx
    {
        public const uint FPU = 1 << 0, VME = 1 << 1, DE = 1 << 2, PSE = 1 << 3, TSC = 1 << 4, MSR = 1 << 5,
            PAE = 1 << 6, MCE = 1 << 7, CX8 = 1 << 8, APIC = 1 << 9, SEP = 1 << 11, MTRR = 1 << 12,
            PGE = 1 << 13, MCA = 1 << 14, CMOV = 1 << 15, PAT = 1 << 16, PSE36 = 1 << 17, MMX = 1 << 23,
            FXSR = 1 << 24, SSE = 1 << 25, SSE2 = 1 << 26;
    }

    /// <summary>
    /// A Pentium Pro class i686 reporting only what the core implements: FPU (the x87, Cpu/X87 and
    /// Instructions/X87*.cs), DE, PSE, TSC, MSR, CX8, APIC (the board's local APIC), SEP, PGE, CMOV, and
    /// FXSR (FXSAVE/FXRSTOR of the x87 state; a Pentium II addition, here so kernels save the FPU the
    /// modern way; there is no SSE, so no XMM state). Not reported: MMX (a Pentium II addition, in
    /// <see cref="Pentium2"/>), and until they exist VME/PVI, PAE, MTRR, MCE/MCA.
    /// </summary>
    public static CpuModel PentiumPro { get; } = new(
        "pentiumpro", "GenuineIntel", 6, 1, 9,
        Edx.FPU | Edx.DE | Edx.PSE | Edx.TSC | Edx.MSR | Edx.CX8 | Edx.APIC | Edx.SEP | Edx.PGE | Edx.CMOV | Edx.FXSR,
        0, "Emulated Pentium Pro class CPU");

    /// <summary>
    /// A Pentium II (Deschutes: family 6, model 5, stepping 2): the Pentium Pro set above plus MMX (the MMX
    /// instructions on the x87 registers, Instructions/Mmx*.cs). The same things are left unreported.
    /// </summary>
    public static CpuModel Pentium2 { get; } = new(
        "pentium2", "GenuineIntel", 6, 5, 2,
        PentiumPro.FeaturesEdx | Edx.MMX,
        0, "Emulated Pentium II class CPU");

    public static IReadOnlyList<CpuModel> All { get; } = [PentiumPro, Pentium2];

    public static CpuModel? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));

    public bool Has(uint edxBit) => (FeaturesEdx & edxBit) != 0;

    /// <summary>CPUID.80000001H:EDX (SYSCALL bit 11, NX bit 20, LM bit 29); 0 for CPUs without the leaf.</summary>
    public uint ExtFeaturesEdx { get; init; }

    /// <summary>The IA32_EFER MSR exists only on CPUs with SYSCALL, NX or long mode (SDM vol. 4, table 2-2).</summary>
    public bool HasEfer => (ExtFeaturesEdx & (1u << 11 | 1u << 20 | 1u << 29)) != 0;
}
