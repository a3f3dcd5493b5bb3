using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Timers;

/// <summary>
/// The Intel 8254 programmable interval timer of a PC: ports 0x40-0x42 (counters 0-2) and
/// 0x43 (control word), clocked at 1.193182 MHz. Counter 0's OUT drives IRQ 0; counter 1 is
/// the DRAM refresh counter (its OUT goes nowhere); counter 2 feeds the speaker, its GATE is
/// port 0x61 bit 0 and its OUT is read back in port 0x61 bit 5 (<see cref="SystemControlPortB"/>).
/// Counters 0 and 1 have GATE tied high.
/// </summary>
/// <remarks>
/// <para>Nothing runs per clock: the count and OUT are computed from the virtual time on
/// demand, and a <see cref="TimerEvent"/> is scheduled only for counter 0's next OUT edge
/// (both edges, so the IRQ 0 line follows OUT exactly). The CLK edges fall at
/// t = ceil(k * 10^9 / 1193182) ns; a count written between edges k-1 and k is taken into the
/// counting element on edge k (8254 datasheet, "Operation": "the initial count is loaded on the
/// next CLK pulse"), so mode 0 with count N raises OUT N+1 edges after the write.</para>
/// <para>The modes (datasheet, "Mode Definitions"), for a count N:</para>
/// <code>
/// mode 0  OUT low at the control word; high N+1 CLKs after the count write; stays high
/// mode 1  OUT low from the CLK after a GATE rising edge for N CLKs, then high (retriggerable)
/// mode 2  OUT high, low for one CLK when the count reaches 1, reload N: period N
/// mode 3  OUT high for ceil(N/2), low for floor(N/2) CLKs: period N; count steps by 2
/// mode 4  OUT high, low for one CLK N+1 CLKs after the count write (software strobe)
/// mode 5  as mode 4, started by a GATE rising edge (hardware strobe)
/// </code>
/// <para>Known limits: with a count of 1 (illegal in modes 2 and 3), mode 2 keeps OUT low
/// and mode 3 keeps it high. A count with non-decimal digits in BCD mode counts as the sum of
/// its digit weights. The count read before the first CLK after a count write (or while a
/// counter waits for its first GATE trigger) is the value the counting element held before.</para>
/// </remarks>
public sealed class Pit8254 : IIoDevice, ISaveable
{
    /// <summary>The input clock, 1.193182 MHz (14.31818 MHz / 12).</summary>
    public const long Frequency = 1_193_182;

    public const ushort BasePort = 0x40;

    readonly VirtualClock clock;
    readonly IrqLine irq0;
    readonly TimerEvent out0Event;
    readonly Counter[] counters = new Counter[3];

    /// <summary>Creates the PIT; <paramref name="irq0"/> follows counter 0's OUT.</summary>
    public Pit8254(VirtualClock clock, IrqLine irq0)
    {
        this.clock = clock;
        this.irq0 = irq0;
        out0Event = new TimerEvent("pit.out0", due => UpdateOut0(TickAt(due)));
        Reset();
    }

    /// <summary>The counter state the datasheet describes, computed lazily from <see cref="RefTick"/>.</summary>
    internal struct Counter
    {
        public byte Control;        // bits 5-0 of the last control word: RW1 RW0 M2 M1 M0 BCD
        public ushort Cr;           // count register, as written (BCD digits in BCD mode)
        public bool WriteMsbNext;   // write flip-flop for RW = LSB then MSB
        public bool ReadMsbNext;    // read flip-flop for RW = LSB then MSB
        public ushort Ol;           // output latch
        public bool OlLatched;
        public byte StatusLatch;
        public bool StatusLatched;
        public bool Gate;
        public bool HasCount;       // a count has been written since the control word
        public bool Running;        // the counting element counts from RefTick
        public long RefTick;        // the CLK edge at which the counting element held CeRef (modes 0,1,4,5) or N (2,3)
        public int CeRef;           // modes 0,1,4,5: the count at RefTick, unwrapped (65536 for a 0 count)
        public int N;               // modes 2,3: the count in effect
        public bool Done;           // modes 0,1,4,5: the terminal count was passed before RefTick
        public int HeldCe;          // the counting element while not counting (or before RefTick)
        public bool HeldOut;        // OUT while not counting (or before RefTick)
        public long NullUntil;      // status NULL COUNT is 1 for ticks before this
        public bool ReloadPending;  // modes 2,3: a new count waits for the end of the cycle
        public long ReloadTick;
        public int ReloadN;
        public bool ReloadLow;      // mode 3: the new count starts in the low half-cycle

