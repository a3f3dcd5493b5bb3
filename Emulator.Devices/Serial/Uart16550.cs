using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Serial;

/// <summary>
/// The National Semiconductor PC16550D UART with FIFOs (a PC's COM port): eight registers
/// at base..base+7 (COM1 0x3F8/IRQ4, COM2 0x2F8/IRQ3, COM3 0x3E8/IRQ4, COM4 0x2E8/IRQ3),
/// the far end an <see cref="ISerialBackend"/>.
/// </summary>
/// <remarks>
/// <para>Registers (datasheet table II): 0 RBR/THR (DLL with LCR.DLAB), 1 IER (DLM with DLAB),
/// 2 IIR on read / FCR on write, 3 LCR, 4 MCR, 5 LSR, 6 MSR, 7 SCR. Interrupts are identified
/// in the datasheet's priority order (table IV): receiver line status (0110), received data
/// available (0100) or character timeout (1100), THR empty (0010), modem status (0000).</para>
/// <para>Timing. Character time = (start + data + parity + stop bits) x divisor x 16 / 1.8432 MHz,
/// in virtual time. Transmission runs at the host's speed, as in QEMU: a THR write hands the byte
/// to the backend at once, clears THRE and TEMT, and both are set again (arming the THRE
/// interrupt) <see cref="TransmitTime"/> after the last THR write, whatever the baud rate. A
/// kernel console at 9600 baud polls THRE for every character, and waiting a real character time
/// (1 ms) there would make a boot log take tens of virtual seconds; no guest depends on the
/// transmitter being slow. Software that polls THRE still sees the transmitter busy for a moment,
/// no byte is ever dropped on the transmit side, and the behaviour is deterministic. Received
/// bytes are taken from the backend one per character time, and only while the receiver has room
/// (16 bytes with FIFOs, RBR empty without): input is held back in the backend rather than
/// overrun. The FIFO character timeout fires after four character times without a
/// received character or RBR read (datasheet, FIFO interrupt mode operation).</para>
/// <para>Loopback (MCR bit 4): transmitted bytes go straight into the receiver (masked to the
/// word length), the backend's input is held, and MSR bits 4-7 follow MCR: RTS to CTS,
/// DTR to DSR, OUT1 to RI, OUT2 to DCD. Outside loopback the modem inputs are fixed lines
/// (CTS, DSR and DCD asserted, as QEMU reports for chardevs without modem control) unless
/// set with <see cref="SetModemInputs"/>. Bytes to and from the backend are not masked to
/// the word length (QEMU passes the whole byte, and a guest that never programs LCR,
/// leaving 5-bit words, still prints).</para>
/// <para>On a PC the UART's INTR output reaches the ISA IRQ only through a buffer enabled by
/// the OUT2 pin; with <c>out2GatesIrq</c> (the default) the IRQ line is driven only while
/// MCR.OUT2 is set and loopback is off (in loopback the OUT pins are forced inactive).</para>
/// <para>Not modelled: parity, framing and break errors and sending a break (the backends
/// carry bytes, not line conditions), so LSR bits 2-4 and 7 stay clear; DMA mode (FCR bit 3
/// is stored only) and the TXRDY/RXRDY pins; a transmit FIFO that can overflow.</para>
/// </remarks>
public sealed class Uart16550 : IIoDevice, ISaveable
{
    public const int FifoSize = 16;

    /// <summary>The divisor latch's input: 1.8432 MHz / 16 = 115200 baud at divisor 1.</summary>
    public const long BaudBase = 115_200;

    /// <summary>Virtual nanoseconds from a THR write until THRE and TEMT are set again (see the remarks).</summary>
    public const long TransmitTime = 1_000;

    /// <summary>The standard PC ports and ISA IRQs of COM1 to COM4.</summary>
    public static readonly (ushort Port, int Irq)[] PcPorts = [(0x3F8, 4), (0x2F8, 3), (0x3E8, 4), (0x2E8, 3)];

