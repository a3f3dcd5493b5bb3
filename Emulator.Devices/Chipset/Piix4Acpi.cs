using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Time;
using Emulator.Devices.Pci;

namespace Emulator.Devices.Chipset;

/// <summary>
/// The power-management function of the Intel 82371AB PIIX4 (PCI 01.3, 8086:7113), as QEMU's
/// <c>pc</c> machine puts it beside the PIIX3: ACPI PM1 event and control registers, the PM
/// timer, a GPE0 block, the SCI, an SMBus host controller with nothing attached, and the APM
/// control/status ports 0xB2/0xB3.
/// </summary>
/// <remarks>
/// <para>PM I/O block (64 ports at PMBA, config 0x40 bits 15:6, decoded while PMREGMISC 0x80 bit 0
/// is set; PIIX4 datasheet 3.4.2.1, 7.1): 0x00 PM1 status (write 1 to clear; TMR_STS bit 0,
/// GBL_STS 5, PWRBTN_STS 8, RTC_STS 10, WAK_STS 15), 0x02 PM1 enable, 0x04 PM1 control (SCI_EN
/// bit 0, SLP_TYP 12:10, SLP_EN 13, write-only), 0x08 PM timer. Only these exist, as in QEMU;
/// the PIIX4's other PM registers (GPSTS/GPEN at 0x0C, PCNTRL, GLBSTS, DEVSTS, GLBEN, GLBCTL,
/// DEVCTL, GPI/GPO) are absent and read all ones. Accesses of any width work byte by byte.</para>
/// <para>Sleep (7.2.2): writing SLP_EN with SLP_TYP 0 (soft off, S5; QEMU's \_S5) or 2 (suspend to
/// disk, S4; QEMU's \_S4, which powers off too) powers the machine off through the exit callback
/// with status 0. SLP_TYP 1 (suspend to RAM, S3) and the other types are not modelled: they
/// are ignored.</para>
/// <para>PM timer (7.2.3): 3.579545 MHz from virtual time, 24 bits. TMR_STS is set when bit 23
/// of the count toggles after the status was last cleared (QEMU's rule), and the SCI is raised
/// then if TMR_EN is set; a virtual-clock event is armed only while that can happen.</para>
/// <para>SCI: level-triggered, high while any of TMR, GBL, PWRBTN or RTC has its status and enable
/// bits set, or a GPE0 status bit has its enable set. As in QEMU, SCI_EN does not gate it (on
/// hardware events with SCI_EN clear go to SMI instead, which is not modelled). SCI_EN is set by
/// writing 0xF1 (ACPI enable) to the APM control port 0xB2 and cleared by 0xF0, as QEMU does;
/// any other value written there would raise an SMI, which is not modelled (0x5B bit 1 is set
/// after reset, QEMU's "SMM already initialised" mark when SMM is off).</para>
/// <para>GPE0 (QEMU's, fixed at 0xAFE0, 4 ports): 16 status bits (write 1 to clear) then 16 enable
/// bits. Nothing sets a GPE status: QEMU's hot-plug sources behind them (PCI 0xAE00, CPU 0xAF00,
/// memory 0xAF80 hot-plug blocks) are absent.</para>
/// <para>SMBus host (16 ports at SMBBA, config 0x90 bits 15:4, decoded while 0xD2 bit 0 is set;
/// 3.6, 7.5): no device is attached, so as with QEMU's empty bus every transaction started
/// through HST_CNT.START ends with DEV_ERR in HST_STS. With INTREN clear, HST_STS first reads
/// HOST_BUSY and the transaction completes at that read, as QEMU does for AMIBIOS; KILL ends a
/// transaction with FAILED. No SMBus interrupt is raised (QEMU has none either). The slave
/// interface registers read 0.</para>
/// <para>Not modelled: SMI and SMM, device resource/decode registers reflecting ISA devices
/// (QEMU fills 0x5F/0x63/0x67 at machine-ready), the power button is pressed only through
/// <see cref="PressPowerButton"/>, and resume (WAK_STS) from S3.</para>
/// </remarks>
public sealed class Piix4Acpi : PciDevice, IIoDevice
{
    public const ushort ApmControlPort = 0xB2, ApmStatusPort = 0xB3;
    public const ushort Gpe0Port = 0xAFE0;
    public const int Gpe0Length = 4, PmLength = 64, SmbusLength = 16;
    public const ushort DefaultSmbusBase = 0xB100;
    public const long TimerHz = 3_579_545;

