using System.Text;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Monitor;

namespace Emulator.Frontend.Trace;

/// <summary>
/// The CPU items of <c>-d</c>, written to the log (<c>-D FILE</c> or stderr) in QEMU's shapes:
/// <list type="bullet">
/// <item><c>in_asm</c>: each block when it is decoded (once, until its code changes): a
/// "----------------" line, "IN: ", the instructions in AT&amp;T syntax at their linear
/// addresses, a blank line.</item>
/// <item><c>int</c>: each interrupt or exception delivered: "N: v=VV e=EEEE i=I cpl=C
/// IP=CS:EIP pc=LINEAR SP=SS:ESP" then CR2 (page faults) or EAX, then the registers. Unlike
/// QEMU, real-mode deliveries are logged too.</item>
/// <item><c>cpu_reset</c>: "CPU Reset (CPU 0)" and the registers after each reset (QEMU
/// prints the state just before it).</item>
/// <item><c>exec</c>: "Trace 0: [CS_BASE/PC] " before each block runs (QEMU's line also has
/// the host code pointer and TB flags, which emu does not have).</item>
/// </list>
/// <c>-dfilter</c> limits <c>in_asm</c> and <c>exec</c> to blocks starting in its ranges. Each
/// hook is installed only when its item is on; the CPU pays nothing for the others.
/// </summary>
internal sealed class TraceLog
{
    readonly Machine machine;
    readonly TextWriter log;
    readonly (ulong First, ulong Last)[] filter;
    int interruptCount;

    public TraceLog(Machine machine, LogItems items, IReadOnlyList<(ulong First, ulong Last)> filter, TextWriter log)
    {
        this.machine = machine;
        this.log = log;
        this.filter = filter.ToArray();
        var cpu = machine.Cpu;
        if (items.HasFlag(LogItems.InAsm)) cpu.BlockDecoded = OnBlockDecoded;
        if (items.HasFlag(LogItems.Int)) cpu.InterruptDelivering += OnInterrupt;
        if (items.HasFlag(LogItems.Exec)) cpu.BlockExecuting = OnBlockExecuting;
        if (items.HasFlag(LogItems.CpuReset)) machine.OnReset(OnReset);
    }

    bool Wanted(ulong address)
    {
        if (filter.Length == 0) return true;
        foreach (var (first, last) in filter)
            if (address >= first && address <= last) return true;
        return false;
    }

    void OnBlockDecoded(Cpu cpu, ulong linear, ulong physical, int length)
    {
        if (!Wanted(linear)) return;
        // The bytes come from the physical pages the decoder read; a block that crosses into
        // the next page continues at its own translation.
        byte[] code = Debugging.GuestMemoryAccess.Read(machine, linear, length);
        var sb = new StringBuilder("----------------\nIN: \n");
        Disassembly.Append(sb, code, cpu.CodeBits, linear, -1);
        sb.Append('\n');
        log.Write(sb.ToString());
    }

    void OnInterrupt(Cpu cpu, InterruptEvent e)
    {
        var cs = cpu.GetSegment(SegReg.CS);
        var ss = cpu.GetSegment(SegReg.SS);
        ulong eip = cpu.Rip & 0xFFFF_FFFF;
        var sb = new StringBuilder();
        sb.Append($"{interruptCount++,6}: v={e.Vector:x2} e={(e.HasErrorCode ? e.ErrorCode : 0):x4} i={(e.Software ? 1 : 0)} cpl={cpu.Cpl} ")
          .Append($"IP={cs.Selector:x4}:{eip:x8} pc={(cs.Base + eip) & 0xFFFF_FFFF:x8} SP={ss.Selector:x4}:{cpu.GetGpr(Gpr.Rsp) & 0xFFFF_FFFF:x8}");
        sb.Append(e.Vector == 0x0E ? $" CR2={cpu.Cr2 & 0xFFFF_FFFF:x8}" : $" env->regs[R_EAX]={cpu.GetGpr(Gpr.Rax) & 0xFFFF_FFFF:x8}");
        sb.Append('\n').Append(CpuStateDump.Format(machine));
        log.Write(sb.ToString());
    }

    void OnBlockExecuting(Cpu cpu)
    {
        ulong pc = cpu.LinearIp;
        if (!Wanted(pc)) return;
        log.Write($"Trace 0: [{cpu.GetSegment(SegReg.CS).Base & 0xFFFF_FFFF:x8}/{pc:x8}] \n");
    }

    void OnReset()
    {
        log.Write("CPU Reset (CPU 0)\n" + CpuStateDump.Format(machine));
    }
}
