using Emulator.Devices.Storage;

namespace Emulator.Tests.Storage;

/// <summary>Random writes applied to an image and to a plain byte array, and the comparison of the two.</summary>
internal static class ImageModel
{
    /// <summary>
    /// Applies <paramref name="count"/> writes of random data (sector-aligned or not, up to three
    /// clusters long) to both, and reads a random range back after each write.
    /// </summary>
    public static void RandomWrites(IBlockImage image, byte[] model, int count, int seed, int maxLength = 200_000)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int length = rng.Next(1, maxLength);
            long offset = rng.NextInt64(0, model.Length - length);
            if (rng.Next(2) == 0) { offset &= ~511L; length = Math.Max(512, length & ~511); }
            var data = new byte[length];
            rng.NextBytes(data);
            image.Write(offset, data);
            data.CopyTo(model, offset);

            int readLength = rng.Next(1, maxLength);
            long readOffset = rng.NextInt64(0, model.Length - readLength);
            var back = new byte[readLength];
            image.Read(readOffset, back);
            Assert.That(back.AsSpan().SequenceEqual(model.AsSpan((int)readOffset, readLength)), $"read at {readOffset} after write {i}");
        }
    }

    /// <summary>The whole image must read as <paramref name="expected"/>.</summary>
    public static void AssertContents(IBlockImage image, byte[] expected)
    {
        Assert.That(image.Length, Is.EqualTo(expected.Length));
        var all = new byte[expected.Length];
        image.Read(0, all);
        for (int i = 0; i < all.Length; i += 4096)
        {
            int n = Math.Min(4096, all.Length - i);
            if (!all.AsSpan(i, n).SequenceEqual(expected.AsSpan(i, n)))
                Assert.Fail($"contents differ in the 4 KiB block at offset {i}");
        }
    }
}