        public readonly int Mode => (Control >> 1 & 7) switch { 6 => 2, 7 => 3, var m => m };
        public readonly int Rw => Control >> 4 & 3;
        public readonly bool Bcd => (Control & 1) != 0;
        public readonly int Modulus => Bcd ? 10000 : 65536;
    }

    // ---- time ----

    /// <summary>The number of CLK edges up to virtual time <paramref name="ns"/>.</summary>
    public static long TickAt(long ns) => ns <= 0 ? 0 : (long)((Int128)ns * Frequency / 1_000_000_000);

    /// <summary>The virtual time of CLK edge <paramref name="tick"/>.</summary>
    public static long TimeOfTick(long tick) => (long)(((Int128)tick * 1_000_000_000 + Frequency - 1) / Frequency);

    long NowTick => TickAt(clock.Now);

    // ---- reset ----

    /// <summary>Power-on state: no counter programmed, counters 0/1 gated on, OUT high.</summary>
    public void Reset()
    {
        for (int i = 0; i < 3; i++)
        {
            counters[i] = new Counter
            {
                Control = 0x30,      // status reads as "LSB then MSB, mode 0, binary" until programmed
                Gate = i != 2,
                HeldOut = true,
                NullUntil = long.MaxValue,
            };
        }
        UpdateOut0();
    }

    // ---- port interface ----

    public uint In(ushort port, int size)
    {
        uint v = 0;
        for (int i = 0; i < size; i++)
        {
            int p = port + i;
            uint b = p >= BasePort && p <= BasePort + 3 ? ReadPort(p - BasePort) : 0xFFu;
            v |= b << (8 * i);
        }
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        for (int i = 0; i < size; i++)
        {
            int p = port + i;
            if (p >= BasePort && p <= BasePort + 3) WritePort(p - BasePort, (byte)(value >> (8 * i)));
        }
    }

    byte ReadPort(int reg)
    {
        if (reg == 3) return 0xFF;   // the control word register cannot be read (datasheet, "Read Operations")
        long t = NowTick;
        ref Counter c = ref counters[reg];
        Normalize(ref c, t);
        if (c.StatusLatched)
        {
            c.StatusLatched = false;
            return c.StatusLatch;
        }
        ushort value = c.OlLatched ? c.Ol : Display(in c, Ce(in c, t));
        byte result;
        switch (c.Rw)
        {
            case 1: result = (byte)value; c.OlLatched = false; break;
            case 2: result = (byte)(value >> 8); c.OlLatched = false; break;
            default:
                if (c.ReadMsbNext) { result = (byte)(value >> 8); c.OlLatched = false; }
                else result = (byte)value;
                c.ReadMsbNext = !c.ReadMsbNext;
                break;
        }
        return result;
    }

    void WritePort(int reg, byte value)
    {
        long t = NowTick;
        if (reg == 3)
        {
            WriteControl(value, t);
            return;
        }
        WriteCount(reg, value, t);
    }

