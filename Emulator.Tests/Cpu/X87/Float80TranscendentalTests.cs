using Emulator.Core.Cpu.X87;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// Transcendentals against the true values correctly rounded to 64 bits (round to nearest), computed
/// independently with 2000-bit arithmetic (Python mpmath), not with this code.
/// </summary>
public class Float80TranscendentalTests
{
    static Float80 F(int se, ulong sig) => new((ushort)se, sig);
    static Float80 I(long v) => Float80.FromInt64(v);
    static FpuContext Ctx() => new(RoundingMode.Nearest);

    [Test]
    public void SineCosineTangent()
    {
        var ctx = Ctx();
        var (s, c, t) = Float80.Trig(I(1), ref ctx);
        Assert.That(s, Is.EqualTo(F(0x3FFE, 0xD76A_A478_4867_7021)));
        Assert.That(c, Is.EqualTo(F(0x3FFE, 0x8A51_407D_A834_5C92)));
        Assert.That(t, Is.EqualTo(F(0x3FFF, 0xC759_22E5_F71D_2DC5)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        // sin of the extended π (which is above π): −5.0165…e−20, exercising the reduction.
        ctx = Ctx();
        (s, _, _) = Float80.Trig(F(0x4000, 0xC90F_DAA2_2168_C235), ref ctx);
        Assert.That(s, Is.EqualTo(F(0xBFBE, 0xECE6_75D1_FC8F_8CBB)));
        // 2^62, just inside the ±2^63 operand range.
        ctx = Ctx();
        (s, c, _) = Float80.Trig(F(0x3FFF + 62, 0x8000_0000_0000_0000), ref ctx);
        Assert.That(s, Is.EqualTo(F(0xBFFE, 0xB3F2_B9AA_F80A_3946)));
        Assert.That(c, Is.EqualTo(F(0xBFFE, 0xB615_8FC1_0638_3E05)));
        Assert.That(Float80.TrigInRange(F(0x3FFF + 63, 0x8000_0000_0000_0000)), Is.False);
        ctx = Ctx();
        (s, _, _) = Float80.Trig(Float80.PositiveInfinity, ref ctx);
        Assert.That(s, Is.EqualTo(Float80.Indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void TwoToTheXMinusOne()
    {
        var ctx = Ctx();
        var half = F(0x3FFE, 0x8000_0000_0000_0000);
        Assert.That(Float80.Exp2Minus1(half, ref ctx), Is.EqualTo(F(0x3FFD, 0xD413_CCCF_E779_9211)));
        Assert.That(Float80.Exp2Minus1(half.Negate(), ref ctx), Is.EqualTo(F(0xBFFD, 0x95F6_1998_0C43_36F7)));
        // Tiny x: 2^x − 1 ≈ x ln 2, with full relative precision.
        Assert.That(Float80.Exp2Minus1(F(0x3FFF - 70, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(F(0x3FB8, 0xB172_17F7_D1CF_79AC)));
        Assert.That(Float80.Exp2Minus1(Float80.NegativeInfinity, ref ctx), Is.EqualTo(Float80.One.Negate()));
    }

    [Test]
    public void Logarithms()
    {
        var ctx = Ctx();
        Assert.That(Float80.YLog2X(I(1), I(10), ref ctx), Is.EqualTo(F(0x4000, 0xD49A_784B_CD1B_8AFE)));
        // 3 × log2 8 = 9 exactly: no precision exception.
        ctx = Ctx();
        Assert.That(Float80.YLog2X(I(3), I(8), ref ctx), Is.EqualTo(I(9)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // log2 0 divides by zero: −∞ for y > 0.
        Assert.That(Float80.YLog2X(I(1), Float80.Zero, ref ctx), Is.EqualTo(Float80.NegativeInfinity));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.ZE));
        ctx = Ctx();
        Assert.That(Float80.YLog2X(I(1), I(-2), ref ctx), Is.EqualTo(Float80.Indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
        ctx = Ctx();
        Assert.That(Float80.YLog2XPlus1(I(1), F(0x3FFF - 30, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(F(0x3FE1, 0xB8AA_3B27_EAC3_7A6D)));
    }

    [Test]
    public void ArcTangent()
    {
        var ctx = Ctx();
        Assert.That(Float80.Atan2(I(1), I(1), ref ctx), Is.EqualTo(F(0x3FFE, 0xC90F_DAA2_2168_C235)));
        Assert.That(Float80.Atan2(I(1), I(-1), ref ctx), Is.EqualTo(F(0x4000, 0x96CB_E3F9_990E_91A8)));
        Assert.That(Float80.Atan2(I(3), I(5), ref ctx), Is.EqualTo(F(0x3FFE, 0x8A58_EEAF_C867_076F)));
        Assert.That(Float80.Atan2(Float80.NegativeZero, I(-1), ref ctx), Is.EqualTo(F(0xC000, 0xC90F_DAA2_2168_C235)));
        Assert.That(Float80.Atan2(Float80.Zero, I(1), ref ctx), Is.EqualTo(Float80.Zero));
    }
}
