using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// <c>-d in_asm,int,cpu_reset,exec</c>, <c>-D</c> and <c>-dfilter</c> on a tiny BIOS that installs
/// an INT 21h handler and calls it; the handler exits through isa-debug-exit. Layout of the
/// BIOS code at F000:E000 (worked by hand from the encodings): E000 jmp short E007 (EB 05);
/// E002 handler: mov al,21h (B0 21), out F4h,al (E6 F4), hlt (F4); E007 xor ax,ax (31 C0);
/// E009 mov ds,ax (8E D8); E00B mov word [84h],E002h (C7 06 84 00 02 E0); E011 mov word [86h],F000h;
/// E017 int 21h (CD 21); E019.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public class TraceTests
{
    static string Run(string items, params string[] extra)
    {
        using var dir = new TempDir();
        string bios = dir.Write("bios.bin", TinyBios.Build(a =>
        {
            var main = a.CreateLabel();
            a.jmp(main);
            a.mov(al, 0x21);
            a.@out(0xF4, al);
            a.hlt();
            a.Label(ref main);
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.mov(__word_ptr[0x84], 0xE002);
            a.mov(__word_ptr[0x86], 0xF000);
            a.@int(0x21);
        }));
        string log = dir.File("trace.log");
        var args = new[] { "-bios", bios, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-d", items, "-D", log }.Concat(extra).ToArray();
        var stderr = new StringWriter();
        int status = EmuMain.Run(args, TextWriter.Null, stderr, instructionLimit: 10_000_000);
        Assert.That(status, Is.EqualTo(0x43), stderr.ToString());
        return File.ReadAllText(log);
    }

    [Test]
    public void InAsmAndIntLogTheDisassemblyAndTheInterrupt()
    {
        string log = Run("in_asm,int");
        // The reset vector: CS base FFFF0000h + IP FFF0h.
        Assert.That(log, Does.Contain("----------------\nIN: \n0xfffffff0:  ljmp   $0xf000,$0xe000\n\n"));
        Assert.That(log, Does.Contain("\n0x000fe017:  int    $0x21\n"));
        // emu shows the software interrupt's IP after the INT instruction (QEMU shows the INT itself).
        Assert.That(log, Does.Contain("     0: v=21 e=0000 i=1 cpl=0 IP=f000:0000e019 pc=000fe019 SP=0000:00000000 env->regs[R_EAX]=00000000\nEAX=00000000 "));
        Assert.That(log, Does.Contain("\n0x000fe002:  mov    $0x21,%al\n0x000fe004:  out    %al,$0xf4\n"));
    }

    [Test]
    public void CpuResetAndExecAndDfilter()
    {
        string log = Run("cpu_reset,exec,in_asm", "-dfilter", "0xfe000..0xfe00f");
        Assert.That(log, Does.StartWith("CPU Reset (CPU 0)\nEAX=00000000 "));
        Assert.That(log, Does.Contain("\nEIP=0000fff0 EFL=00000002 [-------] CPL=0 "));
        Assert.That(log, Does.Contain("Trace 0: [000f0000/000fe000] \n"));
        Assert.That(log, Does.Contain("Trace 0: [000f0000/000fe002] \n"), "the handler's block");
        Assert.That(log, Does.Not.Contain("fffffff0"), "outside the filter: neither decoded nor executed blocks are logged");
        Assert.That(log, Does.Contain("IN: \n0x000fe000:  jmp    0xe007\n"));
    }

    [Test]
    public void DfilterRangesParseAsQemu()
    {
        Assert.That(EmuCommandLine.ParseLogFilter("0x1000..0x2000,0x3000+0x100,0x5000-0x10,4096+1"),
            Is.EqualTo(new (ulong, ulong)[] { (0x1000, 0x2000), (0x3000, 0x30FF), (0x4FF1, 0x5000), (4096, 4096) }));
        Assert.Throws<EmuError>(() => EmuCommandLine.ParseLogFilter("0x2000..0x1000"));
        Assert.Throws<EmuError>(() => EmuCommandLine.ParseLogFilter("0x1000"));
        Assert.Throws<EmuError>(() => EmuCommandLine.ParseLogFilter("0x1000+0"));
        Assert.Throws<EmuError>(() => EmuCommandLine.ParseLogFilter("zz..0x10"));
    }

    [Test]
    public void MonitorOptionParses()
    {
        var stderr = new StringWriter();
        var r = EmuCommandLine.Parse(["-monitor", "tcp::4444,server,nowait"], TextWriter.Null, stderr);
        Assert.That(r.Options!.Monitor, Is.EqualTo(new ChardevOptions(ChardevKind.Tcp, Tcp: new TcpChardev("", 4444, true, false))));
        Assert.That(EmuCommandLine.Parse(["-monitor", "none"], TextWriter.Null, stderr).Options!.Monitor, Is.Null);
        r = EmuCommandLine.Parse(["-monitor", "stdio", "-serial", "stdio"], TextWriter.Null, stderr);
        Assert.That(r.ExitCode, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.StartWith("emu: cannot use stdio by multiple character devices"));
    }
}
