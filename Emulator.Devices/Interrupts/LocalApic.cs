using System.Numerics;
using Emulator.Core.Interrupts;
using Emulator.Core.Memory;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Interrupts;

/// <summary>
/// The local APIC of the single CPU in xAPIC mode, memory-mapped at 0xFEE00000 (4 KiB), as
/// described in the Intel SDM vol. 3, chapter 10 ("Advanced Programmable Interrupt Controller";
/// chapter 11 in newer editions). Version register 0x00050014 as QEMU: an integrated APIC with six
/// LVT entries (timer, thermal, performance counter, LINT0, LINT1, error).
/// </summary>
/// <remarks>
/// Implemented: ID, version, TPR, APR, PPR, EOI, LDR, DFR, SVR (software enable, spurious vector),
/// the 256-bit ISR, TMR and IRR, ESR, the ICR, the six LVT entries, and the timer (initial and
/// current count, divide configuration) in one-shot, periodic and TSC-deadline modes, counting
/// at 1 GHz before the divider (QEMU's APIC timer frequency) on the machine's virtual clock.
/// As the CPU's <see cref="IInterruptController"/> it delivers the highest IRR vector whose
/// priority class is above the PPR's (10.8.3.1); <see cref="ApicInterruptController"/> adds the
/// 8259's ExtINT path through LINT0.
/// Known limits:
/// <list type="bullet">
/// <item>Reset leaves LINT0 as ExtINT and LINT1 as NMI, unmasked: the virtual-wire state a BIOS
/// sets up (QEMU's BSP reset state), so the 8259 reaches the CPU until the OS programs the APIC.
/// The SDM's hardware reset masks every LVT entry.</item>
/// <item>One CPU: an IPI reaches this APIC when its shorthand or destination (physical ID or 0xFF,
/// logical flat or cluster against LDR/DFR) includes it; IPIs to other destinations are accepted
/// and go nowhere. Of the delivery modes, fixed, lowest priority (as fixed) and NMI are delivered;
/// SMI, INIT, INIT de-assert and start-up are accepted and ignored.</item>
/// <item>LINT0/LINT1 accept fixed (edge or level, with remote IRR), NMI and, for LINT0, ExtINT;
/// SMI and INIT on the pins are ignored. The inputs carry the asserted state: the polarity bits
/// are stored but not applied (as QEMU).</item>
/// <item>The thermal sensor and performance counters do not exist, so their LVT entries never fire.
/// Remote read (RRD) always reads 0; the IA32_APIC_BASE MSR is the core's read-only default, so
/// the APIC cannot be relocated or globally disabled, and x2APIC mode is absent.</item>
/// <item>The TSC-deadline MSR (0x6E0) is reached through <see cref="ReadTscDeadline"/> and
/// <see cref="WriteTscDeadline"/>, for the CPU's MSR code to call. The TSC counts retired
/// instructions while the virtual clock also skips forward in HLT, so a deadline is converted to
/// virtual time at the moment it is written (TSC ticks × ns per instruction).</item>
/// <item>Device registers are read with the clock's time at the start of the CPU's current block
/// (the CPU advances the clock after each block), so the current count lags by at most a block.</item>
/// <item>Accesses narrower than 32 bits read 0 and are ignored on write (as QEMU); a 64-bit access
/// reaches the register with its low 32 bits.</item>
/// </list>
/// </remarks>
public sealed class LocalApic : IMmioHandler, IInterruptController, ISaveable
{
    public const ulong DefaultBase = 0xFEE0_0000;
    public const ulong Length = 0x1000;
    /// <summary>Version 0x14, max LVT entry 5 (bits 23-16), no EOI-broadcast suppression (bit 24).</summary>
    public const uint VersionValue = 0x0005_0014;

