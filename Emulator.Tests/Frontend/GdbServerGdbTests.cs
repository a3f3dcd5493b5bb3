using System.Diagnostics;

namespace Emulator.Tests.Frontend;

/// <summary>
/// Debian's real <c>gdb</c> in batch mode against the GDB server and a running guest
/// (<see cref="GdbTestGuest.Program"/>). gdb is installed by <c>.ci/run</c>; without it these
/// tests fail rather than skip.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public class GdbServerGdbTests
{
    const string GdbPath = "/usr/bin/gdb";

    static string RunGdb(int port, params string[] commands)
    {
        Assert.That(File.Exists(GdbPath), Is.True, $"{GdbPath} is missing: install Debian's gdb package (.ci/run does)");
        var start = new ProcessStartInfo(GdbPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
                     "-ex", "set architecture i386", "-ex", $"target remote 127.0.0.1:{port}" })
            start.ArgumentList.Add(arg);
        foreach (string c in commands)
        {
            start.ArgumentList.Add("-ex");
            start.ArgumentList.Add(c);
        }
        using var gdb = Process.Start(start)!;
        var stderr = gdb.StandardError.ReadToEndAsync();
        string stdout = gdb.StandardOutput.ReadToEnd();
        Assert.That(gdb.WaitForExit(30_000), Is.True, "gdb finished");
        return stdout + stderr.Result;
    }

    [Test]
    public void BreakStepReadWatchAndContinueToExit()
    {
        using var guest = GdbTestGuest.Start(GdbTestGuest.Program);
        string output = RunGdb(guest.Port,
            "break *0x7c00",
            "continue",
            "printf \"pc=%x\\n\", $pc",
            "set architecture i8086",
            "x/i $pc",
            "set architecture i386",
            "x/i $pc",
            "monitor info registers",
            "stepi",
            "printf \"eax=%x eip=%x\\n\", $eax, $eip",
            "stepi",
            "printf \"ebx=%x\\n\", $ebx",
            "x/3xb 0x7c00",
            "info registers cs eflags",
            "watch *(unsigned short *)0x500",
            "continue",
            "printf \"after watch pc=%x\\n\", $pc",
            "delete",
            "continue");
        TestContext.Out.WriteLine(output);
        Assert.That(output, Does.Contain("Breakpoint 1, 0x00007c00"));
        Assert.That(output, Does.Contain("pc=7c00"));
        Assert.That(output, Does.Match(@"=> 0x7c00:\s+mov\s+\$0x1234,%ax"), "x/i $pc in real mode");
        Assert.That(output, Does.Match(@"=> 0x7c00:\s+mov\s+\$0x78bb1234,%eax"), "set architecture i386 decodes 32-bit code again");
        Assert.That(output, Does.Contain("EIP=00007C00"), "monitor info registers");
        Assert.That(output, Does.Contain("eax=1234 eip=7c03"));
        Assert.That(output, Does.Contain("ebx=5678"));
        Assert.That(output, Does.Match(@"0x7c00:\s+0xb8\s+0x34\s+0x12"));
        Assert.That(output, Does.Match(@"cs\s+0x0\s+0"));
        Assert.That(output, Does.Contain("Hardware watchpoint 2: *(unsigned short *)0x500"));
        Assert.That(output, Does.Match(@"Old value = 0\s+New value = 26796"));
        Assert.That(output, Does.Contain("after watch pc=7c0b"));
        Assert.That(output, Does.Contain("exited with code 0103"), "isa-debug-exit status 43h, which gdb prints in octal");
        Assert.That(guest.WaitForExit(TimeSpan.FromSeconds(10)), Is.EqualTo(0x43));
    }
}
