using Emulator.Devices.Video;

namespace Emulator.Tests.Devices.Video;

/// <summary>Garbage from the guest never throws, on the machine side or in the renderer.</summary>
public class VgaGarbageTests
{
    [Test]
    public void RandomRegisterAndMemoryWritesNeverThrow()
    {
        var rng = new Random(1234);
        var r = new VgaRig();
        r.Vga.WriteConfig(0x10, 4, 0xE000_0000);
        r.Vga.WriteConfig(0x04, 2, 0x0002);
        var view = new VgaRenderer(r.Vga);
        Assert.DoesNotThrow(() =>
        {
            for (int i = 0; i < 3000; i++)
            {
                switch (rng.Next(5))
                {
                    case 0: r.Out((ushort)(0x3B0 + rng.Next(0x30)), (byte)rng.Next(256)); break;
                    case 1: r.In((ushort)(0x3B0 + rng.Next(0x30))); break;
                    // Values up to 2047 (any index, so bad depths, offsets, banks and IDs too):
                    // modes of up to 4 Mpixels keep the test fast; fixups bound bigger ones by VRAM.
                    case 2: r.DispiW(rng.Next(12), (ushort)rng.Next(2048)); break;
                    case 3: r.Poke((uint)(0xA0000 + rng.Next(0x20000)), (byte)rng.Next(256)); break;
                    default: r.Peek((uint)(0xA0000 + rng.Next(0x20000))); break;
                }
                r.Clock.Advance(rng.Next(1_000_000));
                if (i % 150 == 0)
                {
                    view.Render();
                    TextScreen.Capture(r.Vga);
                }
            }
        });
    }
}
