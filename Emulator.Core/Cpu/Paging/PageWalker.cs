using Emulator.Core.Memory;

namespace Emulator.Core.Cpu.Paging;

/// <summary>Result of a page walk.</summary>
internal readonly record struct Translation(ulong Physical, bool Writable, bool User, bool Dirty, bool Ok, uint ErrorCode);

/// <summary>
/// The page-table walk for 32-bit paging (Intel SDM vol. 3, 4.3): 4 KiB pages through a
/// page directory and page table, 4 MiB pages when CR4.PSE and PDE.PS are set. Sets
/// accessed bits on every walk and the dirty bit on writes (4.8); checks U/S and R/W
/// with CR0.WP (4.6). PAE and 4-level paging are later issues.
/// </summary>
internal static class PageWalker
{
    const uint P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;

    /// <param name="write">The access writes.</param>
    /// <param name="user">The access is a user-mode access (CPL 3, not an implicit supervisor access).</param>
    /// <param name="update">Set the accessed and dirty bits as the CPU does; false for a debugger's look that must leave guest memory alone.</param>
    public static Translation Walk(PhysicalMemory mem, ulong cr3, ulong cr0, ulong cr4, ulong linear, bool write, bool user, bool update = true)
    {
        uint lin = (uint)linear;
        ulong pdeAddr = (cr3 & 0xFFFF_F000) + ((lin >> 22) << 2);
        uint pde = (uint)mem.ReadSlow(pdeAddr, 4);
        uint err = (write ? 2u : 0u) | (user ? 4u : 0u);
        if ((pde & P) == 0) return Fault(err);

        bool wp = (cr0 & CrBits.CR0_WP) != 0;
        if ((pde & PS) != 0 && (cr4 & CrBits.CR4_PSE) != 0)
        {
            bool w = (pde & RW) != 0, u = (pde & US) != 0;
            if (!Allowed(w, u, write, user, wp)) return Fault(err | 1);
            uint newPde = pde | A | (write ? D : 0);
            if (newPde != pde && update) mem.WriteSlow(pdeAddr, 4, newPde);
            ulong phys = (pde & 0xFFC0_0000) | (lin & 0x003F_FFFF);
            return new Translation(phys, w, u, (newPde & D) != 0, true, 0);
        }

        ulong pteAddr = (pde & 0xFFFF_F000) + (((lin >> 12) & 0x3FF) << 2);
        uint pte = (uint)mem.ReadSlow(pteAddr, 4);
        if ((pte & P) == 0) return Fault(err);
        bool writable = (pde & RW) != 0 && (pte & RW) != 0;
        bool usr = (pde & US) != 0 && (pte & US) != 0;
        if (!Allowed(writable, usr, write, user, wp)) return Fault(err | 1);
        if ((pde & A) == 0 && update) mem.WriteSlow(pdeAddr, 4, pde | A);
        uint newPte = pte | A | (write ? D : 0);
        if (newPte != pte && update) mem.WriteSlow(pteAddr, 4, newPte);
        return new Translation((pte & 0xFFFF_F000) | (lin & 0xFFF), writable, usr, (newPte & D) != 0, true, 0);
    }

    static bool Allowed(bool writable, bool userPage, bool write, bool user, bool wp)
    {
        if (user && !userPage) return false;
        if (write && !writable && (user || wp)) return false;
        return true;
    }

    static Translation Fault(uint err) => new(0, false, false, false, false, err);
}