    // Register indices: offset >> 4 (SDM table 10-1).
    const int RegId = 0x02, RegVersion = 0x03, RegTpr = 0x08, RegApr = 0x09, RegPpr = 0x0A, RegEoi = 0x0B,
        RegRrd = 0x0C, RegLdr = 0x0D, RegDfr = 0x0E, RegSvr = 0x0F, RegIsr = 0x10, RegTmr = 0x18, RegIrr = 0x20,
        RegEsr = 0x28, RegIcrLow = 0x30, RegIcrHigh = 0x31, RegLvtFirst = 0x32, RegLvtLast = 0x37,
        RegInitialCount = 0x38, RegCurrentCount = 0x39, RegDivide = 0x3E;

    /// <summary>LVT entries in register order (0x320-0x370).</summary>
    public const int LvtTimer = 0, LvtThermal = 1, LvtPerf = 2, LvtLint0 = 3, LvtLint1 = 4, LvtError = 5;

    const uint Masked = 1u << 16, RemoteIrr = 1u << 14, LevelTrigger = 1u << 15;
    const uint SvrEnable = 1u << 8;

    // Delivery modes (SDM figure 10-8 and 10-12).
    public const int ModeFixed = 0, ModeLowestPriority = 1, ModeSmi = 2, ModeNmi = 4, ModeInit = 5, ModeStartup = 6, ModeExtInt = 7;

    // ESR bits (figure 10-9).
    public const uint EsrSendIllegalVector = 1u << 5, EsrReceiveIllegalVector = 1u << 6, EsrIllegalRegister = 1u << 7;

    /// <summary>Writable bits of each LVT entry (figure 10-8): vector, delivery mode, polarity, trigger, mask, timer mode.</summary>
    static readonly uint[] LvtWritable = [0x0007_00FF, 0x0001_07FF, 0x0001_07FF, 0x0001_A7FF, 0x0001_A7FF, 0x0001_00FF];

    struct State
    {
        public uint Id, Tpr, Ldr, Dfr, Svr, Esr, EsrPending, IcrLow, IcrHigh, InitialCount, Divide;
        /// <summary>The timer's reference point: the count was <see cref="TimerBaseCount"/> at <see cref="TimerBase"/> (ns).</summary>
        public long TimerBase;
        public uint TimerBaseCount;
        public ulong TscDeadline;
        /// <summary>Asserted levels of LINT0 (bit 0) and LINT1 (bit 1).</summary>
        public byte LintLines;
    }

    readonly VirtualClock clock;
    readonly Action raiseNmi;
    readonly Func<ulong> readTsc;
    readonly byte resetId;
    readonly TimerEvent timer;
    readonly uint[] irr = new uint[8], isr = new uint[8], tmr = new uint[8];
    readonly uint[] lvt = new uint[6];
    State s;
    bool pending;          // derived: a fixed interrupt is deliverable
    bool signallingError;  // an error found while delivering the error interrupt raises no further one

    /// <summary>
    /// Creates the APIC. <paramref name="raiseNmi"/> is the CPU's NMI input; <paramref name="readTsc"/>
    /// reads the CPU's time-stamp counter (for TSC-deadline mode; by default the clock's time in
    /// instructions).
    /// </summary>
    public LocalApic(VirtualClock clock, Action raiseNmi, Func<ulong>? readTsc = null, byte apicId = 0)
    {
        this.clock = clock;
        this.raiseNmi = raiseNmi;
        this.readTsc = readTsc ?? (() => (ulong)(clock.Now / clock.NanosecondsPerInstruction));
        resetId = apicId;
        timer = new TimerEvent("lapic-timer", OnTimer);
        Reset();
    }

    /// <summary>EOI of a level-triggered vector: the broadcast the IOAPIC clears its remote IRR on (10.8.5).</summary>
    public event Action<byte>? LevelTriggeredEoi;

    /// <summary>Power-on / INIT state (SDM 10.4.7.1), with LINT0/LINT1 in virtual-wire mode (see remarks).</summary>
    public void Reset()
    {
        byte lines = s.LintLines;
        s = new State { Id = (uint)resetId << 24, Dfr = 0xFFFF_FFFF, Svr = 0xFF, LintLines = lines };
        Array.Clear(irr);
        Array.Clear(isr);
        Array.Clear(tmr);
        for (int i = 0; i < lvt.Length; i++) lvt[i] = Masked;
        lvt[LvtLint0] = ModeExtInt << 8;
        lvt[LvtLint1] = ModeNmi << 8;
        clock.Cancel(timer);
        UpdatePending();
    }

