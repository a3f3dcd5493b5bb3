namespace Emulator.Frontend.Debugging;

/// <summary>What the parser found in the byte stream from GDB.</summary>
internal enum GdbInputKind
{
    /// <summary>A packet with a correct checksum: acknowledge with '+' and handle it.</summary>
    Packet,
    /// <summary>A packet whose checksum was wrong (or that was cut by a new '$'): answer '-' so GDB resends it.</summary>
    BadChecksum,
    /// <summary>A packet longer than the limit: consumed and dropped, answered with an error.</summary>
    TooLong,
    /// <summary>The interrupt byte 0x03 (Ctrl-C) outside a packet.</summary>
    Interrupt,
    /// <summary>'+': GDB acknowledged our last packet.</summary>
    Ack,
    /// <summary>'-': GDB asks for our last packet again.</summary>
    Nack,
}

/// <summary>One item of GDB input; <paramref name="Data"/> is the unescaped packet body for <see cref="GdbInputKind.Packet"/>.</summary>
internal readonly record struct GdbInput(GdbInputKind Kind, byte[]? Data = null);

/// <summary>
/// Splits the remote serial protocol byte stream into packets (GDB manual, "Overview" of the
/// Remote Protocol): <c>$body#cc</c> where cc is the two-digit hex modulo-256 sum of the body
/// bytes as sent; inside the body <c>}</c> escapes the next byte (XOR 0x20). Bytes outside a
/// packet other than '+', '-' and 0x03 are ignored, so line noise and garbage cannot wedge the
/// stream. A body longer than <see cref="MaxPacket"/> is consumed up to its '#' and reported
/// as <see cref="GdbInputKind.TooLong"/> without being kept.
/// </summary>
internal sealed class GdbPacketParser
{
    /// <summary>Largest packet body accepted (twice the PacketSize we advertise, for hex-encoded writes).</summary>
    public const int MaxPacket = 0x8000;

    enum State { Idle, Body, Escape, Check1, Check2 }

    State state;
    readonly List<byte> body = new();
    byte sum;
    bool tooLong;
    int check;

    /// <summary>Feeds <paramref name="data"/>, appending what it completes to <paramref name="output"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data, List<GdbInput> output)
    {
        foreach (byte b in data)
        {
            switch (state)
            {
                case State.Idle:
                    if (b == (byte)'$') Begin();
                    else if (b == 0x03) output.Add(new GdbInput(GdbInputKind.Interrupt));
                    else if (b == (byte)'+') output.Add(new GdbInput(GdbInputKind.Ack));
                    else if (b == (byte)'-') output.Add(new GdbInput(GdbInputKind.Nack));
                    break;
                case State.Body:
                case State.Escape:
                    if (b == (byte)'$')
                    {
                        // A new packet began before this one ended: GDB gave up on it.
                        output.Add(new GdbInput(GdbInputKind.BadChecksum));
                        Begin();
                        break;
                    }
                    if (b == (byte)'#' && state == State.Body) { state = State.Check1; break; }
                    sum += b;
                    if (state == State.Body && b == (byte)'}') { state = State.Escape; break; }
                    Append(state == State.Escape ? (byte)(b ^ 0x20) : b);
                    state = State.Body;
                    break;
                case State.Check1:
                    check = Hex(b) << 4;
                    state = State.Check2;
                    if (check < 0) { output.Add(new GdbInput(GdbInputKind.BadChecksum)); state = State.Idle; }
                    break;
                case State.Check2:
                    int low = Hex(b);
                    state = State.Idle;
                    if (low < 0 || (check | low) != sum) output.Add(new GdbInput(GdbInputKind.BadChecksum));
                    else if (tooLong) output.Add(new GdbInput(GdbInputKind.TooLong));
                    else output.Add(new GdbInput(GdbInputKind.Packet, body.ToArray()));
                    body.Clear();
                    break;
            }
        }
    }

    void Begin()
    {
        state = State.Body;
        body.Clear();
        sum = 0;
        tooLong = false;
    }

    void Append(byte b)
    {
        if (body.Count >= MaxPacket) { tooLong = true; return; }
        body.Add(b);
    }

    static int Hex(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1000,
    };

    /// <summary>Frames <paramref name="body"/> as <c>$body#cc</c>, escaping '$', '#', '}' and '*'.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> body)
    {
        var packet = new List<byte>(body.Length + 4) { (byte)'$' };
        byte sum = 0;
        foreach (byte b in body)
        {
            if (b is (byte)'$' or (byte)'#' or (byte)'}' or (byte)'*')
            {
                packet.Add((byte)'}');
                packet.Add((byte)(b ^ 0x20));
                sum += (byte)'}';
                sum += (byte)(b ^ 0x20);
            }
            else
            {
                packet.Add(b);
                sum += b;
            }
        }
        packet.Add((byte)'#');
        packet.Add((byte)"0123456789abcdef"[sum >> 4]);
        packet.Add((byte)"0123456789abcdef"[sum & 15]);
        return packet.ToArray();
    }
}