    // LSR bits (datasheet 8.6.3)
    const byte LsrDr = 0x01, LsrOe = 0x02, LsrThre = 0x20, LsrTemt = 0x40;
    const byte LsrErrorBits = 0x1E;
    // IER bits
    const byte IerRda = 0x01, IerThre = 0x02, IerLsr = 0x04, IerMsr = 0x08;
    // MCR bits
    const byte McrOut2 = 0x08, McrLoop = 0x10;
    // IIR identifications
    const byte IirNone = 0x01, IirLineStatus = 0x06, IirRda = 0x04, IirTimeout = 0x0C, IirThre = 0x02, IirModem = 0x00;

    /// <summary>The register file (datasheet table II) and the interrupt latches.</summary>
    struct Registers
    {
        public byte Ier, Lcr, Mcr, Scr, Fcr;
        public byte LsrErrors;      // OE (PE, FE, BI never occur); cleared by reading LSR
        public byte Msr;            // bits 4-7 the modem inputs, bits 0-3 their deltas
        public byte ExternalLines;  // the modem inputs outside loopback, in MSR bit positions
        public ushort Divisor;
        public byte Rbr;            // the last character read, returned again when the receiver is empty
        public bool Thre, Temt;
        public bool ThrInterrupt;   // THRE interrupt armed; cleared by an IIR read reporting it or a THR write
        public bool Timeout;        // FIFO character timeout indicated
    }

    readonly VirtualClock clock;
    readonly IrqLine irq;
    readonly ISerialBackend backend;
    readonly bool out2GatesIrq;
    readonly TimerEvent txDone, rxPoll, rxTimeout;
    readonly byte[] rxFifo = new byte[FifoSize];
    int rxHead, rxCount;
    Registers r;

    /// <param name="name">Snapshot and timer name, e.g. <c>serial0</c>.</param>
    /// <param name="out2GatesIrq">True on a PC: MCR.OUT2 enables the IRQ line.</param>
    public Uart16550(string name, VirtualClock clock, IrqLine irq, ISerialBackend backend, bool out2GatesIrq = true)
    {
        SnapshotName = name;
        this.clock = clock;
        this.irq = irq;
        this.backend = backend;
        this.out2GatesIrq = out2GatesIrq;
        txDone = new TimerEvent(name + ".tx", _ => TransmitDone());
        rxPoll = new TimerEvent(name + ".rx", PollInput);
        rxTimeout = new TimerEvent(name + ".timeout", _ => CharacterTimeout());
        r.Divisor = 12;          // 9600 baud until programmed; the divisor latch is not reset (table III)
        r.ExternalLines = 0xB0;  // DCD, DSR, CTS
        Reset();
    }

    public string SnapshotName { get; }

    public int SnapshotVersion => 1;

    /// <summary>The divisor latch (DLM:DLL); 0 behaves as 65536.</summary>
    public int Divisor => r.Divisor;

    bool Dlab => (r.Lcr & 0x80) != 0;
    bool FifoEnabled => (r.Fcr & 0x01) != 0;
    bool Loopback => (r.Mcr & McrLoop) != 0;
    int RxCapacity => FifoEnabled ? FifoSize : 1;

    /// <summary>Receiver FIFO trigger level from FCR bits 7:6 (datasheet table III note): 1, 4, 8, 14.</summary>
    int TriggerLevel => (r.Fcr >> 6) switch { 0 => 1, 1 => 4, 2 => 8, _ => 14 };

    /// <summary>Master reset (datasheet table III): the divisor latch and SCR keep their values.</summary>
    public void Reset()
    {
        r.Ier = 0;
        r.Fcr = 0;
        r.Lcr = 0;
        r.Mcr = 0;
        r.LsrErrors = 0;
        r.Thre = r.Temt = true;
        r.ThrInterrupt = false;
        r.Timeout = false;
        r.Msr = r.ExternalLines;
        rxHead = rxCount = 0;
        clock.Cancel(txDone);
        clock.Cancel(rxTimeout);
        clock.Cancel(rxPoll);
        if (backend.CanReceive) clock.Schedule(rxPoll, clock.Now + CharacterTime());
        UpdateIrq();
    }

