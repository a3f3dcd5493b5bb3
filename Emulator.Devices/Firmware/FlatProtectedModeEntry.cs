using System.Buffers.Binary;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Devices.Firmware;

/// <summary>
/// Starts a kernel the way direct-boot loaders do, without firmware: flat 32-bit protected mode
/// (CS execute/read and the data segments read/write, base 0, limit 4 GiB), paging off, A20 on,
/// the general registers zero, at a given EIP. The Linux 32-bit boot protocol (boot.rst) and
/// Multiboot (3.2 "Machine state") both ask for this state; the GDT it uses (null, null, code
/// 0x10, data 0x18, Linux's __BOOT_CS/__BOOT_DS) is written at the address the loader gives.
/// </summary>
public static class FlatProtectedModeEntry
{
    public const ushort CodeSelector = 0x10, DataSelector = 0x18;
    public const int GdtSize = 32;

    public static void Enter(Machine machine, ulong gdtAddress, uint eip)
    {
        var gdt = new byte[GdtSize];
        BinaryPrimitives.WriteUInt64LittleEndian(gdt.AsSpan(16), 0x00CF_9B00_0000_FFFFUL);
        BinaryPrimitives.WriteUInt64LittleEndian(gdt.AsSpan(24), 0x00CF_9300_0000_FFFFUL);
        machine.Memory.Write(gdtAddress, gdt);

        var cpu = machine.Cpu;
        cpu.GdtBase = gdtAddress;
        cpu.GdtLimit = GdtSize - 1;
        cpu.SetControlRegister(0, cpu.Cr0 | 1);
        var code = new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = CodeSelector, Attributes = 0xC09B };
        var data = new SegmentCache { Base = 0, Limit = 0xFFFF_FFFF, Selector = DataSelector, Attributes = 0xC093 };
        cpu.SetSegment(SegReg.CS, code);
        foreach (var s in new[] { SegReg.DS, SegReg.ES, SegReg.SS, SegReg.FS, SegReg.GS })
            cpu.SetSegment(s, data);
        for (int r = 0; r < 8; r++) cpu.SetGpr((Gpr)r, 0);
        cpu.Rip = eip;
        machine.Memory.A20Enabled = true;
    }
}
