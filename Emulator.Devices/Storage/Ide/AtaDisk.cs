using Emulator.Core.Time;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// An ATA hard disk (ATA/ATAPI-6, the general and 48-bit address feature sets) over an
/// <see cref="IBlockImage"/>.
/// </summary>
/// <remarks>
/// <para>Commands: IDENTIFY DEVICE (ECh); READ/WRITE SECTORS (20h/21h, 30h/31h) and EXT (24h, 34h);
/// READ/WRITE MULTIPLE (C4h, C5h) and EXT (29h, 39h) with SET MULTIPLE MODE (C6h, 1-16 sectors,
/// 16 after power-on as QEMU); READ/WRITE DMA (C8h/C9h, CAh/CBh) and EXT (25h, 35h) through the
/// bus master; READ VERIFY SECTORS (40h/41h) and EXT (42h); FLUSH CACHE (E7h) and EXT (EAh);
/// SET FEATURES (EFh: 03h transfer mode, 02h/82h write cache, 55h/AAh look-ahead, 66h/CCh
/// defaults); INITIALIZE DEVICE PARAMETERS (91h); IDLE (E3h), IDLE IMMEDIATE (E1h), STANDBY (E2h),
/// STANDBY IMMEDIATE (E0h), CHECK POWER MODE (E5h); EXECUTE DEVICE DIAGNOSTIC (90h); NOP (00h,
/// which always aborts, 8.21); the obsolete RECALIBRATE (1xh) and SEEK (7xh) that old BIOSes
/// send. Anything else aborts with ABRT.</para>
/// <para>Addressing: CHS through the current translation (16 heads, 63 sectors and up to 16383
/// cylinders by default, changed by INITIALIZE DEVICE PARAMETERS), 28-bit LBA (the first
/// 2^28-1 sectors) and 48-bit LBA. A range past the end (of the 28-bit space for 28-bit
/// commands) fails with IDNF; a host read error with UNC; a host write error, or a write to a
/// read-only image, with ABRT (ATA-6 defines no UNC for writes). On an error the address
/// registers hold the first failing sector; after a good transfer the last one, as QEMU.</para>
/// <para>With the write cache disabled (SET FEATURES 82h) every write command ends with a flush
/// of the image. Not modelled: the HPA commands (READ NATIVE MAX, SET MAX), SMART, security,
/// SLEEP, DOWNLOAD MICROCODE, geometry guessed from a partition table (QEMU does that).</para>
/// </remarks>
public sealed class AtaDisk : IdeDevice
{
    public const int MaxMultiple = 16;
    public const int DefaultHeads = 16, DefaultSectorsPerTrack = 63, MaxCylinders = 16383;
    const long Lba28Limit = 0x0FFF_FFFF;

    readonly IBlockImage image;
    readonly int unit;

    int heads, sectorsPerTrack;     // the current CHS translation
    int multiple;                   // sectors per DRQ block for READ/WRITE MULTIPLE, 0 = disabled
    int blockSectors = 1;           // sectors per DRQ block of the running command (a load clamps it to 1..16)
    bool writeCache, standby, ext;
    byte transferMode;              // SET FEATURES 03h value: 08h+n PIO, 20h+n MWDMA, 40h+n UDMA

    public AtaDisk(VirtualClock clock, IBlockImage image, string name, int unit) : base(clock, name)
    {
        this.image = image;
        this.unit = unit;
        Sectors = image.Length / 512;
        DefaultCylinders = (int)Math.Clamp(Sectors / (DefaultHeads * DefaultSectorsPerTrack), 2, MaxCylinders);
        HardReset();
    }

    public IBlockImage Image => image;
    protected override IBlockImage? Medium => image;
    public override bool IsAtapi => false;

    /// <summary>
    /// The capacity in 512-byte sectors, which IDENTIFY reports: the image's size at power-on, then
    /// the saved one when a snapshot loads, or the image's when it changes size under the drive
    /// (<see cref="MediumResized"/>).
    /// </summary>
    public long Sectors { get; private set; }

    /// <summary>The default translation's cylinder count: capacity / (16 x 63), between 2 and 16383 (QEMU's guess without a partition table).</summary>
    public int DefaultCylinders { get; private set; }

