using System.Diagnostics;
using System.Text;

namespace Emulator.Benchmarks;

/// <summary>
/// Watches a guest's serial output for the boot milestones (kernel banner, init marker,
/// power-off line) and records, at the byte that completes each, the wall time and whatever
/// the caller's probe reports (instructions, virtual time). Used for emu (fed from the UART
/// backend) and for QEMU and Bochs (fed from their serial output), so all three are cut at the
/// same text.
/// </summary>
internal sealed class BootMilestones
{
    public const string Banner = "Linux version ", Marker = "EMU-GUEST-MARKER: init running", PowerOff = "EMU-GUEST-POWEROFF";
    public static readonly string[] Names = ["banner", "marker", "poweroff"];
    static readonly string[] Texts = [Banner, Marker, PowerOff];

    public readonly record struct Hit(double WallSeconds, long Instructions, long VirtualNs);

    readonly Stopwatch clock;
    readonly Func<(long Instructions, long VirtualNs)> probe;
    readonly StringBuilder tail = new();
    readonly StringBuilder log = new();

    public Hit?[] Hits { get; } = new Hit?[Texts.Length];

    public BootMilestones(Stopwatch clock, Func<(long, long)>? probe = null)
    {
        this.clock = clock;
        this.probe = probe ?? (() => (-1, -1));
    }

    /// <summary>Everything seen so far (for diagnosing a boot that did not reach a milestone).</summary>
    public string Log => log.ToString();

    public bool Reached(int index) => Hits[index] != null;

    public void Feed(char c)
    {
        log.Append(c);
        tail.Append(c);
        if (tail.Length > 64) tail.Remove(0, tail.Length - 64);
        for (int i = 0; i < Texts.Length; i++)
        {
            if (Hits[i] != null || !EndsWith(tail, Texts[i])) continue;
            var (instructions, virtualNs) = probe();
            Hits[i] = new Hit(clock.Elapsed.TotalSeconds, instructions, virtualNs);
        }
    }

    static bool EndsWith(StringBuilder sb, string s)
    {
        if (sb.Length < s.Length) return false;
        for (int i = 0; i < s.Length; i++)
            if (sb[sb.Length - s.Length + i] != s[i]) return false;
        return true;
    }
}
