using Emulator.Core.State;

namespace Emulator.Devices.Input;

/// <summary>Mouse buttons as <see cref="Ps2Mouse.Move"/> takes them.</summary>
[Flags]
public enum MouseButtons : byte
{
    None = 0,
    Left = 0x01,
    Right = 0x02,
    Middle = 0x04,
    /// <summary>Reported only in IntelliMouse Explorer mode (ID 4).</summary>
    Button4 = 0x08,
    /// <summary>Reported only in IntelliMouse Explorer mode (ID 4).</summary>
    Button5 = 0x10,
}

/// <summary>
/// A PS/2 mouse on the 8042's auxiliary port (IBM PS/2 Technical Reference, pointing
/// device), with Microsoft's IntelliMouse wheel extension: after the sample rates 200, 100,
/// 80 its ID becomes 3 and packets carry a fourth byte with the wheel (Z) movement; after
/// 200, 200, 80 in that mode it becomes an IntelliMouse Explorer (ID 4: Z in bits 0-3 and
/// buttons 4 and 5 in bits 4-5 of the fourth byte).
/// </summary>
/// <remarks>
/// <para>Input: the frontend calls <see cref="Move"/> on the machine thread with relative
/// movement and the buttons now down. dx is positive to the right, dy positive downwards (screen
/// direction; the packet carries PS/2's upward Y), dz positive when the wheel turns towards the
/// user (the packet's positive Z, "scroll down").</para>
/// <para>Packets: byte 0 holds the buttons (bit 0 left, 1 right, 2 middle), bit 3 always 1,
/// the X and Y sign bits (4, 5) and overflow bits (6, 7); bytes 1 and 2 hold the low 8 bits of
/// the 9-bit X and Y counts. A count beyond -256..255 sets its overflow bit and is sent
/// saturated, and the counters start from zero again, as on a real mouse. In stream mode with
/// reporting on, a packet is queued at once for each <see cref="Move"/>; when the host has not
/// taken the earlier packets, movement accumulates and goes out in one packet when there is
/// room. In remote mode movement accumulates until Read Data (EB). Scaling 2:1 applies to
/// stream-mode packets.</para>
/// <para>Known limits: the sample rate is stored and reported but does not pace packets (they
/// follow the host's events); the resolution is stored and reported but does not scale the
/// counts (the frontend's deltas are taken as counts).</para>
/// </remarks>
public sealed class Ps2Mouse : IPs2Device, ISaveable
{
    public const byte Ack = 0xFA;
    public const byte Resend = 0xFE;
    public const byte SelfTestPassed = 0xAA;

    static readonly byte[] ValidRates = [10, 20, 40, 60, 80, 100, 200];

    readonly Ps2Queue replies = new(16);
    readonly Ps2Queue packets = new(16);
    readonly byte[] rateHistory = new byte[3];

    byte id;
    bool remote;
    bool reporting;
    bool scaling21;
    bool wrap;
    byte resolution;
    byte sampleRate;
    byte pendingCommand;    // E8 or F3 while waiting for its parameter
    byte lastSent;
    int dx, dy, dz;         // movement counters (dy in PS/2 direction: up is positive)
    byte buttons;
    bool dirty;             // counters or buttons changed since the last packet

    public Ps2Mouse() => PowerOn();

    public Action? OutputReady { get; set; }

    /// <summary>The device ID: 0 standard, 3 IntelliMouse (wheel), 4 IntelliMouse Explorer.</summary>
    public byte Id => id;
    public bool ReportingEnabled => reporting;
    public bool RemoteMode => remote;
    public byte SampleRate => sampleRate;
    public byte Resolution => resolution;
    public bool Scaling2To1 => scaling21;
    public bool WrapMode => wrap;

    int PacketSize => id == 0 ? 3 : 4;

    /// <summary>Power-on / machine reset.</summary>
    public void Reset() => PowerOn();

    void PowerOn()
    {
        SetDefaults();
        id = 0;
        wrap = false;
        pendingCommand = 0;
        lastSent = 0;
        buttons = 0;
        replies.Clear();
        Array.Clear(rateHistory);
    }

