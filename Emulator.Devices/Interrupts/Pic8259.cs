using Emulator.Core.Io;
using Emulator.Core.State;

namespace Emulator.Devices.Interrupts;

/// <summary>
/// One Intel 8259A programmable interrupt controller: two ports (A0 = 0 for ICW1, OCW2, OCW3 and
/// the IRR/ISR/poll read; A0 = 1 for ICW2-4, OCW1 and the IMR read), eight request inputs IR0-7 and
/// the INT output. <see cref="DualPic"/> wires two of them as the PC/AT pair.
/// </summary>
/// <remarks>
/// Implemented from the 8259A datasheet: the initialization sequence (ICW1-ICW4), the interrupt
/// mask (OCW1), non-specific, specific and rotating EOIs, set priority and rotation in automatic
/// EOI mode (OCW2), special mask mode, poll mode and the IRR/ISR read selection (OCW3), fully nested
/// and special fully nested modes, automatic EOI, edge and level triggering (LTIM in ICW1, or per
/// line from the PIIX ELCR register, kept here as <see cref="Elcr"/>), and the spurious IR7 answer
/// to an acknowledge with no request left.
/// Known limits:
/// <list type="bullet">
/// <item>Vectors are always formed the 8086 way (ICW2 bits 7-3 with the level); the MCS-80/85 CALL
/// sequence (ICW4 µPM = 0) is meaningless on an x86 and is not produced.</item>
/// <item>An edge-triggered request is latched in IRR on the rising edge and stays there when the
/// line falls again, as in QEMU (an <c>IrqLine.Pulse</c> would otherwise be lost); on the chip the
/// line must stay high until the acknowledge. A spurious IR7 therefore comes from a level-triggered
/// request withdrawn before the acknowledge, or an acknowledge with nothing requested.</item>
/// <item>Buffered mode and the SP/EN pin have no effect; a master's cascade inputs (ICW3 bits) are
/// sensed by level, as the slave's INT output stays high until it is acknowledged.</item>
/// </list>
/// </remarks>
public sealed class Pic8259 : IIoDevice, ISaveable
{
    /// <summary>Where unimplemented modes are reported (<c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    struct State
    {
        public byte Irr, Isr, Imr;
        /// <summary>The levels of the IR input pins.</summary>
        public byte Lines;
        /// <summary>Edge/level control, one bit per line (1 = level); PIIX ELCR1/ELCR2.</summary>
        public byte Elcr;
        /// <summary>ICW2: the vector base (bits 7-3 used).</summary>
        public byte Icw2;
        /// <summary>ICW3: slave bitmap on a master, slave ID on a slave.</summary>
        public byte Icw3;
        /// <summary>ICW4 as written (µPM, AEOI, M/S, BUF, SFNM).</summary>
        public byte Icw4;
        /// <summary>The line with the highest priority (0 after initialization; rotation moves it).</summary>
        public byte PriorityAdd;
        /// <summary>0 = operational; 1, 2, 3 = waiting for ICW2, ICW3, ICW4.</summary>
        public byte InitStep;
        public bool Icw4Needed, Single, Ltim, RotateInAeoi, SpecialMask, ReadIsr, Poll, Output;
    }

    readonly bool master;
    readonly byte elcrMask;
    State s;

    /// <summary>Creates a chip; <paramref name="elcrMask"/> gives the ELCR bits that can be set (PIIX3: 0xF8 master, 0xDE slave).</summary>
    public Pic8259(bool master, byte elcrMask = 0xFF)
    {
        this.master = master;
        this.elcrMask = elcrMask;
    }

    /// <summary>Called with the new level when the INT output changes.</summary>
    public event Action<bool>? OutputChanged;

    /// <summary>The INT output: an unmasked request is waiting that the in-service levels do not block.</summary>
    public bool Output => s.Output;

    public byte Irr => s.Irr;
    public byte Isr => s.Isr;
    public byte Imr => s.Imr;

    /// <summary>The vector of IR0 (ICW2 bits 7-3), for the monitor's <c>info pic</c>.</summary>
    public byte VectorBase => (byte)(s.Icw2 & 0xF8);
    /// <summary>The rotation state: the line with the highest priority.</summary>
    public byte HighestPriority => s.PriorityAdd;
    /// <summary>OCW3's register read select: true when port reads return the ISR.</summary>
    public bool ReadsIsr => s.ReadIsr;
    /// <summary>ICW4's special fully nested mode bit.</summary>
    public bool FullyNested => SpecialFullyNested;

    /// <summary>Edge (0) or level (1) triggering per line, the PIIX ELCR register.</summary>
    public byte Elcr
    {
        get => s.Elcr;
        set
        {
            s.Elcr = (byte)(value & elcrMask);
            ResenseLevels();
            Update();
        }
    }

    bool AutoEoi => (s.Icw4 & 0x02) != 0;
    bool SpecialFullyNested => (s.Icw4 & 0x10) != 0;

    /// <summary>Inputs whose IRR bit follows the line level: LTIM, the ELCR, and a master's cascade inputs.</summary>
    byte LevelMask => (byte)(s.Ltim ? 0xFF : s.Elcr | CascadeMask);

