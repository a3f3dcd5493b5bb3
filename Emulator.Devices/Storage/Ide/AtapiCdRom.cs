using System.Buffers.Binary;
using Emulator.Core.Time;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// An ATAPI CD-ROM drive (ATA/ATAPI-6 PACKET feature set, MMC-5 commands) reading 2048-byte
/// sectors from an <see cref="IBlockImage"/> (an ISO image), with removable media.
/// </summary>
/// <remarks>
/// <para>ATA commands: PACKET (A0h, PIO with the byte count limit from LBA mid/high, or DMA when
/// feature bit 0 is set), IDENTIFY PACKET DEVICE (A1h), DEVICE RESET (08h), EXECUTE DEVICE
/// DIAGNOSTIC (90h), SET FEATURES 03h, CHECK POWER MODE, IDLE/STANDBY (IMMEDIATE), NOP (aborts).
/// IDENTIFY DEVICE and READ SECTORS abort with the PACKET signature in the registers (9.12), so
/// hosts find the drive.</para>
/// <para>Packet commands: TEST UNIT READY, REQUEST SENSE (fixed format), INQUIRY (standard data
/// only), READ CAPACITY, READ(10), READ(12), READ CD (user data only, flags 10h), READ TOC/PMA/ATIP
/// formats 0 and 1 in LBA or MSF, GET CONFIGURATION (profile list, core, removable medium, random
/// readable, CD read), GET EVENT STATUS NOTIFICATION (polled, media class), MODE SENSE(6)/(10)
/// pages 01h, 0Dh, 2Ah and 3Fh, START STOP UNIT (eject; load keeps the medium), PREVENT ALLOW
/// MEDIUM REMOVAL, SEEK(10) and SET CD SPEED (accepted). Anything else: ILLEGAL REQUEST 05/20.</para>
/// <para>Sense: NOT READY 02/3A without a medium; UNIT ATTENTION 06/28 once after a medium is
/// inserted (INQUIRY, REQUEST SENSE, GET CONFIGURATION and GET EVENT STATUS NOTIFICATION do not
/// report it); 05/21 past the last sector; 05/24 for a bad field; 03/11 on a host read error;
/// 02/53/02 for an eject while removal is prevented. On CHECK CONDITION the error register holds
/// the sense key in bits 7:4 and the status ERR, as QEMU.</para>
/// <para>Not modelled: audio play, READ CD raw sectors and subchannels, READ DISC INFORMATION,
/// READ DISC STRUCTURE (DVD), MODE SELECT, MECHANISM STATUS, multi-session, VPD pages.</para>
/// </remarks>
public sealed class AtapiCdRom : IdeDevice
{
    public const int SectorSize = 2048;
    public const byte SenseNone = 0, SenseNotReady = 2, SenseMediumError = 3, SenseIllegalRequest = 5, SenseUnitAttention = 6;
    const byte ReasonCoD = 0x01, ReasonIo = 0x02;
    // GET EVENT STATUS NOTIFICATION media event codes (MMC-5 6.6.2.4).
    const byte EventNone = 0, EventEjectRequest = 1, EventNewMedia = 2, EventMediaRemoval = 3;

    IBlockImage? medium;
    byte senseKey, asc, ascq;
    bool unitAttention, locked, dma;
    byte mediaEvent;
    /// <summary>The packet's byte count limit; before any packet the value a limit of 0 stands for, which a snapshot load keeps (it clamps to 2..FFFEh).</summary>
    int byteLimit = 0xFFFE;
    byte transferMode = 0x42;          // UDMA mode 2 selected

    public AtapiCdRom(VirtualClock clock, IBlockImage? medium, string name) : base(clock, name)
    {
        this.medium = medium;
        HardReset();
    }

    protected override IBlockImage? Medium => medium;
    public override bool IsAtapi => true;

    public bool HasMedia => medium != null;
    public bool Locked => locked;
    public (byte Key, byte Asc, byte Ascq) Sense => (senseKey, asc, ascq);

    long MediumSectors => medium == null ? 0 : medium.Length / SectorSize;

    /// <summary>Inserts a medium (the monitor's <c>change</c>): the next command reports UNIT ATTENTION 06/28.</summary>
    public void InsertMedia(IBlockImage image)
    {
        medium = image;
        unitAttention = true;
        mediaEvent = EventNewMedia;
    }

