using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The human monitor over a real TCP socket against a running guest. Expected output is worked
/// from QEMU's HMP formats (memory_dump, x86_cpu_dump_state, info status) and the programs.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public class MonitorTests
{
    static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    static void Spin(Assembler a)
    {
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.jmp(spin);
    }

    [Test]
    public void InfoRegistersShowsEipAndStopContChangeTheStatus()
    {
        using var guest = new MonitorTestGuest(a =>
        {
            a.mov(eax, 0x12345678);   // 7C00: 66 B8 imm32, 6 bytes
            Spin(a);                  // 7C06
        });
        using var mon = guest.Connect();
        Assert.That(mon.Banner, Does.Contain("monitor - type 'help' for more information"));
        Assert.That(mon.Command("info status"), Is.EqualTo("VM status: running\n"));
        Assert.That(mon.Command("stop"), Is.EqualTo(""));
        Assert.That(mon.Command("info status"), Is.EqualTo("VM status: paused\n"));
        string regs = mon.Command("info registers");
        Assert.That(regs, Does.StartWith("EAX=12345678 EBX=00000000 ECX=00000000 EDX="));
        Assert.That(regs, Does.Contain("\nEIP=00007c06 EFL="));
        // Real-mode CS after the far jump to 0000:7C00: base 0, limit FFFF, present R/W data rights (93h) in bits 8-15.
        Assert.That(regs, Does.Contain("\nCS =0000 00000000 0000ffff 00009300\n"));
        Assert.That(mon.Command("c"), Is.EqualTo(""));
        Assert.That(mon.Command("info status"), Is.EqualTo("VM status: running\n"));
        Assert.That(mon.Command("info version"), Does.Match(@"^\d+\.\d+\.\d+\n$"));
    }

    [Test]
    public void StartsPausedWithDashS()
    {
        using var guest = new MonitorTestGuest(Spin, startPaused: true);
        using var mon = guest.Connect();
        Assert.That(mon.Command("info status"), Is.EqualTo("VM status: paused (prelaunch)\n"));
        Assert.That(mon.Command("info registers"), Does.Contain("\nEIP=0000fff0 "), "nothing ran: still at the reset vector");
        mon.Command("cont");
        Assert.That(mon.Until("info registers", r => r.Contains("EIP=00007c00")), Does.Contain("EIP=00007c00"));
    }

    [Test]
    public void XAndXpDumpKnownMemoryInEachFormat()
    {
        using var guest = new MonitorTestGuest(a =>
        {
            a.mov(__dword_ptr[0x500], 0x11223344);   // 7C00
            a.mov(__dword_ptr[0x504], 0x55667788);
            a.mov(__dword_ptr[0x508], 0x99AABBCC);
            a.mov(__dword_ptr[0x50C], 0xDDEEFF00);
            a.mov(__byte_ptr[0x510], (byte)'A');
            a.mov(__byte_ptr[0x511], 0x0A);
            a.mov(__byte_ptr[0x512], 0x07);
            Spin(a);
        });
        using var mon = guest.Connect();
        Assert.That(mon.Until("x/4xw 0x500", s => s.Contains("ddeeff00")), Is.EqualTo("00000500: 0x11223344 0x55667788 0x99aabbcc 0xddeeff00\n"));
        Assert.That(mon.Command("xp/4xb 0x500"), Is.EqualTo("0000000000000500: 0x44 0x33 0x22 0x11\n"));
        Assert.That(mon.Command("x/2xh 0x500"), Is.EqualTo("00000500: 0x3344 0x1122\n"));
        Assert.That(mon.Command("x/1xg 0x500"), Is.EqualTo("00000500: 0x5566778811223344\n"));
        // 0xDDEEFF00 = 3723427584: ten digits, the width QEMU gives 32-bit decimal.
        Assert.That(mon.Command("x/1uw 0x50c"), Is.EqualTo("0000050c: 3723427584\n"));
        Assert.That(mon.Command("x/2dh 0x500"), Is.EqualTo("00000500: 13124  4386\n"));
        Assert.That(mon.Command("x/1ow 0x500"), Is.EqualTo("00000500: 02110431504\n"));
        Assert.That(mon.Command("x/3c 0x510"), Is.EqualTo("00000510: 'A' '\\n' '\\x07'\n"));
        // Nine bytes: eight on the first line, then the ninth (byte units give 8 per line).
        Assert.That(mon.Command("x/9xb 0x500"), Is.EqualTo("00000500: 0x44 0x33 0x22 0x11 0x88 0x77 0x66 0x55\n00000508: 0xcc\n"));
        Assert.That(mon.Command("x/8xw 0x500"), Is.EqualTo(
            "00000500: 0x11223344 0x55667788 0x99aabbcc 0xddeeff00\n00000510: 0x0007" + "0a41 0x00000000 0x00000000 0x00000000\n"));
        string dis = mon.Command("x/2i 0x7c00");
        Assert.That(dis, Does.StartWith("0x00007c00:  movl   $0x11223344,0x500\n0x00007c09:  movl   $0x55667788,0x504\n"));
        Assert.That(mon.Command("x/2xw $eip-$eip+0x500"), Is.EqualTo("00000500: 0x11223344 0x55667788\n"));
    }

    [Test]
    public void GarbageIsAnsweredWithOneErrorLineAndTheSessionGoesOn()
    {
        using var guest = new MonitorTestGuest(Spin);
        using var mon = guest.Connect();
        Assert.That(mon.Command("frobnicate now"), Is.EqualTo("unknown command: 'frobnicate'\n"));
        Assert.That(mon.Command("x/4z 0x500"), Is.EqualTo("invalid char 'z' in format\n"));
        Assert.That(mon.Command("x/4xw"), Is.EqualTo("x: missing address\n"));
        Assert.That(mon.Command("x/4xw 0xzz"), Is.EqualTo("invalid number '0xzz'\n"));
        Assert.That(mon.Command("x/99999999xg 0"), Does.StartWith("at most").And.Not.Contain("\n\n"));
        Assert.That(mon.Command("info nothing"), Is.EqualTo("unknown info subcommand: 'nothing' (see 'help info')\n"));
        Assert.That(mon.Command("sendkey ctrl-banana"), Is.EqualTo("invalid parameter: unknown key 'banana'\n"));
        Assert.That(mon.Command("eject ide9-cd0"), Is.EqualTo("Device 'ide9-cd0' not found\n"));
        Assert.That(mon.Command("change ide1-cd0 /nonexistent/x.iso"), Is.EqualTo("Could not open '/nonexistent/x.iso': No such file or directory\n"));
        Assert.That(mon.Command("stop now"), Is.EqualTo("stop: too many arguments\n"));
        Assert.That(mon.Command("savevm s1"), Is.EqualTo("No block device can accept snapshots\n"));   // this guest has no disk
        mon.SendRaw([0xFF, 0xFE, 0x00, 0x01, (byte)'\n']);
        Assert.That(mon.ReadToPrompt(), Does.StartWith("unknown command:").And.EndWith("\n").And.Not.Contains("\n\n"));
        mon.SendRaw(new byte[10_000].Select(_ => (byte)'a').Append((byte)'\n').ToArray());
        Assert.That(mon.ReadToPrompt(), Is.EqualTo("command line too long (at most 4096 bytes)\n"));
        Assert.That(mon.Command(""), Is.EqualTo(""));
        Assert.That(mon.Command("info status"), Is.EqualTo("VM status: running\n"));
    }

    [Test]
    public void SendkeyReachesThe8042OutputBuffer()
    {
        // The guest copies every byte the 8042 offers (status bit 0, port 60h) to 0600h onward.
        using var guest = new MonitorTestGuest(a =>
        {
            var poll = a.CreateLabel();
            a.mov(di, 0x600);
            a.Label(ref poll);
            a.@in(al, 0x64);
            a.test(al, 1);
            a.jz(poll);
            a.@in(al, 0x60);
            a.mov(__byte_ptr[di], al);
            a.inc(di);
            a.jmp(poll);
        });
        using var mon = guest.Connect();
        Assert.That(mon.Command("sendkey ctrl-alt-delete"), Is.EqualTo(""));
        // Scan code set 2 (the keyboard's default; the 8042 translates only when command byte bit 6 is set,
        // and it is clear at power-on): Ctrl 14, Alt 11, Delete E0 71 made in order, then broken in reverse
        // with F0 prefixes: E0 F0 71, F0 11, F0 14.
        string expected = "0000000000000600: 0x14 0x11 0xe0 0x71 0xe0 0xf0 0x71 0xf0\n0000000000000608: 0x11 0xf0 0x14 0x00\n";
        Assert.That(mon.Until("xp/12xb 0x600", s => s == expected), Is.EqualTo(expected));
    }

    [Test]
    public void SystemResetRestartsTheGuest()
    {
        using var guest = new MonitorTestGuest(a =>
        {
            a.inc(__byte_ptr[0x700]);   // counts boots: RAM keeps its contents across a reset
            Spin(a);
        });
        using var mon = guest.Connect();
        Assert.That(mon.Until("xp/1xb 0x700", s => s.Contains("0x01")), Is.EqualTo("0000000000000700: 0x01\n"));
        mon.Command("stop");
        Assert.That(mon.Command("system_reset"), Is.EqualTo(""));
        string regs = mon.Command("info registers");
        Assert.That(regs, Does.Contain("\nEIP=0000fff0 "));
        Assert.That(regs, Does.Contain("\nCS =f000 ffff0000 0000ffff "));
        mon.Command("cont");
        Assert.That(mon.Until("xp/1xb 0x700", s => s.Contains("0x02")), Is.EqualTo("0000000000000700: 0x02\n"));
    }

    [Test]
    public void SystemPowerdownPowersOffAGuestThatEnabledAcpi()
    {
        const ushort pmBase = 0x600;
        using var guest = new MonitorTestGuest(a =>
        {
            var wait = a.CreateLabel();
            // PIIX4 function 3 (bus 0, device 1): PMBA (config 40h) = 600h, PMREGMISC (80h) bit 0 = decode on.
            a.mov(dx, 0xCF8); a.mov(eax, 0x80000B40); a.@out(dx, eax);
            a.mov(dx, 0xCFC); a.mov(eax, pmBase | 1); a.@out(dx, eax);
            a.mov(dx, 0xCF8); a.mov(eax, 0x80000B80); a.@out(dx, eax);
            a.mov(dx, 0xCFC); a.mov(al, 1); a.@out(dx, al);
            a.mov(al, 0xF1); a.@out(0xB2, al);                                   // ACPI enable: SCI_EN
            a.mov(dx, pmBase + 2); a.mov(ax, 0x0100); a.@out(dx, ax);           // PWRBTN_EN
            a.mov(__byte_ptr[0x700], 1);                                         // ready
            a.Label(ref wait);
            a.mov(dx, pmBase); a.@in(ax, dx); a.test(ax, 0x0100); a.jz(wait);   // PWRBTN_STS
            a.@out(dx, ax);                                                      // write 1 to clear
            a.mov(dx, pmBase + 4); a.mov(ax, 0x2000 | 0x0001); a.@out(dx, ax);  // SLP_TYP 0 (S5) | SLP_EN
            Spin(a);
        });
        using var mon = guest.Connect();
        Assert.That(mon.Until("xp/1xb 0x700", s => s.Contains("0x01")), Is.EqualTo("0000000000000700: 0x01\n"));
        Assert.That(guest.WaitForExit(TimeSpan.FromMilliseconds(200)), Is.EqualTo(-1), "the guest waits for the button");
        Assert.That(mon.Command("system_powerdown"), Is.EqualTo(""));
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0));
        Assert.That(mon.Closed(), Is.True, "the monitor closes when the machine ends");
    }

    [Test]
    public void ChangeAndEjectShowInInfoBlockAndInTheAtapiSense()
    {
        // The guest issues TEST UNIT READY to ide1-cd0 by PIO PACKET (ATA/ATAPI-6 9.8) forever, storing the
        // error register (sense key in bits 7-4) at 0800h and setting 0802h once it sees UNIT ATTENTION.
        using var guest = new MonitorTestGuest(a =>
        {
            var loop = a.CreateLabel(); var drq = a.CreateLabel(); var pkt = a.CreateLabel(); var done = a.CreateLabel(); var skip = a.CreateLabel();
            a.Label(ref loop);
            a.mov(dx, 0x176); a.mov(al, 0xA0); a.@out(dx, al);    // select master
            a.mov(dx, 0x171); a.mov(al, 0); a.@out(dx, al);       // features: PIO
            a.mov(dx, 0x174); a.@out(dx, al);                     // byte count 0800h
            a.mov(dx, 0x175); a.mov(al, 8); a.@out(dx, al);
            a.mov(dx, 0x177); a.mov(al, 0xA0); a.@out(dx, al);    // PACKET
            a.Label(ref drq);
            a.@in(al, dx); a.test(al, 0x80); a.jnz(drq); a.test(al, 0x08); a.jz(drq);
            a.mov(dx, 0x170); a.xor(ax, ax); a.mov(cx, 6);
            a.Label(ref pkt);
            a.@out(dx, ax); a.loop(pkt);                          // 12 zero bytes: TEST UNIT READY
            a.mov(dx, 0x177);
            a.Label(ref done);
            a.@in(al, dx); a.test(al, 0x80); a.jnz(done);
            a.mov(dx, 0x171); a.@in(al, dx); a.mov(__byte_ptr[0x800], al);
            a.cmp(al, 0x60); a.jne(skip);
            a.mov(__byte_ptr[0x802], 1);
            a.Label(ref skip);
            a.jmp(loop);
        });
        string iso = guest.Dir.Write("disc.iso", new byte[4 * 2048]);
        using var mon = guest.Connect();
        Assert.That(mon.Command("info block"), Is.EqualTo("ide1-cd0: [not inserted]\n    Removable device: not locked, tray open\n\n"));
        // NOT READY (2) while empty: error register 20h.
        Assert.That(mon.Until("xp/1xb 0x800", s => s.Contains("0x20")), Is.EqualTo("0000000000000800: 0x20\n"));

        Assert.That(mon.Command($"change ide1-cd0 {iso}"), Is.EqualTo(""));
        Assert.That(mon.Command("info block"), Is.EqualTo($"ide1-cd0: {iso} (raw, read-only)\n    Removable device: not locked, tray closed\n\n"));
        // The first command after the change reports UNIT ATTENTION (6); then the drive is ready (error 0).
        Assert.That(mon.Until("xp/3xb 0x800", s => s.EndsWith("0x00 0x00 0x01\n")), Is.EqualTo("0000000000000800: 0x00 0x00 0x01\n"));

        Assert.That(mon.Command("eject ide1-cd0"), Is.EqualTo(""));
        Assert.That(mon.Command("info block"), Is.EqualTo("ide1-cd0: [not inserted]\n    Removable device: not locked, tray open\n\n"));
        Assert.That(mon.Until("xp/1xb 0x800", s => s.Contains("0x20")), Is.EqualTo("0000000000000800: 0x20\n"));
    }

    [Test]
    public void QuitEndsEmuAndClosesTheConnection()
    {
        using var guest = new MonitorTestGuest(Spin);
        using var mon = guest.Connect();
        mon.Send("quit");
        Assert.That(guest.WaitForExit(ExitWait), Is.EqualTo(0));
        Assert.That(mon.Closed(), Is.True);
    }
}
