using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu.X87;

/// <summary>The x87 environment in its 32-bit protected-mode layout (SDM vol. 1, 8.1.10, figure 8-9).</summary>
public class X87ProtectedModeTests
{
    [Test]
    public void FnstenvProtectedMode32BitLayout()
    {
        var p = new ProtectedModeSetup();
        var fdiv = default(Iced.Intel.Label);
        p.Build(a =>
        {
            fdiv = a.CreateLabel();
            a.fninit();
            a.fld1();
            a.Label(ref fdiv);
            a.fdiv(__dword_ptr[0x520]);          // 1 / +0: ZE (masked), ST(0) = +∞
            a.fnstenv(__[0x600]);
            a.fld1();
            a.fld1();
            a.fld1();
            a.fxch(st0, st3);
            a.fnstenv(__[0x640]);
            a.hlt();
        });
        p.M.Write32(0x520, 0);
        Assert.That(p.Run(), Is.EqualTo(StopReason.Halted));
        uint fipExpected = p.BodyLabel(fdiv);
        Assert.Multiple(() =>
        {
            Assert.That(p.M.Read32(0x600), Is.EqualTo(0xFFFF_037Fu));            // control word
            Assert.That(p.M.Read32(0x604), Is.EqualTo(0xFFFF_3804u));            // TOP = 7, ZE
            Assert.That(p.M.Read32(0x608), Is.EqualTo(0xFFFF_BFFFu));            // R7 special (∞), the rest empty
            Assert.That(p.M.Read32(0x60C), Is.EqualTo(fipExpected));             // FIP: the FDIV
            // FCS, and the opcode in bits 16-26: D8 /6 with a disp32 operand (ModRM 00 110 101) → 035h.
            Assert.That(p.M.Read32(0x610), Is.EqualTo(0x0035_0000u | ProtectedModeSetup.Code0));
            // FXCH ST(3) is D9 CB → opcode 1CBh.
            Assert.That(p.M.Read32(0x650) >> 16, Is.EqualTo(0x1CBu));
            Assert.That(p.M.Read32(0x614), Is.EqualTo(0x520u));                  // FDP
            Assert.That(p.M.Read32(0x618) & 0xFFFF, Is.EqualTo((uint)ProtectedModeSetup.Data0));
        });
    }
}
