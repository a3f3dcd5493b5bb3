using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Timers;

/// <summary>
/// The Motorola MC146818 real-time clock with its 128 bytes of battery-backed CMOS RAM, as on
/// the PC/AT: port 0x70 selects a register (bits 6-0) and masks NMI (bit 7, see
/// <see cref="NmiMasked"/>), port 0x71 reads and writes it. Its IRQ output is ISA IRQ 8.
/// </summary>
/// <remarks>
/// <para>Registers (MC146818 datasheet, "Address Map"): 0x00 seconds, 0x01 seconds alarm,
/// 0x02 minutes, 0x03 minutes alarm, 0x04 hours, 0x05 hours alarm, 0x06 day of week (1 =
/// Sunday), 0x07 date, 0x08 month, 0x09 year, 0x0A-0x0D registers A-D, 0x0E-0x7F RAM. The
/// firmware's bytes (memory size, equipment, boot order, disk types) are the board's to set
/// with <see cref="SetCmos"/> and <see cref="UpdateChecksum"/>; the device invents none.</para>
/// <para>Time comes from a start time given at construction (the host's UTC time by default,
/// as QEMU's <c>-rtc base=utc</c>; a fixed date for tests) and advances with virtual time.
/// Nothing runs per second unless an interrupt needs it: the registers and the PF/UF/AF flags
/// are brought up to date whenever the guest looks, and events are scheduled only for the
/// periodic interrupt (PIE) and for updates while UIE or AIE is set. The divider runs at
/// 32.768 kHz; updates happen at whole seconds of the divider, UIP is 1 for the 244 µs before
/// each (as QEMU models it; the update itself takes no time), and the first update after the
/// divider leaves reset (DV = 11x) comes 500 ms later.</para>
/// <para>Like QEMU, the century is kept in CMOS byte 0x32 (the IBM century byte): it is read
/// with the year and carried into when the year passes 99. Known limits: daylight saving
/// (register B DSE) is not applied; time-register contents that are not a valid date (e.g.
/// hour 0x25) are clamped to the nearest valid value at the next update; changing DM or 24/12
/// does not convert the registers (datasheet: software must rewrite them); divider values other
/// than 010 and 11x are treated as QEMU does (000 and 001 run as 010, the rest stop).</para>
/// </remarks>
public sealed class Rtc146818 : IIoDevice, ISaveable
{
    public const ushort BasePort = 0x70;

    public const int RegSeconds = 0x00, RegSecondsAlarm = 0x01, RegMinutes = 0x02, RegMinutesAlarm = 0x03,
        RegHours = 0x04, RegHoursAlarm = 0x05, RegDayOfWeek = 0x06, RegDate = 0x07, RegMonth = 0x08,
        RegYear = 0x09, RegA = 0x0A, RegB = 0x0B, RegC = 0x0C, RegD = 0x0D;

    /// <summary>The IBM century byte.</summary>
    public const int RegCentury = 0x32;

    /// <summary>The first and last byte of the AT checksum range, and where the sum is stored (big-endian).</summary>
    public const int ChecksumFirst = 0x10, ChecksumLast = 0x2D, ChecksumHigh = 0x2E, ChecksumLow = 0x2F;

    public const byte A_Uip = 0x80;
    public const byte B_Set = 0x80, B_Pie = 0x40, B_Aie = 0x20, B_Uie = 0x10, B_Sqwe = 0x08, B_Dm = 0x04, B_24h = 0x02, B_Dse = 0x01;
    public const byte C_Irqf = 0x80, C_Pf = 0x40, C_Af = 0x20, C_Uf = 0x10;
    public const byte D_Vrt = 0x80;

    const long DividerHz = 32768;
    const long NsPerSecond = 1_000_000_000;
    const long UipTicks = 8;   // 244.14 µs of the 32.768 kHz divider

    readonly VirtualClock clock;
    readonly IrqLine irq;
    readonly TimerEvent periodicEvent;
    readonly TimerEvent updateEvent;
    readonly byte[] cmos = new byte[128];
    byte index;
    bool nmiMasked;
    long dividerOriginNs;   // divider tick 0; updates at every 32768th tick after it
    long syncedNs;          // the registers and flags are up to date at this virtual time

