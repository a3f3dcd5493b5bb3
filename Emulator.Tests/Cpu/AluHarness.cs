using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Tests.Cpu;

/// <summary>Runs a short real-mode guest program (code at 0:1000, data around 0:0500) for the ALU family tests.</summary>
internal static class AluHarness
{
    public const uint CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    public const uint Arith = CF | PF | AF | ZF | SF | OF;

    /// <summary>Assembles <paramref name="code"/> (16-bit; 32-bit operands get a 66h prefix) followed by HLT,
    /// starts it with the arithmetic flags <paramref name="flags"/> and runs it to the HLT.</summary>
    public static TestMachine Run(Action<Assembler> code, uint flags = 0, Action<TestMachine>? setup = null)
    {
        var m = new TestMachine();
        m.Load(16, 0x1000, a => { code(a); a.hlt(); });
        m.StartReal(0, 0x1000);
        setup?.Invoke(m);
        m.Cpu.Eflags = (flags & Arith) | 2;
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return m;
    }

    public static uint Flags(TestMachine m) => m.Flags & Arith;

    public static ulong R(TestMachine m, Gpr r) => m.Reg(r);
}
