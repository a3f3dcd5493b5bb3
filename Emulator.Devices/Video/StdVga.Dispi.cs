namespace Emulator.Devices.Video;

// The Bochs VBE "DISPI" interface (Bochs vbe.h; QEMU hw/display/vga.c): index at 0x1CE, data
// at 0x1CF, registers ID, XRES, YRES, BPP, ENABLE, BANK, VIRT_WIDTH, VIRT_HEIGHT, X_OFFSET,
// Y_OFFSET and VIDEO_MEMORY_64K. Depths 8, 15, 16, 24 and 32 are packed pixels in linear VRAM;
// depth 4 is the VGA's own four planes (VBE 1.2 memory model 3, modes such as 102h 800x600x16):
// VRAM keeps a plane offset's four plane bytes together, so a line of W pixels takes W / 8
// offsets, W / 2 bytes, the A0000 window goes through the graphics controller with the bank as
// a plane offset in 64 KiB units, and the picture is the planar pipeline's (as QEMU's vga.c draws
// VBE 4 bpp through its planar shift mode).
public sealed partial class StdVga
{
    public const int DispiId = 0, DispiXres = 1, DispiYres = 2, DispiBpp = 3, DispiEnable = 4, DispiBank = 5,
        DispiVirtWidth = 6, DispiVirtHeight = 7, DispiXOffset = 8, DispiYOffset = 9, DispiVideoMemory64K = 10;
    public const ushort DispiId0 = 0xB0C0, DispiId5 = 0xB0C5;
    public const ushort EnableOn = 0x01, EnableGetCaps = 0x02, Enable8BitDac = 0x20, EnableLfb = 0x40, EnableNoClearMem = 0x80;
    /// <summary>Largest resolution the interface accepts (Bochs/QEMU VBE_DISPI_MAX_XRES/YRES); VRAM bounds the product.</summary>
    public const int MaxXres = 16000, MaxYres = 12000, MaxBpp = 32;

    readonly ushort[] dispi = new ushort[10];
    ushort dispiIndex;
    long bankOffset;

    /// <summary>DISPI ENABLE bit 0: a VBE mode is shown from linear VRAM.</summary>
    internal bool VbeEnabled => (dispi[DispiEnable] & EnableOn) != 0;
    internal int VbeXres => dispi[DispiXres];
    internal int VbeYres => dispi[DispiYres];
    internal int VbeBpp => dispi[DispiBpp];
    /// <summary>Bytes per VBE scan line (VIRT_WIDTH pixels).</summary>
    internal int VbeLineBytes => (int)PixelBytes(dispi[DispiVirtWidth]);
    /// <summary>VRAM byte where the visible picture starts (X_OFFSET, Y_OFFSET).</summary>
    internal long VbeStart => PixelBytes(dispi[DispiXOffset]) + (long)dispi[DispiYOffset] * VbeLineBytes;
    /// <summary>A 4 bpp VBE mode: the VGA planes, drawn and accessed as planar 16-colour graphics.</summary>
    internal bool VbePlanar => VbeEnabled && dispi[DispiBpp] == 4;

    /// <summary>VRAM bytes <paramref name="pixels"/> take: half a byte each at 4 bpp (4 planes, 8 pixels an offset), else whole bytes.</summary>
    long PixelBytes(int pixels) => dispi[DispiBpp] == 4 ? pixels / 2 : (long)pixels * ((dispi[DispiBpp] + 7) / 8);

    void ResetDispi()
    {
        Array.Clear(dispi);
        dispi[DispiId] = DispiId5;
        dispi[DispiBpp] = 8;
        dispiIndex = 0;
        bankOffset = 0;
        Dac8Bit = false;
    }

    uint DispiIn(ushort port, int size)
    {
        uint v = port == DispiIndexPort ? dispiIndex : DispiRead(dispiIndex);
        return size == 1 ? v & 0xFF : v;
    }

    void DispiOut(ushort port, uint value)
    {
        if (port == DispiIndexPort) dispiIndex = (ushort)value;
        else DispiWrite(dispiIndex, (ushort)value);
    }

    internal ushort DispiRead(int index)
    {
        bool caps = (dispi[DispiEnable] & EnableGetCaps) != 0;
        return index switch
        {
            DispiXres when caps => MaxXres,
            DispiYres when caps => MaxYres,
            DispiBpp when caps => MaxBpp,
            DispiVideoMemory64K => (ushort)(vram.Length >> 16),
            < 10 and >= 0 => dispi[index],
            _ => 0,
        };
    }

