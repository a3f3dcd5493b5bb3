using System.Globalization;
using System.Text;
using Emulator.Core.Machine;
using Emulator.Frontend.Debugging;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// QEMU's <c>x /FMT ADDR</c> (linear addresses, through the guest's page tables) and
/// <c>xp /FMT ADDR</c> (physical). FMT is [COUNT][FORMAT][SIZE] in any order: FORMAT one of
/// x (hex), d (signed), u (unsigned), o (octal), c (character), i (instructions); SIZE one of
/// b, h, w, g (1, 2, 4, 8 bytes). Defaults as QEMU: one word in hex, and the last
/// format and size given are remembered per monitor. Lines hold 8 bytes for byte units and
/// 16 otherwise, each value as QEMU's memory_dump prints it.
/// </summary>
internal sealed class MemoryDump
{
    /// <summary>The most a single command dumps, so a typo like x/100000000 does not stall the machine thread.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>The physical address space (36 bits, as PAE addresses it); xp beyond it cannot access memory.</summary>
    const ulong PhysicalLimit = 1UL << 36;

    char lastFormat = 'x';
    int lastSize = 4;

    /// <summary>Parses FMT (the text after '/', or null); throws <see cref="MonitorError"/> when malformed.</summary>
    public (int Count, char Format, int Size) ParseFormat(string? fmt)
    {
        int count = 1;
        char format = lastFormat;
        int size = -1;
        if (fmt != null)
        {
            int i = 0;
            while (i < fmt.Length && char.IsAsciiDigit(fmt[i])) i++;
            if (i > 0 && !int.TryParse(fmt.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out count))
                throw new MonitorError("invalid count");
            for (; i < fmt.Length; i++)
            {
                char c = fmt[i];
                switch (c)
                {
                    case 'x' or 'd' or 'u' or 'o' or 'c' or 'i': format = c; break;
                    case 'b': size = 1; break;
                    case 'h': size = 2; break;
                    case 'w': size = 4; break;
                    case 'g': size = 8; break;
                    default: throw new MonitorError($"invalid char '{c}' in format");
                }
            }
        }
        if (size < 0) size = format == 'c' ? 1 : format == 'i' ? 1 : lastSize;
        if (format == 'c') size = 1;
        lastFormat = format;
        if (format != 'i') lastSize = size;
        return (count, format, size);
    }

    public string Dump(Machine machine, string? fmt, ulong address, bool physical)
    {
        var (count, format, size) = ParseFormat(fmt);
        var sb = new StringBuilder();
        string addr(ulong a) => physical ? a.ToString("x16") : (a & 0xFFFF_FFFF).ToString("x8");
        if (format == 'i')
        {
            int want = (int)Math.Min((long)count * 15, MaxBytes);
            byte[] code = Read(machine, address, want, physical);
            if (code.Length == 0) return addr(address) + ": Cannot access memory\n";
            Disassembly.Append(sb, code, machine.Cpu.CodeBits, address, count, physical ? 16 : 8);
            return sb.ToString();
        }
        long total = (long)count * size;
        if (total > MaxBytes) throw new MonitorError($"at most {MaxBytes} bytes can be dumped at once");
        int len = (int)total;
        int lineSize = size == 1 ? 8 : 16;
        int digits = format switch
        {
            'o' => (size * 8 + 2) / 3,
            'u' or 'd' => (size * 8 * 10 + 32) / 33,
            _ => size * 2,
        };
        while (len > 0)
        {
            sb.Append(addr(address)).Append(':');
            int l = Math.Min(len, lineSize);
            byte[] buf = Read(machine, address, l, physical);
            if (buf.Length < l)
            {
                sb.Append(" Cannot access memory\n");
                break;
            }
            for (int i = 0; i < l; i += size)
            {
                ulong v = 0;
                for (int k = size - 1; k >= 0; k--) v = (v << 8) | buf[i + k];
                sb.Append(' ');
                switch (format)
                {
                    case 'o': sb.Append((v == 0 ? "0" : "0" + Convert.ToString((long)v, 8)).PadLeft(digits)); break;
                    case 'u': sb.Append(v.ToString(CultureInfo.InvariantCulture).PadLeft(digits)); break;
                    // QEMU loads units narrower than 8 bytes zero-extended, so 'd' shows them unsigned too.
                    case 'd': sb.Append(((long)v).ToString(CultureInfo.InvariantCulture).PadLeft(digits)); break;
                    case 'c': AppendChar(sb, (byte)v); break;
                    default: sb.Append("0x").Append(v.ToString("x" + digits)); break;
                }
            }
            sb.Append('\n');
            address += (ulong)l;
            len -= l;
        }
        return sb.ToString();
    }

    static byte[] Read(Machine machine, ulong address, int length, bool physical)
    {
        if (!physical) return GuestMemoryAccess.Read(machine, address, length);
        if (address + (ulong)length > PhysicalLimit || address + (ulong)length < address) return [];
        var buf = new byte[length];
        machine.Memory.Read(address, buf);
        return buf;
    }

    /// <summary>QEMU's monitor_printc: a quoted character, with C escapes for the awkward ones.</summary>
    static void AppendChar(StringBuilder sb, byte c)
    {
        sb.Append('\'');
        switch (c)
        {
            case (byte)'\'': sb.Append("\\'"); break;
            case (byte)'\\': sb.Append("\\\\"); break;
            case (byte)'\n': sb.Append("\\n"); break;
            case (byte)'\r': sb.Append("\\r"); break;
            default:
                if (c >= 32 && c <= 126) sb.Append((char)c);
                else sb.Append($"\\x{c:x2}");
                break;
        }
        sb.Append('\'');
    }
}

/// <summary>A monitor command failed: the message is its one-line reply.</summary>
internal sealed class MonitorError(string message) : Exception(message);
