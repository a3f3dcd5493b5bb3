using Emulator.Core.Cpu;
using Emulator.Core.Interrupts;
using Emulator.Core.Io;
using Emulator.Core.Machine;
using Emulator.Core.Time;
using Emulator.Devices.Chipset;
using Emulator.Tests.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Devices.Chipset;

/// <summary>
/// The PIIX4 power-management function (PIIX4 datasheet 3.4.2, 7.1-7.5) as QEMU's pc has it:
/// PM1 registers, the PM timer, SCI, sleep, GPE0, SMBus with nothing attached, APM ports.
/// </summary>
public class Piix4AcpiTests
{
    const ushort Pm = 0xB000;   // where SeaBIOS puts the PM block
    const int AcpiDevFn = 0x0B; // 01.3

    static void EnablePmBlock(Assembler a)
    {
        PciAsm.WriteDword(a, AcpiDevFn, 0x40, Pm);
        PciAsm.WriteByte(a, AcpiDevFn, 0x80, 0x01);
    }

    sealed class Standalone
    {
        public readonly IoBus Io = new();
        public readonly VirtualClock Clock = new();
        public bool Sci;
        public int? Exit;
        public readonly Piix4Acpi Acpi;

        public Standalone()
        {
            Acpi = new Piix4Acpi(Io, Clock, new IrqLine(9, (_, l) => Sci = l), code => Exit = code);
            Io.Register(Piix4Acpi.ApmControlPort, 2, Acpi);
            Io.Register(Piix4Acpi.Gpe0Port, 4, Acpi);
            Acpi.WriteConfig(0x40, 4, Pm);
            Acpi.WriteConfig(0x80, 1, 1);
        }

        public void AdvanceTo(long ns)
        {
            Clock.AdvanceTo(ns);
            Clock.RunDue();
        }
    }

    [Test]
    public void Identity_and_reset_values()
    {
        var s = new Standalone();
        s.Acpi.Reset();
        Assert.Multiple(() =>
        {
            Assert.That(s.Acpi.ReadConfig(0, 4), Is.EqualTo(0x7113_8086));
            Assert.That(s.Acpi.ReadConfig(0x08, 4), Is.EqualTo(0x0680_0003));
            Assert.That(s.Acpi.ReadConfig(0x06, 2), Is.EqualTo(0x0280));
            Assert.That(s.Acpi.ReadConfig(0x3D, 1), Is.EqualTo(1), "INTA#");
            Assert.That(s.Acpi.ReadConfig(0x40, 4), Is.EqualTo(1), "PMBA: I/O indicator only");
            Assert.That(s.Acpi.ReadConfig(0x90, 4), Is.EqualTo(0xB101), "SMBBA as QEMU sets it");
            Assert.That(s.Acpi.ReadConfig(0xD2, 1), Is.EqualTo(0x09));
            Assert.That(s.Acpi.ReadConfig(0x5B, 1), Is.EqualTo(0x02));
            Assert.That(s.Acpi.PmBase, Is.Null);
            Assert.That(s.Acpi.SmbusBase, Is.EqualTo((ushort)0xB100));
        });
    }

    [Test]
    public void Pmba_keeps_bits_15_to_6_and_the_block_decodes_only_while_enabled()
    {
        var s = new Standalone();
        Assert.That(s.Acpi.PmBase, Is.EqualTo(Pm));
        s.Acpi.WriteConfig(0x40, 4, 0xFFFF_FFFF);
        Assert.That(s.Acpi.ReadConfig(0x40, 4), Is.EqualTo(0xFFC1));
        s.Acpi.WriteConfig(0x80, 1, 0);
        Assert.That(s.Acpi.PmBase, Is.Null);
        Assert.That(s.Io.In(0xFFC8, 4), Is.EqualTo(0xFFFF_FFFF));
    }

    [Test]
    public void The_pm_timer_counts_3579545_per_second_of_virtual_time_in_24_bits()
    {
        var s = new Standalone();
        Assert.That(s.Io.In(Pm + 8, 4), Is.Zero);
        s.AdvanceTo(1_000_000_000);
        Assert.That(s.Io.In(Pm + 8, 4), Is.EqualTo(3_579_545));
        s.AdvanceTo(5_000_000_000);                         // 17897725 = 0x111_1AFD
        Assert.That(s.Io.In(Pm + 8, 4), Is.EqualTo(17_897_725 & 0xFF_FFFF));
        Assert.That(s.Io.In(Pm + 10, 2), Is.EqualTo(0x0011), "upper byte reads 0");
    }

