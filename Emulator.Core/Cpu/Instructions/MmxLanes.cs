using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Emulator.Core.Cpu.Instructions;

internal static partial class Mmx
{
    /// <summary>
    /// The MMX operations on packed bytes, words and doublewords in a 64-bit value (SDM vol. 1, 9.4; vol. 2 per
    /// instruction). Each is a struct with a static <c>Exec(dest, source)</c> the handlers are specialised on.
    /// Lane-wise arithmetic, compares and signed narrowing go through <see cref="Vector128"/> (one SSE2/AdvSimd
    /// instruction on the host); the rest is plain integer arithmetic.
    /// </summary>
    internal static class Lanes
    {
        internal interface IOp { static abstract ulong Exec(ulong d, ulong s); }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector128<ulong> V(ulong x) => Vector128.CreateScalarUnsafe(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong U<T>(Vector128<T> v) => v.AsUInt64().ToScalar();

        public struct Copy : IOp { public static ulong Exec(ulong d, ulong s) => s; }

        // ---- wrap-around, signed-saturating and unsigned-saturating add and subtract (SDM vol. 1, 9.4.2) ----
        public struct AddB : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsByte() + V(s).AsByte()); }
        public struct AddW : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsUInt16() + V(s).AsUInt16()); }
        public struct AddD : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsUInt32() + V(s).AsUInt32()); }
        public struct AddSB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.AddSaturate(V(d).AsSByte(), V(s).AsSByte())); }
        public struct AddSW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.AddSaturate(V(d).AsInt16(), V(s).AsInt16())); }
        public struct AddUSB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.AddSaturate(V(d).AsByte(), V(s).AsByte())); }
        public struct AddUSW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.AddSaturate(V(d).AsUInt16(), V(s).AsUInt16())); }
        public struct SubB : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsByte() - V(s).AsByte()); }
        public struct SubW : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsUInt16() - V(s).AsUInt16()); }
        public struct SubD : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsUInt32() - V(s).AsUInt32()); }
        public struct SubSB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.SubtractSaturate(V(d).AsSByte(), V(s).AsSByte())); }
        public struct SubSW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.SubtractSaturate(V(d).AsInt16(), V(s).AsInt16())); }
        public struct SubUSB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.SubtractSaturate(V(d).AsByte(), V(s).AsByte())); }
        public struct SubUSW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.SubtractSaturate(V(d).AsUInt16(), V(s).AsUInt16())); }

        // ---- compares: all ones where true, zero where false (SDM vol. 1, 9.4.3) ----
        public struct CmpEqB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.Equals(V(d).AsByte(), V(s).AsByte())); }
        public struct CmpEqW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.Equals(V(d).AsUInt16(), V(s).AsUInt16())); }
        public struct CmpEqD : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.Equals(V(d).AsUInt32(), V(s).AsUInt32())); }
        public struct CmpGtB : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.GreaterThan(V(d).AsSByte(), V(s).AsSByte())); }
        public struct CmpGtW : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.GreaterThan(V(d).AsInt16(), V(s).AsInt16())); }
        public struct CmpGtD : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.GreaterThan(V(d).AsInt32(), V(s).AsInt32())); }

        // ---- multiplies (SDM vol. 2, PMULLW, PMULHW, PMADDWD) ----
        public struct MulLW : IOp { public static ulong Exec(ulong d, ulong s) => U(V(d).AsInt16() * V(s).AsInt16()); }

        /// <summary>The high 16 bits of each signed 16 × 16 product: the four words widened to 32 bits, multiplied, shifted down and narrowed back.</summary>
        public struct MulHW : IOp
        {
            public static ulong Exec(ulong d, ulong s)
            {
                var p = Vector128.WidenLower(V(d).AsInt16()) * Vector128.WidenLower(V(s).AsInt16());
                return U(Vector128.Narrow(Vector128.ShiftRightArithmetic(p, 16), p));
            }
        }

        /// <summary>
        /// Each doubleword is the sum of two adjacent signed word products, wrapping: the one overflowing case,
        /// 8000H × 8000H twice, gives 80000000H (SDM vol. 2, PMADDWD).
        /// </summary>
        public struct MAddWD : IOp
        {
            public static ulong Exec(ulong d, ulong s)
            {
                uint lo = unchecked((uint)((short)d * (short)s + (short)(d >> 16) * (short)(s >> 16)));
                uint hi = unchecked((uint)((short)(d >> 32) * (short)(s >> 32) + (short)(d >> 48) * (short)(s >> 48)));
                return lo | (ulong)hi << 32;
            }
        }

        // ---- logic (SDM vol. 1, 9.4.5) ----
        public struct And : IOp { public static ulong Exec(ulong d, ulong s) => d & s; }
        public struct AndNot : IOp { public static ulong Exec(ulong d, ulong s) => ~d & s; }
        public struct Or : IOp { public static ulong Exec(ulong d, ulong s) => d | s; }
        public struct Xor : IOp { public static ulong Exec(ulong d, ulong s) => d ^ s; }

        // ---- pack: the destination's elements fill the low half, the source's the high half (SDM vol. 2, PACKSSWB) ----
        public struct PackSsWb : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.NarrowWithSaturation(Vector128.Create(d, s).AsInt16(), Vector128<short>.Zero)); }
        public struct PackSsDw : IOp { public static ulong Exec(ulong d, ulong s) => U(Vector128.NarrowWithSaturation(Vector128.Create(d, s).AsInt32(), Vector128<int>.Zero)); }

        /// <summary>
        /// Signed words to unsigned bytes: negative words give 00H, words above FFH give FFH (SDM vol. 2, PACKUSWB).
        /// Negative words are first raised to 0, so the unsigned narrowing's clamp at FFH does the rest.
        /// </summary>
        public struct PackUsWb : IOp
        {
            public static ulong Exec(ulong d, ulong s) => U(Vector128.NarrowWithSaturation(
                Vector128.Max(Vector128.Create(d, s).AsInt16(), Vector128<short>.Zero).AsUInt16(), Vector128<ushort>.Zero));
        }

        // ---- unpack: interleave the low or high halves, the destination's element first (SDM vol. 2, PUNPCKLBW,
        // PUNPCKHBW), by spreading each half's elements apart with shifts and masks ----
        /// <summary>Spreads the four bytes of <paramref name="x"/> to the low byte of each word.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong SpreadBytes(uint x)
        {
            ulong w = SpreadWords(x);
            return (w | w << 8) & 0x00FF_00FF_00FF_00FF;
        }

        /// <summary>Spreads the two words of <paramref name="x"/> to the low word of each doubleword.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static ulong SpreadWords(uint x) => ((ulong)x | (ulong)x << 16) & 0x0000_FFFF_0000_FFFF;

        public struct UnpackLBW : IOp { public static ulong Exec(ulong d, ulong s) => SpreadBytes((uint)d) | SpreadBytes((uint)s) << 8; }
        public struct UnpackLWD : IOp { public static ulong Exec(ulong d, ulong s) => SpreadWords((uint)d) | SpreadWords((uint)s) << 16; }
        public struct UnpackLDQ : IOp { public static ulong Exec(ulong d, ulong s) => (uint)d | s << 32; }
        public struct UnpackHBW : IOp { public static ulong Exec(ulong d, ulong s) => SpreadBytes((uint)(d >> 32)) | SpreadBytes((uint)(s >> 32)) << 8; }
        public struct UnpackHWD : IOp { public static ulong Exec(ulong d, ulong s) => SpreadWords((uint)(d >> 32)) | SpreadWords((uint)(s >> 32)) << 16; }
        public struct UnpackHDQ : IOp { public static ulong Exec(ulong d, ulong s) => d >> 32 | s & 0xFFFF_FFFF_0000_0000; }

        // ---- shifts by the whole 64-bit count: a count past the element width gives 0, or the sign in every bit (SDM vol. 2, PSLLW, PSRAW) ----
        public struct ShlW : IOp { public static ulong Exec(ulong d, ulong n) => n > 15 ? 0 : U(Vector128.ShiftLeft(V(d).AsUInt16(), (int)n)); }
        public struct ShlD : IOp { public static ulong Exec(ulong d, ulong n) => n > 31 ? 0 : U(Vector128.ShiftLeft(V(d).AsUInt32(), (int)n)); }
        public struct ShlQ : IOp { public static ulong Exec(ulong d, ulong n) => n > 63 ? 0 : d << (int)n; }
        public struct ShrW : IOp { public static ulong Exec(ulong d, ulong n) => n > 15 ? 0 : U(Vector128.ShiftRightLogical(V(d).AsUInt16(), (int)n)); }
        public struct ShrD : IOp { public static ulong Exec(ulong d, ulong n) => n > 31 ? 0 : U(Vector128.ShiftRightLogical(V(d).AsUInt32(), (int)n)); }
        public struct ShrQ : IOp { public static ulong Exec(ulong d, ulong n) => n > 63 ? 0 : d >> (int)n; }
        public struct SarW : IOp { public static ulong Exec(ulong d, ulong n) => U(Vector128.ShiftRightArithmetic(V(d).AsInt16(), (int)Math.Min(n, 15))); }
        public struct SarD : IOp { public static ulong Exec(ulong d, ulong n) => U(Vector128.ShiftRightArithmetic(V(d).AsInt32(), (int)Math.Min(n, 31))); }
    }
}
