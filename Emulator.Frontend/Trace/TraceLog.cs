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
/// <item><c>pcall</c>: one line per completed protected-mode transfer that went through a gate or
/// TSS, or changed privilege, task or virtual-8086 mode: "pcall: lcall via call gate32 0x0043
/// (1 param): 001b:00001005 cpl=3 -&gt; 0008:00002000 cpl=0, ss:esp 0023:00007ffc -&gt; 0010:00009ff0".
/// QEMU prints its "lcall"/"lret"/"switch_tss" lines before the checks with a register dump; emu
/// prints what happened, before and after, and nothing for a transfer that faulted (<c>int</c>
/// shows the fault).</item>
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
        if (items.HasFlag(LogItems.Pcall)) cpu.ControlTransferred = OnControlTransfer;
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

    void OnControlTransfer(Cpu cpu, in ControlTransferEvent t)
    {
        log.Write(FormatTransfer(t) + "\n");
    }

    /// <summary>The <c>-d pcall</c> line for <paramref name="t"/>, without its newline.</summary>
    public static string FormatTransfer(in ControlTransferEvent t)
    {
        var sb = new StringBuilder("pcall: ");
        sb.Append(t.Kind switch
        {
            TransferKind.Jump => "ljmp",
            TransferKind.Call => "lcall",
            TransferKind.Return => "lret",
            TransferKind.InterruptReturn => "iret",
            TransferKind.SoftwareInterrupt => $"int 0x{t.Vector:x2}",
            TransferKind.Exception => $"exception 0x{t.Vector:x2}",
            _ => $"interrupt 0x{t.Vector:x2}",
        });
        if (t.GateType != 0)
        {
            sb.Append(" via ").Append(GateName(t.GateType));
            if (t.Kind is TransferKind.Jump or TransferKind.Call) sb.Append($" 0x{t.GateSelector:x4}");
            if (t.GateType is 4 or 0xC && t.Kind == TransferKind.Call && t.From.Cpl != t.To.Cpl)
                sb.Append($" ({t.ParameterCount} param{(t.ParameterCount == 1 ? "" : "s")})");
        }
        sb.Append(": ");
        AppendPoint(sb, t.From);
        sb.Append(" -> ");
        AppendPoint(sb, t.To);
        if (t.TaskSwitched) sb.Append($", task switch tr 0x{t.From.Tr:x4} -> 0x{t.To.Tr:x4}");
        if (t.StackSwitched)
            sb.Append($", ss:esp {t.From.Ss:x4}:{t.From.Esp:x8} -> {t.To.Ss:x4}:{t.To.Esp:x8}");
        return sb.ToString();
    }

    static void AppendPoint(StringBuilder sb, in TransferPoint p)
    {
        if (p.V86) sb.Append("v86 ");
        sb.Append($"{p.Cs:x4}:{p.Eip:x8} cpl={p.Cpl}");
    }

    /// <summary>System descriptor types (SDM vol. 3, table 3-2).</summary>
    static string GateName(byte type) => type switch
    {
        1 => "tss16",
        9 => "tss32",
        4 => "call gate16",
        0xC => "call gate32",
        5 => "task gate",
        6 => "int gate16",
        7 => "trap gate16",
        0xE => "int gate32",
        0xF => "trap gate32",
        _ => $"type {type}",
    };

    void OnReset()
    {
        log.Write("CPU Reset (CPU 0)\n" + CpuStateDump.Format(machine));
    }
}
