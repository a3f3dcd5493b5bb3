using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Board;

/// <summary>The standard PC as the board builds it.</summary>
public class PcBoardTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Emulator.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Test]
    public void The_board_runs_the_project_bios_to_its_banner()
    {
        var text = new StringWriter();
        var post = new List<byte>();
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 32UL << 20 },
            Bios = File.ReadAllBytes(Path.Combine(RepoRoot(), "bios", "bios.bin")),
            PostCode = post.Add,
            DebugConsole = new DebugConsole(text),
        });
        board.Machine.Reset();
        var reason = board.Machine.Run(20_000_000);
        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(StopReason.Halted));
            Assert.That(text.ToString(), Does.StartWith("emu BIOS 0.2"));
            Assert.That(post, Is.EqualTo(Enumerable.Range(1, 13).Select(i => (byte)i)));
        });
    }

    [Test]
    public void The_bios_is_at_the_top_of_4_GiB_and_its_last_128_KiB_below_1_MiB()
    {
        var image = new byte[256 << 10];
        for (int i = 0; i < image.Length; i += 4096) image[i] = (byte)(i >> 12);
        var m = new BoardTestMachine(bios: image).Machine;
        Assert.That(m.Memory.ReadSlow(0xFFFC_0000, 1), Is.EqualTo(0x00));
        Assert.That(m.Memory.ReadSlow(0xFFFF_F000, 1), Is.EqualTo(0x3F));
        Assert.That(m.Memory.ReadSlow(0xE_0000, 1), Is.EqualTo(0x20));
        Assert.That(m.Memory.ReadSlow(0xF_F000, 1), Is.EqualTo(0x3F));
    }

    [Test]
    public void An_unusable_memory_size_is_reported_as_ram_size()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new PcBoard(new PcBoardConfig { Machine = new MachineConfig { MemorySize = 4095 }, Bios = BoardTestMachine.HaltBios() }));
        Assert.That(e!.ParamName, Is.EqualTo("ramSize"));
    }

    [Test]
    public void Wires_into_one_isa_irq_are_wired_or()
    {
        var board = new BoardTestMachine().Board;
        var a = board.IsaIrq(9);
        var b = board.IsaIrq(9);
        a.Raise();
        b.Raise();
        a.Lower();
        Assert.That(board.IsaIrqLevel(9), Is.True);
        b.Lower();
        Assert.That(board.IsaIrqLevel(9), Is.False);
    }

    [Test]
    public void The_sci_reaches_isa_irq_9()
    {
        var board = new BoardTestMachine().Board;
        board.Acpi.WriteConfig(0x40, 4, 0xB000);
        board.Acpi.WriteConfig(0x80, 1, 1);
        board.Machine.Io.Out(0xB002, 2, 0x0100);   // PWRBTN_EN
        board.Acpi.PressPowerButton();
        Assert.That(board.IsaIrqLevel(PcBoard.SciIrq), Is.True);
        board.Machine.Reset();
        Assert.That(board.IsaIrqLevel(PcBoard.SciIrq), Is.False, "reset clears the PM registers");
        Assert.That(board.Acpi.PmBase, Is.Null);
    }

    [Test]
    public void Isa_debug_exit_and_the_post_port_are_wired()
    {
        var board = new PcBoard(new PcBoardConfig { Bios = BoardTestMachine.HaltBios(), DebugExits = [(0xF4, 4)] });
        board.Machine.Io.Out(0x80, 1, 0x42);
        Assert.That(board.PostCode.LastCode, Is.EqualTo(0x42));
        board.Machine.Io.Out(0xF6, 1, 0x10);
        Assert.That(board.Machine.Run(10), Is.EqualTo(StopReason.ExitRequested));
        Assert.That(board.Machine.ExitCode, Is.EqualTo(0x21));
    }

    [Test]
    public void A_guest_takes_the_sci_of_a_pm_timer_overflow_through_the_8259_on_irq_9()
    {
        var m = new BoardTestMachine();
        // IRQ 9 is the slave's IR1: vector 0x71 with the slave at 0x70. The handler counts, clears
        // TMR_STS (write 1), and sends EOI to both PICs.
        m.Machine.Memory.Write(0x71 * 4, BitConverter.GetBytes(0x0000_3000u));
        var handler = new Iced.Intel.Assembler(16);
        handler.inc(__word_ptr[0x500]);
        handler.mov(dx, 0xB000);
        handler.mov(ax, 1);
        handler.@out(dx, ax);
        handler.mov(al, 0x20);
        handler.@out(0xA0, al);
        handler.@out(0x20, al);
        handler.iret();
        using (var ms = new MemoryStream())
        {
            handler.Assemble(new Iced.Intel.StreamCodeWriter(ms), 0x3000);
            m.Machine.Memory.Write(0x3000, ms.ToArray());
        }
        var reason = m.RunReal(a =>
        {
            var wait = a.CreateLabel();
            PciAsm.WriteDword(a, 0x0B, 0x40, 0xB000);
            PciAsm.WriteByte(a, 0x0B, 0x80, 1);
            a.mov(al, 0x11); a.@out(0x20, al); a.@out(0xA0, al);   // ICW1
            a.mov(al, 0x08); a.@out(0x21, al);
            a.mov(al, 0x70); a.@out(0xA1, al);                      // ICW2
            a.mov(al, 0x04); a.@out(0x21, al);
            a.mov(al, 0x02); a.@out(0xA1, al);                      // ICW3
            a.mov(al, 0x01); a.@out(0x21, al); a.@out(0xA1, al);   // ICW4
            a.mov(al, 0xFB); a.@out(0x21, al);                      // master: only the cascade
            a.mov(al, 0xFD); a.@out(0xA1, al);                      // slave: only IRQ 9
            a.mov(dx, 0x4D1);
            a.mov(al, 0x02); a.@out(dx, al);                        // ELCR: IRQ 9 level-triggered
            a.mov(dx, 0xB002);
            a.mov(ax, 1); a.@out(dx, ax);                           // TMR_EN
            a.sti();
            a.Label(ref wait);
            a.hlt();
            a.cmp(__word_ptr[0x500], 0);
            a.je(wait);
            a.cli();
            a.hlt();
        }, budget: 1_000_000);
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        Assert.That(m.Machine.Memory.ReadSlow(0x500, 2), Is.EqualTo(1));
        long overflowNs = (long)Math.Ceiling(0x80_0000 * 1e9 / 3_579_545);
        Assert.That(m.Machine.Clock.Now, Is.InRange(overflowNs, overflowNs + 100_000), "time skipped to the overflow while halted");
        Assert.That(m.Board.IsaIrqLevel(PcBoard.SciIrq), Is.False, "the handler cleared the status");
    }

    [Test]
    public void Pci_functions_carry_qemus_subsystem_ids()
    {
        var m = new BoardTestMachine();
        Assert.Multiple(() =>
        {
            Assert.That(m.Board.HostBridge.ReadConfig(0x2C, 4), Is.EqualTo(0x1100_1AF4u));
            Assert.That(m.Board.Piix3.ReadConfig(0x2C, 4), Is.EqualTo(0x1100_1AF4u), "header type 0x80 is still a type-0 function");
            Assert.That(m.Board.Acpi.ReadConfig(0x2C, 4), Is.EqualTo(0x1100_1AF4u));
        });
    }
}
