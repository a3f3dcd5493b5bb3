namespace Emulator.Core.State;

/// <summary>
/// A section that compresses its own data (RAM, in chunks with zero runs skipped), so the
/// snapshot container stores it as it is instead of compressing it a second time.
/// </summary>
public interface IPackedSection;
