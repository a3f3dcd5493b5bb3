using Emulator.Devices.Storage.Floppy;
using static Emulator.Tests.Devices.Storage.FloppyRig;

namespace Emulator.Tests.Devices.Storage;

/// <summary>Register-level tests of the 82077AA in PC/AT mode, expected values from the datasheet.</summary>
public class FloppyControllerTests
{
    static FloppyTestImage Image144(bool readOnly = false) => new(FloppyFormat.M1_44, readOnly);

    [Test]
    public void Hardware_reset_holds_the_controller_in_reset_until_DOR_bit_2_then_polling_interrupts_for_four_drives()
    {
        var rig = new FloppyRig(Image144());
        Assert.That(rig.In(Dor), Is.EqualTo(0x00), "DOR clears on hardware reset");
        Assert.That(rig.In(Msr), Is.EqualTo(0x00), "no RQM while in reset");
        rig.Run();
        Assert.That(rig.Irq, Is.False);

        rig.Out(Dor, 0x0C);
        Assert.That(rig.In(Msr), Is.EqualTo(0x80));
        Assert.That(rig.Irq, Is.False, "the polling interrupt comes after the first polling cycle");
        rig.Run();
        Assert.That(rig.Irq, Is.True);

        for (int d = 0; d < 4; d++)
        {
            rig.Command(0x08);
            Assert.That(rig.Results(), Is.EqualTo(new byte[] { (byte)(0xC0 | d), 0x00 }), $"drive {d}: IC = 11, ready changed");
            Assert.That(rig.Irq, Is.False);
        }
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }), "no interrupt pending: invalid command");
    }

    [Test]
    public void DOR_DMA_gate_holds_back_the_interrupt()
    {
        var rig = new FloppyRig(Image144());
        rig.Out(Dor, 0x04);
        rig.Run();
        Assert.That(rig.Fdc.InterruptPending, Is.True);
        Assert.That(rig.Irq, Is.False, "DMA GATE clear: INT is not driven onto IRQ 6");
        rig.Out(Dor, 0x0C);
        Assert.That(rig.Irq, Is.True);
    }

    [Test]
    public void AT_mode_status_registers_float_and_DIR_shows_the_selected_drives_change_line_with_its_motor_on()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        Assert.That(rig.In(0x3F0), Is.EqualTo(0xFF), "SRA exists only in PS/2 modes");
        Assert.That(rig.In(0x3F1), Is.EqualTo(0xFF), "SRB too");
        rig.Out(0x3F3, 0x01);
        Assert.That(rig.In(0x3F3), Is.EqualTo(0xFD), "TDR: tape select 1:0, the rest floating");

        rig.Out(Dor, 0x0C);
        Assert.That(rig.In(Dir), Is.EqualTo(0x7F), "motor off: drive not selected, DSKCHG inactive");
        rig.Out(Dor, 0x1C);
        Assert.That(rig.In(Dir), Is.EqualTo(0xFF), "disk change active since the disk went in");
        Assert.That(rig.Seek(0, 1), Is.EqualTo(new byte[] { 0x20, 1 }));
        Assert.That(rig.In(Dir), Is.EqualTo(0x7F), "a seek with a disk in resets DSKCHG");

        rig.Drives[0]!.Eject();
        Assert.That(rig.In(Dir), Is.EqualTo(0xFF), "removing the disk activates it");
        rig.Seek(0, 2);
        Assert.That(rig.In(Dir), Is.EqualTo(0xFF), "no disk: a seek does not reset it");
        rig.Drives[0]!.Insert(Image144());
        rig.Seek(0, 0);
        Assert.That(rig.In(Dir), Is.EqualTo(0x7F));
    }

    [Test]
    public void Version_invalid_opcodes_and_the_MSR_through_the_command_phase()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        rig.Command(0x10);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x90 }), "82077AA: enhanced controller");
        rig.Command(0x1F);
        Assert.That(rig.In(Msr), Is.EqualTo(0xD0), "result phase: RQM, DIO, CMD BSY");
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }));
        rig.Command(0x00);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x80 }));
        Assert.That(rig.Irq, Is.False, "invalid commands do not interrupt");

        rig.Command(0x03);
        Assert.That(rig.In(Msr), Is.EqualTo(0x90), "mid-command: RQM and CMD BSY");
        rig.Command(0xDF, 0x02);
        Assert.That(rig.In(Msr), Is.EqualTo(0x80), "SPECIFY has no result phase");
    }

    [Test]
    public void Configure_specify_perpendicular_and_lock_show_in_DUMPREG_and_lock_keeps_configure_over_a_reset()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        rig.Seek(0, 5);
        rig.Command(0x03, 0xDF, 0x03);             // SRT D, HUT F, HLT 1, ND
        rig.Command(0x13, 0x00, 0x57, 0x09);       // EIS, POLL off, FIFOTHR 7, PRETRK 9
        rig.Command(0x12, 0x84);                   // OW: D0 on
        rig.Command(0x12, 0x03);                   // GAP, WGATE
        rig.Command(0x94);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x10 }), "LOCK");
        rig.Command(0x0E);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 5, 0, 0, 0, 0xDF, 0x03, 0, 0x87, 0x57, 0x09 }));

        rig.Out(Dor, 0x18);
        rig.Out(Dor, 0x1C);
        rig.Run();
        Assert.That(rig.Irq, Is.False, "polling stays off: CONFIGURE was locked");
        rig.Command(0x0E);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0, 0, 0, 0, 0xDF, 0x03, 0, 0x84, 0x57, 0x09 }),
            "PCNs, GAP and WGATE cleared by reset; SPECIFY, D0-D3 and the locked CONFIGURE kept");

        rig.Command(0x14);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00 }), "UNLOCK");
        rig.Out(Dsr, 0x80);
        rig.Run();
        Assert.That(rig.Irq, Is.True, "DSR reset: CONFIGURE back to defaults, polling on");
        rig.Command(0x0E);
        Assert.That(rig.Results()[7..], Is.EqualTo(new byte[] { 0x04, 0x20, 0x00 }));
    }

    [Test]
    public void Sense_drive_status_reports_write_protect_track_0_and_the_fixed_bits()
    {
        var rig = new FloppyRig(Image144(), Image144(readOnly: true));
        rig.Ready();
        rig.Command(0x04, 0x00);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x38 }), "bit 5 and bit 3 always 1, T0");
        rig.Command(0x04, 0x04);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x3C }), "head 1");
        rig.Command(0x04, 0x01);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x79 }), "drive 1 write protected");
        rig.Command(0x04, 0x02);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x2A }), "no drive 2: no track 0");
        rig.Seek(0, 3);
        rig.Command(0x04, 0x00);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x28 }));
    }

    [Test]
    public void Seek_relative_seek_and_recalibrate_interrupt_and_report_through_sense_interrupt_status()
    {
        var rig = new FloppyRig(Image144(), Image144());
        rig.Ready();
        rig.Command(0x0F, 0x00, 10);
        Assert.That(rig.In(Msr), Is.EqualTo(0x81), "drive 0 busy, the controller free for other commands");
        Assert.That(rig.Irq, Is.False);
        rig.Run();
        Assert.That(rig.Irq, Is.True);
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 10 }), "seek end, PCN");
        Assert.That(rig.In(Msr), Is.EqualTo(0x80));
        Assert.That(rig.Drives[0]!.Cylinder, Is.EqualTo(10));

        rig.Command(0x8F, 0x04, 3);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 7 }), "relative seek outwards; HDS does not show in ST0");
        rig.Command(0xCF, 0x00, 5);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 12 }), "relative seek inwards");
        Assert.That(rig.Drives[0]!.Cylinder, Is.EqualTo(12));

        rig.Command(0x0F, 0x00, 5);
        rig.Command(0x0F, 0x01, 6);
        Assert.That(rig.In(Msr), Is.EqualTo(0x83), "overlapped seeks");
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 5 }));
        Assert.That(rig.In(Msr), Is.EqualTo(0x82));
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x21, 6 }));

        rig.Command(0x07, 0x00);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 0 }));
        Assert.That(rig.Drives[0]!.Cylinder, Is.Zero);

        rig.Command(0x07, 0x02);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x72, 0 }), "no drive 2: track 0 never found, equipment check");
    }

    [Test]
    public void Recalibrate_gives_up_after_79_steps()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        Assert.That(rig.Seek(0, 90), Is.EqualTo(new byte[] { 0x20, 90 }), "the controller counts to 90");
        Assert.That(rig.Drives[0]!.Cylinder, Is.EqualTo(83), "the head stops at the drive's last cylinder");
        rig.Command(0x07, 0x00);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x70, 0 }), "79 steps from 83 leave the head at 4: EC");
        rig.Command(0x07, 0x00);
        rig.Run();
        rig.Command(0x08);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 0 }));
    }

    [Test]
    public void Read_data_by_DMA_moves_one_sector_and_reports_the_next_sector()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 18));
        Assert.That(rig.In(Msr), Is.EqualTo(0x10), "execution phase in DMA mode: CMD BSY only");
        rig.Run();
        Assert.That(rig.Irq, Is.True);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 2, 2 }));
        Assert.That(rig.Irq, Is.False, "reading the result clears INT");
        Assert.That(rig.ReadMemory(0x3000, 512), Is.EqualTo(image.Sector(0, 0, 1)));
        Assert.That(rig.In(Msr), Is.EqualTo(0x80));
    }

    [Test]
    public void Terminal_count_on_the_EOT_sector_moves_the_result_to_sector_1_of_the_next_cylinder()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Seek(0, 1);
        rig.ProgramDma(0x46, 0x3000, 1024);
        rig.Command(Rw(0x46, 0, 0, 1, 0, 17, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 2, 0, 1, 2 }));
        Assert.That(rig.ReadMemory(0x3000, 1024), Is.EqualTo(image.Sector(1, 0, 17).Concat(image.Sector(1, 0, 18))));
    }

    [Test]
    public void Multi_track_read_crosses_from_side_0_to_side_1()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Seek(0, 1);
        rig.ProgramDma(0x46, 0x3000, 1024);
        rig.Command(Rw(0xC6, 0, 0, 1, 0, 18, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x04, 0x00, 0x00, 1, 1, 2, 2 }), "ended on head 1, sector 1 done");
        Assert.That(rig.ReadMemory(0x3000, 1024), Is.EqualTo(image.Sector(1, 0, 18).Concat(image.Sector(1, 1, 1))));

        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0xC6, 0, 1, 1, 1, 18, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x04, 0x00, 0x00, 2, 0, 1, 2 }), "MT, EOT on head 1: C + 1, H complemented");
    }

    [Test]
    public void A_read_running_past_EOT_without_terminal_count_ends_with_end_of_cylinder()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 4096);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 17, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x80, 0x00, 1, 0, 1, 2 }));
        Assert.That(rig.ReadMemory(0x3000, 1024), Is.EqualTo(image.Sector(0, 0, 17).Concat(image.Sector(0, 0, 18))));
    }

    [Test]
    public void Sectors_that_are_not_there_give_no_data_wrong_cylinder_or_missing_address_mark()
    {
        var rig = new FloppyRig(Image144(), new FloppyTestImage(FloppyFormat.K180));
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 19, 19));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x04, 0x00, 0, 0, 19, 2 }), "R beyond the track: ND");
        Assert.That(rig.ReadMemory(0x3000, 4), Is.EqualTo(new byte[4]));

        rig.Command(Rw(0x46, 0, 0, 5, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x04, 0x10, 5, 0, 1, 2 }), "head on cylinder 0: ND and WC");

        rig.Command(Rw(0x46, 0, 0, 0, 1, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x04, 0x00, 0, 1, 1, 2 }), "H in the ID differs from the side");

        rig.Out(Ccr, 0x02);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x01, 0x00, 0, 0, 1, 2 }), "250 kbit/s on 1.44M media: MA");

        rig.Out(Ccr, 0x00);
        rig.Command(Rw(0x06, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x01, 0x00, 0, 0, 1, 2 }), "FM on MFM media: MA");

        rig.Seek(0, 80);
        rig.Command(Rw(0x46, 0, 0, 80, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x01, 0x00, 80, 0, 1, 2 }), "cylinder 80 is not formatted");

        rig.Out(Ccr, 0x02);
        rig.Command(Rw(0x46, 1, 1, 0, 1, 1, 9));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x45, 0x01, 0x00, 0, 1, 1, 2 }), "single-sided 180K disk: no side 1");
    }

    [Test]
    public void Write_data_by_DMA_writes_the_image_and_zero_fills_after_terminal_count_mid_sector()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        var data = Enumerable.Range(0, 1024).Select(i => (byte)(i * 3 + 1)).ToArray();
        rig.Memory.Write(0x5000, data);
        rig.ProgramDma(0x4A, 0x5000, 1024);
        rig.Command(Rw(0x45, 0, 0, 0, 0, 3, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 5, 2 }));
        Assert.That(image.Sector(0, 0, 3).Concat(image.Sector(0, 0, 4)), Is.EqualTo(data));
        Assert.That(image.Sector(0, 0, 5), Is.EqualTo(image.Pattern(0, 0, 5)));

        rig.ProgramDma(0x4A, 0x5000, 100);
        rig.Command(Rw(0x45, 0, 0, 0, 0, 7, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 8, 2 }));
        Assert.That(image.Sector(0, 0, 7), Is.EqualTo(data.Take(100).Concat(new byte[412])));
    }

    [Test]
    public void Writing_a_protected_disk_or_an_empty_drive_ends_with_not_writable()
    {
        var image = Image144(readOnly: true);
        var rig = new FloppyRig(image, null);
        rig.Ready();
        rig.ProgramDma(0x4A, 0x5000, 512);
        rig.Command(Rw(0x45, 0, 0, 0, 0, 3, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x02, 0x00, 0, 0, 3, 2 }));
        Assert.That(image.Sector(0, 0, 3), Is.EqualTo(image.Pattern(0, 0, 3)));

        rig.Command(Rw(0x45, 1, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x41, 0x02, 0x00, 0, 0, 1, 2 }), "an empty drive's sensor reads protected");

        rig.Command(0x4D, 0x00, 2, 18, 0x54, 0xF6);
        rig.Run();
        Assert.That(rig.Results()[..2], Is.EqualTo(new byte[] { 0x40, 0x02 }), "FORMAT too");
    }

    [Test]
    public void Reading_an_empty_drive_waits_for_index_pulses_until_reset_or_a_disk_arrives()
    {
        var rig = new FloppyRig(Image144(), null);
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 1, 0, 0, 0, 1, 18));
        rig.Run(1_000_000_000);
        Assert.That(rig.In(Msr), Is.EqualTo(0x10), "still executing");
        Assert.That(rig.Irq, Is.False);

        rig.Out(Dor, 0x18);
        rig.Out(Dor, 0x1D);
        Assert.That(rig.In(Msr), Is.EqualTo(0x80), "reset recovers the controller");
        rig.Run();
        for (int i = 0; i < 4; i++) { rig.Command(0x08); rig.Results(); }

        var image = Image144();
        rig.Command(0x4A, 0x01);
        rig.Run();
        Assert.That(rig.In(Msr), Is.EqualTo(0x10));
        rig.Drives[1]!.Insert(image);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x01, 0x00, 0x00, 0, 0, 1, 2 }), "READ ID completes once the disk turns");
    }

    [Test]
    public void A_host_IO_error_is_a_CRC_error()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        image.Fail = true;
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x20, 0x20, 0, 0, 1, 2 }), "ST1 DE, ST2 DD");
        rig.ProgramDma(0x4A, 0x3000, 512);
        rig.Command(Rw(0x45, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x20, 0x00, 0, 0, 1, 2 }));
    }

    [Test]
    public void DMA_masked_or_gated_off_is_an_overrun()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x10, 0x00, 0, 0, 1, 2 }), "channel 2 masked since reset");

        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Out(Dor, 0x14);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Irq, Is.False);
        rig.Out(Dor, 0x1C);
        Assert.That(rig.Irq, Is.True);
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x10, 0x00, 0, 0, 1, 2 }));
    }

    [Test]
    public void Read_id_reports_the_sector_after_the_last_one_passed()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        rig.Command(0x4A, 0x00);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 1, 2 }));
        rig.Command(0x4A, 0x00);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 2, 2 }));
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 5, 18));
        rig.Run();
        rig.Results();
        rig.Seek(0, 4, head: 1);
        rig.Command(0x4A, 0x04);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x04, 0x00, 0x00, 4, 1, 6, 2 }));
        rig.Command(0x0A, 0x00);
        rig.Run();
        Assert.That(rig.Results()[..3], Is.EqualTo(new byte[] { 0x40, 0x01, 0x00 }), "FM: no address marks");
    }

    [Test]
    public void Format_track_takes_the_IDs_by_DMA_and_fills_the_sectors()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Seek(0, 2, head: 1);
        var ids = new byte[18 * 4];
        for (int i = 0; i < 18; i++) { ids[i * 4] = 2; ids[i * 4 + 1] = 1; ids[i * 4 + 2] = (byte)(i + 1); ids[i * 4 + 3] = 2; }
        rig.Memory.Write(0x4000, ids);
        rig.ProgramDma(0x4A, 0x4000, ids.Length);
        rig.Command(0x4D, 0x04, 2, 18, 0x54, 0xF6);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x04, 0x00, 0x00, 2, 1, 18, 2 }));
        for (int r = 1; r <= 18; r++)
            Assert.That(image.Sector(2, 1, r), Is.All.EqualTo(0xF6), $"sector {r}");
        Assert.That(image.Sector(2, 0, 1), Is.EqualTo(image.Pattern(2, 0, 1)), "side 0 untouched");
        Assert.That(image.Sector(3, 1, 1), Is.EqualTo(image.Pattern(3, 1, 1)));
    }

    [Test]
    public void Verify_counts_sectors_with_EC_or_runs_to_EOT_without()
    {
        var rig = new FloppyRig(Image144());
        rig.Ready();
        rig.Command(0x56, 0x80, 0, 0, 1, 2, 18, 0x1B, 3);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 0, 0, 4, 2 }), "EC: three sectors");
        rig.Command(0x56, 0x00, 0, 0, 16, 2, 18, 0x1B, 0xFF);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 1, 0, 1, 2 }), "EC = 0 ends normally at EOT");
        rig.Command(0x56, 0x80, 0, 0, 16, 2, 18, 0x1B, 5);
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x80, 0x00, 1, 0, 1, 2 }), "SC beyond EOT: end of cylinder");
    }

    [Test]
    public void Read_deleted_data_meets_normal_data_marks()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 1024);
        rig.Command(Rw(0x4C, 0, 0, 0, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x40, 0, 0, 2, 2 }), "SK = 0: read, CM, stop after it");
        Assert.That(rig.ReadMemory(0x3000, 1024), Is.EqualTo(image.Sector(0, 0, 1).Concat(new byte[512])));

        rig.ProgramDma(0x46, 0x6000, 1024);
        rig.Command(Rw(0x6C, 0, 0, 0, 0, 17, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x40, 1, 0, 1, 2 }), "SK = 1: every sector skipped");
        Assert.That(rig.ReadMemory(0x6000, 4), Is.EqualTo(new byte[4]));
    }

    [Test]
    public void Read_track_reads_from_the_index_and_flags_IDs_that_do_not_match()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.ProgramDma(0x46, 0x3000, 1536);
        rig.Command(Rw(0x42, 0, 0, 0, 0, 1, 3));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x00, 0x00, 0x00, 1, 0, 1, 2 }));
        Assert.That(rig.ReadMemory(0x3000, 1536), Is.EqualTo(image.Sector(0, 0, 1).Concat(image.Sector(0, 0, 2)).Concat(image.Sector(0, 0, 3))));

        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x42, 0, 0, 0, 0, 2, 3));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x04, 0x00, 0, 0, 3, 2 }), "the first sector's ID (R = 1) is not R = 2");
        Assert.That(rig.ReadMemory(0x3000, 512), Is.EqualTo(image.Sector(0, 0, 1)), "its data moves all the same");
    }

    [Test]
    public void Non_DMA_mode_moves_bytes_through_the_FIFO_with_an_interrupt_each_and_ends_at_EOT()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Command(0x03, 0xDF, 0x03);
        rig.Command(Rw(0x46, 0, 0, 0, 0, 1, 1));
        Assert.That(rig.In(Msr), Is.EqualTo(0x30), "non-DMA execution, no byte yet");
        rig.Run();
        var got = new byte[512];
        for (int i = 0; i < 512; i++)
        {
            Assert.That(rig.In(Msr), Is.EqualTo(0xF0), $"byte {i}: RQM, DIO, NON-DMA, CMD BSY");
            Assert.That(rig.Irq, Is.True);
            got[i] = rig.In(Fifo);
        }
        Assert.That(got, Is.EqualTo(image.Sector(0, 0, 1)));
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x80, 0x00, 1, 0, 1, 2 }), "no TC in non-DMA mode: EN at EOT");

        rig.Command(Rw(0x45, 0, 0, 0, 0, 2, 2));
        rig.Run();
        var data = Enumerable.Range(0, 512).Select(i => (byte)(255 - i)).ToArray();
        foreach (var b in data)
        {
            Assert.That(rig.In(Msr), Is.EqualTo(0xB0), "RQM, NON-DMA, CMD BSY; DIO clear for writes");
            rig.Out(Fifo, b);
        }
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x40, 0x80, 0x00, 1, 0, 1, 2 }));
        Assert.That(image.Sector(0, 0, 2), Is.EqualTo(data));
    }

    [Test]
    public void Implied_seek_moves_the_head_to_the_commands_cylinder()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Command(0x13, 0x00, 0x60, 0x00);   // EIS, FIFO off, polling on
        rig.ProgramDma(0x46, 0x3000, 512);
        rig.Command(Rw(0x46, 0, 0, 3, 0, 1, 18));
        rig.Run();
        Assert.That(rig.Results(), Is.EqualTo(new byte[] { 0x20, 0x00, 0x00, 3, 0, 2, 2 }), "SE set by the implied seek");
        Assert.That(rig.ReadMemory(0x3000, 512), Is.EqualTo(image.Sector(3, 0, 1)));
        Assert.That(rig.Drives[0]!.Cylinder, Is.EqualTo(3));
    }

    [Test]
    public void Save_and_load_round_trips_mid_seek_and_mid_transfer()
    {
        var image = Image144();
        var rig = new FloppyRig(image);
        rig.Ready();
        rig.Command(0x03, 0xDF, 0x03);
        rig.Command(0x0F, 0x00, 7);
        var bytes = Snapshots.SnapshotBytes.Save(rig.Fdc);
        var copy = new FloppyRig(image);
        Emulator.Tests.Devices.Board.Snapshot.Load(copy.Fdc, bytes);
        Assert.That(Snapshots.SnapshotBytes.Save(copy.Fdc), Is.EqualTo(bytes));
        copy.Run(5_000_000);
        copy.Command(0x08);
        Assert.That(copy.Results(), Is.EqualTo(new byte[] { 0x20, 7 }), "the pending seek completes after loading");
        Assert.That(copy.Drives[0]!.Cylinder, Is.EqualTo(7));

        copy.Command(Rw(0x46, 0, 0, 7, 0, 1, 1));
        copy.Run();
        for (int i = 0; i < 100; i++) copy.In(Fifo);
        var mid = Snapshots.SnapshotBytes.Save(copy.Fdc);
        var third = new FloppyRig(image);
        Emulator.Tests.Devices.Board.Snapshot.Load(third.Fdc, mid);
        Assert.That(Snapshots.SnapshotBytes.Save(third.Fdc), Is.EqualTo(mid));
        var rest = new byte[412];
        for (int i = 0; i < rest.Length; i++) rest[i] = third.In(Fifo);
        Assert.That(rest, Is.EqualTo(image.Sector(7, 0, 1)[100..]));
        Assert.That(third.Results(), Is.EqualTo(new byte[] { 0x40, 0x80, 0x00, 8, 0, 1, 2 }));
    }
}
