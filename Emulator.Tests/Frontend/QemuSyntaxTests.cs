using Emulator.Frontend.CommandLine;

namespace Emulator.Tests.Frontend;

public class QemuSyntaxTests
{
    [TestCase("64", 'M', 64UL << 20)]
    [TestCase("256M", 'M', 256UL << 20)]
    [TestCase("256m", 'M', 256UL << 20)]
    [TestCase("1G", 'M', 1UL << 30)]
    [TestCase("512K", 'M', 512UL << 10)]
    [TestCase("512k", 'M', 512UL << 10)]
    [TestCase("1.5G", 'M', 3UL << 29)]
    [TestCase("0.5", 'M', 1UL << 19)]
    [TestCase("4096B", 'M', 4096UL)]
    [TestCase("2T", 'M', 2UL << 40)]
    [TestCase("0x100", 'M', 0x100UL << 20)]
    [TestCase("0x100K", 'M', 0x100UL << 10)]
    [TestCase("100", 'B', 100UL)]
    [TestCase("15E", 'M', 15UL << 60)]
    public void Sizes_follow_qemu_strtosz(string text, char defaultUnit, ulong expected)
    {
        Assert.That(QemuSyntax.TryParseSize(text, defaultUnit, out ulong bytes), Is.True);
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("M")]
    [TestCase("12X")]
    [TestCase("64MB")]
    [TestCase("-5")]
    [TestCase(" 64")]
    [TestCase("1.")]
    [TestCase(".5G")]
    [TestCase("1.5B")]
    [TestCase("16E")]
    [TestCase("0x")]
    [TestCase("0x1.5G")]
    [TestCase("99999999999999999999999")]
    public void Malformed_or_overflowing_sizes_are_rejected(string text)
    {
        Assert.That(QemuSyntax.TryParseSize(text, 'M', out _), Is.False);
    }

    [TestCase("244", 244UL)]
    [TestCase("0xf4", 0xF4UL)]
    [TestCase("0XF4", 0xF4UL)]
    [TestCase("0364", 0xF4UL)]
    [TestCase("0", 0UL)]
    [TestCase("18446744073709551615", ulong.MaxValue)]
    public void Integers_use_base_0_like_strtoull(string text, ulong expected)
    {
        Assert.That(QemuSyntax.TryParseInteger(text, out ulong value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("0x")]
    [TestCase("08")]
    [TestCase("12a")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase("18446744073709551616")]
    public void Bad_integers_are_rejected(string text)
    {
        Assert.That(QemuSyntax.TryParseInteger(text, out _), Is.False);
    }

    [Test]
    public void Opts_take_an_implied_first_key_escaped_commas_and_flags()
    {
        var opts = QemuOpts.Parse("isa-debug-exit,iobase=0xf4,name=a,,b,flag,iobase=1", "driver");
        Assert.That(opts.Items, Is.EqualTo(new KeyValuePair<string, string>[]
        {
            new("driver", "isa-debug-exit"), new("iobase", "0xf4"), new("name", "a,b"), new("flag", "on"), new("iobase", "1"),
        }));
        Assert.That(opts.Get("iobase"), Is.EqualTo("1"), "the last of a repeated key wins");
        Assert.That(opts.Get("missing"), Is.Null);
    }

    [Test]
    public void Opts_first_element_may_name_its_key()
    {
        var opts = QemuOpts.Parse("driver=isa-debug-exit,iosize=4", "driver");
        Assert.That(opts.Get("driver"), Is.EqualTo("isa-debug-exit"));
        Assert.That(opts.Get("iosize"), Is.EqualTo("4"));
    }

    [TestCase("help", true)]
    [TestCase("isa-debug-exit,help", true)]
    [TestCase("isa-debug-exit,?", true)]
    [TestCase("isa-debug-exit,iobase=help", false)]
    public void Opts_recognise_help_requests(string text, bool wantsHelp)
    {
        Assert.That(QemuOpts.Parse(text, "driver").WantsHelp("driver"), Is.EqualTo(wantsHelp));
    }
}
