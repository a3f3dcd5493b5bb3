using Emulator.Core.Machine;
using Emulator.Core.Memory;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// Multi-part x87 stores (FSTP m80, FBSTP, FNSTENV, FNSAVE, FXSAVE) check the whole destination for write access
/// before writing any part (Cpu.ProbeWrite): a fault leaves memory untouched, and the check itself neither reads
/// nor writes, so a device register file behind the destination only sees the store's writes.
/// </summary>
public class X87WriteProbeTests
{
    sealed class Recorder : IMmioHandler
    {
        public int Reads;
        public readonly byte[] Bytes = new byte[0x1000];
        public ulong Read(ulong offset, int size) { Reads++; return 0; }
        public void Write(ulong offset, int size, ulong value)
        {
            for (int i = 0; i < size; i++) Bytes[offset + (ulong)i] = (byte)(value >> (8 * i));
        }
    }

    [Test]
    public void StoresToMmioAreNotPrecededByReads()
    {
        const uint mmio = 0xFE00_0000;
        var rec = new Recorder();
        var p = new ProtectedModeSetup();
        p.M.Machine.Memory.MapMmio(mmio, 0x1000, rec);
        p.Build(a =>
        {
            a.fninit();
            a.fld1();
            a.fstp(__tword_ptr[mmio]);
            a.fld1();
            a.fbstp(__tword_ptr[mmio + 0x10]);
            a.fnstenv(__[mmio + 0x20]);
            a.fldpi();
            a.fnsave(__[mmio + 0x100]);
            a.fxsave(__[mmio + 0x200]);
            a.hlt();
        });
        Assert.That(p.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(p.HaltedVector, Is.EqualTo(-1));
            Assert.That(rec.Reads, Is.EqualTo(0));
            // 1.0 in the 80-bit format: significand 8000000000000000h, exponent 3FFFh.
            Assert.That(BitConverter.ToUInt64(rec.Bytes, 0), Is.EqualTo(0x8000_0000_0000_0000UL));
            Assert.That(BitConverter.ToUInt16(rec.Bytes, 8), Is.EqualTo(0x3FFF));
            // FBSTP of 1: BCD digit 1, positive.
            Assert.That(BitConverter.ToUInt64(rec.Bytes, 0x10), Is.EqualTo(1UL));
            Assert.That(BitConverter.ToUInt16(rec.Bytes, 0x20), Is.EqualTo(0x037F));   // FNSTENV: control word
            Assert.That(BitConverter.ToUInt16(rec.Bytes, 0x200), Is.EqualTo(0x037F));  // FXSAVE after FNSAVE's FNINIT
        });
    }

    [Test]
    public void SplitStoreIntoAMissingPageFaultsBeforeWriting()
    {
        // FSTP m80 four bytes before a not-present page: #PF at the second page (error code 2: write, not
        // present), the first page's bytes unchanged and the stack not popped.
        const uint page = 0x0004_0000;
        var p = new ProtectedModeSetup();
        p.IdentityMapFirst4M();
        p.SetPte(page, 0);
        p.M.Write64(page - 8, 0x5555_5555_5555_5555);
        p.Build(a =>
        {
            a.mov(eax, (uint)ProtectedModeSetup.PageDirectory);
            a.mov(cr3, eax);
            a.mov(eax, cr0);
            a.or(eax, 0x8000_0000);
            a.mov(cr0, eax);
            a.fninit();
            a.fld1();
            a.fstp(__tword_ptr[page - 4]);
            a.hlt();
        });
        Assert.That(p.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(p.HaltedVector, Is.EqualTo(14));
            Assert.That(p.Cpu.Cr2, Is.EqualTo((ulong)page));
            Assert.That(p.Frame(0), Is.EqualTo(2u));
            Assert.That(p.M.Read32(page - 4), Is.EqualTo(0x5555_5555u));
            Assert.That(p.Cpu.Fpu.Top, Is.EqualTo(7));
        });
    }
}
