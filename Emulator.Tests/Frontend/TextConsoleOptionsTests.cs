using Emulator.Frontend;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Display;
using Emulator.Frontend.Serial;

namespace Emulator.Tests.Frontend;

/// <summary>
/// QEMU's default <c>vc</c> devices: without <c>-monitor</c> and <c>-serial</c> a graphical run
/// has the monitor and COM1 on text consoles of the window (vl.c, qemu_create_default_devices:
/// <c>monitor_parse(vc)</c> when default_monitor, <c>-serial vc</c> when default_serial), and none
/// without the window (qemu_display_get_vc gives no vc for <c>-display none</c>).
/// </summary>
public class TextConsoleOptionsTests
{
    static EmuOptions Parse(params string[] args)
    {
        var stderr = new StringWriter();
        var options = EmuCommandLine.Parse(args, new StringWriter(), stderr).Options;
        Assert.That(stderr.ToString(), Is.Empty);
        return options!;
    }

    static readonly ChardevOptions Vc = new(ChardevKind.Vc);

    [Test]
    public void TheMonitorDefaultsToVcUnlessSomethingElseTakesIt()
    {
        Assert.That(Parse().Monitor, Is.EqualTo(Vc));
        Assert.That(Parse("-monitor", "vc").Monitor, Is.EqualTo(Vc));
        Assert.That(Parse("-monitor", "stdio").Monitor, Is.EqualTo(new ChardevOptions(ChardevKind.Stdio)));
        Assert.That(Parse("-monitor", "none").Monitor, Is.Null);
        Assert.That(Parse("-serial", "mon:stdio").Monitor, Is.Null, "a mon: serial port has the monitor");
        Assert.That(Parse("-nographic").Monitor, Is.Null, "-nographic puts the monitor on stdio with COM1");
        Assert.That(Parse("-serial", "stdio").Monitor, Is.EqualTo(Vc), "another -serial leaves the monitor's default");
    }

    static (MachineRunner Runner, TextConsoles Consoles) Build(params string[] args)
    {
        var consoles = new TextConsoles();
        string bios = Path.Combine(Firmware.BiosRig.RepoRoot(), "bios", "bios.bin");
        var runner = MachineRunner.Create(Parse(["-bios", bios, "-m", "16", .. args]), new ConsoleStreams(TextWriter.Null, TextWriter.Null), consoles);
        return (runner, consoles);
    }

    [Test]
    public void WithTheWindowTheMonitorIsConsole2AndCom1Console3()
    {
        var (runner, consoles) = Build();
        using (runner)
        {
            Assert.That(consoles.All.Select(c => c.Screen.Label), Is.EqualTo(new[] { "compat_monitor0", "serial0" }));
            Assert.That(consoles.All[1].Input, Is.InstanceOf<VcSerialBackend>());
            Assert.That(consoles.All[0].Screen.RowText(1).TrimEnd(), Is.EqualTo("(qemu)"), "the banner, then the prompt");
            Assert.That(runner.MonitorServer, Is.Null, "no stdio or TCP monitor");
        }
    }

    [Test]
    public void AMonitorElsewhereLeavesCom1AsConsole2AndSerialPortsCountFromZero()
    {
        var (runner, consoles) = Build("-monitor", "tcp::0,server,nowait", "-serial", "null", "-serial", "vc");
        using (runner)
            Assert.That(consoles.All.Select(c => c.Screen.Label), Is.EqualTo(new[] { "serial1" }));
    }

    [Test]
    public void WithoutTheWindowThereIsNoVcMonitorSoDashSStillNeedsAnotherWayToStart()
    {
        string bios = Path.Combine(Firmware.BiosRig.RepoRoot(), "bios", "bios.bin");
        var stderr = new StringWriter();
        int status = EmuMain.Run(["-bios", bios, "-display", "none", "-S"], new StringWriter(), stderr);
        Assert.That(status, Is.EqualTo(1));
        Assert.That(stderr.ToString(), Does.Contain("-S: nothing could start the CPU"));
        var (runner, consoles) = Build("-S");
        using (runner)
            Assert.That(consoles.All, Has.Count.EqualTo(2), "with the window, the vc monitor can start it");
    }
}
