using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

/// <summary>QEMU's <c>-s</c>, <c>-S</c> and <c>-gdb</c> options.</summary>
public class GdbServerOptionsTests
{
    static (EmuOptions? Options, string Error) Parse(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        return (result.Options, stderr.ToString());
    }

    [TestCase(new string[0], null)]
    [TestCase(new[] { "-s" }, "127.0.0.1:1234")]
    [TestCase(new[] { "-gdb", "tcp::5678" }, "127.0.0.1:5678")]
    [TestCase(new[] { "-gdb", "5678" }, "127.0.0.1:5678")]
    [TestCase(new[] { "-gdb", "tcp:0.0.0.0:4321" }, "0.0.0.0:4321")]
    [TestCase(new[] { "-gdb", "tcp::1,server,nowait" }, "127.0.0.1:1")]
    [TestCase(new[] { "-s", "-gdb", "none" }, null)]
    public void GdbEndpoint(string[] args, string? expected)
    {
        var (options, error) = Parse(args);
        Assert.That(error, Is.Empty);
        string? endpoint = options!.Gdb is { } g ? $"{(g.Host.Length == 0 ? "127.0.0.1" : g.Host)}:{g.Port}" : null;
        Assert.That(endpoint, Is.EqualTo(expected));
        Assert.That(options.WaitForDebugger, Is.False);
    }

    [Test]
    public void CapitalSWaitsForTheDebugger()
    {
        var (options, _) = Parse("-s", "-S");
        Assert.That(options!.WaitForDebugger, Is.True);
        Assert.That(options.Gdb, Is.EqualTo(new GdbEndpoint("", 1234)));
    }

    [TestCase("udp::1234")]
    [TestCase("tcp:localhost")]
    [TestCase("tcp::99999")]
    public void BadGdbDeviceIsOneErrorLine(string device)
    {
        var (options, error) = Parse("-gdb", device);
        Assert.That(options, Is.Null);
        Assert.That(error, Does.StartWith($"emu: -gdb {device}: "));
        Assert.That(error.TrimEnd('\n').Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void CapitalSWithoutAServerIsAnError()
    {
        var run = EmuRun.Of("-S");
        Assert.That(run.ExitCode, Is.EqualTo(1));
        Assert.That(run.Stderr, Does.Contain("-S: nothing could start the CPU"));
    }
}
