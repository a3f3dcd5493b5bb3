namespace Emulator.Devices.Video;

// CPU access to video memory through the A0000-BFFFF window: the graphics controller's read and
// write modes, latches, set/reset, rotate, logical operations and bit mask, and the sequencer's
// map mask, chain-4 and odd/even addressing (FreeVGA, "Graphics Controller" and "Sequencer").
public sealed unsafe partial class StdVga
{
    const int PlaneSize = 0x10000;

    /// <summary>
    /// The plane offsets the window reaches: 64 KiB a plane on the VGA; at VBE 4 bpp all of VRAM,
    /// a quarter of it a plane, through the banks.
    /// </summary>
    int PlaneMask => VbePlanar ? vram.Length / 4 - 1 : PlaneSize - 1;

    /// <summary>Each bit of <paramref name="planes"/> (bit p = plane p) widened to a byte of the four-plane word.</summary>
    static uint Expand(int planes) =>
        ((planes & 1) != 0 ? 0xFFu : 0) | ((planes & 2) != 0 ? 0xFF00u : 0) |
        ((planes & 4) != 0 ? 0xFF_0000u : 0) | ((planes & 8) != 0 ? 0xFF00_0000u : 0);

    /// <summary>The window offset (0-0x1FFFF from A0000) as a host address in the mapped range, or -1 when unmapped.</summary>
    int WindowAddress(ulong offset)
    {
        if ((Misc & 2) == 0) return -1;                                // misc output: RAM disabled
        int o = (int)offset;
        return ((Gc[6] >> 2) & 3) switch
        {
            0 => o,                                                    // A0000-BFFFF
            1 => o < 0x10000 ? o : -1,                                 // A0000-AFFFF
            2 => o is >= 0x10000 and < 0x18000 ? o - 0x10000 : -1,     // B0000-B7FFF
            _ => o >= 0x18000 ? o - 0x18000 : -1,                      // B8000-BFFFF
        };
    }

    ulong ReadWindow(ulong offset, int size)
    {
        ulong v = 0;
        for (int i = 0; i < size; i++) v |= (ulong)ReadWindowByte(offset + (ulong)i) << (8 * i);
        return v;
    }

    void WriteWindow(ulong offset, int size, ulong value)
    {
        for (int i = 0; i < size; i++) WriteWindowByte(offset + (ulong)i, (byte)(value >> (8 * i)));
    }

    byte ReadWindowByte(ulong offset)
    {
        if (VbePlanar) return offset < 0x10000 ? ReadPlanar((int)(bankOffset + (long)offset)) : (byte)0xFF;
        if (VbeEnabled)
        {
            // Banked VBE window: 64 KiB of linear VRAM at A0000 (Bochs DISPI BANK).
            long v = offset < 0x10000 ? bankOffset + (long)offset : -1;
            return v >= 0 && v < vram.Length ? vram[v] : (byte)0xFF;
        }
        int a = WindowAddress(offset);
        return a < 0 ? (byte)0xFF : ReadPlanar(a);
    }

    void WriteWindowByte(ulong offset, byte value)
    {
        if (VbePlanar)
        {
            if (offset < 0x10000) WritePlanar((int)(bankOffset + (long)offset), value);
            return;
        }
        if (VbeEnabled)
        {
            long v = offset < 0x10000 ? bankOffset + (long)offset : -1;
            if (v < 0 || v >= vram.Length) return;
            vram[v] = value;
            MarkDirty((int)v);
            return;
        }
        int a = WindowAddress(offset);
        if (a >= 0) WritePlanar(a, value);
    }

    /// <summary>A read: all four latches load from the addressed offset; the byte returned depends on the addressing and read mode.</summary>
    internal byte ReadPlanar(int a)
    {
        int plane, offset;
        if ((Seq[4] & 8) != 0) { plane = a & 3; offset = a & ~3; }                                // chain 4
        else if ((Gc[5] & 0x10) != 0) { plane = (Gc[4] & 2) | (a & 1); offset = a & ~1; }         // odd/even
        else { plane = -1; offset = a; }
        offset &= PlaneMask;
        latch = *(uint*)(vramPtr + offset * 4);
        if (plane >= 0) return (byte)(latch >> (8 * plane));
        if ((Gc[5] & 8) == 0) return (byte)(latch >> (8 * (Gc[4] & 3)));                          // read mode 0
        // Read mode 1: a 1 for each pixel whose planes (those in Color Don't Care) equal Color Compare.
        uint care = Expand(Gc[7] & 0xF);
        uint diff = (latch ^ Expand(Gc[2] & 0xF)) & care;
        uint any = diff | diff >> 8 | diff >> 16 | diff >> 24;
        return (byte)~any;
    }

    /// <summary>A write through write mode 0-3, the logical operation and the bit mask into the planes the map mask (and chain-4/odd-even) enable.</summary>
    internal void WritePlanar(int a, byte data)
    {
        int planes = Seq[2] & 0xF, offset;
        if ((Seq[4] & 8) != 0) { planes &= 1 << (a & 3); offset = a & ~3; }                      // chain 4
        else if ((Seq[4] & 4) == 0) { planes &= (a & 1) != 0 ? 0xA : 0x5; offset = a & ~1; }      // odd/even: even bytes to planes 0/2
        else offset = a;
        offset &= PlaneMask;
        if (planes == 0) return;

        byte rotated = (byte)((data >> (Gc[3] & 7)) | (data << (8 - (Gc[3] & 7))));
        byte bitMask = Gc[8];
        uint v;
        switch (Gc[5] & 3)
        {
            case 0:
                {
                    uint enable = Expand(Gc[1] & 0xF);
                    v = (rotated * 0x01010101u & ~enable) | (Expand(Gc[0] & 0xF) & enable);
                    break;
                }
            case 1:
                v = latch;                                                 // the latches, unchanged by ALU and bit mask
                bitMask = 0xFF;
                goto store;
            case 2:
                v = Expand(data & 0xF);
                break;
            default:
                bitMask &= rotated;
                v = Expand(Gc[0] & 0xF);
                break;
        }
        v = ((Gc[3] >> 3) & 3) switch { 1 => v & latch, 2 => v | latch, 3 => v ^ latch, _ => v };
        uint mask32 = bitMask * 0x01010101u;
        v = (v & mask32) | (latch & ~mask32);
    store:
        uint planeMask = Expand(planes);
        uint* p = (uint*)(vramPtr + offset * 4);
        *p = (*p & ~planeMask) | (v & planeMask);
        MarkDirty(offset * 4);
        if ((planes & 4) != 0) Volatile.Write(ref fontVersion, fontVersion + 1);
    }

    /// <summary>The latches as a four-plane word (plane p in byte p), for tests and debuggers.</summary>
    internal uint Latches => latch;
}