    /// <summary>Removes the medium (the monitor's <c>eject</c>); refused while the guest prevents removal unless <paramref name="force"/>.</summary>
    public bool Eject(bool force = false)
    {
        if (locked && !force)
        {
            mediaEvent = EventEjectRequest;
            return false;
        }
        if (medium != null) mediaEvent = EventMediaRemoval;
        medium = null;
        locked = false;
        return true;
    }

    internal override void HardReset()
    {
        Select = 0xA0;
        locked = false;
        senseKey = asc = ascq = 0;
        unitAttention = false;
        mediaEvent = EventNone;
        SoftReset();
    }

    protected override void RunStep(Step step)
    {
        switch (step)
        {
            case Step.Execute: Execute(); break;
            case Step.PioOutBlockDone: RunPacket(); break;
            case Step.NextPioInBlock: NextPioBlock(); break;
            case Step.DmaTransfer: RunDma(); break;
        }
    }

    void Execute()
    {
        switch (Command)
        {
            case 0xA0: Packet(); break;
            case 0xA1: IdentifyPacket(); break;
            case 0x90: SoftReset(); RaiseInterrupt(); break;
            case 0xEF when Feature == 0x03:
                int mode = Count & 7;
                bool ok = (Count & 0xF8) switch { 0x00 => mode <= 1, 0x08 => mode <= 4, 0x20 => mode <= 2, 0x40 => mode <= 5, _ => false };
                if (!ok) { AtaFail(); return; }
                if ((Count & 0xF8) is 0x20 or 0x40) transferMode = Count;
                AtaComplete();
                break;
            case 0xE5: Count = 0xFF; AtaComplete(); break;
            case 0xE0 or 0xE1 or 0xE2 or 0xE3: AtaComplete(); break;
            case 0xEC or 0x20:
                SetSignature();
                AtaFail();
                break;
            default: ReportAbortedCommand(Command); AtaFail(); break;
        }
    }

    void AtaComplete()
    {
        Phase = DataPhase.None;
        Status = StatusDrdy | StatusDsc;
        RaiseInterrupt();
    }

    void AtaFail()
    {
        Phase = DataPhase.None;
        Error = ErrorAbrt;
        Status = StatusDrdy | StatusDsc | StatusErr;
        RaiseInterrupt();
    }

    void IdentifyPacket()
    {
        var id = Buffer.AsSpan(0, 512);
        id.Clear();
        PutWord(id, 0, 0x85C0);                         // ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets
        PutString(id, 10, 10, "EMUCD0001");
        PutString(id, 23, 4, "1.0");
        PutString(id, 27, 20, "EMU CD-ROM");
        PutWord(id, 49, 0x0300);                        // LBA, DMA
        PutWord(id, 53, 0x0007);
        PutWord(id, 63, 0x0007 | ((transferMode & 0xF8) == 0x20 ? 0x100 << (transferMode & 7) : 0));
        PutWord(id, 64, 0x0003);
        PutWord(id, 65, 120); PutWord(id, 66, 120); PutWord(id, 67, 120); PutWord(id, 68, 120);
        PutWord(id, 80, 0x007E);
        PutWord(id, 82, 0x4010);                        // NOP, PACKET
        PutWord(id, 83, 0x4000);
        PutWord(id, 84, 0x4000);
        PutWord(id, 85, 0x4010);
        PutWord(id, 87, 0x4000);
        PutWord(id, 88, 0x003F | ((transferMode & 0xF8) == 0x40 ? 0x100 << (transferMode & 7) : 0));
        PutWord(id, 93, 0x6000);
        PutChecksum(id);
        BufPos = 0;
        BufEnd = 512;
        SourceLeft = 0;
        XferLeft = DrqLeft = 512;
        Phase = DataPhase.PioIn;
        Status = StatusDrdy | StatusDsc | StatusDrq;
        RaiseInterrupt();
    }

    /// <summary>PACKET (8.23): take the byte count limit and DMA flag, then ask for the 12-byte command packet.</summary>
    void Packet()
    {
        dma = (Feature & 1) != 0;
        byteLimit = LbaHigh << 8 | LbaMid;
        if (byteLimit == 0 || byteLimit == 0xFFFF) byteLimit = 0xFFFE;
        byteLimit &= ~1;
        BufPos = BufEnd = 0;
        DrqLeft = 12;
        Count = (byte)((Count & 0xF8) | ReasonCoD);
        Phase = DataPhase.PioOut;
        Status = StatusDrdy | StatusDsc | StatusDrq;
    }

