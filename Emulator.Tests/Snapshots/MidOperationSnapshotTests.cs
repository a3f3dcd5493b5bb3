using Emulator.Devices.Board;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;
using static Emulator.Tests.Snapshots.MidOperationRig;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// Snapshots taken while devices are in the middle of something (a floppy seek or DMA read, a
/// UART with bytes in its FIFO and a THRE interrupt pending, armed HPET comparators and local APIC
/// timers, IDE PIO/DMA and ATAPI transfers, PIT channel 2 and the RTC's periodic interrupt): the
/// restored machine continues block by block as the saved one did, with the same serial output,
/// disk contents, interrupt counts and, at the end, the same whole state. Each guest runs through
/// several save points, each chosen by what is pending at that moment.
/// </summary>
public class MidOperationSnapshotTests
{
    const long After = 60_000;

    static void Check(MidOperationRig rig, string what, Func<PcBoard, bool> midOperation, long budget = 3_000_000, long after = After)
    {
        Assert.That(rig.RunUntil(midOperation, budget), Is.True, () => $"never reached: {what} (counters {rig.Counter(0)} {rig.Counter(1)} {rig.Counter(2)}, " +
            $"pending {string.Join(" ", rig.Machine.Clock.PendingEvents.Select(e => e.Name))}, CS:IP {rig.Machine.Cpu.GetSegment(Emulator.Core.Cpu.SegReg.CS).Selector:X}:{rig.Machine.Cpu.Rip:X})");
        Assert.That(rig.ContinuesIdenticallyAfterRestore(after), Is.Null, $"saved {what}");
    }

    /// <summary>A busy loop of <paramref name="loops"/> with interrupts on (time passes only with instructions).</summary>
    static void InterruptsOnFor(Assembler a, int loops)
    {
        var idle = a.CreateLabel();
        a.mov(cx, (ushort)loops);
        a.Label(ref idle);
        a.loop(idle);
    }

    /// <summary>CLI, a busy loop of <paramref name="loops"/>, STI: interrupts that come meanwhile wait in the controllers.</summary>
    static void InterruptsOffFor(Assembler a, int loops)
    {
        var idle = a.CreateLabel();
        a.cli();
        a.mov(cx, (ushort)loops);
        a.Label(ref idle);
        a.loop(idle);
        a.sti();
    }

    // ---- (a) floppy ----

    /// <summary>FIFO byte out: BL (waits for RQM with DIO clear, 82077AA MSR).</summary>
    static void FdcSend(Assembler a, Label send, Label receive)
    {
        var w1 = a.CreateLabel(); var w2 = a.CreateLabel();
        a.Label(ref send);
        a.mov(dx, 0x3F4);
        a.Label(ref w1);
        a.@in(al, dx); a.and(al, 0xC0); a.cmp(al, 0x80); a.jne(w1);
        a.inc(dx); a.mov(al, bl); a.@out(dx, al);
        a.ret();
        a.Label(ref receive);   // FIFO byte in: AL (RQM and DIO set)
        a.mov(dx, 0x3F4);
        a.Label(ref w2);
        a.@in(al, dx); a.and(al, 0xC0); a.cmp(al, 0xC0); a.jne(w2);
        a.inc(dx); a.@in(al, dx);
        a.ret();
    }

    static void Send(Assembler a, Label send, params byte[] bytes)
    {
        foreach (byte b in bytes) { a.mov(bl, b); a.call(send); }
    }

