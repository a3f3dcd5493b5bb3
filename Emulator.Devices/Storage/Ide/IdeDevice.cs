using Emulator.Core.Time;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// What an ATA disk and an ATAPI drive share on an IDE cable (ATA/ATAPI-6, clauses 6 and 9):
/// the device's own copy of the command block registers (every host write goes to both
/// devices; reads come from the selected one), its status and error registers, its pending
/// interrupt, the PIO data path with its DRQ blocks, the staging buffer the PIO and DMA paths
/// share, and the delayed steps that make a command take virtual time.
/// </summary>
/// <remarks>
/// <para>Timing: a command, each PIO block the host has moved, and a DMA transfer run one
/// <see cref="StepDelayNs"/> after they are started, from an event on the virtual clock, so the
/// host sees BSY and the interrupt comes after the command; nothing blocks the machine thread.</para>
/// <para>Data staging: image data goes through <see cref="Buffer"/> (64 KiB) in whole sectors,
/// so images are only ever read and written at sector-aligned offsets.</para>
/// </remarks>
public abstract class IdeDevice
{
    public const byte StatusBsy = 0x80, StatusDrdy = 0x40, StatusDf = 0x20, StatusDsc = 0x10, StatusDrq = 0x08, StatusErr = 0x01;
    public const byte ErrorAbrt = 0x04, ErrorIdnf = 0x10, ErrorUnc = 0x40;
    internal const int BufferSize = 0x10000;

    /// <summary>How long a command, a PIO block or a DMA transfer takes in virtual time.</summary>
    public const long StepDelayNs = 10_000;

    /// <summary>What happens when the device's event fires.</summary>
    protected enum Step : byte { None, Execute, NextPioInBlock, PioOutBlockDone, DmaTransfer }

    /// <summary>The data phase the device is in.</summary>
    internal enum DataPhase : byte { None, PioIn, PioOut, DmaWait }

    readonly VirtualClock clock;
    readonly TimerEvent stepEvent;
    internal IdeChannel Channel = null!;

    // The command block registers (7.x): current values and the previous ones (the HOB copies of 48-bit addressing).
    internal byte Feature, Count, LbaLow, LbaMid, LbaHigh;
    internal byte HobFeature, HobCount, HobLbaLow, HobLbaMid, HobLbaHigh;
    internal byte Select = 0xA0;
    internal byte Status, Error, Command;
    internal bool InterruptPending;

    protected Step PendingStep;
    internal DataPhase Phase;
    internal readonly byte[] Buffer = new byte[BufferSize];
    internal int BufPos, BufEnd;
    /// <summary>Bytes left in the current PIO DRQ block.</summary>
    internal int DrqLeft;
    /// <summary>Bytes left in the whole data transfer of the command.</summary>
    internal long XferLeft;
    /// <summary>Image offset of the next data to stage into the buffer, and how much is left to stage.</summary>
    protected long SourceOffset, SourceLeft;
    /// <summary>Image offset the next staged write goes to.</summary>
    protected long SinkOffset;
    /// <summary>True while a DMA transfer moves data to memory (a read).</summary>
    internal bool DmaToMemory;
    /// <summary>Set when staging hit a host I/O error.</summary>
    protected bool MediumError;

    protected IdeDevice(VirtualClock clock, string name)
    {
        this.clock = clock;
        Name = name;
        stepEvent = new TimerEvent(name, _ => RunPendingStep());
    }

    /// <summary>The device's name in logs: "ide0.1" is the primary slave.</summary>
    public string Name { get; }

    /// <summary>
    /// Reports a command the device aborts (<c>-d guest_errors</c>/<c>-d unimp</c>): an opcode ATA/ATAPI-6
    /// defines (section 8, table of command codes) is a known command emu does not implement; any other
    /// opcode is a guest error.
    /// </summary>
    protected void ReportAbortedCommand(byte command)
    {
        if (Channel?.GuestLog is not { } log) return;
        if (IsDefinedAtaCommand(command)) log.Unimplemented(Name, $"ATA command 0x{command:x2} not implemented, aborted");
        else log.Error(Name, $"unknown ATA command 0x{command:x2}, aborted");
    }

