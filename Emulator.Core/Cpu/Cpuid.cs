namespace Emulator.Core.Cpu;

// CPUID and the time-stamp counter (SDM vol. 2A, CPUID). Every value comes from the CPU model.
public sealed partial class Cpu
{
    /// <summary>The TSC: a constant 1 GHz counter of virtual time (so it also advances while the CPU halts, as an invariant TSC does).</summary>
    public ulong TimeStampCounter => (ulong)(Clock.Now + tscOffset);

    internal void ExecuteCpuid()
    {
        uint leaf = (uint)Reg(0);
        uint a = 0, b = 0, c = 0, d = 0;
        var m = Model;
        switch (leaf)
        {
            case 0:
                a = 2;
                var v = System.Text.Encoding.ASCII.GetBytes(m.Vendor.PadRight(12)[..12]);
                b = BitConverter.ToUInt32(v, 0); d = BitConverter.ToUInt32(v, 4); c = BitConverter.ToUInt32(v, 8);
                break;
            case 1:
                a = (uint)((m.Family & 0xF) << 8 | (m.Model & 0xF) << 4 | (m.Stepping & 0xF));
                d = m.FeaturesEdx;
                c = m.FeaturesEcx;
                break;
            case 2:
                // Cache descriptors: none reported (0x01 in AL means "call once").
                a = 1;
                break;
            case 0x8000_0000:
                a = 0x8000_0004;
                break;
            case 0x8000_0002: case 0x8000_0003: case 0x8000_0004:
                var brand = System.Text.Encoding.ASCII.GetBytes(m.BrandString.PadRight(48, '\0')[..48]);
                int o = (int)(leaf - 0x8000_0002) * 16;
                a = BitConverter.ToUInt32(brand, o); b = BitConverter.ToUInt32(brand, o + 4);
                c = BitConverter.ToUInt32(brand, o + 8); d = BitConverter.ToUInt32(brand, o + 12);
                break;
            default:
                if (leaf < 0x8000_0000)
                {
                    // Leaves above the maximum return the highest basic leaf's data (SDM: Intel behaviour).
                    Reg(0) = 2; ExecuteCpuid(); return;
                }
                break;
        }
        Reg(0) = a; Reg(3) = b; Reg(1) = c; Reg(2) = d;
    }
}