    public const ushort TmrSts = 0x0001, GblSts = 0x0020, PwrbtnSts = 0x0100, RtcSts = 0x0400, WakSts = 0x8000;
    public const ushort SciEn = 0x0001, SlpEn = 0x2000;
    const ushort SciSources = TmrSts | GblSts | PwrbtnSts | RtcSts;
    public const byte AcpiEnable = 0xF1, AcpiDisable = 0xF0;

    // SMBus host status and control bits (7.5.1, 7.5.3).
    const byte HostBusy = 0x01, Intr = 0x02, DevErr = 0x04, BusErr = 0x08, Failed = 0x10;
    const byte IntrEn = 0x01, Kill = 0x02, Start = 0x40;

    readonly VirtualClock clock;
    readonly IrqLine sci;
    readonly Action<int> requestExit;
    readonly IoWindow pmWindow, smbusWindow;
    readonly TimerEvent overflowEvent;

    /// <summary>The registers outside configuration space.</summary>
    struct State
    {
        public ushort Pm1Status, Pm1Enable, Pm1Control;
        public long OverflowTicks;          // the timer count at which TMR_STS is set next
        public ushort GpeStatus, GpeEnable;
        public byte SmbStatus, SmbControl, SmbCommand, SmbAddress, SmbData0, SmbData1, SmbBlock;
        public bool SmbStartOnStatusRead;
        public byte ApmControl, ApmStatus;
    }

    State s;

    /// <param name="io">The port bus, where the relocatable PM and SMBus blocks are mapped.</param>
    /// <param name="clock">Virtual time, for the PM timer.</param>
    /// <param name="sci">The SCI wire (ISA IRQ 9 on the PC).</param>
    /// <param name="requestExit">Soft power-off; normally <c>Machine.RequestExit</c>.</param>
    public Piix4Acpi(IoBus io, VirtualClock clock, IrqLine sci, Action<int> requestExit)
        : base(0x8086, 0x7113, revision: 0x03, classCode: 0x06_80_00)
    {
        this.clock = clock;
        this.sci = sci;
        this.requestExit = requestExit;
        pmWindow = new IoWindow(io, this, PmLength);
        smbusWindow = new IoWindow(io, this, SmbusLength);
        overflowEvent = new TimerEvent("piix4-pm-timer", _ => UpdateSci());
        InterruptPin = 1;
        SetDword(WriteMask, 0x40, 0x0000_FFC0);   // PMBA bits 15:6; bit 0 reads 1 (I/O space)
        SetDword(WriteMask, 0x90, 0x0000_FFF0);   // SMBBA bits 15:4
        Reset();
    }

    /// <summary>The PM block's base port while it is decoded.</summary>
    public ushort? PmBase => pmWindow.Base;
    public ushort? SmbusBase => smbusWindow.Base;
    public ushort Pm1Control => s.Pm1Control;

    /// <summary>The PM timer count now (24 bits).</summary>
    public uint TimerValue => (uint)(Ticks() & 0xFF_FFFF);

    long Ticks() => (long)((Int128)clock.Now * TimerHz / 1_000_000_000);

    static long TicksToNs(long ticks) => (long)(((Int128)ticks * 1_000_000_000 + TimerHz - 1) / TimerHz);

    /// <summary>Sets PWRBTN_STS, as pressing the power button does (QEMU's system_powerdown).</summary>
    public void PressPowerButton()
    {
        s.Pm1Status |= PwrbtnSts;
        UpdateSci();
    }

    public override void Reset()
    {
        base.Reset();
        SetWord(Config, 0x06, 0x0280);            // fast back-to-back, medium DEVSEL (QEMU)
        Config[0x58] = Config[0x59] = Config[0x5A] = 0;
        Config[0x5B] = 0x02;                      // SMM "already initialised": SMM is not modelled
        SetDword(Config, 0x40, 0x0000_0001);
        Config[0x80] = 0;
        SetDword(Config, 0x90, DefaultSmbusBase | 1u);
        Config[0xD2] = 0x09;                      // SMBus enabled, interrupt on IRQ 9 (QEMU)
        s = default;
        s.OverflowTicks = NextOverflow(Ticks());
        UpdateWindows();
        UpdateSci();
    }

    static long NextOverflow(long ticks) => (ticks + 0x80_0000) & ~0x7F_FFFFL;

    protected override void ConfigWritten(int offset, int size)
    {
        if (Overlaps(offset, size, 0x40, 4) || Overlaps(offset, size, 0x80, 1)
            || Overlaps(offset, size, 0x90, 4) || Overlaps(offset, size, 0xD2, 1))
            UpdateWindows();
    }

