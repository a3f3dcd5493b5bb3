using Emulator.Core.Cpu.X87;

namespace Emulator.Tests.Cpu.X87;

/// <summary>
/// Float80 against bit patterns worked from the format (SDM vol. 1, 4.2.2): value =
/// (−1)^s × significand/2^63 × 2^(exponent − 16383), the significand's bit 63 the integer bit.
/// </summary>
public class Float80Tests
{
    static Float80 F(ushort se, ulong sig) => new(se, sig);
    static readonly Float80 One = F(0x3FFF, 0x8000_0000_0000_0000);
    static readonly Float80 Two = F(0x4000, 0x8000_0000_0000_0000);
    static readonly Float80 Three = F(0x4000, 0xC000_0000_0000_0000);
    static readonly Float80 MaxFinite = F(0x7FFE, 0xFFFF_FFFF_FFFF_FFFF);
    static readonly Float80 MinNormal = F(0x0001, 0x8000_0000_0000_0000);

    static FpuContext Ctx(RoundingMode rc = RoundingMode.Nearest, int pc = 64) => new(rc, pc);

    [Test]
    public void IntegersLoadExactly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Float80.FromInt64(1), Is.EqualTo(One));
            Assert.That(Float80.FromInt64(3), Is.EqualTo(Three));
            Assert.That(Float80.FromInt64(-2), Is.EqualTo(F(0xC000, 0x8000_0000_0000_0000)));
            // −2^63 = 1.0 × 2^63: exponent 16383 + 63 = 0x403E.
            Assert.That(Float80.FromInt64(long.MinValue), Is.EqualTo(F(0xC03E, 0x8000_0000_0000_0000)));
            Assert.That(Float80.FromInt64(0), Is.EqualTo(Float80.Zero));
        });
    }

    // 1/3 = 1.0101…b × 2^−2: exponent 0x3FFD, significand AAAA…AAAA with the next bits 1010… (more than half).
    [TestCase(RoundingMode.Nearest, 0xAAAA_AAAA_AAAA_AAABUL, true)]
    [TestCase(RoundingMode.Down, 0xAAAA_AAAA_AAAA_AAAAUL, false)]
    [TestCase(RoundingMode.Up, 0xAAAA_AAAA_AAAA_AAABUL, true)]
    [TestCase(RoundingMode.Zero, 0xAAAA_AAAA_AAAA_AAAAUL, false)]
    public void OneThirdInEachRoundingMode(RoundingMode rc, ulong sig, bool roundedUp)
    {
        var ctx = Ctx(rc);
        var r = Float80.Divide(One, Three, ref ctx);
        Assert.That(r, Is.EqualTo(F(0x3FFD, sig)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        Assert.That(ctx.RoundedUp, Is.EqualTo(roundedUp));
    }

    [TestCase(RoundingMode.Down, 0xAAAA_AAAA_AAAA_AAABUL)]
    [TestCase(RoundingMode.Up, 0xAAAA_AAAA_AAAA_AAAAUL)]
    public void MinusOneThirdRoundsByMagnitudeAndSign(RoundingMode rc, ulong sig)
    {
        var ctx = Ctx(rc);
        var r = Float80.Divide(One.Negate(), Three, ref ctx);
        Assert.That(r, Is.EqualTo(F(0xBFFD, sig)));
    }

    // Precision control rounds the significand to 24 or 53 bits (SDM vol. 1, 8.1.5.2).
    [TestCase(24, RoundingMode.Nearest, 0xAAAA_AB00_0000_0000UL)]
    [TestCase(53, RoundingMode.Nearest, 0xAAAA_AAAA_AAAA_A800UL)]
    [TestCase(53, RoundingMode.Up, 0xAAAA_AAAA_AAAA_B000UL)]
    public void PrecisionControl(int pc, RoundingMode rc, ulong sig)
    {
        var ctx = Ctx(rc, pc);
        Assert.That(Float80.Divide(One, Three, ref ctx), Is.EqualTo(F(0x3FFD, sig)));
    }

    [Test]
    public void AddTieRoundsToEven()
    {
        // 1 + 2^−64 is exactly half a unit in the last place of 1.0: ties to even keep 1.0.
        var ctx = Ctx();
        var tiny = F(0x3FFF - 64, 0x8000_0000_0000_0000);
        Assert.That(Float80.Add(One, tiny, ref ctx), Is.EqualTo(One));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        // (1 + 2^−63) + 2^−64 is a tie with an odd last bit: rounds up to 1 + 2^−62.
        ctx = Ctx();
        Assert.That(Float80.Add(F(0x3FFF, 0x8000_0000_0000_0001), tiny, ref ctx), Is.EqualTo(F(0x3FFF, 0x8000_0000_0000_0002)));
    }

    [Test]
    public void SubtractionCancelsToSignedZero()
    {
        var ctx = Ctx();
        Assert.That(Float80.Subtract(Three, Three, ref ctx), Is.EqualTo(Float80.Zero));
        ctx = Ctx(RoundingMode.Down);
        Assert.That(Float80.Subtract(Three, Three, ref ctx), Is.EqualTo(Float80.NegativeZero));
        ctx = Ctx();
        // 3 − 2 = 1, 2 − 3 = −1, exact.
        Assert.That(Float80.Subtract(Three, Two, ref ctx), Is.EqualTo(One));
        Assert.That(Float80.Subtract(Two, Three, ref ctx), Is.EqualTo(One.Negate()));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
    }

    [Test]
    public void MultiplyExactAndDenormalResult()
    {
        var ctx = Ctx();
        Assert.That(Float80.Multiply(Two, Three, ref ctx), Is.EqualTo(F(0x4001, 0xC000_0000_0000_0000)));
        // 2^−16382 × 0.5 = 2^−16383: a denormal, exponent field 0, significand 0100…0; exact, so no UE (masked).
        ctx = Ctx();
        var half = F(0x3FFE, 0x8000_0000_0000_0000);
        Assert.That(Float80.Multiply(MinNormal, half, ref ctx), Is.EqualTo(F(0, 0x4000_0000_0000_0000)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // 2^−16382 × 2^−64 = 2^−16446: below the smallest denormal (2^−16445), exactly half of it: ties to even → 0,
        // tiny and inexact → UE and PE.
        ctx = Ctx();
        Assert.That(Float80.Multiply(MinNormal, F(0x3FFF - 64, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(Float80.Zero));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.UE | FpuExceptions.PE));
    }

    [Test]
    public void UnmaskedUnderflowDeliversBiasAdjustedResult()
    {
        // SDM vol. 1, 8.5.5: with UM=0 the result is multiplied by 2^24576: 2^−16383 → 2^8193, biased exponent 8193 + 16383 = 0x6000.
        var ctx = new FpuContext(RoundingMode.Nearest, 64, FpuExceptions.All & ~FpuExceptions.UE);
        var r = Float80.Multiply(MinNormal, F(0x3FFE, 0x8000_0000_0000_0000), ref ctx);
        Assert.That(r, Is.EqualTo(F(0x6000, 0x8000_0000_0000_0000)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.UE));
    }

    // Masked overflow (SDM vol. 1, 4.9.1.4, table 4-9): ∞ or the largest finite value by rounding mode and sign.
    [TestCase(RoundingMode.Nearest, false, (ushort)0x7FFF, 0x8000_0000_0000_0000UL)]
    [TestCase(RoundingMode.Zero, false, (ushort)0x7FFE, 0xFFFF_FFFF_FFFF_FFFFUL)]
    [TestCase(RoundingMode.Down, false, (ushort)0x7FFE, 0xFFFF_FFFF_FFFF_FFFFUL)]
    [TestCase(RoundingMode.Up, false, (ushort)0x7FFF, 0x8000_0000_0000_0000UL)]
    [TestCase(RoundingMode.Down, true, (ushort)0xFFFF, 0x8000_0000_0000_0000UL)]
    [TestCase(RoundingMode.Up, true, (ushort)0xFFFE, 0xFFFF_FFFF_FFFF_FFFFUL)]
    public void OverflowByRoundingMode(RoundingMode rc, bool negative, ushort se, ulong sig)
    {
        var ctx = Ctx(rc);
        var a = negative ? MaxFinite.Negate() : MaxFinite;
        Assert.That(Float80.Multiply(a, Two, ref ctx), Is.EqualTo(F(se, sig)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.OE | FpuExceptions.PE));
    }

    [Test]
    public void OverflowAtPrecision24GivesLargest24BitValue()
    {
        var ctx = Ctx(RoundingMode.Zero, 24);
        Assert.That(Float80.Multiply(MaxFinite, Two, ref ctx), Is.EqualTo(F(0x7FFE, 0xFFFF_FF00_0000_0000)));
    }

    [Test]
    public void InvalidOperationsGiveRealIndefinite()
    {
        var indefinite = F(0xFFFF, 0xC000_0000_0000_0000);
        var ctx = Ctx();
        Assert.That(Float80.Divide(Float80.Zero, Float80.Zero, ref ctx), Is.EqualTo(indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
        ctx = Ctx();
        Assert.That(Float80.Subtract(Float80.PositiveInfinity, Float80.PositiveInfinity, ref ctx), Is.EqualTo(indefinite));
        ctx = Ctx();
        Assert.That(Float80.Multiply(Float80.Zero, Float80.NegativeInfinity, ref ctx), Is.EqualTo(indefinite));
        ctx = Ctx();
        Assert.That(Float80.Sqrt(One.Negate(), ref ctx), Is.EqualTo(indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
        // An unnormal (exponent non-zero, integer bit clear) is an unsupported format (SDM vol. 1, 8.2.2).
        ctx = Ctx();
        Assert.That(Float80.Add(F(0x3FFF, 0x4000_0000_0000_0000), One, ref ctx), Is.EqualTo(indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void DivideByZero()
    {
        var ctx = Ctx();
        Assert.That(Float80.Divide(One.Negate(), Float80.Zero, ref ctx), Is.EqualTo(Float80.NegativeInfinity));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.ZE));
    }

    [Test]
    public void NaNPropagation()
    {
        var snan = F(0x7FFF, 0x8000_0000_0000_0001);
        var qnanSmall = F(0x7FFF, 0xC000_0000_0000_0001);
        var qnanLarge = F(0xFFFF, 0xC000_0000_0000_0005);
        var ctx = Ctx();
        Assert.That(Float80.Add(snan, One, ref ctx), Is.EqualTo(F(0x7FFF, 0xC000_0000_0000_0001)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
        ctx = Ctx();
        Assert.That(Float80.Multiply(qnanSmall, qnanLarge, ref ctx), Is.EqualTo(qnanLarge));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // An SNaN and a QNaN: the QNaN (SDM vol. 1, table 4-7, x87).
        ctx = Ctx();
        Assert.That(Float80.Add(F(0x7FFF, 0x8000_0000_0000_0009), qnanSmall, ref ctx), Is.EqualTo(qnanSmall));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void SquareRoots()
    {
        var ctx = Ctx();
        // √4 = 2 exactly.
        Assert.That(Float80.Sqrt(F(0x4001, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(Two));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // √2 = 1.0110101000001001111001100110011111110011101111001101011001000010 0101 1…b: the bits after the
        // 64th are 0101…, less than half: round to nearest keeps …6484, round up gives …6485.
        ctx = Ctx();
        Assert.That(Float80.Sqrt(Two, ref ctx), Is.EqualTo(F(0x3FFF, 0xB504_F333_F9DE_6484)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        ctx = Ctx(RoundingMode.Up);
        Assert.That(Float80.Sqrt(Two, ref ctx), Is.EqualTo(F(0x3FFF, 0xB504_F333_F9DE_6485)));
        ctx = Ctx();
        Assert.That(Float80.Sqrt(Float80.NegativeZero, ref ctx), Is.EqualTo(Float80.NegativeZero));
        // √(2^−16383 denormal) = 2^−8191.5 → √2 × 2^−8192: DE for the denormal operand.
        ctx = Ctx();
        Assert.That(Float80.Sqrt(F(0, 0x4000_0000_0000_0000), ref ctx), Is.EqualTo(F(0x3FFF - 8192, 0xB504_F333_F9DE_6484)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.DE | FpuExceptions.PE));
    }

    [Test]
    public void PseudoDenormalIsAcceptedWithDenormalException()
    {
        // Exponent 0 with the integer bit set has the value of exponent 1 (SDM vol. 1, 8.2.2).
        var ctx = Ctx();
        Assert.That(Float80.Add(F(0, 0x8000_0000_0000_0000), Float80.Zero, ref ctx), Is.EqualTo(MinNormal));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.DE));
    }

    [Test]
    public void PentiumFdivBugQuotient()
    {
        // 4195835 / 3145727 = 1.33382044913624100…; worked to 66 bits: 1.0101010 1011 1010 … the correctly
        // rounded extended quotient is 3FFF AABAA0E3E35A14BD (the flawed Pentium gave 1.33373906…).
        var ctx = Ctx();
        var q = Float80.Divide(Float80.FromInt64(4195835), Float80.FromInt64(3145727), ref ctx);
        Assert.That(q, Is.EqualTo(F(0x3FFF, 0xAABA_A0E3_E35A_14BD)));
    }

    [Test]
    public void RealConversions()
    {
        var ctx = Ctx();
        Assert.That(Float80.FromDouble(0x3FF0_0000_0000_0000, ref ctx), Is.EqualTo(One));
        Assert.That(Float80.FromSingle(0xC040_0000, ref ctx), Is.EqualTo(Three.Negate()));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // The smallest single denormal 2^−149 loads as a normal extended value, with DE.
        Assert.That(Float80.FromSingle(1, ref ctx), Is.EqualTo(F(0x3FFF - 149, 0x8000_0000_0000_0000)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.DE));
        // 1/3 to double: 0x3FD5555555555555 (53 bits 1.0101…01, next bit 0); to single 0x3EAAAAAB.
        ctx = Ctx();
        var third = F(0x3FFD, 0xAAAA_AAAA_AAAA_AAAB);
        Assert.That(Float80.ToDouble(third, ref ctx), Is.EqualTo(0x3FD5_5555_5555_5555UL));
        Assert.That(Float80.ToSingle(third, ref ctx), Is.EqualTo(0x3EAA_AAABu));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        // 2^−1075 is half the smallest double denormal: ties to even → +0, with UE and PE.
        ctx = Ctx();
        Assert.That(Float80.ToDouble(F(0x3FFF - 1075, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(0UL));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.UE | FpuExceptions.PE));
        // 2^−1074 exactly: the smallest double denormal, exact, no exception.
        ctx = Ctx();
        Assert.That(Float80.ToDouble(F(0x3FFF - 1074, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(1UL));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // A denormal extended source stores without DE (FST lists no #D): 2^−16383 underflows a double to +0.
        ctx = Ctx();
        Assert.That(Float80.ToDouble(F(0, 0x4000_0000_0000_0000), ref ctx), Is.EqualTo(0UL));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.UE | FpuExceptions.PE));
        // 2^1024 overflows a double: +∞ in round to nearest.
        ctx = Ctx();
        Assert.That(Float80.ToDouble(F(0x3FFF + 1024, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(0x7FF0_0000_0000_0000UL));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.OE | FpuExceptions.PE));
        // The real indefinite stored as a double is FFF8000000000000.
        ctx = Ctx();
        Assert.That(Float80.ToDouble(Float80.Indefinite, ref ctx), Is.EqualTo(0xFFF8_0000_0000_0000UL));
    }

    [TestCase(RoundingMode.Nearest, 2.5, 2)]
    [TestCase(RoundingMode.Nearest, 3.5, 4)]
    [TestCase(RoundingMode.Nearest, -2.5, -2)]
    [TestCase(RoundingMode.Up, 2.25, 3)]
    [TestCase(RoundingMode.Down, -2.25, -3)]
    [TestCase(RoundingMode.Zero, -2.75, -2)]
    [TestCase(RoundingMode.Nearest, 0.25, 0)]
    [TestCase(RoundingMode.Up, 0.25, 1)]
    public void IntegerConversionRounds(RoundingMode rc, double value, long expected)
    {
        // The inputs are exact binary fractions, so loading them through their double bits is exact.
        var ctx = Ctx(rc);
        var x = Float80.FromDouble((ulong)BitConverter.DoubleToInt64Bits(value), ref ctx);
        Assert.That(Float80.ToInteger(x, 32, rc, ref ctx), Is.EqualTo(expected));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
    }

    [Test]
    public void IntegerOverflowGivesIntegerIndefinite()
    {
        var ctx = Ctx();
        Assert.That(Float80.ToInteger(Float80.FromInt64(32768), 16, RoundingMode.Nearest, ref ctx), Is.EqualTo(-32768));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
        ctx = Ctx();
        Assert.That(Float80.ToInteger(Float80.FromInt64(-32768), 16, RoundingMode.Nearest, ref ctx), Is.EqualTo(-32768));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        ctx = Ctx();
        Assert.That(Float80.ToInteger(Float80.Indefinite, 64, RoundingMode.Nearest, ref ctx), Is.EqualTo(long.MinValue));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void RoundToIntegral()
    {
        var ctx = Ctx();
        var twoAndHalf = F(0x4000, 0xA000_0000_0000_0000);
        Assert.That(Float80.RoundToIntegral(twoAndHalf, ref ctx), Is.EqualTo(Two));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        ctx = Ctx(RoundingMode.Up);
        Assert.That(Float80.RoundToIntegral(twoAndHalf, ref ctx), Is.EqualTo(Three));
        Assert.That(ctx.RoundedUp, Is.True);
        ctx = Ctx(RoundingMode.Zero);
        Assert.That(Float80.RoundToIntegral(F(0xBFFE, 0x8000_0000_0000_0000), ref ctx), Is.EqualTo(Float80.NegativeZero));
    }

    [Test]
    public void Compares()
    {
        var ctx = Ctx();
        Assert.That(Float80.Compare(One, Two, false, ref ctx), Is.EqualTo(FpuComparison.Less));
        Assert.That(Float80.Compare(Float80.NegativeZero, Float80.Zero, false, ref ctx), Is.EqualTo(FpuComparison.Equal));
        Assert.That(Float80.Compare(One.Negate(), Two.Negate(), false, ref ctx), Is.EqualTo(FpuComparison.Greater));
        Assert.That(Float80.Compare(Float80.NegativeInfinity, MaxFinite.Negate(), false, ref ctx), Is.EqualTo(FpuComparison.Less));
        Assert.That(Float80.Compare(F(0, 1), Float80.Zero, false, ref ctx), Is.EqualTo(FpuComparison.Greater));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.DE));
        ctx = Ctx();
        Assert.That(Float80.Compare(Float80.Indefinite, One, true, ref ctx), Is.EqualTo(FpuComparison.Unordered));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        Assert.That(Float80.Compare(Float80.Indefinite, One, false, ref ctx), Is.EqualTo(FpuComparison.Unordered));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void ConstantsRoundByMode()
    {
        // π = C90FDAA2 2168C234 C4C6…: the 65th bit is 1, so nearest and up give …C235, down and zero …C234.
        Assert.That(Float80Constants.Pi(RoundingMode.Nearest), Is.EqualTo(F(0x4000, 0xC90F_DAA2_2168_C235)));
        Assert.That(Float80Constants.Pi(RoundingMode.Zero), Is.EqualTo(F(0x4000, 0xC90F_DAA2_2168_C234)));
        // log2(10) = D49A784B CD1B8AFE 49…: the 65th bit is 0: nearest …8AFE, up …8AFF.
        Assert.That(Float80Constants.Log2Ten(RoundingMode.Nearest), Is.EqualTo(F(0x4000, 0xD49A_784B_CD1B_8AFE)));
        Assert.That(Float80Constants.Log2Ten(RoundingMode.Up), Is.EqualTo(F(0x4000, 0xD49A_784B_CD1B_8AFF)));
        Assert.That(Float80Constants.LnTwo(RoundingMode.Nearest), Is.EqualTo(F(0x3FFE, 0xB172_17F7_D1CF_79AC)));
    }
}
