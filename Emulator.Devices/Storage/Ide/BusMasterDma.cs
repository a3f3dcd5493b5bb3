using Emulator.Core.Memory;

namespace Emulator.Devices.Storage.Ide;

/// <summary>
/// One channel's bus-master IDE function of the PIIX3 (82371SB datasheet 2.7 and 3.x, the
/// SFF-8038i register model): command (BMICX), status (BMISX) and the PRD table address (BMIDTPX)
/// at offsets 0, 2 and 4 of the channel's 8 ports in BAR4.
/// </summary>
/// <remarks>
/// <para>Command: bit 0 start/stop, bit 3 direction (1 = the bus master writes memory). Status:
/// bit 0 active (read-only), bit 1 error and bit 2 interrupt (write 1 to clear), bits 5-6 drive
/// DMA capable (read/write), as QEMU's piix bmdma_write. PRD table address: bits 31:2.</para>
/// <para>PRD entries (8 bytes, dword aligned): physical address (bit 0 ignored), byte count in
/// bits 15:1 of the next word (0 means 64 KiB), EOT in bit 31. The walk wraps inside the table's
/// 64 KiB page; every entry moves at least 2 bytes, so a table without EOT still ends with the
/// device's data. Memory is written through <see cref="PhysicalMemory.Write"/>, which drops
/// decoded code on the pages written; unmapped addresses read as ones and drop writes.</para>
/// <para>End states (datasheet bus master status table): data done with the PRD table ending
/// exactly: interrupt set, active clear; table longer than the data: interrupt and active set;
/// table shorter: active clear and no interrupt (QEMU's choice). The interrupt bit is set when
/// the channel's drive raises its interrupt. The error bit (a PCI master abort) is never set.
/// The direction bit is not checked against the command: the device's direction is used.</para>
/// </remarks>
public sealed class BusMasterDma
{
    public const byte CommandStart = 0x01, CommandToMemory = 0x08;
    public const byte StatusActive = 0x01, StatusError = 0x02, StatusInterrupt = 0x04;

    readonly PhysicalMemory memory;
    readonly byte[] prd = new byte[8];
    internal IdeChannel Channel = null!;

    byte command, status;
    uint prdAddress;

    public BusMasterDma(PhysicalMemory memory) => this.memory = memory;

    internal bool Started => (command & CommandStart) != 0;
    public byte CommandRegister => command;
    public byte StatusRegister => status;
    public uint PrdTableAddress => prdAddress;

    internal void Reset()
    {
        command = 0;
        status = 0;
        prdAddress = 0;
    }

    /// <summary>Reads the byte at <paramref name="offset"/> (0-7) of the channel's registers.</summary>
    public byte Read(int offset) => offset switch
    {
        0 => command,
        2 => status,
        4 or 5 or 6 or 7 => (byte)(prdAddress >> (8 * (offset - 4))),
        _ => 0,
    };

    public void Write(int offset, byte value)
    {
        switch (offset)
        {
            case 0:
                bool was = Started;
                command = (byte)(value & (CommandStart | CommandToMemory));
                if (!was && Started)
                {
                    status |= StatusActive;
                    Channel.BusMasterStarted();
                }
                else if (was && !Started)
                {
                    status &= unchecked((byte)~StatusActive);   // stop: an unfinished transfer is abandoned
                }
                break;
            case 2:
                status = (byte)((value & 0x60) | (status & StatusActive) | (status & ~value & (StatusError | StatusInterrupt)));
                break;
            case 4 or 5 or 6 or 7:
                int shift = 8 * (offset - 4);
                prdAddress = (prdAddress & ~(0xFFu << shift)) | (uint)value << shift;
                prdAddress &= ~3u;
                break;
        }
    }

    /// <summary>The drive raised its interrupt.</summary>
    internal void OnInterrupt() => status |= StatusInterrupt;

    /// <summary>
    /// Moves <see cref="IdeDevice.XferLeft"/> bytes between the device's buffer and the memory
    /// the PRD table describes.
    /// </summary>
    internal DmaResult Run(IdeDevice dev)
    {
        uint entry = prdAddress;
        bool tableDone = false;
        var result = DmaResult.Done;
        while (dev.XferLeft > 0)
        {
            if (tableDone) { result = DmaResult.PrdShort; break; }
            memory.Read(entry, prd);
            uint address = BitConverter.ToUInt32(prd, 0) & ~1u;
            uint control = BitConverter.ToUInt32(prd, 4);
            int count = (int)(control & 0xFFFE);
            if (count == 0) count = 0x10000;
            bool eot = (control & 0x8000_0000) != 0;
            entry = (entry & 0xFFFF_0000) | ((entry + 8) & 0xFFFF);
            while (count > 0 && dev.XferLeft > 0)
            {
                int piece;
                if (dev.DmaToMemory)
                {
                    if (dev.BufPos == dev.BufEnd && !dev.DmaStage()) { result = DmaResult.DeviceError; goto end; }
                    piece = (int)Math.Min(Math.Min(count, dev.BufEnd - dev.BufPos), dev.XferLeft);
                    memory.Write(address, dev.Buffer.AsSpan(dev.BufPos, piece));
                    dev.BufPos += piece;
                }
                else
                {
                    piece = (int)Math.Min(Math.Min(count, IdeDevice.BufferSize - dev.BufEnd), dev.XferLeft);
                    memory.Read(address, dev.Buffer.AsSpan(dev.BufEnd, piece));
                    dev.BufEnd += piece;
                    if ((dev.BufEnd == IdeDevice.BufferSize || piece == dev.XferLeft) && !dev.DmaCommit())
                    {
                        result = DmaResult.DeviceError;
                        goto end;
                    }
                }
                dev.XferLeft -= piece;
                address += (uint)piece;
                count -= piece;
            }
            // Data done exactly at the end of the table: the engine goes idle; otherwise it stays active.
            if (eot) tableDone = true;
            if (dev.XferLeft == 0 && !(eot && count == 0)) return DmaResult.Done;
        }
    end:
        status &= unchecked((byte)~StatusActive);
        return result;
    }

    internal void Save(BinaryWriter w)
    {
        w.Write(command);
        w.Write(status);
        w.Write(prdAddress);
    }

    internal void Load(BinaryReader r)
    {
        command = (byte)(r.ReadByte() & (CommandStart | CommandToMemory));
        status = r.ReadByte();
        prdAddress = r.ReadUInt32() & ~3u;
    }
}
