using System.Buffers.Binary;
using System.Text;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Devices.Firmware.Tables;

/// <summary>One PCI interrupt source of the MP table: INTx pin <paramref name="Pin"/> (1-4) of PCI
/// device <paramref name="Device"/> on bus 0, delivered to IOAPIC input <paramref name="Irq"/>.</summary>
public readonly record struct PciInterrupt(int Device, int Pin, int Irq);

/// <summary>What the MP table describes: the one processor, its local APIC, the IOAPIC and the PCI interrupts.</summary>
/// <param name="CpuSignature">CPUID.1:EAX (stepping, model, family).</param>
/// <param name="CpuFeatures">CPUID.1:EDX.</param>
/// <param name="LocalApicVersion">The local APIC's version register, low byte.</param>
/// <param name="IoApicVersion">The IOAPIC's version register, low byte.</param>
/// <param name="PciInterrupts">The PCI functions' interrupts, one per device and pin.</param>
/// <param name="PciIrqs">The ISA IRQs that PCI interrupts (and the SCI) use: no ISA source entry for them.</param>
public sealed record MpPlatform(uint CpuSignature, uint CpuFeatures, byte LocalApicVersion, uint LocalApicAddress,
    byte IoApicId, byte IoApicVersion, uint IoApicAddress, IReadOnlyList<PciInterrupt> PciInterrupts, IReadOnlyList<int> PciIrqs);

/// <summary>
/// The MP table of the Intel MultiProcessor Specification 1.4: the MP floating pointer structure
/// (4.1) followed by the MP configuration table (4.2, 4.3), as one file: the floating pointer's
/// PHYSICAL ADDRESS POINTER holds the table's offset in the file (16), for the loader script to
/// add the file's address, and its checksum is left for the loader. The configuration table's own
/// checksum is set here (it holds no pointers).
/// </summary>
/// <remarks>
/// <para>Entries, in the order 4.3 requires (sorted by type): the processor (APIC ID 0, enabled,
/// bootstrap), bus 0 "PCI" and bus 1 "ISA", the IOAPIC, I/O interrupt assignments, and the local
/// interrupts (the 8259A's ExtINT on LINT0 of APIC 0, NMI on LINT1 of all APICs), as SeaBIOS's
/// mptable_setup lays them out for QEMU. I/O interrupts: each PCI interrupt (source bus IRQ =
/// device &lt;&lt; 2 | pin - 1, 4.3.4 table 4-13 note, polarity active high as QEMU's lines are,
/// trigger by bus convention: level), then the ISA IRQs 0-15 with bus-conforming flags, IRQ 0
/// to IOAPIC input 2 (the board's wiring), IRQ 2 left out (nothing drives it), and the PCI IRQs
/// left to the PCI entries.</para>
/// <para>No default configuration (feature byte 1 = 0: the table is present), no IMCR (byte 2
/// bit 7 clear: virtual-wire mode), no extended entries.</para>
/// </remarks>
public static class MpTable
{
    public const int FloatingLength = 16, HeaderLength = 44;
    public const int ProcessorEntry = 20, BusEntry = 8, IoApicEntry = 8, InterruptEntry = 8;
    public const int PointerOffset = 4, FloatingChecksumOffset = 10;
    public const byte SpecRevision = 4;
    public const byte PciBus = 0, IsaBus = 1;
    /// <summary>MPS INTI flags (4.3.4 table 4-10): polarity bits 1-0, trigger bits 3-2.</summary>
    public const ushort Conforming = 0x0000, ActiveHigh = 0x0001;

    public static byte[] Build(MpPlatform p)
    {
        var isaIrqs = Enumerable.Range(0, 16).Where(i => i != 2 && !p.PciIrqs.Contains(i)).ToArray();
        int interrupts = p.PciInterrupts.Count + isaIrqs.Length + 2;
        int tableLength = HeaderLength + ProcessorEntry + 2 * BusEntry + IoApicEntry + interrupts * InterruptEntry;
        var f = new byte[FloatingLength + tableLength];
        var s = f.AsSpan();

        // Floating pointer (4.1): "_MP_", pointer, length in paragraphs, revision, checksum, features.
        Encoding.ASCII.GetBytes("_MP_", s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[PointerOffset..], FloatingLength);
        f[8] = 1;
        f[9] = SpecRevision;

        // Configuration table header (4.2).
        var t = s[FloatingLength..];
        Encoding.ASCII.GetBytes("PCMP", t);
        BinaryPrimitives.WriteUInt16LittleEndian(t[4..], (ushort)tableLength);
        t[6] = SpecRevision;
        Encoding.ASCII.GetBytes("EMU     ", t[8..16]);
        Encoding.ASCII.GetBytes("PC          ", t[16..28]);
        BinaryPrimitives.WriteUInt16LittleEndian(t[34..], (ushort)(4 + interrupts));
        BinaryPrimitives.WriteUInt32LittleEndian(t[36..], p.LocalApicAddress);

        int o = HeaderLength;
        // Processor (4.3.1): type 0, APIC ID, APIC version, flags EN | BP, signature, features.
        t[o] = 0; t[o + 1] = 0; t[o + 2] = p.LocalApicVersion; t[o + 3] = 0x03;
        BinaryPrimitives.WriteUInt32LittleEndian(t[(o + 4)..], p.CpuSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(t[(o + 8)..], p.CpuFeatures);
        o += ProcessorEntry;
        // Buses (4.3.2): type 1, bus ID, 6-character type string.
        o = Bus(t, o, PciBus, "PCI   ");
        o = Bus(t, o, IsaBus, "ISA   ");
        // I/O APIC (4.3.3): type 2, ID, version, flags EN, address.
        t[o] = 2; t[o + 1] = p.IoApicId; t[o + 2] = p.IoApicVersion; t[o + 3] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(t[(o + 4)..], p.IoApicAddress);
        o += IoApicEntry;
        // I/O interrupt assignments (4.3.4): type 3, INT (0), flags, source bus and IRQ, IOAPIC, input.
        foreach (var pci in p.PciInterrupts)
            o = Interrupt(t, o, 3, 0, ActiveHigh, PciBus, (byte)(pci.Device << 2 | (pci.Pin - 1)), p.IoApicId, (byte)pci.Irq);
        foreach (int irq in isaIrqs)
            o = Interrupt(t, o, 3, 0, Conforming, IsaBus, (byte)irq, p.IoApicId, (byte)(irq == 0 ? 2 : irq));
        // Local interrupt assignments (4.3.5): type 4; ExtINT (3) to LINT0 of APIC 0, NMI (1) to LINT1 of all (FFh).
        o = Interrupt(t, o, 4, 3, Conforming, IsaBus, 0, 0x00, 0);
        Interrupt(t, o, 4, 1, Conforming, IsaBus, 0, 0xFF, 1);

        AcpiTable.SetChecksum(t[..tableLength], 7);
        return f;
    }

    static int Bus(Span<byte> t, int o, byte id, string type)
    {
        t[o] = 1; t[o + 1] = id;
        Encoding.ASCII.GetBytes(type, t[(o + 2)..(o + 8)]);
        return o + BusEntry;
    }

    static int Interrupt(Span<byte> t, int o, byte type, byte kind, ushort flags, byte bus, byte busIrq, byte apic, byte input)
    {
        t[o] = type; t[o + 1] = kind;
        BinaryPrimitives.WriteUInt16LittleEndian(t[(o + 2)..], flags);
        t[o + 4] = bus; t[o + 5] = busIrq; t[o + 6] = apic; t[o + 7] = input;
        return o + InterruptEntry;
    }
}
