using System.Text;
using Emulator.Frontend.Terminal;

namespace Emulator.Tests.Frontend;

/// <summary>The Ctrl-A escape keys of the stdio multiplexer (QEMU's "Keys in the character backend multiplexer").</summary>
public class StdioMuxTests
{
    sealed class Rig
    {
        public readonly StringBuilder Terminal = new();
        public readonly List<byte> Serial = new();
        public readonly MemoryStream MonitorLines = new();
        public int Quits, Flushes, MonitorOpened;
        public readonly StdioMux Mux;

        public Rig(bool withMonitor = true)
        {
            Mux = new StdioMux(t => Terminal.Append(t), b => Serial.AddRange(b.ToArray()),
                withMonitor ? () => { MonitorOpened++; return MonitorLines; } : null,
                () => Quits++, () => Flushes++);
        }

        public void Type(string text) => Mux.Process(Encoding.UTF8.GetBytes(text));
        public string SerialText => Encoding.Latin1.GetString(Serial.ToArray());
        public string Lines => Encoding.UTF8.GetString(MonitorLines.ToArray());
    }

    [Test]
    public void PlainBytesGoToTheSerialPortUnchanged()
    {
        var rig = new Rig();
        rig.Type("ls -l\r\u0003\x1a\x1b[A");
        Assert.That(rig.SerialText, Is.EqualTo("ls -l\r\u0003\x1a\x1b[A"));
        Assert.That(rig.Terminal.ToString(), Is.Empty);
    }

    [Test]
    public void CtrlATwiceSendsOneCtrlA()
    {
        var rig = new Rig();
        rig.Type("a\u0001\u0001b");
        Assert.That(rig.SerialText, Is.EqualTo("a\u0001b"));
    }

    [Test]
    public void TheEscapeMaySpanTwoReads()
    {
        var rig = new Rig();
        rig.Type("a\u0001");
        rig.Type("x");
        Assert.Multiple(() =>
        {
            Assert.That(rig.SerialText, Is.EqualTo("a"));
            Assert.That(rig.Quits, Is.EqualTo(1));
            Assert.That(rig.Terminal.ToString(), Does.Contain("Terminated"));
        });
    }

    [Test]
    public void HelpFlushAndUnknownKeys()
    {
        var rig = new Rig();
        rig.Type("\u0001h\u0001s\u0001q");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Terminal.ToString(), Is.EqualTo(StdioMux.Help));
            Assert.That(rig.Flushes, Is.EqualTo(1));
            Assert.That(rig.Serial, Is.Empty, "an unknown command key is dropped, as QEMU's mux does");
            Assert.That(rig.Quits, Is.EqualTo(0));
        });
    }

    [Test]
    public void CtrlACSwitchesToTheMonitorWithLineEditing()
    {
        var rig = new Rig();
        rig.Type("a\u0001cinfo statux\x7fs\rb\u0001cc");
        Assert.Multiple(() =>
        {
            Assert.That(rig.MonitorOpened, Is.EqualTo(1));
            Assert.That(rig.Lines, Is.EqualTo("info status\n"), "one line, the backspace applied, CR made LF; the b typed after it waits for its line");
            Assert.That(rig.Terminal.ToString(), Is.EqualTo("info statux\b \bs\nb\n"), "the monitor's input is echoed; leaving prints a newline");
            Assert.That(rig.SerialText, Is.EqualTo("ac"), "bytes before and after the monitor went to the port");
            Assert.That(rig.Mux.MonitorFocused, Is.False);
        });
    }

    [Test]
    public void CrLfEndsOneLineAndTheMonitorOpensOnce()
    {
        var rig = new Rig();
        rig.Type("\u0001cstop\r\n\u0001c\u0001ccont\n");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Lines, Is.EqualTo("stop\ncont\n"));
            Assert.That(rig.MonitorOpened, Is.EqualTo(1));
            Assert.That(rig.Terminal.ToString(), Does.Contain("(qemu) "), "coming back shows the prompt again");
        });
    }

    [Test]
    public void WithoutAMonitorCtrlACStaysOnTheSerialPort()
    {
        var rig = new Rig(withMonitor: false);
        rig.Type("\u0001cab");
        Assert.Multiple(() =>
        {
            Assert.That(rig.Mux.MonitorFocused, Is.False);
            Assert.That(rig.SerialText, Is.EqualTo("ab"));
        });
    }
}
