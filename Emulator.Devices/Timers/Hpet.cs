using Emulator.Core.Interrupts;
using Emulator.Core.Memory;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Timers;

/// <summary>
/// The High Precision Event Timer (IA-PC HPET specification 1.0a) as QEMU's <c>pc</c> machine
/// has it: one block of 1 KiB at 0xFED00000, a 64-bit main counter at 100 MHz (period
/// 10,000,000 fs), three timers with 64-bit comparators, periodic capable, and legacy
/// replacement routing (timer 0 to ISA IRQ 0 / I/O APIC input 2, timer 1 to IRQ 8).
/// </summary>
/// <remarks>
/// <para>Registers (spec 2.3): 0x000 capabilities and ID, 0x010 configuration (ENABLE_CNF,
/// LEG_RT_CNF), 0x020 interrupt status, 0x0F0 main counter, and per timer N at 0x100 + 0x20*N
/// the configuration/capability, the comparator, and the FSB route (FSB delivery is not
/// offered, so it reads 0). Accesses of any size are taken from or merged into the 64-bit
/// register they fall in.</para>
/// <para>The main counter is computed from virtual time; an event is scheduled only for each
/// timer's next comparator match. Matches are equality matches (spec 2.3.9.2): a one-shot
/// comparator already behind the counter matches again only when the counter comes round to it
/// (2^32 ticks in 32-bit mode, never in 64-bit mode), unlike QEMU, which fires at once. A
/// periodic timer adds the last value written to the comparator each time it matches; a
/// comparator write with Tn_VAL_SET_CNF sets the comparator and the period both, one without it
/// only the period (QEMU's and Bochs's reading of the spec). Level-triggered timers set their bit
/// in the interrupt status register (even with Tn_INT_ENB_CNF clear) and hold their line until
/// software writes 1 to it; edge-triggered timers pulse their line.</para>
/// <para>The board mutes the PIT's IRQ 0 and the RTC's IRQ 8 while
/// <see cref="LegacyReplacement"/> is set (<see cref="LegacyReplacementChanged"/>), as QEMU does
/// on LEG_RT_CNF alone. Known limits: no FSB (MSI) delivery; writing the main counter while it
/// runs restarts it from the written value.</para>
/// </remarks>
public sealed class Hpet : IMmioHandler, ISaveable
{
    public const ulong BaseAddress = 0xFED0_0000;
    public const ulong Size = 0x400;

    /// <summary>Main counter period in femtoseconds: 10 ns, 100 MHz (QEMU's HPET_CLK_PERIOD).</summary>
    public const uint PeriodFs = 10_000_000;
    const long NsPerTick = 10;

    public const int TimerCount = 3;

    /// <summary>QEMU's <c>pc</c> (i440FX) HPET interrupt capability: I/O APIC input 2 only.</summary>
    public const uint DefaultRouteCapability = 0x0000_0004;

    /// <summary>
    /// REV_ID 1, NUM_TIM_CAP 2 (three timers), COUNT_SIZE_CAP (64-bit), LEG_RT_CAP, VENDOR_ID
    /// 0x8086, COUNTER_CLK_PERIOD 10,000,000 fs (spec 2.3.4).
    /// </summary>
    public const ulong Capabilities = 0x8086_A201UL | (ulong)PeriodFs << 32;

    public const ulong CfgEnable = 1, CfgLegacy = 2;
    public const ulong TnLevel = 1 << 1, TnIntEnable = 1 << 2, TnPeriodic = 1 << 3, TnPeriodicCap = 1 << 4,
        TnSizeCap = 1 << 5, TnValSet = 1 << 6, Tn32Bit = 1 << 8, TnRouteMask = 0x1F << 9;
    const ulong TnWritable = TnLevel | TnIntEnable | TnPeriodic | TnValSet | Tn32Bit | TnRouteMask;

    readonly VirtualClock clock;
    readonly IrqLine?[] routed = new IrqLine?[32];
    readonly IrqLine legacyIrq0;
    readonly IrqLine legacyIrq8;
    readonly uint routeCapability;
    readonly TimerEvent[] events = new TimerEvent[TimerCount];
    readonly Timer[] timers = new Timer[TimerCount];
    readonly HashSet<IrqLine> held = new();   // lines held high by level-triggered timers

