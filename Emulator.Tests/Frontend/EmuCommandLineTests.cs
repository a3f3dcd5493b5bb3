using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

public class EmuCommandLineTests
{
    static EmuOptions Parse(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, stdout, stderr);
        Assert.That(stderr.ToString(), Is.Empty);
        Assert.That(result.Options, Is.Not.Null);
        return result.Options!;
    }

    [Test]
    public void No_options_give_qemu_defaults()
    {
        var o = Parse();
        Assert.That(o.BiosPath, Is.Null);
        Assert.That(o.MemorySize, Is.EqualTo(128UL << 20));
        Assert.That(o.DebugCon, Is.Null);
        Assert.That(o.Log, Is.EqualTo(LogItems.None));
        Assert.That(o.LogFile, Is.Null);
        Assert.That(o.Devices, Is.Empty);
        Assert.That(o.NoReboot, Is.False);
    }

    [Test]
    public void The_full_test_command_line_parses()
    {
        var o = Parse("-bios", "tmp.bin", "-debugcon", "file:out.txt", "-d", "post", "-D", "log.txt",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-no-reboot", "-m", "64");
        Assert.That(o.BiosPath, Is.EqualTo("tmp.bin"));
        Assert.That(o.DebugCon, Is.EqualTo(new ChardevOptions(ChardevKind.File, "out.txt")));
        Assert.That(o.Log, Is.EqualTo(LogItems.Post));
        Assert.That(o.LogFile, Is.EqualTo("log.txt"));
        Assert.That(o.Devices, Is.EqualTo(new DeviceOptions[] { new IsaDebugExitOptions(0xF4, 4) }));
        Assert.That(o.NoReboot, Is.True);
        Assert.That(o.MemorySize, Is.EqualTo(64UL << 20));
    }

    [TestCase("64", 64UL << 20)]
    [TestCase("256M", 256UL << 20)]
    [TestCase("1G", 1UL << 30)]
    [TestCase("size=2G", 2UL << 30)]
    [TestCase("1.5G", 3UL << 29)]
    [TestCase("640K", 640UL << 10)]
    [TestCase("12345B", 16384UL)]
    public void Memory_sizes_follow_qemu(string value, ulong bytes)
    {
        Assert.That(Parse("-m", value).MemorySize, Is.EqualTo(bytes));
    }

    [Test]
    public void Pcall_guest_errors_and_unimp_are_log_items()
    {
        var o = Parse("-d", "pcall,guest_errors,unimp,int");
        Assert.That(o.Log, Is.EqualTo(LogItems.Pcall | LogItems.GuestErrors | LogItems.Unimp | LogItems.Int));
    }

    [Test]
    public void Cpu_names_a_model_and_help_lists_them()
    {
        Assert.That(Parse().CpuModel, Is.SameAs(Emulator.Core.Cpu.CpuModel.PentiumPro));
        Assert.That(Parse("-cpu", "pentium2").CpuModel, Is.SameAs(Emulator.Core.Cpu.CpuModel.Pentium2));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.That(EmuCommandLine.Parse(["-cpu", "help"], stdout, stderr).ExitCode, Is.EqualTo(0));
        Assert.That(stdout.ToString(), Does.Contain("pentiumpro").And.Contain("pentium2"));
        Assert.That(EmuCommandLine.Parse(["-cpu", "486"], stdout, stderr).ExitCode, Is.EqualTo(1));
        Assert.That(EmuCommandLine.Parse(["-cpu", "pentium2,+sse"], stdout, stderr).ExitCode, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.Contain("emu: -cpu 486: unable to find CPU model '486'").And.Contain("emu: -cpu pentium2,+sse: CPU features"));
    }

    [Test]
    public void The_cpu_model_reaches_the_guest_through_cpuid()
    {
        // CPUID.1:EDX bit 23 is MMX (SDM vol. 2A, CPUID): a Pentium II has it, a Pentium Pro does not.
        using var dir = new TempDir();
        string bios = dir.Write("cpuid.bin", TinyBios.Build(a =>
        {
            a.mov(Iced.Intel.AssemblerRegisters.eax, 1);
            a.cpuid();
            a.bt(Iced.Intel.AssemblerRegisters.edx, 23);
            a.setc(Iced.Intel.AssemblerRegisters.al);
            a.add(Iced.Intel.AssemblerRegisters.al, (byte)'0');
            a.@out((byte)0xE9, Iced.Intel.AssemblerRegisters.al);
            a.mov(Iced.Intel.AssemblerRegisters.al, 0);
            a.@out((byte)0xF4, Iced.Intel.AssemblerRegisters.al);
            a.hlt();
        }));
        string Mmx(params string[] cpu) => EmuRun.Of([.. cpu, "-bios", bios, "-debugcon", "stdio", "-device", "isa-debug-exit", "-display", "none"]).Stdout;
        Assert.That(Mmx(), Is.EqualTo("0"));
        Assert.That(Mmx("-cpu", "pentium2"), Is.EqualTo("1"));
    }

    [Test]
    public void A_repeated_option_keeps_its_last_value_as_in_qemu()
    {
        var o = Parse("-m", "64", "-m", "128", "-bios", "a.bin", "-bios", "b.bin");
        Assert.That(o.MemorySize, Is.EqualTo(128UL << 20));
        Assert.That(o.BiosPath, Is.EqualTo("b.bin"));
    }

    [Test]
    public void Options_also_take_two_dashes_as_in_qemu()
    {
        var o = Parse("--m", "32", "--bios", "x.bin", "--no-reboot");
        Assert.That(o.MemorySize, Is.EqualTo(32UL << 20));
        Assert.That(o.BiosPath, Is.EqualTo("x.bin"));
        Assert.That(o.NoReboot, Is.True);
    }

    [Test]
    public void Devices_accumulate_in_order_with_qemu_defaults_and_integer_syntax()
    {
        var o = Parse("-device", "isa-debug-exit", "-device", "driver=isa-debug-exit,iobase=0364,iosize=1");
        Assert.That(o.Devices, Is.EqualTo(new DeviceOptions[]
        {
            new IsaDebugExitOptions(0x501, 2),
            new IsaDebugExitOptions(0xF4, 1),
        }));
    }

    [TestCase("stdio", "Stdio", null)]
    [TestCase("null", "Null", null)]
    [TestCase("file:out.txt", "File", "out.txt")]
    [TestCase("file:C:/dir/a:b.txt", "File", "C:/dir/a:b.txt")]
    public void Debugcon_takes_a_chardev(string value, string kind, string? path)
    {
        Assert.That(Parse("-debugcon", value).DebugCon, Is.EqualTo(new ChardevOptions(Enum.Parse<ChardevKind>(kind), path)));
    }

    [TestCase("isa-debugcon.iobase=0x402", 0x402)]
    [TestCase("isa-debugcon.iobase=1026", 0x402)]
    [TestCase("driver=isa-debugcon,property=iobase,value=0x3f8", 0x3F8)]
    public void Global_isa_debugcon_iobase_sets_the_debug_console_port(string value, int port)
    {
        Assert.That(Parse("-global", value).DebugConPort, Is.EqualTo(port));
        Assert.That(Parse().DebugConPort, Is.EqualTo(0xE9), "QEMU's default");
    }

    [Test]
    public void Debugcon_none_means_no_device()
    {
        Assert.That(Parse("-debugcon", "file:x", "-debugcon", "none").DebugCon, Is.Null);
    }

    static IEnumerable<TestCaseData> BadCommandLines()
    {
        TestCaseData Case(string expected, params string[] args) => new TestCaseData(args, expected).SetArgDisplayNames(string.Join(' ', args));
        yield return Case("emu: -foo: invalid option", "-foo");
        yield return Case("emu: 'disk.img': unexpected argument (disk images are given with -hda, -cdrom, -fda or -drive)", "disk.img");
        yield return Case("emu: -m: requires an argument", "-m");
        yield return Case("emu: -bios: requires an argument", "-no-reboot", "-bios");
        yield return Case("emu: -m 12X: invalid size '12X' (a number of MiB, or a number with suffix K, M or G)", "-m", "12X");
        yield return Case("emu: -m 0: RAM size must not be zero", "-m", "0");
        yield return Case("emu: -m 64,slots=2: 'slots' is not supported yet", "-m", "64,slots=2");
        yield return Case("emu: -m 64,foo=1: invalid parameter 'foo'", "-m", "64,foo=1");
        yield return Case("emu: -d mmu: log item not supported yet (emu implements: in_asm, int, exec, cpu_reset, pcall, guest_errors, unimp, post)", "-d", "post,mmu");
        yield return Case("emu: -d page: log item not supported yet (emu implements: in_asm, int, exec, cpu_reset, pcall, guest_errors, unimp, post)", "-d", "pcall,page");
        yield return Case("emu: -d bogus: unknown log item (see -d help)", "-d", "bogus");
        yield return Case("emu: -debugcon vc: character device 'vc' is not supported yet (use file:PATH, stdio, null or none)", "-debugcon", "vc");
        yield return Case("emu: -debugcon file:: missing file name", "-debugcon", "file:");
        yield return Case("emu: -device e1000: 'e1000' is not a valid device model name (see -device help)", "-device", "e1000");
        yield return Case("emu: -device isa-debug-exit,port=1: property 'isa-debug-exit.port' not found", "-device", "isa-debug-exit,port=1");
        yield return Case("emu: -device isa-debug-exit,iobase=0xzz: iobase: '0xzz' is not a valid uint32 value", "-device", "isa-debug-exit,iobase=0xzz");
        yield return Case("emu: -device isa-debug-exit,iobase=0x10000: iobase 0x10000 is outside the I/O port space (0 to 0xffff)", "-device", "isa-debug-exit,iobase=0x10000");
        yield return Case("emu: -device isa-debug-exit,iobase=0xffff,iosize=2: iosize 0x2 must be at least 1 and end within the I/O port space", "-device", "isa-debug-exit,iobase=0xffff,iosize=2");
        yield return Case("emu: -device iobase=1: parameter 'driver' is missing", "-device", "iobase=1");
        yield return Case("emu: -global isa-debugcon.readback=1: 'isa-debugcon.readback' is not supported (emu implements isa-debugcon.iobase)", "-global", "isa-debugcon.readback=1");
        yield return Case("emu: -global isa-debugcon.iobase=0x10000: iobase 0x10000 is outside the I/O port space (0 to 0xffff)", "-global", "isa-debugcon.iobase=0x10000");
        yield return Case("emu: -global isa-debugcon.iobase=x: iobase: 'x' is not a valid uint32 value", "-global", "isa-debugcon.iobase=x");
        yield return Case("emu: -global foo: expected DRIVER.PROPERTY=VALUE or driver=D,property=P,value=V", "-global", "foo");
    }

    [TestCaseSource(nameof(BadCommandLines))]
    public void A_bad_command_line_is_one_error_line_and_status_1(string[] args, string expected)
    {
        var run = EmuRun.Of(args);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Is.EqualTo(expected + Environment.NewLine));
    }

    [Test]
    public void No_reboot_takes_no_value()
    {
        var run = EmuRun.Of("-no-reboot", "true");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.ErrorLines, Is.EqualTo(new[] { "emu: 'true': unexpected argument (disk images are given with -hda, -cdrom, -fda or -drive)" }));
    }

    [TestCase("--help")]
    [TestCase("-help")]
    [TestCase("-h")]
    public void Help_lists_the_qemu_options(string flag)
    {
        var run = EmuRun.Of(flag);
        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Stderr, Is.Empty);
        Assert.That(run.Stdout, Does.Contain("Usage:").And.Contain("emu [options]"));
        foreach (var option in new[] { "-bios", "-m", "-debugcon", "-d", "-D", "-device", "-no-reboot" })
            Assert.That(run.Stdout, Does.Contain($"  {option} "), option);
    }

    [TestCase("--version")]
    [TestCase("-version")]
    public void Version_prints_one_line(string flag)
    {
        var run = EmuRun.Of(flag);
        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Stdout, Does.Match(@"^emu version \d+\.\d+\.\d+\r?\n$"));
    }

    [TestCase("-d", "help", "post")]
    [TestCase("-d", "help", "pcall")]
    [TestCase("-d", "help", "guest_errors")]
    [TestCase("-d", "help", "unimp")]
    [TestCase("-device", "help", "isa-debug-exit")]
    [TestCase("-device", "?", "isa-debug-exit")]
    [TestCase("-device", "isa-debug-exit,help", "iobase=")]
    public void Help_values_list_what_is_available_and_exit_0(string option, string value, string listed)
    {
        var run = EmuRun.Of(option, value);
        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Stderr, Is.Empty);
        Assert.That(run.Stdout, Does.Contain(listed));
    }
}
