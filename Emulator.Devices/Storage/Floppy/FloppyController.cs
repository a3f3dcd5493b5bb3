using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;
using Emulator.Core.Time;
using Emulator.Devices.Dma;

namespace Emulator.Devices.Storage.Floppy;

/// <summary>
/// The Intel 82077AA floppy disk controller in PC/AT mode (82077AA datasheet, 290166), with up
/// to four drives (the PC wires two). Ports 0x3F0-0x3F5 and 0x3F7 (0x3F6 belongs to the IDE
/// controller); IRQ 6; ISA DMA channel 2 through the <see cref="Dma8237"/>.
/// </summary>
/// <remarks>
/// <para>Registers (datasheet, register description, PC/AT mode): SRA/SRB (0x3F0/0x3F1) exist only in
/// PS/2 and Model 30 modes; in AT mode the data bus is left floating and reads 0xFF. DOR (0x3F2,
/// read/write): drive select 1:0, /RESET bit 2 (0 holds the controller in reset), DMA GATE bit 3
/// (gates DRQ and INT onto the bus), motor enables 7:4. TDR (0x3F3): tape select 1:0, bits 7:2
/// floating. MSR (0x3F4 read): RQM, DIO, NON-DMA, CMD BSY, drive busy 3:0. DSR (0x3F4 write): S/W
/// RESET bit 7 (self-clearing), data rate 1:0. FIFO (0x3F5). DIR (0x3F7 read): DSKCHG of the
/// selected drive in bit 7 (only while its motor enable is on, as the drive select lines are
/// gated by it), bits 6:0 floating. CCR (0x3F7 write): data rate 1:0.</para>
/// <para>Commands (datasheet, command set): READ DATA, READ DELETED DATA, WRITE DATA, READ TRACK,
/// VERIFY, FORMAT TRACK, READ ID, RECALIBRATE, SEEK and RELATIVE SEEK, SENSE INTERRUPT STATUS,
/// SENSE DRIVE STATUS, SPECIFY, CONFIGURE, VERSION (0x90), DUMPREG, LOCK/UNLOCK, PERPENDICULAR
/// MODE; anything else is invalid and answers one byte 0x80 (ST0 IC = 10). Data moves by DMA
/// (the 8237 channel 2, its terminal count ending the command) or, after SPECIFY with ND set,
/// byte by byte through the FIFO with an interrupt per byte (the PC has no TC in non-DMA mode,
/// so such transfers end at EOT with ST1 EN). Seeks overlap: CMD BSY stays clear while a drive
/// busy bit is set; each finished seek leaves ST0 (seek end, drive, no head address, as QEMU
/// reports it) and PCN for one SENSE INTERRUPT STATUS, which also clears INT. RECALIBRATE gives
/// up after 79 step pulses (ST0 EC), and a drive that is not connected never shows track 0. After a reset with polling enabled (CONFIGURE POLL = 0, the default) one
/// interrupt reports a ready change for all four drives: four SENSE INTERRUPT STATUS commands
/// return ST0 = 0xC0 | drive, PCN 0.</para>
/// <para>The disk: sector IDs are those of a standard format of the image's geometry (C = the
/// physical cylinder, H = the side, R = 1..sectors, N = 2), all with normal data address marks.
/// A command finds no address marks (ST1 MA) when the data rate does not match the medium, in FM
/// mode, on a side or cylinder the disk does not have; a sector whose ID is not on the track gives
/// ST1 ND (and ST2 WC when the cylinder differs). The head moves only by SEEK/RECALIBRATE (or the
/// implied seek CONFIGURE EIS enables), so a read at a cylinder other than the head's fails as
/// on hardware. With no disk in the drive no index pulses come, so READ/VERIFY/READ ID/READ TRACK
/// stay in the execution phase until the host resets the controller (a BIOS times out); WRITE and
/// FORMAT end at once with ST1 NW, since an empty drive's write-protect sensor reads protected.
/// A host I/O error reading or writing the image is reported as a CRC error (ST1 DE, and ST2 DD
/// on reads). DMA that is masked, not ready, or gated off by DOR bit 3 when the controller needs
/// it gives an overrun (ST1 OR), as the data would be lost on hardware.</para>
/// <para>Timing: commands with an execution phase complete and interrupt after a short virtual
/// delay (<see cref="ExecutionDelayNs"/>), whatever the cylinder distance or sector count; the
/// data moves in one burst. The sector passing under the head next (for READ ID) follows the
/// last sector accessed rather than the clock.</para>
/// <para>Not modelled: WRITE DELETED DATA and the SCAN commands (answered as invalid), the power-down
/// mode (DSR bit 6, and the POWERDOWN MODE command of later parts), write precompensation, the
/// FIFO threshold (non-DMA transfers are byte by byte), head load/unload and step timing,
/// motor-on requirements (a command works with the motor off), perpendicular recording (its
/// settings are kept and dumped but not checked), sector sizes other than 512 bytes (N != 2
/// never matches an ID), and FORMAT of layouts the image cannot hold (IDs that are not the
/// standard ones of the image's geometry are formatted nowhere).</para>
/// </remarks>
public sealed class FloppyController : IIoDevice, ISaveable
{
    public const ushort BasePort = 0x3F0;
    public const ushort DirPort = 0x3F7;
    public const int Irq = 6;
    public const int DmaChannel = 2;
    /// <summary>The virtual time a command's execution phase (or a seek) takes before its interrupt.</summary>
    public const long ExecutionDelayNs = 20_000;
    /// <summary>The time from leaving reset to the polling interrupt.</summary>
    public const long ResetDelayNs = 10_000;