    [Test]
    public void A_guest_sees_the_pm_timer_advance_with_its_own_instructions()
    {
        var m = new BoardTestMachine();
        var reason = m.RunReal(a =>
        {
            EnablePmBlock(a);
            var loop = a.CreateLabel();
            a.mov(dx, Pm + 8);
            a.@in(eax, dx);
            a.mov(ebx, eax);
            a.mov(cx, 50000);
            a.Label(ref loop);
            a.loop(loop);
            a.@in(eax, dx);
            a.mov(esi, eax);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.Halted));
        uint delta = (m.Reg(Gpr.Rsi) - m.Reg(Gpr.Rbx)) & 0xFF_FFFF;
        // About 50000 instructions of 5 ns: 250 us at 3.579545 MHz = 894.9 ticks.
        Assert.That(delta, Is.InRange(893u, 897u));
    }

    [Test]
    public void Tmr_sts_is_set_when_bit_23_toggles_and_raises_the_sci_when_enabled()
    {
        var s = new Standalone();
        s.Io.Out(Pm + 2, 2, Piix4Acpi.TmrSts);             // TMR_EN
        long toggleNs = (long)Math.Ceiling(0x80_0000 * 1e9 / 3_579_545);
        s.AdvanceTo(toggleNs - 1);
        Assert.That(s.Io.In(Pm, 2) & 1, Is.Zero);
        Assert.That(s.Sci, Is.False);
        s.AdvanceTo(toggleNs);
        Assert.That(s.Sci, Is.True, "the overflow event raised the SCI");
        Assert.That(s.Io.In(Pm, 2) & 1, Is.EqualTo(1));
        s.Io.Out(Pm, 2, Piix4Acpi.TmrSts);                 // write 1 to clear
        Assert.That(s.Sci, Is.False);
        Assert.That(s.Io.In(Pm, 2) & 1, Is.Zero);
        s.AdvanceTo(2 * toggleNs);
        Assert.That(s.Sci, Is.True, "the next toggle (bit 23 falling) sets it again");
    }

    [Test]
    public void The_power_button_status_raises_the_sci_only_when_enabled()
    {
        var s = new Standalone();
        s.Acpi.PressPowerButton();
        Assert.That(s.Io.In(Pm, 2), Is.EqualTo(Piix4Acpi.PwrbtnSts));
        Assert.That(s.Sci, Is.False);
        s.Io.Out(Pm + 3, 1, Piix4Acpi.PwrbtnSts >> 8);    // byte write to the high half of PM1_EN
        Assert.That(s.Sci, Is.True);
        s.Io.Out(Pm, 4, 0xFFFF_0000u | Piix4Acpi.PwrbtnSts); // a dword write: clear status, keep enables
        Assert.That(s.Sci, Is.False);
        Assert.That(s.Io.In(Pm, 4), Is.EqualTo(0xFFFFu << 16));
    }

    [Test]
    public void A_guest_powers_off_with_slp_typ_s5_and_slp_en()
    {
        var m = new BoardTestMachine();
        var reason = m.RunReal(a =>
        {
            EnablePmBlock(a);
            a.mov(dx, Pm + 4);
            a.mov(ax, 0x2000);        // SLP_EN, SLP_TYP 0 = soft off (S5)
            a.@out(dx, ax);
            a.mov(ebx, 0xBAD);
            a.hlt();
        });
        Assert.That(reason, Is.EqualTo(StopReason.ExitRequested));
        Assert.That(m.Machine.ExitCode, Is.Zero);
        Assert.That(m.Reg(Gpr.Rbx), Is.Not.EqualTo(0xBAD));
    }

    [Test]
    public void Suspend_to_ram_is_not_modelled_and_slp_en_reads_0()
    {
        var s = new Standalone();
        s.Io.Out(Pm + 4, 2, 0x2401);             // S3 with SCI_EN
        Assert.That(s.Exit, Is.Null);
        Assert.That(s.Io.In(Pm + 4, 2), Is.EqualTo(0x0401));
        s.Io.Out(Pm + 5, 1, 0x28);               // S4 through the high byte: powers off as QEMU does
        Assert.That(s.Exit, Is.Zero);
    }

