using Emulator.Core.Cpu;
using Emulator.Frontend.CommandLine;
using Emulator.Frontend.Trace;
using Emulator.Tests.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Frontend;

/// <summary>
/// <c>-d pcall</c> on guest programs built with <see cref="ProtectedModeSetup"/>: expected lines worked by
/// hand from the SDM's stack layouts (vol. 3, figures 5-13 and 6-4) and the setup's memory map
/// (ring-0 stack top 70000h from TSS A's ESP0, ring-3 stack top 60000h, halt stubs at 5000h + 16 x vector).
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
public class PcallTraceTests
{
    const ushort CallGate = 0x40, TaskGate = 0x48;   // GDT slots 8 and 9
    const uint Ring3Code = (uint)ProtectedModeSetup.ExtraCode, GateTarget = Ring3Code + 0x100;

    /// <summary>
    /// Ring 0 IRETs to ring 3; ring 3 pushes one parameter and calls through a DPL-3 32-bit call gate (one
    /// parameter) into ring 0, which returns with RETF 4; ring 3 then takes INT 41h (a DPL-3 interrupt gate).
    /// Returns the log and the addresses of the IRET, the far CALL, the instruction after it and the one after INT.
    /// </summary>
    static (string Log, uint IretAt, uint CallAt, uint AfterCall, uint AfterInt) RunRingScenario(LogItems items)
    {
        var s = new ProtectedModeSetup();
        var iretAt = default(Iced.Intel.Label);
        s.Build(a =>
        {
            a.push(ProtectedModeSetup.Data3);
            a.push((int)ProtectedModeSetup.Stack3Top);
            a.push(2);                                  // EFLAGS: IF clear
            a.push(ProtectedModeSetup.Code3);
            a.push((int)Ring3Code);
            iretAt = a.CreateLabel();
            a.Label(ref iretAt);
            a.iretd();
        });
        var callAt = default(Iced.Intel.Label);
        var afterCall = default(Iced.Intel.Label);
        var afterInt = default(Iced.Intel.Label);
        var ring3 = s.Assemble32(Ring3Code, a =>
        {
            callAt = a.CreateLabel();
            afterCall = a.CreateLabel();
            afterInt = a.CreateLabel();
            a.push(0x1234);
            a.Label(ref callAt);
            a.db(0x9A); a.dd(0); a.dw(CallGate | 3);     // call far 0043:00000000 (ptr16:32)
            a.Label(ref afterCall);
            a.@int(ProtectedModeSetup.HaltVector);
            a.Label(ref afterInt);
            a.hlt();
        });
        s.Assemble32(GateTarget, a => a.retf(4));
        s.SetGdt(CallGate >> 3, ProtectedModeSetup.Gate(ProtectedModeSetup.Code0, GateTarget, 0xC, dpl: 3, paramCount: 1));
        var log = new StringWriter();
        _ = new TraceLog(s.M.Machine, items, [], log);
        s.Run();
        Assert.That(s.HaltedVector, Is.EqualTo(ProtectedModeSetup.HaltVector), "the guest reached INT 41h's halt stub");
        return (log.ToString(), s.BodyLabel(iretAt), (uint)ring3.GetLabelRIP(callAt), (uint)ring3.GetLabelRIP(afterCall),
            (uint)ring3.GetLabelRIP(afterInt));
    }

    static string[] PcallLines(string log) =>
        log.Split('\n').Where(l => l.StartsWith("pcall:", StringComparison.Ordinal)).ToArray();

    [Test]
    public void CallGateToRing0AndReturnsToRing3AreLoggedWithStacks()
    {
        var (log, iretAt, callAt, afterCall, afterInt) = RunRingScenario(LogItems.Pcall);
        Assert.That(PcallLines(log), Is.EqualTo(new[]
        {
            // IRET from ring 0 with 5 dwords pushed on the 70000h stack: ESP 6FFECh.
            $"pcall: iret: 0008:{iretAt:x8} cpl=0 -> 001b:{Ring3Code:x8} cpl=3, ss:esp 0010:0006ffec -> 0023:00060000",
            // One parameter pushed (5FFFCh); the ring-0 stack gets SS, ESP, the parameter, CS, EIP: 70000h - 20.
            $"pcall: lcall via call gate32 0x0043 (1 param): 001b:{callAt:x8} cpl=3 -> 0008:{GateTarget:x8} cpl=0, ss:esp 0023:0005fffc -> 0010:0006ffec",
            // RETF 4 releases the parameter on the outer stack: 5FFFCh + 4.
            $"pcall: lret: 0008:{GateTarget:x8} cpl=0 -> 001b:{afterCall:x8} cpl=3, ss:esp 0010:0006ffec -> 0023:00060000",
            // INT 41h from ring 3: SS, ESP, EFLAGS, CS, EIP on the ring-0 stack; the halt stub at 5000h + 41h x 16.
            $"pcall: int 0x41 via int gate32: 001b:{afterInt:x8} cpl=3 -> 0008:00005410 cpl=0, ss:esp 0023:00060000 -> 0010:0006ffec",
        }));
        Assert.That(log, Does.Not.Contain("v=41"), "only pcall was asked for");
    }

