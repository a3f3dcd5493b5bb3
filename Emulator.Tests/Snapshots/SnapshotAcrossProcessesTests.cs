using System.Diagnostics;
using Emulator.Frontend;
using Emulator.Tests.Frontend;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// savevm in one emu process, <c>-loadvm</c> in a second one: the state lives in the qcow2 disk's
/// internal snapshot, and the second process continues the guest where the first was at savevm.
/// The guest counts and prints each count as four hex digits and a space on the debug console,
/// so the second process's output must be the continuation of the first's, not a fresh start.
/// </summary>
[NonParallelizable]
public class SnapshotAcrossProcessesTests
{
    static byte[] CountingBios() => TinyBios.Build(a =>
    {
        var loop = a.CreateLabel(); var digit = a.CreateLabel(); var wait = a.CreateLabel();
        a.xor(bx, bx);
        a.Label(ref loop);
        a.mov(cx, 4);
        a.mov(dx, bx);
        a.Label(ref digit);
        a.rol(dx, 4);
        a.mov(al, dl);
        a.and(al, 0x0F);
        a.add(al, 0x90); a.daa(); a.adc(al, 0x40); a.daa();   // 0-F to '0'-'9', 'A'-'F'
        a.@out((byte)0xE9, al);
        a.loop(digit);
        a.mov(al, (byte)' ');
        a.@out((byte)0xE9, al);
        a.inc(bx);
        a.mov(ecx, 20_000);
        a.Label(ref wait);
        a.dec(ecx);
        a.jnz(wait);
        a.jmp(loop);
    });

    sealed class Emu : IDisposable
    {
        readonly Process process;
        public Emu(params string[] args)
        {
            var psi = EmuHost.StartInfo(args);
            psi.RedirectStandardInput = true;
            process = Process.Start(psi)!;
            Task.Run(() =>
            {
                var buffer = new char[1024];
                int n;
                while ((n = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                    lock (output) output.Append(buffer, 0, n);
            });
            Errors = process.StandardError.ReadToEndAsync();
        }
        readonly System.Text.StringBuilder output = new();
        public Task<string> Errors { get; }

        /// <summary>Waits until the monitor has shown its prompt <paramref name="count"/> times (each command answered).</summary>
        public void WaitForPrompts(int count)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                string text; lock (output) text = output.ToString();
                if (text.Split("(qemu) ").Length - 1 >= count) return;
                if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new AssertionException($"the monitor answered only: {text}");
                Thread.Sleep(50);
            }
        }
        public void Monitor(string line) { process.StandardInput.WriteLine(line); process.StandardInput.Flush(); }
        public bool WaitForExit() => process.WaitForExit(60_000);
        public int ExitCode => process.ExitCode;
        public void Dispose() { if (!process.HasExited) { process.Kill(true); process.WaitForExit(5000); } process.Dispose(); }
    }

    static string ReadShared(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(f).ReadToEnd();
    }

    static string WaitForOutput(string path, int length)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string text = File.Exists(path) ? ReadShared(path) : "";
            if (text.Length >= length) return text;
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new AssertionException($"{path}: only {text.Length} bytes after 60 s");
            Thread.Sleep(50);
        }
    }

    [Test]
    public void Loadvm_in_a_new_process_continues_where_savevm_left_off()
    {
        using var dir = new TempDir();
        string bios = dir.Write("count.bin", CountingBios());
        string disk = dir.File("disk.qcow2");
        Assert.That(EmuMain.Run(["img", "create", "-f", "qcow2", disk, "16M"], new StringWriter(), new StringWriter()), Is.EqualTo(0));
        string out1 = dir.File("out1.txt"), out2 = dir.File("out2.txt");

        string atSave;
        using (var first = new Emu("-bios", bios, "-hda", disk, "-display", "none", "-monitor", "stdio", "-debugcon", "file:" + out1))
        {
            WaitForOutput(out1, 100);
            first.Monitor("stop");
            first.Monitor("savevm counted");
            first.Monitor("cont");
            first.WaitForPrompts(4);   // the banner's, then one after each command
            atSave = WaitForOutput(out1, 1);
            WaitForOutput(out1, atSave.Length + 5000);   // well past the debug console's buffering
            first.Monitor("quit");
            Assert.That(first.WaitForExit(), Is.True, "quit ends the first emu");
            Assert.That(first.ExitCode, Is.EqualTo(0), first.Errors.Result);
        }
        string whole1 = ReadShared(out1);

        using (var second = new Emu("-bios", bios, "-hda", disk, "-display", "none", "-monitor", "stdio", "-loadvm", "counted", "-debugcon", "file:" + out2))
        {
            WaitForOutput(out2, 100);
            second.Monitor("quit");
            Assert.That(second.WaitForExit(), Is.True);
            Assert.That(second.ExitCode, Is.EqualTo(0), second.Errors.Result);
        }
        string whole2 = ReadShared(out2);
        // A fresh boot would print "0000 0001 ..."; the restored guest goes on from the count it had
        // at savevm, digit for digit as the first process did after it (virtual time: no drift).
        Assert.That(whole2, Does.Not.StartWith("0000 "));
        int at = whole1.IndexOf(whole2[..100], StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThan(0), $"the second run's output continues the first's: {whole2[..100]}; the first printed {atSave.Length} bytes by savevm and ended with {whole1[^Math.Min(300, whole1.Length)..]}");
    }
}
