namespace Emulator.Benchmarks;

/// <summary>
/// The repository's bios/bios.bin, embedded like the frontend embeds it. The direct kernel boot
/// starts the kernel without running it, but the board maps a BIOS ROM, as the emu does.
/// </summary>
internal static class EmbeddedBios
{
    public static byte[] Load()
    {
        using var resource = typeof(EmbeddedBios).Assembly.GetManifestResourceStream("bios/bios.bin")
            ?? throw new InvalidOperationException("bios/bios.bin is not embedded in this build");
        var image = new byte[resource.Length];
        resource.ReadExactly(image);
        return image;
    }
}
