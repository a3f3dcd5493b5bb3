using Emulator.Core.Cpu.X87;

namespace Emulator.Tests.Cpu.X87;

/// <summary>FSCALE, FXTRACT, FPREM and FPREM1 on values worked by hand (SDM vol. 2A per instruction).</summary>
public class Float80ScaleRemainderTests
{
    static Float80 F(ushort se, ulong sig) => new(se, sig);
    static Float80 I(long v) => Float80.FromInt64(v);
    static FpuContext Ctx() => new(RoundingMode.Nearest);

    [Test]
    public void ScaleByTruncatedPowerOfTwo()
    {
        var ctx = Ctx();
        Assert.That(Float80.Scale(I(1), I(3), ref ctx), Is.EqualTo(F(0x4002, 0x8000_0000_0000_0000)));   // 8
        // trunc(−2.5) = −2: 3 × 2^−2 = 0.75 = 1.1b × 2^−1.
        var minusTwoAndHalf = F(0xC000, 0xA000_0000_0000_0000);
        Assert.That(Float80.Scale(I(3), minusTwoAndHalf, ref ctx), Is.EqualTo(F(0x3FFE, 0xC000_0000_0000_0000)));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
        // 2^−16382 × 2^−1: the denormal 0000 4000000000000000, exact.
        Assert.That(Float80.Scale(F(1, 0x8000_0000_0000_0000), I(-1), ref ctx), Is.EqualTo(F(0, 0x4000_0000_0000_0000)));
        ctx = Ctx();
        Assert.That(Float80.Scale(Float80.Zero, Float80.PositiveInfinity, ref ctx), Is.EqualTo(Float80.Indefinite));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }

    [Test]
    public void ExtractExponentAndSignificand()
    {
        // −10 = −1.25 × 2^3: exponent 3.0 (4000 C000…), significand −1.25 (BFFF A000…).
        var ctx = Ctx();
        var (e, s) = Float80.Extract(I(-10), ref ctx);
        Assert.That(e, Is.EqualTo(F(0x4000, 0xC000_0000_0000_0000)));
        Assert.That(s, Is.EqualTo(F(0xBFFF, 0xA000_0000_0000_0000)));
        (e, s) = Float80.Extract(Float80.Zero, ref ctx);
        Assert.That(e, Is.EqualTo(Float80.NegativeInfinity));
        Assert.That(s, Is.EqualTo(Float80.Zero));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.ZE));
    }

    [Test]
    public void RemaindersTruncatedAndNearest()
    {
        var ctx = Ctx();
        // 7 rem 2: FPREM q = 3, r = 1; FPREM1 3.5 ties to 4, r = −1.
        var r = Float80.Remainder(I(7), I(2), false, ref ctx);
        Assert.That((r.Value, r.QuotientLow, r.Incomplete), Is.EqualTo((I(1), 3, false)));
        r = Float80.Remainder(I(7), I(2), true, ref ctx);
        Assert.That((r.Value, r.QuotientLow), Is.EqualTo((I(-1), 4)));
        // 5 rem 3: FPREM 2 (q 1); FPREM1 q = 2, r = −1.
        Assert.That(Float80.Remainder(I(5), I(3), false, ref ctx).Value, Is.EqualTo(I(2)));
        Assert.That(Float80.Remainder(I(5), I(3), true, ref ctx).Value, Is.EqualTo(I(-1)));
        // 1.75 rem 3 (exponents differ by −1): FPREM keeps 1.75; FPREM1 q = 1, r = −1.25.
        var a = F(0x3FFF, 0xE000_0000_0000_0000);
        Assert.That(Float80.Remainder(a, I(3), false, ref ctx).Value, Is.EqualTo(a));
        r = Float80.Remainder(a, I(3), true, ref ctx);
        Assert.That((r.Value, r.QuotientLow), Is.EqualTo((F(0xBFFF, 0xA000_0000_0000_0000), 1)));
        // −6 rem 3 = −0 (the dividend's sign).
        Assert.That(Float80.Remainder(I(-6), I(3), false, ref ctx).Value, Is.EqualTo(Float80.NegativeZero));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.None));
    }

    [Test]
    public void PartialRemainderForDistantExponents()
    {
        // 2^100 rem 3: D = 99 ≥ 64, N = 32 + 99 mod 32 = 35: reduce by 3 × 2^64: 2^100 mod 3·2^64 = 2^64 × (2^36 mod 3) = 2^64.
        var ctx = Ctx();
        var r = Float80.Remainder(F(0x3FFF + 100, 0x8000_0000_0000_0000), I(3), false, ref ctx);
        Assert.That(r.Incomplete, Is.True);
        Assert.That(r.Value, Is.EqualTo(F(0x3FFF + 64, 0x8000_0000_0000_0000)));
        // Repeating completes: 2^64 mod 3 = 1.
        r = Float80.Remainder(r.Value, I(3), false, ref ctx);
        Assert.That((r.Value, r.Incomplete), Is.EqualTo((I(1), false)));
    }

    [Test]
    public void PackedBcd()
    {
        // −1234: digits 4,3 in byte 0 (34h), 2,1 in byte 1 (12h), sign in byte 9 bit 7.
        var bcd = new byte[] { 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x80 };
        Assert.That(Float80.FromPackedBcd(bcd), Is.EqualTo(I(-1234)));
        // 12345.5 rounds to the even 12346 → 46h 23h 01h.
        var ctx = Ctx();
        var b = new byte[10];
        Float80.ToPackedBcd(new Float80(0x400C, 0xC0E6_0000_0000_0000), b, ref ctx);
        Assert.That(b, Is.EqualTo(new byte[] { 0x46, 0x23, 0x01, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.PE));
        // 10^18 has 19 digits: invalid, the packed BCD indefinite FFFF C000000000000000.
        ctx = Ctx();
        Float80.ToPackedBcd(I(1_000_000_000_000_000_000), b, ref ctx);
        Assert.That(b, Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF }));
        Assert.That(ctx.Raised, Is.EqualTo(FpuExceptions.IE));
    }
}
