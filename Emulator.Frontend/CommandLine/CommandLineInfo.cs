namespace Emulator.Frontend.CommandLine;

/// <summary>
/// Raised by value parsing when the user asked for a listing instead of a run
/// (<c>-d help</c>, <c>-device help</c>, <c>-device isa-debug-exit,help</c>): the text goes
/// to stdout and emu exits with status 0, as QEMU does.
/// </summary>
internal sealed class CommandLineInfo(string text) : Exception(text)
{
    public string Text { get; } = text;
}
