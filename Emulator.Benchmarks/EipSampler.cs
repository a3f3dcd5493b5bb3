using System.Globalization;
using System.Text;
using Iced.Intel;
using Emulator.Core.Cpu;
using Emulator.Core.Memory;

namespace Emulator.Benchmarks;

/// <summary>
/// A wall-clock sampling profiler for the guest: a background thread reads the CPU's CS base +
/// EIP (and whether it is halted) about every millisecond while the machine runs. The reads are
/// unsynchronised (a sample may pair a stale CS base with a new EIP); for a histogram of where
/// host time goes, by guest address, that is good enough and costs the CPU loop nothing.
/// Where a block runs several instructions before the CPU's EIP field is updated, the sample
/// lands on the block's start, so read addresses as "the block starting here".
/// </summary>
internal sealed class EipSampler
{
    /// <summary>Debian i386's PAGE_OFFSET: kernel lowmem is mapped linearly at 0xC0000000.</summary>
    const ulong PageOffset = 0xC000_0000;

    readonly Cpu cpu;
    readonly Dictionary<ulong, int> byAddress = new();
    int halted, total;
    volatile bool running;
    Thread? thread;

    public EipSampler(Cpu cpu) => this.cpu = cpu;

    public void Start()
    {
        running = true;
        thread = new Thread(Loop) { IsBackground = true, Name = "eip-sampler", Priority = ThreadPriority.AboveNormal };
        thread.Start();
    }

    public void Stop()
    {
        running = false;
        thread?.Join();
    }

    void Loop()
    {
        while (running)
        {
            Thread.Sleep(1);
            total++;
            if (cpu.Halted) { halted++; continue; }
            ulong linear = (cpu.GetSegment(SegReg.CS).Base + cpu.Rip) & 0xFFFF_FFFF;
            byAddress[linear] = byAddress.GetValueOrDefault(linear) + 1;
        }
    }

    /// <summary>
    /// The report: kernel/user/halted shares, the hottest 4 KiB pages and the hottest addresses
    /// with the instruction there (kernel addresses read through the lowmem mapping).
    /// </summary>
    public string Report(PhysicalMemory memory, int top = 25)
    {
        var sb = new StringBuilder();
        int kernel = byAddress.Where(kv => kv.Key >= PageOffset).Sum(kv => kv.Value);
        int user = byAddress.Where(kv => kv.Key < PageOffset).Sum(kv => kv.Value);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"samples: {total} (~1 ms wall apart): kernel {Pct(kernel)}, user {Pct(user)}, halted {Pct(halted)}");
        sb.AppendLine("hottest 4 KiB pages (linear):");
        foreach (var page in byAddress.GroupBy(kv => kv.Key & ~0xFFFUL)
                     .Select(g => (Page: g.Key, Count: g.Sum(kv => kv.Value))).OrderByDescending(p => p.Count).Take(top / 2))
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {page.Page:X8}-{page.Page + 0xFFF:X8}  {Pct(page.Count),6}");
        sb.AppendLine("hottest addresses (linear; instruction decoded from guest memory for kernel addresses):");
        foreach (var (address, count) in byAddress.OrderByDescending(kv => kv.Value).Take(top).Select(kv => (kv.Key, kv.Value)))
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {address:X8}  {Pct(count),6}  {Disassemble(memory, address)}");
        return sb.ToString();

        string Pct(int n) => total == 0 ? "-" : (100.0 * n / total).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    }

    static string Disassemble(PhysicalMemory memory, ulong linear)
    {
        if (linear < PageOffset || linear - PageOffset + 16 > memory.RamSize) return "";
        var bytes = new byte[16];
        memory.Read(linear - PageOffset, bytes);
        var decoder = Iced.Intel.Decoder.Create(32, new ByteArrayCodeReader(bytes));
        decoder.IP = linear;
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var sb = new StringBuilder();
        for (int i = 0; i < 3 && decoder.IP < linear + 12; i++)
        {
            var instruction = decoder.Decode();
            formatter.Format(instruction, output);
            if (i > 0) sb.Append(" ; ");
            sb.Append(output.ToStringAndReset());
        }
        return sb.ToString();
    }
}
