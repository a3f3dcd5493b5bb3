using System.Diagnostics;
using System.Text;

namespace Emulator.Benchmarks;

/// <summary>
/// Boots the guest under another emulator (Debian's QEMU or Bochs) as a child process and times,
/// with the same <see cref="BootMilestones"/>, when its serial output shows each milestone:
/// QEMU's serial is its stdout (<c>-nographic</c>); Bochs writes COM1 to a file, which is polled.
/// The process is killed once power-off is seen (after a short grace for it to exit by itself,
/// which QEMU does through its ACPI power button path) or when the time limit passes.
/// Process CPU time (all threads) is read at each milestone, as a load-independent companion to
/// the wall times on a shared machine.
/// </summary>
internal sealed class ReferenceBootRun
{
    static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    public required string Name { get; init; }
    public required string CommandLine { get; init; }
    public required BootMilestones Milestones { get; init; }
    /// <summary>Process CPU seconds read when each milestone was seen (NaN when not reached).</summary>
    public double[] CpuSecondsAt { get; } = [double.NaN, double.NaN, double.NaN];
    /// <summary>Wall seconds until the process exited by itself, or null when it was killed.</summary>
    public double? ExitSeconds { get; private set; }
    public double WallSeconds { get; private set; }
    public bool TimedOut { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Whether <paramref name="program"/> is on PATH (the comparison is skipped otherwise).</summary>
    public static string? FindOnPath(string program)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="program"/>; serial output is its stdout when <paramref name="serialFile"/>
    /// is null, else the file, read as it grows.
    /// </summary>
    public static ReferenceBootRun Run(string name, string program, IReadOnlyList<string> args, string? serialFile,
        string? workingDirectory, TimeSpan limit)
    {
        var wall = new Stopwatch();
        var run = new ReferenceBootRun
        {
            Name = name,
            CommandLine = program + " " + string.Join(' ', args),
            Milestones = new BootMilestones(wall),
        };
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm";

        using var process = new Process { StartInfo = info };
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        wall.Start();
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { run.Error = e.Message; return run; }
        process.BeginErrorReadLine();

        object gate = new();
        void Feed(char c)
        {
            lock (gate)
            {
                run.Milestones.Feed(c);
                for (int i = 0; i < BootMilestones.Names.Length; i++)
                    if (run.Milestones.Reached(i) && double.IsNaN(run.CpuSecondsAt[i])) run.CpuSecondsAt[i] = ProcessCpuSeconds(process);
            }
        }

        Thread reader;
        if (serialFile == null)
        {
            reader = new Thread(() =>
            {
                int c;
                while ((c = process.StandardOutput.Read()) >= 0) Feed((char)c);
            }) { IsBackground = true };
        }
        else
        {
            reader = new Thread(() =>
            {
                // Drain stdout so the child never blocks on a full pipe.
                var buffer = new char[4096];
                while (process.StandardOutput.Read(buffer, 0, buffer.Length) > 0) { }
            }) { IsBackground = true };
        }
        reader.Start();

        FileStream? serial = null;
        var chunk = new byte[4096];
        Stopwatch? sincePowerOff = null;
        while (true)
        {
            if (serialFile != null)
            {
                serial ??= File.Exists(serialFile) ? new FileStream(serialFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;
                int n;
                while (serial != null && (n = serial.Read(chunk, 0, chunk.Length)) > 0)
                    for (int i = 0; i < n; i++) Feed((char)chunk[i]);
            }
            if (process.WaitForExit(serialFile != null ? 20 : 50))
            {
                run.ExitSeconds = wall.Elapsed.TotalSeconds;
                break;
            }
            if (run.Milestones.Reached(2)) sincePowerOff ??= Stopwatch.StartNew();
            if (sincePowerOff != null && sincePowerOff.Elapsed > ExitGrace) break;
            if (wall.Elapsed > limit) { run.TimedOut = true; break; }
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        run.WallSeconds = wall.Elapsed.TotalSeconds;
        reader.Join(TimeSpan.FromSeconds(2));
        if (serialFile != null && serial != null)
        {
            int n;
            while ((n = serial.Read(chunk, 0, chunk.Length)) > 0)
                for (int i = 0; i < n; i++) Feed((char)chunk[i]);
            serial.Dispose();
        }
        if (!run.Milestones.Reached(0) && stderr.Length > 0) run.Error = stderr.ToString().Trim().Split('\n')[^1];
        return run;
    }

    static double ProcessCpuSeconds(Process process)
    {
        try { return process.TotalProcessorTime.TotalSeconds; }
        catch (InvalidOperationException) { return double.NaN; }
    }
}
