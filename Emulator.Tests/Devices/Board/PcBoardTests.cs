using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;

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
        var reason = board.Machine.Run(1_000_000);
        Assert.Multiple(() =>
        {
            Assert.That(reason, Is.EqualTo(StopReason.Halted));
            Assert.That(text.ToString(), Does.StartWith("emu BIOS 0.1"));
            Assert.That(post, Is.EqualTo(new byte[] { 0x01, 0x02, 0x03 }));
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
}