    /// <summary>The command codes ATA/ATAPI-6 defines (including obsolete and CFA ones), for telling an unimplemented
    /// command from garbage.</summary>
    static bool IsDefinedAtaCommand(byte c) => c switch
    {
        0x00 or 0x03 or 0x08 or (>= 0x10 and <= 0x1F) or (>= 0x20 and <= 0x27) or 0x29 or 0x2F => true,
        (>= 0x30 and <= 0x3A) or 0x3F or (>= 0x40 and <= 0x42) or 0x50 or (>= 0x70 and <= 0x7F) or 0x87 => true,
        (>= 0x90 and <= 0x92) or (>= 0xA0 and <= 0xA2) or 0xB0 or 0xB1 or 0xC0 or (>= 0xC4 and <= 0xCD) => true,
        (>= 0xDA and <= 0xDF) or (>= 0xE0 and <= 0xEF) or (>= 0xF1 and <= 0xF6) or 0xF8 or 0xF9 => true,
        _ => false,
    };

    /// <summary>The medium the device reads, null for an empty CD-ROM drive.</summary>
    protected abstract IBlockImage? Medium { get; }

    /// <summary>True for a PACKET device.</summary>
    public abstract bool IsAtapi { get; }

    /// <summary>Runs a step of the current command (called from the device's event).</summary>
    protected abstract void RunStep(Step step);

    /// <summary>The host has read the last byte of a PIO DRQ block.</summary>
    protected abstract void PioInBlockDone();

    /// <summary>A DMA transfer ended with <paramref name="result"/>.</summary>
    internal abstract void DmaFinished(DmaResult result);

    /// <summary>Power-on or hardware reset: settings back to their defaults, then as after SRST.</summary>
    internal abstract void HardReset();

    /// <summary>The end of a software reset (SRST cleared) or a DEVICE RESET: signature, diagnostic code, status.</summary>
    internal virtual void SoftReset()
    {
        CancelStep();
        Phase = DataPhase.None;
        BufPos = BufEnd = DrqLeft = 0;
        XferLeft = SourceLeft = 0;
        InterruptPending = false;
        SetSignature();
        Error = 0x01;                       // diagnostic passed (9.9: device 0 passed, device 1 passed or absent)
        Status = IsAtapi ? (byte)0 : (byte)(StatusDrdy | StatusDsc);
    }

    /// <summary>The start of SRST: the device is busy until the host clears SRST.</summary>
    internal void BeginSoftReset()
    {
        CancelStep();
        Phase = DataPhase.None;
        InterruptPending = false;
        Status = StatusBsy;
    }

    /// <summary>The signature in the command block (9.12): 01/01/00/00 for ATA, 01/01/14/EB for a PACKET device.</summary>
    protected void SetSignature()
    {
        Count = 1;
        LbaLow = 1;
        LbaMid = IsAtapi ? (byte)0x14 : (byte)0;
        LbaHigh = IsAtapi ? (byte)0xEB : (byte)0;
        HobCount = HobLbaLow = HobLbaMid = HobLbaHigh = 0;
        Select &= 0xF0;
    }

    // ---- Host access ----

    /// <summary>A host write to command block register 1-6 (feature, count, LBA low/mid/high, device).</summary>
    internal void WriteRegister(int reg, byte value)
    {
        switch (reg)
        {
            case 1: HobFeature = Feature; Feature = value; break;
            case 2: HobCount = Count; Count = value; break;
            case 3: HobLbaLow = LbaLow; LbaLow = value; break;
            case 4: HobLbaMid = LbaMid; LbaMid = value; break;
            case 5: HobLbaHigh = LbaHigh; LbaHigh = value; break;
            case 6: Select = (byte)(value | 0xA0); break;
        }
    }

    /// <summary>A host read of command block register 1-6; <paramref name="hob"/> selects the previous values (device control HOB).</summary>
    internal byte ReadRegister(int reg, bool hob) => reg switch
    {
        1 => hob ? HobFeature : Error,
        2 => hob ? HobCount : Count,
        3 => hob ? HobLbaLow : LbaLow,
        4 => hob ? HobLbaMid : LbaMid,
        5 => hob ? HobLbaHigh : LbaHigh,
        6 => Select,
        _ => 0,
    };

    /// <summary>A command written to the command register. Ignored while BSY or DRQ (as QEMU), except DEVICE RESET to a PACKET device.</summary>
    internal void WriteCommand(byte command)
    {
        if (IsAtapi && command == 0x08)
        {
            // DEVICE RESET (9.6): stops whatever runs, no interrupt.
            SoftReset();
            Channel.UpdateIrq();
            return;
        }
        if ((Status & (StatusBsy | StatusDrq)) != 0) return;
        Command = command;
        InterruptPending = false;
        Channel.UpdateIrq();
        Status = StatusBsy;
        Error = 0;
        ScheduleStep(Step.Execute);
    }

