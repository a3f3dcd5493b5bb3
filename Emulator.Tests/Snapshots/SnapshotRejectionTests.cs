using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Board;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// Snapshots that do not fit are refused with one <see cref="SnapshotException"/>, and the machine
/// that was asked to load one is exactly as before (its own snapshot is unchanged).
/// </summary>
public class SnapshotRejectionTests
{
    static (BoardTestMachine Machine, byte[] Before) Running()
    {
        var m = new BoardTestMachine();
        m.RunReal(a =>
        {
            a.mov(Iced.Intel.AssemblerRegisters.al, 0x34); a.@out(0x43, Iced.Intel.AssemblerRegisters.al);
            a.mov(Iced.Intel.AssemblerRegisters.al, 0x00); a.@out(0x40, Iced.Intel.AssemblerRegisters.al); a.@out(0x40, Iced.Intel.AssemblerRegisters.al);
            a.mov(Iced.Intel.AssemblerRegisters.eax, 0x1234_5678);
            a.hlt();
        });
        return (m, MachineStateWriter.Save(m.Board.Saveables));
    }

    static string LoadFails(PcBoard board, byte[] snapshot) =>
        Assert.Throws<SnapshotException>(() => MachineStateReader.Load(board.Saveables, snapshot))!.Message;

    [Test]
    public void Garbage_is_not_a_snapshot()
    {
        var (m, before) = Running();
        var garbage = new byte[4096];
        new Random(8).NextBytes(garbage);
        Assert.That(LoadFails(m.Board, garbage), Is.EqualTo("not a machine snapshot (bad magic)"));
        Assert.That(LoadFails(m.Board, []), Is.EqualTo("not a machine snapshot (bad magic)"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    [Test]
    public void A_changed_or_cut_snapshot_is_damaged()
    {
        var (m, before) = Running();
        var other = new BoardTestMachine();
        var snapshot = MachineStateWriter.Save(other.Board.Saveables);
        var flipped = (byte[])snapshot.Clone();
        flipped[snapshot.Length / 2] ^= 0x10;
        Assert.That(LoadFails(m.Board, flipped), Is.EqualTo("the machine snapshot is damaged (checksum mismatch)"));
        Assert.That(LoadFails(m.Board, snapshot[..^100]), Is.EqualTo("the machine snapshot is damaged (checksum mismatch)"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    [Test]
    public void A_section_at_another_version_is_refused()
    {
        var (m, before) = Running();
        var sections = m.Board.Saveables.Select(s => s.SnapshotName == "pit" ? new Relabelled(s, version: 99) : s).ToList();
        var snapshot = MachineStateWriter.Save(sections);
        Assert.That(LoadFails(m.Board, snapshot), Is.EqualTo("section 'pit' is version 99, this build reads version 1"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    [Test]
    public void Unknown_and_missing_sections_are_refused()
    {
        var (m, before) = Running();
        var unknown = MachineStateWriter.Save([.. m.Board.Saveables, new Relabelled(m.Board.Pit, name: "pit2")]);
        Assert.That(LoadFails(m.Board, unknown),
            Is.EqualTo("the machine snapshot has section 'pit2', which this machine does not have (it is of another machine configuration)"));
        var missing = MachineStateWriter.Save(m.Board.Saveables.Where(s => s.SnapshotName != "rtc").ToList());
        Assert.That(LoadFails(m.Board, missing), Is.EqualTo("the machine snapshot has no section 'rtc' (it is of another machine configuration)"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    [Test]
    public void A_snapshot_of_another_ram_size_is_refused()
    {
        var (m, before) = Running();
        var bigger = new BoardTestMachine(memory: 32UL << 20);
        Assert.That(LoadFails(m.Board, MachineStateWriter.Save(bigger.Board.Saveables)),
            Is.EqualTo("section 'ram': the snapshot has 32 MiB of RAM, this machine 16 MiB (the machine was left as it was)"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    /// <summary>
    /// A late section that fails after RAM, the clock and the devices were already loaded from a
    /// different machine state: everything goes back to what it was.
    /// </summary>
    [Test]
    public void A_section_failing_late_leaves_the_machine_as_it_was()
    {
        var (m, before) = Running();
        var other = BusyGuestFree();
        var sections = other.Board.Saveables.Select(s => s.SnapshotName == "lapic" ? new Relabelled(s, payload: [1, 2, 3]) : s).ToList();
        var snapshot = MachineStateWriter.Save(sections);
        Assert.That(LoadFails(m.Board, snapshot), Does.StartWith("section 'lapic': "));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
        Assert.That(m.Machine.Cpu.GetGpr(Emulator.Core.Cpu.Gpr.Rax), Is.EqualTo(0x1234_5678));
    }

    /// <summary>A section whose device did not re-schedule an event it had pending is caught by the timer check.</summary>
    [Test]
    public void A_device_that_does_not_reschedule_its_event_fails_the_load()
    {
        var (m, before) = Running();
        Assert.That(m.Machine.Clock.PendingEvents.Select(e => e.Name), Does.Contain("pit.out0"));
        var sections = m.Board.Saveables.Select(s => s.SnapshotName == "pit" ? new Relabelled(s, forgetful: m.Machine.Clock) : s).ToList();
        var error = Assert.Throws<SnapshotException>(() => MachineStateReader.Load(sections, before))!.Message;
        Assert.That(error, Does.Match("^section 'timers': timer event 'pit.out0' due at [0-9]+ ns was not re-scheduled by its device"));
        Assert.That(MachineStateWriter.Save(m.Board.Saveables), Is.EqualTo(before));
    }

    static BoardTestMachine BusyGuestFree()
    {
        var m = new BoardTestMachine();
        m.RunReal(a => { a.mov(Iced.Intel.AssemblerRegisters.eax, 0xDEAD); a.hlt(); });
        return m;
    }

    /// <summary>A section under another name or version, with other bytes, or whose load drops every pending event.</summary>
    sealed class Relabelled(ISaveable inner, string? name = null, int? version = null, byte[]? payload = null,
        Emulator.Core.Time.VirtualClock? forgetful = null) : ISaveable
    {
        public string SnapshotName => name ?? inner.SnapshotName;
        public int SnapshotVersion => version ?? inner.SnapshotVersion;

        public void SaveState(BinaryWriter writer)
        {
            if (payload != null) writer.Write(payload);
            else inner.SaveState(writer);
        }

        public void LoadState(BinaryReader reader, int v)
        {
            inner.LoadState(reader, v);
            if (forgetful != null && !forgot)
                foreach (var e in forgetful.PendingEvents.Where(e => e.Name == "pit.out0").ToList()) forgetful.Cancel(e);
            forgot = true;   // once: the roll-back loads through this list too
        }

        bool forgot;
    }
}