    ulong config;
    ulong isr;
    ulong counterBase;      // the main counter at baseNs (its value while halted)
    long baseNs;
    ulong processed;        // comparator matches are handled up to this counter value

    struct Timer
    {
        public ulong Config;
        public ulong Cmp;
        public ulong Period;
    }

    /// <summary>
    /// Creates the HPET. <paramref name="routedLine"/> gives the line for an I/O APIC input a
    /// timer may be routed to (asked for each bit of <paramref name="routeCapability"/>);
    /// <paramref name="legacyIrq0"/> and <paramref name="legacyIrq8"/> are the board's HPET-side
    /// lines for the legacy replacement route (IRQ 0 = PIC input 0 and I/O APIC input 2, IRQ 8).
    /// </summary>
    public Hpet(VirtualClock clock, Func<int, IrqLine> routedLine, IrqLine legacyIrq0, IrqLine legacyIrq8,
        uint routeCapability = DefaultRouteCapability)
    {
        this.clock = clock;
        this.legacyIrq0 = legacyIrq0;
        this.legacyIrq8 = legacyIrq8;
        this.routeCapability = routeCapability;
        for (int i = 0; i < 32; i++)
            if ((routeCapability & (1u << i)) != 0) routed[i] = routedLine(i);
        for (int n = 0; n < TimerCount; n++) events[n] = new TimerEvent($"hpet.timer{n}", _ => OnEvent());
        Reset();
    }

    /// <summary>LEG_RT_CNF: while set, the PIT's IRQ 0 and the RTC's IRQ 8 must not reach the interrupt controllers.</summary>
    public bool LegacyReplacement => (config & CfgLegacy) != 0;

    /// <summary>Raised with the new value when <see cref="LegacyReplacement"/> changes.</summary>
    public event Action<bool>? LegacyReplacementChanged;

    /// <summary>Power-on values (spec 2.3): halted, counter 0, comparators all ones, interrupts off.</summary>
    public void Reset()
    {
        bool wasLegacy = LegacyReplacement;
        config = 0;
        isr = 0;
        counterBase = 0;
        baseNs = clock.Now;
        processed = 0;
        for (int n = 0; n < TimerCount; n++)
        {
            timers[n] = new Timer
            {
                Config = TnPeriodicCap | TnSizeCap | (ulong)routeCapability << 32,
                Cmp = ulong.MaxValue,
                Period = 0,
            };
        }
        UpdateLines();
        Reschedule();
        if (wasLegacy) LegacyReplacementChanged?.Invoke(false);
    }

    bool Enabled => (config & CfgEnable) != 0;

    /// <summary>The main counter at virtual time <paramref name="ns"/>.</summary>
    ulong CounterAt(long ns) => Enabled ? counterBase + (ulong)((ns - baseNs) / NsPerTick) : counterBase;

    /// <summary>The main counter now.</summary>
    public ulong MainCounter => CounterAt(clock.Now);

    // ---- MMIO ----

    public ulong Read(ulong offset, int size)
    {
        int shift = (int)(offset & 7) * 8;
        ulong v = ReadRegister(offset & ~7UL) >> shift;
        return size >= 8 ? v : v & ((1UL << (8 * size)) - 1);
    }

    public void Write(ulong offset, int size, ulong value)
    {
        int shift = (int)(offset & 7) * 8;
        ulong mask = size >= 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
        WriteRegister(offset & ~7UL, value << shift, mask << shift);
    }

    ulong ReadRegister(ulong reg)
    {
        Process();
        switch (reg)
        {
            case 0x000: return Capabilities;
            case 0x010: return config;
            case 0x020: return isr;
            case 0x0F0: return MainCounter;
        }
        if (reg >= 0x100 && reg < 0x100 + 0x20 * TimerCount)
        {
            int n = (int)(reg - 0x100) / 0x20;
            switch (reg & 0x1F)
            {
                case 0x00: return timers[n].Config;
                case 0x08: return timers[n].Cmp;
            }
        }
        return 0;
    }