    /// <summary>
    /// The image changed size (a snapshot of another size was loaded into it): the capacity follows,
    /// as QEMU's ide_resize_cb updates IDENTIFY words 60-61 and 100-103; the CHS geometry stays.
    /// </summary>
    public void MediumResized() => Sectors = image.Length / 512;

    public bool WriteCacheEnabled => writeCache;
    public int MultipleSectors => multiple;

    /// <summary>Cylinders of the current translation: the default's, or as many as fit the capacity (at most 65535).</summary>
    int CurrentCylinders => heads == DefaultHeads && sectorsPerTrack == DefaultSectorsPerTrack
        ? DefaultCylinders
        : (int)Math.Min(Sectors / (heads * sectorsPerTrack), 65535);

    internal override void HardReset()
    {
        heads = DefaultHeads;
        sectorsPerTrack = DefaultSectorsPerTrack;
        multiple = MaxMultiple;
        blockSectors = 1;
        writeCache = true;
        standby = false;
        transferMode = 0x45;            // UDMA mode 5 selected, as QEMU reports
        Select = 0xA0;
        SoftReset();
    }

    protected override void RunStep(Step step)
    {
        switch (step)
        {
            case Step.Execute: Execute(); break;
            case Step.NextPioInBlock: NextReadBlock(); break;
            case Step.PioOutBlockDone: WriteBlockDone(); break;
            case Step.DmaTransfer: RunDma(); break;
        }
    }

    void Execute()
    {
        switch (Command)
        {
            case 0xEC: Identify(); break;
            case 0x20 or 0x21: StartPio(false, false, false); break;
            case 0x24: StartPio(false, true, false); break;
            case 0xC4: StartPio(false, false, true); break;
            case 0x29: StartPio(false, true, true); break;
            case 0x30 or 0x31: StartPio(true, false, false); break;
            case 0x34: StartPio(true, true, false); break;
            case 0xC5: StartPio(true, false, true); break;
            case 0x39: StartPio(true, true, true); break;
            case 0xC8 or 0xC9: StartDmaCommand(false, false); break;
            case 0x25: StartDmaCommand(false, true); break;
            case 0xCA or 0xCB: StartDmaCommand(true, false); break;
            case 0x35: StartDmaCommand(true, true); break;
            case 0x40 or 0x41: Verify(false); break;
            case 0x42: Verify(true); break;
            case 0xE7 or 0xEA: Flush(); break;
            case 0xEF: SetFeatures(); break;
            case 0x91: InitializeDeviceParameters(); break;
            case 0xC6: SetMultipleMode(); break;
            case 0xE0 or 0xE2: standby = true; Complete(); break;
            case 0xE1 or 0xE3: standby = false; Complete(); break;
            case 0xE5: Count = standby ? (byte)0x00 : (byte)0xFF; Complete(); break;
            case 0x90: SoftReset(); RaiseInterrupt(); break;
            case >= 0x10 and <= 0x1F: Complete(); break;                  // RECALIBRATE
            case >= 0x70 and <= 0x7F: Seek(); break;
            default: ReportAbortedCommand(Command); Fail(ErrorAbrt); break;
        }
    }

    void Complete()
    {
        Phase = DataPhase.None;
        Status = StatusDrdy | StatusDsc;
        RaiseInterrupt();
    }

    void Fail(byte error)
    {
        Phase = DataPhase.None;
        DrqLeft = 0;
        XferLeft = 0;
        Error = error;
        Status = StatusDrdy | StatusDsc | StatusErr;
        RaiseInterrupt();
    }

    // ---- IDENTIFY DEVICE (8.15) ----

