using Emulator.Core.Diagnostics;
using Emulator.Core.Time;
using Emulator.Frontend;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// <c>-d guest_errors</c> and <c>-d unimp</c>: the rate-limited <see cref="GuestLog"/> sink, and a tiny
/// BIOS on a machine with 1 MiB of RAM that reads and writes unassigned memory just above it (FFFF:0010,
/// the first byte of the HMA, with A20 on), writes the undefined ATA opcode 5Ah to the empty CD-ROM drive
/// (secondary master) 100 times, and sets the 8237's memory-to-memory bit.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public class GuestErrorsTests
{
    [Test]
    public void EachSourcePrintsTenLinesPerVirtualSecondThenCountsTheRest()
    {
        var clock = new VirtualClock();
        var lines = new List<string>();
        var log = new GuestLog(clock, lines.Add, errors: true, unimplemented: false);
        for (int i = 0; i < 15; i++) log.Error("fdc", $"invalid command 0x{i:x2}");
        log.Unimplemented("fdc", "not asked for");
        log.Error("ide0.0", "another source has its own budget");
        Assert.That(lines, Has.Count.EqualTo(11));
        Assert.That(lines[9], Is.EqualTo("guest_errors: fdc: invalid command 0x09"));
        Assert.That(lines[10], Is.EqualTo("guest_errors: ide0.0: another source has its own budget"));

        clock.Advance(GuestLog.WindowNs - 1);
        log.Error("fdc", "still the first window");
        Assert.That(lines, Has.Count.EqualTo(11));

        clock.Advance(1);
        log.Error("fdc", "invalid command 0x20");
        Assert.That(lines.Skip(11), Is.EqualTo(new[]
        {
            "guest_errors: fdc: 6 similar messages suppressed",
            "guest_errors: fdc: invalid command 0x20",
        }));

        for (int i = 0; i < 10; i++) log.Error("fdc", "again");
        Assert.That(lines, Has.Count.EqualTo(13 + 9));
        log.Flush();
        Assert.That(lines[^1], Is.EqualTo("guest_errors: fdc: 1 similar message suppressed"));
        log.Flush();
        Assert.That(lines, Has.Count.EqualTo(23), "a count is printed once");
    }

    static byte[] FaultyBios() => TinyBios.Build(a =>
    {
        var wait = a.CreateLabel();
        var again = a.CreateLabel();
        var drain = a.CreateLabel();
        a.mov(ax, 0xFFFF);
        a.mov(ds, ax);
        a.mov(al, __byte_ptr[0x10]);                // read FFFF0h + 10h = 100000h
        a.mov(__byte_ptr[0x20], 0x5A);              // write 100010h
        a.mov(ax, 0xD000);
        a.mov(ds, ax);
        a.mov(al, __byte_ptr[0x10]);                // read D0010h: the ROM scan area, not reported
        a.mov(cx, 100);
        a.Label(ref again);
        a.mov(dx, 0x177);                           // secondary command/status register
        a.Label(ref wait);
        a.@in(al, dx);
        a.test(al, 0x80);                           // BSY: a command written now would be ignored
        a.jnz(wait);
        a.mov(al, 0x5A);
        a.@out(dx, al);
        a.loop(again);
        a.Label(ref drain);
        a.@in(al, dx);
        a.test(al, 0x80);
        a.jnz(drain);
        a.mov(al, 0x01);
        a.@out(0x08, al);                           // DMA1 command: memory-to-memory enable
        a.mov(al, 0x21);
        a.@out(0xF4, al);
        a.hlt();
    });

    static string Run(byte[] biosImage, string items, int expectedStatus = 0x43, params string[] extra)
    {
        using var dir = new TempDir();
        string bios = dir.Write("bios.bin", biosImage);
        string log = dir.File("guest.log");
        var args = new[] { "-bios", bios, "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-d", items, "-D", log, "-m", "1" }.Concat(extra).ToArray();
        var stderr = new StringWriter();
        int status = EmuMain.Run(args, TextWriter.Null, stderr, instructionLimit: 10_000_000);
        Assert.That(status, Is.EqualTo(expectedStatus), stderr.ToString());
        Assert.That(stderr.ToString(), Does.Not.Contain("guest_errors").And.Not.Contain("unimp"), "-D takes the lines");
        return File.ReadAllText(log);
    }

    static string[] Lines(string log, string prefix) =>
        log.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    [Test]
    public void UnassignedMemoryAndAnUnknownIdeCommandAreGuestErrorsAndTheFloodIsCounted()
    {
        string log = Run(FaultyBios(), "guest_errors,unimp");
        Assert.That(Lines(log, "guest_errors:"), Is.EqualTo(new[]
        {
            "guest_errors: memory: read of unassigned physical address 0x00100000 (1 byte), returns all ones",
            "guest_errors: memory: write of 0x5a to unassigned physical address 0x00100010 (1 byte), ignored",
        }.Concat(Enumerable.Repeat("guest_errors: ide1.0: unknown ATA command 0x5a, aborted", 10))
         .Append("guest_errors: ide1.0: 90 similar messages suppressed")));
        Assert.That(Lines(log, "unimp:"), Is.EqualTo(new[] { "unimp: dma1: memory-to-memory transfers (command 0x01) not implemented" }));
    }

    [Test]
    public void EachItemPrintsOnlyItsOwnLines()
    {
        string errorsOnly = Run(FaultyBios(), "guest_errors");
        Assert.That(Lines(errorsOnly, "guest_errors:"), Has.Length.EqualTo(13));
        Assert.That(errorsOnly, Does.Not.Contain("unimp"));

        string unimpOnly = Run(FaultyBios(), "unimp");
        Assert.That(unimpOnly, Does.Not.Contain("guest_errors"));
        Assert.That(Lines(unimpOnly, "unimp:"), Has.Length.EqualTo(1));
    }

    [Test]
    public void WithTheItemsOffNothingIsPrinted()
    {
        string log = Run(FaultyBios(), "in_asm");
        Assert.That(log, Does.Contain("IN: "), "the log itself works");
        Assert.That(log, Does.Not.Contain("guest_errors").And.Not.Contain("unimp").And.Not.Contain("unassigned"));
    }

    [Test]
    public void ATripleFaultIsAGuestError()
    {
        // Real mode with an empty IVT limit: INT3 cannot be delivered (#GP), nor can #GP (#DF), nor #DF.
        byte[] bios = TinyBios.Build(a =>
        {
            a.xor(ax, ax);
            a.mov(ds, ax);
            a.lidt(__[0x7F00]);                     // zeroed RAM: limit 0, base 0
            a.int3();
            a.hlt();
        });
        using var dir = new TempDir();
        string path = dir.Write("bios.bin", bios);
        string log = dir.File("guest.log");
        var stderr = new StringWriter();
        EmuMain.Run(["-bios", path, "-no-reboot", "-d", "guest_errors", "-D", log], TextWriter.Null, stderr, instructionLimit: 1_000_000);
        Assert.That(Lines(File.ReadAllText(log), "guest_errors:"), Is.EqualTo(new[]
        {
            // The instruction that could not be delivered: INT3 at E000h + 2 (xor) + 2 (mov ds) + 5 (lidt).
            "guest_errors: cpu: triple fault at f000:0000e009, stopping (-no-reboot)",
        }));
    }
}