    /// <summary>Virtual nanoseconds one character takes on the line with the current LCR and divisor.</summary>
    public long CharacterTime()
    {
        long divisor = r.Divisor == 0 ? 65536 : r.Divisor;
        int dataBits = 5 + (r.Lcr & 3);
        int parity = (r.Lcr & 0x08) != 0 ? 1 : 0;
        // Stop bits (LCR bit 2): 1, or 1.5 with 5-bit words, else 2; counted in half bits.
        int stopHalfBits = (r.Lcr & 0x04) == 0 ? 2 : dataBits == 5 ? 3 : 4;
        long halfBits = 2 * (1 + dataBits + parity) + stopHalfBits;
        return halfBits * divisor * 1_000_000_000L / (2 * BaudBase);
    }

    /// <summary>Sets the modem inputs seen outside loopback (a backend with modem control, or a test).</summary>
    public void SetModemInputs(bool cts, bool dsr, bool ri, bool dcd)
    {
        r.ExternalLines = (byte)((cts ? 0x10 : 0) | (dsr ? 0x20 : 0) | (ri ? 0x40 : 0) | (dcd ? 0x80 : 0));
        if (!Loopback) ChangeModemLines(r.ExternalLines);
        UpdateIrq();
    }

    public uint In(ushort port, int size)
    {
        uint value = ReadRegister(port & 7);
        for (int i = 1; i < size; i++) value |= (uint)ReadRegister((port + i) & 7) << (8 * i);
        return value;
    }

