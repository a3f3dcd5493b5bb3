using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.State;

namespace Emulator.Devices.Dma;

/// <summary>The transfer type in mode register bits 3:2 (8237A datasheet, mode register).</summary>
public enum DmaTransferType
{
    /// <summary>00: addresses and count advance, memory is not touched.</summary>
    Verify = 0,
    /// <summary>01: device to memory (memory write).</summary>
    Write = 1,
    /// <summary>10: memory to device (memory read).</summary>
    Read = 2,
    /// <summary>11: illegal; treated as verify.</summary>
    Illegal = 3,
}

/// <summary>
/// The PC's ISA DMA: two Intel 8237A controllers and the 74LS612 page registers. DMA1
/// (channels 0-3, bytes) at ports 0x00-0x0F; DMA2 (channels 4-7, words; channel 4 cascades
/// DMA1) at 0xC0-0xDF, register n at 0xC0 + 2n (A0 is not decoded, so odd ports alias);
/// page registers at 0x81-0x8F (channel 2: 0x81, 3: 0x82, 1: 0x83, 0: 0x87, 6: 0x89,
/// 7: 0x8A, 5: 0x8B; the others are plain read/write registers, as on the PIIX).
/// </summary>
/// <remarks>
/// <para>Port 0x80 is the page register no channel uses; it is left to the POST code device
/// (<see cref="Debug.PostCodePort"/>), whose read-back of the last byte written is exactly
/// what the page register there returns, so the DMA device does not claim it.</para>
/// <para>Per controller (8237A datasheet, register description): base and current address
/// and word count through the byte-pointer flip-flop (low byte first), the command register
/// (bit 2 disables the controller), mode (transfer type, auto-initialization, address
/// decrement, demand/single/block/cascade), request, single/all mask, status (TC bits 3:0,
/// cleared on read; request bits 7:4), master clear, clear mask, and the undocumented read of
/// all mask bits at register 0xF (as Bochs). A channel transfers count + 1 bytes (DMA1) or
/// words (DMA2); the address wraps within its 64 KiB (DMA1) or 128 KiB (DMA2, page bit 0
/// ignored) block and the page register never changes. At terminal count the status TC bit
/// is set and either the base values are reloaded (auto-init) or the channel's mask bit is
/// set (datasheet, EOP).</para>
/// <para>Devices move data with <see cref="Transfer"/>: a synchronous burst the size of the
/// device's buffer, stopping at terminal count, through <see cref="PhysicalMemory.Write"/>
/// so DMA into code pages drops decoded blocks. Single, block and demand modes all transfer
/// that way. A device whose transfer finds the channel masked can wait for
/// <see cref="ChannelUnmasked"/>; <see cref="SetRequest"/> drives a channel's DREQ status bit.</para>
/// <para>Not modelled: memory-to-memory transfers (command bit 0) and the temporary register
/// (reads 0), address hold, priority and the timing bits of the command register, the
/// cascade requirement (DMA1 works whether or not channel 4 is programmed for cascade),
/// the EISA high page registers (0x481-0x48F) and the 0x10-0x1F/0x90-0x9F aliases.</para>
/// </remarks>
public sealed class Dma8237 : IIoDevice, ISaveable
{
    /// <summary>Where unimplemented modes are reported (<c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    public const ushort Dma1Base = 0x00;
    public const ushort Dma2Base = 0xC0;
    public const ushort PageBase = 0x81;
    public const int PagePortCount = 15;

    /// <summary>Page register index (port - 0x80) for each channel.</summary>
    static readonly int[] PageIndex = [7, 3, 1, 2, 0xF, 0xB, 9, 0xA];

    struct Channel
    {
        public ushort BaseAddress, BaseCount, Address, Count;
        public byte Mode;
    }

    struct Controller
    {
        public byte Command, Status, Request, Mask;   // Status bits 3:0 TC; Request/Mask one bit per channel
        public bool FlipFlop;                          // false: next access is the low byte
    }

    readonly PhysicalMemory memory;
    readonly Channel[] channels = new Channel[8];
    readonly Controller[] controllers = new Controller[2];
    readonly byte[] pages = new byte[16];
    byte hardwareRequests;   // DREQ lines, one bit per channel

    public Dma8237(PhysicalMemory memory)
    {
        this.memory = memory;
        Reset();
    }

    /// <summary>Raised with the channel number when a channel's mask bit is cleared by the guest.</summary>
    public event Action<int>? ChannelUnmasked;

    public string SnapshotName => "dma";

    public int SnapshotVersion => 1;

    /// <summary>Registers the three port ranges on <paramref name="io"/>.</summary>
    public void Register(IoBus io)
    {
        io.Register(Dma1Base, 16, this);
        io.Register(Dma2Base, 32, this);
        io.Register(PageBase, PagePortCount, this);
    }

