using System.Text;
using Emulator.Core.Cpu;
using Emulator.Core.Machine;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// The register dump of QEMU's <c>info registers</c>, <c>-d cpu_reset</c> and <c>-d int</c>
/// (x86_cpu_dump_state for a 32-bit CPU): general registers, EIP and EFLAGS with the
/// ODSZAPC letters, segment registers as selector, base, limit and descriptor flags (the
/// access-rights bits in place in the descriptor's high dword), GDT/IDT, control and
/// debug registers. The x87/SSE lines of QEMU's <c>-d cpu</c> style dump are not printed.
/// </summary>
internal static class CpuStateDump
{
    public static string Format(Machine machine)
    {
        var cpu = machine.Cpu;
        var sb = new StringBuilder();
        uint f = cpu.Eflags;
        ulong R(Gpr r) => cpu.GetGpr(r) & 0xFFFF_FFFF;
        sb.Append($"EAX={R(Gpr.Rax):x8} EBX={R(Gpr.Rbx):x8} ECX={R(Gpr.Rcx):x8} EDX={R(Gpr.Rdx):x8}\n");
        sb.Append($"ESI={R(Gpr.Rsi):x8} EDI={R(Gpr.Rdi):x8} EBP={R(Gpr.Rbp):x8} ESP={R(Gpr.Rsp):x8}\n");
        sb.Append($"EIP={cpu.Rip & 0xFFFF_FFFF:x8} EFL={f:x8} [{Flag(f, EFlags.OF, 'O')}{Flag(f, EFlags.DF, 'D')}{Flag(f, EFlags.SF, 'S')}")
          .Append($"{Flag(f, EFlags.ZF, 'Z')}{Flag(f, EFlags.AF, 'A')}{Flag(f, EFlags.PF, 'P')}{Flag(f, EFlags.CF, 'C')}] ")
          .Append($"CPL={cpu.Cpl} II=0 A20={(machine.Memory.A20Enabled ? 1 : 0)} SMM=0 HLT={(cpu.Halted ? 1 : 0)}\n");
        string[] names = ["ES =", "CS =", "SS =", "DS =", "FS =", "GS ="];
        for (int i = 0; i < 6; i++) Segment(sb, names[i], cpu.GetSegment((SegReg)i));
        Segment(sb, "LDT=", cpu.Ldtr);
        Segment(sb, "TR =", cpu.Tr);
        sb.Append($"GDT=     {cpu.GdtBase & 0xFFFF_FFFF:x8} {cpu.GdtLimit:x8}\n");
        sb.Append($"IDT=     {cpu.IdtBase & 0xFFFF_FFFF:x8} {cpu.IdtLimit:x8}\n");
        sb.Append($"CR0={cpu.Cr0 & 0xFFFF_FFFF:x8} CR2={cpu.Cr2 & 0xFFFF_FFFF:x8} CR3={cpu.Cr3 & 0xFFFF_FFFF:x8} CR4={cpu.Cr4 & 0xFFFF_FFFF:x8}\n");
        sb.Append($"DR0={cpu.GetDr(0):x8} DR1={cpu.GetDr(1):x8} DR2={cpu.GetDr(2):x8} DR3={cpu.GetDr(3):x8} \n");
        sb.Append($"DR6={cpu.GetDr(6):x8} DR7={cpu.GetDr(7):x8}\n");
        sb.Append($"EFER={cpu.Efer:x16}\n");
        return sb.ToString();
    }

    static char Flag(uint eflags, EFlags bit, char c) => (eflags & (uint)bit) != 0 ? c : '-';

    static void Segment(StringBuilder sb, string name, SegmentCache s) =>
        sb.Append($"{name}{s.Selector:x4} {s.Base & 0xFFFF_FFFF:x8} {s.Limit:x8} {(uint)s.Attributes << 8:x8}\n");
}
