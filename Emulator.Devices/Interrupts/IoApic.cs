using Emulator.Core.Memory;
using Emulator.Core.State;

namespace Emulator.Devices.Interrupts;

/// <summary>
/// The I/O APIC at 0xFEC00000 as QEMU's <c>ioapic</c> presents it: version 0x20 with 24
/// redirection entries (version register 0x00170020), IOREGSEL at offset 0x00, IOWIN at 0x10 and
/// the EOI register at 0x40. Registers follow the 82093AA datasheet (ID 0x00, version 0x01,
/// arbitration ID 0x02, redirection table 0x10-0x3F); inputs are the 24 global system interrupts.
/// </summary>
/// <remarks>
/// Edge-triggered pins deliver on a rising edge while unmasked (a masked edge is lost, 82093AA
/// 3.2.4); level-triggered pins deliver while asserted, set remote IRR when the local APIC accepts
/// the interrupt and clear it on the local APIC's EOI broadcast (or a write of the vector to the EOI
/// register), re-delivering if the pin is still asserted.
/// Known limits:
/// <list type="bullet">
/// <item>There is one CPU: fixed and lowest-priority messages go to the single local APIC when the
/// destination (physical or logical) names it; a destination naming only other CPUs delivers
/// nothing. NMI is delivered; SMI, INIT and ExtINT messages are not.</item>
/// <item>The inputs carry the asserted state, so the polarity bit is stored but not applied (as QEMU);
/// delivery is immediate and the delivery-status bit always reads idle.</item>
/// <item>Accesses to IOWIN narrower than 32 bits read and merge the addressed bytes; other offsets read 0.</item>
/// </list>
/// </remarks>
public sealed class IoApic : IMmioHandler, ISaveable
{
    public const ulong DefaultBase = 0xFEC0_0000;
    public const ulong Length = 0x1000;
    public const int Pins = 24;
    /// <summary>Version 0x20, maximum redirection entry 23.</summary>
    public const uint VersionValue = 0x0017_0020;

    const ulong OffRegSel = 0x00, OffWindow = 0x10, OffEoi = 0x40;
    const int RegId = 0x00, RegVersion = 0x01, RegArbitration = 0x02, RegRedirFirst = 0x10;
    const ulong Masked = 1UL << 16, RemoteIrr = 1UL << 14, LevelTrigger = 1UL << 15;
    /// <summary>Writable bits of an entry: vector, delivery mode, destination mode, polarity, trigger, mask; destination 63:56 and EDID 55:48.</summary>
    const ulong EntryWritable = 0xFFFF_0000_0001_AFFFUL;

    readonly LocalApic apic;
    readonly ulong[] redir = new ulong[Pins];
    byte regSel;
    uint id;
    uint irr;     // requests waiting for delivery (level pins: the asserted level)
    uint lines;   // asserted inputs

    /// <summary>Creates the IOAPIC delivering to <paramref name="apic"/> and listening to its EOI broadcasts.</summary>
    public IoApic(LocalApic apic)
    {
        this.apic = apic;
        apic.LevelTriggeredEoi += Eoi;
        Reset();
    }

    /// <summary>Reset: ID 0, every entry masked, edge, fixed, vector 0.</summary>
    public void Reset()
    {
        regSel = 0;
        id = 0;
        irr = 0;
        for (int i = 0; i < Pins; i++) redir[i] = Masked;
    }

    public ulong Entry(int pin) => redir[pin];

    /// <summary>Drives input <paramref name="gsi"/> (0-23) with its asserted state; the board's IrqLine sink calls this.</summary>
    public void SetIrq(int gsi, bool level)
    {
        if ((uint)gsi >= Pins) return;
        uint mask = 1u << gsi;
        bool was = (lines & mask) != 0;
        if (level) lines |= mask; else lines &= ~mask;
        ulong e = redir[gsi];
        if ((e & LevelTrigger) != 0)
        {
            if (level) irr |= mask; else irr &= ~mask;
        }
        else if (level && !was && (e & Masked) == 0)
        {
            irr |= mask;
        }
        Service();
    }