    /// <summary>Master clear of both controllers; page registers cleared.</summary>
    public void Reset()
    {
        MasterClear(0);
        MasterClear(1);
        Array.Clear(channels);
        Array.Clear(pages);
        hardwareRequests = 0;
    }

    void MasterClear(int c)
    {
        controllers[c] = new Controller { Mask = 0x0F };
    }

    /// <summary>The transfer type the guest programmed for <paramref name="channel"/>.</summary>
    public DmaTransferType TransferType(int channel) => (DmaTransferType)((channels[channel & 7].Mode >> 2) & 3);

    /// <summary>Whether the channel would transfer now: controller enabled, channel unmasked, not a cascade channel.</summary>
    public bool IsReady(int channel)
    {
        channel &= 7;
        ref var ctl = ref controllers[channel >> 2];
        return (ctl.Command & 0x04) == 0 && (ctl.Mask & (1 << (channel & 3))) == 0 && (channels[channel].Mode & 0xC0) != 0xC0;
    }

    /// <summary>Drives the channel's DREQ line (seen in status bits 7:4).</summary>
    public void SetRequest(int channel, bool active)
    {
        channel &= 7;
        if (active) hardwareRequests |= (byte)(1 << channel);
        else hardwareRequests &= (byte)~(1 << channel);
    }

    /// <summary>
    /// Moves data for <paramref name="channel"/> between <paramref name="buffer"/> and guest
    /// memory, in the channel's direction: with <paramref name="toMemory"/> the device supplies
    /// the buffer and a Write-type channel stores it; without, a Read-type channel fills it.
    /// Stops at the end of the buffer or at terminal count. Returns the bytes moved (a 16-bit
    /// channel moves whole words; an odd last byte is left): 0 when the channel is masked, its
    /// controller disabled, or it is a cascade channel. A channel programmed for verify, or for
    /// the other direction, advances as if transferring but leaves memory and buffer alone.
    /// </summary>
    public int Transfer(int channel, Span<byte> buffer, bool toMemory) => Transfer(channel, buffer, toMemory, out _);

    /// <inheritdoc cref="Transfer(int, Span{byte}, bool)"/>
    /// <param name="terminalCount">Set when the transfer ended at terminal count (the 8237's EOP).</param>
    public int Transfer(int channel, Span<byte> buffer, bool toMemory, out bool terminalCount)
    {
        terminalCount = false;
        channel &= 7;
        if (!IsReady(channel)) return 0;
        bool word = channel >= 4;
        int unit = word ? 2 : 1;
        ref var ch = ref channels[channel];
        var type = TransferType(channel);
        bool moves = toMemory ? type == DmaTransferType.Write : type == DmaTransferType.Read;
        bool decrement = (ch.Mode & 0x20) != 0;
        ulong block = word ? (ulong)(pages[PageIndex[channel]] & 0xFE) << 16 : (ulong)pages[PageIndex[channel]] << 16;

        int units = buffer.Length / unit;
        int done = 0;
        while (done < units && !terminalCount)
        {
            // A run of units without wrap or terminal count: increment up to the block end,
            // one unit at a time when decrementing.
            int run = decrement ? 1 : Math.Min(units - done, Math.Min(ch.Count + 1, 0x10000 - ch.Address));
            ulong physical = block + ((ulong)ch.Address << (word ? 1 : 0));
            var bytes = buffer.Slice(done * unit, run * unit);
            if (moves)
            {
                if (toMemory) memory.Write(physical, bytes);
                else memory.Read(physical, bytes);
            }
            done += run;
            ch.Address = (ushort)(decrement ? ch.Address - 1 : ch.Address + run);
            int count = ch.Count - run;
            if (count < 0) terminalCount = true;
            ch.Count = (ushort)count;
        }
        if (terminalCount) ReachTerminalCount(channel);
        return done * unit;
    }

    void ReachTerminalCount(int channel)
    {
        ref var ch = ref channels[channel];
        ref var ctl = ref controllers[channel >> 2];
        int bit = 1 << (channel & 3);
        ctl.Status |= (byte)bit;
        ctl.Request &= (byte)~bit;
        if ((ch.Mode & 0x10) != 0)
        {
            ch.Address = ch.BaseAddress;
            ch.Count = ch.BaseCount;
        }
        else
        {
            ctl.Mask |= (byte)bit;
        }
    }

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

    static bool Decode(ushort port, out int controller, out int reg)
    {
        if (port < 0x10) { controller = 0; reg = port; return true; }
        if (port >= 0xC0 && port < 0xE0) { controller = 1; reg = (port - 0xC0) >> 1; return true; }
        controller = reg = 0;
        return false;
    }