    void SetDefaults()
    {
        sampleRate = 100;
        resolution = 2;         // 4 counts/mm
        scaling21 = false;
        remote = false;
        reporting = false;
        ClearCounters();
        packets.Clear();
    }

    void ClearCounters()
    {
        dx = dy = dz = 0;
        dirty = false;
    }

    // ---- the PS/2 line ----

    public bool HasOutput => replies.Count > 0 || packets.Count > 0;

    public byte ReadOutput()
    {
        byte b = replies.Count > 0 ? replies.Dequeue() : packets.Count > 0 ? packets.Dequeue() : lastSent;
        lastSent = b;
        if (packets.Count == 0 && dirty && !remote && reporting) StreamPacket();
        return b;
    }

    public void Write(byte value)
    {
        if (wrap && value != 0xEC && value != 0xFF)
        {
            Reply(value);   // wrap (echo) mode
            return;
        }
        if (pendingCommand != 0)
        {
            Parameter(value);
            return;
        }
        // A command stops the stream: the host expects its acknowledge next.
        packets.Clear();
        if (value != 0xF3) Array.Clear(rateHistory);
        switch (value)
        {
            case 0xE6: scaling21 = false; Reply(Ack); break;
            case 0xE7: scaling21 = true; Reply(Ack); break;
            case 0xE8:
            case 0xF3:
                pendingCommand = value;
                Reply(Ack);
                break;
            case 0xE9:  // status request
                Reply(Ack);
                Reply(StatusByte());
                Reply(resolution);
                Reply(sampleRate);
                break;
            case 0xEA: remote = false; ClearCounters(); Reply(Ack); break;
            case 0xEB:  // read data
                Reply(Ack);
                Span<byte> p = stackalloc byte[4];
                foreach (byte b in BuildPacket(p, scale: false)) Reply(b);
                break;
            case 0xEC: wrap = false; Reply(Ack); break;
            case 0xEE: wrap = true; ClearCounters(); Reply(Ack); break;
            case 0xF0: remote = true; ClearCounters(); Reply(Ack); break;
            case 0xF2:
                Reply(Ack);
                Reply(id);
                break;
            case 0xF4: reporting = true; ClearCounters(); Reply(Ack); break;
            case 0xF5: reporting = false; ClearCounters(); Reply(Ack); break;
            case 0xF6: SetDefaults(); Reply(Ack); break;
            case 0xFE: Reply(lastSent); break;
            case 0xFF:
                SetDefaults();
                id = 0;
                wrap = false;
                Reply(Ack);
                Reply(SelfTestPassed);
                Reply(id);
                break;
            default:
                Reply(Resend);
                break;
        }
    }

    void Parameter(byte value)
    {
        byte command = pendingCommand;
        pendingCommand = 0;
        if (command == 0xE8)
        {
            if (value > 3) { Reply(Resend); return; }
            resolution = value;
            Reply(Ack);
            return;
        }
        if (Array.IndexOf(ValidRates, value) < 0)
        {
            Reply(Resend);
            return;
        }
        sampleRate = value;
        rateHistory[0] = rateHistory[1];
        rateHistory[1] = rateHistory[2];
        rateHistory[2] = value;
        if (rateHistory is [200, 100, 80] && id == 0) id = 3;
        else if (rateHistory is [200, 200, 80] && id == 3) id = 4;
        Reply(Ack);
    }

    byte StatusByte()
    {
        // Bit 0 right, 1 middle, 2 left (not the packet's order), 4 scaling 2:1, 5 enabled, 6 remote.
        int s = ((buttons & 2) != 0 ? 1 : 0) | ((buttons & 4) != 0 ? 2 : 0) | ((buttons & 1) != 0 ? 4 : 0);
        if (scaling21) s |= 0x10;
        if (reporting) s |= 0x20;
        if (remote) s |= 0x40;
        return (byte)s;
    }

    void Reply(byte b)
    {
        replies.Enqueue(b);
        OutputReady?.Invoke();
    }

    // ---- movement ----