    [Test]
    public void WithPcallOffTheSameGuestLogsNoTransfers()
    {
        var (log, _, _, _, _) = RunRingScenario(LogItems.Int);
        Assert.That(log, Does.Contain("v=41 e=0000 i=1 cpl=3"), "the int item still logs");
        Assert.That(log, Does.Not.Contain("pcall"));
    }

    [Test]
    public void IretToVirtual8086AndAnInterruptOutOfItAreLogged()
    {
        var s = new ProtectedModeSetup();
        var iretAt = default(Iced.Intel.Label);
        s.Build(a =>
        {
            foreach (int v in new[] { 0, 0, 0, 0, 0x3000, 0xFFF0 }) a.push(v);   // GS FS DS ES SS ESP
            a.push(0x23002);                            // EFLAGS: VM, IOPL 3 (INT n allowed in V86 mode)
            a.push(0x2000);                             // CS
            a.push(0);                                  // EIP
            iretAt = a.CreateLabel();
            a.Label(ref iretAt);
            a.iretd();
        });
        s.Assemble(16, ProtectedModeSetup.ExtraCode, a =>
        {
            a.@int(ProtectedModeSetup.HaltVector);
            a.hlt();
        });
        var log = new StringWriter();
        _ = new TraceLog(s.M.Machine, LogItems.Pcall, [], log);
        s.Run();
        Assert.That(s.HaltedVector, Is.EqualTo(ProtectedModeSetup.HaltVector));
        Assert.That(PcallLines(log.ToString()), Is.EqualTo(new[]
        {
            // Nine dwords pushed for the V86 frame: 70000h - 36.
            $"pcall: iret: 0008:{s.BodyLabel(iretAt):x8} cpl=0 -> v86 2000:00000000 cpl=3, ss:esp 0010:0006ffdc -> 3000:0000fff0",
            // Out of V86 mode the frame has GS, FS, DS, ES too (SDM vol. 3, figure 20-5): nine dwords again.
            "pcall: int 0x41 via int gate32: v86 2000:00000002 cpl=3 -> 0008:00005410 cpl=0, ss:esp 3000:0000fff0 -> 0010:0006ffdc",
        }));
    }

    [Test]
    public void TaskSwitchesThroughATaskGateATssAndIretAreLogged()
    {
        var s = new ProtectedModeSetup();
        var jmpAt = default(Iced.Intel.Label);
        var iretAt = default(Iced.Intel.Label);
        s.Build(a =>
        {
            jmpAt = a.CreateLabel();
            iretAt = a.CreateLabel();
            a.Label(ref jmpAt);
            a.db(0xEA); a.dd(0); a.dw(TaskGate);        // jmp far 0048:0 (task gate -> TSS B)
            a.Label(ref iretAt);
            a.iretd();                                  // task A, called back by B: NT set, return to B
        });
        var callAt = default(Iced.Intel.Label);
        var afterCall = default(Iced.Intel.Label);
        var taskB = s.Assemble32(Ring3Code, a =>
        {
            callAt = a.CreateLabel();
            afterCall = a.CreateLabel();
            a.Label(ref callAt);
            a.db(0x9A); a.dd(0); a.dw(ProtectedModeSetup.TssA);   // call far 0028:0 (TSS A, freed by the JMP)
            a.Label(ref afterCall);
            a.hlt();
        });
        s.SetGdt(TaskGate >> 3, ProtectedModeSetup.Gate(ProtectedModeSetup.TssB, 0, 5, dpl: 0));
        s.WriteTss32(ProtectedModeSetup.TssBBase, eip: Ring3Code, eflags: 2, esp: 0x50000);
        var log = new StringWriter();
        _ = new TraceLog(s.M.Machine, LogItems.Pcall, [], log);
        s.Run();
        uint jmp = s.BodyLabel(jmpAt), iret = s.BodyLabel(iretAt);
        uint call = (uint)taskB.GetLabelRIP(callAt), after = (uint)taskB.GetLabelRIP(afterCall);
        Assert.That(s.Cpu.Tr.Selector, Is.EqualTo(ProtectedModeSetup.TssB));
        Assert.That(PcallLines(log.ToString()), Is.EqualTo(new[]
        {
            $"pcall: ljmp via task gate 0x0048: 0008:{jmp:x8} cpl=0 -> 0008:{Ring3Code:x8} cpl=0, task switch tr 0x0028 -> 0x0030, ss:esp 0010:00070000 -> 0010:00050000",
            // A resumes after its JMP with the ESP it saved; B's CALL pushes nothing (SDM vol. 3, 8.3).
            $"pcall: lcall via tss32 0x0028: 0008:{call:x8} cpl=0 -> 0008:{iret:x8} cpl=0, task switch tr 0x0030 -> 0x0028, ss:esp 0010:00050000 -> 0010:00070000",
            $"pcall: iret: 0008:{iret:x8} cpl=0 -> 0008:{after:x8} cpl=0, task switch tr 0x0028 -> 0x0030, ss:esp 0010:00070000 -> 0010:00050000",
        }));
    }
}
