using Emulator.Core.Time;
using Emulator.Devices.Interrupts;

namespace Emulator.Tests.Devices.Interrupts;

/// <summary>The CPU-facing combination: the APIC's fixed interrupts and the 8259 through LINT0 (virtual wire).</summary>
public class ApicInterruptControllerTests
{
    [Test]
    public void The_pic_path_works_until_the_os_masks_lint0()
    {
        var pic = PicTests.BiosInit();
        var apic = new LocalApic(new VirtualClock(5), () => { });
        var cpu = new ApicInterruptController(apic, pic);
        pic.SetIrq(1, true);
        Assert.That(cpu.InterruptPending, Is.True, "reset state: LINT0 is an unmasked ExtINT");
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0x09));
        pic.Out(0x20, 1, 0x20);
        pic.SetIrq(1, false);

        apic.Write(0xF0, 4, 0x1FF);
        apic.Write(0x350, 4, 0x1_0700);   // the OS switches to the APIC: LINT0 masked
        pic.SetIrq(3, true);
        Assert.That(pic.InterruptPending, Is.True);
        Assert.That(cpu.InterruptPending, Is.False);
        apic.Accept(0x41, false);
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0x41));
    }

    [Test]
    public void Apic_interrupts_are_taken_before_the_pics()
    {
        var pic = PicTests.BiosInit();
        var apic = new LocalApic(new VirtualClock(5), () => { });
        var cpu = new ApicInterruptController(apic, pic);
        apic.Write(0xF0, 4, 0x1FF);
        pic.SetIrq(4, true);
        apic.Accept(0x80, false);
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0x80));
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0x0C));
    }

    [Test]
    public void Lint0_as_a_fixed_input_turns_the_pic_output_into_an_apic_vector()
    {
        var pic = PicTests.BiosInit();
        var apic = new LocalApic(new VirtualClock(5), () => { });
        var cpu = new ApicInterruptController(apic, pic);
        apic.Write(0xF0, 4, 0x1FF);
        apic.Write(0x350, 4, 0x0042);     // LINT0: fixed, edge, vector 0x42
        pic.SetIrq(6, true);
        Assert.That(apic.IsRequested(0x42), Is.True);
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0x42));
        Assert.That(pic.Master.Isr, Is.EqualTo(0), "the 8259 was not acknowledged");
    }

    [Test]
    public void Nothing_pending_and_lint0_masked_gives_the_apic_spurious_vector()
    {
        var pic = PicTests.BiosInit();
        var apic = new LocalApic(new VirtualClock(5), () => { });
        var cpu = new ApicInterruptController(apic, pic);
        apic.Write(0xF0, 4, 0x1F7);
        apic.Write(0x350, 4, 0x1_0700);
        Assert.That(cpu.Acknowledge(), Is.EqualTo(0xF7));
    }
}