    void Identify()
    {
        var id = Buffer.AsSpan(0, 512);
        id.Clear();
        int cyl = CurrentCylinders;
        long lba28 = Math.Min(Sectors, Lba28Limit);
        PutWord(id, 0, 0x0040);                         // fixed device
        PutWord(id, 1, DefaultCylinders);
        PutWord(id, 3, DefaultHeads);
        PutWord(id, 6, DefaultSectorsPerTrack);
        PutString(id, 10, 10, $"EMU{unit:D2}{(uint)Sectors:X8}");
        PutString(id, 23, 4, "1.0");
        PutString(id, 27, 20, "EMU HARDDISK");
        PutWord(id, 47, 0x8000 | MaxMultiple);
        PutWord(id, 49, 0x0B00);                        // IORDY, LBA, DMA
        PutWord(id, 50, 0x4000);
        PutWord(id, 51, 0x0200);                        // PIO mode 2 timing (obsolete word)
        PutWord(id, 53, 0x0007);                        // words 54-58, 64-70 and 88 valid
        PutWord(id, 54, cyl);
        PutWord(id, 55, heads);
        PutWord(id, 56, sectorsPerTrack);
        long chs = (long)cyl * heads * sectorsPerTrack;
        PutWord(id, 57, (int)chs);
        PutWord(id, 58, (int)(chs >> 16));
        PutWord(id, 59, multiple != 0 ? 0x0100 | multiple : 0);
        PutWord(id, 60, (int)lba28);
        PutWord(id, 61, (int)(lba28 >> 16));
        PutWord(id, 63, 0x0007 | ((transferMode & 0xF8) == 0x20 ? 0x100 << (transferMode & 7) : 0));
        PutWord(id, 64, 0x0003);                        // PIO modes 3 and 4
        PutWord(id, 65, 120); PutWord(id, 66, 120); PutWord(id, 67, 120); PutWord(id, 68, 120);
        PutWord(id, 80, 0x007E);                        // ATA-1 to ATA-6
        PutWord(id, 82, 0x4028);                        // NOP, write cache, power management
        PutWord(id, 83, 0x7400);                        // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
        PutWord(id, 84, 0x4000);
        PutWord(id, 85, 0x4008 | (writeCache ? 0x20 : 0));
        PutWord(id, 86, 0x3400);
        PutWord(id, 87, 0x4000);
        PutWord(id, 88, 0x003F | ((transferMode & 0xF8) == 0x40 ? 0x100 << (transferMode & 7) : 0));
        PutWord(id, 93, unit == 0 ? 0x600B : 0x6300); // 80-conductor cable, reset results (8.15.47)
        for (int i = 0; i < 4; i++) PutWord(id, 100 + i, (int)(Sectors >> (16 * i)));
        PutChecksum(id);
        BufPos = 0;
        BufEnd = 512;
        SourceLeft = 0;
        XferLeft = DrqLeft = 512;
        Phase = DataPhase.PioIn;
        Status = StatusDrdy | StatusDsc | StatusDrq;
        RaiseInterrupt();
    }

    // ---- Addressing ----

    /// <summary>The command's first sector and count, or false after failing it with IDNF.</summary>
    bool Address(bool ext48, out long lba, out int count)
    {
        ext = ext48;
        if (ext48)
        {
            lba = (long)HobLbaHigh << 40 | (long)HobLbaMid << 32 | (long)HobLbaLow << 24 | (long)LbaHigh << 16 | (long)LbaMid << 8 | LbaLow;
            count = HobCount << 8 | Count;
            if (count == 0) count = 65536;
        }
        else
        {
            count = Count == 0 ? 256 : Count;
            if ((Select & 0x40) != 0)
            {
                lba = (long)(Select & 0x0F) << 24 | (long)LbaHigh << 16 | (long)LbaMid << 8 | LbaLow;
            }
            else
            {
                int cyl = LbaHigh << 8 | LbaMid, head = Select & 0x0F, sector = LbaLow;
                if (sector == 0 || sector > sectorsPerTrack || head >= heads || cyl >= CurrentCylinders)
                {
                    lba = 0;
                    Fail(ErrorIdnf);
                    return false;
                }
                lba = ((long)cyl * heads + head) * sectorsPerTrack + sector - 1;
            }
        }
        long limit = ext48 ? Sectors : Math.Min(Sectors, Lba28Limit);
        if (lba + count > limit)
        {
            Fail(ErrorIdnf);
            return false;
        }
        standby = false;
        return true;
    }

