using System.Numerics;

namespace Emulator.Core.Cpu.X87;

/// <summary>The classes an 80-bit register value falls into (SDM vol. 1, 8.2.2, table 8-3 and 8.2.3).</summary>
public enum Float80Class : byte
{
    Zero,
    Normal,
    /// <summary>Exponent 0, integer bit 0, fraction non-zero.</summary>
    Denormal,
    /// <summary>Exponent 0 with the integer bit set: accepted as an operand (with #D), never produced.</summary>
    PseudoDenormal,
    Infinity,
    QuietNaN,
    SignalingNaN,
    /// <summary>Unnormals, pseudo-NaNs and pseudo-infinities: invalid operands since the 80387 (SDM vol. 1, 8.2.2).</summary>
    Unsupported,
}

/// <summary>
/// The x87 double extended-precision format (SDM vol. 1, 4.2.2, figure 4-3): a sign bit, a 15-bit
/// exponent biased by 16383, and a 64-bit significand whose bit 63 is the explicit integer bit.
/// The arithmetic (in the other Float80*.cs files) is done in software on the integer fields so it
/// keeps all 64 significand bits and rounds as the x87 does.
/// </summary>
public readonly partial struct Float80 : IEquatable<Float80>
{
    public const int Bias = 16383;
    public const int MaxExponent = 0x7FFF;
    public const ulong IntegerBit = 1UL << 63;
    const ulong QuietBit = 1UL << 62;

    /// <summary>Bits 0-63 of the 80-bit value.</summary>
    public readonly ulong Significand;
    /// <summary>Bits 64-79: sign in bit 15, biased exponent in bits 0-14.</summary>
    public readonly ushort SignExponent;

    public Float80(ushort signExponent, ulong significand)
    {
        SignExponent = signExponent;
        Significand = significand;
    }

    public Float80(bool sign, int exponent, ulong significand)
        : this((ushort)((sign ? 0x8000 : 0) | (exponent & MaxExponent)), significand) { }

    public bool Sign => (SignExponent & 0x8000) != 0;
    public int Exponent => SignExponent & MaxExponent;

    public static Float80 Zero => new(0, 0);
    public static Float80 NegativeZero => new(0x8000, 0);
    public static Float80 One => new(0x3FFF, IntegerBit);
    public static Float80 PositiveInfinity => new(0x7FFF, IntegerBit);
    public static Float80 NegativeInfinity => new(0xFFFF, IntegerBit);

    /// <summary>The "real indefinite" QNaN the x87 delivers for a masked invalid operation (SDM vol. 1, 4.8.3.7, table 4-3).</summary>
    public static Float80 Indefinite => new(0xFFFF, 0xC000_0000_0000_0000);

    public static Float80 Infinity(bool sign) => sign ? NegativeInfinity : PositiveInfinity;
    public static Float80 SignedZero(bool sign) => sign ? NegativeZero : Zero;

    public Float80Class Class
    {
        get
        {
            int e = Exponent;
            ulong s = Significand;
            if (e == 0)
                return s == 0 ? Float80Class.Zero : (s & IntegerBit) != 0 ? Float80Class.PseudoDenormal : Float80Class.Denormal;
            if ((s & IntegerBit) == 0) return Float80Class.Unsupported;   // unnormal, pseudo-NaN, pseudo-infinity
            if (e != MaxExponent) return Float80Class.Normal;
            if ((s << 1) == 0) return Float80Class.Infinity;
            return (s & QuietBit) != 0 ? Float80Class.QuietNaN : Float80Class.SignalingNaN;
        }
    }

    public bool IsNaN => Class is Float80Class.QuietNaN or Float80Class.SignalingNaN;
    public bool IsSignalingNaN => Class == Float80Class.SignalingNaN;
    public bool IsZero => Class == Float80Class.Zero;
    public bool IsInfinity => Class == Float80Class.Infinity;
    public bool IsDenormal => Class is Float80Class.Denormal or Float80Class.PseudoDenormal;
    public bool IsUnsupported => Class == Float80Class.Unsupported;

    public Float80 Negate() => new((ushort)(SignExponent ^ 0x8000), Significand);
    public Float80 Abs() => new((ushort)(SignExponent & 0x7FFF), Significand);
    public Float80 WithSign(bool sign) => new(sign, Exponent, Significand);

    /// <summary>A signalling NaN made quiet by setting the significand's bit 62 (SDM vol. 1, 4.8.3.4).</summary>
    public Float80 Quieted() => new(SignExponent, Significand | QuietBit);

    /// <summary>
    /// A finite operand as sign, exponent and significand normalized so bit 63 is set; the exponent
    /// may go below 1 for denormals (the value is significand × 2^(exponent − 16383 − 63)).
    /// Denormals and pseudo-denormals have the value of exponent 1 (SDM vol. 1, 8.2.2).
    /// </summary>
    internal void Unpack(out bool sign, out int exp, out ulong sig)
    {
        sign = Sign;
        sig = Significand;
        exp = Exponent;
        if (exp == 0)
        {
            exp = 1;
            if (sig == 0) { exp = 0; return; }
            int lz = BitOperations.LeadingZeroCount(sig);
            sig <<= lz;
            exp -= lz;
        }
    }

    public bool Equals(Float80 other) => Significand == other.Significand && SignExponent == other.SignExponent;
    public override bool Equals(object? obj) => obj is Float80 f && Equals(f);
    public override int GetHashCode() => HashCode.Combine(Significand, SignExponent);
    public static bool operator ==(Float80 a, Float80 b) => a.Equals(b);
    public static bool operator !=(Float80 a, Float80 b) => !a.Equals(b);

    public override string ToString() => $"{SignExponent:X4} {Significand:X16}";
}
