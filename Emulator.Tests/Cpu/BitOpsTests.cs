using Emulator.Core.Cpu;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Cpu.AluHarness;

namespace Emulator.Tests.Cpu;

/// <summary>BT, BTS, BTR, BTC, BSF, BSR, SALC (SDM vol. 2); expected values worked by hand.</summary>
public class BitOpsTests
{
    [Test]
    public void BtImmediateRegister()
    {
        // BT AX,3 with AX=0008: CF = 1; the other flags (ZF, SF set before) are kept.
        var m = Run(a => { a.mov(ax, 8); a.bt(ax, 3); }, ZF | SF);
        Assert.That(Flags(m), Is.EqualTo(CF | ZF | SF));
        // BT AX,19: the immediate is taken modulo 16 -> bit 3 again.
        m = Run(a => { a.mov(ax, 8); a.bt(ax, 19); });
        Assert.That(Flags(m), Is.EqualTo(CF));
        // BT EAX,3 with bit 3 clear: CF = 0 even though it was set.
        m = Run(a => { a.mov(eax, 0xFFFF_FFF7u); a.bt(eax, 3); }, CF);
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void BtsBtrBtcRegister()
    {
        // BTS BX,CX with CX=18: 18 mod 16 = 2 -> BX 0000 -> 0004, CF = 0.
        var m = Run(a => { a.xor(bx, bx); a.mov(cx, 18); a.bts(bx, cx); }, CF);
        Assert.That(m.Reg(Gpr.Rbx) & 0xFFFF, Is.EqualTo(4));
        Assert.That(Flags(m) & CF, Is.EqualTo(0u));
        // BTR EAX,31: 80000001 -> 00000001, CF = 1.
        m = Run(a => { a.mov(eax, 0x8000_0001u); a.btr(eax, 31); });
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(1));
        Assert.That(Flags(m), Is.EqualTo(CF));
        // BTC DX,0 twice: 0001 -> 0000 (CF 1) -> 0001 (CF 0).
        m = Run(a => { a.mov(dx, 1); a.btc(dx, 0); });
        Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF, Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(CF));
        m = Run(a => { a.mov(dx, 1); a.btc(dx, 0); a.btc(dx, 0); });
        Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF, Is.EqualTo(1));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void MemoryImmediateStaysInOperand()
    {
        // BTC word [500],17: 17 mod 16 = bit 1 of the word at 500 (not of the next word): 0000 -> 0002, CF = 0.
        var m = Run(a => a.btc(__word_ptr[0x500], 17), CF);
        Assert.That(m.Read16(0x500), Is.EqualTo(2));
        Assert.That(m.Read16(0x502), Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void MemoryRegisterOffsetBeyondOperand()
    {
        // BT word [BX],AX with AX=33: word 33 SAR 4 = 2 -> address 500 + 2*2 = 504, bit 33 & 15 = 1.
        // The word at 504 is 0002 -> CF = 1.
        var m = Run(a => { a.mov(bx, 0x500); a.mov(ax, 33); a.bt(__word_ptr[bx], ax); }, 0,
            t => t.Write32(0x504, 0x0002));
        Assert.That(Flags(m), Is.EqualTo(CF));
    }

    [Test]
    public void MemoryRegisterNegativeOffset()
    {
        // BTS word [BX],AX with AX=FFFF (-1): word -1 SAR 4 = -1 -> address 500 - 2 = 4FE, bit -1 & 15 = 15:
        // the word at 4FE becomes 8000 and the word at 500 is untouched.
        var m = Run(a => { a.mov(bx, 0x500); a.mov(ax, 0xFFFF); a.bts(__word_ptr[bx], ax); });
        Assert.That(m.Read16(0x4FE), Is.EqualTo(0x8000));
        Assert.That(m.Read16(0x500), Is.EqualTo(0));
        Assert.That(Flags(m), Is.EqualTo(0u));
        // BTR dword [BX],EAX with EAX=-33: -33 SAR 5 = -2 -> address 500 - 8 = 4F8; bit -33 & 31 = 31.
        m = Run(a => { a.mov(bx, 0x500); a.mov(eax, 0xFFFF_FFDFu); a.btr(__dword_ptr[bx], eax); }, 0,
            t => t.Write32(0x4F8, 0xFFFF_FFFF));
        Assert.That(m.Read32(0x4F8), Is.EqualTo(0x7FFF_FFFFu));
        Assert.That(Flags(m), Is.EqualTo(CF));
    }

    [Test]
    public void Bsf()
    {
        // BSF AX,BX with BX=0050: lowest set bit 4; ZF = 0; PF of 4 (one bit) = 0; CF/OF/SF/AF clear.
        var m = Run(a => { a.mov(bx, 0x50); a.bsf(ax, bx); }, ZF | CF | OF);
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(4));
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void BsrFromMemory()
    {
        // BSR ECX,[500] with 00F00000: highest set bit 23; PF of 23 = 10111b (4 bits) = 1.
        var m = Run(a => a.bsr(ecx, __dword_ptr[0x500]), 0, t => t.Write32(0x500, 0x00F0_0000));
        Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(23));
        Assert.That(Flags(m), Is.EqualTo(PF));
    }

    [Test]
    public void ScanOfZeroSetsZfAndKeepsDestination()
    {
        // Source 0: ZF = 1, the destination keeps its value (Intel/AMD behaviour), other flags kept.
        var m = Run(a => { a.mov(eax, 0x1234_5678); a.xor(edx, edx); a.bsf(eax, edx); a.mov(cx, 0xBEEF); a.bsr(cx, dx); });
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(0x1234_5678));
        Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0xBEEF));
        // XOR EDX,EDX left ZF=1, PF=1 and CF=OF=SF=AF=0; the scans set ZF again and touch nothing else.
        Assert.That(Flags(m), Is.EqualTo(ZF | PF));
    }

    [Test]
    public void TzcntAndLzcntRunAsBsfAndBsrWithoutBmi()
    {
        // F3 0F BC / F3 0F BD on a CPU without BMI1/LZCNT: the F3 prefix is ignored and the bytes run
        // as BSF/BSR (SDM vol. 2B, TZCNT, LZCNT). EBX = 00010100h: lowest set bit 8, highest 16.
        // (LZCNT would give 15 and TZCNT 8 with CF/ZF semantics; BSR gives 16.)
        var m = Run(a => { a.mov(ebx, 0x0001_0100); a.tzcnt(eax, ebx); a.lzcnt(ecx, ebx); }, ZF | CF);
        Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(8));
        Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(16));
        // BSR of a 16 (one bit set): ZF = 0, CF = 0 (TZCNT/LZCNT would not touch PF; BSF/BSR set it from the result: 16 = one bit -> PF = 0).
        Assert.That(Flags(m), Is.EqualTo(0u));
    }

    [Test]
    public void PauseIsANop()
    {
        // PAUSE (F3 90) is REP NOP: no register or flag changes (SDM vol. 2B, PAUSE).
        var m = Run(a => { a.mov(eax, 0x1234); a.pause(); a.mov(ecx, eax); }, CF);
        Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x1234));
        Assert.That(Flags(m), Is.EqualTo(CF));
    }

    [Test]
    public void Salc()
    {
        // D6 (undocumented SALC): AL = FF when CF = 1, 00 when CF = 0; AH and the flags are unchanged.
        var m = Run(a => { a.mov(ax, 0x1234); a.db(0xD6); }, CF);
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x12FF));
        Assert.That(Flags(m), Is.EqualTo(CF));
        m = Run(a => { a.mov(ax, 0x1234); a.db(0xD6); }, ZF);
        Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x1200));
        Assert.That(Flags(m), Is.EqualTo(ZF));
    }
}
