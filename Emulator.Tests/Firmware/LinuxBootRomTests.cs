using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using Emulator.Devices.Firmware;
using Emulator.Tests.Frontend;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// <c>-kernel</c> through the firmware (<see cref="LinuxFwCfgBoot"/> and bios/src/linuxboot.asm):
/// a tiny bzImage built here, whose "setup code" reports over port E9h the registers and setup
/// header it was started with, boots under the project's BIOS and under SeaBIOS. The expected
/// values come from the Linux boot protocol (Documentation/arch/x86/boot.rst "Running the
/// kernel", "Details of header fields") and the layout LinuxFwCfgBoot documents.
/// </summary>
public class LinuxBootRomTests
{
    const string SeaBios = "/usr/share/seabios/bios-256k.bin";
    const ulong Ram = 32UL << 20;
    const int SetupSectors = 1, KernelLength = 8192, InitrdLength = 5000;

    /// <summary>
    /// A bzImage of protocol 2.15: boot sector and one setup sector, then <see cref="KernelLength"/>
    /// bytes of "protected-mode kernel". The setup entry (image offset 200h) jumps over the header
    /// to code at 280h, which prints CS DS SS SP, type_of_loader, loadflags, heap_end_ptr,
    /// cmd_line_ptr, ramdisk_image, ramdisk_size, IF, then the command line, and halts.
    /// </summary>
    internal static byte[] FakeKernel()
    {
        var image = new byte[(SetupSectors + 1) * 512 + KernelLength];
        image[0x1F1] = SetupSectors;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x1F4), KernelLength / 16);   // syssize
        image[0x1FE] = 0x55;
        image[0x1FF] = 0xAA;
        image[0x200] = 0xEB;                    // jmp short 280h
        image[0x201] = 0x280 - 0x202;
        Encoding.ASCII.GetBytes("HdrS").CopyTo(image, 0x202);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x206), 0x020F);
        image[0x211] = 0x01;                    // LOADED_HIGH
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x22C), 0x37FFFFFF);   // initrd_addr_max
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x238), 255);          // cmdline_size

        var a = new Assembler(16);
        var r = new GuestReport(a);
        a.movzx(ebx, sp);
        r.Text("setup: ");
        a.xor(eax, eax);
        a.mov(ax, cs); r.Hex(eax);
        a.mov(ax, ds); r.Hex(eax);
        a.mov(ax, ss); r.Hex(eax);
        r.Hex(ebx);
        a.movzx(eax, __byte_ptr[0x210]); r.Hex(eax);
        a.movzx(eax, __byte_ptr[0x211]); r.Hex(eax);
        a.movzx(eax, __word_ptr[0x224]); r.Hex(eax);
        a.mov(eax, __dword_ptr[0x228]); r.Hex(eax);
        a.mov(eax, __dword_ptr[0x218]); r.Hex(eax);
        a.mov(eax, __dword_ptr[0x21C]); r.Hex(eax);
        a.pushfd(); a.pop(eax); a.and(eax, 0x200); r.Hex(eax);
        // The command line, from its linear address in cmd_line_ptr.
        a.mov(eax, __dword_ptr[0x228]);
        a.mov(esi, eax);
        a.and(si, 0xF);
        a.shr(eax, 4);
        a.mov(ds, ax);
        var next = a.CreateLabel();
        var done = a.CreateLabel();
        a.Label(ref next);
        a.mov(al, __byte_ptr[si]);
        a.test(al, al);
        a.jz(done);
        a.@out(0xE9, al);
        a.inc(si);
        a.jmp(next);
        a.Label(ref done);
        r.End();
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), 0x80);
        var code = stream.ToArray();
        if (0x280 + code.Length > (SetupSectors + 1) * 512) throw new InvalidOperationException("setup code too large");
        code.CopyTo(image, 0x280);
        for (int i = 0; i < KernelLength; i++) image[(SetupSectors + 1) * 512 + i] = (byte)(i * 7 + 3);
        return image;
    }

    internal static byte[] FakeInitrd()
    {
        var initrd = new byte[InitrdLength];
        for (int i = 0; i < initrd.Length; i++) initrd[i] = (byte)(i * 13 + 1);
        return initrd;
    }

    /// <summary>Runs until the debug console holds <paramref name="reports"/> complete report lines (SeaBIOS needs about 6 million instructions to boot).</summary>
    static StopReason RunToReport(Machine machine, StringWriter console, int reports)
    {
        var stop = StopReason.BudgetExhausted;
        for (int slice = 0; slice < 300; slice++)
        {
            stop = machine.Run(200_000);
            string text = console.ToString();
            int complete = 0;
            for (int at = text.IndexOf("setup: ", StringComparison.Ordinal); at >= 0 && text.IndexOf('\n', at) >= 0;
                 at = text.IndexOf("setup: ", text.IndexOf('\n', at), StringComparison.Ordinal))
                complete++;
            if (complete >= reports) break;
            if (stop is not (StopReason.BudgetExhausted or StopReason.Halted)) break;
        }
        return stop;
    }

    static byte[] LoaderRom() => File.ReadAllBytes(Path.Combine(BiosRig.RepoRoot(), "bios", "linuxboot.bin"));

    [TestCase("own")]
    [TestCase(SeaBios)]
    public void The_loader_rom_starts_the_setup_code_as_the_boot_protocol_asks(string firmware)
    {
        if (firmware != "own" && !File.Exists(firmware))
            Assert.Fail($"{firmware} is missing: install Debian's seabios package (.ci/run does)");
        var console = new StringWriter();
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = Ram },
            Bios = firmware == "own" ? BiosRig.BiosImage() : File.ReadAllBytes(firmware),
            DebugConsole = new DebugConsole(console),
        });
        var image = FakeKernel();
        var kernel = new LinuxKernelImage(image);
        var initrd = FakeInitrd();
        const string cmdline = "console=ttyS0 emu.test=fw_cfg";
        LinuxFwCfgBoot.Configure(board.FwCfg, Ram, kernel, initrd, cmdline, LoaderRom());
        var machine = board.Machine;
        machine.Reset();
        var stop = RunToReport(machine, console, 1);
        string log = console.ToString();
        TestContext.Out.WriteLine($"{machine.Cpu.InstructionsRetired} instructions, {stop}");
        TestContext.Out.WriteLine(log);

        // The initrd as high as RAM allows below the firmware's top MiB, page aligned:
        // (32 MiB - 1 MiB - 5000) rounded down to 4 KiB = 1EFE000h.
        const uint initrdAt = 0x1EFE000;
        Assert.That(log, Does.Contain(
            "setup: 00001020 00001000 00001000 0000FFF0 000000FF 00000081 0000FE00 00020000 01EFE000 00001388 00000000 "
            + cmdline + "\n"),
            "CS = the setup segment + 20h, DS = SS = the setup segment, SP below the command line, the patched header, interrupts off");
        var mem = machine.Memory;
        var loaded = new byte[KernelLength];
        mem.Read(0x100000, loaded);
        Assert.That(loaded, Is.EqualTo(image[((SetupSectors + 1) * 512)..]), "the protected-mode kernel at 1 MiB");
        var rd = new byte[InitrdLength];
        mem.Read(initrdAt, rd);
        Assert.That(rd, Is.EqualTo(initrd), "the initrd where ramdisk_image says");
    }

    [Test]
    public void A_reset_loads_and_starts_the_kernel_again()
    {
        var console = new StringWriter();
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = Ram },
            Bios = BiosRig.BiosImage(),
            DebugConsole = new DebugConsole(console),
        });
        var image = FakeKernel();
        LinuxFwCfgBoot.Configure(board.FwCfg, Ram, new LinuxKernelImage(image), FakeInitrd(), "first", LoaderRom());
        var machine = board.Machine;
        machine.Reset();
        RunToReport(machine, console, 1);
        // What the kernel would do to its image once running: the reset must bring it back from fw_cfg.
        machine.Memory.Write(0x100000, new byte[KernelLength]);
        machine.Reset();
        RunToReport(machine, console, 2);
        string log = console.ToString();
        TestContext.Out.WriteLine(log);
        int first = log.IndexOf("setup: 00001020 ", StringComparison.Ordinal);
        Assert.That(first, Is.GreaterThanOrEqualTo(0), "the first boot");
        Assert.That(log.IndexOf("setup: 00001020 ", first + 1, StringComparison.Ordinal), Is.GreaterThan(first), "the boot after the reset");
        var loaded = new byte[KernelLength];
        machine.Memory.Read(0x100000, loaded);
        Assert.That(loaded, Is.EqualTo(image[((SetupSectors + 1) * 512)..]), "the kernel loaded again at 1 MiB");
    }

    [Test]
    public void A_truncated_kernel_is_one_error_line()
    {
        using var dir = new TempDir();
        var image = FakeKernel();
        string path = dir.Write("bzImage", image[..^16]);
        var run = EmuRun.Of("-kernel", path);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.ErrorLines, Is.EqualTo(new[]
        {
            $"emu: -kernel {path}: Linux kernel image is truncated (shorter than the protected-mode size its header gives) (nor a Multiboot kernel)",
        }));
    }

    [Test]
    public void An_initrd_too_big_for_memory_is_one_error_line()
    {
        using var dir = new TempDir();
        string kernel = dir.Write("bzImage", FakeKernel());
        // 16 MiB of RAM, less the top MiB for the firmware, cannot hold a 15 MiB initrd above the kernel.
        string initrd = dir.Write("initrd", new byte[15 << 20]);
        var run = EmuRun.Of("-m", "16", "-kernel", kernel, "-initrd", initrd);
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.ErrorLines, Is.EqualTo(new[]
        {
            $"emu: -kernel: the initrd ({15 << 20} bytes) does not fit in 16 MiB of RAM with the kernel",
        }));
    }
}
