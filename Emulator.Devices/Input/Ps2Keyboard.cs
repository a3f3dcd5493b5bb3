using Emulator.Core.State;
using Emulator.Core.Time;

namespace Emulator.Devices.Input;

/// <summary>
/// An IBM PS/2 (MF2) keyboard on the 8042's keyboard port: the host commands of the IBM
/// PS/2 Technical Reference (Keyboards, 101/102-key), scan code sets 1 and 2, LEDs and
/// typematic repeat in virtual time. It sends untranslated codes of its own set; the 8042
/// translates set 2 to set 1 when its command byte asks (<see cref="Ps2Controller"/>).
/// </summary>
/// <remarks>
/// <para>Key input: the frontend calls <see cref="KeyDown"/> once when a key goes down and
/// <see cref="KeyUp"/> when it comes up, on the machine thread. The keyboard repeats the
/// last key held by itself (typematic, at the rate and delay set by command F3, in virtual
/// time); a <see cref="KeyDown"/> for a key already down is ignored, so host auto-repeat
/// passed through by mistake does not double the repeat.</para>
/// <para>Output: command replies go ahead of key codes; key codes wait in a 16-byte buffer.
/// A sequence that does not fit is discarded and the overrun code (00 in set 2, FF in set 1)
/// takes its place, so the host never sees half a sequence.</para>
/// <para>Known limits: scan code set 3 (and its per-key commands F7-FD) is absent: F0 03 is
/// answered with Resend and the set stays. The "fake shift" codes (E0 AA / E0 2A) real
/// keyboards wrap around the gray navigation keys and keypad '/' when Shift or Num Lock is
/// active are not sent (Linux and Windows discard them); Print Screen and Pause do send their
/// modifier-dependent sequences. Multimedia/ACPI Sleep and Wake keys are absent.</para>
/// </remarks>
public sealed class Ps2Keyboard : IPs2Device, ISaveable
{
    /// <summary>Where unknown commands are reported (<c>-d guest_errors</c>, <c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    public const byte Ack = 0xFA;
    public const byte Resend = 0xFE;
    public const byte SelfTestPassed = 0xAA;
    public const byte Echo = 0xEE;
    public const byte DefaultTypematic = 0x2B;   // 10.9 characters/s after 500 ms

    /// <summary>LED bits of command ED.</summary>
    public const byte LedScrollLock = 0x01, LedNumLock = 0x02, LedCapsLock = 0x04;

    const int KeyBufferSize = 16;
    /// <summary>The typematic base period, 1/240 s: period = (8 + A) * 2^B * 4.17 ms.</summary>
    const long TypematicUnitNs = 4_166_667;

    readonly VirtualClock clock;
    readonly TimerEvent typematicEvent;
    readonly Ps2Queue replies = new(8);
    readonly Ps2Queue keys = new(KeyBufferSize + 1);   // one spare slot for the overrun code
    readonly ulong[] held = new ulong[4];               // keys down, by Key value

    int scanCodeSet;
    bool scanning;
    byte leds;
    byte typematic;
    byte pendingCommand;     // ED, F0 or F3 while waiting for its parameter
    byte lastSent;
    Key repeatKey;

    public Ps2Keyboard(VirtualClock clock)
    {
        this.clock = clock;
        typematicEvent = new TimerEvent("ps2kbd.typematic", Repeat);
        PowerOn();
    }

    public Action? OutputReady { get; set; }

    /// <summary>Raised with the new LED bits (<see cref="LedScrollLock"/> etc.) when the host sets them.</summary>
    public event Action<byte>? LedsChanged;

    /// <summary>The LED bits last set by command ED.</summary>
    public byte Leds => leds;
    public bool ScrollLockLed => (leds & LedScrollLock) != 0;
    public bool NumLockLed => (leds & LedNumLock) != 0;
    public bool CapsLockLed => (leds & LedCapsLock) != 0;

