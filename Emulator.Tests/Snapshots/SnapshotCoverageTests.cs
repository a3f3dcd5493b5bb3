using System.Collections;
using System.Reflection;
using Emulator.Core.Io;
using Emulator.Core.Machine;
using Emulator.Core.Memory;
using Emulator.Core.State;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;
using Emulator.Devices.Pci;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Devices.Board;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// Every device of a fully equipped PcBoard is in <see cref="PcBoard.Saveables"/>: each I/O port's
/// handler, each MMIO handler, each PCI function, and each device the board exposes. A device
/// added to the board without a snapshot section fails here, not in a user's restored run.
/// </summary>
public class SnapshotCoverageTests
{
    /// <summary>Handlers with no state a guest can see: what they do depends only on the value written.</summary>
    static readonly Type[] Stateless =
    [
        typeof(DebugConsole),   // a read returns the constant E9h; writes go to the host
        typeof(IsaDebugExit),   // a write ends the run; reads are 0
    ];

    static PcBoard FullBoard() => new(new PcBoardConfig
    {
        Machine = new MachineConfig { MemorySize = 16UL << 20 },
        Bios = BoardTestMachine.HaltBios(),
        DebugConsole = new DebugConsole(TextWriter.Null),
        DebugExits = [(0xF4, 4)],
        Serials = [new NullSerial(), new NullSerial(), new NullSerial(), new NullSerial()],
        IdeDrives = [new IdeDrive(DriveMedia.Disk, MemoryImage.Sparse(1 << 20)), null, new IdeDrive(DriveMedia.CdRom, null)],
        Floppies = [MemoryImage.Sparse(1_474_560), null],
        VgaBios = new byte[32 << 10],
    });

    [Test]
    public void Every_port_mmio_handler_pci_function_and_board_device_is_saved()
    {
        var board = FullBoard();
        board.Machine.Reset();
        Assert.That(string.Join(", ", UnsavedDevices(board)), Is.Empty);
        Assert.That(board.Saveables.Select(s => s.SnapshotName), Is.Unique, "section names");
    }

    /// <summary>
    /// A board just reset, before anything ran, saves, loads into another and saves the same bytes:
    /// a load that clamps a field to a range its reset value lies outside (an ATA disk's DRQ block
    /// of 0 sectors, an ATAPI byte limit of 0, both found by the mid-operation tests) shows here.
    /// </summary>
    [Test]
    public void A_freshly_reset_full_board_saves_loads_and_saves_the_same_bytes()
    {
        var board = FullBoard();
        board.Machine.Reset();
        var snapshot = MachineStateWriter.Save(board.Saveables);
        var other = FullBoard();
        other.Machine.Reset();
        MachineStateReader.Load(other.Saveables, snapshot);
        var again = MachineStateWriter.Save(other.Saveables);
        var differing = MachineStateReader.Parse(snapshot).Zip(MachineStateReader.Parse(again))
            .Where(p => !p.First.Data.AsSpan().SequenceEqual(p.Second.Data)).Select(p => p.First.Name);
        Assert.That(differing, Is.Empty);
    }

    [Test]
    public void The_check_sees_a_device_that_is_not_saved()
    {
        var board = FullBoard();
        board.Machine.Io.Register(0x2000, 1, new UnsavedDevice());
        Assert.That(UnsavedDevices(board), Is.EqualTo(new[] { "UnsavedDevice (port 2000)" }));
    }

    static List<string> UnsavedDevices(PcBoard board)
    {
        var saved = new HashSet<object>(board.Saveables, ReferenceEqualityComparer.Instance);
        // Parts a saved device holds in its own fields and saves in its section (the IDE controller's channels).
        foreach (var owner in board.Saveables)
            foreach (var f in owner.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public))
                if (f.GetValue(owner) is IEnumerable<IIoDevice> parts) saved.UnionWith(parts);
                else if (f.GetValue(owner) is IIoDevice part) saved.Add(part);
        var missing = new List<string>();
        void Check(object device, string where)
        {
            if (saved.Contains(device) || Stateless.Contains(device.GetType())) return;
            // An adapter object a device registers for itself (the VGA's port and window handlers).
            if (device.GetType().DeclaringType is { } owner && board.Saveables.Any(s => s.GetType() == owner)) return;
            missing.Add($"{device.GetType().Name} ({where})");
        }

        for (int port = 0; port < 0x10000; port++)
            if (board.Machine.Io.DeviceAt((ushort)port) is { } io) Check(io, $"port {port:X4}");
        foreach (var handler in board.Machine.Memory.MmioHandlers) Check(handler, "MMIO");
        for (int devfn = 0; devfn < 256; devfn++)
            if (board.PciBus.FunctionAt(devfn) is { } fn) Check(fn, $"PCI {devfn >> 3:X2}.{devfn & 7}");
        foreach (var p in typeof(PcBoard).GetProperties())
        {
            var value = p.GetValue(board);
            if (value is IIoDevice or IMmioHandler or PciDevice or ISaveable) Check(value, $"PcBoard.{p.Name}");
            else if (value is IEnumerable list and not string && p.Name != nameof(PcBoard.Saveables))
                foreach (var item in list)
                    if (item is IIoDevice or IMmioHandler or PciDevice or ISaveable) Check(item, $"PcBoard.{p.Name}");
        }
        return missing.Distinct().ToList();
    }

    sealed class UnsavedDevice : IIoDevice
    {
        byte latch;
        public uint In(ushort port, int size) => latch;
        public void Out(ushort port, int size, uint value) => latch = (byte)value;
    }

    sealed class NullSerial : ISerialBackend
    {
        public void Write(byte value) { }
        public bool CanReceive => false;
        public bool TryRead(out byte value) { value = 0; return false; }
    }
}
