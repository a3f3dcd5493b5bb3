using Emulator.Core.Machine;
using Emulator.Devices.Input;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The PS/2 pointing device services (INT 15h C2xxh) and the IRQ 12 handler of the project's
/// BIOS, called by guest code while the test moves the emulated PS/2 mouse. Expected values
/// follow the IBM PS/2 and PC BIOS Interface Technical Reference ("Pointing Device BIOS
/// Interface") and the PS/2 mouse's packet format (IBM PS/2 Technical Reference, pointing
/// device), worked out by hand.
/// </summary>
public class BiosMouseTests
{
    const int HandlerAt = 0x700, Words = 0x800, Count = 0x808;

    /// <summary>
    /// The device handler, at 0:0700 in RAM: copies the four words the BIOS pushed (status, X, Y,
    /// Z; the last pushed is nearest the return address) to 0:0800 and counts the calls at 0:0808.
    /// </summary>
    static byte[] Handler()
    {
        var h = new Assembler(16);
        h.push(bp);
        h.mov(bp, sp);
        h.push(ax);
        h.push(ds);
        h.xor(ax, ax);
        h.mov(ds, ax);
        h.mov(ax, __word_ptr[bp + 12]);     // status (bp + 2: IP, + 4: CS, + 6: Z, + 8: Y, + 10: X)
        h.mov(__word_ptr[Words], ax);
        h.mov(ax, __word_ptr[bp + 10]);
        h.mov(__word_ptr[Words + 2], ax);
        h.mov(ax, __word_ptr[bp + 8]);
        h.mov(__word_ptr[Words + 4], ax);
        h.mov(ax, __word_ptr[bp + 6]);
        h.mov(__word_ptr[Words + 6], ax);
        h.inc(__word_ptr[Count]);
        h.pop(ds);
        h.pop(ax);
        h.pop(bp);
        h.retf();
        var stream = new MemoryStream();
        h.Assemble(new StreamCodeWriter(stream), HandlerAt);
        return stream.ToArray();
    }

    static void Mouse(Assembler a, GuestReport r, ushort function, ushort? bxValue = null)
    {
        if (bxValue is ushort v) a.mov(bx, v);
        a.mov(ax, function);
        a.@int(0x15);
        r.Carry();
        a.movzx(eax, ah);
        r.Hex(eax);
    }

    [Test]
    public void Mouse_services_and_packets_reach_the_device_handler()
    {
        var rig = new BiosRig(bootCode: a =>
        {
            var r = new GuestReport(a);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(es, ax);
            byte[] handler = Handler();
            for (int i = 0; i < handler.Length; i++) a.mov(__byte_ptr[HandlerAt + i], handler[i]);
            a.mov(__word_ptr[Count], 0);
            Mouse(a, r, 0xC200, 0x0100);        // enable before a handler: 05h
            Mouse(a, r, 0xC201);                // reset: BH = ID 00h, BL = AAh
            a.movzx(eax, bx);
            r.Hex(eax);
            Mouse(a, r, 0xC205, 0x0300);        // initialize, 3-byte packets
            Mouse(a, r, 0xC202, 0x0200);        // 40 reports/s
            Mouse(a, r, 0xC203, 0x0300);        // 8 counts/mm
            Mouse(a, r, 0xC206, 0x0000);        // status: BL status, CL resolution, DL rate
            a.movzx(eax, bl);
            r.Hex(eax);
            a.movzx(eax, cl);
            r.Hex(eax);
            a.movzx(eax, dl);
            r.Hex(eax);
            Mouse(a, r, 0xC204);                // type: BH = 00h
            a.movzx(eax, bh);
            r.Hex(eax);
            Mouse(a, r, 0xC202, 0x0700);        // bad rate: 02h
            Mouse(a, r, 0xC20A);                // no such function: 01h
            r.Text("| ");
            Mouse(a, r, 0xC207, HandlerAt);     // ES:BX = 0:0700
            Mouse(a, r, 0xC200, 0x0100);        // enable
            a.sti();
            r.Text("M>");
            foreach (int n in new[] { 1, 2 })
            {
                var wait = a.CreateLabel();
                a.Label(ref wait);
                a.hlt();
                a.cmp(__word_ptr[Count], n);
                a.jb(wait);
                for (int w = 0; w < 4; w++)
                {
                    a.movzx(eax, __word_ptr[Words + 2 * w]);
                    r.Hex(eax);
                }
            }
            Mouse(a, r, 0xC200, 0x0000);        // disable
            r.End();
        });
        for (int i = 0; i < 100 && !rig.Console.Contains("M>"); i++) rig.Run(20_000);
        Assert.That(rig.Console, Does.Contain("M>"));
        var mouse = rig.Board.Mouse;
        Assert.Multiple(() =>
        {
            Assert.That(mouse.ReportingEnabled, Is.True, "F4h sent");
            Assert.That(mouse.SampleRate, Is.EqualTo(40));
            Assert.That(mouse.Resolution, Is.EqualTo(3));
        });
        mouse.Move(5, -3, 0, MouseButtons.Left);    // right 5, up 3, left button
        rig.Run(50_000);
        mouse.Move(-2, 4, 0, MouseButtons.Right);   // left 2, down 4, right button
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        string output = rig.Console[(rig.Console.IndexOf("emu BIOS") + 1)..];
        output = output[(output.IndexOf("Memory:") + 1)..];
        output = output[(output.IndexOf('\n') + 1)..];
        // Packets: 09h (bit 3, left) 05h 03h; 3Ah (bit 3, right, X and Y negative) FEh FCh.
        // C206h: status 00h (stream mode, disabled, 1:1, no buttons), resolution 3, rate 28h (40).
        Assert.That(output, Is.EqualTo(
            "C 00000005 NC 00000000 000000AA NC 00000000 NC 00000000 NC 00000000 " +
            "NC 00000000 00000000 00000003 00000028 NC 00000000 00000000 C 00000002 C 00000001 " +
            "| NC 00000000 NC 00000000 " +
            "M>00000009 00000005 00000003 00000000 0000003A 000000FE 000000FC 00000000 NC 00000000 \n"));
        Assert.That(mouse.ReportingEnabled, Is.False, "F5h sent");
    }
}