    /// <summary>Puts <paramref name="lba"/> in the address registers in the command's addressing mode.</summary>
    void SetAddress(long lba)
    {
        if (ext)
        {
            LbaLow = (byte)lba; LbaMid = (byte)(lba >> 8); LbaHigh = (byte)(lba >> 16);
            HobLbaLow = (byte)(lba >> 24); HobLbaMid = (byte)(lba >> 32); HobLbaHigh = (byte)(lba >> 40);
        }
        else if ((Select & 0x40) != 0)
        {
            LbaLow = (byte)lba; LbaMid = (byte)(lba >> 8); LbaHigh = (byte)(lba >> 16);
            Select = (byte)((Select & 0xF0) | (int)((lba >> 24) & 0x0F));
        }
        else
        {
            long track = lba / sectorsPerTrack;
            int cyl = (int)(track / heads);
            LbaLow = (byte)(lba % sectorsPerTrack + 1);
            LbaMid = (byte)cyl;
            LbaHigh = (byte)(cyl >> 8);
            Select = (byte)((Select & 0xF0) | (int)(track % heads));
        }
    }

    // ---- PIO ----

    void StartPio(bool write, bool ext48, bool multi)
    {
        if (multi && multiple == 0) { Fail(ErrorAbrt); return; }
        if (!Address(ext48, out long lba, out int count)) return;
        if (write && image.ReadOnly) { Fail(ErrorAbrt); return; }
        blockSectors = multi ? multiple : 1;
        XferLeft = (long)count * 512;
        MediumError = false;
        if (write)
        {
            SinkOffset = lba * 512;
            NextWriteBlock();
        }
        else
        {
            SourceOffset = lba * 512;
            SourceLeft = XferLeft;
            NextReadBlock();
        }
    }