    // MSR bits (datasheet, main status register).
    public const byte MsrRqm = 0x80, MsrDio = 0x40, MsrNonDma = 0x20, MsrCmdBusy = 0x10;
    // ST0 (datasheet, status register 0).
    public const byte St0AbnormalTermination = 0x40, St0InvalidCommand = 0x80, St0ReadyChanged = 0xC0, St0SeekEnd = 0x20, St0EquipmentCheck = 0x10;
    // ST1.
    public const byte St1EndOfCylinder = 0x80, St1DataError = 0x20, St1Overrun = 0x10, St1NoData = 0x04, St1NotWritable = 0x02, St1MissingAddressMark = 0x01;
    // ST2.
    public const byte St2ControlMark = 0x40, St2DataErrorInDataField = 0x20, St2WrongCylinder = 0x10;

    const int SectorSize = FloppyFormat.SectorSize;

    enum Phase : byte { Command, Execution, Result }

    enum Op : byte { None, Read, ReadDeleted, ReadTrack, Write, Format, Verify, ReadId }

    readonly VirtualClock clock;
    readonly IrqLine irq;
    readonly Dma8237 dma;
    readonly FloppyDrive?[] drives = new FloppyDrive?[4];
    readonly TimerEvent executeEvent, resetEvent;
    readonly TimerEvent[] seekEvents = new TimerEvent[4];

    // Registers.
    byte dor, tdr;
    FloppyDataRate dataRate;
    byte precompensation;
    // SPECIFY.
    byte stepRate, headUnload, headLoad;
    bool nonDma;
    // CONFIGURE (defaults: EIS 0, EFIFO 1 (FIFO off), POLL 0 (polling on), FIFOTHR 0, PRETRK 0).
    bool impliedSeek, fifoDisabled = true, pollingDisabled, locked;
    byte fifoThreshold, precompTrack;
    byte perpendicular;      // D3-D0 << 2 | GAP << 1 | WGATE
    byte lastEot;            // SC/EOT of DUMPREG
    readonly byte[] pcn = new byte[4];

    // Phases.
    bool inReset;
    Phase phase;
    readonly byte[] command = new byte[9];
    int commandLength, commandPos;
    readonly byte[] result = new byte[10];
    int resultLength, resultPos;
    byte lastData;
    bool interrupt;
    byte busyDrives;                          // MSR bits 3:0
    byte senseMask;                           // drives with a seek/reset status for SENSE INTERRUPT STATUS
    readonly byte[] senseSt0 = new byte[4];
    readonly byte[] seekTarget = new byte[4]; // physical step count and direction for a pending seek
    readonly sbyte[] seekDirection = new sbyte[4];

    // The command in execution.
    Op op;
    int drive, head;
    byte c, h, r, n, eot, sectorCount, fillByte;
    bool multiTrack, mfm, skip, verifyCount;
    byte st0Extra, st1, st2;
    int unitsDone;
    int trackSector;                          // READ TRACK: the physical sector, 1-based
    readonly byte[] buffer = new byte[SectorSize];
    bool haveUnit;                            // a sector (or format ID) is being moved
    int unitLength, unitPos;

    public FloppyController(VirtualClock clock, IrqLine irq, Dma8237 dma, IReadOnlyList<FloppyDrive?> drives)
    {
        if (drives.Count > 4) throw new ArgumentException("the 82077AA has four drive selects", nameof(drives));
        this.clock = clock;
        this.irq = irq;
        this.dma = dma;
        for (int i = 0; i < drives.Count; i++)
        {
            this.drives[i] = drives[i];
            int index = i;
            if (drives[i] is { } d) d.MediaChanged += () => MediaChanged(index);
        }
        executeEvent = new TimerEvent("fdc.execute", _ => Execute());
        resetEvent = new TimerEvent("fdc.reset", _ => ResetDone());
        for (int i = 0; i < 4; i++)
        {
            int d = i;
            seekEvents[i] = new TimerEvent($"fdc.seek{i}", _ => SeekDone(d));
        }
        Reset();
    }

    public string SnapshotName => "fdc";

    public int SnapshotVersion => 1;

    /// <summary>Drive 0-3, or null where none is connected.</summary>
    public FloppyDrive? Drive(int index) => drives[index & 3];

    /// <summary>
    /// CMOS register 0x10 (diskette drive types): drive A's type in bits 7:4 and drive B's in
    /// bits 3:0 (1 = 360K, 2 = 1.2M, 3 = 720K, 4 = 1.44M, 5 = 2.88M, 0 = none).
    /// </summary>
    public byte CmosDriveTypes => (byte)((drives[0]?.CmosType ?? 0) << 4 | (drives[1]?.CmosType ?? 0));

    /// <summary>Whether the interrupt output is asserted (before the DOR DMA gate).</summary>
    public bool InterruptPending => interrupt;