    static ulong Merge(ulong old, ulong value, ulong mask) => (old & ~mask) | (value & mask);

    void WriteRegister(ulong reg, ulong value, ulong mask)
    {
        Process();
        switch (reg)
        {
            case 0x010:
                WriteConfig(Merge(config, value, mask) & (CfgEnable | CfgLegacy));
                return;
            case 0x020:
                // Write 1 to clear a level-triggered timer's status (spec 2.3.7).
                isr &= ~(value & mask);
                UpdateLines();
                return;
            case 0x0F0:
                counterBase = Merge(MainCounter, value, mask);
                baseNs = clock.Now;
                processed = counterBase;
                Reschedule();
                return;
        }
        if (reg >= 0x100 && reg < 0x100 + 0x20 * TimerCount)
        {
            int n = (int)(reg - 0x100) / 0x20;
            switch (reg & 0x1F)
            {
                case 0x00: WriteTimerConfig(n, Merge(timers[n].Config, value, mask)); break;
                case 0x08: WriteComparator(n, value, mask); break;
            }
        }
    }

    void WriteConfig(ulong value)
    {
        ulong old = config;
        if ((old & CfgEnable) != 0 && (value & CfgEnable) == 0)
        {
            counterBase = MainCounter;   // halt: the counter keeps its value
        }
        config = value;
        if ((old & CfgEnable) == 0 && (value & CfgEnable) != 0)
        {
            baseNs = clock.Now;
            processed = counterBase;
        }
        UpdateLines();
        Reschedule();
        if (((old ^ value) & CfgLegacy) != 0) LegacyReplacementChanged?.Invoke(LegacyReplacement);
    }

    void WriteTimerConfig(int n, ulong value)
    {
        ref Timer t = ref timers[n];
        ulong old = t.Config;
        ulong route = value & TnRouteMask;
        // A route the timer cannot use is not taken: the field reads back its old value (spec 2.3.8).
        if ((routeCapability & (1u << (int)(route >> 9))) == 0) route = old & TnRouteMask;
        t.Config = (old & ~TnWritable) | (value & TnWritable & ~TnRouteMask) | route;
        if ((t.Config & Tn32Bit) != 0)
        {
            t.Cmp = (uint)t.Cmp;
            t.Period = (uint)t.Period;
        }
        if ((t.Config & TnLevel) == 0) isr &= ~(1UL << n);
        UpdateLines();
        Reschedule();
    }

    void WriteComparator(int n, ulong value, ulong mask)
    {
        ref Timer t = ref timers[n];
        bool is32 = (t.Config & Tn32Bit) != 0;
        bool periodic = (t.Config & TnPeriodic) != 0;
        if (!periodic || (t.Config & TnValSet) != 0) t.Cmp = Merge(t.Cmp, value, mask);
        if (periodic) t.Period = Merge(t.Period, value, mask);
        if (is32)
        {
            t.Cmp = (uint)t.Cmp;
            t.Period = (uint)t.Period;
        }
        t.Config &= ~TnValSet;
        Reschedule();
    }

    // ---- comparator matches ----

    void OnEvent()
    {
        Process();
        Reschedule();
    }

    /// <summary>Handles every comparator match between <see cref="processed"/> and the counter now.</summary>
    void Process()
    {
        if (!Enabled) return;
        ulong now = MainCounter;
        if (now <= processed) return;
        ulong from = processed;
        processed = now;
        for (int n = 0; n < TimerCount; n++)
            if (Match(ref timers[n], from, now)) Fire(n);
    }

    /// <summary>True if timer <paramref name="t"/> matched in (from, now]; a periodic comparator moves past now.</summary>
    static bool Match(ref Timer t, ulong from, ulong now)
    {
        bool periodic = (t.Config & TnPeriodic) != 0;
        if ((t.Config & Tn32Bit) == 0)
        {
            if (t.Cmp <= from || t.Cmp > now) return false;
            if (periodic && t.Period != 0) t.Cmp += ((now - t.Cmp) / t.Period + 1) * t.Period;
            return true;
        }
        ulong first = from + Delta32((uint)t.Cmp, from);
        if (first > now) return false;
        uint p = (uint)t.Period;
        if (periodic && p != 0) t.Cmp = (uint)(t.Cmp + ((now - first) / p + 1) * p);
        return true;
    }

