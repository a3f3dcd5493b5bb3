using System.Buffers.Binary;
using System.Text;
using Emulator.Tests.Frontend;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// <c>-kernel</c> with Multiboot 1 kernels (Multiboot Specification 0.6.96): an a.out-kludge kernel
/// and an ELF kernel, built here, report over port 0xE9 what the boot information holds.
/// </summary>
public class MultibootTests
{
    const uint Base = 0x100000;
    const int HeaderSize = 32;
    const uint Magic = 0x1BADB002;

    /// <summary>Prints EAX as 8 hex digits on port 0xE9.</summary>
    static void PrintHex(Assembler a, ref Label hex)
    {
        a.Label(ref hex);
        a.push(ecx); a.push(edx);
        a.mov(ecx, 8);
        var loop = a.CreateLabel(); var digit = a.CreateLabel();
        a.Label(ref loop);
        a.rol(eax, 4);
        a.mov(edx, eax);
        a.and(edx, 0xF);
        a.add(edx, (byte)'0');
        a.cmp(edx, (byte)'9');
        a.jbe(digit);
        a.add(edx, 'a' - '0' - 10);
        a.Label(ref digit);
        a.xchg(eax, edx);
        a.@out((byte)0xE9, al);
        a.xchg(eax, edx);
        a.dec(ecx);
        a.jnz(loop);
        a.pop(edx); a.pop(ecx);
        a.ret();
    }

    /// <summary>Prints the zero-terminated string at ESI on port 0xE9.</summary>
    static void PrintString(Assembler a, ref Label str)
    {
        a.Label(ref str);
        var done = a.CreateLabel();
        a.lodsb();
        a.test(al, al);
        a.jz(done);
        a.@out((byte)0xE9, al);
        a.jmp(str);
        a.Label(ref done);
        a.ret();
    }

    static void Bar(Assembler a) { a.mov(al, (byte)'|'); a.@out((byte)0xE9, al); }

    /// <summary>The kernel's report: magic, mem_upper, command line, module count, first module's command line, data, length and page offset, loader name, mmap length, a bss word.</summary>
    static void Report(Assembler a, uint bssAddress)
    {
        var hex = a.CreateLabel(); var str = a.CreateLabel(); var bad = a.CreateLabel(); var exit = a.CreateLabel();
        a.mov(esp, 0x90000);   // ESP is undefined at entry (spec 3.2): the kernel sets its own stack
        a.cmp(eax, 0x2BADB002);
        a.jne(bad);
        a.mov(eax, __dword_ptr[ebx + 8]); a.call(hex); Bar(a);
        a.mov(esi, __dword_ptr[ebx + 16]); a.call(str); Bar(a);
        a.mov(eax, __dword_ptr[ebx + 20]); a.call(hex); Bar(a);
        a.mov(edi, __dword_ptr[ebx + 24]);
        a.mov(esi, __dword_ptr[edi + 8]); a.call(str); Bar(a);
        a.mov(esi, __dword_ptr[edi]);
        for (int i = 0; i < 4; i++) { a.lodsb(); a.@out((byte)0xE9, al); }
        Bar(a);
        a.mov(eax, __dword_ptr[edi + 4]); a.sub(eax, __dword_ptr[edi]); a.call(hex); Bar(a);
        a.mov(eax, __dword_ptr[edi]); a.and(eax, 0xFFF); a.call(hex); Bar(a);
        a.mov(esi, __dword_ptr[ebx + 64]); a.call(str); Bar(a);
        a.mov(eax, __dword_ptr[ebx + 44]); a.call(hex); Bar(a);
        a.mov(eax, __dword_ptr[bssAddress]); a.call(hex);
        a.jmp(exit);
        a.Label(ref bad);
        a.mov(al, (byte)'?'); a.@out((byte)0xE9, al);
        a.Label(ref exit);
        a.mov(al, 0); a.@out((byte)0xF4, al);
        a.hlt();
        PrintHex(a, ref hex);
        PrintString(a, ref str);
    }

    static byte[] Assemble(Assembler a, ulong ip)
    {
        var stream = new MemoryStream();
        a.Assemble(new StreamCodeWriter(stream), ip);
        return stream.ToArray();
    }

