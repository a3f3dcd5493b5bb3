using Emulator.Devices.Debug;

namespace Emulator.Tests.Devices;

public class DebugConsoleTests
{
    [Test]
    public void Bytes_written_reach_the_stream_unchanged()
    {
        var sink = new MemoryStream();
        var con = new DebugConsole(sink);
        byte[] bytes = [(byte)'H', (byte)'i', 0xFF, (byte)'\n', 0xC3];
        foreach (byte b in bytes) con.Out(0xE9, 1, b);
        con.Flush();
        Assert.That(sink.ToArray(), Is.EqualTo(bytes));
    }

    [Test]
    public void A_word_write_emits_both_bytes_low_first_as_qemu_splits_it()
    {
        var sink = new StringWriter();
        var con = new DebugConsole(sink);
        con.Out(0xE9, 2, 0x6948); // 'H', 'i'
        Assert.That(sink.ToString(), Is.EqualTo("Hi"));
    }

    [Test]
    public void Reads_return_0xE9_so_guests_can_detect_the_port()
    {
        var con = new DebugConsole(Stream.Null);
        Assert.That(con.In(0xE9, 1), Is.EqualTo(0xE9));
        Assert.That(con.In(0xE9, 2), Is.EqualTo(0xE9E9));
    }
}

public class PostCodePortTests
{
    [Test]
    public void Each_code_is_reported_and_read_back()
    {
        var codes = new List<byte>();
        var port = new PostCodePort(codes.Add);
        port.Out(0x80, 1, 0x42);
        port.Out(0x80, 1, 0x0A);
        Assert.That(codes, Is.EqualTo(new byte[] { 0x42, 0x0A }));
        Assert.That(port.In(0x80, 1), Is.EqualTo(0x0A));
    }

    [TestCase((byte)0x42, "POST 42")]
    [TestCase((byte)0x0A, "POST 0A")]
    [TestCase((byte)0xFF, "POST FF")]
    public void Lines_have_two_uppercase_hex_digits(byte code, string line)
    {
        Assert.That(PostCodePort.FormatLine(code), Is.EqualTo(line));
    }
}

public class IsaDebugExitTests
{
    [TestCase(1, 0x21u, 0x43)]
    [TestCase(1, 0x00u, 1)]
    [TestCase(1, 0x1FFu, 0x1FF)]
    [TestCase(2, 0x12345u, 0x468B)]
    [TestCase(4, 0x12345u, 0x2468B)]
    public void A_write_requests_exit_with_the_value_at_its_width_shifted_and_odd(int size, uint value, int status)
    {
        int? requested = null;
        var dev = new IsaDebugExit(code => requested = code);
        dev.Out(0xF4, size, value);
        Assert.That(requested, Is.EqualTo(status));
    }

    [Test]
    public void Reads_return_0()
    {
        Assert.That(new IsaDebugExit(_ => { }).In(0xF4, 1), Is.Zero);
    }
}