    void UpdateWindows()
    {
        pmWindow.MoveTo((Config[0x80] & 1) != 0 ? (ushort)(GetDword(Config, 0x40) & 0xFFC0) : null);
        smbusWindow.MoveTo((Config[0xD2] & 1) != 0 ? (ushort)(GetDword(Config, 0x90) & 0xFFF0) : null);
    }

    ushort Pm1StatusNow()
    {
        if (Ticks() >= s.OverflowTicks) s.Pm1Status |= TmrSts;
        return s.Pm1Status;
    }

    void UpdateSci()
    {
        ushort sts = Pm1StatusNow();
        sci.Set((sts & s.Pm1Enable & SciSources) != 0 || (s.GpeStatus & s.GpeEnable) != 0);
        if ((s.Pm1Enable & TmrSts) != 0 && (sts & TmrSts) == 0)
            clock.Schedule(overflowEvent, TicksToNs(s.OverflowTicks));
        else
            clock.Cancel(overflowEvent);
    }

    // ---- port I/O ----

    public uint In(ushort port, int size)
    {
        uint v = 0;
        if (pmWindow.Contains(port))
        {
            int off = port - pmWindow.Base!.Value;
            ushort sts = Pm1StatusNow();
            uint tmr = TimerValue;
            for (int i = 0; i < size; i++) v |= (uint)PmByte(off + i, sts, tmr) << (8 * i);
            return v;
        }
        for (int i = 0; i < size; i++) v |= (uint)ReadByte((ushort)(port + i)) << (8 * i);
        return v;
    }

    byte PmByte(int off, ushort sts, uint tmr) => off switch
    {
        0 or 1 => (byte)(sts >> (8 * off)),
        2 or 3 => (byte)(s.Pm1Enable >> (8 * (off - 2))),
        4 or 5 => (byte)(s.Pm1Control >> (8 * (off - 4))),
        >= 8 and < 12 => (byte)(tmr >> (8 * (off - 8))),
        _ => 0xFF,
    };

    byte ReadByte(ushort port)
    {
        if (smbusWindow.Contains(port)) return SmbusRead(port - smbusWindow.Base!.Value);
        if (port == ApmControlPort) return s.ApmControl;
        if (port == ApmStatusPort) return s.ApmStatus;
        if (port >= Gpe0Port && port < Gpe0Port + Gpe0Length)
        {
            int off = port - Gpe0Port;
            return (byte)((off < 2 ? s.GpeStatus : s.GpeEnable) >> (8 * (off & 1)));
        }
        return 0xFF;
    }

    public void Out(ushort port, int size, uint value)
    {
        if (pmWindow.Contains(port))
        {
            PmWrite(port - pmWindow.Base!.Value, size, value);
            return;
        }
        for (int i = 0; i < size; i++) WriteByte((ushort)(port + i), (byte)(value >> (8 * i)));
    }

    void PmWrite(int off, int size, uint value)
    {
        // Each 16-bit register touched gets one write: its untouched bytes keep their value
        // (or are 0 in the write-1-to-clear status register, and in SLP_EN, which is write-only).
        ushort Merge(int reg, ushort current)
        {
            uint v = current;
            for (int i = 0; i < size; i++)
            {
                int b = off + i - reg;
                if (b is 0 or 1) v = (v & ~(0xFFu << (8 * b))) | ((value >> (8 * i)) & 0xFF) << (8 * b);
            }
            return (ushort)v;
        }
        if (Overlaps(off, size, 0, 2))
        {
            ushort clear = Merge(0, 0);
            ushort sts = Pm1StatusNow();
            if ((sts & clear & TmrSts) != 0) s.OverflowTicks = NextOverflow(Ticks());
            s.Pm1Status = (ushort)(sts & ~clear);
        }
        if (Overlaps(off, size, 2, 2)) s.Pm1Enable = Merge(2, s.Pm1Enable);
        if (Overlaps(off, size, 4, 2)) WritePm1Control(Merge(4, s.Pm1Control));
        UpdateSci();
    }

    void WritePm1Control(ushort value)
    {
        s.Pm1Control = (ushort)(value & ~SlpEn);
        if ((value & SlpEn) == 0) return;
        int type = (value >> 10) & 7;
        if (type is 0 or 2) requestExit(0);   // S5 soft off; S4 powers off as in QEMU
    }

