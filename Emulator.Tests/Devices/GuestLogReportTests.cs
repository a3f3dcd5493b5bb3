using Emulator.Core.Diagnostics;
using Emulator.Core.Interrupts;
using Emulator.Core.Time;
using Emulator.Devices.Input;
using Emulator.Devices.Interrupts;
using Emulator.Tests.Devices.Storage;

namespace Emulator.Tests.Devices;

/// <summary>
/// What devices report to <c>-d guest_errors</c> and <c>-d unimp</c> at register level: the opcode
/// classes come from the datasheets (82077AA command set summary, 8042 command list, the keyboard's
/// set 3 commands F7h-FDh, SDM vol. 3 10.4.1 for the local APIC's register alignment).
/// </summary>
[TestFixture]
public class GuestLogReportTests
{
    readonly List<string> lines = new();

    [SetUp]
    public void Clear() => lines.Clear();   // NUnit runs every test on one fixture instance

    GuestLog NewLog(VirtualClock clock) => new(clock, lines.Add, errors: true, unimplemented: true);

    [Test]
    public void FloppyTellsUnimplementedCommandsFromInvalidOnes()
    {
        var rig = new FloppyRig(new FloppyTestImage(Emulator.Devices.Storage.Floppy.FloppyFormat.M1_44));
        rig.Fdc.GuestLog = NewLog(rig.Clock);
        rig.Ready();
        Assert.That(lines, Is.Empty, "the polling SENSE INTERRUPT STATUS after reset is no error");
        rig.Command(0x09);                              // WRITE DELETED DATA
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }));
        rig.Command(0xD1);                              // SCAN EQUAL with MT and MFM
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }));
        rig.Command(0x1F);                              // no such command
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }));
        Assert.That(lines, Is.EqualTo(new[]
        {
            "unimp: fdc: WRITE DELETED DATA (0x09) not implemented, answered as invalid",
            "unimp: fdc: SCAN EQUAL (0xd1) not implemented, answered as invalid",
            "guest_errors: fdc: invalid command 0x1f, answered ST0=0x80",
        }));
    }

    [Test]
    public void KeyboardAndControllerReportUnknownCommands()
    {
        var clock = new VirtualClock();
        var keyboard = new Ps2Keyboard(clock);
        var kbc = new Ps2Controller(keyboard, new Ps2Mouse(), IrqLine.Unconnected(), IrqLine.Unconnected(), _ => { }, () => { });
        var log = NewLog(clock);
        keyboard.GuestLog = log;
        kbc.GuestLog = log;
        kbc.Out(0x64, 1, 0xAA);                         // self-test: a known command, nothing to report
        kbc.Out(0x64, 1, 0xA5);                         // load password
        kbc.Out(0x64, 1, 0xB0);                         // undefined
        keyboard.Write(0xF0);                           // select scan code set...
        keyboard.Write(0x03);                           // ...3
        keyboard.Write(0xFA);                           // set 3: all keys typematic/make/break
        keyboard.Write(0x55);                           // not a command
        Assert.That(lines, Is.EqualTo(new[]
        {
            "unimp: i8042: controller command 0xa5 not implemented, ignored",
            "guest_errors: i8042: unknown controller command 0xb0, ignored",
            "unimp: keyboard: scan code set 3 not implemented, answered RESEND",
            "unimp: keyboard: scan code set 3 command 0xfa not implemented, answered RESEND",
            "guest_errors: keyboard: unknown command 0x55, answered RESEND",
        }));
    }

    [Test]
    public void IdeDisksAndCdRomsTellUnimplementedCommandsFromUndefinedOnes()
    {
        var rig = new IdeRig(IdeRig.Disk(IdeRig.PatternDisk(64)), null, IdeRig.Cd(null));
        rig.Board.AttachGuestLog(NewLog(rig.Machine.Clock));
        rig.Out8(IdeRig.Device, 0xA0);
        rig.Command(0xEC);                              // IDENTIFY DEVICE: implemented, no report
        rig.ReadData(512);
        rig.Command(0xF8);                              // READ NATIVE MAX ADDRESS (ATA/ATAPI-6 8.30): not implemented
        Assert.That(rig.In8(IdeRig.ErrorReg), Is.EqualTo(0x04), "ABRT");
        rig.Command(0x5A);                              // no such ATA command
        rig.Out8(IdeRig.Feature, 0x05);                 // SET FEATURES: enable advanced power management
        rig.Command(0xEF);
        // The CD-ROM on the secondary master: PACKET with SEND KEY (MMC-5 6.37), which emu does not implement.
        rig.Out8(0x176, 0xA0);
        rig.Out8(0x171, 0);
        rig.Out8(0x174, 0xFE);
        rig.Out8(0x175, 0xFF);
        rig.Command(0xA0, 0x177);
        var packet = new byte[12];
        packet[0] = 0xA3;
        rig.WriteData(packet, 0x170);
        rig.Settle();
        Assert.That(lines, Is.EqualTo(new[]
        {
            "unimp: ide0.0: ATA command 0xf8 not implemented, aborted",
            "guest_errors: ide0.0: unknown ATA command 0x5a, aborted",
            "unimp: ide0.0: SET FEATURES subcommand 0x05 not implemented, aborted",
            "unimp: ide1.0: ATAPI packet command 0xa3 not implemented, CHECK CONDITION",
        }));
    }

    [Test]
    public void LocalApicReportsMisalignedAndNarrowAccessesAndReservedRegisters()
    {
        var clock = new VirtualClock(5);
        var apic = new LocalApic(clock, () => { }, () => 0) { GuestLog = NewLog(clock) };
        Assert.That(apic.Read(0x30, 4), Is.Not.EqualTo(0), "the version register, whole: no report");
        Assert.That(lines, Is.Empty);
        Assert.That(apic.Read(0x20, 1), Is.EqualTo(0));
        apic.Write(0x84, 4, 0x10);
        apic.Read(0x10, 4);                             // offset 10h: reserved
        Assert.That(lines, Is.EqualTo(new[]
        {
            "guest_errors: lapic: invalid 1-byte read at offset 0x020, reads 0",
            "guest_errors: lapic: invalid 4-byte write of 0x10 at offset 0x084, ignored",
            "guest_errors: lapic: read of reserved register 0x010, illegal register address error",
        }));
    }
}