    /// <summary>The scan code set the keyboard sends (1 or 2).</summary>
    public int ScanCodeSet => scanCodeSet;

    /// <summary>False after F5 (disable): key presses are not reported.</summary>
    public bool ScanningEnabled => scanning;

    /// <summary>The typematic byte of command F3 (bits 0-4 rate, bits 5-6 delay).</summary>
    public byte Typematic => typematic;

    /// <summary>The delay before a held key repeats: (1 + D) * 250 ms, D = bits 5-6.</summary>
    public long TypematicDelayNs => (1 + ((typematic >> 5) & 3)) * 250_000_000L;

    /// <summary>The repeat period: (8 + A) * 2^B * 4.17 ms, A = bits 0-2, B = bits 3-4.</summary>
    public long TypematicPeriodNs => (8 + (typematic & 7)) * (1L << ((typematic >> 3) & 3)) * TypematicUnitNs;

    /// <summary>Power-on / machine reset: defaults, scanning on, buffers empty, no keys down.</summary>
    public void Reset() => PowerOn();

    void PowerOn()
    {
        SetDefaults();
        scanning = true;
        leds = 0;
        pendingCommand = 0;
        lastSent = 0;
        replies.Clear();
        Array.Clear(held);
    }

    void SetDefaults()
    {
        scanCodeSet = 2;
        typematic = DefaultTypematic;
        keys.Clear();
        StopRepeat();
    }

    // ---- the PS/2 line ----

    /// <summary>
    /// Replies go first. Key codes wait while a command's parameter is outstanding: after
    /// acknowledging ED, F0 or F3 the keyboard stops scanning until the parameter arrives (IBM
    /// PS/2 Technical Reference, Keyboards, "Set/Reset Status Indicators"), so a BIOS that sends
    /// ED and then its LED byte reads both acknowledgements without a key code between them.
    /// </summary>
    /// <summary>
    /// Bytes of key codes that still fit in the 16-byte buffer. A host input queue waits for room
    /// before it presses the next key, as a typist's pace does (see the frontend's InputQueue).
    /// </summary>
    public int KeyBufferFree => Math.Max(0, KeyBufferSize - keys.Count);

    public bool HasOutput => replies.Count > 0 || (keys.Count > 0 && pendingCommand == 0);

    public byte ReadOutput()
    {
        byte b = replies.Count > 0 ? replies.Dequeue() : keys.Count > 0 && pendingCommand == 0 ? keys.Dequeue() : lastSent;
        lastSent = b;
        return b;
    }

    public void Write(byte value)
    {
        // A byte with bit 7 set while a parameter is expected is a new command (all
        // parameters of ED, F0 and F3 are below 0x80).
        if (pendingCommand != 0 && value < 0x80)
        {
            Parameter(value);
            return;
        }
        pendingCommand = 0;
        switch (value)
        {
            case 0xED:  // set LEDs
            case 0xF0:  // get/set scan code set
            case 0xF3:  // set typematic rate/delay
                pendingCommand = value;
                Reply(Ack);
                break;
            case 0xEE:
                Reply(Echo);
                break;
            case 0xF2:  // identify: MF2 keyboard
                Reply(Ack);
                Reply(0xAB);
                Reply(0x83);
                break;
            case 0xF4:  // enable: clear the buffer, start scanning
                keys.Clear();
                StopRepeat();
                scanning = true;
                Reply(Ack);
                break;
            case 0xF5:  // default and disable
                SetDefaults();
                scanning = false;
                Reply(Ack);
                break;
            case 0xF6:  // set default
                SetDefaults();
                scanning = true;
                Reply(Ack);
                break;
            case 0xFE:  // resend the last byte sent
                Reply(lastSent);
                break;
            case 0xFF:  // reset: defaults, basic assurance test passes
                SetDefaults();
                scanning = true;
                SetLeds(0);
                Reply(Ack);
                Reply(SelfTestPassed);
                break;
            default:    // set 3 commands F7-FD and anything unknown
                if (value is >= 0xF7 and <= 0xFD) GuestLog?.Unimplemented("keyboard", $"scan code set 3 command 0x{value:x2} not implemented, answered RESEND");
                else GuestLog?.Error("keyboard", $"unknown command 0x{value:x2}, answered RESEND");
                Reply(Resend);
                break;
        }
    }