    void WriteByte(ushort port, byte value)
    {
        if (smbusWindow.Contains(port))
        {
            SmbusWrite(port - smbusWindow.Base!.Value, value);
            return;
        }
        if (port == ApmControlPort)
        {
            s.ApmControl = value;
            if (value == AcpiEnable) s.Pm1Control |= SciEn;
            else if (value == AcpiDisable) s.Pm1Control &= unchecked((ushort)~SciEn);
            return;
        }
        if (port == ApmStatusPort)
        {
            s.ApmStatus = value;
            return;
        }
        if (port >= Gpe0Port && port < Gpe0Port + Gpe0Length)
        {
            int off = port - Gpe0Port;
            int shift = 8 * (off & 1);
            if (off < 2) s.GpeStatus &= (ushort)~(value << shift);
            else s.GpeEnable = (ushort)((s.GpeEnable & ~(0xFF << shift)) | value << shift);
            UpdateSci();
        }
    }

    // ---- SMBus host controller, nothing attached ----

    byte SmbusRead(int off)
    {
        switch (off)
        {
            case 0:
                byte v = s.SmbStatus;
                if (s.SmbStartOnStatusRead)
                {
                    s.SmbStartOnStatusRead = false;
                    s.SmbStatus &= unchecked((byte)~HostBusy);
                    Transaction();
                }
                return v;
            case 2: return (byte)(s.SmbControl & 0x1F);
            case 3: return s.SmbCommand;
            case 4: return s.SmbAddress;
            case 5: return s.SmbData0;
            case 6: return s.SmbData1;
            case 7: return s.SmbBlock;
            default: return 0;
        }
    }

    void SmbusWrite(int off, byte value)
    {
        switch (off)
        {
            case 0: s.SmbStatus &= (byte)~(value & ~HostBusy & (Intr | DevErr | BusErr | Failed)); break;
            case 2:
                s.SmbControl = (byte)(value & ~Start);
                if ((value & Start) != 0)
                {
                    if ((value & IntrEn) != 0) Transaction();
                    else
                    {
                        s.SmbStatus |= HostBusy;
                        s.SmbStartOnStatusRead = true;
                    }
                }
                if ((value & Kill) != 0)
                {
                    s.SmbStartOnStatusRead = false;
                    s.SmbStatus = (byte)((s.SmbStatus | Failed) & ~HostBusy);
                }
                break;
            case 3: s.SmbCommand = value; break;
            case 4: s.SmbAddress = value; break;
            case 5: s.SmbData0 = value; break;
            case 6: s.SmbData1 = value; break;
            case 7: s.SmbBlock = value; break;
        }
    }

    /// <summary>No slave answers its address: the host reports a device error.</summary>
    void Transaction() => s.SmbStatus |= DevErr;

    // ---- snapshot ----

    public override string SnapshotName => "piix4_pm";
    public override int SnapshotVersion => 1;

    public override void SaveState(BinaryWriter w)
    {
        base.SaveState(w);
        w.Write(s.Pm1Status); w.Write(s.Pm1Enable); w.Write(s.Pm1Control); w.Write(s.OverflowTicks);
        w.Write(s.GpeStatus); w.Write(s.GpeEnable);
        w.Write(s.SmbStatus); w.Write(s.SmbControl); w.Write(s.SmbCommand); w.Write(s.SmbAddress);
        w.Write(s.SmbData0); w.Write(s.SmbData1); w.Write(s.SmbBlock); w.Write(s.SmbStartOnStatusRead);
        w.Write(s.ApmControl); w.Write(s.ApmStatus);
    }

    public override void LoadState(BinaryReader r, int version)
    {
        base.LoadState(r, version);
        s = new State
        {
            Pm1Status = r.ReadUInt16(), Pm1Enable = r.ReadUInt16(), Pm1Control = (ushort)(r.ReadUInt16() & ~SlpEn),
            OverflowTicks = r.ReadInt64(),
            GpeStatus = r.ReadUInt16(), GpeEnable = r.ReadUInt16(),
            SmbStatus = r.ReadByte(), SmbControl = r.ReadByte(), SmbCommand = r.ReadByte(), SmbAddress = r.ReadByte(),
            SmbData0 = r.ReadByte(), SmbData1 = r.ReadByte(), SmbBlock = r.ReadByte(), SmbStartOnStatusRead = r.ReadBoolean(),
            ApmControl = r.ReadByte(), ApmStatus = r.ReadByte(),
        };
        UpdateWindows();
        UpdateSci();
    }
}