    public bool SoftwareEnabled => (s.Svr & SvrEnable) != 0;

    /// <summary>LINT0 is an unmasked ExtINT input: the 8259's INTR passes through to the CPU.</summary>
    public bool ExtIntEnabled => (lvt[LvtLint0] & (Masked | 0x700)) == ModeExtInt << 8;

    public uint Lvt(int entry) => lvt[entry];
    public byte SpuriousVector => (byte)s.Svr;
    public uint ErrorStatus => s.Esr;

    // ---- the 256-bit registers ----

    static int Highest(uint[] bits)
    {
        for (int i = 7; i >= 0; i--)
            if (bits[i] != 0) return i * 32 + BitOperations.Log2(bits[i]);
        return -1;
    }

    static bool Get(uint[] bits, int v) => (bits[v >> 5] & (1u << (v & 31))) != 0;
    static void Set(uint[] bits, int v) => bits[v >> 5] |= 1u << (v & 31);
    static void Clear(uint[] bits, int v) => bits[v >> 5] &= ~(1u << (v & 31));

    public bool IsRequested(int vector) => Get(irr, vector);
    public bool IsInService(int vector) => Get(isr, vector);
    public bool IsLevelTriggered(int vector) => Get(tmr, vector);

    /// <summary>PPR (10.8.3.1): the TPR, or the class of the highest in-service vector if that is higher.</summary>
    public uint Ppr
    {
        get
        {
            uint isrv = (uint)Math.Max(Highest(isr), 0);
            return (s.Tpr >> 4) >= (isrv >> 4) ? s.Tpr : isrv & 0xF0;
        }
    }

    /// <summary>
    /// APR (10.6.2.4, P6 family): the TPR if it is at least the highest requested class and above the
    /// highest in-service class, else the highest of the three classes. (The SDM's
    /// "max(TPR[7:4] AND ISRV[7:4], IRRV[7:4])" is read as the maximum of the three.)
    /// </summary>
    public uint Apr
    {
        get
        {
            uint tpr = s.Tpr >> 4, isrv = (uint)Math.Max(Highest(isr), 0) >> 4, irrv = (uint)Math.Max(Highest(irr), 0) >> 4;
            if (tpr >= irrv && tpr > isrv) return s.Tpr;
            return Math.Max(tpr, Math.Max(isrv, irrv)) << 4;
        }
    }

    void UpdatePending()
    {
        int v = Highest(irr);
        pending = SoftwareEnabled && v >= 0 && (uint)(v >> 4) > (Ppr >> 4);
    }

    // ---- acceptance, acknowledge, EOI (10.8.3, 10.8.4, 10.8.5) ----

    /// <summary>Accepts a fixed interrupt into IRR (TMR set for level-triggered); vectors 0-15 are a receive-illegal-vector error.</summary>
    public bool Accept(int vector, bool levelTriggered)
    {
        vector &= 0xFF;
        if (vector < 16)
        {
            SignalError(EsrReceiveIllegalVector);
            return false;
        }
        Set(irr, vector);
        if (levelTriggered) Set(tmr, vector); else Clear(tmr, vector);
        UpdatePending();
        return true;
    }

    /// <summary>True when a fixed interrupt can be dispatched: APIC software-enabled, highest IRR class above the PPR class.</summary>
    public bool InterruptPending => pending;

    /// <summary>The INTA cycle: moves the highest IRR vector to ISR and returns it, or the spurious vector if none can be dispatched now (10.9).</summary>
    public byte Acknowledge()
    {
        if (!pending) return (byte)s.Svr;
        int v = Highest(irr);
        Clear(irr, v);
        Set(isr, v);
        UpdatePending();
        return (byte)v;
    }