    /// <summary>Reads <paramref name="size"/> bytes of PIO data (little-endian); 0 outside a PIO-in block, as QEMU.</summary>
    internal uint ReadData(int size)
    {
        if (Phase != DataPhase.PioIn) return 0;
        uint v = 0;
        for (int i = 0; i < size && DrqLeft > 0; i++)
        {
            if (BufPos == BufEnd && !Stage(BufferSize)) { AbortTransfer(); return v; }
            v |= (uint)Buffer[BufPos++] << (8 * i);
            DrqLeft--;
            XferLeft--;
        }
        if (DrqLeft == 0)
        {
            Phase = DataPhase.None;
            PioInBlockDone();
        }
        return v;
    }

    /// <summary>Writes <paramref name="size"/> bytes of PIO data; ignored outside a PIO-out block.</summary>
    internal void WriteData(int size, uint value)
    {
        if (Phase != DataPhase.PioOut) return;
        for (int i = 0; i < size && DrqLeft > 0; i++)
        {
            Buffer[BufEnd++] = (byte)(value >> (8 * i));
            DrqLeft--;
        }
        if (DrqLeft == 0)
        {
            Phase = DataPhase.None;
            Status = StatusBsy;
            ScheduleStep(Step.PioOutBlockDone);
        }
    }

    /// <summary>The status register read: clears the pending interrupt (5.2.13).</summary>
    internal byte ReadStatus()
    {
        InterruptPending = false;
        Channel.UpdateIrq();
        return Status;
    }

    // ---- Helpers for the command sets ----

    protected void ScheduleStep(Step step, long delay = StepDelayNs)
    {
        PendingStep = step;
        clock.Schedule(stepEvent, clock.Now + delay);
    }

    void CancelStep()
    {
        clock.Cancel(stepEvent);
        PendingStep = Step.None;
    }

    void RunPendingStep()
    {
        var step = PendingStep;
        PendingStep = Step.None;
        RunStep(step);
    }

    protected void RaiseInterrupt()
    {
        InterruptPending = true;
        Channel.DeviceInterrupt(this);
    }

    /// <summary>
    /// Stages up to <paramref name="max"/> bytes (whole sectors) from the medium into the buffer.
    /// False when nothing is left or the host read failed (<see cref="MediumError"/> set).
    /// </summary>
    protected bool Stage(int max)
    {
        if (SourceLeft <= 0 || Medium is not { } medium) return false;
        int n = (int)Math.Min(SourceLeft, Math.Min(max, BufferSize));
        try
        {
            medium.Read(SourceOffset, Buffer.AsSpan(0, n));
        }
        catch (IOException)
        {
            MediumError = true;
            return false;
        }
        BufPos = 0;
        BufEnd = n;
        SourceOffset += n;
        SourceLeft -= n;
        return true;
    }

    /// <summary>Writes the staged bytes to the medium at <see cref="SinkOffset"/>; false on a host write error.</summary>
    protected bool Commit()
    {
        if (BufEnd == 0) return true;
        try
        {
            if (Medium is not { } medium || medium.ReadOnly) throw new IOException("read-only");
            medium.Write(SinkOffset, Buffer.AsSpan(0, BufEnd));
        }
        catch (IOException)
        {
            MediumError = true;
            return false;
        }
        SinkOffset += BufEnd;
        BufEnd = 0;
        return true;
    }

    /// <summary>A read failed in the middle of a PIO block: the command ends with a medium error.</summary>
    protected abstract void AbortTransfer();

    /// <summary>
    /// Enters the DMA data phase: the transfer runs now if the bus master is started, else when it
    /// is. The buffer holds what is already staged (a reply), or is empty.
    /// </summary>
    protected void StartDma(bool toMemory)
    {
        DmaToMemory = toMemory;
        MediumError = false;
        Phase = DataPhase.DmaWait;
        Status = StatusDrdy | StatusDsc | StatusDrq;
        if (Channel.BusMaster.Started) RunDma();
    }

    /// <summary>The bus master was started while this device waits for it.</summary>
    internal void BusMasterStarted()
    {
        if (Phase == DataPhase.DmaWait && PendingStep == Step.None) ScheduleStep(Step.DmaTransfer);
    }

