namespace Emulator.Core.State;

/// <summary>
/// A section that compresses its own data (RAM, in chunks with zero runs skipped), so the
/// snapshot container stores it as it is instead of compressing it a second time. Such a section
/// loads after all others and all or nothing by itself (it checks everything before it changes
/// anything), so the reader's roll-back copy of the machine's state can leave it out.
/// </summary>
public interface IPackedSection;