    void Eoi()
    {
        int v = Highest(isr);
        if (v < 0) return;
        Clear(isr, v);
        if (Get(tmr, v))
        {
            // A level-triggered LINT interrupt: its remote IRR clears, and a still-asserted pin requests again.
            for (int pin = 0; pin < 2; pin++)
            {
                ref uint e = ref lvt[LvtLint0 + pin];
                if ((e & RemoteIrr) != 0 && (e & 0xFF) == v)
                {
                    e &= ~RemoteIrr;
                    EvaluateLint(pin, rising: false);
                }
            }
            LevelTriggeredEoi?.Invoke((byte)v);
        }
        UpdatePending();
    }

    void SignalError(uint bit)
    {
        s.EsrPending |= bit;
        if (signallingError || (lvt[LvtError] & Masked) != 0) return;
        signallingError = true;
        Accept((int)(lvt[LvtError] & 0xFF), false);
        signallingError = false;
    }

    // ---- message delivery (IPIs, IOAPIC) ----

    /// <summary>Whether a destination names this APIC (10.6.2.1-10.6.2.2): physical ID or broadcast, or logical flat/cluster against LDR/DFR.</summary>
    public bool MatchesDestination(byte destination, bool logical)
    {
        if (destination == 0xFF) return true;
        if (!logical) return destination == (byte)(s.Id >> 24);
        byte ldr = (byte)(s.Ldr >> 24);
        return (s.Dfr >> 28) switch
        {
            0xF => (destination & ldr) != 0,
            0x0 => (destination >> 4 == ldr >> 4 || destination >> 4 == 0xF) && (destination & ldr & 0xF) != 0,
            _ => false,   // reserved model
        };
    }

    /// <summary>
    /// An interrupt message from the IOAPIC (or an IPI) addressed to <paramref name="destination"/>.
    /// Returns true if this APIC accepted it. Fixed and lowest-priority go to IRR, NMI to the CPU's
    /// NMI input; SMI, INIT, start-up and ExtINT are not delivered.
    /// </summary>
    public bool DeliverMessage(int deliveryMode, int vector, bool levelTriggered, byte destination, bool logical)
    {
        if (!MatchesDestination(destination, logical)) return false;
        return DeliverToSelf(deliveryMode, vector, levelTriggered);
    }

    bool DeliverToSelf(int mode, int vector, bool levelTriggered)
    {
        switch (mode)
        {
            case ModeFixed:
            case ModeLowestPriority:
                return Accept(vector, levelTriggered);
            case ModeNmi:
                raiseNmi();
                return true;
            default:
                return false;
        }
    }

    /// <summary>A write to ICR low sends the IPI (10.6.1); delivery is immediate, so the delivery status stays idle.</summary>
    void SendIpi()
    {
        int vector = (int)(s.IcrLow & 0xFF);
        int mode = (int)(s.IcrLow >> 8) & 7;
        if ((mode is ModeFixed or ModeLowestPriority) && vector < 16)
        {
            SignalError(EsrSendIllegalVector);
            return;
        }
        bool self = ((s.IcrLow >> 18) & 3) switch
        {
            1 => true,    // self
            2 => true,    // all including self
            3 => false,   // all excluding self: there is no other CPU
            _ => MatchesDestination((byte)(s.IcrHigh >> 24), (s.IcrLow & 0x800) != 0),
        };
        if (self) DeliverToSelf(mode, vector, false);
    }

    // ---- LINT0 / LINT1 ----

    /// <summary>Drives LINT<paramref name="pin"/> (0 or 1) with its asserted state.</summary>
    public void SetLint(int pin, bool asserted)
    {
        if ((uint)pin > 1) return;
        byte bit = (byte)(1 << pin);
        bool was = (s.LintLines & bit) != 0;
        if (asserted) s.LintLines |= bit; else s.LintLines &= (byte)~bit;
        EvaluateLint(pin, rising: asserted && !was);
    }

