using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// A PcBoard with every device a guest can keep busy (COM1 with scripted input, a 1.44 MB floppy,
/// an IDE disk and a CD-ROM, each a byte pattern), a real-mode guest program at 0:1000 and no
/// BIOS (a page of HLTs: the program sets up the PICs and its vectors itself). The media and the
/// serial input are copied, so a second rig built from the first one's state at a save point has
/// what the first one had then.
/// </summary>
internal sealed class MidOperationRig
{
    public const ulong CodeAddress = 0x1000;
    /// <summary>Where the programs keep their counters (interrupts taken, bytes moved), compared with all of RAM.</summary>
    public const int Counters = 0x600;
    const ulong HandlerBase = 0x3000;

    public PcBoard Board { get; }
    public Machine Machine => Board.Machine;
    public ScriptedSerial Serial { get; }
    public MemoryImage Floppy { get; }
    public MemoryImage Disk { get; }
    public MemoryImage Cd { get; }

    MidOperationRig(byte[] floppy, byte[] disk, byte[] cd, ScriptedSerial serial)
    {
        Serial = serial;
        Floppy = new MemoryImage(floppy);
        Disk = new MemoryImage(disk);
        Cd = new MemoryImage(cd, readOnly: true);
        Board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = 16UL << 20 },
            Bios = BoardTestMachine.HaltBios(),
            Serials = [serial],
            IdeDrives = [new IdeDrive(DriveMedia.Disk, Disk), null, new IdeDrive(DriveMedia.CdRom, Cd)],
            Floppies = [Floppy],
            RtcBase = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
        });
        Machine.Reset();
    }

    /// <summary>
    /// A rig with fresh media and <paramref name="program"/> loaded and started; each handler is
    /// assembled at 0:3000 + 100h x its index and its vector pointed at it.
    /// </summary>
    public static MidOperationRig Start(Action<Assembler> program, byte[]? serialInput = null,
        params (int Vector, Action<Assembler> Code)[] handlers)
    {
        var rig = new MidOperationRig(Pattern(1_474_560, 3), Pattern(1 << 20, 5), Pattern(2048 * 64, 11), new ScriptedSerial(serialInput ?? [], 0));
        rig.Load(CodeAddress, program);
        for (int i = 0; i < handlers.Length; i++)
        {
            ulong at = HandlerBase + (ulong)i * 0x100;
            rig.Load(at, handlers[i].Code);
            rig.Machine.Memory.Write((ulong)handlers[i].Vector * 4, BitConverter.GetBytes((uint)at));
        }
        // GDT at 0x500 for unreal mode (null, flat 4 GiB data), GDTR at 0x520.
        rig.Machine.Memory.Write(0x500, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0 });
        rig.Machine.Memory.Write(0x520, new byte[] { 0x0F, 0, 0x00, 0x05, 0, 0 });
        var cpu = rig.Machine.Cpu;
        foreach (var seg in new[] { SegReg.CS, SegReg.SS, SegReg.DS, SegReg.ES }) cpu.SetSegmentReal(seg, 0);
        cpu.SetGpr(Gpr.Rsp, 0x8000);
        cpu.Rip = CodeAddress;
        cpu.Halted = false;
        return rig;
    }

    void Load(ulong address, Action<Assembler> code)
    {
        var a = new Assembler(16);
        code(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), address);
        if (ms.Length > (address == CodeAddress ? 0x2000 : 0x100)) throw new ArgumentException($"the code at {address:X} is {ms.Length} bytes long");
        Machine.Memory.Write(address, ms.ToArray());
    }

    /// <summary>A new machine whose media and serial line are those of this one now (what a new process would open).</summary>
    public MidOperationRig CloneMedia() =>
        new((byte[])Floppy.Data!.Clone(), (byte[])Disk.Data!.Clone(), (byte[])Cd.Data!.Clone(), Serial.Continuation());

    static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(i / 512 * seed + i % 509);
        return bytes;
    }

    /// <summary>
    /// Runs until <paramref name="midOperation"/> holds (checked every few instructions), at most
    /// <paramref name="budget"/> instructions; false if it never did.
    /// </summary>
    public bool RunUntil(Func<PcBoard, bool> midOperation, long budget, int step = 7)
    {
        long start = Machine.Cpu.InstructionsRetired;
        while (Machine.Cpu.InstructionsRetired - start < budget)
        {
            if (midOperation(Board)) return true;
            Machine.Run(step);
        }
        return midOperation(Board);
    }

    /// <summary>
    /// Saves now, runs this machine on for <paramref name="instructions"/> with a trace, then
    /// restores the snapshot into a new machine (with the media as they were at the save) and runs
    /// it as long: null when the traces, the serial output, the disks and the machines' whole state
    /// after the run agree, else the first difference.
    /// </summary>
    public string? ContinuesIdenticallyAfterRestore(long instructions)
    {
        var snapshot = MachineStateWriter.Save(Board.Saveables);
        var restored = CloneMedia();
        int outputAtSave = Serial.Output.Count;
        var expected = ExecutionTrace.Record(Machine, instructions);

        MachineStateReader.Load(restored.Board.Saveables, snapshot);
        var actual = ExecutionTrace.Record(restored.Machine, instructions);
        if (ExecutionTrace.FirstDifference(expected, actual) is { } trace) return "trace: " + trace;
        var outputAfter = Serial.Output.Skip(outputAtSave).ToArray();
        if (!outputAfter.SequenceEqual(restored.Serial.Output))
            return $"serial output: expected {Convert.ToHexString(outputAfter)}, got {Convert.ToHexString(restored.Serial.Output.ToArray())}";
        if (Serial.Consumed != restored.Serial.Consumed) return $"serial input: {Serial.Consumed} bytes taken, restored {restored.Serial.Consumed}";
        if (!Disk.Data!.AsSpan().SequenceEqual(restored.Disk.Data)) return "the IDE disk's contents";
        if (!Floppy.Data!.AsSpan().SequenceEqual(restored.Floppy.Data)) return "the floppy's contents";
        var a = MachineStateWriter.Save(Board.Saveables);
        var b = MachineStateWriter.Save(restored.Board.Saveables);
        if (!a.AsSpan().SequenceEqual(b))
        {
            var sa = MachineStateReader.Parse(a);
            var sb = MachineStateReader.Parse(b);
            var differing = sa.Zip(sb).Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p =>
            {
                var x = p.First.Data.AsSpan();
                var y = p.Second.Data.AsSpan();
                int at = x.CommonPrefixLength(y);
                string Around(ReadOnlySpan<byte> s) => Convert.ToHexString(s.Slice(at, Math.Min(16, s.Length - at)));
                return $"{p.First.Name} at byte {at} of {x.Length}/{y.Length}: {Around(x)} / restored {Around(y)}";
            });
            return "machine state after the run: " + string.Join("; ", differing);
        }
        return null;
    }

    public ushort Counter(int index) => (ushort)Machine.Memory.ReadSlow((ulong)(Counters + 2 * index), 2);

    public bool Pending(string timerEvent) => Machine.Clock.PendingEvents.Any(e => e.Name == timerEvent);

    // ---- program pieces ----

    /// <summary>
    /// Stack, unreal-mode DS (flat 4 GiB, for the MMIO devices), both PICs as a BIOS sets them
    /// (vectors 08h and 70h), everything masked but <paramref name="unmaskedIrqs"/>.
    /// </summary>
    public static void Prologue(Assembler a, int unmaskedIrqs)
    {
        a.cli();
        a.xor(ax, ax);
        a.mov(ss, ax);
        a.mov(es, ax);
        a.mov(sp, 0x7000);
        a.lgdt(__[0x520]);
        a.mov(eax, cr0); a.or(al, 1); a.mov(cr0, eax);
        a.mov(bx, (ushort)8); a.mov(ds, bx);
        a.and(al, 0xFE); a.mov(cr0, eax);
        a.xor(ax, ax); a.mov(ds, ax);
        a.mov(al, 0x11); a.@out(0x20, al); a.@out(0xA0, al);
        a.mov(al, 0x08); a.@out(0x21, al);
        a.mov(al, 0x70); a.@out(0xA1, al);
        a.mov(al, 0x04); a.@out(0x21, al);
        a.mov(al, 0x02); a.@out(0xA1, al);
        a.mov(al, 0x01); a.@out(0x21, al); a.@out(0xA1, al);
        int mask = ~unmaskedIrqs;
        if ((unmaskedIrqs & 0xFF00) != 0) mask &= ~(1 << 2);
        a.mov(al, (byte)mask); a.@out(0x21, al);
        a.mov(al, (byte)(mask >> 8)); a.@out(0xA1, al);
    }

    /// <summary>A handler that counts in counter <paramref name="index"/> and sends the PIC(s) a non-specific EOI.</summary>
    public static Action<Assembler> CountingHandler(int index, bool slave = false, Action<Assembler>? acknowledge = null) => a =>
    {
        a.push(ax);
        a.inc(__word_ptr[Counters + 2 * index]);
        acknowledge?.Invoke(a);
        a.mov(al, 0x20);
        if (slave) a.@out(0xA0, al);
        a.@out(0x20, al);
        a.pop(ax);
        a.iret();
    };

    /// <summary>Waits with interrupts on (STI; HLT, so none is missed) until counter <paramref name="index"/> differs from BP.</summary>
    public static void WaitForCounterChange(Assembler a, int index)
    {
        var wait = a.CreateLabel();
        var done = a.CreateLabel();
        a.cli();
        a.Label(ref wait);
        a.cmp(__word_ptr[Counters + 2 * index], bp);
        a.jne(done);
        a.sti();
        a.hlt();
        a.cli();
        a.jmp(wait);
        a.Label(ref done);
        a.sti();
    }
}

/// <summary>
/// A serial line whose far end types a fixed script and records what the guest sends. A
/// continuation starts where this one's input is now, with no output yet.
/// </summary>
internal sealed class ScriptedSerial(byte[] input, int consumed) : ISerialBackend
{
    public List<byte> Output { get; } = new();
    public int Consumed { get; private set; } = consumed;

    public void Write(byte value) => Output.Add(value);
    public bool CanReceive => true;

    public bool TryRead(out byte value)
    {
        if (Consumed < input.Length)
        {
            value = input[Consumed++];
            return true;
        }
        value = 0;
        return false;
    }

    public ScriptedSerial Continuation() => new(input, Consumed);
}
