namespace Emulator.Core.Cpu;

// Model-specific registers the core implements (Intel SDM vol. 4, table 2-2 for the P6 family).
// Any other index is #GP(0) at the instruction, as on hardware.
public sealed partial class Cpu
{
    const uint MsrTsc = 0x10, MsrApicBase = 0x1B, MsrBiosUpdateTrigger = 0x79, MsrBiosSignId = 0x8B, MsrSysenterCs = 0x174, MsrSysenterEsp = 0x175,
        MsrSysenterEip = 0x176, MsrEfer = 0xC000_0080;

    /// <summary>The APIC base the core reports: FEE00000H, global enable (bit 11) and bootstrap processor (bit 8).</summary>
    const ulong ApicBaseDefault = 0xFEE0_0900;

    /// <summary>Reads an MSR; false when it does not exist on this model.</summary>
    internal bool ReadMsr(uint index, out ulong value)
    {
        value = 0;
        switch (index)
        {
            case MsrTsc: value = TimeStampCounter; return Model.Has(CpuModel.Edx.TSC);
            case MsrApicBase: value = ApicBaseDefault; return true;
            // IA32_BIOS_SIGN_ID: the loaded microcode update's revision in EDX. No update is ever
            // loaded here, so it reads 0 (SDM vol. 3, 10.11.7.1: software writes 0, runs CPUID, reads it).
            case MsrBiosSignId: value = 0; return true;
            case MsrSysenterCs: value = sysenterCs; return Model.Has(CpuModel.Edx.SEP);
            case MsrSysenterEsp: value = sysenterEsp; return Model.Has(CpuModel.Edx.SEP);
            case MsrSysenterEip: value = sysenterEip; return Model.Has(CpuModel.Edx.SEP);
            case MsrEfer: value = efer; return Model.HasEfer;
            default: return false;
        }
    }

    /// <summary>Writes an MSR; false (→ #GP(0)) when it does not exist or a reserved bit is set.</summary>
    internal bool WriteMsr(uint index, ulong value)
    {
        switch (index)
        {
            case MsrTsc:
                // The TSC stays tied to retired instructions; a write moves its offset (SDM vol. 3, 18.17).
                tscOffset = (long)value - Clock.Now;
                return Model.Has(CpuModel.Edx.TSC);
            case MsrBiosSignId:
                return true;
            case MsrBiosUpdateTrigger:
                // A microcode update load: this processor accepts no update, so the signature stays 0,
                // as when hardware rejects an update's checksum (SDM vol. 3, 10.11.6).
                return true;
            case MsrApicBase:
                // No relocatable local APIC is modelled: the base reads back its default, writes are ignored.
                return true;
            case MsrSysenterCs: sysenterCs = value & 0xFFFF; return Model.Has(CpuModel.Edx.SEP);
            case MsrSysenterEsp: sysenterEsp = value; return Model.Has(CpuModel.Edx.SEP);
            case MsrSysenterEip: sysenterEip = value; return Model.Has(CpuModel.Edx.SEP);
            case MsrEfer:
                // SCE (0), LME (8) and NXE (11) are writable; LMA (10) is set by the processor.
                if (!Model.HasEfer || (value & ~0xD01UL) != 0) return false;
                efer = (efer & 0x400) | (value & 0x901);
                return true;
            default: return false;
        }
    }
}
