using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;

namespace Emulator.Devices.Chipset;

/// <summary>
/// The PC/AT's x87 error wiring: the FPU's FERR# output latches IRQ 13, and a write to port
/// 0xF0 clears the latch (and, on an AT, asserts IGNNE#). Operating systems that run with
/// CR0.NE = 0 (DOS, old kernels) take x87 errors this way; with NE = 1 the CPU raises #MF
/// instead and FERR# goes unused (Intel SDM vol. 1, 8.7 and appendix D).
/// </summary>
public sealed class CoprocessorErrorLatch : IIoDevice, ISaveable
{
    public const ushort Port = 0xF0;

    readonly IrqLine irq13;
    bool latched;

    public CoprocessorErrorLatch(IrqLine irq13) => this.irq13 = irq13;

    /// <summary>FERR# from the FPU: going active latches IRQ 13.</summary>
    public void OnFerr(bool active)
    {
        if (!active || latched) return;
        latched = true;
        irq13.Raise();
    }

    public uint In(ushort port, int size) => size switch { 1 => 0xFFu, 2 => 0xFFFFu, _ => 0xFFFF_FFFFu };

    public void Out(ushort port, int size, uint value)
    {
        latched = false;
        irq13.Lower();
    }

    public void Reset()
    {
        latched = false;
        irq13.Lower();
    }

    public string SnapshotName => "ferr";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter writer) => writer.Write(latched);

    public void LoadState(BinaryReader reader, int version)
    {
        latched = reader.ReadBoolean();
        irq13.Set(latched);
    }
}