    /// <summary>Ticks from <paramref name="from"/> until its low 32 bits next equal <paramref name="cmp"/>.</summary>
    static ulong Delta32(uint cmp, ulong from)
    {
        uint d = cmp - (uint)from;
        return d == 0 ? 1UL << 32 : d;
    }

    /// <summary>The counter value of timer <paramref name="n"/>'s next match after <see cref="processed"/>, or null.</summary>
    ulong? NextMatch(int n)
    {
        ref Timer t = ref timers[n];
        if ((t.Config & Tn32Bit) != 0) return processed + Delta32((uint)t.Cmp, processed);
        return t.Cmp > processed ? t.Cmp : null;
    }

    void Reschedule()
    {
        for (int n = 0; n < TimerCount; n++)
        {
            ulong? m = Enabled ? NextMatch(n) : null;
            ulong ticks = m.HasValue ? m.Value - counterBase : 0;
            if (m.HasValue && ticks < (ulong)(long.MaxValue / NsPerTick) - (ulong)Math.Max(0, baseNs))
                clock.Schedule(events[n], baseNs + (long)ticks * NsPerTick);
            else
                clock.Cancel(events[n]);
        }
    }

    // ---- interrupt lines ----

    IrqLine? LineOf(int n)
    {
        if (LegacyReplacement && n == 0) return legacyIrq0;
        if (LegacyReplacement && n == 1) return legacyIrq8;
        return routed[(int)(timers[n].Config & TnRouteMask) >> 9];
    }

    void Fire(int n)
    {
        ref Timer t = ref timers[n];
        if ((t.Config & TnLevel) != 0)
        {
            isr |= 1UL << n;
            UpdateLines();
            return;
        }
        if ((t.Config & TnIntEnable) == 0) return;
        var line = LineOf(n);
        if (line != null && !held.Contains(line)) line.Pulse();
    }

    /// <summary>Drives every line a level-triggered timer holds: status bit set, interrupt enabled, counter enabled.</summary>
    void UpdateLines()
    {
        var want = new HashSet<IrqLine>();
        if (Enabled)
        {
            for (int n = 0; n < TimerCount; n++)
            {
                ulong c = timers[n].Config;
                if ((isr & (1UL << n)) != 0 && (c & TnLevel) != 0 && (c & TnIntEnable) != 0 && LineOf(n) is { } line)
                    want.Add(line);
            }
        }
        foreach (var line in held)
            if (!want.Contains(line)) line.Lower();
        foreach (var line in want) line.Raise();
        held.Clear();
        held.UnionWith(want);
    }

    // ---- save/restore ----

    public string SnapshotName => "hpet";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(config);
        w.Write(isr);
        w.Write(counterBase);
        w.Write(baseNs);
        w.Write(processed);
        foreach (var t in timers)
        {
            w.Write(t.Config);
            w.Write(t.Cmp);
            w.Write(t.Period);
        }
    }

    /// <summary>Loads the registers, drives the level-triggered lines and re-arms the match events.</summary>
    public void LoadState(BinaryReader r, int version)
    {
        bool wasLegacy = LegacyReplacement;
        config = r.ReadUInt64() & (CfgEnable | CfgLegacy);
        isr = r.ReadUInt64();
        counterBase = r.ReadUInt64();
        baseNs = r.ReadInt64();
        processed = r.ReadUInt64();
        for (int n = 0; n < TimerCount; n++)
            timers[n] = new Timer { Config = r.ReadUInt64(), Cmp = r.ReadUInt64(), Period = r.ReadUInt64() };
        UpdateLines();
        Reschedule();
        if (wasLegacy != LegacyReplacement) LegacyReplacementChanged?.Invoke(LegacyReplacement);
    }
}
