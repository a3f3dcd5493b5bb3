namespace Emulator.Tests.Devices.Video;

/// <summary>
/// The graphics controller's write modes 0-3, read modes 0/1, latches, set/reset, rotate,
/// logical operations and bit mask, the map mask, chain-4 and odd/even addressing, with
/// expected plane bytes worked by hand from FreeVGA's descriptions of each mode.
/// </summary>
public class VgaMemoryTests
{
    static VgaRig Planar()
    {
        var r = new VgaRig();
        r.Out(0x3C2, 0x63);                  // colour, RAM enabled
        r.Seq(2, 0x0F); r.Seq(4, 0x06);      // all planes, sequential (no odd/even, no chain 4)
        r.Gc(6, 0x05);                       // graphics, A0000-AFFFF
        r.Gc(5, 0x00); r.Gc(8, 0xFF);
        return r;
    }

    static void FillPlanes(VgaRig r, int offset, byte p0, byte p1, byte p2, byte p3)
    {
        byte[] v = [p0, p1, p2, p3];
        for (int p = 0; p < 4; p++) { r.Seq(2, (byte)(1 << p)); r.Poke((uint)(0xA0000 + offset), v[p]); }
        r.Seq(2, 0x0F);
    }

    static byte[] Planes(VgaRig r, int offset) => [r.Plane(0, offset), r.Plane(1, offset), r.Plane(2, offset), r.Plane(3, offset)];

    [Test]
    public void WriteMode0WithSetResetAndBitMask()
    {
        var r = Planar();
        FillPlanes(r, 0, 0x11, 0x22, 0x33, 0x44);
        Assert.That(r.Peek(0xA0000), Is.EqualTo(0x11), "read mode 0, map 0; loads the latches");
        r.Gc(0, 0x05); r.Gc(1, 0x03); r.Gc(8, 0xF0);
        r.Poke(0xA0000, 0x3C);
        // Plane 0: set/reset 1 -> FF; plane 1: set/reset 0 -> 00; planes 2, 3: data 3C. Bit mask F0 keeps the latch's low nibble.
        Assert.That(Planes(r, 0), Is.EqualTo(new byte[] { 0xF1, 0x02, 0x33, 0x34 }));
    }

    [Test]
    public void WriteMode0RotatesThenAppliesTheLogicalOperation()
    {
        var r = Planar();
        FillPlanes(r, 0, 0xF1, 0x02, 0x33, 0x34);
        r.Peek(0xA0000);
        r.Gc(3, 0x1A);                       // XOR, rotate right 2: 0x81 -> 0x60
        r.Poke(0xA0000, 0x81);
        Assert.That(Planes(r, 0), Is.EqualTo(new byte[] { 0x91, 0x62, 0x53, 0x54 }));
        r.Peek(0xA0000);
        r.Gc(3, 0x08);                       // AND, no rotation
        r.Poke(0xA0000, 0x0F);
        Assert.That(Planes(r, 0), Is.EqualTo(new byte[] { 0x01, 0x02, 0x03, 0x04 }));
        r.Peek(0xA0000);
        r.Gc(3, 0x10);                       // OR
        r.Poke(0xA0000, 0x80);
        Assert.That(Planes(r, 0), Is.EqualTo(new byte[] { 0x81, 0x82, 0x83, 0x84 }));
    }

