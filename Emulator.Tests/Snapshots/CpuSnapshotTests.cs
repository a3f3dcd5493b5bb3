using Emulator.Core.Cpu;
using Emulator.Core.State;
using Emulator.Tests.Devices.Board;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// The CPU section carries state a busy guest rarely has at a save point: HLT, debug registers,
/// SYSENTER MSRs, a moved TSC, x87 registers, and lazily kept flags.
/// </summary>
public class CpuSnapshotTests
{
    [Test]
    public void A_halted_cpu_with_msrs_debug_and_x87_state_comes_back_in_a_fresh_machine()
    {
        var m = new BoardTestMachine();
        var stop = m.RunReal(a =>
        {
            a.mov(eax, 0x1234); a.mov(dr0, eax);
            a.mov(ecx, 0x175); a.mov(eax, 0xCAFE_0000); a.xor(edx, edx); a.wrmsr();       // SYSENTER_ESP
            a.mov(ecx, 0x10); a.mov(eax, 0x4000_0000); a.mov(edx, 7); a.wrmsr();           // TSC = 7_4000_0000h
            a.fninit(); a.fld1(); a.fldpi();
            a.mov(eax, 0xFFFF_FFFF); a.add(eax, 1);   // lazy flags: CF=ZF=1 pending at the save
            a.cli();
            a.hlt();
        });
        Assert.That(stop, Is.EqualTo(Emulator.Core.Machine.StopReason.Halted));
        var snapshot = MachineStateWriter.Save(m.Board.Saveables);

        var fresh = new BoardTestMachine();
        MachineStateReader.Load(fresh.Board.Saveables, snapshot);
        var cpu = fresh.Machine.Cpu;
        Assert.That(cpu.Halted, Is.True);
        Assert.That(cpu.GetDr(0), Is.EqualTo(0x1234));
        Assert.That(cpu.TimeStampCounter, Is.EqualTo(m.Machine.Cpu.TimeStampCounter));
        Assert.That(cpu.Fpu.Top, Is.EqualTo(6));
        Assert.That(cpu.Eflags & (uint)(EFlags.CF | EFlags.ZF), Is.EqualTo((uint)(EFlags.CF | EFlags.ZF)));
        Assert.That(MachineStateWriter.Save(fresh.Board.Saveables), Is.EqualTo(snapshot));
        Assert.That(fresh.Machine.Run(1000), Is.EqualTo(Emulator.Core.Machine.StopReason.Halted), "still halted with interrupts off");
    }
}