    void Parameter(byte value)
    {
        byte command = pendingCommand;
        pendingCommand = 0;
        switch (command)
        {
            case 0xED:
                SetLeds((byte)(value & 7));
                Reply(Ack);
                break;
            case 0xF3:
                typematic = (byte)(value & 0x7F);
                Reply(Ack);
                break;
            case 0xF0:
                if (value == 0)
                {
                    Reply(Ack);
                    Reply((byte)scanCodeSet);
                }
                else if (value is 1 or 2)
                {
                    scanCodeSet = value;
                    keys.Clear();
                    Reply(Ack);
                }
                else
                {
                    // Set 3 is not implemented; other values are invalid.
                    if (value == 3) GuestLog?.Unimplemented("keyboard", "scan code set 3 not implemented, answered RESEND");
                    else GuestLog?.Error("keyboard", $"invalid scan code set 0x{value:x2}, answered RESEND");
                    Reply(Resend);
                }
                break;
        }
    }

    void SetLeds(byte value)
    {
        if (value == leds) return;
        leds = value;
        LedsChanged?.Invoke(value);
    }

    void Reply(byte b)
    {
        replies.Enqueue(b);
        OutputReady?.Invoke();
    }

    // ---- keys ----

    bool IsHeld(Key k) => (held[(int)k >> 6] & (1UL << ((int)k & 63))) != 0;

    void SetHeld(Key k, bool down)
    {
        if (down) held[(int)k >> 6] |= 1UL << ((int)k & 63);
        else held[(int)k >> 6] &= ~(1UL << ((int)k & 63));
    }

    bool Ctrl => IsHeld(Key.LeftControl) || IsHeld(Key.RightControl);
    bool Shift => IsHeld(Key.LeftShift) || IsHeld(Key.RightShift);
    bool Alt => IsHeld(Key.LeftAlt) || IsHeld(Key.RightAlt);

    /// <summary>A key went down (the frontend calls this once per press).</summary>
    public void KeyDown(Key key)
    {
        if (!ScanCodes.IsDefined(key) || IsHeld(key)) return;
        SetHeld(key, true);
        if (!scanning) return;
        Span<byte> seq = stackalloc byte[8];
        Send(seq[..Make(key, seq)]);
        if (key == Key.Pause || key == Key.Hangul || key == Key.Hanja)
        {
            StopRepeat();
            return;
        }
        repeatKey = key;
        clock.Schedule(typematicEvent, clock.Now + TypematicDelayNs);
    }

    /// <summary>A key came up.</summary>
    public void KeyUp(Key key)
    {
        if (!ScanCodes.IsDefined(key) || !IsHeld(key)) return;
        SetHeld(key, false);
        if (key == repeatKey) StopRepeat();
        if (!scanning) return;
        Span<byte> seq = stackalloc byte[8];
        Send(seq[..Break(key, seq)]);
    }

    /// <summary>True while <paramref name="key"/> is down.</summary>
    public bool IsDown(Key key) => (uint)key < 256 && IsHeld(key);

    int Make(Key key, Span<byte> s)
    {
        bool set1 = scanCodeSet == 1;
        switch (key)
        {
            case Key.Pause when Ctrl:   // Break: E0 7E E0 F0 7E / E0 46 E0 C6
                return set1 ? Put(s, 0xE0, 0x46, 0xE0, 0xC6) : Put(s, 0xE0, 0x7E, 0xE0, 0xF0, 0x7E);
            case Key.Pause:             // E1 14 77 E1 F0 14 F0 77 / E1 1D 45 E1 9D C5, no break
                return set1 ? Put(s, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5)
                            : Put(s, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77);
            case Key.PrintScreen when Alt:  // SysRq
                return set1 ? Put(s, 0x54) : Put(s, 0x84);
            case Key.PrintScreen when Ctrl || Shift:
                return set1 ? Put(s, 0xE0, 0x37) : Put(s, 0xE0, 0x7C);
            case Key.PrintScreen:
                return set1 ? Put(s, 0xE0, 0x2A, 0xE0, 0x37) : Put(s, 0xE0, 0x12, 0xE0, 0x7C);
            default:
                return ScanCodes.Sequence(key, true, scanCodeSet, s);
        }
    }