    /// <summary>
    /// Recalibrate, then forever: seek to cylinder (n mod 80), and READ DATA of two sectors by DMA
    /// into 0x20000 (every fourth pass WRITE DATA from there instead), with the
    /// result phase polled with interrupts off for a while, so IRQ 6 stays pending in the PIC.
    /// Counter 0: IRQ 6s taken; counter 1: passes; results at 0x700.
    /// </summary>
    static void FloppyProgram(Assembler a)
    {
        Label send = a.CreateLabel(), receive = a.CreateLabel(), start = a.CreateLabel(), loop = a.CreateLabel();
        Label write = a.CreateLabel(), go = a.CreateLabel(), spin = a.CreateLabel(), results = a.CreateLabel();
        a.jmp(start);
        FdcSend(a, send, receive);
        a.Label(ref start);
        Prologue(a, 1 << 6);
        a.sti();
        a.mov(bp, __word_ptr[Counters]);
        a.mov(dx, 0x3F2); a.xor(al, al); a.@out(dx, al); a.mov(al, 0x1C); a.@out(dx, al);   // reset, then drive 0 motor + DMA gate
        WaitForCounterChange(a, 0);
        a.mov(dx, 0x3F7); a.xor(al, al); a.@out(dx, al);                                     // CCR: 500 kbit/s, the 1.44 MB rate
        for (int i = 0; i < 4; i++) { Send(a, send, 0x08); a.call(receive); a.call(receive); }   // the reset's ready changes
        Send(a, send, 0x03, 0xDF, 0x02);                                                       // SPECIFY: DMA mode
        a.mov(bp, __word_ptr[Counters]);
        Send(a, send, 0x07, 0x00);                                                             // RECALIBRATE
        WaitForCounterChange(a, 0);
        Send(a, send, 0x08); a.call(receive); a.call(receive);
        a.xor(si, si);

        a.Label(ref loop);
        // SEEK drive 0 head 0 to cylinder si mod 80.
        a.mov(bp, __word_ptr[Counters]);
        Send(a, send, 0x0F, 0x00);
        a.mov(ax, si); a.mov(cl, 80); a.div(cl); a.mov(bl, ah); a.mov(di, ax); a.call(send);
        WaitForCounterChange(a, 0);
        Send(a, send, 0x08); a.call(receive); a.call(receive);
        // 8237 channel 2: 0x20000, 1024 bytes; mode 46h (read: to memory) or 4Ah (write: from memory).
        a.mov(al, 0x06); a.@out(0x0A, al);
        a.@out(0x0C, al);
        a.test(si, 3);
        a.mov(al, 0x46);
        a.jnz(go);
        a.mov(al, 0x4A);
        a.Label(ref go);
        a.@out(0x0B, al);
        a.xor(al, al); a.@out(0x04, al); a.@out(0x04, al);
        a.mov(al, 0x02); a.@out(0x81, al);
        a.mov(al, 0xFF); a.@out(0x05, al); a.mov(al, 0x03); a.@out(0x05, al);
        a.mov(al, 0x02); a.@out(0x0A, al);
        // READ DATA (E6h: MT MFM SK) or WRITE DATA (C5h), C = cylinder, H 0, R 1 + (si mod 17), N 2, EOT 18.
        a.mov(bp, __word_ptr[Counters]);
        a.mov(bl, 0xE6);
        a.test(si, 3);
        a.jnz(write);
        a.mov(bl, 0xC5);
        a.Label(ref write);
        a.call(send);
        Send(a, send, 0x00);
        a.mov(ax, di); a.mov(bl, ah); a.call(send);
        Send(a, send, 0x00);
        a.mov(ax, si); a.and(ax, 15); a.inc(ax); a.mov(bl, al); a.call(send);
        Send(a, send, 0x02, 18, 0x1B, 0xFF);
        // With interrupts off until the result phase and a while after: IRQ 6 waits in the PIC's IRR.
        a.cli();
        a.mov(dx, 0x3F4);
        a.Label(ref spin);
        a.@in(al, dx); a.and(al, 0xC0); a.cmp(al, 0xC0); a.jne(spin);
        a.mov(cx, 400);
        var idle = a.CreateLabel();
        a.Label(ref idle);
        a.loop(idle);
        WaitForCounterChange(a, 0);
        a.mov(cx, 7);
        a.mov(di, 0x700);
        a.Label(ref results);
        a.call(receive);
        a.mov(__byte_ptr[di], al);
        a.inc(di);
        a.loop(results);
        a.inc(__word_ptr[Counters + 2]);
        a.inc(si);
        a.jmp(loop);
    }

    [Test]
    public void Floppy_seek_dma_read_and_write_with_irq6_pending()
    {
        var rig = Start(FloppyProgram, handlers: (0x0E, CountingHandler(0)));
        Check(rig, "during a seek", b => rig.Pending("fdc.seek0"));
        Check(rig, "during a read's execution phase", b => rig.Pending("fdc.execute") && rig.Counter(1) % 4 != 0);
        Check(rig, "with IRQ 6 pending in the PIC", b => (b.Pic.Master.Irr & 0x40) != 0 && !rig.Pending("fdc.execute"));
        Check(rig, "during a write's execution phase", b => rig.Pending("fdc.execute") && rig.Counter(1) % 4 == 0);
        Assert.That(rig.Counter(1), Is.GreaterThan(4), "passes");
        var results = Enumerable.Range(0, 7).Select(i => (byte)rig.Machine.Memory.ReadSlow((ulong)(0x700 + i), 1)).ToArray();
        Assert.That(results[0] & 0xC0, Is.Zero, $"the last command's ST0: normal termination ({Convert.ToHexString(results)})");
    }

