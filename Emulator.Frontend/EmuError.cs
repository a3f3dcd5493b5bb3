namespace Emulator.Frontend;

/// <summary>
/// A user error (bad option value, missing file) reported as one line
/// <c>emu: MESSAGE</c> on stderr with exit status 1. The message names the option
/// first, QEMU style: <c>-bios: cannot open 'x.bin': No such file or directory</c>.
/// </summary>
internal sealed class EmuError(string message) : Exception(message);