    protected void RunDma()
    {
        if (Phase != DataPhase.DmaWait) return;
        if (!Channel.BusMaster.Started) return;
        Phase = DataPhase.None;
        DmaFinished(Channel.BusMaster.Run(this));
    }

    /// <summary>The bus master needs more data for memory: stage the next chunk.</summary>
    internal bool DmaStage() => Stage(BufferSize);

    /// <summary>The bus master filled the buffer from memory: write it out.</summary>
    internal bool DmaCommit() => Commit();

    // ---- Save/restore ----

    internal virtual void Save(BinaryWriter w)
    {
        w.Write(Feature); w.Write(Count); w.Write(LbaLow); w.Write(LbaMid); w.Write(LbaHigh);
        w.Write(HobFeature); w.Write(HobCount); w.Write(HobLbaLow); w.Write(HobLbaMid); w.Write(HobLbaHigh);
        w.Write(Select); w.Write(Status); w.Write(Error); w.Write(Command); w.Write(InterruptPending);
        w.Write((byte)PendingStep); w.Write(stepEvent.Pending ? stepEvent.Due : -1L);
        w.Write((byte)Phase); w.Write(BufPos); w.Write(BufEnd); w.Write(DrqLeft); w.Write(XferLeft);
        w.Write(SourceOffset); w.Write(SourceLeft); w.Write(SinkOffset); w.Write(DmaToMemory); w.Write(MediumError);
        w.Write(Buffer, 0, Math.Max(BufEnd, BufPos));
    }

    internal virtual void Load(BinaryReader r)
    {
        Feature = r.ReadByte(); Count = r.ReadByte(); LbaLow = r.ReadByte(); LbaMid = r.ReadByte(); LbaHigh = r.ReadByte();
        HobFeature = r.ReadByte(); HobCount = r.ReadByte(); HobLbaLow = r.ReadByte(); HobLbaMid = r.ReadByte(); HobLbaHigh = r.ReadByte();
        Select = r.ReadByte(); Status = r.ReadByte(); Error = r.ReadByte(); Command = r.ReadByte(); InterruptPending = r.ReadBoolean();
        PendingStep = (Step)r.ReadByte();
        long due = r.ReadInt64();
        Phase = (DataPhase)r.ReadByte();
        BufPos = Math.Clamp(r.ReadInt32(), 0, BufferSize);
        BufEnd = Math.Clamp(r.ReadInt32(), 0, BufferSize);
        DrqLeft = r.ReadInt32(); XferLeft = r.ReadInt64();
        SourceOffset = r.ReadInt64(); SourceLeft = r.ReadInt64(); SinkOffset = r.ReadInt64();
        DmaToMemory = r.ReadBoolean(); MediumError = r.ReadBoolean();
        r.ReadExactly(Buffer.AsSpan(0, Math.Max(BufEnd, BufPos)));
        clock.Cancel(stepEvent);
        if (due >= 0) clock.Schedule(stepEvent, due);
    }

    /// <summary>Puts an ATA string into IDENTIFY data: space padded, two characters per word, the first in the high byte (ATA-6 3.2.9).</summary>
    protected static void PutString(Span<byte> identify, int word, int words, string text)
    {
        for (int i = 0; i < words * 2; i++)
        {
            byte c = i < text.Length ? (byte)text[i] : (byte)' ';
            identify[word * 2 + (i ^ 1)] = c;
        }
    }

    protected static void PutWord(Span<byte> identify, int word, int value)
    {
        identify[word * 2] = (byte)value;
        identify[word * 2 + 1] = (byte)(value >> 8);
    }

    /// <summary>Word 255, the integrity word (ATA-6 8.15.64): A5h and a checksum making the 512 bytes sum to 0.</summary>
    protected static void PutChecksum(Span<byte> identify)
    {
        identify[510] = 0xA5;
        byte sum = 0;
        for (int i = 0; i < 511; i++) sum += identify[i];
        identify[511] = (byte)-sum;
    }
}

/// <summary>How a bus-master transfer ended.</summary>
internal enum DmaResult
{
    /// <summary>The device's data was all moved.</summary>
    Done,
    /// <summary>The PRD table ended (EOT) before the device's data did.</summary>
    PrdShort,
    /// <summary>The device hit a medium error.</summary>
    DeviceError,
}