    /// <summary>The inputs with a slave attached (a master's ICW3 in cascade mode), else 0.</summary>
    public byte CascadeMask => master && !s.Single ? s.Icw3 : (byte)0;

    /// <summary>The vector the chip gives for level <paramref name="ir"/> (8086 mode: ICW2[7:3] | level).</summary>
    public byte Vector(int ir) => (byte)((s.Icw2 & 0xF8) | (ir & 7));

    /// <summary>Power-on / system reset: as after an ICW1, and the ELCR cleared (PIIX3 reset value).</summary>
    public void Reset()
    {
        s = new State { Lines = s.Lines, Output = s.Output };
        InitReset();
        Update();
    }

    /// <summary>Drives input IR<paramref name="ir"/> (0-7).</summary>
    public void SetLine(int ir, bool level)
    {
        if ((uint)ir > 7) return;
        byte mask = (byte)(1 << ir);
        if ((LevelMask & mask) != 0)
        {
            if (level) s.Irr |= mask; else s.Irr &= (byte)~mask;
        }
        else if (level && (s.Lines & mask) == 0)
        {
            s.Irr |= mask;   // rising edge
        }
        if (level) s.Lines |= mask; else s.Lines &= (byte)~mask;
        Update();
    }

    // ---- priority resolution (datasheet, "Interrupt sequence" and "Fully nested mode") ----

    /// <summary>The first set bit of <paramref name="bits"/> in priority order, as a rank (0 = highest), or 8.</summary>
    int Rank(int bits)
    {
        for (int rank = 0; rank < 8; rank++)
            if ((bits & (1 << ((rank + s.PriorityAdd) & 7))) != 0) return rank;
        return 8;
    }

    /// <summary>The level the chip would acknowledge now, or -1: the highest-priority unmasked request above every in-service level.</summary>
    public int PendingRequest()
    {
        if (s.SpecialMask)
        {
            // Special mask mode: every unmasked level not itself in service may interrupt, lower ones too.
            int r = Rank(s.Irr & ~s.Imr & ~s.Isr);
            return r == 8 ? -1 : (r + s.PriorityAdd) & 7;
        }
        int request = Rank(s.Irr & ~s.Imr);
        if (request == 8) return -1;
        int inService = s.Isr;
        // Special fully nested mode: a slave's further requests are let through while its cascade level is in service.
        if (SpecialFullyNested) inService &= ~CascadeMask;
        return request < Rank(inService) ? (request + s.PriorityAdd) & 7 : -1;
    }

    /// <summary>The acknowledge of level <paramref name="ir"/>: sets its ISR bit (unless automatic EOI) and clears an edge request.</summary>
    public void Acknowledge(int ir)
    {
        byte mask = (byte)(1 << ir);
        if (AutoEoi)
        {
            if (s.RotateInAeoi) s.PriorityAdd = (byte)((ir + 1) & 7);
        }
        else
        {
            s.Isr |= mask;
        }
        if ((LevelMask & mask) == 0) s.Irr &= (byte)~mask;
        Update();
    }

    void Update()
    {
        bool output = PendingRequest() >= 0;
        if (output == s.Output) return;
        s.Output = output;
        OutputChanged?.Invoke(output);
    }

    void ResenseLevels()
    {
        byte level = LevelMask;
        s.Irr = (byte)((s.Irr & ~level) | (s.Lines & level));
    }

    // ---- registers ----

    /// <summary>A read at A0 = <paramref name="a0"/>: the poll word after a poll command, else IRR/ISR (A0 = 0) or IMR (A0 = 1).</summary>
    public byte Read(int a0)
    {
        if (s.Poll)
        {
            // Poll command (OCW3 P): the read acts as the acknowledge and returns 1000 0LLL, or 0 with no request.
            s.Poll = false;
            int ir = PendingRequest();
            if (ir < 0) return 0;
            Acknowledge(ir);
            return (byte)(0x80 | ir);
        }
        if (a0 != 0) return s.Imr;
        return s.ReadIsr ? s.Isr : s.Irr;
    }

    public void Write(int a0, byte value)
    {
        if (a0 == 0)
        {
            if ((value & 0x10) != 0) WriteIcw1(value);
            else if ((value & 0x08) != 0) WriteOcw3(value);
            else WriteOcw2(value);
        }
        else
        {
            switch (s.InitStep)
            {
                case 0:
                    s.Imr = value;   // OCW1
                    break;
                case 1:
                    s.Icw2 = value;
                    s.InitStep = (byte)(!s.Single ? 2 : s.Icw4Needed ? 3 : 0);
                    break;
                case 2:
                    s.Icw3 = value;
                    s.InitStep = (byte)(s.Icw4Needed ? 3 : 0);
                    ResenseLevels();
                    break;
                default:
                    s.Icw4 = value;
                    s.InitStep = 0;
                    if ((value & 1) == 0)
                        GuestLog?.Unimplemented(master ? "pic-master" : "pic-slave", $"ICW4 0x{value:x2} selects MCS-80/85 mode, not implemented (vectors stay 8086)");
                    break;
            }
        }
        Update();
    }

