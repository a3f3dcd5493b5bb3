using Emulator.Core.Cpu.X87;
using static Emulator.Tests.Snapshots.SnapshotBytes;

namespace Emulator.Tests.Cpu.X87;

public class FpuStateTests
{
    [Test]
    public void ResetAndInitValues()
    {
        // SDM vol. 3, table 10-1 (after RESET) and vol. 2A, FINIT.
        var f = new FpuState();
        f.Reset();
        Assert.That((f.ControlWord, f.StatusWord, f.TagWord), Is.EqualTo(((ushort)0x0040, (ushort)0, (ushort)0x5555)));
        f.Initialize();
        Assert.That((f.ControlWord, f.StatusWord, f.TagWord), Is.EqualTo(((ushort)0x037F, (ushort)0, (ushort)0xFFFF)));
    }

    [Test]
    public void SnapshotRoundTripGivesTheSameBytes()
    {
        var f = new FpuState();
        f.Initialize();
        f.Push(Float80.One);
        f.Push(Float80.Indefinite);
        f.ControlWord = 0x0C7B;
        f.RaiseFlags(FpuExceptions.ZE);
        f.InstructionPointer = 0x1234; f.InstructionSelector = 8; f.DataPointer = 0x520; f.DataSelector = 0x10; f.Opcode = 0x35;
        var first = Save(f);
        var g = new FpuState();
        Load(g, first);
        Assert.That(Save(g), Is.EqualTo(first));
        Assert.That(g.St(1), Is.EqualTo(Float80.One));
        Assert.That(g.ErrorPending, Is.True);
    }
}