    int Break(Key key, Span<byte> s)
    {
        bool set1 = scanCodeSet == 1;
        switch (key)
        {
            case Key.Pause:
                return 0;
            case Key.PrintScreen when Alt:
                return set1 ? Put(s, 0xD4) : Put(s, 0xF0, 0x84);
            case Key.PrintScreen when Ctrl || Shift:
                return set1 ? Put(s, 0xE0, 0xB7) : Put(s, 0xE0, 0xF0, 0x7C);
            case Key.PrintScreen:
                return set1 ? Put(s, 0xE0, 0xB7, 0xE0, 0xAA) : Put(s, 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12);
            default:
                return ScanCodes.Sequence(key, false, scanCodeSet, s);
        }
    }

    static int Put(Span<byte> s, params ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(s);
        return bytes.Length;
    }

    void Send(ReadOnlySpan<byte> seq)
    {
        if (seq.Length == 0) return;
        if (keys.Count + seq.Length > KeyBufferSize)
        {
            // Buffer overrun: the sequence is lost and the overrun code is queued once.
            byte overrun = scanCodeSet == 1 ? (byte)0xFF : (byte)0x00;
            if (keys.Count == 0 || keys.Last != overrun) keys.Enqueue(overrun);
        }
        else
        {
            foreach (byte b in seq) keys.Enqueue(b);
        }
        OutputReady?.Invoke();
    }

    void Repeat(long due)
    {
        if (repeatKey == Key.None || !IsHeld(repeatKey) || !scanning) return;
        Span<byte> seq = stackalloc byte[8];
        ReadOnlySpan<byte> make = seq[..Make(repeatKey, seq)];
        // Print Screen repeats its code without the fake shift in front of it.
        if (repeatKey == Key.PrintScreen && make.Length == 4) make = make[2..];
        Send(make);
        clock.Schedule(typematicEvent, due + TypematicPeriodNs);
    }

    void StopRepeat()
    {
        repeatKey = Key.None;
        clock.Cancel(typematicEvent);
    }

    // ---- save/restore ----

    public string SnapshotName => "ps2kbd";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write((byte)scanCodeSet);
        w.Write(scanning);
        w.Write(leds);
        w.Write(typematic);
        w.Write(pendingCommand);
        w.Write(lastSent);
        w.Write((int)repeatKey);
        foreach (ulong h in held) w.Write(h);
        replies.Save(w);
        keys.Save(w);
        w.Write(typematicEvent.Pending);
        w.Write(typematicEvent.Pending ? typematicEvent.Due : 0L);
    }

    public void LoadState(BinaryReader r, int version)
    {
        scanCodeSet = r.ReadByte() == 1 ? 1 : 2;
        scanning = r.ReadBoolean();
        leds = r.ReadByte();
        typematic = r.ReadByte();
        pendingCommand = r.ReadByte();
        lastSent = r.ReadByte();
        repeatKey = (Key)r.ReadInt32();
        if ((uint)repeatKey >= 256) repeatKey = Key.None;
        for (int i = 0; i < held.Length; i++) held[i] = r.ReadUInt64();
        replies.Load(r);
        keys.Load(r);
        bool pending = r.ReadBoolean();
        long due = r.ReadInt64();
        clock.Cancel(typematicEvent);
        if (pending) clock.Schedule(typematicEvent, due);
    }
}
