using System.Diagnostics;
using System.Text;
using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary>
/// A shell command (usually emu) run on a real terminal, a pseudo-terminal made by util-linux's
/// <c>script</c>: what it prints, as it comes (a console writes no newlines, so nothing waits
/// for lines), and keys typed on that terminal. Disposing kills what still runs.
/// </summary>
internal sealed class PseudoTerminal : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();
    readonly Task reader;

    /// <summary>The shell words that start the emu under test with <paramref name="arguments"/> (already quoted).</summary>
    public static string Emu(string arguments)
    {
        return $"'{EmuHost.Dotnet}' '{EmuHost.Dll}' {arguments}";
    }

    /// <param name="command">A shell command line.</param>
    /// <param name="encoding">How the terminal's bytes are read (Latin-1 keeps control bytes as they are).</param>
    public PseudoTerminal(string command, Encoding encoding)
    {
        var psi = new ProcessStartInfo("script", ["-qfec", command, "/dev/null"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = encoding,
        };
        psi.Environment["TERM"] = "xterm";
        psi.Environment.Remove("DISPLAY");
        psi.Environment.Remove("WAYLAND_DISPLAY");
        process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync();
        reader = Task.Run(() =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                lock (output) output.Append(buffer, 0, n);
        });
    }

    /// <summary>Everything printed so far.</summary>
    public string Output { get { lock (output) return output.ToString(); } }

    public void Type(string keys)
    {
        process.StandardInput.Write(keys);
        process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits up to <paramref name="seconds"/> (30 by default) for <paramref name="done"/>; fails showing
    /// <paramref name="show"/> (the output by default).
    /// </summary>
    public void Wait(Func<bool> done, string what, Func<string>? show = null, int seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.ElapsedMilliseconds > seconds * 1000L) throw new AssertionException($"timed out waiting for {what}; output: {(show ?? (() => Output))()}");
            Thread.Sleep(50);
        }
    }

    /// <summary>True when the command ended within <paramref name="milliseconds"/>; its output is then complete.</summary>
    public bool WaitForExit(int milliseconds)
    {
        if (!process.WaitForExit(milliseconds)) return false;
        reader.Wait(5000);
        return true;
    }

    /// <summary>The command's exit status (script -e passes it on), once <see cref="WaitForExit"/> returned true.</summary>
    public int ExitCode => process.ExitCode;

    public void Dispose()
    {
        if (!process.HasExited) { process.Kill(entireProcessTree: true); process.WaitForExit(5000); }
        process.Dispose();
    }
}
