using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Frontend.Debugging;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The GDB server's memory access at linear addresses through the guest's page tables
/// (32-bit paging, SDM vol. 3, 4.3): page directory at 80000h, one page table at 81000h
/// mapping linear 10000h to physical 200000h; linear 11000h is not present.
/// </summary>
public class GdbServerMemoryTests
{
    static Machine PagedMachine()
    {
        var m = new Machine(new MachineConfig { MemorySize = 16UL << 20 });
        m.Memory.Write(0x80000, BitConverter.GetBytes(0x81000u | 0x3));            // PDE 0: table at 81000, P+RW
        m.Memory.Write(0x81000 + 0x10 * 4, BitConverter.GetBytes(0x200000u | 0x3)); // PTE 10h: 200000, P+RW
        m.Memory.Write(0x200FFE, [0xAA, 0xBB]);
        m.Cpu.SetControlRegister(3, 0x80000);
        m.Cpu.SetControlRegister(0, m.Cpu.Cr0 | CrBits.CR0_PE | CrBits.CR0_PG);
        return m;
    }

    [Test]
    public void ReadsTranslateAndStopAtTheFirstUnmappedPage()
    {
        var m = PagedMachine();
        Assert.That(GuestMemoryAccess.Read(m, 0x10FFE, 4), Is.EqualTo(new byte[] { 0xAA, 0xBB }), "partial: the next page is not present");
        Assert.That(GuestMemoryAccess.Read(m, 0x11000, 4), Is.Empty, "the session answers E14");
        // No accessed bit was set by the debugger's walk.
        var pte = new byte[4];
        m.Memory.Read(0x81000 + 0x10 * 4, pte);
        Assert.That(pte[0] & 0x20, Is.EqualTo(0));
    }

    [Test]
    public void WritesAreAllOrNothing()
    {
        var m = PagedMachine();
        Assert.That(GuestMemoryAccess.Write(m, 0x10FFE, [1, 2, 3, 4]), Is.False);
        var bytes = new byte[2];
        m.Memory.Read(0x200FFE, bytes);
        Assert.That(bytes, Is.EqualTo(new byte[] { 0xAA, 0xBB }));
        Assert.That(GuestMemoryAccess.Write(m, 0x10010, [1, 2]), Is.True);
        m.Memory.Read(0x200010, bytes);
        Assert.That(bytes, Is.EqualTo(new byte[] { 1, 2 }));
    }
}