    [Test]
    public void Apm_control_writes_f1_and_f0_switch_sci_en_and_both_ports_read_back()
    {
        var s = new Standalone();
        s.Io.Out(0xB2, 1, 0xF1);
        Assert.That(s.Acpi.Pm1Control & Piix4Acpi.SciEn, Is.EqualTo(1));
        s.Io.Out(0xB3, 1, 0x5A);
        Assert.That(s.Io.In(0xB2, 2), Is.EqualTo(0x5AF1));
        s.Io.Out(0xB2, 1, 0xF0);
        Assert.That(s.Acpi.Pm1Control & Piix4Acpi.SciEn, Is.Zero);
    }

    [Test]
    public void Gpe0_status_is_write_1_to_clear_and_enable_is_read_write()
    {
        var s = new Standalone();
        s.Io.Out(0xAFE0, 4, 0x1234_FFFF);
        Assert.That(s.Io.In(0xAFE0, 4), Is.EqualTo(0x1234_0000));
        Assert.That(s.Sci, Is.False);
    }

    [Test]
    public void An_smbus_transaction_ends_in_device_error_because_nothing_is_attached()
    {
        var s = new Standalone();
        const ushort smb = 0xB100;
        s.Io.Out(smb + 4, 1, 0xA1);              // read from address 0x50 (an SPD EEPROM)
        s.Io.Out(smb + 2, 1, 0x48);              // START, byte data
        Assert.That(s.Io.In(smb + 2, 1), Is.EqualTo(0x08), "START reads 0");
        Assert.That(s.Io.In(smb, 1), Is.EqualTo(0x01), "HOST_BUSY until the status is read");
        Assert.That(s.Io.In(smb, 1), Is.EqualTo(0x04), "then DEV_ERR");
        s.Io.Out(smb, 1, 0x04);
        Assert.That(s.Io.In(smb, 1), Is.Zero);
        s.Io.Out(smb + 2, 1, 0x49);              // with INTREN it completes at once
        Assert.That(s.Io.In(smb, 1), Is.EqualTo(0x04));
        s.Io.Out(smb + 2, 1, 0x02);              // KILL
        Assert.That(s.Io.In(smb, 1), Is.EqualTo(0x14));
    }

    sealed class Recorder : IIoDevice
    {
        public uint In(ushort port, int size) => 0x42;
        public void Out(ushort port, int size, uint value) { }
    }

    [Test]
    public void Moving_the_pm_block_over_other_ports_gives_them_back_afterwards()
    {
        var s = new Standalone();
        var other = new Recorder();
        s.Io.Register(0x700, 8, other);
        s.Acpi.WriteConfig(0x40, 4, 0x700);
        Assert.That(s.Io.DeviceAt(0x700), Is.SameAs(s.Acpi));
        s.Acpi.WriteConfig(0x40, 4, 0x800);
        Assert.That(s.Io.DeviceAt(0x700), Is.SameAs(other));
        Assert.That(s.Io.DeviceAt(Pm), Is.Null);
    }

    [Test]
    public void The_state_round_trips_and_the_timer_status_goes_on_the_same()
    {
        var s = new Standalone();
        s.Io.Out(Pm + 2, 2, Piix4Acpi.TmrSts | Piix4Acpi.PwrbtnSts);
        s.Io.Out(0xB2, 1, 0xF1);
        s.Io.Out(0xB100 + 3, 1, 0x77);
        s.Io.Out(0xAFE2, 2, 0x0003);
        s.AdvanceTo(1_000_000_000);
        var saved = Snapshot.Save(s.Acpi);

        var t = new Standalone();
        t.Clock.AdvanceTo(1_000_000_000);
        Snapshot.Load(t.Acpi, saved);
        Assert.That(Snapshot.Save(t.Acpi), Is.EqualTo(saved));
        Assert.That(t.Acpi.PmBase, Is.EqualTo(Pm));
        Assert.That(t.Io.In(Pm + 2, 2), Is.EqualTo(Piix4Acpi.TmrSts | Piix4Acpi.PwrbtnSts));
        long toggleNs = (long)Math.Ceiling(0x80_0000 * 1e9 / 3_579_545);
        s.AdvanceTo(toggleNs);
        t.AdvanceTo(toggleNs);
        Assert.That(t.Sci, Is.EqualTo(s.Sci).And.True, "the overflow event was re-armed on load");
        Assert.That(Snapshot.Save(t.Acpi), Is.EqualTo(Snapshot.Save(s.Acpi)));
    }
}