    protected override void PioInBlockDone()
    {
        if (XferLeft > 0)
        {
            Status = StatusBsy;
            ScheduleStep(Step.NextPioInBlock);
        }
        else
        {
            Good();
        }
    }

    protected override void AbortTransfer() => CheckCondition(SenseMediumError, 0x11, 0x00);

    void Good()
    {
        Phase = DataPhase.None;
        XferLeft = SourceLeft = 0;
        Error = 0;
        Status = StatusDrdy | StatusDsc;
        Count = (byte)((Count & 0xF8) | ReasonIo | ReasonCoD);
        RaiseInterrupt();
    }

    void CheckCondition(byte key, byte code, byte qualifier)
    {
        senseKey = key;
        asc = code;
        ascq = qualifier;
        Phase = DataPhase.None;
        XferLeft = SourceLeft = 0;
        DrqLeft = 0;
        Error = (byte)(key << 4);
        Status = StatusDrdy | StatusDsc | StatusErr;
        Count = (byte)((Count & 0xF8) | ReasonIo | ReasonCoD);
        RaiseInterrupt();
    }

    /// <summary>Starts the data-in phase of <paramref name="length"/> bytes: from the reply in the buffer, or from the medium when <paramref name="fromMedium"/>.</summary>
    void SendData(long length, bool fromMedium)
    {
        if (length == 0) { Good(); return; }
        XferLeft = length;
        MediumError = false;
        if (fromMedium) BufPos = BufEnd = 0;
        else
        {
            BufPos = 0;
            BufEnd = (int)length;
            SourceLeft = 0;
        }
        if (dma) StartDma(true);
        else NextPioBlock();
    }

    void NextPioBlock()
    {
        int n = (int)Math.Min(XferLeft, byteLimit);
        DrqLeft = n;
        LbaMid = (byte)n;
        LbaHigh = (byte)(n >> 8);
        Count = (byte)((Count & 0xF8) | ReasonIo);
        Phase = DataPhase.PioIn;
        Status = StatusDrdy | StatusDsc | StatusDrq;
        RaiseInterrupt();
    }

    /// <summary>Sends <paramref name="reply"/> bytes of the buffer, cut to the allocation length.</summary>
    void Reply(int reply, int allocation) => SendData(Math.Min(reply, allocation), false);

    internal override void DmaFinished(DmaResult result)
    {
        switch (result)
        {
            case DmaResult.DeviceError: AbortTransfer(); break;
            case DmaResult.PrdShort:
                Phase = DataPhase.None;
                XferLeft = SourceLeft = 0;
                Status = StatusDrdy | StatusDsc;
                break;
            default: Good(); break;
        }
    }

    // ---- Packet commands (MMC-5) ----

