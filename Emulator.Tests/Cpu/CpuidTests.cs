using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>CPUID reports the named model, and only features the core implements (SDM vol. 2A, CPUID).</summary>
public class CpuidTests
{
    [Test]
    public void PentiumProLeaf0And1()
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a =>
        {
            a.xor(eax, eax);
            a.cpuid();
            a.mov(__dword_ptr[0x500], ebx);
            a.mov(__dword_ptr[0x504], edx);
            a.mov(__dword_ptr[0x508], ecx);
            a.mov(__dword_ptr[0x50C], eax);
            a.mov(eax, 1);
            a.cpuid();
            a.hlt();
        });
        m.StartReal(0, 0x1000);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        var vendor = new byte[12];
        m.Machine.Memory.Read(0x500, vendor);
        // Family 6, model 1, stepping 9; EDX: FPU(0) DE(2) PSE(3) TSC(4) MSR(5) CX8(8) APIC(9) SEP(11) PGE(13) CMOV(15) FXSR(24).
        uint expectedEdx = 1u | (1u << 24) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 11) | (1u << 13) | (1u << 15);
        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(vendor), Is.EqualTo("GenuineIntel"));
            Assert.That(m.Read32(0x50C), Is.EqualTo(2u), "highest basic leaf");
            Assert.That(m.Reg(Gpr.Rax) & 0xFFFF_FFFF, Is.EqualTo(0x619UL));
            Assert.That(m.Reg(Gpr.Rdx) & 0xFFFF_FFFF, Is.EqualTo((ulong)expectedEdx));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF_FFFF, Is.EqualTo(0UL));
        });
    }
}
