using Emulator.Frontend;

namespace Emulator.Tests.Frontend;

/// <summary>Runs the emu command in-process and captures what it printed.</summary>
internal sealed record EmuRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>
    /// Far more than any test guest needs (they run tens of instructions); a core that loops
    /// instead of finishing fails the test quickly rather than hanging it.
    /// </summary>
    public const long InstructionLimit = 100_000;

    public static EmuRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(args, stdout, stderr, instructionLimit: InstructionLimit);
        return new EmuRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The lines written to stderr.</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