    /// <summary>Registers 0x3F0-0x3F5 and 0x3F7 on <paramref name="io"/>.</summary>
    public void Register(IoBus io)
    {
        io.Register(BasePort, 6, this);
        io.Register(DirPort, 1, this);
    }

    /// <summary>
    /// Hardware reset (the RESET pin): DOR cleared, so the controller stays in reset until the
    /// host sets DOR bit 2; data rate 250 kbit/s; SPECIFY, CONFIGURE, LOCK and PERPENDICULAR MODE to
    /// their defaults.
    /// </summary>
    public void Reset()
    {
        dor = 0;
        tdr = 0;
        dataRate = FloppyDataRate.Kbps250;
        precompensation = 0;
        stepRate = headUnload = headLoad = 0;
        nonDma = false;
        locked = false;
        perpendicular = 0;
        lastEot = 0;
        EnterReset();
        UpdateIrq();
    }

    // ---- reset ----

    /// <summary>The core reset of DOR bit 2 and DSR bit 7 (datasheet, reset): SPECIFY kept, CONFIGURE kept only when locked.</summary>
    void EnterReset()
    {
        inReset = true;
        clock.Cancel(executeEvent);
        clock.Cancel(resetEvent);
        foreach (var e in seekEvents) clock.Cancel(e);
        phase = Phase.Command;
        commandPos = commandLength = 0;
        resultPos = resultLength = 0;
        busyDrives = 0;
        senseMask = 0;
        Array.Clear(pcn);
        op = Op.None;
        haveUnit = false;
        perpendicular &= 0x3C;   // GAP and WGATE cleared, D3-D0 kept
        if (!locked)
        {
            impliedSeek = false;
            fifoDisabled = true;
            pollingDisabled = false;
            fifoThreshold = 0;
            precompTrack = 0;
        }
        SetInterrupt(false);
    }

    void LeaveReset()
    {
        inReset = false;
        clock.Schedule(resetEvent, clock.Now + ResetDelayNs);
    }

    /// <summary>A disk put into a drive a command is waiting on brings the index pulses it waits for.</summary>
    void MediaChanged(int index)
    {
        if (phase == Phase.Execution && op != Op.None && drive == index && !haveUnit && !executeEvent.Pending && !inReset)
            clock.Schedule(executeEvent, clock.Now + ExecutionDelayNs);
    }

    void ResetDone()
    {
        if (pollingDisabled) return;
        // Polling sees every drive's ready line change (the 82077AA has no READY input, so all four do).
        for (int d = 0; d < 4; d++) senseSt0[d] = (byte)(St0ReadyChanged | d);
        senseMask = 0x0F;
        SetInterrupt(true);
    }

    // ---- ports ----

    public uint In(ushort port, int size)
    {
        uint value = 0;
        for (int i = 0; i < size; i++) value |= (uint)ReadPort((ushort)(port + i)) << (8 * i);
        return value;
    }

