namespace Emulator.Devices.Video;

// The IBM VGA register file (FreeVGA; IBM VGA Technical Reference): ports 0x3B0-0x3DF.
public sealed partial class StdVga
{
    // Bits of each register the hardware keeps (the rest read as 0), per the register definitions.
    static readonly byte[] SeqMask = [0x03, 0x3D, 0x0F, 0x3F, 0x0E, 0x00, 0x00, 0x00];
    static readonly byte[] GcMask = [0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF, 0, 0, 0, 0, 0, 0, 0];

    internal readonly byte[] Seq = new byte[8];
    internal readonly byte[] Gc = new byte[16];
    internal readonly byte[] Crtc = new byte[64];
    internal readonly byte[] Attr = new byte[32];
    /// <summary>256 DAC entries of red, green, blue: 6 bits each (8 with the DISPI 8-bit DAC).</summary>
    internal readonly byte[] Dac = new byte[768];
    internal byte Misc, PelMask;
    internal bool Dac8Bit;
    byte seqIndex, gcIndex, crtcIndex, attrIndex, featureControl, vgaEnable;
    bool attrFlipFlop;
    byte dacWriteIndex, dacReadIndex, dacWriteComponent, dacReadComponent, dacState;
    uint latch;

    /// <summary>Attribute address register bit 5 (palette address source): the picture is shown only while it is set.</summary>
    internal bool VideoEnabled => (attrIndex & 0x20) != 0;

    /// <summary>Misc output bit 0: CRTC at 0x3D4/0x3D5 and status at 0x3DA (colour) rather than 0x3Bx (mono).</summary>
    bool ColorPorts => (Misc & 1) != 0;

    void ResetRegisters()
    {
        Array.Clear(Seq);
        Array.Clear(Gc);
        Array.Clear(Crtc);
        Array.Clear(Attr);
        Array.Clear(Dac);
        Misc = 0;
        PelMask = 0xFF;
        seqIndex = gcIndex = crtcIndex = attrIndex = featureControl = vgaEnable = 0;
        attrFlipFlop = false;
        dacWriteIndex = dacReadIndex = dacWriteComponent = dacReadComponent = dacState = 0;
        latch = 0;
        ResetDispi();
        MarkAllDirty();
    }

    internal byte ReadPort(ushort port)
    {
        switch (port)
        {
            case 0x3C0: return attrIndex;
            case 0x3C1: return Attr[attrIndex & 0x1F];
            case 0x3C2: return 0x10;                                   // input status 0: switch sense (a colour monitor)
            case 0x3C3: return vgaEnable;
            case 0x3C4: return seqIndex;
            case 0x3C5: return Seq[seqIndex & 7];
            case 0x3C6: return PelMask;
            case 0x3C7: return dacState;
            case 0x3C8: return dacWriteIndex;
            case 0x3C9: return ReadDac();
            case 0x3CA: return featureControl;
            case 0x3CC: return Misc;
            case 0x3CE: return gcIndex;
            case 0x3CF: return Gc[gcIndex & 0xF];
            case 0x3B4 or 0x3D4 when IsCrtcBlock(port): return crtcIndex;
            case 0x3B5 or 0x3D5 when IsCrtcBlock(port): return Crtc[crtcIndex & 0x3F];
            case 0x3BA or 0x3DA when IsCrtcBlock(port):
                attrFlipFlop = false;                                  // reading status 1 resets the 3C0 flip-flop
                return InputStatus1();
            default: return 0xFF;
        }
    }

    bool IsCrtcBlock(ushort port) => ((port & 0xFFF0) == 0x3D0) == ColorPorts;

    internal void WritePort(ushort port, byte value)
    {
        switch (port)
        {
            case 0x3C0:
                if (!attrFlipFlop) { attrIndex = (byte)(value & 0x3F); Changed(); }
                else WriteAttr(attrIndex & 0x1F, value);
                attrFlipFlop = !attrFlipFlop;
                return;
            case 0x3C2: Misc = value; Changed(); return;
            case 0x3C3: vgaEnable = (byte)(value & 1); return;
            case 0x3C4: seqIndex = value; return;
            case 0x3C5:
                Seq[seqIndex & 7] = (byte)(value & SeqMask[seqIndex & 7]);
                Changed();
                return;
            case 0x3C6: PelMask = value; Changed(); return;
            case 0x3C7: dacReadIndex = value; dacReadComponent = 0; dacState = 3; return;
            case 0x3C8: dacWriteIndex = value; dacWriteComponent = 0; dacState = 0; return;
            case 0x3C9: WriteDac(value); return;
            case 0x3CE: gcIndex = value; return;
            case 0x3CF:
                Gc[gcIndex & 0xF] = (byte)(value & GcMask[gcIndex & 0xF]);
                Changed();
                return;
            case 0x3B4 or 0x3D4 when IsCrtcBlock(port): crtcIndex = value; return;
            case 0x3B5 or 0x3D5 when IsCrtcBlock(port): WriteCrtc(crtcIndex & 0x3F, value); return;
            case 0x3BA or 0x3DA when IsCrtcBlock(port): featureControl = (byte)(value & 3); return;
        }
    }