    void EvaluateLint(int pin, bool rising)
    {
        ref uint e = ref lvt[LvtLint0 + pin];
        if ((e & Masked) != 0) return;
        bool asserted = (s.LintLines & (1 << pin)) != 0;
        switch ((int)(e >> 8) & 7)
        {
            case ModeFixed:
                // Level-sensitive only on LINT0 (10.5.1: LINT1 does not support level-sensitive interrupts).
                if ((e & LevelTrigger) != 0 && pin == 0)
                {
                    if (asserted && (e & RemoteIrr) == 0 && Accept((int)(e & 0xFF), true)) e |= RemoteIrr;
                }
                else if (rising)
                {
                    Accept((int)(e & 0xFF), false);
                }
                break;
            case ModeNmi:
                if (rising) raiseNmi();
                break;
            // ExtINT: the CPU acknowledges the 8259 directly (ApicInterruptController). SMI, INIT: not modelled.
        }
    }

    // ---- timer (10.5.4) ----

    int TimerMode => (int)(lvt[LvtTimer] >> 17) & 3;   // 0 one-shot, 1 periodic, 2 TSC-deadline, 3 reserved (runs as one-shot)
    bool Periodic => TimerMode == 1;
    bool DeadlineMode => TimerMode == 2;

    /// <summary>log2 of the divide value (figure 10-10): bits 3, 1, 0; 111 = divide by 1.</summary>
    int Shift
    {
        get
        {
            int v = (int)(((s.Divide >> 1) & 4) | (s.Divide & 3));
            return v == 7 ? 0 : v + 1;
        }
    }

    long ElapsedTicks => Math.Max(0, clock.Now - s.TimerBase) >> Shift;

    /// <summary>The current-count register: counts down from the initial count, reloading in periodic mode; 0 when stopped or in TSC-deadline mode.</summary>
    public uint CurrentCount
    {
        get
        {
            if (DeadlineMode || s.InitialCount == 0) return 0;
            long t = ElapsedTicks;
            if (t < s.TimerBaseCount) return (uint)(s.TimerBaseCount - t);
            if (!Periodic) return 0;
            long p = s.InitialCount;
            return (uint)(p - (t - s.TimerBaseCount) % p);
        }
    }

    /// <summary>The next time (ns) the count reaches zero, or -1.</summary>
    long NextExpiry()
    {
        if (s.InitialCount == 0) return -1;
        long t = ElapsedTicks;
        if (t < s.TimerBaseCount) return s.TimerBase + ((long)s.TimerBaseCount << Shift);
        if (!Periodic) return -1;
        long p = s.InitialCount;
        long k = (t - s.TimerBaseCount) / p + 1;
        return s.TimerBase + ((s.TimerBaseCount + k * p) << Shift);
    }

    void ScheduleTimer()
    {
        clock.Cancel(timer);
        if (DeadlineMode)
        {
            if (s.TscDeadline == 0) return;
            ulong tsc = readTsc();
            ulong ticks = s.TscDeadline > tsc ? s.TscDeadline - tsc : 0;
            long ns = ticks > (ulong)(long.MaxValue / 4 / clock.NanosecondsPerInstruction)
                ? long.MaxValue / 4 : (long)ticks * clock.NanosecondsPerInstruction;
            clock.Schedule(timer, clock.Now + ns);
            return;
        }
        // Masked, the count still runs (the current count reads right) but no event is needed.
        if ((lvt[LvtTimer] & Masked) != 0) return;
        long due = NextExpiry();
        if (due >= 0) clock.Schedule(timer, due);
    }

    void OnTimer(long due)
    {
        if (DeadlineMode)
        {
            s.TscDeadline = 0;   // the MSR reads 0 once the timer has fired
        }
        else if (Periodic)
        {
            s.TimerBase = due;   // reload from the initial count at the expiry
            s.TimerBaseCount = s.InitialCount;
        }
        if ((lvt[LvtTimer] & Masked) == 0) Accept((int)(lvt[LvtTimer] & 0xFF), false);
        if (!DeadlineMode) ScheduleTimer();
    }

    /// <summary>IA32_TSC_DEADLINE (MSR 0x6E0) read: the armed deadline in TSC-deadline mode, else 0 (10.5.4.1).</summary>
    public ulong ReadTscDeadline() => DeadlineMode ? s.TscDeadline : 0;

