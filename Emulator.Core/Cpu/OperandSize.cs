using System.Runtime.CompilerServices;

namespace Emulator.Core.Cpu;

/// <summary>
/// An operand size as a type, so each handler is written once and the JIT specialises
/// it for 8, 16, 32 and 64 bits (STYLE.md, "write each ALU operation once").
/// </summary>
internal unsafe interface IOperandSize
{
    static abstract int Bytes { get; }
    static abstract ulong Mask { get; }
    static abstract ulong Sign { get; }
    static abstract ulong Load(byte* p);
    static abstract void Store(byte* p, ulong v);
}

internal unsafe struct Size8 : IOperandSize
{
    public static int Bytes => 1;
    public static ulong Mask => 0xFF;
    public static ulong Sign => 0x80;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Load(byte* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(byte* p, ulong v) => *p = (byte)v;
}

internal unsafe struct Size16 : IOperandSize
{
    public static int Bytes => 2;
    public static ulong Mask => 0xFFFF;
    public static ulong Sign => 0x8000;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Load(byte* p) => Unsafe.ReadUnaligned<ushort>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(byte* p, ulong v) => Unsafe.WriteUnaligned(p, (ushort)v);
}

internal unsafe struct Size32 : IOperandSize
{
    public static int Bytes => 4;
    public static ulong Mask => 0xFFFF_FFFF;
    public static ulong Sign => 0x8000_0000;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Load(byte* p) => Unsafe.ReadUnaligned<uint>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(byte* p, ulong v) => Unsafe.WriteUnaligned(p, (uint)v);
}

internal unsafe struct Size64 : IOperandSize
{
    public static int Bytes => 8;
    public static ulong Mask => ulong.MaxValue;
    public static ulong Sign => 0x8000_0000_0000_0000;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Load(byte* p) => Unsafe.ReadUnaligned<ulong>(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(byte* p, ulong v) => Unsafe.WriteUnaligned(p, v);
}