    /// <summary>Sends every deliverable request to the local APIC.</summary>
    void Service()
    {
        for (int pin = 0; pin < Pins; pin++)
        {
            uint mask = 1u << pin;
            if ((irr & mask) == 0) continue;
            ref ulong e = ref redir[pin];
            if ((e & Masked) != 0) continue;
            if ((e & LevelTrigger) != 0)
            {
                if ((e & RemoteIrr) != 0) continue;
                int mode = (int)(e >> 8) & 7;
                if (Deliver(e) && (mode is LocalApic.ModeFixed or LocalApic.ModeLowestPriority)) e |= RemoteIrr;
            }
            else
            {
                irr &= ~mask;
                Deliver(e);
            }
        }
    }

    bool Deliver(ulong e) =>
        apic.DeliverMessage((int)(e >> 8) & 7, (int)(e & 0xFF), (e & LevelTrigger) != 0, (byte)(e >> 56), (e & 0x800) != 0);

    /// <summary>An EOI for <paramref name="vector"/>: clears remote IRR of the level-triggered entries with that vector.</summary>
    public void Eoi(byte vector)
    {
        for (int pin = 0; pin < Pins; pin++)
        {
            ref ulong e = ref redir[pin];
            if ((e & RemoteIrr) != 0 && (byte)e == vector) e &= ~RemoteIrr;
        }
        Service();
    }

    // ---- registers ----

    public uint ReadRegister(int index)
    {
        switch (index)
        {
            case RegId: return id;
            case RegVersion: return VersionValue;
            case RegArbitration: return id;   // the arbitration ID is loaded from the ID (82093AA 3.2.3)
            case >= RegRedirFirst and < RegRedirFirst + 2 * Pins:
            {
                ulong e = redir[(index - RegRedirFirst) >> 1];
                return (index & 1) == 0 ? (uint)e : (uint)(e >> 32);
            }
            default: return 0;
        }
    }

    public void WriteRegister(int index, uint value)
    {
        switch (index)
        {
            case RegId: id = value & 0x0F00_0000; break;
            case >= RegRedirFirst and < RegRedirFirst + 2 * Pins:
            {
                int pin = (index - RegRedirFirst) >> 1;
                ref ulong e = ref redir[pin];
                if ((index & 1) == 0)
                {
                    ulong readOnly = e & (RemoteIrr | 0xFFFF_FFFF_0000_0000UL);
                    e = readOnly | (value & EntryWritable);
                    if ((e & LevelTrigger) == 0) e &= ~RemoteIrr;   // an edge entry has no remote IRR (as QEMU)
                    uint mask = 1u << pin;
                    if ((e & LevelTrigger) != 0) irr = (irr & ~mask) | (lines & mask);
                }
                else
                {
                    e = (e & 0xFFFF_FFFFUL) | (((ulong)value << 32) & EntryWritable);
                }
                Service();
                break;
            }
            // version and arbitration ID are read-only; other indices do not exist
        }
    }

    public ulong Read(ulong offset, int size)
    {
        if (offset == OffRegSel) return regSel;
        if (offset >= OffWindow && offset < OffWindow + 4)
        {
            int lane = (int)(offset - OffWindow);
            ulong v = ReadRegister(regSel) >> (8 * lane);
            return size >= 4 ? v : v & ((1UL << (8 * size)) - 1);
        }
        return 0;
    }

    public void Write(ulong offset, int size, ulong value)
    {
        if (offset == OffRegSel)
        {
            regSel = (byte)value;
        }
        else if (offset >= OffWindow && offset < OffWindow + 4)
        {
            int lane = (int)(offset - OffWindow);
            if (lane == 0 && size >= 4)
            {
                WriteRegister(regSel, (uint)value);
                return;
            }
            int bits = Math.Min(8 * size, 32 - 8 * lane);
            uint fieldMask = (uint)(((1UL << bits) - 1) << (8 * lane));
            uint merged = (ReadRegister(regSel) & ~fieldMask) | ((uint)(value << (8 * lane)) & fieldMask);
            WriteRegister(regSel, merged);
        }
        else if (offset == OffEoi)
        {
            Eoi((byte)value);
        }
    }

    // ---- save/restore ----

    public string SnapshotName => "ioapic";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(regSel);
        w.Write(id);
        w.Write(irr);
        w.Write(lines);
        foreach (ulong e in redir) w.Write(e);
    }

    public void LoadState(BinaryReader r, int version)
    {
        regSel = r.ReadByte();
        id = r.ReadUInt32() & 0x0F00_0000;
        irr = r.ReadUInt32() & 0xFF_FFFF;
        lines = r.ReadUInt32() & 0xFF_FFFF;
        for (int i = 0; i < Pins; i++) redir[i] = r.ReadUInt64();
    }
}
