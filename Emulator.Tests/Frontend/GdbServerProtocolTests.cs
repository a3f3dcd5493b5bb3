using System.Text;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The GDB remote serial protocol over a real socket against a running guest
/// (<see cref="GdbTestGuest.Program"/>). Expected replies are worked from the protocol
/// description and the program: register values little-endian hex, eip in real mode as the
/// linear address CS × 16 + IP.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public class GdbServerProtocolTests
{
    static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    [Test]
    public void WaitsAtResetThenBreaksStepsWatchesAndExits()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        using var gdb = guest.Connect();
        Assert.That(gdb.Request("qSupported:multiprocess+;swbreak+;hwbreak+"), Does.Contain("PacketSize=4000").And.Contain("qXfer:features:read+"));
        Assert.That(gdb.Request("?"), Is.EqualTo("T05thread:01;"));

        // At reset: EIP is CS base FFFF0000 + IP FFF0 (real mode shows the linear address), EFLAGS 2, CS F000.
        string regs = gdb.Request("g");
        Assert.That(regs, Has.Length.EqualTo(2 * (16 * 4 + 8 * 10 + 8 * 4)));
        Assert.That(regs.Substring(8 * 8, 8), Is.EqualTo("f0ffffff"), "eip");
        Assert.That(regs.Substring(9 * 8, 8), Is.EqualTo("02000000"), "eflags");
        Assert.That(regs.Substring(10 * 8, 8), Is.EqualTo("00f00000"), "cs");
        Assert.That(gdb.Request("p8"), Is.EqualTo("f0ffffff"));

        Assert.That(gdb.Request("Z0,7c00,1"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("c"), Is.EqualTo("T05thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("007c0000"), "stopped before the instruction at 7C00");
        Assert.That(gdb.Request("pa"), Is.EqualTo("00000000"), "cs 0000");
        Assert.That(gdb.Request("m7c00,3"), Is.EqualTo("b83412"), "mov ax, 1234h");
        Assert.That(gdb.Request("z0,7c00,1"), Is.EqualTo("OK"));

        Assert.That(gdb.Request("s"), Is.EqualTo("T05thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("037c0000"));
        Assert.That(gdb.Request("p0"), Is.EqualTo("34120000"), "eax");
        Assert.That(gdb.Request("vCont?"), Is.EqualTo("vCont;c;C;s;S"));
        Assert.That(gdb.Request("vCont;s:1"), Is.EqualTo("T05thread:01;"));
        Assert.That(gdb.Request("p3"), Is.EqualTo("78560000"), "ebx");

        // The store of 68ACh to 0500h hits the write watchpoint; the stop is after it (7C0B).
        Assert.That(gdb.Request("Z2,500,2"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("vCont;c"), Is.EqualTo("T05watch:500;thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("0b7c0000"));
        Assert.That(gdb.Request("m500,2"), Is.EqualTo("ac68"));
        Assert.That(gdb.Request("z2,500,2"), Is.EqualTo("OK"));

        // An access watchpoint on 0502h catches the first INC (a read and a write); it completes.
        Assert.That(gdb.Request("Z4,502,2"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("c"), Is.EqualTo("T05awatch:502;thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("127c0000"));
        Assert.That(gdb.Request("m502,2"), Is.EqualTo("0100"));
        Assert.That(gdb.Request("z4,502,2"), Is.EqualTo("OK"));

        // Memory and register writes: set CX to 1 so the loop ends after this pass.
        Assert.That(gdb.Request("P1=01000000"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("M600,2:beef"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("m600,2"), Is.EqualTo("beef"));

        // isa-debug-exit with 21h: emu exits with (21h << 1) | 1 = 43h, reported as W43.
        Assert.That(gdb.Request("c"), Is.EqualTo("W43"));
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0x43));
    }

    [Test]
    public void TargetDescriptionHasTheI386CoreFeatureOnly()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        using var gdb = guest.Connect();
        var xml = new StringBuilder();
        while (true)
        {
            string chunk = gdb.Request($"qXfer:features:read:target.xml:{xml.Length:x},100");
            Assert.That(chunk[0], Is.AnyOf('m', 'l'));
            xml.Append(chunk[1..]);
            if (chunk[0] == 'l') break;
        }
        string text = xml.ToString();
        Assert.That(text, Does.Contain("<architecture>i8086</architecture>"), "real mode at reset");
        Assert.That(text, Does.Contain("org.gnu.gdb.i386.core"));
        Assert.That(text, Does.Not.Contain("org.gnu.gdb.i386.sse"));
        Assert.That(gdb.Request("qXfer:features:read:other.xml:0,100"), Does.StartWith("E"));
        gdb.Kill();
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0), "kill ends emu with status 0");
    }

    [Test]
    public void NoAckModeAndThreadQueries()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        using var gdb = guest.Connect();
        Assert.That(gdb.Request("QStartNoAckMode"), Is.EqualTo("OK"));
        gdb.NoAck = true;
        Assert.That(gdb.Request("qAttached"), Is.EqualTo("1"));
        Assert.That(gdb.Request("qC"), Is.EqualTo("QC01"));
        Assert.That(gdb.Request("qfThreadInfo"), Is.EqualTo("m01"));
        Assert.That(gdb.Request("qsThreadInfo"), Is.EqualTo("l"));
        Assert.That(gdb.Request("Hg0"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("qSomethingNew"), Is.EqualTo(""), "unknown packets get the empty reply");
        Assert.That(gdb.Request("vMustReplyEmpty"), Is.EqualTo(""));
        // Detach: the machine runs on to the exit port.
        Assert.That(gdb.Request("D"), Is.EqualTo("OK"));
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0x43));
    }

    [Test]
    public void MonitorInfoRegisters()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        using var gdb = guest.Connect();
        string reply = gdb.Request("qRcmd," + Convert.ToHexStringLower(Encoding.ASCII.GetBytes("info registers")));
        string text = Encoding.UTF8.GetString(Convert.FromHexString(reply));
        Assert.That(text, Does.Contain("EIP=0000FFF0").And.Contain("CR0=60000010"));
        string unknown = Encoding.UTF8.GetString(Convert.FromHexString(gdb.Request("qRcmd," + Convert.ToHexStringLower("frobnicate"u8.ToArray()))));
        Assert.That(unknown, Does.Contain("unknown command"));
    }

    [Test]
    public void InterruptWithCtrlCStopsARunningGuest()
    {
        using var guest = GdbTestGuest.Start(a =>
        {
            var spin = a.CreateLabel();
            a.Label(ref spin);
            a.inc(ax);
            a.jmp(spin);
        }, waitForDebugger: false);
        using var gdb = guest.Connect();
        Assert.That(gdb.Request("?"), Is.EqualTo("T05thread:01;"), "connecting stops the machine");
        gdb.SendRaw(GdbWire.Frame("c"));
        Assert.That((char)gdb.ReadByte(), Is.EqualTo('+'));
        Assert.That(gdb.Silent(200), Is.True, "running: no stop reply yet");
        gdb.SendRaw([0x03]);
        Assert.That(gdb.ReadPacket(), Is.EqualTo("T02thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("007c0000").Or.EqualTo("017c0000"), "stopped inside the loop");
        gdb.Kill();
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0));
    }

    [Test]
    public void StepIntoSoftwareInterruptStopsAtTheHandler()
    {
        using var guest = GdbTestGuest.Start(a =>
        {
            // Vector 80h (IVT entry at 0200h) -> 0000:7D00.
            a.mov(sp, 0x7000);                  // 7C00
            a.mov(__word_ptr[0x200], 0x7D00);   // 7C03
            a.mov(__word_ptr[0x202], 0);        // 7C09
            a.@int(0x80);                       // 7C0F
            a.hlt();
        });
        using var gdb = guest.Connect();
        Assert.That(gdb.Request("Z0,7c0f,1"), Is.EqualTo("OK"));
        Assert.That(gdb.Request("c"), Is.EqualTo("T05thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("0f7c0000"));
        Assert.That(gdb.Request("s"), Is.EqualTo("T05thread:01;"));
        Assert.That(gdb.Request("p8"), Is.EqualTo("007d0000"), "the step delivered INT 80h and stopped at the handler");
        Assert.That(gdb.Request("m6ffa,6"), Is.EqualTo("117c00000200"), "IP 7C11, CS 0, FLAGS 0002 pushed");
    }

    [Test]
    public void BadInputIsAnsweredAndNeverWedgesTheConnection()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        using var gdb = guest.Connect();
        // Garbage outside packets is ignored.
        gdb.SendRaw([0x00, 0xFF, (byte)'x', (byte)'#', (byte)'1', 0x7F]);
        // A wrong checksum gets '-'.
        gdb.SendRaw("$g#00");
        Assert.That((char)gdb.ReadByte(), Is.EqualTo('-'));
        // A packet cut off by a new '$' gets '-', and the new one is served.
        gdb.SendRaw("$m7c00" + GdbWire.Frame("m7c00,1"));
        Assert.That((char)gdb.ReadByte(), Is.EqualTo('-'));
        Assert.That((char)gdb.ReadByte(), Is.EqualTo('+'));
        Assert.That(gdb.ReadPacket(), Is.EqualTo("b8"));
        // Malformed arguments: errors, not crashes.
        Assert.That(gdb.Request("mzz,1"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("m1"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("m11111111111111111111,1"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("Pff=00"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("P8=0011"), Is.EqualTo("E22"), "eip is 4 bytes");
        Assert.That(gdb.Request("G00"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("Z9,0,1"), Is.EqualTo(""));
        Assert.That(gdb.Request("Z2,500,0"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("Z2,500,ffffffffffffffff"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("Zjunk"), Is.EqualTo("E22"));
        Assert.That(gdb.Request("M500,4:00"), Is.EqualTo("E22"), "length and data disagree");
        // A huge read is cut to what fits in a packet.
        string big = gdb.Request("m0,ffffffff");
        Assert.That(big.Length, Is.EqualTo((0x4000 - 16) / 2 * 2));
        // A packet far over the size limit is consumed and refused.
        gdb.SendRaw(GdbWire.Frame("M0,1:" + new string('0', 100_000)));
        Assert.That((char)gdb.ReadByte(), Is.EqualTo('+'));
        Assert.That(gdb.ReadPacket(), Is.EqualTo("E22"));
        // After all that the stub still works, and the guest still runs to its end.
        Assert.That(gdb.Request("m7c00,1"), Is.EqualTo("b8"));
        Assert.That(gdb.Request("c"), Is.EqualTo("W43"));
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0x43));
    }
}