    /// <summary>IA32_TSC_DEADLINE write: arms (non-zero) or disarms (0) the timer; ignored outside TSC-deadline mode (10.5.4.1).</summary>
    public void WriteTscDeadline(ulong value)
    {
        if (!DeadlineMode) return;
        s.TscDeadline = value;
        ScheduleTimer();
    }

    void WriteInitialCount(uint value)
    {
        if (DeadlineMode) return;   // ignored in TSC-deadline mode
        s.InitialCount = value;
        s.TimerBase = clock.Now;
        s.TimerBaseCount = value;
        ScheduleTimer();
    }

    void WriteDivide(uint value)
    {
        // The count carries on from its current value at the new rate.
        uint count = CurrentCount;
        s.Divide = value & 0xB;
        s.TimerBase = clock.Now;
        s.TimerBaseCount = count;
        ScheduleTimer();
    }

    // ---- registers ----

    void WriteLvt(int entry, uint value)
    {
        ref uint e = ref lvt[entry];
        uint old = e;
        value &= LvtWritable[entry];
        if (!SoftwareEnabled) value |= Masked;   // 10.4.7.2: masks cannot be cleared while software-disabled
        if (entry is LvtLint0 or LvtLint1) value |= old & RemoteIrr;
        e = value;
        if (entry == LvtTimer)
        {
            bool wasDeadline = ((old >> 17) & 3) == 2;
            if (wasDeadline != DeadlineMode)
            {
                // Changing to or from TSC-deadline mode disarms the timer (10.5.4.1).
                s.InitialCount = 0;
                s.TimerBaseCount = 0;
                s.TscDeadline = 0;
            }
            ScheduleTimer();
        }
        else if (entry is LvtLint0 or LvtLint1)
        {
            EvaluateLint(entry - LvtLint0, rising: false);
        }
    }

    void WriteSvr(uint value)
    {
        s.Svr = value & 0x3FF;   // vector, APIC software enable, focus processor checking
        if (!SoftwareEnabled)
        {
            // Software disable (10.4.7.2): every LVT mask bit is set; IRR and ISR are held.
            for (int i = 0; i < lvt.Length; i++) lvt[i] |= Masked;
            ScheduleTimer();
        }
        UpdatePending();
    }

    /// <summary>Reads a 32-bit register by index (offset >> 4).</summary>
    public uint ReadRegister(int index)
    {
        switch (index)
        {
            case RegId: return s.Id;
            case RegVersion: return VersionValue;
            case RegTpr: return s.Tpr;
            case RegApr: return Apr;
            case RegPpr: return Ppr;
            case RegEoi: return 0;   // write-only
            case RegRrd: return 0;   // remote read is never performed
            case RegLdr: return s.Ldr;
            case RegDfr: return s.Dfr;
            case RegSvr: return s.Svr;
            case >= RegIsr and < RegIsr + 8: return isr[index - RegIsr];
            case >= RegTmr and < RegTmr + 8: return tmr[index - RegTmr];
            case >= RegIrr and < RegIrr + 8: return irr[index - RegIrr];
            case RegEsr: return s.Esr;
            case RegIcrLow: return s.IcrLow;
            case RegIcrHigh: return s.IcrHigh;
            case >= RegLvtFirst and <= RegLvtLast: return lvt[index - RegLvtFirst];
            case RegInitialCount: return s.InitialCount;
            case RegCurrentCount: return CurrentCount;
            case RegDivide: return s.Divide;
            default:
                GuestLog?.Error("lapic", $"read of reserved register 0x{index << 4:x3}, illegal register address error");
                SignalError(EsrIllegalRegister);
                return 0;
        }
    }