    // ---- (b) UART ----

    /// <summary>
    /// COM1 at 115200 baud, 8N1, FIFOs on (receive trigger 4), RDA and THRE interrupts through
    /// OUT2. The IRQ 4 handler answers every identification: THRE sends the next 16 bytes of a
    /// counting sequence (counter 1 counts bursts), received data and character timeouts drain the
    /// FIFO into 0x4000 (counter 2 counts bytes), anything else reads LSR and MSR. The main loop
    /// keeps interrupts off for a while now and then, so IRQ 4 waits in the PIC.
    /// </summary>
    static void UartProgram(Assembler a)
    {
        var loop = a.CreateLabel();
        Prologue(a, 1 << 4);
        a.mov(dx, 0x3FB); a.mov(al, 0x80); a.@out(dx, al);
        a.mov(dx, 0x3F8); a.mov(al, 1); a.@out(dx, al);
        a.inc(dx); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x3FB); a.mov(al, 0x03); a.@out(dx, al);
        a.mov(dx, 0x3FA); a.mov(al, 0x47); a.@out(dx, al);
        a.mov(dx, 0x3FC); a.mov(al, 0x0B); a.@out(dx, al);
        a.mov(dx, 0x3F9); a.mov(al, 0x03); a.@out(dx, al);
        a.sti();
        a.Label(ref loop);
        InterruptsOffFor(a, 700);
        a.hlt();
        a.jmp(loop);
    }

    static void UartHandler(Assembler a)
    {
        Label next = a.CreateLabel(), done = a.CreateLabel(), notThre = a.CreateLabel(), notRx = a.CreateLabel(), burst = a.CreateLabel(), drain = a.CreateLabel();
        a.push(ax); a.push(cx); a.push(dx); a.push(bx);
        a.inc(__word_ptr[Counters]);
        a.Label(ref next);
        a.mov(dx, 0x3FA); a.@in(al, dx);
        a.test(al, 1); a.jnz(done);
        a.and(al, 0x0E);
        a.cmp(al, 0x02); a.jne(notThre);
        a.inc(__word_ptr[Counters + 2]);
        a.mov(cx, 16);
        a.mov(dx, 0x3F8);
        a.Label(ref burst);
        a.mov(al, __byte_ptr[Counters + 6]); a.and(al, 0x3F); a.add(al, 0x30); a.@out(dx, al);
        a.inc(__word_ptr[Counters + 6]);
        a.loop(burst);
        a.jmp(next);
        a.Label(ref notThre);
        a.test(al, 0x04); a.jz(notRx);
        a.Label(ref drain);
        a.mov(dx, 0x3FD); a.@in(al, dx); a.test(al, 1); a.jz(next);
        a.mov(dx, 0x3F8); a.@in(al, dx);
        a.mov(bx, __word_ptr[Counters + 4]); a.and(bx, 0x3FF);
        a.mov(__byte_ptr[bx + 0x4000], al);
        a.inc(__word_ptr[Counters + 4]);
        a.jmp(drain);
        a.Label(ref notRx);
        a.mov(dx, 0x3FD); a.@in(al, dx);
        a.mov(dx, 0x3FE); a.@in(al, dx);
        a.jmp(next);
        a.Label(ref done);
        a.mov(al, 0x20); a.@out(0x20, al);
        a.pop(bx); a.pop(dx); a.pop(cx); a.pop(ax);
        a.iret();
    }

    [Test]
    public void Uart_transmitting_and_receiving_with_fifo_contents_and_thre_pending()
    {
        var input = new byte[64];
        for (int i = 0; i < input.Length; i++) input[i] = (byte)('a' + i % 26);
        var rig = Start(UartProgram, input, (0x0C, UartHandler));
        Check(rig, "while transmitting, with received bytes in the FIFO", b => rig.Pending("serial0.tx") && rig.Pending("serial0.timeout"), after: 120_000);
        Check(rig, "with IRQ 4 pending in the PIC", b => (b.Pic.Master.Irr & 0x10) != 0, after: 120_000);
        Check(rig, "before a character timeout", b => rig.Pending("serial0.timeout") && !rig.Pending("serial0.tx"), after: 120_000);
        Assert.That(rig.Counter(1), Is.GreaterThan(3), "THRE bursts");
        Assert.That(rig.Counter(2), Is.GreaterThan(3), "bytes received");
        Assert.That(rig.Serial.Output.Take(20), Is.EqualTo("0123456789:;<=>?@ABC"u8.ToArray()));
    }

    // ---- (c) HPET ----

    /// <summary>
    /// HPET in legacy replacement mode: timer 0 periodic every 100 us on IRQ 0 (counter 0), timer 1
    /// one-shot on IRQ 8, re-armed 130 us ahead by its handler (counter 1). The main loop reads the
    /// main counter into EAX (so the trace sees it) and spins, half the time with interrupts off.
    /// </summary>
    static void HpetProgram(Assembler a)
    {
        var loop = a.CreateLabel();
        Prologue(a, 1 << 0 | 1 << 8);
        a.mov(ebx, 0xFED0_0000);
        // Timer 0: interrupt, periodic; each comparator half written with VAL_SET (it clears after a write)
        // sets the first match and the period, both 100 us.
        a.mov(__dword_ptr[ebx + 0x100], 0x4C);
        a.mov(__dword_ptr[ebx + 0x108], 10_000);
        a.mov(__dword_ptr[ebx + 0x100], 0x4C);
        a.mov(__dword_ptr[ebx + 0x10C], 0);
        a.mov(__dword_ptr[ebx + 0x120], 0x04);          // timer 1: interrupt, one-shot
        a.mov(__dword_ptr[ebx + 0x128], 13_000);
        a.mov(__dword_ptr[ebx + 0x12C], 0);
        a.mov(__dword_ptr[ebx + 0x10], 3);              // ENABLE_CNF | LEG_RT_CNF
        a.sti();
        a.Label(ref loop);
        a.mov(eax, __dword_ptr[ebx + 0xF0]);
        a.mov(__dword_ptr[Counters + 8], eax);
        InterruptsOffFor(a, 2000);
        InterruptsOnFor(a, 2000);
        a.jmp(loop);
    }

    static void HpetOneShotHandler(Assembler a)
    {
        a.push(eax); a.push(ebx);
        a.inc(__word_ptr[Counters + 2]);
        a.mov(ebx, 0xFED0_0000);
        a.mov(eax, __dword_ptr[ebx + 0xF0]);
        a.add(eax, 13_000);
        a.mov(__dword_ptr[ebx + 0x128], eax);
        a.mov(al, 0x20); a.@out(0xA0, al); a.@out(0x20, al);
        a.pop(ebx); a.pop(eax);
        a.iret();
    }

    [Test]
    public void Hpet_with_a_periodic_and_a_one_shot_comparator_armed()
    {
        var rig = Start(HpetProgram, handlers: [(0x08, CountingHandler(0)), (0x70, HpetOneShotHandler)]);
        Check(rig, "with both comparators armed", b => rig.Pending("hpet.timer0") && rig.Counter(0) > 0);
        Check(rig, "with IRQ 0 pending in the PIC", b => (b.Pic.Master.Irr & 0x01) != 0);
        Check(rig, "with IRQ 8 pending in the PIC", b => (b.Pic.Slave.Irr & 0x01) != 0);
        Assert.That(rig.Counter(0), Is.GreaterThan(5), "periodic interrupts");
        Assert.That(rig.Counter(1), Is.GreaterThan(3), "one-shot interrupts");
    }

    // ---- (d) local APIC timer ----

    /// <summary>
    /// The local APIC enabled (SVR 1FFh), its timer at divide-by-1: periodic on vector 40h for 200
    /// interrupts (counter 0), then one-shot on vector 41h, re-armed by its handler (counter 1).
    /// Both handlers spend a while before their EOI (the vector in ISR, the next one landing in
    /// IRR); the main loop reads the current count into EAX and spins, half the time with
    /// interrupts off.
    /// </summary>
    static void ApicProgram(Assembler a)
    {
        Label loop = a.CreateLabel(), periodic = a.CreateLabel();
        Prologue(a, 0);
        a.mov(ebx, 0xFEE0_0000);
        a.mov(__dword_ptr[ebx + 0xF0], 0x1FF);
        a.mov(__dword_ptr[ebx + 0x3E0], 0x0B);
        a.mov(__dword_ptr[ebx + 0x320], 0x2_0040);
        a.mov(__dword_ptr[ebx + 0x380], 30_000);
        a.sti();
        a.Label(ref loop);
        a.cmp(__word_ptr[Counters], 200);
        a.jne(periodic);
        a.mov(__dword_ptr[ebx + 0x320], 0x41);          // one-shot from now on
        a.mov(__dword_ptr[ebx + 0x380], 25_000);
        a.inc(__word_ptr[Counters]);
        a.Label(ref periodic);
        a.mov(eax, __dword_ptr[ebx + 0x390]);
        a.mov(__dword_ptr[Counters + 8], eax);
        InterruptsOffFor(a, 500);
        InterruptsOnFor(a, 500);
        a.jmp(loop);
    }

    static Action<Assembler> ApicHandler(int counter, bool rearm) => a =>
    {
        var idle = a.CreateLabel();
        a.push(ebx); a.push(cx);
        a.inc(__word_ptr[Counters + 2 * counter]);
        a.mov(cx, 900);
        a.Label(ref idle);
        a.loop(idle);
        a.mov(ebx, 0xFEE0_0000);
        if (rearm) a.mov(__dword_ptr[ebx + 0x380], 21_000);
        a.mov(__dword_ptr[ebx + 0xB0], 0);
        a.pop(cx); a.pop(ebx);
        a.iret();
    };

    [Test]
    public void Local_apic_timer_counting_periodic_and_one_shot_with_vectors_in_irr_and_isr()
    {
        var rig = Start(ApicProgram, handlers: [(0x40, ApicHandler(0, rearm: false)), (0x41, ApicHandler(1, rearm: true))]);
        Check(rig, "periodic, counting", b => rig.Pending("lapic-timer") && rig.Counter(0) is > 1 and < 100);
        Check(rig, "periodic, vector 40h in service", b => b.LocalApic.IsInService(0x40) && rig.Counter(0) < 200);
        Check(rig, "periodic, vector 40h requested", b => b.LocalApic.IsRequested(0x40) && !b.LocalApic.IsInService(0x40) && rig.Counter(0) < 200);
        Check(rig, "one-shot, counting", b => rig.Pending("lapic-timer") && rig.Counter(1) > 1);
        Check(rig, "one-shot, vector 41h in service", b => b.LocalApic.IsInService(0x41));
        Check(rig, "one-shot, vector 41h requested", b => b.LocalApic.IsRequested(0x41));
        Assert.That(rig.Counter(1), Is.GreaterThan(3), "one-shot interrupts");
    }

    // ---- (e) IDE ----

    const int Stage = Counters + 8;

    static void Ata(Assembler a, byte command, byte count, Action<Assembler> lbaLowToAx)
    {
        a.mov(dx, 0x1F6); a.mov(al, 0xE0); a.@out(dx, al);
        a.mov(dx, 0x1F2); a.mov(al, count); a.@out(dx, al);
        lbaLowToAx(a);
        a.mov(dx, 0x1F3); a.@out(dx, al);
        a.mov(dx, 0x1F4); a.mov(al, ah); a.@out(dx, al);
        a.mov(dx, 0x1F5); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x1F7); a.mov(al, command); a.@out(dx, al);
    }

    /// <summary>
    /// Forever, each pass (counter 2) with its stage at <see cref="Stage"/>: 1, READ SECTORS of 4
    /// sectors by PIO (an IRQ 14 per block); 2, WRITE SECTORS of 2 by PIO; 3, READ DMA of 2
    /// sectors through the PIIX3 bus master (BAR4 at C000h, the PRD table at 680h) into 0x30000,
    /// or every fourth pass WRITE DMA from there; 4, an ATAPI READ(10) of 2 blocks by PIO on the
    /// secondary channel's CD-ROM (the first one answers the power-on unit attention). After each
    /// DMA start and packet the program keeps interrupts off a while, so IRQs wait in the PIC.
    /// Counter 0 counts IRQ 14s, counter 1 IRQ 15s.
    /// </summary>
    static void IdeProgram(Assembler a)
    {
        Label loop = a.CreateLabel(), rd = a.CreateLabel(), wr = a.CreateLabel(), wrPoll = a.CreateLabel(), dmaRead = a.CreateLabel(), dmaGo = a.CreateLabel();
        Label atapiPoll = a.CreateLabel(), atapiLoop = a.CreateLabel(), atapiDone = a.CreateLabel();
        Prologue(a, 1 << 14 | 1 << 15);
        Emulator.Tests.Devices.Board.PciAsm.WriteDword(a, 9, 0x20, 0xC001);
        Emulator.Tests.Devices.Board.PciAsm.WriteByte(a, 9, 0x04, 0x05);
        a.mov(__dword_ptr[0x680], 0x30000);
        a.mov(__dword_ptr[0x684], unchecked((int)0x8000_0400));
        a.xor(al, al);
        a.mov(dx, 0x3F6); a.@out(dx, al);
        a.mov(dx, 0x376); a.@out(dx, al);
        a.xor(si, si);
        a.sti();

        a.Label(ref loop);
        // 1: READ SECTORS, 4 sectors from LBA 8 + 4 x (pass mod 256), into 2000:0.
        a.mov(__word_ptr[Stage], 1);
        a.mov(ax, 0x2000); a.mov(es, ax); a.xor(di, di);
        a.mov(bp, __word_ptr[Counters]);
        Ata(a, 0x20, 4, x => { x.mov(ax, si); x.and(ax, 0xFF); x.shl(ax, 2); x.add(ax, 8); });
        a.mov(bx, 4);
        a.Label(ref rd);
        WaitForCounterChange(a, 0);
        a.mov(bp, __word_ptr[Counters]);
        a.mov(dx, 0x1F7); a.@in(al, dx);
        a.mov(dx, 0x1F0); a.mov(cx, 256); a.rep.insw();
        a.dec(bx); a.jnz(rd);
        // 2: WRITE SECTORS, 2 sectors from 2000:0 to LBA 1000 + 2 x (pass mod 16).
        a.mov(__word_ptr[Stage], 2);
        Ata(a, 0x30, 2, x => { x.mov(ax, si); x.and(ax, 15); x.shl(ax, 1); x.add(ax, 1000); });
        a.mov(bx, 2);
        a.push(si);
        a.xor(si, si);
        a.Label(ref wr);
        a.mov(dx, 0x1F7);
        a.Label(ref wrPoll);
        a.@in(al, dx); a.test(al, 0x80); a.jnz(wrPoll); a.test(al, 0x08); a.jz(wrPoll);
        a.mov(bp, __word_ptr[Counters]);
        a.mov(ax, 0x2000); a.mov(ds, ax);
        a.mov(dx, 0x1F0); a.mov(cx, 256); a.rep.outsw();
        a.xor(ax, ax); a.mov(ds, ax);
        WaitForCounterChange(a, 0);
        a.mov(dx, 0x1F7); a.@in(al, dx);
        a.dec(bx); a.jnz(wr);
        a.pop(si);
        // 3: READ DMA (or WRITE DMA every fourth pass), 2 sectors, 0x30000, LBA 100 + pass mod 512.
        a.mov(__word_ptr[Stage], 3);
        a.mov(dx, 0xC004); a.mov(eax, 0x680); a.@out(dx, eax);
        a.mov(dx, 0xC002); a.mov(al, 6); a.@out(dx, al);
        a.mov(bl, 8);
        a.test(si, 3);
        a.jnz(dmaRead);
        a.xor(bl, bl);
        a.Label(ref dmaRead);
        a.mov(dx, 0xC000); a.mov(al, bl); a.@out(dx, al);
        a.mov(bp, __word_ptr[Counters]);
        a.mov(bh, 0xC8);
        a.test(si, 3);
        a.jnz(dmaGo);
        a.mov(bh, 0xCA);
        a.Label(ref dmaGo);
        a.mov(dx, 0x1F6); a.mov(al, 0xE0); a.@out(dx, al);
        a.mov(dx, 0x1F2); a.mov(al, 2); a.@out(dx, al);
        a.mov(ax, si); a.and(ax, 511); a.add(ax, 100);
        a.mov(dx, 0x1F3); a.@out(dx, al);
        a.mov(dx, 0x1F4); a.mov(al, ah); a.@out(dx, al);
        a.mov(dx, 0x1F5); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x1F7); a.mov(al, bh); a.@out(dx, al);
        a.mov(dx, 0xC000); a.mov(al, bl); a.or(al, 1); a.@out(dx, al);
        InterruptsOffFor(a, 10_000);
        WaitForCounterChange(a, 0);
        a.mov(dx, 0xC000); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x1F7); a.@in(al, dx);
        a.mov(dx, 0xC002); a.@in(al, dx); a.mov(__byte_ptr[Counters + 10], al); a.mov(al, 6); a.@out(dx, al);
        // 4: ATAPI READ(10) of 2 blocks at LBA pass mod 32, byte count limit 800h, into 4000:0.
        a.mov(__word_ptr[Stage], 4);
        a.mov(ax, 0x4000); a.mov(es, ax); a.xor(di, di);
        a.mov(dx, 0x176); a.mov(al, 0xA0); a.@out(dx, al);
        a.mov(dx, 0x171); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x174); a.@out(dx, al);
        a.mov(dx, 0x175); a.mov(al, 0x08); a.@out(dx, al);
        a.mov(dx, 0x177); a.mov(al, 0xA0); a.@out(dx, al);
        a.Label(ref atapiPoll);
        a.@in(al, dx); a.test(al, 0x80); a.jnz(atapiPoll); a.test(al, 0x08); a.jz(atapiPoll);
        a.mov(bp, __word_ptr[Counters + 2]);
        a.mov(dx, 0x170);
        a.mov(ax, 0x0028); a.@out(dx, ax);
        a.xor(ax, ax); a.@out(dx, ax);
        a.mov(ax, si); a.and(ax, 31); a.shl(ax, 8); a.@out(dx, ax);
        a.xor(ax, ax); a.@out(dx, ax);
        a.mov(ax, 2); a.@out(dx, ax);
        a.xor(ax, ax); a.@out(dx, ax);
        InterruptsOffFor(a, 10_000);
        a.Label(ref atapiLoop);
        WaitForCounterChange(a, 1);
        a.mov(bp, __word_ptr[Counters + 2]);
        a.mov(dx, 0x177); a.@in(al, dx);
        a.test(al, 0x08); a.jz(atapiDone);
        a.mov(dx, 0x174); a.@in(al, dx); a.mov(cl, al);
        a.mov(dx, 0x175); a.@in(al, dx); a.mov(ch, al);
        a.shr(cx, 1);
        a.mov(dx, 0x170); a.rep.insw();
        a.jmp(atapiLoop);
        a.Label(ref atapiDone);
        a.inc(__word_ptr[Counters + 4]);
        a.inc(si);
        a.jmp(loop);
    }

    [Test]
    public void Ide_pio_and_dma_transfers_and_an_atapi_read_in_progress()
    {
        var rig = Start(IdeProgram, handlers: [(0x76, CountingHandler(0, slave: true)), (0x77, CountingHandler(1, slave: true))]);
        Check(rig, "between the blocks of a PIO read", b => rig.Pending("ide0.0") && rig.Counter(4) == 1);
        Check(rig, "between the blocks of a PIO write", b => rig.Pending("ide0.0") && rig.Counter(4) == 2);
        Check(rig, "during a DMA read", b => rig.Pending("ide0.0") && rig.Counter(4) == 3 && rig.Counter(2) % 4 != 0);
        Check(rig, "with IRQ 14 pending in the PIC", b => (b.Pic.Slave.Irr & 0x40) != 0);
        Check(rig, "during an ATAPI read", b => rig.Pending("ide1.0") && rig.Counter(4) == 4 && rig.Counter(1) > 2);
        Check(rig, "with IRQ 15 pending in the PIC", b => (b.Pic.Slave.Irr & 0x80) != 0 && rig.Counter(1) > 2);
        Check(rig, "during a DMA write", b => rig.Pending("ide0.0") && rig.Counter(4) == 3 && rig.Counter(2) % 4 == 0);
        Assert.That(rig.Counter(2), Is.GreaterThan(4), "passes");
        Assert.That(rig.Machine.Memory.ReadSlow(Counters + 10, 1) & 7, Is.EqualTo(4), "the last DMA's bus-master status: interrupt, no error, stopped");
        var cd = rig.Cd.Data!;
        int lba = (rig.Counter(2) - 1) % 32;
        Assert.That(Enumerable.Range(0, 4096).Select(i => (byte)rig.Machine.Memory.ReadSlow((ulong)(0x40000 + i), 1)),
            Is.EqualTo(cd.Skip(lba * 2048).Take(4096)), "the last ATAPI read's data");
    }

    // ---- (f) PIT channel 2, the speaker, and the RTC periodic interrupt ----

    /// <summary>
    /// PIT channel 2 gated on with the speaker (port 61h bits 0-1), alternately in mode 3 (square
    /// wave, divisor 1193, gate on) and mode 0 (one-shot, 5000; gate off every other time),
    /// switched every 64 loops (phase in counter 3); the RTC's periodic interrupt at 8192 Hz on IRQ 8 (counter 0, the
    /// handler reads register C). The main loop latches and reads channel 2's count and port 61h
    /// (counter 1 counts OUT2 edges), and keeps interrupts off for a while each time.
    /// </summary>
    static void PitRtcProgram(Assembler a)
    {
        Label loop = a.CreateLabel(), same = a.CreateLabel(), keep = a.CreateLabel(), mode0 = a.CreateLabel(), gateOff = a.CreateLabel();
        Prologue(a, 1 << 8);
        a.@in(al, 0x61); a.or(al, 3); a.@out(0x61, al);
        a.mov(al, 0xB6); a.@out(0x43, al);
        a.mov(ax, 1193); a.@out(0x42, al); a.mov(al, ah); a.@out(0x42, al);
        a.mov(al, 0x8A); a.@out(0x70, al); a.mov(al, 0x23); a.@out(0x71, al);
        a.mov(al, 0x8B); a.@out(0x70, al); a.@in(al, 0x71); a.or(al, 0x40); a.mov(ah, al);
        a.mov(al, 0x8B); a.@out(0x70, al); a.mov(al, ah); a.@out(0x71, al);
        a.mov(al, 0x0C); a.@out(0x70, al); a.@in(al, 0x71);
        a.xor(si, si);
        a.sti();
        a.Label(ref loop);
        a.mov(al, 0x80); a.@out(0x43, al);
        a.@in(al, 0x42); a.mov(ah, al); a.@in(al, 0x42); a.xchg(al, ah);
        a.mov(__word_ptr[Counters + 8], ax);
        a.@in(al, 0x61);
        a.and(al, 0x20);
        a.cmp(al, __byte_ptr[Counters + 10]);
        a.je(same);
        a.mov(__byte_ptr[Counters + 10], al);
        a.inc(__word_ptr[Counters + 2]);
        a.Label(ref same);
        a.inc(si);
        a.test(si, 63);
        a.jnz(keep);
        a.inc(__word_ptr[Counters + 6]);
        a.@in(al, 0x61); a.and(al, 0xFE);
        a.test(__byte_ptr[Counters + 6], 1);
        a.jnz(mode0);
        a.or(al, 1); a.@out(0x61, al);
        a.mov(al, 0xB6); a.@out(0x43, al);
        a.mov(ax, 1193); a.@out(0x42, al); a.mov(al, ah); a.@out(0x42, al);
        a.jmp(keep);
        a.Label(ref mode0);
        a.test(__byte_ptr[Counters + 6], 2);
        a.jz(gateOff);
        a.or(al, 1);
        a.Label(ref gateOff);
        a.@out(0x61, al);
        a.mov(al, 0xB0); a.@out(0x43, al);
        a.mov(ax, 5000); a.@out(0x42, al); a.mov(al, ah); a.@out(0x42, al);
        a.Label(ref keep);
        InterruptsOffFor(a, 200);
        a.jmp(loop);
    }

    [Test]
    public void Pit_channel_2_with_the_speaker_and_the_rtc_periodic_interrupt()
    {
        var rig = Start(PitRtcProgram, handlers: (0x70, CountingHandler(0, slave: true, acknowledge: x =>
        {
            x.mov(al, 0x0C); x.@out(0x70, al); x.@in(al, 0x71);
        })));
        Check(rig, "with the periodic interrupt armed, channel 2 in mode 3", b => rig.Pending("rtc.periodic") && rig.Counter(0) > 2 && rig.Counter(3) % 2 == 0);
        Check(rig, "with IRQ 8 pending in the PIC", b => (b.Pic.Slave.Irr & 0x01) != 0);
        Check(rig, "with channel 2 counting in mode 0", b => rig.Counter(3) % 4 == 3);
        Check(rig, "with channel 2 in mode 0, gated off", b => rig.Counter(3) % 4 == 1 && rig.Counter(3) > 4);
        Assert.That(rig.Counter(0), Is.GreaterThan(5), "RTC periodic interrupts");
        Assert.That(rig.Counter(1), Is.GreaterThan(5), "OUT2 edges seen in port 61h");
    }
}