    /// <summary>
    /// Creates the RTC showing <paramref name="startTime"/> (whole seconds; the host's UTC time
    /// when null) at the current virtual time, with register A = 0x26, B = 0x02 (24-hour, BCD)
    /// and D = 0x80, as QEMU starts it.
    /// </summary>
    public Rtc146818(VirtualClock clock, IrqLine irq8, DateTime? startTime = null)
    {
        this.clock = clock;
        irq = irq8;
        periodicEvent = new TimerEvent("rtc.periodic", _ => OnEvent());
        updateEvent = new TimerEvent("rtc.update", _ => OnEvent());
        dividerOriginNs = syncedNs = clock.Now;
        cmos[RegA] = 0x26;
        cmos[RegB] = B_24h;
        cmos[RegD] = D_Vrt;
        var t = startTime ?? DateTime.UtcNow;
        EncodeTime(new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second));
        cmos[RegDayOfWeek] = (byte)((int)t.DayOfWeek + 1);
    }

    /// <summary>Port 0x70 bit 7 as last written: true while NMI is masked (disabled).</summary>
    public bool NmiMasked => nmiMasked;

    /// <summary>The register selected by port 0x70.</summary>
    public int Index => index;

    /// <summary>The RESET pin (datasheet, "RESET"): clears PIE, AIE, UIE, SQWE and the flags in C; time and RAM are kept.</summary>
    public void Reset()
    {
        Sync();
        cmos[RegB] &= unchecked((byte)~(B_Pie | B_Aie | B_Uie | B_Sqwe));
        cmos[RegC] = 0;
        UpdateIrq();
        Reschedule();
    }

    // ---- CMOS contents for the board ----

    /// <summary>Sets a byte of CMOS RAM (0x0E-0x7F; the clock registers are better left to the guest).</summary>
    public void SetCmos(int address, byte value) => cmos[address & 0x7F] = value;

    /// <summary>A CMOS byte as stored, without the side effects of a guest read.</summary>
    public byte GetCmos(int address) => cmos[address & 0x7F];

    /// <summary>The PC/AT checksum: the 16-bit sum of bytes 0x10-0x2D.</summary>
    public ushort ComputeChecksum()
    {
        int sum = 0;
        for (int i = ChecksumFirst; i <= ChecksumLast; i++) sum += cmos[i];
        return (ushort)sum;
    }

    /// <summary>Stores <see cref="ComputeChecksum"/> in 0x2E (high byte) and 0x2F (low byte).</summary>
    public void UpdateChecksum()
    {
        ushort sum = ComputeChecksum();
        cmos[ChecksumHigh] = (byte)(sum >> 8);
        cmos[ChecksumLow] = (byte)sum;
    }

    // ---- ports ----

    public uint In(ushort port, int size)
    {
        uint v = port == BasePort + 1 ? Read(index) : 0xFFu;   // the index register reads as 0xFF (as QEMU)
        return size == 1 ? v : v | (size == 2 ? 0xFF00u : 0xFFFF_FF00u);
    }

    public void Out(ushort port, int size, uint value)
    {
        if (port == BasePort)
        {
            index = (byte)(value & 0x7F);
            nmiMasked = (value & 0x80) != 0;
        }
        else if (port == BasePort + 1)
        {
            Write(index, (byte)value);
        }
    }

    byte Read(int reg)
    {
        Sync();
        switch (reg)
        {
            case RegA:
                return (byte)(cmos[RegA] & 0x7F | (UpdateInProgress() ? A_Uip : 0));
            case RegC:
            {
                // Reading C clears all flags and releases IRQ (datasheet, "Register C").
                byte v = cmos[RegC];
                cmos[RegC] = 0;
                UpdateIrq();
                return v;
            }
            default:
                return cmos[reg];
        }
    }

    void Write(int reg, byte value)
    {
        Sync();
        switch (reg)
        {
            case RegA:
            {
                bool wasRunning = DividerRunning;
                cmos[RegA] = (byte)(value & 0x7F);
                if (!wasRunning && DividerRunning)
                    dividerOriginNs = clock.Now - NsPerSecond / 2;   // first update 500 ms later
                break;
            }
            case RegB:
                // Setting SET stops updates and clears UIE (datasheet, "Register B").
                if ((value & B_Set) != 0) value &= unchecked((byte)~B_Uie);
                cmos[RegB] = value;
                break;
            case RegC:
            case RegD:
                return;   // read-only
            default:
                cmos[reg] = value;
                return;
        }
        UpdateIrq();
        Reschedule();
    }

    // ---- time ----

    bool DividerRunning => (cmos[RegA] >> 4 & 7) <= 2;
    bool Updating => DividerRunning && (cmos[RegB] & B_Set) == 0;
    bool Binary => (cmos[RegB] & B_Dm) != 0;
    bool Hours24 => (cmos[RegB] & B_24h) != 0;

    /// <summary>Divider ticks (32.768 kHz) from the divider's origin to <paramref name="ns"/>.</summary>
    long DividerTicks(long ns)
    {
        Int128 x = (Int128)(ns - dividerOriginNs) * DividerHz;
        Int128 q = x / NsPerSecond;
        if (x < 0 && q * NsPerSecond != x) q--;
        return (long)q;
    }

    long TimeOfDividerTick(long tick) =>
        dividerOriginNs + (long)(((Int128)tick * NsPerSecond + DividerHz - 1) / DividerHz);

    static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>The periodic interrupt's period in divider ticks for rate select 1-15 (datasheet table 4, 32.768 kHz).</summary>
    static long PeriodTicks(int rs) => rs <= 2 ? 1L << (rs + 6) : 1L << (rs - 1);

    bool UpdateInProgress() =>
        Updating && DividerTicks(clock.Now) % DividerHz >= DividerHz - UipTicks;

    /// <summary>Brings the time registers and the PF/UF/AF flags up to the current virtual time.</summary>
    void Sync()
    {
        long now = clock.Now;
        if (now <= syncedNs) return;
        if (DividerRunning)
        {
            long a = DividerTicks(syncedNs), b = DividerTicks(now);
            int rs = cmos[RegA] & 0x0F;
            if (rs != 0)
            {
                long p = PeriodTicks(rs);
                if (FloorDiv(b, p) > FloorDiv(a, p)) cmos[RegC] |= C_Pf;
            }
            if ((cmos[RegB] & B_Set) == 0)
            {
                long seconds = FloorDiv(b, DividerHz) - FloorDiv(a, DividerHz);
                if (seconds > 0) AdvanceSeconds(seconds);
            }
        }
        syncedNs = now;
        UpdateIrq();
    }

    /// <summary>
    /// Runs <paramref name="n"/> update cycles at once: the time registers advance by n seconds,
    /// UF is set, and AF if the alarm matched at any of them (only the last day's worth can
    /// match differently from the rest).
    /// </summary>
    void AdvanceSeconds(long n)
    {
        var before = DecodeTime();
        if ((cmos[RegC] & C_Af) == 0 && AlarmMatchesWithin(before, n)) cmos[RegC] |= C_Af;
        long maxSeconds = (DateTime.MaxValue.Ticks - before.Ticks) / TimeSpan.TicksPerSecond;
        var after = before.AddSeconds(Math.Min(n, maxSeconds));
        EncodeTime(after);
        int days = (int)((after.Date - before.Date).Days % 7);
        int dow = cmos[RegDayOfWeek];
        if (dow is >= 1 and <= 7) cmos[RegDayOfWeek] = (byte)((dow - 1 + days) % 7 + 1);
        cmos[RegC] |= C_Uf;
    }

    bool AlarmMatchesWithin(DateTime before, long n)
    {
        byte sa = cmos[RegSecondsAlarm], ma = cmos[RegMinutesAlarm], ha = cmos[RegHoursAlarm];
        long tod = (long)before.TimeOfDay.TotalSeconds;
        long first = Math.Max(1, n - 86_400 + 1);
        for (long j = first; j <= n; j++)
        {
            int s = (int)((tod + j) % 86_400);
            if (AlarmField(sa, EncodeField(s % 60)) && AlarmField(ma, EncodeField(s / 60 % 60)) &&
                AlarmField(ha, EncodeHour(s / 3600)))
                return true;
        }
        return false;
    }

    /// <summary>An alarm byte with its two top bits set is "don't care" (datasheet, "Alarm").</summary>
    static bool AlarmField(byte alarm, byte value) => (alarm & 0xC0) == 0xC0 || alarm == value;

    byte EncodeField(int v) => Binary ? (byte)v : (byte)(v / 10 << 4 | v % 10);

    int DecodeField(byte v) => Binary ? v : (v >> 4) * 10 + (v & 0x0F);

    byte EncodeHour(int hour)
    {
        if (Hours24) return EncodeField(hour);
        int h12 = hour % 12 == 0 ? 12 : hour % 12;
        return (byte)(EncodeField(h12) | (hour >= 12 ? 0x80 : 0));
    }

    DateTime DecodeTime()
    {
        int sec = Math.Clamp(DecodeField(cmos[RegSeconds]), 0, 59);
        int min = Math.Clamp(DecodeField(cmos[RegMinutes]), 0, 59);
        int hour;
        if (Hours24) hour = Math.Clamp(DecodeField(cmos[RegHours]), 0, 23);
        else
        {
            int h = Math.Clamp(DecodeField((byte)(cmos[RegHours] & 0x7F)), 1, 12);
            hour = h % 12 + ((cmos[RegHours] & 0x80) != 0 ? 12 : 0);
        }
        int century = Math.Clamp(DecodeField(cmos[RegCentury]), 0, 99);
        int year = Math.Max(1, century * 100 + Math.Clamp(DecodeField(cmos[RegYear]), 0, 99));
        int month = Math.Clamp(DecodeField(cmos[RegMonth]), 1, 12);
        int day = Math.Clamp(DecodeField(cmos[RegDate]), 1, DateTime.DaysInMonth(year, month));
        return new DateTime(year, month, day, hour, min, sec);
    }

    void EncodeTime(DateTime t)
    {
        cmos[RegSeconds] = EncodeField(t.Second);
        cmos[RegMinutes] = EncodeField(t.Minute);
        cmos[RegHours] = EncodeHour(t.Hour);
        cmos[RegDate] = EncodeField(t.Day);
        cmos[RegMonth] = EncodeField(t.Month);
        cmos[RegYear] = EncodeField(t.Year % 100);
        cmos[RegCentury] = EncodeField(t.Year / 100);
    }

    // ---- interrupts ----

    void UpdateIrq()
    {
        // IRQF = (PF & PIE) | (AF & AIE) | (UF & UIE): the flag and enable bits line up in C and B.
        bool irqf = (cmos[RegC] & cmos[RegB] & (C_Pf | C_Af | C_Uf)) != 0;
        if (irqf) cmos[RegC] |= C_Irqf;
        else cmos[RegC] &= unchecked((byte)~C_Irqf);
        irq.Set(irqf);
    }

    void OnEvent()
    {
        Sync();
        Reschedule();
    }

    void Reschedule()
    {
        long now = clock.Now;
        int rs = cmos[RegA] & 0x0F;
        if (DividerRunning && rs != 0 && (cmos[RegB] & B_Pie) != 0)
        {
            long p = PeriodTicks(rs);
            clock.Schedule(periodicEvent, TimeOfDividerTick((FloorDiv(DividerTicks(now), p) + 1) * p));
        }
        else clock.Cancel(periodicEvent);

        if (Updating && (cmos[RegB] & (B_Uie | B_Aie)) != 0)
            clock.Schedule(updateEvent, TimeOfDividerTick((FloorDiv(DividerTicks(now), DividerHz) + 1) * DividerHz));
        else clock.Cancel(updateEvent);
    }

    // ---- save/restore ----

    public string SnapshotName => "rtc";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(cmos);
        w.Write(index);
        w.Write(nmiMasked);
        w.Write(dividerOriginNs);
        w.Write(syncedNs);
    }

    /// <summary>Loads the RAM and divider phase, drives IRQ 8 from register C and re-arms the events.</summary>
    public void LoadState(BinaryReader r, int version)
    {
        r.Read(cmos, 0, cmos.Length);
        index = (byte)(r.ReadByte() & 0x7F);
        nmiMasked = r.ReadBoolean();
        dividerOriginNs = r.ReadInt64();
        syncedNs = r.ReadInt64();
        UpdateIrq();
        Reschedule();
    }
}