    public void Out(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++) WriteRegister((port + i) & 7, (byte)(value >> (8 * i)));
    }

    byte ReadRegister(int reg)
    {
        byte value;
        switch (reg)
        {
            case 0:
                if (Dlab) return (byte)r.Divisor;
                value = ReadRbr();
                break;
            case 1:
                return Dlab ? (byte)(r.Divisor >> 8) : r.Ier;
            case 2:
                byte id = InterruptId();
                if (id == IirThre) r.ThrInterrupt = false;   // table IV: reset by reading IIR (if source)
                value = (byte)(id | (FifoEnabled ? 0xC0 : 0));
                break;
            case 3:
                return r.Lcr;
            case 4:
                return r.Mcr;
            case 5:
                value = Lsr;
                r.LsrErrors = 0;
                break;
            case 6:
                value = r.Msr;
                r.Msr &= 0xF0;
                break;
            default:
                return r.Scr;
        }
        UpdateIrq();
        return value;
    }

    void WriteRegister(int reg, byte value)
    {
        switch (reg)
        {
            case 0:
                if (Dlab) { r.Divisor = (ushort)((r.Divisor & 0xFF00) | value); LineSpeedChanged(); return; }
                WriteThr(value);
                break;
            case 1:
                if (Dlab) { r.Divisor = (ushort)((r.Divisor & 0x00FF) | (value << 8)); LineSpeedChanged(); return; }
                WriteIer(value);
                break;
            case 2:
                WriteFcr(value);
                break;
            case 3:
                r.Lcr = value;
                LineSpeedChanged();
                return;
            case 4:
                r.Mcr = (byte)(value & 0x1F);
                ChangeModemLines(Loopback ? LoopbackLines : r.ExternalLines);
                break;
            case 7:
                r.Scr = value;
                return;
            default:
                return; // LSR and MSR: writes are for factory test only
        }
        UpdateIrq();
    }

    /// <summary>LSR (datasheet 8.6.3): DR, OE, THRE, TEMT; PE, FE, BI and bit 7 never set here.</summary>
    byte Lsr => (byte)((rxCount > 0 ? LsrDr : 0) | r.LsrErrors | (r.Thre ? LsrThre : 0) | (r.Temt ? LsrTemt : 0));

    /// <summary>MCR bits 0-3 as they appear in MSR bits 4-7 in loopback (datasheet 8.6.5).</summary>
    byte LoopbackLines => (byte)(((r.Mcr & 0x02) << 3) | ((r.Mcr & 0x01) << 5) | ((r.Mcr & 0x04) << 4) | ((r.Mcr & 0x08) << 4));

    /// <summary>The interrupt to report, in the priority order of datasheet table IV.</summary>
    byte InterruptId()
    {
        if ((r.Ier & IerLsr) != 0 && (r.LsrErrors & LsrErrorBits) != 0) return IirLineStatus;
        if ((r.Ier & IerRda) != 0)
        {
            if (r.Timeout) return IirTimeout;
            if (rxCount >= (FifoEnabled ? TriggerLevel : 1)) return IirRda;
        }
        if ((r.Ier & IerThre) != 0 && r.ThrInterrupt) return IirThre;
        if ((r.Ier & IerMsr) != 0 && (r.Msr & 0x0F) != 0) return IirModem;
        return IirNone;
    }

    void UpdateIrq()
    {
        bool pending = InterruptId() != IirNone;
        bool enabled = !out2GatesIrq || ((r.Mcr & McrOut2) != 0 && !Loopback);
        irq.Set(pending && enabled);
    }

    byte ReadRbr()
    {
        if (rxCount == 0) return r.Rbr;
        r.Rbr = rxFifo[rxHead];
        rxHead = (rxHead + 1) % FifoSize;
        rxCount--;
        r.Timeout = false;
        RestartTimeoutTimer();
        return r.Rbr;
    }

    /// <summary>A faster line takes its next input sooner (a slower one from the next poll on).</summary>
    void LineSpeedChanged()
    {
        if (rxPoll.Pending) clock.Schedule(rxPoll, Math.Min(rxPoll.Due, clock.Now + CharacterTime()));
    }

    void WriteThr(byte value)
    {
        r.Thre = false;
        r.Temt = false;
        r.ThrInterrupt = false;
        if (Loopback) Receive((byte)(value & ((1 << (5 + (r.Lcr & 3))) - 1)));
        else backend.Write(value);
        clock.Schedule(txDone, clock.Now + TransmitTime);
    }

    void WriteIer(byte value)
    {
        byte old = r.Ier;
        r.Ier = (byte)(value & 0x0F);
        // Enabling the THRE interrupt while THR is empty raises it at once (as QEMU and
        // Bochs do on the rising edge; drivers, Windows among them, rely on it).
        if ((old & IerThre) == 0 && (r.Ier & IerThre) != 0 && r.Thre) r.ThrInterrupt = true;
    }

    /// <summary>FCR (datasheet 8.6.4): bit 0 must be set for the other bits to be programmed.</summary>
    void WriteFcr(byte value)
    {
        bool wasEnabled = FifoEnabled;
        if ((value & 0x01) == 0)
        {
            r.Fcr &= 0xFE;
        }
        else
        {
            r.Fcr = (byte)(value & 0xC9);
            if ((value & 0x02) != 0) ClearReceiver();
            if ((value & 0x04) != 0)
            {
                r.Thre = true;               // the transmit FIFO is emptied (its bytes already left)
                r.ThrInterrupt = true;
            }
        }
        if (wasEnabled != FifoEnabled) ClearReceiver();   // changing mode clears both FIFOs
    }

    void ClearReceiver()
    {
        rxHead = rxCount = 0;
        r.Timeout = false;
        clock.Cancel(rxTimeout);
    }

    void ChangeModemLines(byte lines)
    {
        byte old = (byte)(r.Msr & 0xF0);
        byte changed = (byte)(old ^ lines);
        byte delta = (byte)(changed >> 4 & 0x0B);                     // DCTS, DDSR, DDCD on any change
        if ((old & 0x40) != 0 && (lines & 0x40) == 0) delta |= 0x04;   // TERI: RI's trailing edge only
        r.Msr = (byte)(lines | (r.Msr & 0x0F) | delta);
    }

    /// <summary>A character assembled by the receiver enters the RBR or FIFO.</summary>
    void Receive(byte value)
    {
        if (rxCount >= RxCapacity)
        {
            r.LsrErrors |= LsrOe;
            // Without FIFOs the new character overwrites RBR; with them the FIFO is kept and
            // the character in the shift register is lost (datasheet 8.6.3, LSR bit 1).
            if (!FifoEnabled) rxFifo[rxHead] = value;
        }
        else
        {
            rxFifo[(rxHead + rxCount) % FifoSize] = value;
            rxCount++;
        }
        if (!r.Timeout) RestartTimeoutTimer();
    }

    void RestartTimeoutTimer()
    {
        if (FifoEnabled && rxCount > 0) clock.Schedule(rxTimeout, clock.Now + 4 * CharacterTime());
        else clock.Cancel(rxTimeout);
    }

    void CharacterTimeout()
    {
        if (FifoEnabled && rxCount > 0) r.Timeout = true;
        UpdateIrq();
    }

    void TransmitDone()
    {
        r.Thre = true;
        r.Temt = true;
        r.ThrInterrupt = true;
        UpdateIrq();
    }

    void PollInput(long due)
    {
        if (!Loopback && rxCount < RxCapacity && backend.TryRead(out byte value))
        {
            Receive(value);
            UpdateIrq();
        }
        clock.Schedule(rxPoll, due + CharacterTime());
    }

    public void SaveState(BinaryWriter w)
    {
        w.Write(r.Ier); w.Write(r.Lcr); w.Write(r.Mcr); w.Write(r.Scr); w.Write(r.Fcr);
        w.Write(r.LsrErrors); w.Write(r.Msr); w.Write(r.ExternalLines); w.Write(r.Divisor); w.Write(r.Rbr);
        w.Write(r.Thre); w.Write(r.Temt); w.Write(r.ThrInterrupt); w.Write(r.Timeout);
        w.Write((byte)rxCount);
        for (int i = 0; i < FifoSize; i++) w.Write(i < rxCount ? rxFifo[(rxHead + i) % FifoSize] : (byte)0);
        foreach (var e in new[] { txDone, rxPoll, rxTimeout }) w.Write(e.Pending ? e.Due : -1L);
    }

    public void LoadState(BinaryReader rd, int version)
    {
        if (version != 1) throw new InvalidDataException($"{SnapshotName}: unknown state version {version}");
        r.Ier = rd.ReadByte(); r.Lcr = rd.ReadByte(); r.Mcr = rd.ReadByte(); r.Scr = rd.ReadByte(); r.Fcr = rd.ReadByte();
        r.LsrErrors = rd.ReadByte(); r.Msr = rd.ReadByte(); r.ExternalLines = rd.ReadByte(); r.Divisor = rd.ReadUInt16(); r.Rbr = rd.ReadByte();
        r.Thre = rd.ReadBoolean(); r.Temt = rd.ReadBoolean(); r.ThrInterrupt = rd.ReadBoolean(); r.Timeout = rd.ReadBoolean();
        rxCount = Math.Min((int)rd.ReadByte(), FifoSize);
        rxHead = 0;
        var bytes = rd.ReadBytes(FifoSize);
        bytes.CopyTo(rxFifo, 0);
        foreach (var e in new[] { txDone, rxPoll, rxTimeout })
        {
            long due = rd.ReadInt64();
            if (due >= 0) clock.Schedule(e, due);
            else clock.Cancel(e);
        }
        UpdateIrq();
    }
}
