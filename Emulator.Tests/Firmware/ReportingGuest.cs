using Emulator.Core.Machine;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The frame most firmware test programs share, for <see cref="BiosRig"/>'s boot code or
/// <see cref="BiosRig.BootProgram"/>: DS = ES = 0, a marker on the debug console (so the test
/// finds its own output after the BIOS's), the program, then a line break and HLT
/// (<see cref="GuestReport.End"/>).
/// </summary>
public static class ReportingGuest
{
    public static Action<Assembler> Code(string marker, Action<Assembler, GuestReport> program) => a =>
    {
        var r = new GuestReport(a);
        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(es, ax);
        r.Text(marker);
        program(a, r);
        r.End();
    };

    /// <summary>
    /// Runs <paramref name="rig"/> until the guest halts and returns what it printed after
    /// <paramref name="marker"/>; fails with the console when it did not halt or never printed the marker.
    /// </summary>
    public static string Output(BiosRig rig, string marker)
    {
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int start = rig.Console.IndexOf(marker, StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "the test code did not run: " + rig.Console);
        return rig.Console[(start + marker.Length)..];
    }
}
