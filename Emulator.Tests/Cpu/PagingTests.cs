using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;
using P = Emulator.Tests.Cpu.ProtectedModeSetup;

namespace Emulator.Tests.Cpu;

/// <summary>32-bit paging (SDM vol. 3, 4.3-4.8): accessed/dirty bits, #PF error codes and CR2, CR0.WP,
/// user/supervisor, INVLPG, and 4 MiB pages.</summary>
public class PagingTests
{
    const uint PteA = 0x20, PteD = 0x40;

    static void EnablePaging(Assembler a, uint cr4Value = 0)
    {
        if (cr4Value != 0) { a.mov(eax, cr4Value); a.mov(cr4, eax); }
        a.mov(eax, (uint)P.PageDirectory);
        a.mov(cr3, eax);
        a.mov(eax, cr0);
        a.or(eax, unchecked((int)0x80000000));
        a.mov(cr0, eax);
    }

    [Test]
    public void AccessedAndDirtyBitsAreSet()
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.Build(a => { EnablePaging(a); a.mov(eax, __dword_ptr[0x200000]); a.mov(__dword_ptr[0x201000], eax); a.hlt(); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.GetPte(0x200000) & (PteA | PteD), Is.EqualTo(PteA));
            Assert.That(s.GetPte(0x201000) & (PteA | PteD), Is.EqualTo(PteA | PteD));
            Assert.That(s.GetPte(0x202000) & PteA, Is.EqualTo(0u));
            Assert.That(s.M.Read32(P.PageDirectory) & PteA, Is.EqualTo(PteA));
        });
    }

    [TestCase(false, 0u)]
    [TestCase(true, 2u)]
    public void NotPresentPageFaultsWithCr2AndErrorCode(bool write, uint expectedError)
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.SetPte(0x300000, 0);
        Label l = default;
        s.Build(a =>
        {
            l = a.CreateLabel();
            EnablePaging(a);
            a.Label(ref l);
            if (write) a.mov(__dword_ptr[0x300123], eax); else a.mov(eax, __dword_ptr[0x300123]);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.PF));
            Assert.That(s.Cpu.Cr2, Is.EqualTo(0x300123UL));
            Assert.That(s.Frame(0), Is.EqualTo(expectedError));
            Assert.That(s.Frame(1), Is.EqualTo(s.BodyLabel(l)));
        });
    }

    [TestCase(true, true)]
    [TestCase(false, false)]
    public void SupervisorWriteToReadOnlyPageFaultsOnlyWithWp(bool wp, bool faults)
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.SetPte(0x200000, 0x200000 | 5);   // present, user, read-only
        s.Build(a =>
        {
            EnablePaging(a);
            if (wp) { a.mov(eax, cr0); a.or(eax, 0x10000); a.mov(cr0, eax); }
            a.mov(__dword_ptr[0x200000], 0x5A5A);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        if (faults)
            Assert.Multiple(() =>
            {
                Assert.That(s.HaltedVector, Is.EqualTo(Vector.PF));
                Assert.That(s.Frame(0), Is.EqualTo(3u));   // P=1 (protection), W=1, U=0
            });
        else
            Assert.Multiple(() =>
            {
                Assert.That(s.HaltedVector, Is.EqualTo(-1));
                Assert.That(s.M.Read32(0x200000), Is.EqualTo(0x5A5Au));
            });
    }

    [Test]
    public void UserReadOfSupervisorPageFaults()
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.SetPte(0x200000, 0x200000 | 3);   // present, writable, supervisor only
        s.Assemble32(P.ExtraCode, a => a.mov(eax, __dword_ptr[0x200010]));
        s.Build(a => { EnablePaging(a); ProtectedModeTests.EnterRing3(a, (uint)P.ExtraCode); });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.HaltedVector, Is.EqualTo(Vector.PF));
            Assert.That(s.Frame(0), Is.EqualTo(5u));   // P=1, W=0, U=1
            Assert.That(s.Cpu.Cr2, Is.EqualTo(0x200010UL));
            Assert.That(s.Frame(1), Is.EqualTo((uint)P.ExtraCode));
            Assert.That(s.Frame(2), Is.EqualTo((uint)P.Code3));
        });
    }

    [Test]
    public void InvlpgMakesAChangedPteVisible()
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.M.Write32(0x200000, 0x11111111);
        s.M.Write32(0x202000, 0x22222222);
        s.Build(a =>
        {
            EnablePaging(a);
            a.mov(ebx, __dword_ptr[0x200000]);
            a.mov(__dword_ptr[(uint)P.PageTable + 0x200 * 4], 0x202007);   // remap 200000 → 202000
            a.invlpg(__[0x200000]);
            a.mov(ecx, __dword_ptr[0x200000]);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rbx), Is.EqualTo(0x11111111u));
            Assert.That(s.Reg32(Gpr.Rcx), Is.EqualTo(0x22222222u));
        });
    }

    [Test]
    public void FourMegabytePageWithPse()
    {
        var s = new P();
        s.IdentityMapFirst4M();
        s.M.Write32(P.PageDirectory + 4, 0x800000 | 0x87);   // PDE 1: 4 MiB page at 800000H, PS|US|RW|P
        s.M.Write32(0x800010, 0xCAFEBABE);
        s.Build(a =>
        {
            EnablePaging(a, (uint)CrBits.CR4_PSE);
            a.mov(eax, __dword_ptr[0x400010]);
            a.mov(__dword_ptr[0x7FFFF0], 0x1234);
            a.hlt();
        });
        Assert.That(s.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(s.Reg32(Gpr.Rax), Is.EqualTo(0xCAFEBABEu));
            Assert.That(s.M.Read32(0xBFFFF0), Is.EqualTo(0x1234u));
            Assert.That(s.M.Read32(P.PageDirectory + 4) & (PteA | PteD), Is.EqualTo(PteA | PteD));
        });
    }
}
