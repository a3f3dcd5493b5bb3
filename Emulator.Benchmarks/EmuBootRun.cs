using System.Diagnostics;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Firmware;
using Emulator.Devices.Serial;
using Emulator.Devices.Storage;

namespace Emulator.Benchmarks;

/// <summary>
/// One unpaced boot of the Linux guest on a <see cref="PcBoard"/> through
/// <see cref="LinuxDirectBoot"/>, the machine <c>emu -m 256 -kernel -initrd -append console=ttyS0</c>
/// builds (with the empty CD-ROM the frontend adds at secondary master), but with
/// <see cref="MachineConfig.PaceToWallClock"/> off so virtual time runs as fast as the CPU does.
/// COM1's bytes go to <see cref="BootMilestones"/>, which reads the instruction count and the
/// virtual clock at the byte completing each milestone.
/// </summary>
internal sealed class EmuBootRun
{
    /// <summary>Run slices: the loop checks the wall-time limit between them.</summary>
    const long SliceInstructions = 50_000_000;

    public required BootMilestones Milestones { get; init; }
    public StopReason Stop { get; private set; }
    public long Instructions { get; private set; }
    public long VirtualNs { get; private set; }
    public double WallSeconds { get; private set; }
    public double CpuSeconds { get; private set; }
    public bool TimedOut { get; private set; }
    public EipSampler? Profile { get; private set; }
    /// <summary>The guest's memory, for the profile's disassembly.</summary>
    public Emulator.Core.Memory.PhysicalMemory? Memory { get; private set; }

    public static EmuBootRun Run(byte[] kernelFile, byte[] initrd, ulong memory, TimeSpan limit, bool profile)
    {
        var kernel = new LinuxKernelImage(kernelFile);
        var console = new WatchingSerial();
        var board = new PcBoard(new PcBoardConfig
        {
            Machine = new MachineConfig { MemorySize = memory, NoReboot = true, PaceToWallClock = false },
            Bios = EmbeddedBios.Load(),
            Serials = [console],
            IdeDrives = [null, null, new IdeDrive(DriveMedia.CdRom, null)],
        });
        var machine = board.Machine;
        LinuxDirectBoot.Load(machine, board.MemoryMap, kernel, initrd, "console=ttyS0");

        var wall = new Stopwatch();
        var run = new EmuBootRun { Milestones = new BootMilestones(wall, () => (machine.Cpu.InstructionsRetired, machine.Clock.Now)) };
        console.Milestones = run.Milestones;
        var sampler = profile ? new EipSampler(machine.Cpu) : null;

        double cpu0 = ThreadCpuClock.Now();
        wall.Start();
        sampler?.Start();
        StopReason stop;
        while (true)
        {
            stop = machine.Run(SliceInstructions);
            if (stop != StopReason.BudgetExhausted) break;
            if (wall.Elapsed > limit) { run.TimedOut = true; break; }
        }
        wall.Stop();
        sampler?.Stop();
        run.CpuSeconds = ThreadCpuClock.Now() - cpu0;
        run.Stop = stop;
        run.Instructions = machine.Cpu.InstructionsRetired;
        run.VirtualNs = machine.Clock.Now;
        run.WallSeconds = wall.Elapsed.TotalSeconds;
        run.Profile = sampler;
        run.Memory = machine.Memory;
        return run;
    }

    /// <summary>The COM1 backend: output only, every byte to the milestone watcher.</summary>
    sealed class WatchingSerial : ISerialBackend
    {
        public BootMilestones? Milestones;
        public void Write(byte value) => Milestones?.Feed((char)value);
        public bool CanReceive => false;
        public bool TryRead(out byte value) { value = 0; return false; }
    }
}
