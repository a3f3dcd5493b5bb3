using Emulator.Core.Memory;
using Emulator.Devices.Pci;

namespace Emulator.Devices.Chipset;

/// <summary>
/// The Intel 82441FX PCI and memory controller (PMC) of the i440FX chipset, PCI 00.0, 8086:1237,
/// as QEMU's <c>pc</c> machine presents it: the host bridge whose PAM registers shadow the BIOS
/// area into RAM and whose SMRAM register hides or shows RAM under the VGA window.
/// </summary>
/// <remarks>
/// <para>PAM0-PAM6 (config 0x59-0x5F; i440FX datasheet 3.2.17): one nibble per segment, bit 0
/// read enable (reads from DRAM), bit 1 write enable (writes to DRAM); a disabled direction goes
/// to PCI, where the BIOS ROM is at E0000-FFFFF. 0x59[5:4] controls F0000-FFFFF (64 KiB);
/// 0x5A-0x5F hold two 16 KiB segments each from C0000 to EFFFF, low nibble first. Unlike QEMU,
/// which maps "write only" to RAM for both directions, reads and writes are routed separately,
/// as the datasheet has them. Cache enable (bit 2) is kept but has no effect.</para>
/// <para>SMRAM (0x72; 3.2.23): C_BASE_SEG is fixed at 010 (A0000). With D_OPEN set, A0000-BFFFF
/// is RAM; with it clear (the reset state) the range goes to PCI, where the VGA decodes it.
/// Setting D_LCK clears D_OPEN and makes D_OPEN, D_LCK and G_SMRAME read-only until reset. SMM
/// is not modelled, so G_SMRAME and D_CLS have no effect.</para>
/// <para>Config 0x57 holds the RAM size in 8 MiB units (at most 255), where QEMU puts it for
/// coreboot. The rest of 0x40-0xFF is plain read/write storage, as in QEMU (the DRAM row
/// boundaries 0x60-0x67 read 0 after reset). The PCI hole and memory above 4 GiB are not
/// configured here.</para>
/// </remarks>
public sealed class I440fxHostBridge : PciDevice
{
    public const int PamBase = 0x59, PamCount = 7, Smram = 0x72, RamSizeRegister = 0x57;
    public const byte SmramDOpen = 0x40, SmramDCls = 0x20, SmramDLck = 0x10, SmramGSmramE = 0x08, SmramBaseSeg = 0x02;

    readonly PhysicalMemory memory;

    public I440fxHostBridge(PhysicalMemory memory)
        : base(0x8086, 0x1237, revision: 0x02, classCode: 0x06_00_00)
    {
        this.memory = memory;
        WriteMask[PamBase] = 0x70;
        for (int i = 1; i < PamCount; i++) WriteMask[PamBase + i] = 0x77;
        WriteMask[Smram] = 0x78;
        Reset();
    }

    public byte ReadRegister(int offset) => Config[offset];

    public override void Reset()
    {
        base.Reset();
        for (int i = 0; i < PamCount; i++) Config[PamBase + i] = 0;
        Config[Smram] = SmramBaseSeg;
        WriteMask[Smram] = 0x78;
        Config[RamSizeRegister] = (byte)Math.Min(memory.RamSize / (8UL << 20), 255);
        UpdateMappings();
    }

    protected override void ConfigWritten(int offset, int size)
    {
        if (Overlaps(offset, size, Smram, 1))
        {
            // D_LCK (3.2.23): once set, D_OPEN reads 0 and the lockable bits keep their value.
            // After the lock only D_CLS stays writable.
            if ((Config[Smram] & SmramDLck) != 0)
            {
                Config[Smram] &= unchecked((byte)~SmramDOpen);
                WriteMask[Smram] = SmramDCls;
            }
            Config[Smram] = (byte)((Config[Smram] & 0x78) | SmramBaseSeg);
        }
        if (Overlaps(offset, size, PamBase, PamCount) || Overlaps(offset, size, Smram, 1)) UpdateMappings();
    }

    /// <summary>Routes A0000-FFFFF as PAM and SMRAM say.</summary>
    void UpdateMappings()
    {
        Route(0xF0000, 0x10000, Config[PamBase] >> 4);
        for (int i = 0; i < 12; i++)
        {
            byte reg = Config[PamBase + 1 + i / 2];
            Route(0xC0000 + (ulong)i * 0x4000, 0x4000, (i & 1) == 0 ? reg : reg >> 4);
        }
        bool open = (Config[Smram] & SmramDOpen) != 0;
        memory.SetRoute(0xA0000, 0x20000, open, open);
    }

    void Route(ulong start, ulong length, int nibble) =>
        memory.SetRoute(start, length, readRam: (nibble & 1) != 0, writeRam: (nibble & 2) != 0);

    public override string SnapshotName => "i440fx";
    public override int SnapshotVersion => 1;

    public override void LoadState(BinaryReader reader, int version)
    {
        base.LoadState(reader, version);
        WriteMask[Smram] = (Config[Smram] & SmramDLck) != 0 ? SmramDCls : (byte)0x78;
        UpdateMappings();
    }
}