    /// <summary>
    /// ICW1 starts initialization: the edge sense latches are cleared (an edge input needs a new
    /// rising edge), IMR cleared, IR7 lowest priority, special mask mode off, IRR selected for
    /// reading, and ICW4's functions zero when IC4 = 0. ISR is cleared too, as in QEMU.
    /// </summary>
    void WriteIcw1(byte value)
    {
        InitReset();
        s.Icw4Needed = (value & 0x01) != 0;
        s.Single = (value & 0x02) != 0;
        s.Ltim = (value & 0x08) != 0;
        s.InitStep = 1;
        ResenseLevels();
    }

    void InitReset()
    {
        s.Irr = 0;
        s.Isr = 0;
        s.Imr = 0;
        s.Icw3 = 0;
        s.Icw4 = 0;
        s.PriorityAdd = 0;
        s.Icw4Needed = false;
        s.Single = false;
        s.Ltim = false;
        s.RotateInAeoi = false;
        s.SpecialMask = false;
        s.ReadIsr = false;
        s.Poll = false;
        s.InitStep = 0;
    }

    /// <summary>OCW2: R, SL, EOI in bits 7-5 and the level in bits 2-0.</summary>
    void WriteOcw2(byte value)
    {
        int level = value & 7;
        switch (value >> 5)
        {
            case 0: s.RotateInAeoi = false; break;   // rotate in automatic EOI mode (clear)
            case 4: s.RotateInAeoi = true; break;    // rotate in automatic EOI mode (set)
            case 1:                                  // non-specific EOI
            case 5:                                  // rotate on non-specific EOI
            {
                int rank = Rank(s.Isr);
                if (rank == 8) break;
                int ir = (rank + s.PriorityAdd) & 7;
                s.Isr &= (byte)~(1 << ir);
                if (value >> 5 == 5) s.PriorityAdd = (byte)((ir + 1) & 7);
                break;
            }
            case 3:                                  // specific EOI
                s.Isr &= (byte)~(1 << level);
                break;
            case 7:                                  // rotate on specific EOI
                s.Isr &= (byte)~(1 << level);
                s.PriorityAdd = (byte)((level + 1) & 7);
                break;
            case 6:                                  // set priority: the level becomes the lowest
                s.PriorityAdd = (byte)((level + 1) & 7);
                break;
            // 2: no operation
        }
    }

    /// <summary>OCW3: ESMM/SMM (bits 6-5), P (bit 2), RR/RIS (bits 1-0).</summary>
    void WriteOcw3(byte value)
    {
        if ((value & 0x40) != 0) s.SpecialMask = (value & 0x20) != 0;
        if ((value & 0x02) != 0) s.ReadIsr = (value & 0x01) != 0;
        s.Poll = (value & 0x04) != 0;
    }

    // ---- IIoDevice: the two ports, A0 from the low address bit ----

    /// <summary>A byte access per port; a wider access on the ISA bus is split into byte accesses at consecutive ports.</summary>
    public uint In(ushort port, int size)
    {
        uint v = Read(port & 1);
        if (size > 1) v |= (uint)Read((port + 1) & 1) << 8;
        if (size > 2) v |= 0xFFFF_0000u;   // ports beyond the chip's two: nothing drives them
        return v;
    }

    public void Out(ushort port, int size, uint value)
    {
        Write(port & 1, (byte)value);
        if (size > 1) Write((port + 1) & 1, (byte)(value >> 8));
    }

    // ---- save/restore ----

    public string SnapshotName => master ? "pic0" : "pic1";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(s.Irr); w.Write(s.Isr); w.Write(s.Imr); w.Write(s.Lines); w.Write(s.Elcr);
        w.Write(s.Icw2); w.Write(s.Icw3); w.Write(s.Icw4); w.Write(s.PriorityAdd); w.Write(s.InitStep);
        w.Write(s.Icw4Needed); w.Write(s.Single); w.Write(s.Ltim); w.Write(s.RotateInAeoi);
        w.Write(s.SpecialMask); w.Write(s.ReadIsr); w.Write(s.Poll);
    }

    public void LoadState(BinaryReader r, int version)
    {
        s.Irr = r.ReadByte(); s.Isr = r.ReadByte(); s.Imr = r.ReadByte(); s.Lines = r.ReadByte();
        s.Elcr = (byte)(r.ReadByte() & elcrMask);
        s.Icw2 = r.ReadByte(); s.Icw3 = r.ReadByte(); s.Icw4 = r.ReadByte();
        s.PriorityAdd = (byte)(r.ReadByte() & 7); s.InitStep = (byte)Math.Min(r.ReadByte(), (byte)3);
        s.Icw4Needed = r.ReadBoolean(); s.Single = r.ReadBoolean(); s.Ltim = r.ReadBoolean();
        s.RotateInAeoi = r.ReadBoolean(); s.SpecialMask = r.ReadBoolean(); s.ReadIsr = r.ReadBoolean();
        s.Poll = r.ReadBoolean();
        // The INT output is derived; listeners (the master's cascade input) are told if it differs.
        Update();
    }
}
