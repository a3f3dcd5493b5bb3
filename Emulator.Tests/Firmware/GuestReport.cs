using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// Pieces of 16-bit guest code for firmware tests that report over the debug console (port E9h):
/// text, and registers as hexadecimal.
/// </summary>
public sealed class GuestReport
{
    readonly Assembler a;
    readonly Label hex32;

    /// <summary>Starts the program with a jump over the helper routines it defines.</summary>
    public GuestReport(Assembler a)
    {
        this.a = a;
        hex32 = a.CreateLabel("hex32");
        var start = a.CreateLabel("start");
        a.jmp(start);
        // hex32: EAX as 8 hexadecimal digits; keeps every register.
        var digit = a.CreateLabel();
        var put = a.CreateLabel();
        a.Label(ref hex32);
        a.push(ecx);
        a.push(eax);
        a.mov(cx, 8);
        a.Label(ref digit);
        a.rol(eax, 4);
        a.push(eax);
        a.and(al, 0x0F);
        a.add(al, (byte)'0');
        a.cmp(al, (byte)'9');
        a.jbe(put);
        a.add(al, 7);
        a.Label(ref put);
        a.@out(0xE9, al);
        a.pop(eax);
        a.loop(digit);
        a.pop(eax);
        a.pop(ecx);
        a.ret();
        a.Label(ref start);
    }

    /// <summary>Writes <paramref name="text"/> (AL is changed).</summary>
    public void Text(string text)
    {
        foreach (char c in text)
        {
            a.mov(al, (byte)c);
            a.@out(0xE9, al);
        }
    }

    /// <summary>Writes <paramref name="reg"/> (a 32-bit register) as 8 hex digits and a space; keeps the registers.</summary>
    public void Hex(AssemblerRegister32 reg) => Print(() => { if (reg != eax) a.mov(eax, reg); });

    /// <summary>Writes <paramref name="reg"/> (16 bits, zero-extended) as 8 hex digits and a space; keeps the registers.</summary>
    public void Hex(AssemblerRegister16 reg) => Print(() => a.movzx(eax, reg));

    /// <summary>Writes <paramref name="reg"/> (8 bits, zero-extended) as 8 hex digits and a space; keeps the registers.</summary>
    public void Hex(AssemblerRegister8 reg) => Print(() => a.movzx(eax, reg));

    /// <summary>Writes the byte or word at <paramref name="memory"/> (zero-extended) as 8 hex digits and a space; keeps the registers.</summary>
    public void Hex(AssemblerMemoryOperand memory) => Print(() => a.movzx(eax, memory));

    /// <summary>EAX as loaded by <paramref name="load"/>, then a space; EAX is saved around it.</summary>
    void Print(Action load)
    {
        a.push(eax);
        load();
        a.call(hex32);
        a.mov(al, (byte)' ');
        a.@out(0xE9, al);
        a.pop(eax);
    }

    /// <summary>Writes CF as "C" or "NC" and a space; keeps the flags and registers.</summary>
    public void Carry()
    {
        var clear = a.CreateLabel();
        var done = a.CreateLabel();
        a.pushf();
        a.push(eax);
        a.jnc(clear);
        Text("C ");
        a.jmp(done);
        a.Label(ref clear);
        Text("NC ");
        a.Label(ref done);
        a.pop(eax);
        a.popf();
    }

    /// <summary>Ends the program: a line break, then CLI and HLT.</summary>
    public void End()
    {
        Text("\n");
        a.cli();
        a.hlt();
    }
}
