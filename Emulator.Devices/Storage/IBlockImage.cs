namespace Emulator.Devices.Storage;

/// <summary>
/// A disk image as the storage devices see it: a flat run of bytes whose length is a multiple of
/// 512. Formats (raw, qcow2, a copy-on-write overlay) implement it in <c>Storage/Images</c>.
/// </summary>
/// <remarks>
/// Calls come from the machine thread only. A host I/O failure, or a read/write beyond
/// <see cref="Length"/>, throws <see cref="IOException"/>; devices catch it and report a medium
/// error to the guest, as a failing drive would, instead of stopping the machine.
/// </remarks>
public interface IBlockImage : IDisposable
{
    /// <summary>The virtual size in bytes (what the guest sees), a multiple of 512.</summary>
    long Length { get; }

    /// <summary>True when writes are refused (ISO media, <c>readonly=on</c>).</summary>
    bool ReadOnly { get; }

    /// <summary>Fills <paramref name="buffer"/> from virtual offset <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> at virtual offset <paramref name="offset"/>.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Makes every completed write durable in the host file (guest FLUSH CACHE, exit).</summary>
    void Flush();
}
