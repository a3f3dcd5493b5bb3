using Iced.Intel;
using static Emulator.Tests.Firmware.VgaBiosTests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// VBE calls and blocks the VGA BIOS tests share: the controller information block (VBE 3.0,
/// function 00h) at <see cref="InfoAt"/>, a mode information block (function 01h) at
/// <see cref="ModeInfoAt"/>, both in segment 0.
/// </summary>
internal static class VbeGuest
{
    public const ushort InfoAt = 0x8000, ModeInfoAt = 0x8200;

    /// <summary>
    /// 4F00h with "VBE2" in the block (asking for the VBE 2.0+ fields), 4F01h for
    /// <paramref name="mode"/>, then 4F02h with the linear framebuffer (bit 14); reports AX of each.
    /// </summary>
    public static void InfoAndSetLinearMode(Assembler a, GuestReport r, ushort mode)
    {
        Info(a, r);
        ModeInfo(a, r, mode);
        a.mov(ax, 0x4F02);
        a.mov(bx, (ushort)(0x4000 | mode));
        a.@int(0x10);
        r.Hex(ax);
    }

    /// <summary>4F00h with "VBE2" in the block at <see cref="InfoAt"/>; reports AX.</summary>
    public static void Info(Assembler a, GuestReport r)
    {
        a.mov(__dword_ptr[InfoAt], 0x32454256u);   // "VBE2"
        a.mov(ax, 0x4F00);
        a.mov(di, InfoAt);
        a.@int(0x10);
        r.Hex(ax);
    }

    /// <summary>4F01h for <paramref name="mode"/> into <see cref="ModeInfoAt"/>; reports AX.</summary>
    public static void ModeInfo(Assembler a, GuestReport r, ushort mode)
    {
        a.mov(ax, 0x4F01);
        a.mov(cx, mode);
        a.mov(di, ModeInfoAt);
        a.@int(0x10);
        r.Hex(ax);
    }

    /// <summary>The mode numbers the controller information block's VideoModePtr (offset 0Eh) lists, up to FFFFh.</summary>
    public static List<ushort> ModeList(BiosRig rig)
    {
        uint listPtr = BitConverter.ToUInt32(Mem(rig, InfoAt, 18), 14);
        var modes = new List<ushort>();
        for (uint p = (listPtr >> 16) * 16 + (listPtr & 0xFFFF); modes.Count < 256; p += 2)
        {
            ushort m = (ushort)rig.Machine.Memory.ReadSlow(p, 2);
            if (m == 0xFFFF) break;
            modes.Add(m);
        }
        return modes;
    }
}
