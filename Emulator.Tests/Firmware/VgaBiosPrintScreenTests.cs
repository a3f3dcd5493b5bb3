using Iced.Intel;
using static Emulator.Tests.Firmware.VgaBiosTests;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// INT 10h AH=12h BL=20h (select the alternate print screen routine) and BL=35h (display
/// switching) of the VGA BIOS, by guest code the project's BIOS boots. Expected values are
/// worked by hand from the IBM VGA BIOS interface (12h: 20h installs an INT 05h that prints the
/// 40:84 + 1 rows of the screen; 35h returns AL = 12h only when supported) and the PC BIOS's
/// INT 05h conventions (status byte 50:00: 00h done, 01h in progress, FFh printer error).
/// </summary>
public class VgaBiosPrintScreenTests
{
    const ushort PrinterAt = 0x700, PrinterStatus = 0x5F0;

    /// <summary>
    /// A stand-in for the printer's INT 17h at 0000:0700: AH=00h "prints" AL to the debug console
    /// and returns the status byte at 0000:05F0 in AH.
    /// </summary>
    static void HookPrinter(Assembler a, byte status)
    {
        byte[] handler = [0xE6, 0xE9, 0x2E, 0x8A, 0x26, PrinterStatus & 0xFF, PrinterStatus >> 8, 0xCF];   // out E9h, al; mov ah, [cs:5F0h]; iret
        for (int i = 0; i < handler.Length; i++) a.mov(__byte_ptr[PrinterAt + i], handler[i]);
        a.mov(__word_ptr[0x17 * 4], PrinterAt);
        a.mov(__word_ptr[0x17 * 4 + 2], 0);
        a.mov(__byte_ptr[PrinterStatus], status);
    }

    static void PutText(Assembler a, int row, string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            SetCursor(a, row, i);
            a.mov(ax, (ushort)(0x0A00 | text[i]));    // write character, attribute unchanged
            a.mov(bx, 0);
            a.mov(cx, 1);
            a.@int(0x10);
        }
    }

    [Test]
    public void Alternate_print_screen_prints_every_row_of_a_50_row_screen()
    {
        var rig = Boot((a, r) =>
        {
            HookPrinter(a, 0x90);                   // not busy, selected
            a.mov(ax, 0x0003);                      // a clear screen
            a.@int(0x10);
            a.mov(ax, 0x1112);                      // 8x8 font: 400 / 8 = 50 rows
            a.mov(bl, 0);
            a.@int(0x10);
            PutText(a, 0, "TOP");
            PutText(a, 49, "END");
            SetCursor(a, 7, 9);
            a.mov(ax, 0x1200);
            a.mov(bl, 0x20);
            a.@int(0x10);
            r.Hex(__word_ptr[0x05 * 4 + 2]);        // INT 05h now in the VGA BIOS
            r.Hex(__word_ptr[0x10 * 4 + 2]);
            r.Text("|");
            a.@int(0x05);
            r.Text("|");
            a.push(0x50);
            a.pop(es);
            r.Hex(__byte_ptr.es[0]);
            a.mov(ah, 0x03);
            a.mov(bh, 0);
            a.@int(0x10);
            r.Hex(dx);
            // The printer runs out of paper (INT 17h status bit 5): the first byte fails.
            a.mov(__byte_ptr[PrinterStatus], 0x30);
            r.Text("|");
            a.@int(0x05);
            r.Text("|");
            r.Hex(__byte_ptr.es[0]);
            // A print screen already in progress (01h): a nested one returns at once.
            a.mov(__byte_ptr.es[0], 1);
            r.Text("|");
            a.@int(0x05);
            r.Text("|");
            r.Hex(__byte_ptr.es[0]);
            a.push(0);
            a.pop(es);
        });
        var parts = Output(rig).Split('|');
        Assert.That(parts, Has.Length.EqualTo(7), Output(rig));
        var segments = parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(segments[0], Is.EqualTo(segments[1]), "INT 05h points into the VGA BIOS's segment");
        // CR LF first, then 50 rows of 80 characters (blank cells as spaces), each with CR LF.
        string blank = new(' ', 80);
        string expected = "\r\n" + "TOP".PadRight(80) + "\r\n" + string.Concat(Enumerable.Repeat(blank + "\r\n", 48)) + "END".PadRight(80) + "\r\n";
        Assert.That(parts[1], Is.EqualTo(expected));
        Assert.That(parts[2], Is.EqualTo("00000000 00000709 "), "status 00h; the cursor back at row 7, column 9");
        Assert.That(parts[3], Is.EqualTo("\r"), "nothing after the byte the printer failed");
        Assert.That(parts[4], Is.EqualTo("000000FF "));
        Assert.That(parts[5], Is.EqualTo(""));
        Assert.That(parts[6], Is.EqualTo("00000001 \n"));
    }

    [Test]
    public void Display_switch_35h_is_reported_unsupported()
    {
        var rig = Boot((a, r) =>
        {
            for (int i = 0; i < 128; i += 2) a.mov(__word_ptr[0x900 + i], 0xA55A);
            foreach (byte sub in new byte[] { 0x00, 0x01, 0x02, 0x03 })
            {
                a.mov(ax, (ushort)(0x1200 | sub));
                a.mov(bl, 0x35);
                a.mov(dx, 0x900);
                a.@int(0x10);
                r.Hex(al);
            }
        });
        // AL = 12h would mean "supported": with one video subsystem AL keeps the subfunction.
        Assert.That(Output(rig), Is.EqualTo("00000000 00000001 00000002 00000003 \n"));
        Assert.That(Mem(rig, 0x900, 128), Has.All.EqualTo((byte)0x5A).Or.EqualTo((byte)0xA5), "the 128-byte state buffer untouched");
        Assert.That(Bda(rig, 0x89, 1) & 0x41, Is.EqualTo(0x01), "40:89: VGA active, display switching not enabled (bit 6)");
    }
}
