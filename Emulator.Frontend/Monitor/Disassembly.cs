using System.Text;
using Iced.Intel;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// AT&amp;T-syntax disassembly with Iced's GAS formatter, laid out as QEMU's monitor and
/// <c>-d in_asm</c> print it (binutils style: "0x00007c00:  mov    $0x1234,%ax").
/// </summary>
internal static class Disassembly
{
    static Formatter NewFormatter()
    {
        var f = new GasFormatter();
        f.Options.FirstOperandCharIndex = 7;   // objdump pads the mnemonic to 6 columns and a space
        f.Options.UppercaseHex = false;
        return f;
    }

    /// <summary>
    /// Disassembles up to <paramref name="count"/> instructions (all when negative) of
    /// <paramref name="bits"/>-bit code in <paramref name="code"/>, which starts at
    /// <paramref name="address"/>; each line is the address with <paramref name="addressDigits"/> hex digits.
    /// </summary>
    public static void Append(StringBuilder sb, byte[] code, int bits, ulong address, int count, int addressDigits = 8)
    {
        var decoder = Iced.Intel.Decoder.Create(bits, new ByteArrayCodeReader(code), address);
        var formatter = NewFormatter();
        var output = new StringOutput();
        int done = 0;
        while ((count < 0 || done < count) && decoder.IP < address + (ulong)code.Length)
        {
            decoder.Decode(out var instr);
            if (!instr.IsInvalid) formatter.Format(instr, output);
            string text = instr.IsInvalid ? "(bad)" : output.ToStringAndReset();
            sb.Append("0x").Append(instr.IP.ToString("x" + addressDigits)).Append(":  ").Append(text).Append('\n');
            done++;
        }
    }
}