    void WriteAttr(int index, byte value)
    {
        // Palette registers are writable only while the palette address source bit is clear
        // (the display is blanked); the other registers always (VGA.TXT, 3C0h).
        if (index < 0x10)
        {
            if (!VideoEnabled) Attr[index] = (byte)(value & 0x3F);
        }
        else if (index < 0x15)
        {
            Attr[index] = index switch { 0x12 => (byte)(value & 0x3F), 0x13 or 0x14 => (byte)(value & 0x0F), _ => value };
        }
        Changed();
    }

    void WriteCrtc(int index, byte value)
    {
        // CR11 bit 7 protects CR00-CR07, except the line-compare bit 8 in CR07 bit 4 (FreeVGA, Vertical Retrace End).
        if ((Crtc[0x11] & 0x80) != 0 && index <= 7)
        {
            if (index != 7) return;
            value = (byte)((Crtc[7] & ~0x10) | (value & 0x10));
        }
        Crtc[index] = value;
        Changed();
    }

    byte ReadDac()
    {
        byte v = Dac[dacReadIndex * 3 + dacReadComponent];
        if (++dacReadComponent == 3)
        {
            dacReadComponent = 0;
            dacReadIndex++;
        }
        return v;
    }

    void WriteDac(byte value)
    {
        Dac[dacWriteIndex * 3 + dacWriteComponent] = Dac8Bit ? value : (byte)(value & 0x3F);
        if (++dacWriteComponent == 3)
        {
            dacWriteComponent = 0;
            dacWriteIndex++;
        }
        Changed();
    }

    // ---------------- CRTC timing and input status 1 ----------------

    /// <summary>The frame's timing from the CRTC and clock registers, in virtual nanoseconds.</summary>
    internal (long LineNs, long FrameNs, long HDisplayNs, int DisplayLines, int RetraceStart, int RetraceLines) Timing()
    {
        int dots = (Seq[1] & 1) != 0 ? 8 : 9;
        long clockHz = ((Misc >> 2) & 3) == 1 ? 28_322_000 : 25_175_000;
        if ((Seq[1] & 8) != 0) clockHz /= 2;
        int hTotal = Crtc[0] + 5, hDisplay = Math.Min(Crtc[1] + 1, hTotal);
        int vTotal = (Crtc[6] | (Crtc[7] & 1) << 8 | (Crtc[7] & 0x20) << 4) + 2;
        int vDisplay = VerticalDisplayEnd + 1;
        int vrStart = Crtc[0x10] | (Crtc[7] & 4) << 6 | (Crtc[7] & 0x80) << 2;
        // Retrace ends when the line counter's low 4 bits equal CR11 bits 3-0.
        int vrLines = ((Crtc[0x11] & 0xF) - vrStart) & 0xF;
        if (vrLines == 0) vrLines = 16;
        long lineNs = Math.Max(1, hTotal * dots * 1_000_000_000L / clockHz);
        long hDisplayNs = lineNs * hDisplay / hTotal;
        return (lineNs, lineNs * vTotal, hDisplayNs, vDisplay, vrStart, vrLines);
    }

    internal int VerticalDisplayEnd => Crtc[0x12] | (Crtc[7] & 2) << 7 | (Crtc[7] & 0x40) << 3;

    /// <summary>
    /// Input status 1 (FreeVGA): bit 0 "display disabled" while the beam is outside the active area
    /// (horizontal or vertical blanking), bit 3 vertical retrace, both from the CRTC timing in virtual time.
    /// </summary>
    byte InputStatus1()
    {
        var t = Timing();
        long pos = clock.Now % t.FrameNs;
        long line = pos / t.LineNs, inLine = pos % t.LineNs;
        bool retrace = line >= t.RetraceStart && line < t.RetraceStart + t.RetraceLines;
        bool blank = line >= t.DisplayLines || inLine >= t.HDisplayNs;
        return (byte)((blank ? 1 : 0) | (retrace ? 8 : 0));
    }

    // ---------------- save/restore ----------------

    void SaveRegisters(BinaryWriter w)
    {
        w.Write(Seq); w.Write(Gc); w.Write(Crtc); w.Write(Attr); w.Write(Dac);
        w.Write(Misc); w.Write(PelMask); w.Write(Dac8Bit);
        w.Write(seqIndex); w.Write(gcIndex); w.Write(crtcIndex); w.Write(attrIndex);
        w.Write(featureControl); w.Write(vgaEnable); w.Write(attrFlipFlop);
        w.Write(dacWriteIndex); w.Write(dacReadIndex); w.Write(dacWriteComponent); w.Write(dacReadComponent); w.Write(dacState);
        w.Write(latch);
        SaveDispi(w);
    }

    void LoadRegisters(BinaryReader r)
    {
        r.ReadExactly(Seq); r.ReadExactly(Gc); r.ReadExactly(Crtc); r.ReadExactly(Attr); r.ReadExactly(Dac);
        Misc = r.ReadByte(); PelMask = r.ReadByte(); Dac8Bit = r.ReadBoolean();
        seqIndex = r.ReadByte(); gcIndex = r.ReadByte(); crtcIndex = r.ReadByte(); attrIndex = r.ReadByte();
        featureControl = r.ReadByte(); vgaEnable = r.ReadByte(); attrFlipFlop = r.ReadBoolean();
        dacWriteIndex = r.ReadByte(); dacReadIndex = r.ReadByte();
        dacWriteComponent = (byte)(r.ReadByte() % 3); dacReadComponent = (byte)(r.ReadByte() % 3); dacState = r.ReadByte();
        latch = r.ReadUInt32();
        LoadDispi(r);
    }
}