    [Test]
    public void WriteMode1CopiesTheLatchesIgnoringDataAndBitMask()
    {
        var r = Planar();
        FillPlanes(r, 0, 0xDE, 0xAD, 0xBE, 0xEF);
        r.Peek(0xA0000);
        r.Gc(5, 0x01); r.Gc(8, 0x00);
        r.Poke(0xA000A, 0x00);
        Assert.That(Planes(r, 10), Is.EqualTo(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }));
    }

    [Test]
    public void WriteMode2SpreadsDataBitsToPlanes()
    {
        var r = Planar();
        FillPlanes(r, 20, 0xFF, 0xFF, 0xFF, 0xFF);
        r.Peek(0xA0014);
        r.Gc(5, 0x02); r.Gc(8, 0x0F);
        r.Poke(0xA0014, 0x05);               // planes 0 and 2 -> FF, 1 and 3 -> 00, under bit mask 0F
        Assert.That(Planes(r, 20), Is.EqualTo(new byte[] { 0xFF, 0xF0, 0xFF, 0xF0 }));
    }

    [Test]
    public void WriteMode3UsesRotatedDataAndBitMaskAsTheMask()
    {
        var r = Planar();
        r.Peek(0xA001E);                     // latches 0
        r.Gc(5, 0x03); r.Gc(0, 0x0C); r.Gc(3, 0x04); r.Gc(8, 0x3C);
        r.Poke(0xA001E, 0xF0);               // rotated 0x0F, & bit mask 0x3C = 0x0C; set/reset planes 2 and 3
        Assert.That(Planes(r, 30), Is.EqualTo(new byte[] { 0x00, 0x00, 0x0C, 0x0C }));
    }

    [Test]
    public void ReadModes0And1()
    {
        var r = Planar();
        FillPlanes(r, 40, 0xF0, 0xCC, 0xAA, 0x00);
        r.Gc(4, 0x02);
        Assert.That(r.Peek(0xA0028), Is.EqualTo(0xAA), "read map select 2");
        r.Gc(5, 0x08);                        // read mode 1
        r.Gc(2, 0x05); r.Gc(7, 0x07);         // compare plane0=1, plane1=0, plane2=1; plane 3 don't care
        Assert.That(r.Peek(0xA0028), Is.EqualTo(0x20));
        r.Gc(2, 0x0D); r.Gc(7, 0x0F);         // plane 3 must be 1: no pixel matches
        Assert.That(r.Peek(0xA0028), Is.EqualTo(0x00));
        r.Gc(7, 0x00);                        // nothing cared about: every pixel matches
        Assert.That(r.Peek(0xA0028), Is.EqualTo(0xFF));
    }

    [Test]
    public void MapMaskSelectsPlanes()
    {
        var r = Planar();
        r.Seq(2, 0x06);
        r.Poke(0xA0032, 0x5A);
        Assert.That(Planes(r, 50), Is.EqualTo(new byte[] { 0x00, 0x5A, 0x5A, 0x00 }));
    }

    [Test]
    public void Chain4AddressesPlaneByTheLowTwoBits()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode13);
        r.Poke(0xA0105, 0x99);
        Assert.That(r.Plane(1, 0x104), Is.EqualTo(0x99));
        Assert.That(r.Plane(0, 0x104) | r.Plane(2, 0x104) | r.Plane(3, 0x104), Is.EqualTo(0));
        Assert.That(r.Peek(0xA0105), Is.EqualTo(0x99));
    }

    [Test]
    public void OddEvenSendsEvenBytesToPlane0AndOddToPlane1()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode03);
        r.Poke(0xB800A, (byte)'Z');
        r.Poke(0xB800B, 0x4E);
        Assert.That(r.Plane(0, 0x0A), Is.EqualTo((byte)'Z'));
        Assert.That(r.Plane(1, 0x0A), Is.EqualTo(0x4E));
        Assert.That(r.Plane(2, 0x0A), Is.EqualTo(0), "map mask 03 keeps the font plane");
        Assert.That(r.Peek(0xB800B), Is.EqualTo(0x4E));
        Assert.That(r.Peek(0xB800A), Is.EqualTo((byte)'Z'));
    }

    [Test]
    public void MemoryMapSelectDecodesOnlyItsWindow()
    {
        var r = new VgaRig();
        r.SetMode(VgaRig.Mode03);             // B8000-BFFFF
        r.Poke(0xA0000, 0x12);
        Assert.That(r.Peek(0xA0000), Is.EqualTo(0xFF));
        Assert.That(r.Plane(0, 0), Is.EqualTo(0));
        r.Out(0x3C2, 0x65);                   // RAM disabled
        r.Poke(0xB8000, 0x12);
        Assert.That(r.Plane(0, 0), Is.EqualTo(0));
        Assert.That(r.Peek(0xB8000), Is.EqualTo(0xFF));
    }
}
