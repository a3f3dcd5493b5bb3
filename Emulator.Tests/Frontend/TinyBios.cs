using Iced.Intel;

namespace Emulator.Tests.Frontend;

/// <summary>
/// Builds minimal BIOS images with Iced's assembler: 16-bit code at F000:E000 and, at the
/// reset vector F000:FFF0, a far jump to it.
/// </summary>
internal static class TinyBios
{
    public const ushort Segment = 0xF000;
    public const ushort CodeOffset = 0xE000;
    const ushort ResetVector = 0xFFF0;

    /// <summary>A 64 KiB image (or <paramref name="size"/> bytes, code in its last 64 KiB) running <paramref name="body"/>.</summary>
    public static byte[] Build(Action<Assembler> body, int size = 0x10000)
    {
        var image = new byte[size];
        image.AsSpan().Fill(0xFF);
        int bankBase = size - 0x10000;

        var code = new Assembler(16);
        body(code);
        Place(image, bankBase + CodeOffset, Assemble(code, CodeOffset));

        var reset = new Assembler(16);
        reset.jmp(Segment, CodeOffset);
        Place(image, bankBase + ResetVector, Assemble(reset, ResetVector));
        return image;
    }

    /// <summary>Writes "Hello" to port 0xE9, POST code 0x42 to port 0x80, then 0x21 to isa-debug-exit at 0xF4.</summary>
    public static byte[] Hello() => Build(a =>
    {
        a.mov(AssemblerRegisters.dx, 0xE9);
        foreach (char c in "Hello")
        {
            a.mov(AssemblerRegisters.al, (byte)c);
            a.@out(AssemblerRegisters.dx, AssemblerRegisters.al);
        }
        a.mov(AssemblerRegisters.al, 0x42);
        a.@out((byte)0x80, AssemblerRegisters.al);
        a.mov(AssemblerRegisters.al, 0x21);
        a.@out((byte)0xF4, AssemblerRegisters.al);
        var spin = a.CreateLabel();
        a.Label(ref spin);
        a.jmp(spin);
    });

    static byte[] Assemble(Assembler a, ulong ip)
    {
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), ip);
        return ms.ToArray();
    }

    static void Place(byte[] image, int offset, byte[] bytes)
    {
        if (offset + bytes.Length > image.Length) throw new ArgumentException("code does not fit in the BIOS image");
        bytes.CopyTo(image, offset);
    }
}