    byte ReadPort(ushort port)
    {
        if (port >= 0x80 && port < 0x90) return pages[port - 0x80];
        if (!Decode(port, out int c, out int reg)) return 0xFF;
        ref var ctl = ref controllers[c];
        if (reg < 8)
        {
            ref var ch = ref channels[c * 4 + (reg >> 1)];
            ushort v = (reg & 1) == 0 ? ch.Address : ch.Count;
            bool high = ctl.FlipFlop;
            ctl.FlipFlop = !ctl.FlipFlop;
            return (byte)(high ? v >> 8 : v);
        }
        switch (reg)
        {
            case 8:
                byte requests = (byte)((ctl.Request | (hardwareRequests >> (c * 4))) & 0x0F);
                byte status = (byte)((ctl.Status & 0x0F) | (requests << 4));
                ctl.Status = 0;   // TC bits are cleared by reading status
                return status;
            case 0xF:
                return (byte)(0xF0 | ctl.Mask);
            default:
                return 0;         // temporary register (13) and write-only registers
        }
    }

    void WritePort(ushort port, byte value)
    {
        if (port >= 0x80 && port < 0x90) { pages[port - 0x80] = value; return; }
        if (!Decode(port, out int c, out int reg)) return;
        ref var ctl = ref controllers[c];
        if (reg < 8)
        {
            // Writing either byte sets the base and current registers (datasheet, address and count registers).
            ref var ch = ref channels[c * 4 + (reg >> 1)];
            bool high = ctl.FlipFlop;
            ctl.FlipFlop = !ctl.FlipFlop;
            if ((reg & 1) == 0)
            {
                ch.BaseAddress = high ? (ushort)((ch.BaseAddress & 0x00FF) | (value << 8)) : (ushort)((ch.BaseAddress & 0xFF00) | value);
                ch.Address = ch.BaseAddress;
            }
            else
            {
                ch.BaseCount = high ? (ushort)((ch.BaseCount & 0x00FF) | (value << 8)) : (ushort)((ch.BaseCount & 0xFF00) | value);
                ch.Count = ch.BaseCount;
            }
            return;
        }
        int bit = 1 << (value & 3);
        switch (reg)
        {
            case 8:
                if ((value & 1) != 0 && (ctl.Command & 1) == 0)
                    GuestLog?.Unimplemented(c == 0 ? "dma1" : "dma2", $"memory-to-memory transfers (command 0x{value:x2}) not implemented");
                ctl.Command = value;
                break;
            case 9:
                if ((value & 4) != 0) ctl.Request |= (byte)bit;
                else ctl.Request &= (byte)~bit;
                break;
            case 0xA:
                SetMask(c, (value & 4) != 0 ? ctl.Mask | bit : ctl.Mask & ~bit);
                break;
            case 0xB:
                channels[c * 4 + (value & 3)].Mode = value;
                break;
            case 0xC:
                ctl.FlipFlop = false;
                break;
            case 0xD:
                MasterClear(c);
                break;
            case 0xE:
                SetMask(c, 0);
                break;
            case 0xF:
                SetMask(c, value & 0x0F);
                break;
        }
    }

    void SetMask(int c, int mask)
    {
        int cleared = controllers[c].Mask & ~mask;
        controllers[c].Mask = (byte)(mask & 0x0F);
        for (int i = 0; i < 4; i++)
            if ((cleared & (1 << i)) != 0) ChannelUnmasked?.Invoke(c * 4 + i);
    }

    public void SaveState(BinaryWriter w)
    {
        foreach (var ch in channels)
        {
            w.Write(ch.BaseAddress); w.Write(ch.BaseCount); w.Write(ch.Address); w.Write(ch.Count); w.Write(ch.Mode);
        }
        foreach (var ctl in controllers)
        {
            w.Write(ctl.Command); w.Write(ctl.Status); w.Write(ctl.Request); w.Write(ctl.Mask); w.Write(ctl.FlipFlop);
        }
        w.Write(pages);
        w.Write(hardwareRequests);
    }

    public void LoadState(BinaryReader r, int version)
    {
        if (version != 1) throw new InvalidDataException($"dma: unknown state version {version}");
        for (int i = 0; i < channels.Length; i++)
            channels[i] = new Channel
            {
                BaseAddress = r.ReadUInt16(), BaseCount = r.ReadUInt16(), Address = r.ReadUInt16(), Count = r.ReadUInt16(), Mode = r.ReadByte(),
            };
        for (int i = 0; i < controllers.Length; i++)
            controllers[i] = new Controller
            {
                Command = r.ReadByte(), Status = r.ReadByte(), Request = r.ReadByte(), Mask = r.ReadByte(), FlipFlop = r.ReadBoolean(),
            };
        r.ReadBytes(16).CopyTo(pages, 0);
        hardwareRequests = r.ReadByte();
    }
}