    void WriteControl(byte value, long t)
    {
        int sc = value >> 6;
        if (sc == 3)
        {
            // Read-back command (datasheet, "Read-Back Command"): bit 5 = /COUNT, bit 4 = /STATUS,
            // bits 3-1 select counters 2, 1, 0.
            for (int i = 0; i < 3; i++)
            {
                if ((value & (2 << i)) == 0) continue;
                ref Counter c = ref counters[i];
                Normalize(ref c, t);
                if ((value & 0x20) == 0) LatchCount(ref c, t);
                if ((value & 0x10) == 0 && !c.StatusLatched)
                {
                    c.StatusLatch = Status(in c, t);
                    c.StatusLatched = true;
                }
            }
            return;
        }
        ref Counter k = ref counters[sc];
        Normalize(ref k, t);
        if ((value & 0x30) == 0)
        {
            LatchCount(ref k, t);   // counter latch command
            return;
        }
        // A control word resets the counter's control logic: OUT goes to its initial state
        // (low in mode 0, high otherwise) and counting waits for a new count.
        int ce = Ce(in k, t);
        k.Control = (byte)(value & 0x3F);
        k.WriteMsbNext = false;
        k.ReadMsbNext = false;
        k.OlLatched = false;
        k.StatusLatched = false;
        k.HasCount = false;
        k.Running = false;
        k.ReloadPending = false;
        k.HeldCe = ce;
        k.HeldOut = k.Mode != 0;
        k.NullUntil = long.MaxValue;
        if (sc == 0) UpdateOut0();
    }

    void LatchCount(ref Counter c, long t)
    {
        if (c.OlLatched) return;   // a second latch before the first is read is ignored
        c.Ol = Display(in c, Ce(in c, t));
        c.OlLatched = true;
    }

    byte Status(in Counter c, long t) =>
        (byte)((Out(in c, t) ? 0x80 : 0) | (t < c.NullUntil ? 0x40 : 0) | c.Control);

    void WriteCount(int index, byte value, long t)
    {
        ref Counter c = ref counters[index];
        Normalize(ref c, t);
        switch (c.Rw)
        {
            case 1: c.Cr = value; break;
            case 2: c.Cr = (ushort)(value << 8); break;
            default:
                if (!c.WriteMsbNext)
                {
                    c.Cr = (ushort)((c.Cr & 0xFF00) | value);
                    c.WriteMsbNext = true;
                    // Mode 0: "writing the first byte disables counting; OUT is set low immediately".
                    if (c.Mode == 0) Suspend(ref c, t, outLow: true);
                    if (index == 0) UpdateOut0();
                    return;
                }
                c.Cr = (ushort)((c.Cr & 0x00FF) | (value << 8));
                c.WriteMsbNext = false;
                break;
        }
        CountWritten(ref c, t);
        if (index == 0) UpdateOut0();
    }

    /// <summary>The count register's value as a number of CLKs (0 means the full modulus).</summary>
    static int CountOf(in Counter c)
    {
        int n = c.Bcd
            ? (c.Cr >> 12 & 0xF) * 1000 + (c.Cr >> 8 & 0xF) * 100 + (c.Cr >> 4 & 0xF) * 10 + (c.Cr & 0xF)
            : c.Cr;
        return n == 0 ? c.Modulus : n;
    }

