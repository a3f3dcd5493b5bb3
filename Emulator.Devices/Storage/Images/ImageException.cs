namespace Emulator.Devices.Storage.Images;

/// <summary>
/// An image file that cannot be opened or created: missing, unreadable, malformed (bad qcow2
/// header, tables beyond the end of the file, a loop in the backing chain) or using a feature
/// the block layer does not implement (encryption). The message is one line that names the file
/// and says what is wrong, for the frontend to print as it is.
/// </summary>
public sealed class ImageException(string message) : Exception(message);
