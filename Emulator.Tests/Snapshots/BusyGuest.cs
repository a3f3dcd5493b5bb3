using Emulator.Devices.Storage;
using Emulator.Devices.Storage.Images;
using Emulator.Tests.Firmware;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Snapshots;

/// <summary>
/// A guest that keeps timers, interrupts and DMA busy, for snapshot tests: booted by the
/// project's BIOS from an IDE disk, it speeds the PIT up to 1 kHz (IRQ 0, the BIOS tick handler),
/// and loops: an INT 13h read (ATA PIO, IRQ 14), a byte pushed through the 8042 with command D2h
/// (IRQ 1, the BIOS keyboard handler) and taken back with INT 16h, an ATA READ DMA driven directly
/// through the PIIX3 bus-master registers into 0x20000, then HLT until the tick count moves, and
/// the loop count to port E9h.
/// </summary>
internal static class BusyGuest
{
    /// <summary>A 1 MiB disk whose first sectors hold the program, the rest a byte pattern.</summary>
    public static byte[] DiskBytes()
    {
        var disk = new byte[1 << 20];
        for (int i = 0; i < disk.Length; i++) disk[i] = (byte)(i / 512 * 7 + i % 512);
        BiosRig.BootProgram(Program).CopyTo(disk, 0);
        return disk;
    }

    public static BiosRig Rig(IBlockImage disk, ulong memory = 32UL << 20) =>
        new(memory, ide: [new IdeDrive(DriveMedia.Disk, disk)]);

    static void Program(Assembler a)
    {
        var loop = a.CreateLabel();
        var dmaWait = a.CreateLabel();
        var tickWait = a.CreateLabel();
        var haveBar = a.CreateLabel();
        a.cli();
        a.xor(ax, ax);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.mov(sp, 0x7000);
        // PIT channel 0: mode 2, divisor 1193 (1 kHz).
        a.mov(al, 0x34); a.@out(0x43, al);
        a.mov(al, 0xA9); a.@out(0x40, al);
        a.mov(al, 0x04); a.@out(0x40, al);
        // PIIX3 IDE (00:01.1): the bus-master base from BAR4 (assign C000 if the BIOS did not), I/O and bus master on.
        a.mov(eax, 0x8000_0920); a.mov(dx, 0xCF8); a.@out(dx, eax);
        a.mov(dx, 0xCFC); a.@in(eax, dx);
        a.and(ax, 0xFFFC);
        a.jnz(haveBar);
        a.mov(eax, 0xC001); a.@out(dx, eax);
        a.mov(ax, 0xC000);
        a.Label(ref haveBar);
        a.mov(__word_ptr[0x500], ax);
        a.mov(eax, 0x8000_0904); a.mov(dx, 0xCF8); a.@out(dx, eax);
        a.mov(dx, 0xCFC); a.@in(ax, dx); a.or(ax, 5); a.@out(dx, ax);
        // The PRD table at 0x600: one 512-byte region at 0x20000, end of table.
        a.mov(__dword_ptr[0x600], 0x20000);
        a.mov(__dword_ptr[0x604], 0x8000_0200);
        a.xor(si, si);
        a.sti();

        a.Label(ref loop);
        // INT 13h AH=02h: one sector (C0 H0 S((si & 31) + 6)) to 0:9000.
        a.mov(cx, si); a.and(cx, 31); a.add(cx, 6);
        a.mov(ax, 0x0201); a.mov(dx, 0x0080); a.mov(bx, 0x9000);
        a.@int(0x13);
        // A byte through the 8042 (D2h: as if from the keyboard), read back with INT 16h.
        a.mov(al, 0xD2); a.@out(0x64, al);
        a.mov(ax, si); a.and(al, 7); a.add(al, 0x10); a.@out(0x60, al);   // Q..I: keys that give a character
        a.mov(ah, 0x00); a.@int(0x16);
        // ATA READ DMA of LBA (si mod 1024) + 40 (master, LBA mode) through the bus-master engine.
        a.mov(bx, __word_ptr[0x500]);
        a.lea(dx, __[bx + 4]); a.mov(eax, 0x600); a.@out(dx, eax);
        a.lea(dx, __[bx + 2]); a.mov(al, 6); a.@out(dx, al);
        a.mov(dx, bx); a.mov(al, 8); a.@out(dx, al);
        a.mov(dx, 0x1F6); a.mov(al, 0xE0); a.@out(dx, al);
        a.mov(dx, 0x1F2); a.mov(al, 1); a.@out(dx, al);
        a.mov(ax, si); a.and(ax, 1023); a.add(ax, 40);
        a.mov(dx, 0x1F3); a.@out(dx, al);
        a.mov(dx, 0x1F4); a.mov(al, ah); a.@out(dx, al);
        a.mov(dx, 0x1F5); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x1F7); a.mov(al, 0xC8); a.@out(dx, al);
        a.mov(dx, bx); a.mov(al, 9); a.@out(dx, al);
        a.lea(dx, __[bx + 2]);
        a.Label(ref dmaWait);
        a.@in(al, dx);
        a.test(al, 1);           // active until the PRD table is done (the IRQ 14 handler is the BIOS's)
        a.jnz(dmaWait);
        a.mov(dx, bx); a.xor(al, al); a.@out(dx, al);
        a.mov(dx, 0x1F7); a.@in(al, dx);
        a.lea(dx, __[bx + 2]); a.mov(al, 4); a.@out(dx, al);
        // HLT until the BIOS tick count (0:046C) moves.
        a.mov(ax, __word_ptr[0x46C]);
        a.Label(ref tickWait);
        a.hlt();
        a.cmp(ax, __word_ptr[0x46C]);
        a.je(tickWait);
        a.mov(ax, si); a.@out(0xE9, al);
        a.inc(si);
        a.jmp(loop);
    }
}
