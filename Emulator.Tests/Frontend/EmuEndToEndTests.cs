using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Frontend;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// The whole emu command on tiny BIOS images assembled here: reset vector, real-mode
/// code, the debug ports, and emu's exit status. These need the CPU core to execute
/// mov, out, jmp, cli, hlt (and, for the triple fault, lidt and an exception).
/// </summary>
public class EmuEndToEndTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    [Test]
    public void Hello_bios_prints_posts_and_exits_through_isa_debug_exit()
    {
        string bios = dir.Write("tmp.bin", TinyBios.Hello());
        string output = dir.File("out.txt"), log = dir.File("log.txt");

        var run = EmuRun.Of("-bios", bios, "-debugcon", "file:" + output, "-d", "post", "-D", log,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");

        Assert.That(run.ExitCode, Is.EqualTo((0x21 << 1) | 1));
        Assert.That(File.ReadAllText(output), Is.EqualTo("Hello"));
        Assert.That(File.ReadAllLines(log), Does.Contain("POST 42"));
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Is.Empty);
    }

    [Test]
    public void Debugcon_stdio_and_the_default_log_go_to_the_console()
    {
        string bios = dir.Write("tmp.bin", TinyBios.Hello());

        var run = EmuRun.Of("-bios", bios, "-debugcon", "stdio", "-d", "post", "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.ExitCode, Is.EqualTo(0x43));
        Assert.That(run.Stdout, Is.EqualTo("Hello"));
        Assert.That(run.ErrorLines, Is.EqualTo(new[] { "POST 42" }));
    }

    [Test]
    public void Global_isa_debugcon_iobase_moves_the_debug_console_where_seabios_logs()
    {
        string bios = dir.Write("tmp.bin", TinyBios.Build(a =>
        {
            a.mov(dx, 0x402);
            a.@in(al, dx);                        // SeaBIOS checks for the read-back 0xE9 first
            a.@out(dx, al);
            a.mov(dx, 0xE9);                      // the old port is empty now
            a.mov(al, (byte)'x');
            a.@out(dx, al);
            a.mov(al, 0x21);
            a.@out(0xF4, al);
            a.hlt();
        }));

        var run = EmuRun.Of("-bios", bios, "-debugcon", "stdio", "-global", "isa-debugcon.iobase=0x402",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.ExitCode, Is.EqualTo(0x43));
        Assert.That(run.Stdout, Is.EqualTo("\u00e9"), "the read-back byte 0xE9, echoed");
    }

    [Test]
    public void Without_debugcon_or_d_post_nothing_is_printed()
    {
        string bios = dir.Write("tmp.bin", TinyBios.Hello());

        var run = EmuRun.Of("-bios", bios, "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.ExitCode, Is.EqualTo(0x43));
        Assert.That(run.Stdout + run.Stderr, Is.Empty);
    }

    [Test]
    public void A_bigger_bios_still_starts_at_the_reset_vector()
    {
        string bios = dir.Write("big.bin", TinyBios.Build(ExitWith0x21, size: 256 << 10));

        var run = EmuRun.Of("-bios", bios, "-device", "isa-debug-exit,iobase=0xf4,iosize=4");

        Assert.That(run.ExitCode, Is.EqualTo(0x43));
    }

    [Test]
    public void Without_bios_the_embedded_bios_runs_to_its_banner()
    {
        // -boot: without it (and without disks) emu would boot its demo disk instead of halting.
        // The whole POST (tables, floppy and disk probes, boot attempts) runs: more than EmuRun's small bound.
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(["-debugcon", "stdio", "-d", "post", "-boot", "c"], stdout, stderr, instructionLimit: 200_000_000);
        var run = new EmuRun(code, stdout.ToString(), stderr.ToString());

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Stdout, Does.StartWith("emu BIOS "));
        Assert.That(run.ErrorLines, Does.Contain("POST 01"));
        Assert.That(run.ErrorLines[^1], Is.EqualTo("emu: guest halted with interrupts disabled"));
    }

    [Test]
    public void Halting_with_interrupts_off_ends_the_run_with_status_0()
    {
        string bios = dir.Write("halt.bin", TinyBios.Build(a => { a.cli(); a.hlt(); }));

        var run = EmuRun.Of("-bios", bios);

        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Stderr, Is.EqualTo("emu: guest halted with interrupts disabled" + Environment.NewLine));
    }

    [Test]
    public void A_triple_fault_with_no_reboot_is_logged_and_exits_0()
    {
        // An empty IDT (limit 0, from zeroed RAM at 0x500) turns #UD into #GP, #DF, then shutdown.
        string bios = dir.Write("tf.bin", TinyBios.Build(a => { a.lidt(__[0x500]); a.ud2(); }));
        string log = dir.File("log.txt");

        var run = EmuRun.Of("-bios", bios, "-no-reboot", "-D", log);

        Assert.That(run.ExitCode, Is.Zero);
        var lines = File.ReadAllLines(log);
        Assert.That(lines, Does.Contain("Triple fault"));
        Assert.That(string.Join('\n', lines), Does.Contain("EIP="));
    }

    [Test]
    public void The_bios_is_mapped_below_4_GiB_and_its_last_128_KiB_below_1_MiB()
    {
        var image = new byte[256 << 10];
        for (int i = 0; i < image.Length; i += 4096) image[i] = (byte)(i >> 12);
        var machine = new Machine(new MachineConfig { MemorySize = 16 << 20 });

        PcBoard.MapBios(machine, image);

        Assert.That(machine.Memory.ReadSlow(0xFFFC_0000, 1), Is.EqualTo(0x00));
        Assert.That(machine.Memory.ReadSlow(0xFFFF_F000, 1), Is.EqualTo(0x3F));
        Assert.That(machine.Memory.ReadSlow(0xE_0000, 1), Is.EqualTo(0x20), "E0000 shows the image's last 128 KiB");
        Assert.That(machine.Memory.ReadSlow(0xF_F000, 1), Is.EqualTo(0x3F));
        machine.Memory.WriteSlow(0xF_F000, 1, 0x99);
        Assert.That(machine.Memory.ReadSlow(0xF_F000, 1), Is.EqualTo(0x3F), "the low alias is read-only");
        Assert.That(machine.Memory.ReadSlow(0xD_F000, 1), Is.Zero, "RAM below the alias is untouched");
    }

    static void ExitWith0x21(Iced.Intel.Assembler a)
    {
        a.mov(al, 0x21);
        a.@out((byte)0xF4, al);
        a.hlt();
    }
}
