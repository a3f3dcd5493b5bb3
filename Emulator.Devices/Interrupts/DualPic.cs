using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;

namespace Emulator.Devices.Interrupts;

/// <summary>
/// The PC/AT interrupt controller pair: a master 8259A at ports 0x20-0x21 and a slave at
/// 0xA0-0xA1 whose INT output drives the master's IR2, plus the PIIX3 edge/level control
/// registers ELCR1/ELCR2 at 0x4D0/0x4D1. ISA IRQ 0-7 are the master's inputs, IRQ 8-15 the
/// slave's. As the CPU's <see cref="IInterruptController"/>, INTR is the master's INT output
/// and <see cref="Acknowledge"/> is the INTA sequence returning the vector.
/// </summary>
/// <remarks>
/// On an AT, the ISA bus's IRQ2 pin is wired to the slave's IR1 (IRQ 9) and the master's IR2 is
/// the cascade; <c>SetIrq(2, …)</c> is therefore ignored: connect such devices to IRQ 9.
/// The ELCR bits for IRQ 0, 1, 2, 8 and 13 are read-only zero (PIIX3 datasheet, ELCR1/ELCR2).
/// If the guest's master ICW3 does not name IR2 as a cascade input, an acknowledge of IR2 is
/// answered by the master itself, as the chip would.
/// </remarks>
public sealed class DualPic : IIoDevice, IInterruptController, ISaveable
{
    public const ushort MasterPort = 0x20, SlavePort = 0xA0, ElcrPort = 0x4D0;
    /// <summary>The master input the slave's INT output drives.</summary>
    public const int CascadeIrq = 2;

    public DualPic()
    {
        Master = new Pic8259(master: true, elcrMask: 0xF8);
        Slave = new Pic8259(master: false, elcrMask: 0xDE);
        Slave.OutputChanged += level => Master.SetLine(CascadeIrq, level);
        Master.OutputChanged += level => OutputChanged?.Invoke(level);
    }

    public Pic8259 Master { get; }
    public Pic8259 Slave { get; }

    /// <summary>Called when INTR (the master's INT output) changes; the local APIC's LINT0 follows it.</summary>
    public event Action<bool>? OutputChanged;

    /// <summary>Registers the six ports on <paramref name="io"/>.</summary>
    public void Attach(IoBus io)
    {
        io.Register(MasterPort, 2, this);
        io.Register(SlavePort, 2, this);
        io.Register(ElcrPort, 2, this);
    }

    public void Reset()
    {
        Master.Reset();
        Slave.Reset();
    }

    /// <summary>Drives ISA IRQ <paramref name="irq"/> (0-15); the board's IrqLine sink calls this.</summary>
    public void SetIrq(int irq, bool level)
    {
        if (irq is >= 0 and < 8 && irq != CascadeIrq) Master.SetLine(irq, level);
        else if (irq is >= 8 and < 16) Slave.SetLine(irq - 8, level);
    }

    // ---- the CPU side ----

    public bool InterruptPending => Master.Output;

    /// <summary>
    /// The INTA sequence: the master resolves its highest request; for the cascade input the slave
    /// supplies the vector. With nothing left to acknowledge the chip answers IR7 without setting
    /// an ISR bit (spurious IRQ 7, or 15 from the slave, where the master's ISR2 is still set).
    /// </summary>
    public byte Acknowledge()
    {
        int ir = Master.PendingRequest();
        if (ir < 0) return Master.Vector(7);
        if (ir == CascadeIrq && (Master.CascadeMask & (1 << CascadeIrq)) != 0)
        {
            int ir2 = Slave.PendingRequest();
            byte vector = Slave.Vector(ir2 < 0 ? 7 : ir2);
            if (ir2 >= 0) Slave.Acknowledge(ir2);
            Master.Acknowledge(ir);
            return vector;
        }
        Master.Acknowledge(ir);
        return Master.Vector(ir);
    }

    // ---- ports ----

    public uint In(ushort port, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++) v |= (uint)ReadByte((ushort)(port + i)) << (8 * i);
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++) WriteByte((ushort)(port + i), (byte)(value >> (8 * i)));
    }

    byte ReadByte(ushort port) => port switch
    {
        MasterPort or MasterPort + 1 => Master.Read(port & 1),
        SlavePort or SlavePort + 1 => Slave.Read(port & 1),
        ElcrPort => Master.Elcr,
        ElcrPort + 1 => Slave.Elcr,
        _ => 0xFF,   // a wide access running past the device's ports
    };

    void WriteByte(ushort port, byte value)
    {
        switch (port)
        {
            case MasterPort or MasterPort + 1: Master.Write(port & 1, value); break;
            case SlavePort or SlavePort + 1: Slave.Write(port & 1, value); break;
            case ElcrPort: Master.Elcr = value; break;
            case ElcrPort + 1: Slave.Elcr = value; break;
        }
    }

    // ---- save/restore: both chips in one section ----

    public string SnapshotName => "pic";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        Master.SaveState(w);
        Slave.SaveState(w);
    }

    public void LoadState(BinaryReader r, int version)
    {
        Master.LoadState(r, Master.SnapshotVersion);
        Slave.LoadState(r, Slave.SnapshotVersion);
    }
}
