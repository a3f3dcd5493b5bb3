namespace Emulator.Devices.Firmware.Acpi;

/// <summary>
/// What the ACPI tables describe of the machine: the parts that vary with its configuration
/// (RAM, serial ports, the floppy controller) and where the firmware puts the PIIX4 PM block.
/// The fixed parts (local APIC, IOAPIC, HPET addresses, the GPE0 block) come from the devices.
/// </summary>
/// <param name="RamBelow4G">RAM from address 0: the 32-bit PCI memory window starts here.</param>
/// <param name="PmBase">The PIIX4 PM I/O base (PMBA) the firmware programs.</param>
/// <param name="SciIrq">The SCI's ISA IRQ.</param>
/// <param name="SerialPorts">How many of COM1-COM4 exist.</param>
/// <param name="FloppyController">Whether the 82077AA at 0x3F0 exists.</param>
public sealed record AcpiPlatform(ulong RamBelow4G, ushort PmBase, int SciIrq, int SerialPorts, bool FloppyController);
