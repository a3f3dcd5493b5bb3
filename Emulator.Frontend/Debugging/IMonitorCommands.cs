using Emulator.Core.Machine;

namespace Emulator.Frontend.Debugging;

/// <summary>
/// Monitor commands reached through GDB's <c>monitor</c> command (the <c>qRcmd</c> packet).
/// The human monitor implements this later; <see cref="BasicMonitorCommands"/> serves until then.
/// </summary>
internal interface IMonitorCommands
{
    /// <summary>
    /// Runs <paramref name="command"/> on the machine thread while the machine is stopped and
    /// returns its output, or null when the command is unknown.
    /// </summary>
    string? Execute(Machine machine, string command);
}

/// <summary>The monitor commands available before the monitor exists: <c>info registers</c> and <c>help</c>.</summary>
internal sealed class BasicMonitorCommands : IMonitorCommands
{
    public string? Execute(Machine machine, string command)
    {
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words switch
        {
            ["info", "registers"] or ["info", "reg"] or ["info", "r"] => machine.Cpu.ToString() + "\n",
            ["help"] or ["?"] => "info registers -- show the CPU registers\n",
            _ => null,
        };
    }
}
