using System.Text;
using Emulator.Frontend;
using Emulator.Tests.Frontend;

namespace Emulator.Tests.Guests;

/// <summary>
/// A Multiboot 1 kernel from Debian's archive booted by <c>-kernel</c>: Xen's hypervisor
/// (xen-hypervisor-*-amd64's xen.gz, which tests/guests/build.sh decompresses), a 32-bit ELF
/// image whose Multiboot header asks for page-aligned modules and the memory fields. It is 64-bit
/// code behind a 32-bit entry, so on this 32-bit CPU it stops with the error real hardware
/// without long mode gives.
/// </summary>
/// <remarks>
/// Xen writes the same message into the VGA text buffer at B8000h too; that copy is not checked
/// here (emu ends at the halt with interrupts off before a display would draw it).
/// </remarks>
public class DebianMultibootTests
{
    [Test]
    public void Xen_from_debian_starts_and_refuses_this_cpu_for_having_no_long_mode()
    {
        // Xen 4.17's head.S (__start): EAX must be the Multiboot loader magic 2BADB002h (anything
        // else prints "ERR: Not a Multiboot bootloader!"); it reads the memory fields through EBX,
        // then checks CPUID 80000001h EDX bit 29 (LM, Intel SDM Vol. 2A, CPUID), which a 32-bit
        // CPU lacks: it prints its error on COM1 (polling the 16550's LSR THR-empty bit, 3FDh
        // bit 5) and halts in a HLT loop with interrupts off.
        using var dir = new TempDir();
        string serial = dir.File("com1.txt");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = EmuMain.Run(["-display", "none", "-m", "128", "-serial", "file:" + serial,
            "-kernel", TestGuests.File("xen.elf"), "-append", "console=com1"], stdout, stderr, instructionLimit: 50_000_000);
        string com1 = System.IO.File.ReadAllText(serial, Encoding.Latin1);
        TestContext.Out.WriteLine($"status {code}; COM1: {com1}; stderr: {stderr}");
        Assert.Multiple(() =>
        {
            Assert.That(com1, Is.EqualTo("ERR: Not a 64-bit CPU!"), "Xen's message on COM1, and nothing else");
            Assert.That(stderr.ToString(), Does.Contain("guest halted with interrupts disabled"), "Xen's HLT loop with interrupts off");
            Assert.That(code, Is.EqualTo(0), "a halt with interrupts off ends emu with status 0");
        });
    }
}
