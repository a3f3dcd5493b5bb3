using Emulator.Devices.Board;

namespace Emulator.Tests.Devices.Board;

/// <summary>The x87's FERR# reaches ISA IRQ 13 and a write to port 0xF0 clears it (PC/AT wiring).</summary>
public class FerrWiringTests
{
    [Test]
    public void FerrLatchesIrq13UntilPortF0IsWritten()
    {
        var board = new PcBoard(new PcBoardConfig { Bios = BoardTestMachine.HaltBios() });
        Assert.That(board.IsaIrqLevel(13), Is.False);
        board.Machine.Cpu.Fpu.ErrorSignal!(true);
        Assert.That(board.IsaIrqLevel(13), Is.True, "FERR# active raises IRQ 13");
        board.Machine.Cpu.Fpu.ErrorSignal!(false);
        Assert.That(board.IsaIrqLevel(13), Is.True, "the latch holds after FERR# goes inactive");
        board.Machine.Io.Out(0xF0, 1, 0);
        Assert.That(board.IsaIrqLevel(13), Is.False, "a write to port 0xF0 clears it");
    }
}
