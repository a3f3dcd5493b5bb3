using System.Diagnostics;

namespace Emulator.Tests.Storage;

/// <summary>
/// Runs Debian's qemu-utils (<c>qemu-img</c>, <c>qemu-io</c>), which <c>.ci/run</c> installs. A test
/// that needs them fails when they are missing: interoperability is part of what is tested.
/// </summary>
internal static class QemuTools
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{tool} is missing: install Debian's qemu-utils (.ci/run does)");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return new Result(process.ExitCode, stdout.Result, stderr);
        }
    }

    /// <summary>Runs a tool and fails the test unless it exits 0.</summary>
    public static string Ok(string tool, params string[] args)
    {
        var r = Run(tool, args);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"{tool} {string.Join(' ', args)}: {r.Stdout}{r.Stderr}");
        return r.Stdout;
    }

    /// <summary><c>qemu-img check</c> must say the image is clean (exit 0).</summary>
    public static void AssertCheckClean(string path)
    {
        var r = Run("qemu-img", "check", path);
        Assert.That(r.ExitCode, Is.EqualTo(0), $"qemu-img check {path}:\n{r.Stdout}{r.Stderr}");
        Assert.That(r.Stdout, Does.Contain("No errors were found on the image."));
    }
}