    /// <summary>
    /// Reports movement and the buttons now down: <paramref name="deltaX"/> right,
    /// <paramref name="deltaY"/> down (screen direction), <paramref name="deltaZ"/> wheel
    /// towards the user.
    /// </summary>
    public void Move(int deltaX, int deltaY, int deltaZ, MouseButtons newButtons)
    {
        if (!remote && !reporting)
        {
            buttons = (byte)newButtons;
            return;     // stream mode, reporting disabled: nothing is counted
        }
        dx = Saturate(dx + (long)deltaX);
        dy = Saturate(dy - (long)deltaY);
        dz = Saturate(dz + (long)deltaZ);
        buttons = (byte)newButtons;
        dirty = true;
        if (!remote) StreamPacket();
    }

    static int Saturate(long v) => (int)Math.Clamp(v, -1_000_000, 1_000_000);

    void StreamPacket()
    {
        if (packets.Free < PacketSize) return;     // sent when the host has taken the earlier packets
        Span<byte> p = stackalloc byte[4];
        foreach (byte b in BuildPacket(p, scale: scaling21)) packets.Enqueue(b);
        OutputReady?.Invoke();
    }

    /// <summary>Builds a packet from the counters and resets them (the wheel keeps what did not fit).</summary>
    Span<byte> BuildPacket(Span<byte> p, bool scale)
    {
        int x = scale ? Scale(dx) : dx, y = scale ? Scale(dy) : dy;
        int b0 = 0x08 | (buttons & 7);
        if (x < 0) b0 |= 0x10;
        if (y < 0) b0 |= 0x20;
        if (x is > 255 or < -256) { b0 |= 0x40; x = x > 0 ? 255 : -256; }
        if (y is > 255 or < -256) { b0 |= 0x80; y = y > 0 ? 255 : -256; }
        p[0] = (byte)b0;
        p[1] = (byte)x;
        p[2] = (byte)y;
        int z = 0;
        if (id == 3)
        {
            z = Math.Clamp(dz, -128, 127);
            p[3] = (byte)(sbyte)z;
        }
        else if (id == 4)
        {
            z = Math.Clamp(dz, -8, 7);
            p[3] = (byte)((z & 0x0F) | ((buttons & 0x18) << 1));
        }
        dx = dy = 0;
        dz = id == 0 ? 0 : dz - z;
        dirty = dz != 0;
        return p[..PacketSize];
    }

    /// <summary>2:1 scaling (IBM PS/2 pointing device): 0 1 2 3 4 5 → 0 1 1 3 6 9, beyond 5 doubled.</summary>
    static int Scale(int v)
    {
        int a = Math.Abs(v);
        int s = a switch { 0 => 0, 1 => 1, 2 => 1, 3 => 3, 4 => 6, 5 => 9, _ => 2 * a };
        return v < 0 ? -s : s;
    }

    // ---- save/restore ----

    public string SnapshotName => "ps2mouse";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(id);
        w.Write(remote);
        w.Write(reporting);
        w.Write(scaling21);
        w.Write(wrap);
        w.Write(resolution);
        w.Write(sampleRate);
        w.Write(pendingCommand);
        w.Write(lastSent);
        w.Write(dx);
        w.Write(dy);
        w.Write(dz);
        w.Write(buttons);
        w.Write(dirty);
        w.Write(rateHistory);
        replies.Save(w);
        packets.Save(w);
    }

    public void LoadState(BinaryReader r, int version)
    {
        id = r.ReadByte() switch { 3 => 3, 4 => 4, _ => 0 };
        remote = r.ReadBoolean();
        reporting = r.ReadBoolean();
        scaling21 = r.ReadBoolean();
        wrap = r.ReadBoolean();
        resolution = r.ReadByte();
        sampleRate = r.ReadByte();
        pendingCommand = r.ReadByte();
        lastSent = r.ReadByte();
        dx = r.ReadInt32();
        dy = r.ReadInt32();
        dz = r.ReadInt32();
        buttons = r.ReadByte();
        dirty = r.ReadBoolean();
        r.Read(rateHistory);
        replies.Load(r);
        packets.Load(r);
    }
}
