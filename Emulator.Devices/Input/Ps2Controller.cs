using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Memory;
using Emulator.Core.State;

namespace Emulator.Devices.Input;

/// <summary>
/// The Intel 8042 keyboard controller of the PC/AT and PS/2 (UPI-42 running IBM's keyboard
/// controller firmware; IBM PS/2 Hardware Interface Technical Reference, "Keyboard/Auxiliary
/// Device Controller"): port 0x60 data, port 0x64 status (read) and command (write), the
/// keyboard on its first PS/2 port (IRQ 1) and the mouse on the auxiliary port (IRQ 12), the
/// A20 gate and the CPU reset line on its output port.
/// </summary>
/// <remarks>
/// <para>Data path: each device queues its bytes (<see cref="IPs2Device"/>); the controller
/// moves one byte at a time into its output buffer while the buffer is empty and that device's
/// clock is enabled (command byte bits 4 and 5), keyboard before mouse, translating keyboard
/// bytes from set 2 to set 1 when command byte bit 6 is set. When the guest reads port 0x60
/// the next byte moves in at once (as in QEMU), and the interrupt line drops and rises again,
/// so each byte is a new edge for the interrupt controller. IRQ 1 is high while the output
/// buffer holds keyboard (or controller) data and command byte bit 0 is set; IRQ 12 while it
/// holds mouse data and bit 1 is set.</para>
/// <para>Replies to controller commands (0x20, 0xAA, 0xD0 ...) and bytes written with
/// 0xD2/0xD3 wait in a small queue and go into the output buffer ahead of device data.</para>
/// <para>Known limits: the input buffer is consumed at once, so IBF (status bit 1) is never
/// set; no transmission errors happen, so the timeout and parity bits (6, 7) stay clear; there
/// is no keylock switch (status bit 4 and input port bit 7 read "not inhibited"). A byte takes
/// no time on the wire: software that reads port 0x60 twice for one byte, relying on the ~1 ms
/// a real PS/2 byte takes, gets the next byte the second time. Commands
/// 0xA1 (version), 0xA5/0xA6 (password), 0xAC (diagnostic dump) and 0xC1/0xC2 (poll input
/// port) are absent and ignored, as are other undefined commands.</para>
/// </remarks>
public sealed class Ps2Controller : IIoDevice, ISaveable
{
    public const ushort DataPort = 0x60;
    public const ushort StatusPort = 0x64;

    /// <summary>Status register (port 0x64 read).</summary>
    public const byte StatusOutputFull = 0x01, StatusInputFull = 0x02, StatusSystemFlag = 0x04,
        StatusCommand = 0x08, StatusNotInhibited = 0x10, StatusAuxOutputFull = 0x20,
        StatusTimeout = 0x40, StatusParityError = 0x80;

    /// <summary>Controller command byte (internal RAM byte 0; read with 0x20, written with 0x60).</summary>
    public const byte ConfigKeyboardInterrupt = 0x01, ConfigMouseInterrupt = 0x02, ConfigSystemFlag = 0x04,
        ConfigIgnoreKeylock = 0x08, ConfigKeyboardDisabled = 0x10, ConfigMouseDisabled = 0x20,
        ConfigTranslate = 0x40;

    /// <summary>Output port (read with 0xD0, written with 0xD1).</summary>
    public const byte OutputReset = 0x01, OutputA20 = 0x02, OutputKeyboardIrq = 0x10, OutputMouseIrq = 0x20;

    /// <summary>Input port as command 0xC0 reads it: bit 7 keyboard not inhibited.</summary>
    public const byte InputPortValue = 0x80;

    const byte PowerOnCommandByte = ConfigKeyboardInterrupt | ConfigMouseInterrupt;
    const byte PowerOnOutputPort = 0xCF;    // reset high, A20 on, unused bits high