    void CountWritten(ref Counter c, long t)
    {
        int n = CountOf(in c);
        bool first = !c.HasCount;
        c.HasCount = true;
        switch (c.Mode)
        {
            case 0:
            case 4:
                // Loaded on the next CLK; counting continues from the new count (modes 0 and 4).
                StartOneShot(ref c, t, n, loadTick: t + 1);
                c.NullUntil = t + 1;
                if (!c.Gate) Suspend(ref c, t + 1, outLow: false);
                break;
            case 1:
            case 5:
                // Waits for a GATE trigger; a count written during a one-shot takes effect at the
                // next trigger.
                c.NullUntil = long.MaxValue;
                break;
            default:   // 2, 3
                if (first || !c.Running)
                {
                    c.N = n;
                    c.ReloadPending = false;
                    if (c.Gate)
                    {
                        c.HeldCe = Ce(in c, t);
                        c.HeldOut = true;
                        c.Running = true;
                        c.RefTick = t + 1;
                        c.NullUntil = t + 1;
                    }
                    else
                    {
                        c.NullUntil = long.MaxValue;   // loaded when GATE rises
                    }
                }
                else if (t < c.RefTick)
                {
                    c.N = n;   // not loaded yet: the new count is the one that loads
                    c.NullUntil = c.RefTick;
                }
                else if (c.ReloadPending)
                {
                    c.ReloadN = n;
                }
                else
                {
                    // "Writing a new count while counting does not affect the current counting
                    // sequence": it is loaded at the end of the period (mode 2) or half-cycle (mode 3).
                    long d = t - c.RefTick;
                    long p = d % c.N;
                    c.ReloadPending = true;
                    c.ReloadN = n;
                    if (c.Mode == 2)
                    {
                        c.ReloadTick = t + (c.N - p);
                        c.ReloadLow = false;
                    }
                    else
                    {
                        int h = (c.N + 1) / 2;
                        c.ReloadLow = p < h;
                        c.ReloadTick = p < h ? t + (h - p) : t + (c.N - p);
                    }
                    c.NullUntil = c.ReloadTick;
                }
                break;
        }
    }

    void StartOneShot(ref Counter c, long t, int n, long loadTick)
    {
        c.HeldCe = Ce(in c, t);
        c.HeldOut = c.Mode != 0 && Out(in c, t);
        c.Running = true;
        c.RefTick = loadTick;
        c.CeRef = n;
        c.Done = false;
    }

    /// <summary>Stops the counting element at tick <paramref name="t"/>, keeping its count.</summary>
    static void Suspend(ref Counter c, long t, bool outLow)
    {
        if (c.Running && t >= c.RefTick)
        {
            long d = t - c.RefTick;
            if (c.Mode is 2 or 3)
            {
                c.HeldCe = Ce(in c, t);
            }
            else
            {
                bool done = c.Done || d >= c.CeRef;
                // Unwrapped (the CLKs left to the terminal count) until done, then as read.
                c.HeldCe = done ? Wrap(in c, (int)(c.CeRef - d % c.Modulus)) : (int)(c.CeRef - d);
                c.HeldOut = Out(in c, t);
                c.Done = done;
            }
        }
        else if (c.Running)
        {
            // Suspended before the load edge: the count is loaded but does not count.
            c.HeldCe = c.Mode is 2 or 3 ? c.N : c.CeRef;
        }
        c.Running = false;
        c.ReloadPending = false;
        if (outLow) c.HeldOut = false;
    }

    // ---- GATE ----

    /// <summary>Drives counter <paramref name="index"/>'s GATE input (the board: counter 2 from port 0x61).</summary>
    public void SetGate(int index, bool level)
    {
        long t = NowTick;
        ref Counter c = ref counters[index];
        Normalize(ref c, t);
        if (c.Gate == level) return;
        c.Gate = level;
        switch (c.Mode)
        {
            case 0:
            case 4:
                // GATE low suspends counting; high resumes it (datasheet, "Gate" table).
                if (!c.HasCount) break;
                if (!level) Suspend(ref c, t, outLow: false);
                else if (!c.Running && !(c.Mode == 0 && c.WriteMsbNext))   // mode 0: half a count written stops counting
                {
                    bool done = c.Done;
                    c.Running = true;
                    c.RefTick = t;
                    c.CeRef = c.HeldCe;
                    c.Done = done;
                }
                break;
            case 1:
            case 5:
                // A rising edge triggers: the count loads on the next CLK.
                if (level && c.HasCount)
                {
                    StartOneShot(ref c, t, CountOf(in c), loadTick: t + 1);
                    if (c.NullUntil == long.MaxValue) c.NullUntil = t + 1;
                }
                break;
            default:
                // Modes 2 and 3: GATE low stops counting and sets OUT high at once; a rising edge
                // reloads the count on the next CLK.
                if (!level)
                {
                    if (c.ReloadPending) c.N = c.ReloadN;
                    Suspend(ref c, t, outLow: false);
                    c.HeldOut = true;
                }
                else if (c.HasCount)
                {
                    c.HeldCe = Ce(in c, t);
                    c.HeldOut = true;
                    c.Running = true;
                    c.RefTick = t + 1;
                    if (c.NullUntil == long.MaxValue) c.NullUntil = t + 1;
                }
                break;
        }
        if (index == 0) UpdateOut0();
    }