    /// <summary>An a.out-kludge kernel (flag 16) at 1 MiB: header, then code; 0x100 bytes of bss follow the file.</summary>
    static byte[] AoutKernel(uint extraRequiredFlags = 0)
    {
        // Two passes: the code's length fixes load_end and bss, which the code reads.
        byte[] code = Assemble(Build(0), Base + HeaderSize);
        uint end = Base + HeaderSize + (uint)code.Length;
        code = Assemble(Build(end + 0xFC), Base + HeaderSize);
        static Assembler Build(uint bssWord) { var a = new Assembler(32); Report(a, bssWord); return a; }

        uint flags = 0x0001_0003 | extraRequiredFlags;
        var image = new byte[HeaderSize + code.Length];
        var h = image.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], unchecked(0u - Magic - flags));
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], Base);           // header_addr
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], Base);           // load_addr
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], end);            // load_end_addr
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], end + 0x100);    // bss_end_addr
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], Base + HeaderSize);
        code.CopyTo(image, HeaderSize);
        return image;
    }

    /// <summary>Runs emu on <paramref name="kernel"/>; the BIOS's POST and the loader ROM run first (a few million instructions).</summary>
    static EmuRun Run(TempDir dir, byte[] kernel, params string[] more)
    {
        string path = dir.Write("kernel.bin", kernel);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Emulator.Frontend.EmuMain.Run(
            ["-m", "32", "-kernel", path, "-debugcon", "stdio", "-device", "isa-debug-exit,iobase=0xf4", "-display", "none", .. more],
            stdout, stderr, instructionLimit: 100_000_000);
        return new EmuRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>What the kernel printed: the debug console after the project BIOS's own lines ("Memory: N KiB below 4 GiB").</summary>
    static string KernelOutput(EmuRun run)
    {
        const string BiosLast = " KiB below 4 GiB\r\n";
        int at = run.Stdout.IndexOf(BiosLast, StringComparison.Ordinal);
        return at < 0 ? run.Stdout : run.Stdout[(at + BiosLast.Length)..];
    }

    [Test]
    public void An_aout_kludge_kernel_gets_memory_command_line_modules_and_the_memory_map()
    {
        using var dir = new TempDir();
        // Garbage where the bss goes: the loader must clear it.
        string module = dir.Write("mod.txt", Encoding.ASCII.GetBytes("MOD1 contents"));
        var run = Run(dir, AoutKernel(), "-append", "console=ttyS0 x", "-initrd", module + " arg1,,a");
        // From the project's BIOS (bios/src/int15.asm, e820.asm from the board's etc/e820) with 32 MiB: E801 gives
        // 3C00h KiB for 1-16 MiB and 256 64-KiB blocks above, so mem_upper = 15360 + 16384 = 7C00h KiB;
        // E820 has 9 ranges (base memory, EBDA, E0000-FFFFF, RAM from 1 MiB, the table zone,
        // IOAPIC, HPET, local APIC, the BIOS at 4 GiB), 24 bytes each with their size fields.
        const uint memUpperK = 0x7C00;
        const int mapBytes = 9 * 24;
        string expected = $"{memUpperK:x8}|{dir.File("kernel.bin")} console=ttyS0 x|00000001|{module} arg1,a|MOD1|0000000d|00000000|emu|{mapBytes:x8}|00000000";
        Assert.That(KernelOutput(run), Is.EqualTo(expected), run.Stderr);
        Assert.That(run.ExitCode, Is.EqualTo(1), "isa-debug-exit: (0 << 1) | 1");
    }

    /// <summary>Through the project's BIOS and through SeaBIOS, which boots the same loader ROM from fw_cfg.</summary>
    [TestCase("own")]
    [TestCase("/usr/share/seabios/bios-256k.bin")]
    public void An_elf_kernel_linked_high_starts_at_the_physical_address_of_its_entry(string firmware)
    {
        if (firmware != "own" && !File.Exists(firmware))
            Assert.Fail($"{firmware} is missing: install Debian's seabios package (.ci/run does)");
        // ELF32 header (52 bytes), one PT_LOAD program header (32 bytes) at 52, the Multiboot header
        // (flags 0) at 84, code at 96; the segment is the whole file, virtual 0xC0100000, physical 1 MiB.
        const uint Virtual = 0xC010_0000;
        var a = new Assembler(32);
        var bad = a.CreateLabel();
        a.cmp(eax, 0x2BADB002);
        a.jne(bad);
        a.mov(al, (byte)'M'); a.@out((byte)0xE9, al);
        a.mov(eax, __dword_ptr[ebx]); a.and(eax, 0x48); a.cmp(eax, 0x48);   // mmap and mods flags
        a.jne(bad);
        a.mov(al, (byte)'B'); a.@out((byte)0xE9, al);
        a.Label(ref bad);
        a.mov(al, 0); a.@out((byte)0xF4, al);
        a.hlt();
        byte[] code = Assemble(a, Base + 96);
        var image = new byte[96 + code.Length];
        var s = image.AsSpan();
        "\u007fELF"u8.CopyTo(s);
        s[4] = 1; s[5] = 1; s[6] = 1;                                        // ELFCLASS32, little-endian, version 1
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2);               // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 3);               // EM_386
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], Virtual + 96);   // e_entry (virtual)
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 52);             // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], 52);             // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[42..], 32);             // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[44..], 1);              // e_phnum
        var ph = s[52..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);                   // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 0);              // p_offset
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], Virtual);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], Base);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], (uint)image.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], (uint)image.Length + 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(s[84..], Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(s[88..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(s[92..], unchecked(0u - Magic));
        code.CopyTo(image, 96);
        using var dir = new TempDir();
        var run = firmware == "own" ? Run(dir, image) : Run(dir, image, "-bios", firmware);
        Assert.That(KernelOutput(run), Is.EqualTo("MB"), run.Stderr);
    }

    [Test]
    public void Unsupported_required_flags_and_missing_modules_are_one_line_errors()
    {
        using var dir = new TempDir();
        var run = Run(dir, AoutKernel(extraRequiredFlags: 0x8));
        Assert.That(run.ErrorLines, Is.EqualTo(new[] { $"emu: -kernel {dir.File("kernel.bin")}: the Multiboot header requires features emu does not provide (flags 0x8)" }));
        Assert.That(run.ExitCode, Is.EqualTo(1));
        run = Run(dir, AoutKernel(), "-initrd", dir.File("missing.mod"));
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1));
        Assert.That(run.ErrorLines[0], Does.StartWith("emu: -initrd: ").And.Contain("missing.mod"));
    }

    [Test]
    public void Module_lists_split_on_single_commas()
    {
        Assert.That(Emulator.Frontend.MachineRunner.SplitModules("a x,,y,b,,c,"), Is.EqualTo(new[] { "a x,y", "b,c" }));
    }
}