    readonly Ps2Keyboard keyboard;
    readonly Ps2Mouse mouse;
    readonly IrqLine keyboardIrq;
    readonly IrqLine mouseIrq;
    readonly Action<bool> setA20;
    readonly Action requestReset;
    readonly byte[] ram = new byte[32];          // ram[0] is the command byte
    readonly Ps2Queue controllerBytes = new(8);  // controller replies and 0xD2/0xD3 bytes
    readonly Ps2Queue controllerAux = new(8);    // parallel: 1 when the byte goes out as mouse data

    byte status;            // only StatusSystemFlag and StatusCommand are kept here
    bool outputFull;
    bool outputAux;
    byte output;
    byte outputPort;
    byte pendingCommand;    // 0x60-0x7F, 0xD1-0xD4 while waiting for the data byte
    bool translateBreak;    // an F0 from the keyboard is waiting for the code it prefixes
    bool refilling;         // a device's ReadOutput may queue more output and call back

    /// <summary>
    /// Wires the controller. <paramref name="setA20"/> drives the A20 gate (normally
    /// <c>a =&gt; machine.Memory.A20Enabled = a</c>), <paramref name="requestReset"/> pulses the
    /// CPU reset line (normally <c>machine.RequestReset</c>).
    /// </summary>
    public Ps2Controller(Ps2Keyboard keyboard, Ps2Mouse mouse, IrqLine keyboardIrq, IrqLine mouseIrq,
        Action<bool> setA20, Action requestReset)
    {
        this.keyboard = keyboard;
        this.mouse = mouse;
        this.keyboardIrq = keyboardIrq;
        this.mouseIrq = mouseIrq;
        this.setA20 = setA20;
        this.requestReset = requestReset;
        keyboard.OutputReady = Refill;
        mouse.OutputReady = Refill;
        PowerOn();
    }

    /// <summary>Wires the controller with the A20 gate of <paramref name="memory"/>.</summary>
    public Ps2Controller(Ps2Keyboard keyboard, Ps2Mouse mouse, IrqLine keyboardIrq, IrqLine mouseIrq,
        PhysicalMemory memory, Action requestReset)
        : this(keyboard, mouse, keyboardIrq, mouseIrq, a => memory.A20Enabled = a, requestReset)
    {
    }

    public byte CommandByte => ram[0];
    public byte OutputPort => OutputPortValue();
    public byte Status => StatusValue();

    /// <summary>
    /// Machine reset: the controller's registers only. The keyboard and mouse have their own
    /// <c>Reset</c>; the A20 gate is the machine's (it turns A20 on at reset).
    /// </summary>
    public void Reset() => PowerOn();

    void PowerOn()
    {
        Array.Clear(ram);
        ram[0] = PowerOnCommandByte;
        status = StatusCommand;
        outputFull = false;
        outputAux = false;
        output = 0;
        outputPort = PowerOnOutputPort;
        pendingCommand = 0;
        translateBreak = false;
        controllerBytes.Clear();
        controllerAux.Clear();
        UpdateIrqs();
    }

    // ---- ports ----

    public uint In(ushort port, int size)
    {
        byte v = (port & 4) == 0 ? ReadData() : StatusValue();
        return size switch { 1 => v, 2 => 0xFF00u | v, _ => 0xFFFF_FF00u | v };
    }

    public void Out(ushort port, int size, uint value)
    {
        if ((port & 4) == 0) WriteData((byte)value);
        else WriteCommand((byte)value);
    }

    byte StatusValue()
    {
        int s = status | StatusNotInhibited;
        if (outputFull) s |= StatusOutputFull;
        if (outputFull && outputAux) s |= StatusAuxOutputFull;
        return (byte)s;
    }

    byte ReadData()
    {
        if (!outputFull) return output;     // the output buffer keeps its last byte
        byte b = output;
        outputFull = false;
        outputAux = false;
        UpdateIrqs();
        Refill();
        return b;
    }

