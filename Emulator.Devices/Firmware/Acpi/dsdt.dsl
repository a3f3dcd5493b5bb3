/*
 * The DSDT of emu's PC (i440FX + PIIX3 + PIIX4 PM), as QEMU's pc machine describes the same
 * hardware: the PCI root with its resource windows, the PIIX3 PCI interrupt links and the
 * _PRT, the ISA devices, the HPET, and the sleep states the PIIX4 PM device implements.
 *
 * Built with iasl (Debian's acpica-tools): iasl -p dsdt dsdt.dsl. The AML, dsdt.aml, is
 * committed and embedded in Emulator.Devices; Emulator.Tests/Firmware/AcpiDsdtTests recompiles
 * this file and checks the bytes are identical.
 *
 * Two Names are patched by the machine when it builds its tables (AcpiDsdt.cs), the way QEMU's
 * old static DSDT was patched: PMLO (the start of the 32-bit PCI memory hole, the top of RAM
 * below 4 GiB) and DEVS (which ISA devices exist). Both are declared with values above 0xFFFF
 * so iasl encodes them as DWordConst and the patch keeps the AML's length.
 */
DefinitionBlock ("", "DSDT", 1, "EMU   ", "EMUPC   ", 0x00000001)
{
    /* Bits of DEVS: COM1-COM4 (0-3), floppy controller (4); bit 31 only forces a DWordConst. */
    Name (DEVS, 0x80000000)

    Scope (\_SB)
    {
        Device (CPU0)
        {
            Name (_HID, "ACPI0007")
            Name (_UID, Zero)          /* the MADT's ACPI processor ID 0 */
        }

        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)

            /* Start of the 32-bit PCI memory window: the top of RAM below 4 GiB (patched). */
            Name (PMLO, 0x80000000)

            Name (CRES, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                /* The configuration mechanism #1 ports, used by the bridge itself. */
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                /* VGA memory, routed to PCI by the i440FX. */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                /* The PCI hole: from the top of RAM to below the IOAPIC at FEC00000. */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0x80000000, 0xFEBFFFFF, 0x00000000, 0x7EC00000,,, PW32)
            })

            Method (_CRS, 0, Serialized)
            {
                CreateDWordField (CRES, \_SB.PCI0.PW32._MIN, PMIN)
                CreateDWordField (CRES, \_SB.PCI0.PW32._LEN, PLEN)
                PMIN = PMLO
                PLEN = (0xFEC00000 - PMLO)
                Return (CRES)
            }

            /*
             * PCI interrupt routing (QEMU's pci_slot_get_pirq for PIIX): INTx (pin 0-3) of slot S
             * goes to PIRQ (S + pin - 1) mod 4, links LNKA-LNKD. Slot 1's INTA is the PIIX4 PM's,
             * which is the SCI on IRQ 9 (LNKS), as in QEMU's DSDT.
             */
            Name (_PRT, Package ()
            {
                Package () { 0x00FFFF, 0, LNKD, 0 },
                Package () { 0x00FFFF, 1, LNKA, 0 },
                Package () { 0x00FFFF, 2, LNKB, 0 },
                Package () { 0x00FFFF, 3, LNKC, 0 },
                Package () { 0x01FFFF, 0, LNKS, 0 },
                Package () { 0x01FFFF, 1, LNKB, 0 },
                Package () { 0x01FFFF, 2, LNKC, 0 },
                Package () { 0x01FFFF, 3, LNKD, 0 },
                Package () { 0x02FFFF, 0, LNKB, 0 },
                Package () { 0x02FFFF, 1, LNKC, 0 },
                Package () { 0x02FFFF, 2, LNKD, 0 },
                Package () { 0x02FFFF, 3, LNKA, 0 },
                Package () { 0x03FFFF, 0, LNKC, 0 },
                Package () { 0x03FFFF, 1, LNKD, 0 },
                Package () { 0x03FFFF, 2, LNKA, 0 },
                Package () { 0x03FFFF, 3, LNKB, 0 },
                Package () { 0x04FFFF, 0, LNKD, 0 },
                Package () { 0x04FFFF, 1, LNKA, 0 },
                Package () { 0x04FFFF, 2, LNKB, 0 },
                Package () { 0x04FFFF, 3, LNKC, 0 },
                Package () { 0x05FFFF, 0, LNKA, 0 },
                Package () { 0x05FFFF, 1, LNKB, 0 },
                Package () { 0x05FFFF, 2, LNKC, 0 },
                Package () { 0x05FFFF, 3, LNKD, 0 },
                Package () { 0x06FFFF, 0, LNKB, 0 },
                Package () { 0x06FFFF, 1, LNKC, 0 },
                Package () { 0x06FFFF, 2, LNKD, 0 },
                Package () { 0x06FFFF, 3, LNKA, 0 },
                Package () { 0x07FFFF, 0, LNKC, 0 },
                Package () { 0x07FFFF, 1, LNKD, 0 },
                Package () { 0x07FFFF, 2, LNKA, 0 },
                Package () { 0x07FFFF, 3, LNKB, 0 },
                Package () { 0x08FFFF, 0, LNKD, 0 },
                Package () { 0x08FFFF, 1, LNKA, 0 },
                Package () { 0x08FFFF, 2, LNKB, 0 },
                Package () { 0x08FFFF, 3, LNKC, 0 },
                Package () { 0x09FFFF, 0, LNKA, 0 },
                Package () { 0x09FFFF, 1, LNKB, 0 },
                Package () { 0x09FFFF, 2, LNKC, 0 },
                Package () { 0x09FFFF, 3, LNKD, 0 },
                Package () { 0x0AFFFF, 0, LNKB, 0 },
                Package () { 0x0AFFFF, 1, LNKC, 0 },
                Package () { 0x0AFFFF, 2, LNKD, 0 },
                Package () { 0x0AFFFF, 3, LNKA, 0 },
                Package () { 0x0BFFFF, 0, LNKC, 0 },
                Package () { 0x0BFFFF, 1, LNKD, 0 },
                Package () { 0x0BFFFF, 2, LNKA, 0 },
                Package () { 0x0BFFFF, 3, LNKB, 0 },
                Package () { 0x0CFFFF, 0, LNKD, 0 },
                Package () { 0x0CFFFF, 1, LNKA, 0 },
                Package () { 0x0CFFFF, 2, LNKB, 0 },
                Package () { 0x0CFFFF, 3, LNKC, 0 },
                Package () { 0x0DFFFF, 0, LNKA, 0 },
                Package () { 0x0DFFFF, 1, LNKB, 0 },
                Package () { 0x0DFFFF, 2, LNKC, 0 },
                Package () { 0x0DFFFF, 3, LNKD, 0 },
                Package () { 0x0EFFFF, 0, LNKB, 0 },
                Package () { 0x0EFFFF, 1, LNKC, 0 },
                Package () { 0x0EFFFF, 2, LNKD, 0 },
                Package () { 0x0EFFFF, 3, LNKA, 0 },
                Package () { 0x0FFFFF, 0, LNKC, 0 },
                Package () { 0x0FFFFF, 1, LNKD, 0 },
                Package () { 0x0FFFFF, 2, LNKA, 0 },
                Package () { 0x0FFFFF, 3, LNKB, 0 },
                Package () { 0x10FFFF, 0, LNKD, 0 },
                Package () { 0x10FFFF, 1, LNKA, 0 },
                Package () { 0x10FFFF, 2, LNKB, 0 },
                Package () { 0x10FFFF, 3, LNKC, 0 },
                Package () { 0x11FFFF, 0, LNKA, 0 },
                Package () { 0x11FFFF, 1, LNKB, 0 },
                Package () { 0x11FFFF, 2, LNKC, 0 },
                Package () { 0x11FFFF, 3, LNKD, 0 },
                Package () { 0x12FFFF, 0, LNKB, 0 },
                Package () { 0x12FFFF, 1, LNKC, 0 },
                Package () { 0x12FFFF, 2, LNKD, 0 },
                Package () { 0x12FFFF, 3, LNKA, 0 },
                Package () { 0x13FFFF, 0, LNKC, 0 },
                Package () { 0x13FFFF, 1, LNKD, 0 },
                Package () { 0x13FFFF, 2, LNKA, 0 },
                Package () { 0x13FFFF, 3, LNKB, 0 },
                Package () { 0x14FFFF, 0, LNKD, 0 },
                Package () { 0x14FFFF, 1, LNKA, 0 },
                Package () { 0x14FFFF, 2, LNKB, 0 },
                Package () { 0x14FFFF, 3, LNKC, 0 },
                Package () { 0x15FFFF, 0, LNKA, 0 },
                Package () { 0x15FFFF, 1, LNKB, 0 },
                Package () { 0x15FFFF, 2, LNKC, 0 },
                Package () { 0x15FFFF, 3, LNKD, 0 },
                Package () { 0x16FFFF, 0, LNKB, 0 },
                Package () { 0x16FFFF, 1, LNKC, 0 },
                Package () { 0x16FFFF, 2, LNKD, 0 },
                Package () { 0x16FFFF, 3, LNKA, 0 },
                Package () { 0x17FFFF, 0, LNKC, 0 },
                Package () { 0x17FFFF, 1, LNKD, 0 },
                Package () { 0x17FFFF, 2, LNKA, 0 },
                Package () { 0x17FFFF, 3, LNKB, 0 },
                Package () { 0x18FFFF, 0, LNKD, 0 },
                Package () { 0x18FFFF, 1, LNKA, 0 },
                Package () { 0x18FFFF, 2, LNKB, 0 },
                Package () { 0x18FFFF, 3, LNKC, 0 },
                Package () { 0x19FFFF, 0, LNKA, 0 },
                Package () { 0x19FFFF, 1, LNKB, 0 },
                Package () { 0x19FFFF, 2, LNKC, 0 },
                Package () { 0x19FFFF, 3, LNKD, 0 },
                Package () { 0x1AFFFF, 0, LNKB, 0 },
                Package () { 0x1AFFFF, 1, LNKC, 0 },
                Package () { 0x1AFFFF, 2, LNKD, 0 },
                Package () { 0x1AFFFF, 3, LNKA, 0 },
                Package () { 0x1BFFFF, 0, LNKC, 0 },
                Package () { 0x1BFFFF, 1, LNKD, 0 },
                Package () { 0x1BFFFF, 2, LNKA, 0 },
                Package () { 0x1BFFFF, 3, LNKB, 0 },
                Package () { 0x1CFFFF, 0, LNKD, 0 },
                Package () { 0x1CFFFF, 1, LNKA, 0 },
                Package () { 0x1CFFFF, 2, LNKB, 0 },
                Package () { 0x1CFFFF, 3, LNKC, 0 },
                Package () { 0x1DFFFF, 0, LNKA, 0 },
                Package () { 0x1DFFFF, 1, LNKB, 0 },
                Package () { 0x1DFFFF, 2, LNKC, 0 },
                Package () { 0x1DFFFF, 3, LNKD, 0 },
                Package () { 0x1EFFFF, 0, LNKB, 0 },
                Package () { 0x1EFFFF, 1, LNKC, 0 },
                Package () { 0x1EFFFF, 2, LNKD, 0 },
                Package () { 0x1EFFFF, 3, LNKA, 0 },
                Package () { 0x1FFFFF, 0, LNKC, 0 },
                Package () { 0x1FFFFF, 1, LNKD, 0 },
                Package () { 0x1FFFFF, 2, LNKA, 0 },
                Package () { 0x1FFFFF, 3, LNKB, 0 }
            })

            /* The PIIX3 PCI-to-ISA bridge, 00:01.0, and the ISA devices behind it. */
            Device (ISA)
            {
                Name (_ADR, 0x00010000)

                /* PIRQRC[A:D] (PIIX3 datasheet 2.2.14): bit 7 disables, bits 3:0 are the ISA IRQ. */
                OperationRegion (P40C, PCI_Config, 0x60, 0x04)
                Field (P40C, ByteAcc, NoLock, Preserve)
                {
                    PRQ0, 8,
                    PRQ1, 8,
                    PRQ2, 8,
                    PRQ3, 8
                }

                Device (KBD)
                {
                    Name (_HID, EisaId ("PNP0303"))
                    Name (_STA, 0x0F)
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
                        IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
                        IRQNoFlags () {1}
                    })
                }

                Device (MOU)
                {
                    Name (_HID, EisaId ("PNP0F13"))
                    Name (_STA, 0x0F)
                    Name (_CRS, ResourceTemplate ()
                    {
                        IRQNoFlags () {12}
                    })
                }

                Device (RTC)
                {
                    Name (_HID, EisaId ("PNP0B00"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
                        IRQNoFlags () {8}
                    })
                }

                Device (FDC0)
                {
                    Name (_HID, EisaId ("PNP0700"))
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVS & 0x10) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x03F2, 0x03F2, 0x00, 0x04)
                        IO (Decode16, 0x03F7, 0x03F7, 0x00, 0x01)
                        IRQNoFlags () {6}
                        DMA (Compatibility, NotBusMaster, Transfer8) {2}
                    })
                }

                Device (COM1)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, One)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVS & 0x01) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
                        IRQNoFlags () {4}
                    })
                }

                Device (COM2)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 0x02)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVS & 0x02) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x02F8, 0x02F8, 0x00, 0x08)
                        IRQNoFlags () {3}
                    })
                }

                Device (COM3)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 0x03)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVS & 0x04) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x03E8, 0x03E8, 0x00, 0x08)
                        IRQNoFlags () {4}
                    })
                }

                Device (COM4)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 0x04)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVS & 0x08) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x02E8, 0x02E8, 0x00, 0x08)
                        IRQNoFlags () {3}
                    })
                }
            }
        }

        /* The HPET at FED00000 (IA-PC HPET spec 1.0a, 3.2.5: the device object of the timer block). */
        Device (HPET)
        {
            Name (_HID, EisaId ("PNP0103"))
            Name (_UID, Zero)
            Name (_STA, 0x0F)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400)
            })
        }

        /*
         * PCI interrupt links (PNP0C0F) over the PIIX3 PIRQ route registers: shared, level,
         * active high, as QEMU describes them and as the MADT's overrides for IRQ 5, 9, 10, 11 say.
         */

        /* _STA of a link from its route register: present and enabled unless bit 7 is set. */
        Method (IQST, 1, NotSerialized)
        {
            If (Arg0 & 0x80) { Return (0x09) }
            Return (0x0B)
        }

        /* _CRS of a link: its routed IRQ, or none while it is disabled. */
        Method (IQCR, 1, Serialized)
        {
            Name (PRR0, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared,,, PRRI) {0}
            })
            CreateDWordField (PRR0, \_SB.IQCR.PRRI._INT, PRRV)
            If (Arg0 < 0x80) { PRRV = (Arg0 & 0x0F) }
            Return (PRR0)
        }

        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, Zero)
            Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQ0)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQ0 |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQ0)) }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQ0 = PRRI
            }
        }

        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, One)
            Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQ1)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQ1 |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQ1)) }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQ1 = PRRI
            }
        }

        Device (LNKC)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x02)
            Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQ2)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQ2 |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQ2)) }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQ2 = PRRI
            }
        }

        Device (LNKD)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x03)
            Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11} })
            Method (_STA, 0, NotSerialized) { Return (IQST (\_SB.PCI0.ISA.PRQ3)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQ3 |= 0x80 }
            Method (_CRS, 0, NotSerialized) { Return (IQCR (\_SB.PCI0.ISA.PRQ3)) }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                \_SB.PCI0.ISA.PRQ3 = PRRI
            }
        }

        /* The SCI's link: the PIIX4 PM's interrupt, hard-wired to IRQ 9. */
        Device (LNKS)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x04)
            Name (_STA, 0x0B)
            Name (_PRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {9} })
            Name (_CRS, ResourceTemplate () { Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {9} })
            Method (_SRS, 1, NotSerialized) { }
        }
    }

    /* No GPE sources exist (the hot-plug blocks are absent); the scope is QEMU's. */
    Scope (\_GPE)
    {
        Name (_HID, "ACPI0006")
    }

    /*
     * S5 soft off: SLP_TYP 0 in PM1a/PM1b control, which the PIIX4 PM device (Piix4Acpi) turns
     * into power-off. S1-S4 are not offered: the device ignores SLP_TYP 1 (S3 is not modelled).
     */
    Name (\_S5, Package (0x04) { Zero, Zero, Zero, Zero })
}
