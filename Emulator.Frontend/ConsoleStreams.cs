namespace Emulator.Frontend;

/// <summary>
/// Where emu's own output goes: text to <paramref name="Out"/> and <paramref name="Error"/>;
/// guest bytes for <c>stdio</c> character devices to <paramref name="OutBytes"/>, the raw
/// standard output, when there is one (tests pass only writers, and guest bytes then reach
/// <paramref name="Out"/> as Latin-1 characters). <paramref name="InBytes"/> is the standard
/// input a <c>stdio</c> serial port reads, or null for none (tests). <paramref name="InIsTerminal"/>
/// says that input is the process's own terminal, which a <c>stdio</c> serial port puts in raw mode.
/// </summary>
internal sealed record ConsoleStreams(TextWriter Out, TextWriter Error, Stream? OutBytes = null, Stream? InBytes = null, bool InIsTerminal = false);