    void WriteData(byte value)
    {
        status &= unchecked((byte)~StatusCommand);
        byte command = pendingCommand;
        pendingCommand = 0;
        switch (command)
        {
            case >= 0x60 and <= 0x7F:
                WriteRam(command & 0x1F, value);
                break;
            case 0xD1:
                WriteOutputPort(value);
                break;
            case 0xD2:
                QueueControllerByte(value, aux: false);
                break;
            case 0xD3:
                QueueControllerByte(value, aux: true);
                break;
            case 0xD4:
                // Sending to a device enables its interface, as on IBM's controller.
                ram[0] &= unchecked((byte)~ConfigMouseDisabled);
                mouse.Write(value);
                Refill();
                break;
            default:
                ram[0] &= unchecked((byte)~ConfigKeyboardDisabled);
                keyboard.Write(value);
                Refill();
                break;
        }
    }

    void WriteCommand(byte command)
    {
        status |= StatusCommand;
        pendingCommand = 0;
        switch (command)
        {
            case >= 0x20 and <= 0x3F:   // read internal RAM (0x20: command byte)
                QueueControllerByte(ram[command & 0x1F], aux: false);
                break;
            case >= 0x60 and <= 0x7F:   // write internal RAM (0x60: command byte)
            case 0xD1:                  // write output port
            case 0xD2:                  // write keyboard output buffer
            case 0xD3:                  // write mouse output buffer
            case 0xD4:                  // write to mouse
                pendingCommand = command;
                break;
            case 0xA4:                  // test password installed: no
                QueueControllerByte(0xF1, aux: false);
                break;
            case 0xA7:
                SetCommandByte((byte)(ram[0] | ConfigMouseDisabled));
                break;
            case 0xA8:
                SetCommandByte((byte)(ram[0] & ~ConfigMouseDisabled));
                break;
            case 0xA9:                  // mouse interface test: no error
            case 0xAB:                  // keyboard interface test: no error
                QueueControllerByte(0x00, aux: false);
                break;
            case 0xAA:                  // self-test: passed; sets the system flag
                status |= StatusSystemFlag;
                ram[0] |= ConfigSystemFlag;
                QueueControllerByte(0x55, aux: false);
                break;
            case 0xAD:
                SetCommandByte((byte)(ram[0] | ConfigKeyboardDisabled));
                break;
            case 0xAE:
                SetCommandByte((byte)(ram[0] & ~ConfigKeyboardDisabled));
                break;
            case 0xC0:
                QueueControllerByte(InputPortValue, aux: false);
                break;
            case 0xD0:
                QueueControllerByte(OutputPortValue(), aux: false);
                break;
            case 0xDD:                  // A20 off (HP Vectra command, kept by later controllers)
                WriteOutputPort((byte)(outputPort & ~OutputA20));
                break;
            case 0xDF:                  // A20 on
                WriteOutputPort((byte)(outputPort | OutputA20));
                break;
            case 0xE0:                  // read test inputs: clock and data lines low
                QueueControllerByte(0x00, aux: false);
                break;
            case >= 0xF0:               // pulse output port bits 0-3 low for 6 us; bit 0 is reset
                if ((command & 1) == 0) requestReset();
                break;
            case 0xA5 or 0xA6 or 0xC1 or 0xC2 or 0xC3:
                // Load/enable password and the input port polls exist on some 8042s but not here.
                GuestLog?.Unimplemented("i8042", $"controller command 0x{command:x2} not implemented, ignored");
                break;
            default:
                GuestLog?.Error("i8042", $"unknown controller command 0x{command:x2}, ignored");
                break;
        }
    }

    /// <summary>Where unknown commands are reported (<c>-d guest_errors</c>, <c>-d unimp</c>); null when off.</summary>
    public Emulator.Core.Diagnostics.GuestLog? GuestLog { get; set; }

    void WriteRam(int index, byte value)
    {
        if (index == 0) SetCommandByte(value);
        else ram[index] = value;
    }

