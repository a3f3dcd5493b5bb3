using Emulator.Frontend;
using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

/// <summary>QEMU's <c>-rtc base=</c>: the RTC's starting time.</summary>
public class RtcOptionTests
{
    static EmuOptions Parse(params string[] args)
    {
        var stderr = new StringWriter();
        var result = EmuCommandLine.Parse(args, new StringWriter(), stderr);
        Assert.That(stderr.ToString(), Is.Empty);
        return result.Options!;
    }

    [Test]
    public void DefaultAndUtcStartFromTheHostClock()
    {
        Assert.That(Parse().RtcBase, Is.Null);
        Assert.That(Parse("-rtc", "base=utc").RtcBase, Is.Null);
    }

    [Test]
    public void AFixedDateIsTheStartTime()
    {
        Assert.That(Parse("-rtc", "base=2006-06-17T16:01:21").RtcBase, Is.EqualTo(new DateTime(2006, 6, 17, 16, 1, 21)));
        Assert.That(Parse("-rtc", "base=2020-02-29,clock=vm,driftfix=none").RtcBase, Is.EqualTo(new DateTime(2020, 2, 29)));
    }

    [TestCase("base=tomorrow")]
    [TestCase("base=2006-13-01")]
    [TestCase("clock=sundial")]
    [TestCase("driftfix=slew")]
    [TestCase("speed=2")]
    public void BadValuesAreOneClearError(string value)
    {
        var ex = Assert.Throws<EmuError>(() => EmuCommandLine.ParseRtc(value));
        Assert.That(ex!.Message, Does.StartWith("-rtc " + value + ":"));
    }

    [Test]
    public void TheBoardsRtcStartsAtTheGivenDate()
    {
        using var dir = new TempDir();
        string bios = dir.Write("bios.bin", TinyBios.Hello());
        using var runner = MachineRunner.Create(EmuCommandLine.Parse(["-bios", bios, "-rtc", "base=2006-06-17T16:01:21"], new StringWriter(), new StringWriter()).Options!,
            new ConsoleStreams(new StringWriter(), new StringWriter()));
        var rtc = runner.Board.Rtc;
        // Register 0 (seconds) and 4 (hours) in BCD after reset: 21 s, 16 h.
        runner.Machine.Io.Out(0x70, 1, 0x00);
        Assert.That(runner.Machine.Io.In(0x71, 1), Is.EqualTo(0x21u));
        runner.Machine.Io.Out(0x70, 1, 0x04);
        Assert.That(runner.Machine.Io.In(0x71, 1), Is.EqualTo(0x16u));
        Assert.That(rtc, Is.Not.Null);
    }
}