    /// <summary>Writes a 32-bit register by index (offset >> 4); read-only registers ignore writes.</summary>
    public void WriteRegister(int index, uint value)
    {
        switch (index)
        {
            case RegId: s.Id = value & 0xFF00_0000; break;
            case RegTpr: s.Tpr = value & 0xFF; UpdatePending(); break;
            case RegEoi: Eoi(); break;
            case RegLdr: s.Ldr = value & 0xFF00_0000; break;
            case RegDfr: s.Dfr = value | 0x0FFF_FFFF; break;
            case RegSvr: WriteSvr(value); break;
            case RegEsr:
                // 10.5.3: a write makes the errors found since the previous write readable and clears them.
                s.Esr = s.EsrPending;
                s.EsrPending = 0;
                break;
            case RegIcrLow: s.IcrLow = value & 0x000C_CFFF; SendIpi(); break;
            case RegIcrHigh: s.IcrHigh = value & 0xFF00_0000; break;
            case >= RegLvtFirst and <= RegLvtLast: WriteLvt(index - RegLvtFirst, value); break;
            case RegInitialCount: WriteInitialCount(value); break;
            case RegDivide: WriteDivide(value); break;
            case RegVersion or RegApr or RegPpr or RegRrd or RegCurrentCount:
            case >= RegIsr and < RegIrr + 8:
                break;
            default:
                GuestLog?.Error("lapic", $"write of 0x{value:x8} to reserved register 0x{index << 4:x3}, illegal register address error");
                SignalError(EsrIllegalRegister);
                break;
        }
    }

    /// <summary>Where invalid accesses are reported (<c>-d guest_errors</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    public ulong Read(ulong offset, int size)
    {
        if (size < 4 || (offset & 0xF) != 0)
        {
            // Registers are 32 bits on 16-byte boundaries (SDM vol. 3, 10.4.1); other accesses are undefined.
            GuestLog?.Error("lapic", $"invalid {size}-byte read at offset 0x{offset:x3}, reads 0");
            return 0;
        }
        return ReadRegister((int)(offset >> 4) & 0xFF);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        if (size < 4 || (offset & 0xF) != 0)
        {
            GuestLog?.Error("lapic", $"invalid {size}-byte write of 0x{value:x} at offset 0x{offset:x3}, ignored");
            return;
        }
        WriteRegister((int)(offset >> 4) & 0xFF, (uint)value);
    }

    // ---- save/restore ----

    public string SnapshotName => "lapic";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(s.Id); w.Write(s.Tpr); w.Write(s.Ldr); w.Write(s.Dfr); w.Write(s.Svr); w.Write(s.Esr);
        w.Write(s.EsrPending); w.Write(s.IcrLow); w.Write(s.IcrHigh); w.Write(s.InitialCount); w.Write(s.Divide);
        w.Write(s.TimerBase); w.Write(s.TimerBaseCount); w.Write(s.TscDeadline); w.Write(s.LintLines);
        foreach (var a in new[] { irr, isr, tmr, lvt })
            foreach (uint v in a) w.Write(v);
        w.Write(timer.Pending);
        w.Write(timer.Pending ? timer.Due : 0L);
    }

    public void LoadState(BinaryReader r, int version)
    {
        s.Id = r.ReadUInt32(); s.Tpr = r.ReadUInt32() & 0xFF; s.Ldr = r.ReadUInt32(); s.Dfr = r.ReadUInt32();
        s.Svr = r.ReadUInt32() & 0x3FF; s.Esr = r.ReadUInt32(); s.EsrPending = r.ReadUInt32();
        s.IcrLow = r.ReadUInt32(); s.IcrHigh = r.ReadUInt32(); s.InitialCount = r.ReadUInt32();
        s.Divide = r.ReadUInt32() & 0xB; s.TimerBase = r.ReadInt64(); s.TimerBaseCount = r.ReadUInt32();
        s.TscDeadline = r.ReadUInt64(); s.LintLines = (byte)(r.ReadByte() & 3);
        foreach (var a in new[] { irr, isr, tmr, lvt })
            for (int i = 0; i < a.Length; i++) a[i] = r.ReadUInt32();
        bool timerPending = r.ReadBoolean();
        long due = r.ReadInt64();
        clock.Cancel(timer);
        if (timerPending) clock.Schedule(timer, due);
        UpdatePending();
    }
}