    public void Out(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++) WritePort((ushort)(port + i), (byte)(value >> (8 * i)));
    }

    byte ReadPort(ushort port)
    {
        switch (port)
        {
            case 0x3F2: return dor;
            case 0x3F3: return (byte)(0xFC | tdr);
            case 0x3F4: return Msr();
            case 0x3F5: return ReadData();
            case 0x3F7: return Dir();
            default: return 0xFF;   // SRA, SRB: floating in AT mode
        }
    }

    void WritePort(ushort port, byte value)
    {
        switch (port)
        {
            case 0x3F2: WriteDor(value); break;
            case 0x3F3: tdr = (byte)(value & 3); break;
            case 0x3F4:
                dataRate = (FloppyDataRate)(value & 3);
                precompensation = (byte)((value >> 2) & 7);
                if ((value & 0x80) != 0 && !inReset)
                {
                    EnterReset();
                    LeaveReset();
                }
                break;
            case 0x3F5: WriteData(value); break;
            case 0x3F7: dataRate = (FloppyDataRate)(value & 3); break;
        }
    }

    void WriteDor(byte value)
    {
        bool wasReset = (dor & 0x04) == 0;
        dor = value;
        if (!wasReset && (value & 0x04) == 0) EnterReset();
        else if (wasReset && (value & 0x04) != 0) LeaveReset();
        UpdateIrq();
    }

    byte Msr()
    {
        if (inReset) return 0;
        byte m = busyDrives;
        switch (phase)
        {
            case Phase.Command:
                m |= MsrRqm;
                if (commandPos > 0) m |= MsrCmdBusy;
                break;
            case Phase.Execution:
                m |= MsrCmdBusy;
                if (nonDma && op != Op.Verify && op != Op.ReadId)
                {
                    m |= MsrNonDma;
                    if (haveUnit) m |= (byte)(MsrRqm | (IsRead ? MsrDio : 0));
                }
                break;
            case Phase.Result:
                m |= MsrRqm | MsrDio | MsrCmdBusy;
                break;
        }
        return m;
    }

    byte Dir()
    {
        int sel = dor & 3;
        var d = drives[sel];
        bool selected = d != null && (dor & (0x10 << sel)) != 0;
        return (byte)(0x7F | (selected && d!.DiskChanged ? 0x80 : 0));
    }

    bool IsRead => op is Op.Read or Op.ReadDeleted or Op.ReadTrack;

    byte ReadData()
    {
        if (inReset) return lastData;
        if (phase == Phase.Result)
        {
            lastData = result[resultPos++];
            SetInterrupt(false);
            if (resultPos >= resultLength) phase = Phase.Command;
            return lastData;
        }
        if (phase == Phase.Execution && nonDma && haveUnit && IsRead)
        {
            lastData = buffer[unitPos++];
            SetInterrupt(false);
            if (unitPos >= unitLength) EndUnit(false);
            if (phase == Phase.Execution) RunUnits();
            return lastData;
        }
        return lastData;
    }

    void WriteData(byte value)
    {
        if (inReset) return;
        if (phase == Phase.Execution && nonDma && haveUnit && !IsRead)
        {
            buffer[unitPos++] = value;
            SetInterrupt(false);
            if (unitPos >= unitLength) EndUnit(false);
            if (phase == Phase.Execution) RunUnits();
            return;
        }
        if (phase != Phase.Command) return;   // no RQM, or DIO set: the byte is lost
        if (commandPos == 0)
        {
            commandLength = CommandLength(value);
            if (commandLength == 0)
            {
                ReportInvalidCommand(value);
                Result(St0InvalidCommand);
                return;
            }
        }
        command[commandPos++] = value;
        if (commandPos == commandLength)
        {
            commandPos = 0;
            Dispatch();
        }
    }

    /// <summary>Where invalid and unimplemented commands are reported (<c>-d guest_errors</c>, <c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    /// <summary>An opcode answered as invalid: WRITE DELETED DATA and the SCAN commands are 82077AA commands
    /// emu does not implement (datasheet, command set summary); anything else is a guest error.</summary>
    void ReportInvalidCommand(byte opcode)
    {
        if (GuestLog is not { } log) return;
        string? known = (opcode & 0x3F) == 0x09 ? "WRITE DELETED DATA"
            : (opcode & 0x1F) switch { 0x11 => "SCAN EQUAL", 0x19 => "SCAN LOW OR EQUAL", 0x1D => "SCAN HIGH OR EQUAL", _ => null };
        if (known != null) log.Unimplemented("fdc", $"{known} (0x{opcode:x2}) not implemented, answered as invalid");
        else log.Error("fdc", $"invalid command 0x{opcode:x2}, answered ST0=0x80");
    }

    /// <summary>Command bytes by opcode (datasheet, command set summary); 0 for an invalid opcode.</summary>
    static int CommandLength(byte b)
    {
        if ((b & 0x1F) is 0x06 or 0x0C or 0x16) return 9;   // READ DATA, READ DELETED DATA, VERIFY (MT MFM SK)
        if ((b & 0x3F) == 0x05) return 9;                   // WRITE DATA (MT MFM)
        if ((b & 0xBF) == 0x02) return 9;                   // READ TRACK (MFM)
        if ((b & 0xBF) == 0x0A) return 2;                   // READ ID (MFM)
        if ((b & 0xBF) == 0x0D) return 6;                   // FORMAT TRACK (MFM)
        if (b == 0x0F || (b & 0xBF) == 0x8F) return 3;      // SEEK, RELATIVE SEEK (DIR)
        if ((b & 0x7F) == 0x14) return 1;                   // LOCK / UNLOCK
        return b switch
        {
            0x03 => 3,   // SPECIFY
            0x04 => 2,   // SENSE DRIVE STATUS
            0x07 => 2,   // RECALIBRATE
            0x08 => 1,   // SENSE INTERRUPT STATUS
            0x0E => 1,   // DUMPREG
            0x10 => 1,   // VERSION
            0x12 => 2,   // PERPENDICULAR MODE
            0x13 => 4,   // CONFIGURE
            _ => 0,
        };
    }

    void Result(params ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(result);
        resultLength = bytes.Length;
        resultPos = 0;
        phase = Phase.Result;
    }

    void Dispatch()
    {
        byte b = command[0];
        switch (b & 0x1F)
        {
            case 0x03:   // SPECIFY: SRT | HUT, HLT | ND
                stepRate = (byte)(command[1] >> 4);
                headUnload = (byte)(command[1] & 0x0F);
                headLoad = (byte)(command[2] >> 1);
                nonDma = (command[2] & 1) != 0;
                return;
            case 0x04:   // SENSE DRIVE STATUS: ST3
                Result(St3(command[1] & 3, (command[1] >> 2) & 1));
                return;
            case 0x07:
                StartSeek(command[1] & 3, recalibrate: true, 0, 0);
                return;
            case 0x08:
                SenseInterruptStatus();
                return;
            case 0x0E:   // DUMPREG (datasheet, DUMPREG result phase)
                Result(pcn[0], pcn[1], pcn[2], pcn[3],
                    (byte)(stepRate << 4 | headUnload), (byte)(headLoad << 1 | (nonDma ? 1 : 0)), lastEot,
                    (byte)((locked ? 0x80 : 0) | perpendicular), ConfigureByte(), precompTrack);
                return;
            case 0x0F:
                if ((b & 0x80) == 0) StartSeek(command[1] & 3, false, command[2], 0);
                else StartSeek(command[1] & 3, false, 0, (b & 0x40) != 0 ? command[2] : -command[2]);
                return;
            case 0x10:   // VERSION: an enhanced controller
                Result(0x90);
                return;
            case 0x12:   // PERPENDICULAR MODE: OW set lets D3-D0 change; GAP and WGATE always
                perpendicular = (byte)((command[1] & 0x80) != 0 ? command[1] & 0x3F : (perpendicular & 0x3C) | (command[1] & 0x03));
                return;
            case 0x13:   // CONFIGURE: 0, EIS EFIFO POLL FIFOTHR, PRETRK
                impliedSeek = (command[2] & 0x40) != 0;
                fifoDisabled = (command[2] & 0x20) != 0;
                pollingDisabled = (command[2] & 0x10) != 0;
                fifoThreshold = (byte)(command[2] & 0x0F);
                precompTrack = command[3];
                return;
            case 0x14:   // LOCK: result bit 4 is the new lock state
                locked = (b & 0x80) != 0;
                Result((byte)(locked ? 0x10 : 0));
                return;
        }
        StartExecution(b);
    }

    byte ConfigureByte() => (byte)((impliedSeek ? 0x40 : 0) | (fifoDisabled ? 0x20 : 0) | (pollingDisabled ? 0x10 : 0) | fifoThreshold);

    /// <summary>ST3 (datasheet, status register 3): bit 7 0, WP, bit 5 1, T0, bit 3 1, HD, DS1-0.</summary>
    byte St3(int d, int hd)
    {
        var drv = drives[d];
        bool wp = drv != null && drv.WriteProtected;
        bool t0 = drv != null && drv.Cylinder == 0;
        return (byte)((wp ? 0x40 : 0) | 0x20 | (t0 ? 0x10 : 0) | 0x08 | hd << 2 | d);
    }

    // ---- seeks ----

    void StartSeek(int d, bool recalibrate, int target, int relative)
    {
        var drv = drives[d];
        int from = drv?.Cylinder ?? 0;
        int to;
        byte st0 = (byte)(St0SeekEnd | d);   // no head address: a seek moves the carriage, not a head
        if (recalibrate)
        {
            // Up to 79 step pulses towards track 0; without TRK0 by then, equipment check.
            to = Math.Max(0, from - 79);
            if (drv == null || to != 0) st0 |= St0AbnormalTermination | St0EquipmentCheck;
            pcn[d] = 0;
        }
        else if (relative != 0)
        {
            to = from + relative;
            pcn[d] = (byte)(pcn[d] + relative);
        }
        else
        {
            to = from + (target - pcn[d]);
            pcn[d] = (byte)target;
        }
        if (drv != null) to = Math.Clamp(to, 0, drv.MaxCylinder);
        seekTarget[d] = (byte)Math.Clamp(to, 0, 255);
        senseSt0[d] = st0;
        busyDrives |= (byte)(1 << d);
        clock.Schedule(seekEvents[d], clock.Now + ExecutionDelayNs);
    }

    void SeekDone(int d)
    {
        if (drives[d] is { } drv)
        {
            drv.Cylinder = seekTarget[d];
            if (drv.HasDisk) drv.DiskChanged = false;
        }
        senseMask |= (byte)(1 << d);
        SetInterrupt(true);
    }

    void SenseInterruptStatus()
    {
        if (senseMask == 0)
        {
            Result(St0InvalidCommand);
            return;
        }
        int d = 0;
        while ((senseMask & (1 << d)) == 0) d++;
        senseMask &= (byte)~(1 << d);
        busyDrives &= (byte)~(1 << d);
        SetInterrupt(false);
        Result(senseSt0[d], pcn[d]);
    }

    // ---- execution phase ----

    void StartExecution(byte b)
    {
        op = (b & 0x1F) switch
        {
            0x06 => Op.Read,
            0x0C => Op.ReadDeleted,
            0x02 => Op.ReadTrack,
            0x05 => Op.Write,
            0x0D => Op.Format,
            0x16 => Op.Verify,
            _ => Op.ReadId,
        };
        multiTrack = (b & 0x80) != 0 && op != Op.ReadTrack && op != Op.Format && op != Op.ReadId;
        mfm = (b & 0x40) != 0;
        skip = (b & 0x20) != 0;
        drive = command[1] & 3;
        head = (command[1] >> 2) & 1;
        verifyCount = op == Op.Verify && (command[1] & 0x80) != 0;
        st0Extra = st1 = st2 = 0;
        unitsDone = 0;
        haveUnit = false;
        if (op == Op.Format)
        {
            n = command[2];
            sectorCount = command[3];
            fillByte = command[5];
            lastEot = sectorCount;
            c = h = r = 0;
        }
        else if (op != Op.ReadId)
        {
            c = command[2]; h = command[3]; r = command[4]; n = command[5]; eot = command[6];
            sectorCount = command[8];
            lastEot = eot;
        }
        phase = Phase.Execution;
        clock.Schedule(executeEvent, clock.Now + ExecutionDelayNs);
    }

    void Execute()
    {
        if (phase != Phase.Execution || inReset) return;
        var d = drives[drive];
        if (op is Op.Write or Op.Format && (d == null || d.WriteProtected))
        {
            Finish(St0AbnormalTermination, St1NotWritable);
            return;
        }
        if (d == null || !d.HasDisk) return;   // no index pulses: the command never ends
        if (impliedSeek && op is Op.Read or Op.ReadDeleted or Op.Write or Op.Verify or Op.ReadTrack)
        {
            d.Cylinder = Math.Clamp(d.Cylinder + (c - pcn[drive]), 0, d.MaxCylinder);
            pcn[drive] = c;
            d.DiskChanged = false;
            st0Extra = St0SeekEnd;
        }
        switch (op)
        {
            case Op.ReadId: ReadId(d); return;
            case Op.Format when sectorCount == 0: Finish(0, 0); return;
            case Op.Verify: Verify(d); return;
            case Op.ReadTrack:
                if (!Readable(d)) { Finish(St0AbnormalTermination, St1MissingAddressMark); return; }
                trackSector = 1;
                break;
        }
        RunUnits();
    }

    /// <summary>Whether the head sees ID fields at all: the medium's data rate, MFM, a side and cylinder the disk has.</summary>
    bool Readable(FloppyDrive d)
    {
        if (d.Format is not { } f) return false;   // ejected in the middle of a non-DMA transfer
        return mfm && dataRate == f.Rate && head < f.Heads && d.Cylinder < f.Cylinders;
    }

    /// <summary>Finds sector (C, H, R, N) on the track under the head, setting ST1/ST2 when it is not there.</summary>
    bool Locate(FloppyDrive d)
    {
        if (!Readable(d))
        {
            st1 |= St1MissingAddressMark;
            return false;
        }
        if (c != d.Cylinder || h != head || n != 2 || r < 1 || r > d.Format!.Sectors)
        {
            st1 |= St1NoData;
            if (c != d.Cylinder) st2 |= St2WrongCylinder;
            return false;
        }
        return true;
    }

    long Offset(FloppyDrive d, int sector)
    {
        var f = d.Format!;
        return (((long)d.Cylinder * f.Heads + head) * f.Sectors + sector - 1) * SectorSize;
    }

    /// <summary>
    /// Moves sectors (or FORMAT's ID bytes) until the command ends, or until the host must move a
    /// byte in non-DMA mode.
    /// </summary>
    void RunUnits()
    {
        var d = drives[drive]!;
        while (phase == Phase.Execution)
        {
            if (!haveUnit && !BeginUnit(d)) return;
            if (nonDma)
            {
                SetInterrupt(true);   // RQM: the host services the FIFO
                return;
            }
            var span = buffer.AsSpan(0, unitLength);
            bool tc = false;
            int moved = (dor & 0x08) != 0 ? dma.Transfer(DmaChannel, span, IsRead, out tc) : 0;
            if (moved < unitLength && !tc)
            {
                haveUnit = false;
                Finish(St0AbnormalTermination, St1Overrun);
                return;
            }
            if (!IsRead && moved < unitLength) span[moved..].Clear();   // TC mid-sector: the rest is written as zeros
            EndUnit(tc);
        }
    }

    /// <summary>Prepares the next sector or format ID; false when the command has ended instead.</summary>
    bool BeginUnit(FloppyDrive d)
    {
        unitPos = 0;
        if (!d.HasDisk)
        {
            Finish(St0AbnormalTermination, St1MissingAddressMark);
            return false;
        }
        switch (op)
        {
            case Op.Format:
                unitLength = 4;
                haveUnit = true;
                return true;
            case Op.ReadTrack:
                if (trackSector > d.Format!.Sectors)
                {
                    // The index hole again before EOT sectors were read.
                    Finish(St0AbnormalTermination, St1NoData);
                    return false;
                }
                if (c != d.Cylinder || h != head || n != 2 || r != trackSector) st1 |= St1NoData;
                return ReadSector(d, trackSector);
            case Op.ReadDeleted:
                // Every sector of an image has a normal data address mark: with SK it is skipped, else read and the command ends after it.
                while (true)
                {
                    if (!Locate(d)) { Finish(St0AbnormalTermination, 0); return false; }
                    st2 |= St2ControlMark;
                    if (!skip) break;
                    d.NextSector = r % d.Format!.Sectors + 1;
                    if (!Advance()) { Finish(0, 0); return false; }
                }
                return ReadSector(d, r);
            case Op.Read:
                if (!Locate(d)) { Finish(St0AbnormalTermination, 0); return false; }
                return ReadSector(d, r);
            default:   // Write
                if (!Locate(d)) { Finish(St0AbnormalTermination, 0); return false; }
                Array.Clear(buffer);
                unitLength = SectorSize;
                haveUnit = true;
                return true;
        }
    }

    bool ReadSector(FloppyDrive d, int sector)
    {
        try
        {
            d.Image!.Read(Offset(d, sector), buffer);
        }
        catch (IOException)
        {
            st2 |= St2DataErrorInDataField;
            Finish(St0AbnormalTermination, St1DataError);
            return false;
        }
        d.NextSector = sector % d.Format!.Sectors + 1;
        unitLength = SectorSize;
        haveUnit = true;
        return true;
    }

    /// <summary>The sector (or ID) has been moved; <paramref name="tc"/> when the DMA reached terminal count.</summary>
    void EndUnit(bool tc)
    {
        haveUnit = false;
        var d = drives[drive]!;
        if (!d.HasDisk)
        {
            Finish(St0AbnormalTermination, St1MissingAddressMark);
            return;
        }
        switch (op)
        {
            case Op.Write:
                try
                {
                    d.Image!.Write(Offset(d, r), buffer);
                }
                catch (IOException)
                {
                    Finish(St0AbnormalTermination, St1DataError);
                    return;
                }
                d.NextSector = r % d.Format!.Sectors + 1;
                break;
            case Op.Format:
                if (!FormatSector(d)) return;
                if (tc || ++unitsDone >= sectorCount) Finish(0, 0);
                return;
            case Op.ReadDeleted:
                if (!skip)
                {
                    NextId();
                    Finish(0, 0);
                    return;
                }
                break;
            case Op.ReadTrack:
                trackSector++;
                break;
        }
        if (tc)
        {
            NextId();
            Finish(0, 0);
        }
        else if (!Advance())
        {
            Finish(St0AbnormalTermination, St1EndOfCylinder);
        }
    }

    /// <summary>
    /// Steps to the next sector: R + 1, or at EOT with MT on side 0 to sector 1 of side 1. False at
    /// the end, with C/H/R already the result phase's values.
    /// </summary>
    bool Advance()
    {
        if (r != eot)
        {
            r++;
            return true;
        }
        if (multiTrack && head == 0)
        {
            head = 1;
            h ^= 1;
            r = 1;
            return true;
        }
        NextId();
        return false;
    }

    /// <summary>The ID in the result phase after the last sector (datasheet, result phase ID table): R + 1 before EOT; at EOT sector 1 of the next side (MT) or cylinder.</summary>
    void NextId()
    {
        if (r != eot)
        {
            r++;
            return;
        }
        r = 1;
        if (!multiTrack)
        {
            c++;
        }
        else
        {
            if (head == 1) c++;
            h ^= 1;
        }
    }

    bool FormatSector(FloppyDrive d)
    {
        c = buffer[0]; h = buffer[1]; r = buffer[2]; n = buffer[3];
        var f = d.Format!;
        // Only the standard IDs of the image's geometry have somewhere to go.
        if (!mfm || dataRate != f.Rate || n != 2 || head >= f.Heads || d.Cylinder >= f.Cylinders
            || c != d.Cylinder || h != head || r < 1 || r > f.Sectors || command[2] != 2)
            return true;
        var fill = buffer.AsSpan(0, SectorSize);
        fill.Fill(fillByte);
        try
        {
            d.Image!.Write(Offset(d, r), fill);
        }
        catch (IOException)
        {
            Finish(St0AbnormalTermination, St1DataError);
            return false;
        }
        return true;
    }

    void ReadId(FloppyDrive d)
    {
        c = (byte)d.Cylinder;
        h = (byte)head;
        if (!Readable(d))
        {
            r = n = 0;
            Finish(St0AbnormalTermination, St1MissingAddressMark);
            return;
        }
        r = (byte)d.NextSector;
        n = 2;
        d.NextSector = d.NextSector % d.Format!.Sectors + 1;
        Finish(0, 0);
    }

    /// <summary>VERIFY: reads sectors without transferring them; EC = 1 counts SC sectors, EC = 0 runs to EOT (datasheet, VERIFY termination table).</summary>
    void Verify(FloppyDrive d)
    {
        var sector = buffer.AsSpan(0, SectorSize);
        while (true)
        {
            if (!Locate(d)) { Finish(St0AbnormalTermination, 0); return; }
            try
            {
                d.Image!.Read(Offset(d, r), sector);
            }
            catch (IOException)
            {
                st2 |= St2DataErrorInDataField;
                Finish(St0AbnormalTermination, St1DataError);
                return;
            }
            d.NextSector = r % d.Format!.Sectors + 1;
            unitsDone++;
            if (verifyCount && unitsDone >= sectorCount)
            {
                NextId();
                Finish(0, 0);
                return;
            }
            if (!Advance())
            {
                if (verifyCount) Finish(St0AbnormalTermination, St1EndOfCylinder);
                else Finish(0, 0);
                return;
            }
        }
    }

    /// <summary>Enters the result phase with ST0-ST2 and the C/H/R/N of the command's end, and interrupts.</summary>
    void Finish(byte st0Code, byte st1Bits)
    {
        st1 |= st1Bits;
        if (st1 != 0) st0Code = St0AbnormalTermination;   // every ST1 bit is an error (READ TRACK's ND, a skipped CM is not)
        byte st0 = (byte)(st0Code | st0Extra | head << 2 | drive);
        op = Op.None;
        haveUnit = false;
        Result(st0, st1, st2, c, h, r, n);
        SetInterrupt(true);
    }

    // ---- interrupt ----

    void SetInterrupt(bool level)
    {
        interrupt = level;
        UpdateIrq();
    }

    /// <summary>INT reaches IRQ 6 only through the DOR's DMA GATE bit (datasheet, DOR: AT mode).</summary>
    void UpdateIrq() => irq.Set(interrupt && (dor & 0x08) != 0);

    // ---- save/restore ----

    public void SaveState(BinaryWriter w)
    {
        w.Write(dor); w.Write(tdr); w.Write((byte)dataRate); w.Write(precompensation);
        w.Write(stepRate); w.Write(headUnload); w.Write(headLoad); w.Write(nonDma);
        w.Write(impliedSeek); w.Write(fifoDisabled); w.Write(pollingDisabled); w.Write(locked);
        w.Write(fifoThreshold); w.Write(precompTrack); w.Write(perpendicular); w.Write(lastEot);
        w.Write(pcn);
        w.Write(inReset); w.Write((byte)phase);
        w.Write(command); w.Write(commandLength); w.Write(commandPos);
        w.Write(result); w.Write(resultLength); w.Write(resultPos);
        w.Write(lastData); w.Write(interrupt); w.Write(busyDrives); w.Write(senseMask);
        w.Write(senseSt0); w.Write(seekTarget);
        w.Write((byte)op); w.Write(drive); w.Write(head);
        w.Write(c); w.Write(h); w.Write(r); w.Write(n); w.Write(eot); w.Write(sectorCount); w.Write(fillByte);
        w.Write(multiTrack); w.Write(mfm); w.Write(skip); w.Write(verifyCount);
        w.Write(st0Extra); w.Write(st1); w.Write(st2);
        w.Write(unitsDone); w.Write(trackSector);
        w.Write(buffer); w.Write(haveUnit); w.Write(unitLength); w.Write(unitPos);
        foreach (var d in drives)
        {
            w.Write(d?.Cylinder ?? 0);
            w.Write(d?.DiskChanged ?? false);
            w.Write(d?.NextSector ?? 1);
        }
        w.Write(executeEvent.Pending ? executeEvent.Due : -1L);
        w.Write(resetEvent.Pending ? resetEvent.Due : -1L);
        foreach (var e in seekEvents) w.Write(e.Pending ? e.Due : -1L);
    }

    public void LoadState(BinaryReader rd, int version)
    {
        if (version != 1) throw new InvalidDataException($"fdc: unknown state version {version}");
        dor = rd.ReadByte(); tdr = rd.ReadByte(); dataRate = (FloppyDataRate)(rd.ReadByte() & 3); precompensation = rd.ReadByte();
        stepRate = rd.ReadByte(); headUnload = rd.ReadByte(); headLoad = rd.ReadByte(); nonDma = rd.ReadBoolean();
        impliedSeek = rd.ReadBoolean(); fifoDisabled = rd.ReadBoolean(); pollingDisabled = rd.ReadBoolean(); locked = rd.ReadBoolean();
        fifoThreshold = rd.ReadByte(); precompTrack = rd.ReadByte(); perpendicular = rd.ReadByte(); lastEot = rd.ReadByte();
        rd.ReadBytes(4).CopyTo(pcn, 0);
        inReset = rd.ReadBoolean(); phase = (Phase)(rd.ReadByte() % 3);
        rd.ReadBytes(command.Length).CopyTo(command, 0);
        commandLength = Math.Clamp(rd.ReadInt32(), 0, command.Length); commandPos = Math.Clamp(rd.ReadInt32(), 0, command.Length);
        rd.ReadBytes(result.Length).CopyTo(result, 0);
        resultLength = Math.Clamp(rd.ReadInt32(), 0, result.Length); resultPos = Math.Clamp(rd.ReadInt32(), 0, result.Length);
        lastData = rd.ReadByte(); interrupt = rd.ReadBoolean(); busyDrives = rd.ReadByte(); senseMask = rd.ReadByte();
        rd.ReadBytes(4).CopyTo(senseSt0, 0); rd.ReadBytes(4).CopyTo(seekTarget, 0);
        op = (Op)Math.Min(rd.ReadByte(), (byte)Op.ReadId); drive = rd.ReadInt32() & 3; head = rd.ReadInt32() & 1;
        c = rd.ReadByte(); h = rd.ReadByte(); r = rd.ReadByte(); n = rd.ReadByte(); eot = rd.ReadByte(); sectorCount = rd.ReadByte(); fillByte = rd.ReadByte();
        multiTrack = rd.ReadBoolean(); mfm = rd.ReadBoolean(); skip = rd.ReadBoolean(); verifyCount = rd.ReadBoolean();
        st0Extra = rd.ReadByte(); st1 = rd.ReadByte(); st2 = rd.ReadByte();
        unitsDone = rd.ReadInt32(); trackSector = rd.ReadInt32();
        rd.ReadBytes(buffer.Length).CopyTo(buffer, 0);
        haveUnit = rd.ReadBoolean(); unitLength = Math.Clamp(rd.ReadInt32(), 0, SectorSize); unitPos = Math.Clamp(rd.ReadInt32(), 0, SectorSize);
        foreach (var d in drives)
        {
            int cylinder = rd.ReadInt32();
            bool changed = rd.ReadBoolean();
            int next = rd.ReadInt32();
            if (d == null) continue;
            d.Cylinder = Math.Clamp(cylinder, 0, d.MaxCylinder);
            d.DiskChanged = changed;
            d.NextSector = Math.Max(1, next);
        }
        Restore(executeEvent, rd.ReadInt64());
        Restore(resetEvent, rd.ReadInt64());
        foreach (var e in seekEvents) Restore(e, rd.ReadInt64());
        if (haveUnit && phase == Phase.Execution && drives[drive]?.HasDisk != true) haveUnit = false;
        irq.Set(interrupt && (dor & 0x08) != 0);
    }

    void Restore(TimerEvent e, long due)
    {
        if (due >= 0) clock.Schedule(e, due);
        else clock.Cancel(e);
    }
}
