using Emulator.Core.Interrupts;
using Emulator.Core.Io;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// One IDE channel (cable) of the PIIX3: the command block at <c>commandBase</c> (8 ports: data,
/// error/features, sector count, LBA low/mid/high, device, status/command) and the control block
/// port (alternate status / device control), with up to two devices, master (0) and slave (1)
/// (ATA/ATAPI-6 clause 5 and 7).
/// </summary>
/// <remarks>
/// <para>Writes to registers 1-6 go to both devices, as on the cable; reads come from the
/// selected device. As in QEMU: an absent selected device reads 0 in the status and error
/// registers, a channel with no devices reads 0 in every register, writes other than the
/// command are ignored while the selected device has BSY or DRQ set, and commands to an absent
/// device are ignored. Any command block write clears the device control HOB bit (7.9).</para>
/// <para>Device control: nIEN (bit 1) masks INTRQ, which is the selected device's pending
/// interrupt; SRST (bit 2) puts both devices in reset while set, and on its clearing they post
/// their signatures and device 0 is selected (9.2).</para>
/// <para>Non-data ports take any access width byte by byte; the data port moves 1, 2 or 4 bytes
/// per access (32-bit PIO as QEMU allows).</para>
/// </remarks>
public sealed class IdeChannel : IIoDevice
{
    public const byte ControlNien = 0x02, ControlSrst = 0x04, ControlHob = 0x80;

    readonly IdeDevice?[] devices = new IdeDevice?[2];
    readonly IrqLine irq;
    readonly ushort commandBase, controlPort;
    byte control;
    int selected;

    public IdeChannel(ushort commandBase, ushort controlPort, IrqLine irq, BusMasterDma busMaster, IdeDevice? master, IdeDevice? slave)
    {
        this.commandBase = commandBase;
        this.controlPort = controlPort;
        this.irq = irq;
        BusMaster = busMaster;
        busMaster.Channel = this;
        devices[0] = master;
        devices[1] = slave;
        foreach (var d in devices)
            if (d != null) d.Channel = this;
    }

    public BusMasterDma BusMaster { get; }

    /// <summary>Where the channel's devices report aborted commands (<c>-d guest_errors</c>, <c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    public IdeDevice? Device(int unit) => devices[unit];

    public int SelectedUnit => selected;
    public byte DeviceControl => control;
    public bool IrqLevel => irq.Level;

    IdeDevice? Selected => devices[selected];
    bool Empty => devices[0] == null && devices[1] == null;

    /// <summary>Power-on/hardware reset of the channel and its devices.</summary>
    public void Reset()
    {
        control = 0;
        selected = 0;
        BusMaster.Reset();
        foreach (var d in devices) d?.HardReset();
        UpdateIrq();
    }

    public uint In(ushort port, int size)
    {
        if (port == controlPort)
            return AltStatus();
        int reg = port - commandBase;
        if (reg == 0)
            return Selected?.ReadData(size) ?? 0;
        uint v = 0;
        for (int i = 0; i < size; i++)
            v |= (uint)ReadByte(reg + i) << (8 * i);
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port == controlPort)
        {
            WriteControl((byte)value);
            return;
        }
        int reg = port - commandBase;
        if (reg == 0)
        {
            Selected?.WriteData(size, value);
            return;
        }
        for (int i = 0; i < size; i++)
            WriteByte(reg + i, (byte)(value >> (8 * i)));
    }

    byte AltStatus()
    {
        var d = Selected;
        return d == null ? (byte)0 : d.Status;
    }

    byte ReadByte(int reg)
    {
        if (reg > 7 || Empty) return 0;
        var d = Selected;
        bool hob = (control & ControlHob) != 0;
        if (reg == 7) return d?.ReadStatus() ?? 0;
        if (d == null) return reg == 1 ? (byte)0 : devices[selected ^ 1]!.ReadRegister(reg, hob);
        return d.ReadRegister(reg, hob);
    }

    void WriteByte(int reg, byte value)
    {
        if (reg > 7) return;
        control &= unchecked((byte)~ControlHob);
        if (reg == 7)
        {
            Selected?.WriteCommand(value);
            return;
        }
        if (Selected is { } s && (s.Status & (IdeDevice.StatusBsy | IdeDevice.StatusDrq)) != 0) return;
        foreach (var d in devices) d?.WriteRegister(reg, value);
        if (reg == 6)
        {
            selected = (value >> 4) & 1;
            UpdateIrq();
        }
    }

    void WriteControl(byte value)
    {
        bool wasReset = (control & ControlSrst) != 0;
        control = value;
        bool reset = (value & ControlSrst) != 0;
        if (!wasReset && reset)
        {
            foreach (var d in devices) d?.BeginSoftReset();
        }
        else if (wasReset && !reset)
        {
            selected = 0;
            foreach (var d in devices)
            {
                if (d == null) continue;
                d.SoftReset();
                d.Select = 0xA0;            // device 0 selected, the device register 00h with its obsolete bits (9.2)
            }
        }
        UpdateIrq();
    }

    /// <summary>A device raised its interrupt: the bus master sees it if it reaches INTRQ.</summary>
    internal void DeviceInterrupt(IdeDevice device)
    {
        if (device == Selected && (control & ControlNien) == 0) BusMaster.OnInterrupt();
        UpdateIrq();
    }

    /// <summary>INTRQ follows the selected device's pending interrupt unless nIEN is set.</summary>
    internal void UpdateIrq() => irq.Set(Selected is { InterruptPending: true } && (control & ControlNien) == 0);

    internal void BusMasterStarted()
    {
        foreach (var d in devices) d?.BusMasterStarted();
    }

    internal void Save(BinaryWriter w)
    {
        w.Write(control);
        w.Write((byte)selected);
        BusMaster.Save(w);
        foreach (var d in devices)
        {
            w.Write(d != null);
            d?.Save(w);
        }
    }

    internal void Load(BinaryReader r)
    {
        control = r.ReadByte();
        selected = r.ReadByte() & 1;
        BusMaster.Load(r);
        foreach (var d in devices)
        {
            bool present = r.ReadBoolean();
            if (present != (d != null)) throw new InvalidDataException("The snapshot's IDE drives differ from the machine's.");
            d?.Load(r);
        }
        UpdateIrq();
    }
}