    /// <summary>Counter <paramref name="index"/>'s GATE input level.</summary>
    public bool GetGate(int index) => counters[index].Gate;

    /// <summary>Counter <paramref name="index"/>'s OUT at the current virtual time.</summary>
    public bool GetOut(int index)
    {
        long t = NowTick;
        Normalize(ref counters[index], t);
        return Out(in counters[index], t);
    }

    /// <summary>The counting element's value now (as a read would show it, BCD in BCD mode).</summary>
    public ushort GetCount(int index)
    {
        long t = NowTick;
        Normalize(ref counters[index], t);
        return Display(in counters[index], Ce(in counters[index], t));
    }

    // ---- the counting element, as a function of the CLK edge number ----

    static void Normalize(ref Counter c, long t)
    {
        if (c.ReloadPending && t >= c.ReloadTick)
        {
            c.N = c.ReloadN;
            c.RefTick = c.ReloadTick - (c.ReloadLow ? (c.N + 1) / 2 : 0);
            c.ReloadPending = false;
        }
    }

    static int Wrap(in Counter c, int v)
    {
        int m = c.Modulus;
        return ((v % m) + m) % m;
    }

    static ushort Display(in Counter c, int ce)
    {
        int v = Wrap(in c, ce);
        if (!c.Bcd) return (ushort)v;
        return (ushort)((v / 1000 << 12) | (v / 100 % 10 << 8) | (v / 10 % 10 << 4) | (v % 10));
    }

    /// <summary>The counting element at tick <paramref name="t"/> (unwrapped); the state must be normalized.</summary>
    static int Ce(in Counter c, long t)
    {
        if (!c.Running || t < c.RefTick) return c.HeldCe;
        long d = t - c.RefTick;
        switch (c.Mode)
        {
            case 2:
                return (int)(c.N - d % c.N);
            case 3:
            {
                int h = (c.N + 1) / 2;
                int top = c.N & ~1;
                long p = d % c.N;
                return (int)(p < h ? top - 2 * p : top - 2 * (p - h));
            }
            default:
                return Wrap(in c, (int)((c.CeRef - d % c.Modulus) % c.Modulus));
        }
    }

    static bool Out(in Counter c, long t)
    {
        if (!c.Running || t < c.RefTick) return c.HeldOut;
        long d = t - c.RefTick;
        switch (c.Mode)
        {
            case 0:
            case 1:
                return c.Done || d >= c.CeRef;
            case 2:
                return d % c.N != c.N - 1;
            case 3:
                return d % c.N < (c.N + 1) / 2;
            default:   // 4, 5
                return c.Done || d != c.CeRef;
        }
    }

    /// <summary>The first tick after <paramref name="t"/> at which OUT changes, or long.MaxValue.</summary>
    static long NextChange(Counter c, long t)
    {
        Normalize(ref c, t);
        bool now = Out(in c, t);
        long next = SegmentNextChange(in c, t, now);
        if (c.ReloadPending && next >= c.ReloadTick)
        {
            long r = c.ReloadTick;
            Normalize(ref c, r);
            if (Out(in c, r) != now) return r;
            return SegmentNextChange(in c, r, now);
        }
        return next;
    }

