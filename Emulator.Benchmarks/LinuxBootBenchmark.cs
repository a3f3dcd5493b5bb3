using System.Globalization;
using System.Text;

namespace Emulator.Benchmarks;

/// <summary>
/// The guest boot benchmark (issue 9): boots the 32-bit Debian guest built by
/// tests/guests/build.sh once under emu (unpaced, <see cref="EmuBootRun"/>) and, when installed,
/// under Debian's <c>qemu-system-i386 -accel tcg</c> (the same <c>-kernel/-initrd/-append</c>) and
/// Debian's Bochs (which has no <c>-kernel</c>: it boots linux.iso from its CD through its BIOS
/// and ISOLINUX, so its times include firmware and the boot loader), and prints one table with
/// each emulator's times to the kernel banner, the init marker and power-off, and the ratios to
/// emu's from the same run. Wall times on a shared machine include other processes' load, so the
/// load average is printed with them, and CPU times are given next to the wall times.
/// </summary>
internal static class LinuxBootBenchmark
{
    public static int Run(string[] args)
    {
        // The same default as tests/guests/build.sh and the tests: $EMU_GUEST_DIR, else ~/.cache/emu-guests.
        string guests = Environment.GetEnvironmentVariable("EMU_GUEST_DIR") is { Length: > 0 } fromEnv ? fromEnv
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "emu-guests");
        int memoryMiB = 256;
        double timeoutSeconds = 1200;
        long bochsIps = 50_000_000;
        bool qemu = true, bochs = true, emu = true, profile = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--guests": guests = args[++i]; break;
                case "--memory": memoryMiB = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--timeout": timeoutSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--bochs-ips": bochsIps = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-qemu": qemu = false; break;
                case "--no-bochs": bochs = false; break;
                case "--no-emu": emu = false; break;
                case "--profile": profile = true; break;
                default: Console.Error.WriteLine($"linux: unknown option {args[i]}"); return 2;
            }
        }
        string kernel = Path.Combine(guests, "vmlinuz"), initrd = Path.Combine(guests, "initrd.img"), iso = Path.Combine(guests, "linux.iso");
        foreach (var file in new[] { kernel, initrd })
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"linux: {file} is missing (build the guests with tests/guests/build.sh)");
                return 2;
            }
        }
        var limit = TimeSpan.FromSeconds(timeoutSeconds);
        string loadBefore = LoadAverage();
        Console.WriteLine($"guest: {kernel} + {initrd}, -m {memoryMiB}, append console=ttyS0; limit {timeoutSeconds:0} s per emulator");
        Console.WriteLine($"load average before: {loadBefore}  ({Environment.ProcessorCount} host CPUs)");

        EmuBootRun? emuRun = null;
        if (emu)
        {
            Console.WriteLine("emu: booting ...");
            emuRun = EmuBootRun.Run(File.ReadAllBytes(kernel), File.ReadAllBytes(initrd), (ulong)memoryMiB << 20, limit, profile);
            Console.WriteLine($"emu: stopped ({emuRun.Stop}{(emuRun.TimedOut ? ", time limit" : "")}) after {emuRun.WallSeconds:0.0} s wall, load average {LoadAverage()}");
            if (!emuRun.Milestones.Reached(2)) Console.WriteLine("emu: serial tail: " + Tail(emuRun.Milestones.Log));
        }

        var references = new List<ReferenceBootRun>();
        if (qemu)
        {
            string? program = ReferenceBootRun.FindOnPath("qemu-system-i386");
            if (program == null) Console.WriteLine("qemu: qemu-system-i386 not installed, skipped");
            else
            {
                Console.WriteLine("qemu: booting ...");
                var run = ReferenceBootRun.Run("qemu tcg", program,
                    ["-accel", "tcg", "-m", memoryMiB.ToString(CultureInfo.InvariantCulture), "-nographic",
                     "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0"], null, null, limit);
                Report(run);
                references.Add(run);
            }
        }
        if (bochs)
        {
            string? program = ReferenceBootRun.FindOnPath("bochs");
            if (program == null) Console.WriteLine("bochs: not installed, skipped");
            else if (!File.Exists(iso)) Console.WriteLine($"bochs: {iso} is missing, skipped");
            else
            {
                string dir = Directory.CreateTempSubdirectory("emu-bochs-").FullName;
                try
                {
                    string rc = Path.Combine(dir, "bochsrc"), com1 = Path.Combine(dir, "com1.txt");
                    File.WriteAllText(rc, BochsConfig(iso, com1, Path.Combine(dir, "bochs.log"), memoryMiB, bochsIps));
                    // Debian's bochs has its debugger built in and stops at its prompt: a debugger
                    // script with "c" starts the simulation. Debian's build has no "nogui" display
                    // library. bochs-term's curses display is no stand-in: without a terminal it
                    // opens a pseudo-terminal nobody reads and blocks writing to it once the
                    // guest's screen output fills it. The VNC display (rfb) with timeout=0 waits for
                    // no client and draws nowhere.
                    File.WriteAllText(Path.Combine(dir, "debugger"), "c\n");
                    Console.WriteLine($"bochs: booting {iso} from its CD (ips {bochsIps:N0}) ...");
                    var run = ReferenceBootRun.Run($"bochs (CD)", program, ["-q", "-f", rc, "-rc", Path.Combine(dir, "debugger")], com1, dir, limit);
                    Report(run);
                    references.Add(run);
                }
                finally { Directory.Delete(dir, recursive: true); }
            }
        }

        Console.WriteLine();
        Console.WriteLine(Table(emuRun, references, loadBefore, LoadAverage()));
        if (emuRun?.Profile != null)
        {
            Console.WriteLine("emu profile (wall-clock samples of the guest CS:EIP):");
            Console.WriteLine(emuRun.Profile.Report(emuRun.Memory!));
        }
        return 0;
    }

    static void Report(ReferenceBootRun run)
    {
        string how = run.Error != null ? "failed: " + run.Error
            : run.TimedOut ? "time limit" : run.ExitSeconds != null ? $"exited at {run.ExitSeconds:0.0} s" : "killed after power-off";
        Console.WriteLine($"{run.Name}: {how}; {run.WallSeconds:0.0} s wall, load average {LoadAverage()}");
        if (!run.Milestones.Reached(2)) Console.WriteLine($"{run.Name}: serial tail: " + Tail(run.Milestones.Log));
    }

    static string Table(EmuBootRun? emu, List<ReferenceBootRun> references, string loadBefore, string loadAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Linux guest boot (one run each; load average {loadBefore} before, {loadAfter} after, {Environment.ProcessorCount} host CPUs)");
        if (emu != null)
        {
            sb.AppendLine("emu milestones:        instructions   virtual time   wall time");
            for (int i = 0; i < BootMilestones.Names.Length; i++)
            {
                var hit = emu.Milestones.Hits[i];
                sb.AppendLine(hit is { } h
                    ? $"  {BootMilestones.Names[i],-10} {h.Instructions,20:N0} {h.VirtualNs / 1e9,12:0.000} s {h.WallSeconds,9:0.00} s"
                    : $"  {BootMilestones.Names[i],-10} {"not reached",20}");
            }
            sb.AppendLine($"  {"halt",-10} {emu.Instructions,20:N0} {emu.VirtualNs / 1e9,12:0.000} s {emu.WallSeconds,9:0.00} s  ({emu.Stop})");
            sb.AppendLine($"  guest MIPS over the boot: {emu.Instructions / emu.WallSeconds / 1e6:0.0} per wall second, {emu.Instructions / emu.CpuSeconds / 1e6:0.0} per CPU second (CPU time {emu.CpuSeconds:0.00} s)");
        }
        sb.AppendLine();
        sb.AppendLine("wall seconds to      banner   marker  poweroff  halt/exit | CPU s to poweroff | wall ratio to emu (marker, poweroff) | CPU ratio (poweroff)");
        double? emuMarker = emu?.Milestones.Hits[1]?.WallSeconds, emuPower = emu?.Milestones.Hits[2]?.WallSeconds;
        double? emuCpu = emu?.CpuSeconds;
        if (emu != null)
        {
            sb.AppendLine($"  {"emu",-14} {W(emu.Milestones.Hits[0]?.WallSeconds)} {W(emuMarker)} {W(emuPower)} {W(emu.WallSeconds)}  | {W(emu.CpuSeconds)} (to halt) | {"1.00",8} {"1.00",8} | 1.00");
        }
        foreach (var r in references)
        {
            double? power = r.Milestones.Hits[2]?.WallSeconds, marker = r.Milestones.Hits[1]?.WallSeconds;
            double cpu = r.CpuSecondsAt[2];
            sb.AppendLine($"  {r.Name,-14} {W(r.Milestones.Hits[0]?.WallSeconds)} {W(marker)} {W(power)} {W(r.ExitSeconds)}  | {W(double.IsNaN(cpu) ? null : cpu)}           | {R(marker, emuMarker)} {R(power, emuPower)} | {R(double.IsNaN(cpu) ? null : cpu, emuCpu).Trim()}");
        }
        sb.AppendLine("  ratio = the emulator's time / emu's time (above 1: emu is faster). bochs boots linux.iso through its BIOS and ISOLINUX;");
        sb.AppendLine("  emu and QEMU load the kernel with -kernel (through their BIOS and fw_cfg loader ROM). CPU s: emu's CPU thread; QEMU/Bochs: the whole process.");
        foreach (var r in references) sb.AppendLine($"  {r.Name}: {r.CommandLine}");
        return sb.ToString();

        static string W(double? s) => s is { } v ? $"{v,8:0.00}" : $"{"-",8}";
        static string R(double? other, double? mine) => other is { } o && mine is { } m && m > 0 ? $"{o / m,8:0.00}" : $"{"-",8}";
    }

    static string BochsConfig(string iso, string com1, string log, int memoryMiB, long ips) => $"""
        megs: {memoryMiB}
        romimage: file=/usr/share/bochs/BIOS-bochs-latest
        vgaromimage: file=/usr/share/vgabios/vgabios.bin
        ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
        ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
        ata1-master: type=cdrom, path="{iso}", status=inserted
        boot: cdrom
        com1: enabled=1, mode=file, dev="{com1}"
        display_library: rfb, options="timeout=0"
        cpu: count=1, ips={ips}
        clock: sync=none, time0=local
        log: {log}
        panic: action=fatal
        error: action=report
        info: action=ignore
        debug: action=ignore

        """;

    static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    static string Tail(string log)
    {
        string t = log.Length > 400 ? log[^400..] : log;
        return t.Replace("\r", "").Replace("\n", " | ");
    }
}
