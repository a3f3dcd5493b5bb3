using Emulator.Devices.Storage.Images;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Storage;

public class RawImageTests
{
    TempDir dir = null!;

    [SetUp] public void SetUp() => dir = new TempDir();
    [TearDown] public void TearDown() => dir.Dispose();

    [Test]
    public void A_partial_last_sector_is_padded_with_zeros()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i | 1)).ToArray();
        using var image = ImageOpener.Open(dir.Write("a.img", data), null, readOnly: true);
        Assert.That(image.Length, Is.EqualTo(1024));
        var back = new byte[1024];
        image.Read(0, back);
        Assert.That(back.AsSpan(0, 1000).SequenceEqual(data));
        Assert.That(back.AsSpan(1000).ContainsAnyExcept((byte)0), Is.False);
    }

    [Test]
    public void Writes_reach_the_file_and_read_only_images_refuse_them()
    {
        string path = dir.Write("a.img", new byte[4096]);
        using (var image = ImageOpener.Open(path, ImageFormat.Raw, readOnly: false))
            image.Write(512, Enumerable.Repeat((byte)0xC3, 512).ToArray());
        Assert.That(File.ReadAllBytes(path)[512..1024], Is.All.EqualTo(0xC3));
        using var ro = ImageOpener.Open(path, ImageFormat.Raw, readOnly: true);
        Assert.Throws<IOException>(() => ro.Write(0, new byte[512]));
    }

    [Test]
    public void A_file_without_the_qcow2_magic_probes_as_raw()
    {
        using var image = ImageOpener.Open(dir.Write("a.img", new byte[512]), null, readOnly: true);
        Assert.That(image, Is.InstanceOf<RawImage>());
    }
}