    static long SegmentNextChange(in Counter c, long t, bool now)
    {
        if (!c.Running) return long.MaxValue;
        if (t < c.RefTick)
        {
            if (Out(in c, c.RefTick) != now) return c.RefTick;
            return SegmentNextChange(in c, c.RefTick, now);
        }
        long d = t - c.RefTick;
        switch (c.Mode)
        {
            case 0:
            case 1:
                return c.Done || d >= c.CeRef ? long.MaxValue : c.RefTick + c.CeRef;
            case 4:
            case 5:
                if (c.Done || d > c.CeRef) return long.MaxValue;
                return d < c.CeRef ? c.RefTick + c.CeRef : t + 1;
            case 2:
            {
                if (c.N == 1) return long.MaxValue;
                long p = d % c.N;
                return p < c.N - 1 ? t + (c.N - 1 - p) : t + 1;
            }
            default:
            {
                if (c.N == 1) return long.MaxValue;
                int h = (c.N + 1) / 2;
                long p = d % c.N;
                return p < h ? t + (h - p) : t + (c.N - p);
            }
        }
    }

    // ---- IRQ 0 ----

    void UpdateOut0() => UpdateOut0(NowTick);

    /// <summary>
    /// Drives IRQ 0 to OUT 0 at tick <paramref name="t"/> and schedules the next edge. The event
    /// passes its own due tick, so a one-CLK pulse is never skipped when the CPU overshoots it.
    /// </summary>
    void UpdateOut0(long t)
    {
        ref Counter c = ref counters[0];
        Normalize(ref c, t);
        irq0.Set(Out(in c, t));
        long next = NextChange(c, t);
        if (next == long.MaxValue) clock.Cancel(out0Event);
        else clock.Schedule(out0Event, TimeOfTick(next));
    }

    // ---- save/restore ----

    public string SnapshotName => "pit";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        long t = NowTick;
        for (int i = 0; i < 3; i++) Normalize(ref counters[i], t);
        foreach (ref readonly Counter c in counters.AsSpan())
        {
            w.Write(c.Control); w.Write(c.Cr); w.Write(c.WriteMsbNext); w.Write(c.ReadMsbNext);
            w.Write(c.Ol); w.Write(c.OlLatched); w.Write(c.StatusLatch); w.Write(c.StatusLatched);
            w.Write(c.Gate); w.Write(c.HasCount); w.Write(c.Running); w.Write(c.RefTick);
            w.Write(c.CeRef); w.Write(c.N); w.Write(c.Done); w.Write(c.HeldCe); w.Write(c.HeldOut);
            w.Write(c.NullUntil); w.Write(c.ReloadPending); w.Write(c.ReloadTick); w.Write(c.ReloadN);
            w.Write(c.ReloadLow);
        }
    }

    /// <summary>Loads the counters and re-arms counter 0's edge event; IRQ 0 is driven to OUT 0.</summary>
    public void LoadState(BinaryReader r, int version)
    {
        for (int i = 0; i < 3; i++)
        {
            counters[i] = new Counter
            {
                Control = r.ReadByte(), Cr = r.ReadUInt16(), WriteMsbNext = r.ReadBoolean(), ReadMsbNext = r.ReadBoolean(),
                Ol = r.ReadUInt16(), OlLatched = r.ReadBoolean(), StatusLatch = r.ReadByte(), StatusLatched = r.ReadBoolean(),
                Gate = r.ReadBoolean(), HasCount = r.ReadBoolean(), Running = r.ReadBoolean(), RefTick = r.ReadInt64(),
                CeRef = r.ReadInt32(), N = r.ReadInt32(), Done = r.ReadBoolean(), HeldCe = r.ReadInt32(), HeldOut = r.ReadBoolean(),
                NullUntil = r.ReadInt64(), ReloadPending = r.ReadBoolean(), ReloadTick = r.ReadInt64(), ReloadN = r.ReadInt32(),
                ReloadLow = r.ReadBoolean(),
            };
            // A corrupt snapshot must not divide by zero: a periodic count of 0 stops the counter.
            ref Counter c = ref counters[i];
            if (c.N <= 0 && c.Running && c.Mode is 2 or 3) c.Running = false;
            if (c.ReloadN <= 0) c.ReloadPending = false;
        }
        UpdateOut0();
    }
}
