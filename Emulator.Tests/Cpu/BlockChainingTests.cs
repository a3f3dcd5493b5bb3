using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// The execution loop follows a block's recorded successor without a TLB or block-cache
/// lookup. These tests change what CS:RIP means between two visits of the same link and
/// check the loop notices: self-modifying code, a remapped page, another CS base.
/// </summary>
public class BlockChainingTests
{
    [Test]
    public void StoreIntoLinkedSuccessorIsSeen()
    {
        // The loop on page 0x1000 stores CX into the immediate of MOV BX, imm16 (BB iw) on page
        // 0x2000 and jumps there. The JMP block's link to the 0x2000 block must not survive the
        // store, so BX follows the stored values.
        var m = new TestMachine();
        var code = m.Load(16, 0x1000, a =>
        {
            var loop = a.CreateLabel();
            a.mov(cx, 5);
            a.xor(si, si);
            a.Label(ref loop);
            a.mov(__word_ptr[0x2001], cx);
            a.jmp(0x2000);
        });
        var target = m.Load(16, 0x2000, a =>
        {
            a.mov(bx, 0x7777);
            a.add(si, bx);
            a.dec(cx);
            a.jnz(0x1005);
            a.hlt();
        });
        Assert.That(target[0], Is.EqualTo(0xBB));
        Assert.That(code.Length, Is.EqualTo(3 + 2 + 4 + 3));   // MOV CX,iw; XOR SI,SI; MOV [2001],CX (89 0E iw); JMP rel16: the loop is at 1005
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        // BX takes CX = 5, 4, 3, 2, 1 in turn: SI = 15.
        Assert.That(m.Reg(Gpr.Rsi) & 0xFFFF, Is.EqualTo(15));
    }

    [Test]
    public void SameRipUnderAnotherCsBaseIsNotFollowed()
    {
        // One RETF block returns alternately to 1000:0000 and 2000:0000: the same RIP (0)
        // in two code segments, so its link must not carry over from one to the other.
        var m = new TestMachine();
        const ushort back1 = 0x1010, back2 = 0x1020, doRetf = 0x1030;
        m.Load(16, 0x1000, a =>
        {
            a.xor(bx, bx);
            a.mov(cx, 4);
            a.nop();
        });
        m.Load(16, 0x1006, a => { a.push(0x1000); a.push(0); a.jmp(doRetf); });
        m.Load(16, back1, a => { a.push(0x2000); a.push(0); a.jmp(doRetf); });
        m.Load(16, back2, a => { a.dec(cx); a.jnz(0x1006); a.hlt(); });
        m.Load(16, doRetf, a => a.retf());
        m.Load(16, 0x10000, a => { a.add(bx, 1); a.jmp(0, back1); });
        m.Load(16, 0x20000, a => { a.add(bx, 0x100); a.jmp(0, back2); });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(10_000), Is.EqualTo(StopReason.Halted));
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(0x404));
    }

    [Test]
    public void RemappedPageIsNotFollowedAfterTlbFlush()
    {
        // Flat 32-bit paging; linear 0x400000 maps to physical 0x100000 (MOV EAX, 1; RET),
        // then to 0x101000 (MOV EAX, 2; RET). Writing CR3 flushes the TLB (SDM vol. 3, 4.10.4.1),
        // so the CALL block's link to the old page must not be followed.
        var m = new TestMachine();
        m.Write64(0x1008, 0x00CF_9B00_0000_FFFFUL);
        m.Write64(0x1010, 0x00CF_9300_0000_FFFFUL);
        m.Write32(0x2000, 0x3000 | 3);                    // PDE 0: 0-4 MiB
        m.Write32(0x2004, 0x4000 | 3);                    // PDE 1: 4-8 MiB
        for (uint i = 0; i < 1024; i++) m.Write32(0x3000 + i * 4, (i << 12) | 3);
        m.Write32(0x4000, 0x100000 | 3);                  // 0x400000 → 0x100000
        m.Load(32, 0x100000, a => { a.mov(eax, 1); a.ret(); });
        m.Load(32, 0x101000, a => { a.mov(eax, 2); a.ret(); });
        m.Load(32, 0x10000, a =>
        {
            var loop = a.CreateLabel();
            a.mov(esp, 0x9000);
            a.Label(ref loop);
            a.mov(ebx, 0x400000);
            a.call(ebx);
            a.jmp(loop);
        });
        var cpu = m.Cpu;
        cpu.SetControlRegister(3, 0x2000);
        cpu.SetControlRegister(0, cpu.Cr0 | 0x8000_0001UL);
        cpu.SetSegment(SegReg.CS, new SegmentCache { Limit = 0xFFFF_FFFF, Selector = 8, Attributes = 0xC09B });
        foreach (var s in new[] { SegReg.DS, SegReg.ES, SegReg.SS })
            cpu.SetSegment(s, new SegmentCache { Limit = 0xFFFF_FFFF, Selector = 0x10, Attributes = 0xC093 });
        cpu.Rip = 0x10000;

        m.Run(1000);
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(1));
        m.Write32(0x4000, 0x101000 | 3);
        cpu.SetControlRegister(3, 0x2000);
        m.Run(1000);
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(2));
    }
}