    void NextReadBlock()
    {
        int n = (int)Math.Min(XferLeft, blockSectors * 512);
        if (!Stage(n))
        {
            AbortTransfer();
            return;
        }
        SetAddress((SourceOffset >> 9) - 1);
        DrqLeft = n;
        Phase = DataPhase.PioIn;
        Status = StatusDrdy | StatusDsc | StatusDrq;
        RaiseInterrupt();
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
            Status = StatusDrdy | StatusDsc;        // the last block: no interrupt (9.10 PIO data-in)
        }
    }

    protected override void AbortTransfer()
    {
        // The failing sector is the first one not yet staged.
        SetAddress(SourceOffset >> 9);
        Fail(ErrorUnc);
    }

    void NextWriteBlock()
    {
        BufPos = BufEnd = 0;
        DrqLeft = (int)Math.Min(XferLeft, blockSectors * 512);
        Phase = DataPhase.PioOut;
        Status = StatusDrdy | StatusDsc | StatusDrq;
    }

    void WriteBlockDone()
    {
        int n = BufEnd;
        if (!Commit())
        {
            SetAddress(SinkOffset >> 9);
            Fail(ErrorAbrt);
            return;
        }
        XferLeft -= n;
        SetAddress((SinkOffset >> 9) - 1);
        if (XferLeft > 0)
        {
            NextWriteBlock();
            RaiseInterrupt();
            return;
        }
        if (!writeCache && !FlushImage()) return;
        Complete();
    }

    // ---- DMA ----

    void StartDmaCommand(bool write, bool ext48)
    {
        if (!Address(ext48, out long lba, out int count)) return;
        if (write && image.ReadOnly) { Fail(ErrorAbrt); return; }
        XferLeft = (long)count * 512;
        BufPos = BufEnd = 0;
        if (write) SinkOffset = lba * 512;
        else
        {
            SourceOffset = lba * 512;
            SourceLeft = XferLeft;
        }
        StartDma(!write);
    }

    internal override void DmaFinished(DmaResult result)
    {
        switch (result)
        {
            case DmaResult.DeviceError:
                if (DmaToMemory) AbortTransfer();
                else { SetAddress(SinkOffset >> 9); Fail(ErrorAbrt); }
                break;
            case DmaResult.PrdShort:
                // The PRD table ended first: the command stops without an interrupt (QEMU).
                Phase = DataPhase.None;
                XferLeft = SourceLeft = 0;
                Status = StatusDrdy | StatusDsc;
                break;
            default:
                SetAddress(((DmaToMemory ? SourceOffset : SinkOffset) >> 9) - 1);
                if (!DmaToMemory && !writeCache && !FlushImage()) return;
                Complete();
                break;
        }
    }

    // ---- Other commands ----

    void Verify(bool ext48)
    {
        if (!Address(ext48, out long lba, out int count)) return;
        SourceOffset = lba * 512;
        SourceLeft = (long)count * 512;
        MediumError = false;
        while (SourceLeft > 0)
        {
            if (!Stage(BufferSize)) { AbortTransfer(); return; }
        }
        SetAddress((SourceOffset >> 9) - 1);
        Complete();
    }

    bool FlushImage()
    {
        try
        {
            image.Flush();
            return true;
        }
        catch (IOException)
        {
            Fail(ErrorAbrt);
            return false;
        }
    }

    void Flush()
    {
        if (FlushImage()) Complete();
    }

    void Seek()
    {
        if ((Select & 0x40) == 0)
        {
            int cyl = LbaHigh << 8 | LbaMid, head = Select & 0x0F;
            if (head >= heads || cyl >= CurrentCylinders) { Fail(ErrorIdnf); return; }
        }
        Complete();
    }

    /// <summary>SET FEATURES (8.37).</summary>
    void SetFeatures()
    {
        switch (Feature)
        {
            case 0x03:
                int mode = Count & 7;
                bool ok = (Count & 0xF8) switch
                {
                    0x00 => mode <= 1,                  // PIO default mode
                    0x08 => mode <= 4,                  // PIO flow control mode n
                    0x20 => mode <= 2,                  // multiword DMA mode n
                    0x40 => mode <= 5,                  // Ultra DMA mode n
                    _ => false,
                };
                if (!ok) { Fail(ErrorAbrt); return; }
                if ((Count & 0xF8) is 0x20 or 0x40) transferMode = Count;
                break;
            case 0x02: writeCache = true; break;
            case 0x82: writeCache = false; break;
            case 0x55 or 0xAA or 0x66 or 0xCC: break;   // look-ahead and revert-to-defaults: nothing to change
            default:
                Channel?.GuestLog?.Unimplemented(Name, $"SET FEATURES subcommand 0x{Feature:x2} not implemented, aborted");
                Fail(ErrorAbrt);
                return;
        }
        Complete();
    }

    /// <summary>INITIALIZE DEVICE PARAMETERS (8.16): sectors per track from the count, heads from the device register.</summary>
    void InitializeDeviceParameters()
    {
        if (Count == 0) { Fail(ErrorAbrt); return; }
        sectorsPerTrack = Count;
        heads = (Select & 0x0F) + 1;
        Complete();
    }

    /// <summary>SET MULTIPLE MODE (8.39): 0 disables; otherwise a power of two up to the maximum.</summary>
    void SetMultipleMode()
    {
        int n = Count;
        if (n > MaxMultiple || (n & (n - 1)) != 0) { Fail(ErrorAbrt); return; }
        multiple = n;
        Complete();
    }

    internal override void Save(BinaryWriter w)
    {
        base.Save(w);
        w.Write((byte)heads); w.Write((byte)sectorsPerTrack); w.Write((byte)multiple); w.Write((byte)blockSectors);
        w.Write(writeCache); w.Write(standby); w.Write(ext); w.Write(transferMode);
        w.Write(Sectors); w.Write(DefaultCylinders);
    }

    internal override void Load(BinaryReader r)
    {
        base.Load(r);
        heads = Math.Clamp((int)r.ReadByte(), 1, 16);
        sectorsPerTrack = Math.Max(1, (int)r.ReadByte());
        multiple = Math.Min((int)r.ReadByte(), MaxMultiple);
        blockSectors = Math.Clamp((int)r.ReadByte(), 1, MaxMultiple);
        writeCache = r.ReadBoolean(); standby = r.ReadBoolean(); ext = r.ReadBoolean(); transferMode = r.ReadByte();
        // The capacity at the save (the image may have been resized since; loadvm reverts it to the
        // snapshot's size too). Accesses past the image's end fail as medium errors, never more.
        Sectors = Math.Clamp(r.ReadInt64(), 0, 1L << 48);
        DefaultCylinders = Math.Clamp(r.ReadInt32(), 2, MaxCylinders);
    }
}