    internal void DispiWrite(int index, ushort value)
    {
        switch (index)
        {
            case DispiId:
                if (value is >= DispiId0 and <= DispiId5) dispi[DispiId] = value;
                return;
            case DispiXres or DispiYres or DispiBpp or DispiVirtWidth or DispiVirtHeight or DispiXOffset or DispiYOffset:
                dispi[index] = value;
                FixupDispi();
                break;
            case DispiBank:
                dispi[DispiBank] = (ushort)(value & ((vram.Length >> 16) - 1));
                bankOffset = (long)dispi[DispiBank] << 16;
                return;
            case DispiEnable:
                WriteDispiEnable(value);
                break;
            default:
                return;
        }
        Changed();
    }

    void WriteDispiEnable(ushort value)
    {
        bool wasOn = VbeEnabled;
        dispi[DispiEnable] = value;
        if ((value & EnableOn) != 0 && !wasOn)
        {
            dispi[DispiVirtWidth] = dispi[DispiXres];
            dispi[DispiVirtHeight] = dispi[DispiYres];
            dispi[DispiXOffset] = dispi[DispiYOffset] = 0;
            FixupDispi();
            if ((value & EnableNoClearMem) == 0)
            {
                long bytes = Math.Min((long)dispi[DispiYres] * VbeLineBytes, vram.Length);
                Array.Clear(vram, 0, (int)bytes);
                MarkAllDirty();
            }
            // The legacy side as QEMU leaves it for a VBE mode: graphics, A0000 64 KiB window,
            // chain 4, 256-colour shift (so a mode switch back to VGA starts from sane values);
            // at 4 bpp the planar shift mode and no chain 4, so the window reaches the planes.
            Gc[6] = (byte)((Gc[6] & ~0x0C) | 0x05);
            if (dispi[DispiBpp] == 4)
            {
                Gc[5] = (byte)(Gc[5] & ~0x60);
                Seq[4] &= unchecked((byte)~0x08);
            }
            else
            {
                Gc[5] = (byte)((Gc[5] & ~0x60) | 0x40);
                Seq[4] |= 0x08;
            }
        }
        else if ((value & EnableOn) == 0)
        {
            bankOffset = 0;
            dispi[DispiBank] = 0;
        }
        Dac8Bit = (value & Enable8BitDac) != 0;
    }

    /// <summary>
    /// While a VBE mode is on, brings the registers into range as QEMU's vbe_fixup_regs does: an
    /// unknown depth becomes 8 bpp, XRES 8..MaxXres, VIRT_WIDTH at least XRES, YRES at most what
    /// VRAM holds at that line length, VIRT_HEIGHT = the lines VRAM holds, and offsets that would
    /// show memory past VRAM reset to 0.
    /// </summary>
    void FixupDispi()
    {
        if (!VbeEnabled) return;
        ref ushort bpp = ref dispi[DispiBpp];
        if (bpp is not (4 or 8 or 15 or 16 or 24 or 32)) bpp = 8;
        ref ushort xres = ref dispi[DispiXres], yres = ref dispi[DispiYres], virtWidth = ref dispi[DispiVirtWidth];
        if (bpp == 4)
        {
            // Whole plane offsets (8 pixels) a line, so every line starts on one.
            xres &= unchecked((ushort)~7);
            virtWidth &= unchecked((ushort)~7);
        }
        if (xres == 0) xres = 8;
        if (xres > MaxXres) xres = MaxXres;
        if (virtWidth > MaxXres) virtWidth = MaxXres;
        if (virtWidth < xres) virtWidth = xres;
        int lineBytes = Math.Max(1, VbeLineBytes);
        int maxY = vram.Length / lineBytes;
        if (yres == 0) yres = 1;
        if (yres > MaxYres) yres = MaxYres;
        if (yres > maxY) yres = (ushort)maxY;
        if (dispi[DispiXOffset] > MaxXres) dispi[DispiXOffset] = MaxXres;
        if (dispi[DispiYOffset] > MaxYres) dispi[DispiYOffset] = MaxYres;
        if (VbeStart + (long)yres * lineBytes > vram.Length)
        {
            dispi[DispiYOffset] = 0;
            if (VbeStart + (long)yres * lineBytes > vram.Length) dispi[DispiXOffset] = 0;
        }
        dispi[DispiVirtHeight] = (ushort)Math.Min(maxY, ushort.MaxValue);
    }

    void SaveDispi(BinaryWriter w)
    {
        foreach (var r in dispi) w.Write(r);
        w.Write(dispiIndex);
    }

    void LoadDispi(BinaryReader r)
    {
        for (int i = 0; i < dispi.Length; i++) dispi[i] = r.ReadUInt16();
        dispiIndex = r.ReadUInt16();
        dispi[DispiBank] &= (ushort)((vram.Length >> 16) - 1);
        bankOffset = (long)dispi[DispiBank] << 16;
        Dac8Bit = (dispi[DispiEnable] & Enable8BitDac) != 0;
        FixupDispi();
    }
}
