namespace Emulator.Devices.Input;

/// <summary>
/// A device on one of the 8042's PS/2 ports (keyboard or mouse), as the controller sees it:
/// bytes the device has ready to send, and bytes the controller sends to it.
/// </summary>
public interface IPs2Device
{
    /// <summary>True when the device has a byte ready to clock out to the controller.</summary>
    bool HasOutput { get; }

    /// <summary>Takes the next byte the device sends (call only when <see cref="HasOutput"/>).</summary>
    byte ReadOutput();

    /// <summary>A byte from the controller to the device (a command or a command's parameter).</summary>
    void Write(byte value);

    /// <summary>Set by the controller: called when the device has queued new output.</summary>
    Action? OutputReady { get; set; }
}
