using Emulator.Core.Machine;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The BIOS32 Service Directory and the 32-bit PCI BIOS, called as a protected-mode OS calls them:
/// the test's boot code enters 32-bit protected mode with flat segments, finds "_32_" on a 16-byte
/// boundary in E0000-FFFFF with a valid checksum, far-calls its entry for "$PCI", then far-calls
/// the PCI BIOS at base + offset. Results are written to port E9h as hexadecimal. Expected values:
/// the BIOS32 proposal 0.4 and PCI BIOS 2.1 return conventions, and the board's PCI functions
/// (i440FX 8086:1237 at 00:00.0, PIIX3 8086:7000 at 00:01.0, the VGA 1234:1111 class 030000 at 00:02.0).
/// </summary>
public class Bios32Tests
{
    const uint GdtAt = 0x50000, CodeAt = 0x51000, FarPointers = 0x52000;

    static string Run(Action<Assembler, Action<AssemblerRegister32>, Action<string>, Action<uint, Action>> body)
    {
        var rig = new BiosRig(bootCode: a =>
        {
            // Real mode: load the GDT the test put at 50000h, set PE, far jump (32-bit offset) to the body.
            a.cli();
            a.mov(ax, (ushort)(GdtAt >> 4));
            a.mov(ds, ax);
            a.lgdt(__[0]);
            a.mov(eax, cr0);
            a.or(eax, 1);
            a.mov(cr0, eax);
            a.db(0x66, 0xEA);
            a.dd(CodeAt);
            a.dw(0x08);
        });
        // GDT: null, 08 flat 32-bit code, 10 flat data; its descriptor (limit, base) first, then the table at +8.
        var gdt = new byte[8 + 24];
        BitConverter.GetBytes((ushort)23).CopyTo(gdt, 0);
        BitConverter.GetBytes(GdtAt + 8).CopyTo(gdt, 2);
        BitConverter.GetBytes(0x00CF9A000000FFFFUL).CopyTo(gdt, 16);
        BitConverter.GetBytes(0x00CF92000000FFFFUL).CopyTo(gdt, 24);
        rig.Machine.Memory.Write(GdtAt, gdt);

        var a = new Assembler(32);
        var hex = a.CreateLabel();
        var start = a.CreateLabel();
        a.jmp(start);
        // hex: EAX as 8 digits and a space.
        var digit = a.CreateLabel();
        var put = a.CreateLabel();
        a.Label(ref hex);
        a.pushad();
        a.mov(ecx, 8);
        a.Label(ref digit);
        a.rol(eax, 4);
        a.push(eax);
        a.and(al, 0x0F);
        a.add(al, (byte)'0');
        a.cmp(al, (byte)'9');
        a.jbe(put);
        a.add(al, 7);
        a.Label(ref put);
        a.@out(0xE9, al);
        a.pop(eax);
        a.loop(digit);
        a.mov(al, (byte)' ');
        a.@out(0xE9, al);
        a.popad();
        a.ret();
        a.Label(ref start);
        a.mov(ax, 0x10);
        a.mov(ds, ax);
        a.mov(es, ax);
        a.mov(ss, ax);
        a.mov(esp, 0x60000);

        void Hex(AssemblerRegister32 r) { a.push(eax); a.mov(eax, r); a.call(hex); a.pop(eax); }
        void Text(string t) { foreach (char c in t) { a.mov(al, (byte)c); a.@out(0xE9, al); } }
        // Far call through the pointer at FarPointers + slot * 8, then report CF.
        void Call(uint slot, Action report)
        {
            a.call(__fword_ptr[FarPointers + slot * 8]);
            var carry = a.CreateLabel();
            var done = a.CreateLabel();
            a.pushfd();
            a.push(eax);
            a.jc(carry);
            Text("NC ");
            a.jmp(done);
            a.Label(ref carry);
            Text("C ");
            a.Label(ref done);
            a.pop(eax);
            a.popfd();
            report();
        }
        body(a, Hex, Text, Call);
        Text("\n");
        a.cli();
        a.hlt();
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), CodeAt);
        rig.Machine.Memory.Write(CodeAt, ms.ToArray());

        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        int at = rig.Console.IndexOf('>');
        Assert.That(at, Is.GreaterThanOrEqualTo(0), "the test code did not run: " + rig.Console);
        return rig.Console[(at + 1)..];
    }

    /// <summary>Finds the directory (ESI) and sets the far pointers: slot 0 the directory entry, slot 1 the PCI BIOS.</summary>
    static void FindDirectory(Assembler a, Action<string> text)
    {
        var scan = a.CreateLabel();
        var next = a.CreateLabel();
        var sum = a.CreateLabel();
        var found = a.CreateLabel();
        text(">");
        a.mov(esi, 0xE0000);
        a.Label(ref scan);
        a.cmp(__dword_ptr[esi], 0x5F32335F);       // "_32_"
        a.jne(next);
        a.xor(eax, eax);
        a.mov(ecx, 16);
        a.Label(ref sum);
        a.add(al, __byte_ptr[esi + ecx - 1]);
        a.loop(sum);
        a.test(al, al);
        a.jz(found);
        a.Label(ref next);
        a.add(esi, 16);
        a.cmp(esi, 0x100000);
        a.jb(scan);
        text("no _32_\n");
        a.cli();
        a.hlt();
        a.Label(ref found);
        a.mov(eax, __dword_ptr[esi + 4]);
        a.mov(__dword_ptr[FarPointers], eax);
        a.mov(__word_ptr[FarPointers + 4], 0x08);
    }

    [Test]
    public void Directory_finds_the_pci_service_and_rejects_others()
    {
        string output = Run((a, hex, text, call) =>
        {
            FindDirectory(a, text);
            a.mov(eax, __byte_ptr[esi + 8]);
            a.movzx(eax, al);
            hex(eax);                                  // revision 0
            a.movzx(eax, __byte_ptr[esi + 9]);
            hex(eax);                                  // 1 paragraph
            a.mov(eax, 0x49435024);                    // "$PCI"
            a.xor(ebx, ebx);
            call(0, () => { a.movzx(eax, al); hex(eax); hex(ebx); hex(ecx); });
            a.mov(eax, 0x5A595824);                    // "$XYZ"
            a.xor(ebx, ebx);
            call(0, () => { a.movzx(eax, al); hex(eax); });
            a.mov(eax, 0x49435024);
            a.mov(ebx, 1);
            call(0, () => { a.movzx(eax, al); hex(eax); });
        });
        // $PCI: found (00), base F0000, length 64 KiB; unknown service 80h; function 1: 81h.
        Assert.That(output, Is.EqualTo("00000000 00000001 NC 00000000 000F0000 00010000 NC 00000080 NC 00000081 \n"));
    }

    [Test]
    public void Pci_bios_32_bit_functions()
    {
        string output = Run((a, hex, text, call) =>
        {
            FindDirectory(a, text);
            a.mov(eax, 0x49435024);
            a.xor(ebx, ebx);
            call(0, () => { });
            a.add(ebx, edx);
            a.mov(__dword_ptr[FarPointers + 8], ebx);
            a.mov(__word_ptr[FarPointers + 12], 0x08);
            void Pci(ushort ax_, Action setup, Action report)
            {
                text("|");
                setup();
                a.mov(ax, ax_);
                call(1, () => { a.movzx(edx, ah); hex(edx); report(); });
            }
            // B101: present; EDX "PCI ", AL mechanism 1, BX 0210h, CL last bus 0.
            Pci(0xB101, () => a.xor(ecx, ecx), () => { a.movzx(eax, al); hex(eax); a.movzx(eax, bx); hex(eax); a.movzx(eax, cl); hex(eax); });
            a.mov(eax, 0xB101);
            call(1, () => hex(edx));
            // B102: the PIIX3 (index 0) is 00:01.0; index 1 is not found; vendor FFFFh is invalid.
            Pci(0xB102, () => { a.mov(cx, 0x7000); a.mov(dx, 0x8086); a.xor(si, si); }, () => { a.movzx(eax, bx); hex(eax); });
            Pci(0xB102, () => { a.mov(cx, 0x7000); a.mov(dx, 0x8086); a.mov(si, 1); }, () => { });
            Pci(0xB102, () => { a.mov(cx, 0x7000); a.mov(dx, 0xFFFF); a.xor(si, si); }, () => { });
            // B103: class 030000h (VGA) is 00:02.0.
            Pci(0xB103, () => { a.mov(ecx, 0x030000); a.xor(si, si); }, () => { a.movzx(eax, bx); hex(eax); });
            // B10Ah: the host bridge's IDs; B109h: the PIIX3's device ID; B108h: the VGA's base class.
            Pci(0xB10A, () => { a.xor(ebx, ebx); a.xor(edi, edi); }, () => hex(ecx));
            Pci(0xB109, () => { a.mov(bx, 0x0008); a.mov(di, 2); }, () => { a.movzx(eax, cx); hex(eax); });
            Pci(0xB108, () => { a.mov(bx, 0x0010); a.mov(di, 0x0B); }, () => { a.movzx(eax, cl); hex(eax); });
            // Writes read back: the VGA's interrupt line (B10Bh), the PIIX3's PIRQ routes (B10Ch, B10Dh).
            Pci(0xB10B, () => { a.mov(bx, 0x0010); a.mov(di, 0x3C); a.mov(cl, 0x5A); }, () => { });
            Pci(0xB108, () => { a.mov(bx, 0x0010); a.mov(di, 0x3C); a.xor(ecx, ecx); }, () => { a.movzx(eax, cl); hex(eax); });
            Pci(0xB10D, () => { a.mov(bx, 0x0008); a.mov(di, 0x60); a.mov(ecx, 0x0B0A0B0A); }, () => { });
            Pci(0xB10C, () => { a.mov(bx, 0x0008); a.mov(di, 0x62); a.mov(cx, 0x0A0A); }, () => { });
            Pci(0xB10A, () => { a.mov(bx, 0x0008); a.mov(di, 0x60); a.xor(ecx, ecx); }, () => hex(ecx));
            // Errors: an odd word register (87h), bus 1 (86h), B10Fh (set PCI IRQ) not in this interface (81h).
            Pci(0xB109, () => { a.mov(bx, 0x0008); a.mov(di, 1); }, () => { });
            Pci(0xB108, () => { a.mov(bx, 0x0100); a.xor(di, di); }, () => { });
            Pci(0xB10F, () => { }, () => { });
            // B10Eh, get IRQ routing options (PCI BIOS 2.1, 2.6.2), with ES:EDI at the header at 53000h:
            // WORD size, DWORD offset 53100h, WORD selector 10h. Size 0: 89h, and the size needed.
            const uint Header = 0x53000, Data = 0x53100;
            Pci(0xB10E, () =>
            {
                a.mov(__word_ptr[Header], 0);
                a.mov(__dword_ptr[Header + 2], Data);
                a.mov(__word_ptr[Header + 6], 0x10);
                a.mov(edi, Header);
            }, () => { a.movzx(eax, __word_ptr[Header]); hex(eax); });
            Pci(0xB10E, () => { a.mov(edi, Header); a.mov(ebx, 0xFFFF); }, () =>
            {
                a.movzx(eax, bx);
                hex(eax);
                foreach (uint at in new[] { Data, Data + 4, Data + 8, Data + 12, Data + 0x1F0, Data + 0x1F4, Data + 0x1F8, Data + 0x1FC })
                {
                    a.mov(eax, __dword_ptr[at]);
                    hex(eax);
                }
            });
        });
        Assert.That(output, Is.EqualTo(
            "NC " +
            "|NC 00000000 00000001 00000210 00000000 " + "NC 20494350 " +
            "|NC 00000000 00000008 " + "|C 00000086 " + "|C 00000083 " +
            "|NC 00000000 00000010 " +
            "|NC 00000000 12378086 " + "|NC 00000000 00007000 " + "|NC 00000000 00000003 " +
            "|NC 00000000 " + "|NC 00000000 0000005A " +
            "|NC 00000000 " + "|NC 00000000 " + "|NC 00000000 0A0A0B0A " +
            "|C 00000087 " + "|C 00000086 " + "|C 00000081 " +
            // 32 slot entries of 16 bytes are 200h; no IRQ exclusive to PCI. Device 0: bus 0, devfn 0,
            // INTA-D on links 63h, 60h, 61h, 62h ((dev - 1 + pin - 1) mod 4), bitmaps 0800h (IRQ 11)
            // for 62h/63h and 0400h (IRQ 10) for 60h/61h, slot 0 (embedded). Device 31: devfn F8h,
            // links 62h, 63h, 60h, 61h, slot 1Fh. Little-endian dwords of those bytes.
            "|C 00000089 00000200 " +
            "|NC 00000000 00000000 00630000 04006008 62040061 00000800 0062F800 08006308 61040060 001F0400 \n"));
    }
}