    void RunPacket()
    {
        Span<byte> cdb = stackalloc byte[12];
        Buffer.AsSpan(0, 12).CopyTo(cdb);
        byte op = cdb[0];
        // Commands that run with a pending unit attention and do not clear it (SPC-3 5.9.7, MMC-5 4.1.6).
        bool passesAttention = op is 0x03 or 0x12 or 0x46 or 0x4A;
        if (unitAttention && !passesAttention)
        {
            unitAttention = false;
            CheckCondition(SenseUnitAttention, 0x28, 0x00);
            return;
        }
        bool needsMedium = op is 0x00 or 0x25 or 0x28 or 0xA8 or 0xBE or 0x43 or 0x2B;
        if (needsMedium && medium == null)
        {
            CheckCondition(SenseNotReady, 0x3A, 0x00);
            return;
        }
        if (op != 0x03) senseKey = asc = ascq = 0;
        switch (op)
        {
            case 0x00: Good(); break;                                           // TEST UNIT READY
            case 0x03: RequestSense(cdb[4]); break;
            case 0x12: Inquiry(cdb); break;
            case 0x1A: ModeSense(cdb[2], cdb[4], ten: false); break;
            case 0x5A: ModeSense(cdb[2], BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]), ten: true); break;
            case 0x1B: StartStopUnit(cdb[4]); break;
            case 0x1E: locked = (cdb[4] & 1) != 0; Good(); break;               // PREVENT ALLOW MEDIUM REMOVAL
            case 0x25: ReadCapacity(); break;
            case 0x28: Read(BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]), BinaryPrimitives.ReadUInt16BigEndian(cdb[7..])); break;
            case 0xA8: Read(BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]), BinaryPrimitives.ReadUInt32BigEndian(cdb[6..])); break;
            case 0xBE: ReadCd(cdb); break;
            case 0x43: ReadToc(cdb); break;
            case 0x46: GetConfiguration(cdb); break;
            case 0x4A: GetEventStatus(cdb); break;
            case 0x2B:                                                          // SEEK(10)
                if (BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]) >= MediumSectors) CheckCondition(SenseIllegalRequest, 0x21, 0x00);
                else Good();
                break;
            case 0xBB: Good(); break;                                           // SET CD SPEED
            default:
                // ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (SPC-3, table 27).
                Channel?.GuestLog?.Unimplemented(Name, $"ATAPI packet command 0x{cdb[0]:x2} not implemented, CHECK CONDITION");
                CheckCondition(SenseIllegalRequest, 0x20, 0x00);
                break;
        }
    }

    void RequestSense(int allocation)
    {
        var b = Buffer.AsSpan(0, 18);
        b.Clear();
        byte key = senseKey, code = asc, qual = ascq;
        if (key == SenseNone && unitAttention)
        {
            (key, code, qual) = (SenseUnitAttention, 0x28, 0x00);
            unitAttention = false;
        }
        b[0] = 0x70;                // current error, fixed format (SPC-3 4.5.3)
        b[2] = key;
        b[7] = 10;
        b[12] = code;
        b[13] = qual;
        senseKey = asc = ascq = 0;
        Reply(18, allocation);
    }

    void Inquiry(ReadOnlySpan<byte> cdb)
    {
        if ((cdb[1] & 1) != 0) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }   // no VPD pages
        var b = Buffer.AsSpan(0, 36);
        b.Clear();
        b[0] = 0x05;                // CD/DVD device
        b[1] = 0x80;                // removable
        b[2] = 0x00;
        b[3] = 0x21;                // ATAPI version 2, response data format 1 (as QEMU and ATAPI drives)
        b[4] = 31;                  // additional length
        WriteAscii(b[8..16], "EMU");
        WriteAscii(b[16..32], "EMU CD-ROM");
        WriteAscii(b[32..36], "1.0");
        Reply(36, BinaryPrimitives.ReadUInt16BigEndian(cdb[3..]) & 0xFFFF);
    }

    static void WriteAscii(Span<byte> field, string text)
    {
        for (int i = 0; i < field.Length; i++) field[i] = i < text.Length ? (byte)text[i] : (byte)' ';
    }

    void ReadCapacity()
    {
        var b = Buffer.AsSpan(0, 8);
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)Math.Max(0, MediumSectors - 1));
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], SectorSize);
        Reply(8, 8);
    }

    void Read(uint lba, uint count)
    {
        if (lba + (long)count > MediumSectors) { CheckCondition(SenseIllegalRequest, 0x21, 0x00); return; }
        SourceOffset = (long)lba * SectorSize;
        SourceLeft = (long)count * SectorSize;
        SendData(SourceLeft, true);
    }

    /// <summary>READ CD (MMC-5 6.19): only the user data of data sectors (byte 9 = 10h), or nothing (00h).</summary>
    void ReadCd(ReadOnlySpan<byte> cdb)
    {
        uint lba = BinaryPrimitives.ReadUInt32BigEndian(cdb[2..]);
        uint count = (uint)(cdb[6] << 16 | cdb[7] << 8 | cdb[8]);
        int expected = (cdb[1] >> 2) & 7;
        if (cdb[9] == 0) { Good(); return; }
        if (cdb[9] != 0x10 || expected is not (0 or 2)) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }
        Read(lba, count);
    }

    /// <summary>An LBA as MSF (MMC-5 6.26.3.2): LBA 0 is 00:02:00.</summary>
    static void PutMsf(Span<byte> b, long lba)
    {
        lba += 150;
        b[0] = 0;
        b[1] = (byte)(lba / (60 * 75));
        b[2] = (byte)(lba / 75 % 60);
        b[3] = (byte)(lba % 75);
    }

    void PutAddress(Span<byte> b, long lba, bool msf)
    {
        if (msf) PutMsf(b, lba);
        else BinaryPrimitives.WriteUInt32BigEndian(b, (uint)lba);
    }

    /// <summary>READ TOC/PMA/ATIP (MMC-5 6.26), formats 0 (TOC) and 1 (session information): one data track.</summary>
    void ReadToc(ReadOnlySpan<byte> cdb)
    {
        bool msf = (cdb[1] & 2) != 0;
        int format = cdb[2] & 0x0F;
        if (format == 0) format = cdb[9] >> 6;          // the older place for the format (SFF-8020)
        int track = cdb[6];
        int allocation = BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]);
        var b = Buffer.AsSpan(0, 32);
        b.Clear();
        int len;
        switch (format)
        {
            case 0:
                if (track > 1 && track != 0xAA) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }
                b[2] = 1;                               // first track
                b[3] = 1;                               // last track
                len = 4;
                if (track <= 1)
                {
                    b[len + 1] = 0x14;                  // ADR 1, data track
                    b[len + 2] = 1;
                    PutAddress(b[(len + 4)..], 0, msf);
                    len += 8;
                }
                b[len + 1] = 0x14;
                b[len + 2] = 0xAA;                      // lead-out
                PutAddress(b[(len + 4)..], MediumSectors, msf);
                len += 8;
                break;
            case 1:
                b[2] = 1;                               // first session
                b[3] = 1;                               // last session
                b[5] = 0x14;
                b[6] = 1;                               // first track in the last session
                PutAddress(b[8..], 0, msf);
                len = 12;
                break;
            default:
                CheckCondition(SenseIllegalRequest, 0x24, 0x00);
                return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(len - 2));
        Reply(len, allocation);
    }

    /// <summary>GET CONFIGURATION (MMC-5 6.6): the CD-ROM profile and the features a CD-ROM drive has.</summary>
    void GetConfiguration(ReadOnlySpan<byte> cdb)
    {
        int rt = cdb[1] & 3;
        int start = BinaryPrimitives.ReadUInt16BigEndian(cdb[2..]);
        int allocation = BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]);
        if (rt == 3) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }
        bool hasMedium = medium != null;
        var b = Buffer.AsSpan(0, 128);
        b.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(b[6..], (ushort)(hasMedium ? 0x0008 : 0x0000));   // current profile
        int len = 8;
        void AddFeature(Span<byte> buf, int code, bool current, byte version, ReadOnlySpan<byte> data)
        {
            bool wanted = rt switch { 0 => code >= start, 1 => code >= start && current, _ => code == start };
            if (!wanted) return;
            BinaryPrimitives.WriteUInt16BigEndian(buf[len..], (ushort)code);
            buf[len + 2] = (byte)(version << 2 | 0x02 | (current ? 1 : 0));     // persistent, current
            buf[len + 3] = (byte)data.Length;
            data.CopyTo(buf[(len + 4)..]);
            len += 4 + data.Length;
        }
        AddFeature(b, 0x0000, true, 0, [0x00, 0x08, (byte)(hasMedium ? 1 : 0), 0]);        // profile list: CD-ROM
        AddFeature(b, 0x0001, true, 0, [0, 0, 0, 2, 0, 0, 0, 0]);                            // core: ATAPI
        AddFeature(b, 0x0003, true, 0, [0x29, 0, 0, 0]);                                     // removable medium: tray, eject, lock
        AddFeature(b, 0x0010, hasMedium, 0, [0, 0, 0x08, 0x00, 0, 1, 0, 0]);                 // random readable: 2048-byte blocks
        AddFeature(b, 0x001E, hasMedium, 0, [0, 0, 0, 0]);                                   // CD read
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)(len - 4));
        Reply(len, allocation);
    }

    /// <summary>GET EVENT STATUS NOTIFICATION (MMC-5 6.7), polled only, with the media event class.</summary>
    void GetEventStatus(ReadOnlySpan<byte> cdb)
    {
        if ((cdb[1] & 1) == 0) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }
        int request = cdb[4];
        int allocation = BinaryPrimitives.ReadUInt16BigEndian(cdb[7..]);
        var b = Buffer.AsSpan(0, 8);
        b.Clear();
        b[3] = 0x10;                                    // supported classes: media
        int len;
        if ((request & 0x10) != 0)
        {
            b[2] = 4;                                   // media class
            b[4] = mediaEvent;
            b[5] = (byte)(medium != null ? 0x02 : 0x00);    // media present; door closed
            mediaEvent = EventNone;
            len = 8;
        }
        else
        {
            b[2] = 0x80;                                // no event available
            len = 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(len - 2));
        Reply(len, allocation);
    }

    /// <summary>MODE SENSE (SPC-3 6.9/6.10, MMC-5 7): pages 01h, 0Dh, 2Ah, or all of them (3Fh).</summary>
    void ModeSense(byte pageByte, int allocation, bool ten)
    {
        int page = pageByte & 0x3F, control = pageByte >> 6;
        if (control == 3) { CheckCondition(SenseIllegalRequest, 0x39, 0x00); return; }     // saving not supported
        if (page is not (0x01 or 0x0D or 0x2A or 0x3F)) { CheckCondition(SenseIllegalRequest, 0x24, 0x00); return; }
        bool changeable = control == 1;
        var b = Buffer.AsSpan(0, 128);
        b.Clear();
        int header = ten ? 8 : 4;
        int len = header;
        if (page is 0x01 or 0x3F)
        {
            b[len] = 0x01; b[len + 1] = 0x06;
            if (!changeable) b[len + 3] = 0x05;         // read retry count
            len += 8;
        }
        if (page is 0x0D or 0x3F)
        {
            b[len] = 0x0D; b[len + 1] = 0x06;
            if (!changeable)
            {
                b[len + 5] = 60;                        // S units per M
                b[len + 7] = 75;                        // F units per S
            }
            len += 8;
        }
        if (page is 0x2A or 0x3F)
        {
            b[len] = 0x2A; b[len + 1] = 0x14;
            if (!changeable)
            {
                b[len + 2] = 0x03;                      // reads CD-R and CD-RW
                b[len + 4] = 0x71;                      // audio play, composite, digital ports, multi-session
                b[len + 5] = 0x03;                      // CD-DA commands, accurate stream
                b[len + 6] = (byte)(0x29 | (locked ? 0x02 : 0));   // tray, eject, lock (state)
                BinaryPrimitives.WriteUInt16BigEndian(b[(len + 8)..], 706);   // max speed, kB/s (4x)
                BinaryPrimitives.WriteUInt16BigEndian(b[(len + 10)..], 2);    // volume levels
                BinaryPrimitives.WriteUInt16BigEndian(b[(len + 12)..], 512);  // buffer, KiB
                BinaryPrimitives.WriteUInt16BigEndian(b[(len + 14)..], 706);  // current speed
            }
            len += 22;
        }
        byte mediumType = medium != null ? (byte)0x01 : (byte)0x70;   // 120 mm data disc / no disc
        if (ten)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(len - 2));
            b[2] = mediumType;
        }
        else
        {
            b[0] = (byte)(len - 1);
            b[1] = mediumType;
        }
        Reply(len, allocation);
    }

    /// <summary>START STOP UNIT (MMC-5 6.39): LoEj with Start clear ejects, unless removal is prevented.</summary>
    void StartStopUnit(byte flags)
    {
        bool loej = (flags & 2) != 0, start = (flags & 1) != 0;
        if (loej && !start)
        {
            if (locked) { CheckCondition(SenseNotReady, 0x53, 0x02); return; }
            Eject();
        }
        Good();
    }

    internal override void Save(BinaryWriter w)
    {
        base.Save(w);
        w.Write(medium != null);
        w.Write(senseKey); w.Write(asc); w.Write(ascq);
        w.Write(unitAttention); w.Write(locked); w.Write(dma); w.Write(mediaEvent); w.Write(byteLimit); w.Write(transferMode);
    }

    internal override void Load(BinaryReader r)
    {
        base.Load(r);
        bool hadMedium = r.ReadBoolean();
        senseKey = r.ReadByte(); asc = r.ReadByte(); ascq = r.ReadByte();
        unitAttention = r.ReadBoolean(); locked = r.ReadBoolean(); dma = r.ReadBoolean(); mediaEvent = r.ReadByte();
        byteLimit = Math.Clamp(r.ReadInt32() & ~1, 2, 0xFFFE);
        transferMode = r.ReadByte();
        // The medium is the machine's, not the snapshot's; if that changed, tell the guest.
        if (hadMedium != (medium != null)) unitAttention = true;
    }
}
