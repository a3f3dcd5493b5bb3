namespace Emulator.Benchmarks;

/// <summary>
/// The repository's bios/bios.bin and the -kernel loader ROM bios/linuxboot.bin, embedded like
/// the frontend embeds them: the Linux boot runs through the BIOS, as the emu's does.
/// </summary>
internal static class EmbeddedBios
{
    public static byte[] Load(string name = "bios/bios.bin")
    {
        using var resource = typeof(EmbeddedBios).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in this build");
        var image = new byte[resource.Length];
        resource.ReadExactly(image);
        return image;
    }
}
