using System.Diagnostics;
using Emulator.Core.State;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// A machine with 3 GiB of RAM (QEMU's <c>-m 3G</c>): RAM past 2 GiB is native memory (no array
/// can hold it), and the RAM section walks it in slices with 64-bit offsets. The RAM is mostly
/// zero, with marked pages either side of 2 GiB and at the top, some written by the guest through
/// a flat (unreal-mode) DS: the snapshot stays small, comes back exactly, and the host's working
/// set does not grow by the RAM's size (untouched RAM is never written, not even on a load).
/// </summary>
public class LargeMemorySnapshotTests
{
    const ulong Size = 3UL << 30;
    static readonly ulong[] Marks = [0x10_0000, 0x7FFF_F000, 0x8000_0000, 0x8000_1000, Size - 0x1000];

    [Test]
    public void A_machine_with_3_GiB_of_ram_saves_and_loads_its_top_pages()
    {
        long workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var m = new BoardTestMachine(memory: Size);
        for (int i = 0; i < Marks.Length; i++)
        {
            var page = new byte[4096];
            for (int j = 0; j < page.Length; j++) page[j] = (byte)(i * 37 + j);
            m.Machine.Memory.Write(Marks[i], page);
        }
        // GDT at 0x500 (null, flat 4 GiB data), GDTR at 0x520: the guest writes near the top of RAM.
        m.Machine.Memory.Write(0x500, new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0x92, 0xCF, 0 });
        m.Machine.Memory.Write(0x520, new byte[] { 0x0F, 0, 0x00, 0x05, 0, 0 });
        m.RunReal(a =>
        {
            a.lgdt(__[0x520]);
            a.mov(eax, cr0); a.or(al, 1); a.mov(cr0, eax);
            a.mov(bx, (ushort)8); a.mov(ds, bx);
            a.and(al, 0xFE); a.mov(cr0, eax);
            a.mov(ebx, (uint)(Size - 16));
            a.mov(__dword_ptr[ebx], 0x600D_CAFE);
            a.mov(ebx, 0x9000_0004u);
            a.mov(__dword_ptr[ebx], 0x1234_5678);
            a.mov(esi, __dword_ptr[ebx]);
            a.hlt();
        });
        Assert.That(m.Reg(Emulator.Core.Cpu.Gpr.Rsi), Is.EqualTo(0x1234_5678));

        var snapshot = MachineStateWriter.Save(m.Board.Saveables);
        Assert.That(snapshot.Length, Is.LessThan(1 << 20), "49152 chunks, nearly all zero: a byte each");

        var fresh = new BoardTestMachine(memory: Size);
        MachineStateReader.Load(fresh.Board.Saveables, snapshot);
        var memory = fresh.Machine.Memory;
        for (int i = 0; i < Marks.Length; i++)
        {
            var page = memory.RamSpan(Marks[i], 4096).ToArray();
            Assert.That(page[100], Is.EqualTo((byte)(i * 37 + 100)), $"page {Marks[i]:X}");
        }
        Assert.That(memory.ReadSlow(Size - 16, 4), Is.EqualTo(0x600D_CAFEUL));
        Assert.That(memory.ReadSlow(0x9000_0004, 4), Is.EqualTo(0x1234_5678UL));
        Assert.That(memory.ReadSlow(0xA000_0000, 4), Is.Zero);
        Assert.That(fresh.Reg(Emulator.Core.Cpu.Gpr.Rsi), Is.EqualTo(0x1234_5678));
        Assert.That(MachineStateWriter.Save(fresh.Board.Saveables), Is.EqualTo(snapshot));

        long grown = Process.GetCurrentProcess().WorkingSet64 - workingSetBefore;
        Assert.That(grown, Is.LessThan(512L << 20), "two 3 GiB machines cost the host only the pages written");
        GC.KeepAlive(m);
        GC.KeepAlive(fresh);
    }

    /// <summary>A damaged RAM chunk past 2 GiB is refused before RAM is written: the machine is as it was.</summary>
    [Test]
    public void A_damaged_chunk_past_2_GiB_leaves_the_machine_as_it_was()
    {
        var m = new BoardTestMachine(memory: Size);
        m.Machine.Memory.Write(0xB000_0000, new byte[] { 1, 2, 3, 4 });
        var snapshot = MachineStateWriter.Save(m.Board.Saveables);
        var target = new BoardTestMachine(memory: Size);
        target.Machine.Memory.Write(0xB000_0000, new byte[] { 9, 9, 9, 9 });
        var before = MachineStateWriter.Save(target.Board.Saveables);

        // Cut the RAM section's chunk list short and re-seal the container: the checksum passes,
        // the chunk reader finds the section ends early.
        var sections = MachineStateReader.Parse(snapshot).ToDictionary(s => s.Name);
        var ram = sections["ram"].Data.ToArray();
        var cut = ram[..^2000];
        var forged = MachineStateWriter.Save(target.Board.Saveables.Select(s => s.SnapshotName == "ram"
            ? (ISaveable)new Fixed(s, cut) : new Fixed(s, sections[s.SnapshotName].Data.ToArray())).ToList());
        var error = Assert.Throws<SnapshotException>(() => MachineStateReader.Load(target.Board.Saveables, forged))!.Message;
        Assert.That(error, Is.EqualTo("section 'ram': truncated (the machine was left as it was)"));
        Assert.That(MachineStateWriter.Save(target.Board.Saveables), Is.EqualTo(before));
        Assert.That(target.Machine.Memory.ReadSlow(0xB000_0000, 4), Is.EqualTo(0x0909_0909UL));
    }

    /// <summary>A section of given bytes under a device's name and version.</summary>
    sealed class Fixed(ISaveable inner, byte[] bytes) : ISaveable
    {
        public string SnapshotName => inner.SnapshotName;
        public int SnapshotVersion => inner.SnapshotVersion;
        public void SaveState(BinaryWriter writer) => writer.Write(bytes);
        public void LoadState(BinaryReader reader, int version) => inner.LoadState(reader, version);
    }
}
