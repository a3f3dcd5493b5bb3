using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Machine;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// QEMU's <c>info mem</c> and <c>info tlb</c> for 32-bit (non-PAE) paging: a walk of the
/// page directory at CR3 (Intel SDM vol. 3, 4.3: 4-KiB pages through page tables, 4-MiB
/// pages when CR4.PSE and the PDE's PS bit are set). <c>info mem</c> merges consecutive
/// linear pages with the same effective rights (the AND of the PDE's and PTE's U/S and R/W)
/// into ranges; <c>info tlb</c> lists each mapped page with its physical address and flags.
/// Reads physical memory directly, setting no accessed bits. PAE and long-mode tables are
/// not walked yet.
/// </summary>
internal static class PageTableDump
{
    const uint Present = 1, Writable = 2, User = 4, Pwt = 8, Pcd = 0x10, Accessed = 0x20, Dirty = 0x40, PageSize = 0x80, Global = 0x100;

    /// <summary>Returns the listing, or an error line when paging is off or not 32-bit.</summary>
    public static string Mem(Machine machine) => Walk(machine, tlb: false);

    public static string Tlb(Machine machine) => Walk(machine, tlb: true);

    static string Walk(Machine machine, bool tlb)
    {
        var cpu = machine.Cpu;
        if ((cpu.Cr0 & 0x8000_0000) == 0) return "PG disabled\n";
        if ((cpu.Cr4 & 0x20) != 0) return "PAE paging is not shown yet (only 32-bit page tables are)\n";
        bool pse = (cpu.Cr4 & 0x10) != 0;
        var sb = new StringBuilder();
        long start = -1;
        uint lastProt = 0;
        ulong dir = cpu.Cr3 & 0xFFFF_F000;
        for (uint l1 = 0; l1 < 1024; l1++)
        {
            uint pde = Read32(machine, dir + l1 * 4);
            long linear = (long)l1 << 22;
            if ((pde & Present) == 0)
            {
                if (!tlb) Range(sb, ref start, ref lastProt, linear, 0);
                continue;
            }
            if (pse && (pde & PageSize) != 0)
            {
                if (tlb) Pte(sb, linear, pde, 0xFFC0_0000);
                else Range(sb, ref start, ref lastProt, linear, pde & (User | Writable | Present));
                continue;
            }
            ulong table = pde & 0xFFFF_F000;
            for (uint l2 = 0; l2 < 1024; l2++)
            {
                uint pte = Read32(machine, table + l2 * 4);
                long page = linear + ((long)l2 << 12);
                if (tlb)
                {
                    // PAT shares the PS bit's position in a PTE: not shown as PS (as QEMU).
                    if ((pte & Present) != 0) Pte(sb, page, pte & ~PageSize, 0xFFFF_F000);
                }
                else
                {
                    uint prot = (pte & Present) != 0 ? pte & pde & (User | Writable | Present) : 0;
                    Range(sb, ref start, ref lastProt, page, prot);
                }
            }
        }
        if (!tlb) Range(sb, ref start, ref lastProt, 1L << 32, 0);
        return sb.ToString();
    }

    static uint Read32(Machine machine, ulong phys)
    {
        Span<byte> b = stackalloc byte[4];
        machine.Memory.Read(phys, b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }

    /// <summary>Ends the open range at <paramref name="end"/> when the rights change (QEMU's mem_print).</summary>
    static void Range(StringBuilder sb, ref long start, ref uint lastProt, long end, uint prot)
    {
        if (prot == lastProt) return;
        if (start != -1)
            sb.Append($"{start:x16}-{end:x16} {end - start:x16} {((lastProt & User) != 0 ? 'u' : '-')}r{((lastProt & Writable) != 0 ? 'w' : '-')}\n");
        start = prot != 0 ? end : -1;
        lastProt = prot;
    }

    static void Pte(StringBuilder sb, long linear, uint entry, uint mask) =>
        sb.Append($"{linear:x16}: {entry & mask:x16} -")
          .Append((entry & Global) != 0 ? 'G' : '-').Append((entry & PageSize) != 0 ? 'P' : '-')
          .Append((entry & Dirty) != 0 ? 'D' : '-').Append((entry & Accessed) != 0 ? 'A' : '-')
          .Append((entry & Pcd) != 0 ? 'C' : '-').Append((entry & Pwt) != 0 ? 'T' : '-')
          .Append((entry & User) != 0 ? 'U' : '-').Append((entry & Writable) != 0 ? 'W' : '-').Append('\n');
}