    void SetCommandByte(byte value)
    {
        ram[0] = value;
        status = (byte)((status & ~StatusSystemFlag) | (value & ConfigSystemFlag));
        if ((value & ConfigTranslate) == 0) translateBreak = false;
        UpdateIrqs();
        Refill();
    }

    void WriteOutputPort(byte value)
    {
        bool a20Changed = ((value ^ outputPort) & OutputA20) != 0;
        outputPort = value;
        if (a20Changed) setA20((value & OutputA20) != 0);
        if ((value & OutputReset) == 0) requestReset();
    }

    byte OutputPortValue()
    {
        int v = outputPort & ~(OutputKeyboardIrq | OutputMouseIrq);
        if (keyboardIrq.Level) v |= OutputKeyboardIrq;
        if (mouseIrq.Level) v |= OutputMouseIrq;
        return (byte)v;
    }

    // ---- the output buffer ----

    void QueueControllerByte(byte value, bool aux)
    {
        if (controllerBytes.Free == 0) return;
        controllerBytes.Enqueue(value);
        controllerAux.Enqueue(aux ? (byte)1 : (byte)0);
        Refill();
    }

    /// <summary>Moves the next waiting byte into the output buffer if it is empty.</summary>
    void Refill()
    {
        if (outputFull || refilling) return;
        refilling = true;
        try { MoveNextByte(); }
        finally { refilling = false; }
    }

    void MoveNextByte()
    {
        if (controllerBytes.Count > 0)
        {
            byte b = controllerBytes.Dequeue();
            Fill(b, controllerAux.Dequeue() != 0);
            return;
        }
        while (KeyboardReady)
        {
            byte b = keyboard.ReadOutput();
            if ((ram[0] & ConfigTranslate) == 0)
            {
                Fill(b, aux: false);
                return;
            }
            if (b == 0xF0)
            {
                translateBreak = true;  // the break prefix merges into the next code
                continue;
            }
            b = ScanCodes.Translate(b);
            if (translateBreak) b |= 0x80;
            translateBreak = false;
            Fill(b, aux: false);
            return;
        }
        if (MouseReady) Fill(mouse.ReadOutput(), aux: true);
    }

    bool KeyboardReady => (ram[0] & ConfigKeyboardDisabled) == 0 && keyboard.HasOutput;
    bool MouseReady => (ram[0] & ConfigMouseDisabled) == 0 && mouse.HasOutput;

    void Fill(byte b, bool aux)
    {
        output = b;
        outputFull = true;
        outputAux = aux;
        UpdateIrqs();
    }

    void UpdateIrqs()
    {
        keyboardIrq.Set(outputFull && !outputAux && (ram[0] & ConfigKeyboardInterrupt) != 0);
        mouseIrq.Set(outputFull && outputAux && (ram[0] & ConfigMouseInterrupt) != 0);
    }

    // ---- save/restore ----

    public string SnapshotName => "i8042";
    public int SnapshotVersion => 1;

    public void SaveState(BinaryWriter w)
    {
        w.Write(ram);
        w.Write(status);
        w.Write(outputFull);
        w.Write(outputAux);
        w.Write(output);
        w.Write(outputPort);
        w.Write(pendingCommand);
        w.Write(translateBreak);
        controllerBytes.Save(w);
        controllerAux.Save(w);
    }

    /// <summary>Restores the registers and re-drives the IRQ lines; the A20 gate is the memory's state.</summary>
    public void LoadState(BinaryReader r, int version)
    {
        r.Read(ram);
        status = (byte)(r.ReadByte() & (StatusSystemFlag | StatusCommand));
        outputFull = r.ReadBoolean();
        outputAux = r.ReadBoolean();
        output = r.ReadByte();
        outputPort = r.ReadByte();
        pendingCommand = r.ReadByte();
        translateBreak = r.ReadBoolean();
        controllerBytes.Load(r);
        controllerAux.Load(r);
        UpdateIrqs();
    }
}
