namespace Emulator.Core.State;

/// <summary>
/// A machine snapshot that cannot be loaded (not a snapshot, damaged, from another build or
/// another machine configuration). The message is one line for the user; the machine that
/// was asked to load it is as it was before.
/// </summary>
public sealed class SnapshotException(string message, Exception? inner = null) : Exception(message, inner);
