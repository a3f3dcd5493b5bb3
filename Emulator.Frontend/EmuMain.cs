using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Display;

namespace Emulator.Frontend;

/// <summary>The whole <c>emu</c> command as a method, so tests run it in-process.</summary>
internal static class EmuMain
{
    /// <summary>Parses <paramref name="args"/>, runs the machine, and returns the process exit status.</summary>
    /// <param name="stdoutBytes">The raw standard output for guest bytes (<c>-debugcon stdio</c>); null to write them to <paramref name="stdout"/>.</param>
    /// <param name="stdinBytes">The standard input a <c>stdio</c> serial port reads; null for none.</param>
    /// <param name="instructionLimit">A bound on the run for tests; see <see cref="MachineRunner.Run"/>.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream? stdoutBytes = null,
        long instructionLimit = long.MaxValue, Stream? stdinBytes = null)
    {
        if (args.Length > 0 && args[0] == "img") return ImageTool.ImageToolCommand.Run(args[1..], stdout, stderr);
        var parsed = EmuCommandLine.Parse(args, stdout, stderr);
        if (parsed.Options is not { } options) return parsed.ExitCode;
        try
        {
            bool onTerminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected && !Console.IsInputRedirected;
            bool inIsTerminal = stdinBytes != null && ReferenceEquals(stdout, Console.Out) && !Console.IsInputRedirected;
            var choice = DisplaySession.Choose(options, stderr, onTerminal);
            var textConsoles = choice.Kind == DisplayKind.Sdl ? new TextConsoles() : null;
            using var runner = MachineRunner.Create(options, new ConsoleStreams(stdout, stderr, stdoutBytes, stdinBytes, inIsTerminal), textConsoles);
            using var display = DisplaySession.Start(options, choice, runner.Board, stdout, textConsoles);
            runner.AttachScreen(display.Frames);
            int status = runner.Run(instructionLimit);
            display.Stop();
            return status;
        }
        catch (EmuError e)
        {
            stderr.WriteLine($"emu: {e.Message}");
            return 1;
        }
    }
}
