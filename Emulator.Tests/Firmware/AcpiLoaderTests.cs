using System.Buffers.Binary;
using System.Text;
using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Firmware;
using Emulator.Devices.Firmware.Acpi;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The ACPI files in fw_cfg, read through the ports as firmware reads them, linked by running the
/// loader script, then checked the way an OS walks the tables (ACPI 6.4 5.2.5-5.2.9); and the
/// direct installation the firmware-less Linux boot uses.
/// </summary>
public class AcpiLoaderTests
{
    static PcBoard Board() => new(new PcBoardConfig
    {
        Machine = new MachineConfig { MemorySize = 128UL << 20 },
        Bios = new byte[64 << 10],
    });

    /// <summary>Reads fw_cfg file <paramref name="name"/> through the selector and data ports, using the file directory.</summary>
    static byte[] ReadFile(FwCfg fw, string name)
    {
        byte[] Read(ushort key, int length)
        {
            fw.Out(FwCfg.SelectorPort, 2, key);
            var b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = (byte)fw.In(FwCfg.DataPort, 1);
            return b;
        }
        var count = BinaryPrimitives.ReadUInt32BigEndian(Read(FwCfg.FileDir, 4));
        var dir = Read(FwCfg.FileDir, 4 + (int)count * 64);
        for (int i = 0; i < count; i++)
        {
            var e = dir.AsSpan(4 + i * 64, 64);
            string n = Encoding.ASCII.GetString(e[8..]).TrimEnd('\0');
            if (n == name) return Read(BinaryPrimitives.ReadUInt16BigEndian(e[4..]), (int)BinaryPrimitives.ReadUInt32BigEndian(e));
        }
        Assert.Fail($"fw_cfg has no file {name}");
        return [];
    }

    [Test]
    public void Loader_script_is_qemus_format()
    {
        var script = ReadFile(Board().FwCfg, "etc/table-loader");
        Assert.That(script.Length % 128, Is.EqualTo(0));
        var first = script[..128];
        var last = script[^128..];
        Assert.Multiple(() =>
        {
            // ALLOCATE etc/acpi/tables, align 64, zone HIGH (1).
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan()), Is.EqualTo(1));
            Assert.That(Encoding.ASCII.GetString(first, 4, 56).TrimEnd('\0'), Is.EqualTo("etc/acpi/tables"));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(first.AsSpan(60)), Is.EqualTo(64));
            Assert.That(first[64], Is.EqualTo(1));
            // ADD_CHECKSUM etc/acpi/rsdp: checksum byte 8 over bytes 0-19.
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(last.AsSpan()), Is.EqualTo(3));
            Assert.That(Encoding.ASCII.GetString(last, 4, 56).TrimEnd('\0'), Is.EqualTo("etc/acpi/rsdp"));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(last.AsSpan(60)), Is.EqualTo(8));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(last.AsSpan(64)), Is.EqualTo(0));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(last.AsSpan(68)), Is.EqualTo(20));
        });
    }

    /// <summary>Flat guest memory for the loaded files, read as an OS reads physical memory.</summary>
    sealed class Memory(IReadOnlyList<TableLoader.Loaded> files)
    {
        public byte[] Read(ulong address, int length)
        {
            foreach (var f in files)
                if (address >= f.Address && address + (ulong)length <= f.Address + (ulong)f.Data.Length)
                    return f.Data.AsSpan((int)(address - f.Address), length).ToArray();
            Assert.Fail($"0x{address:X} (+{length}) is outside the loaded files");
            return [];
        }
        public byte[] Table(ulong address) => Read(address, (int)BinaryPrimitives.ReadUInt32LittleEndian(Read(address + 4, 4)));
    }

    [Test]
    public void Files_linked_by_the_script_are_valid_tables()
    {
        var fw = Board().FwCfg;
        var files = new Dictionary<string, byte[]>
        {
            ["etc/acpi/tables"] = ReadFile(fw, "etc/acpi/tables"),
            ["etc/acpi/rsdp"] = ReadFile(fw, "etc/acpi/rsdp"),
        };
        // Addresses as SeaBIOS might pick them: high memory below 128 MiB, the F segment.
        var loaded = TableLoader.Execute(ReadFile(fw, "etc/table-loader"), n => files.GetValueOrDefault(n),
            (name, size, align, zone) => zone == BiosLinkerLoader.ZoneFseg ? 0xF5A10UL : 0x07FE_0040UL);
        var mem = new Memory(loaded);

        var rsdp = mem.Read(0xF5A10, 20);
        Assert.That(Encoding.ASCII.GetString(rsdp, 0, 8), Is.EqualTo("RSD PTR "));
        Assert.That(AcpiTable.Sum(rsdp), Is.EqualTo(0), "RSDP checksum");
        Assert.That(rsdp[15], Is.EqualTo(0), "revision 0");
        var rsdt = mem.Table(BinaryPrimitives.ReadUInt32LittleEndian(rsdp.AsSpan(16)));
        Assert.That(Encoding.ASCII.GetString(rsdt, 0, 4), Is.EqualTo("RSDT"));
        Assert.That(AcpiTable.Sum(rsdt), Is.EqualTo(0), "RSDT checksum");

        var found = new Dictionary<string, byte[]>();
        for (int o = 36; o < rsdt.Length; o += 4)
        {
            var t = mem.Table(BinaryPrimitives.ReadUInt32LittleEndian(rsdt.AsSpan(o)));
            string sig = Encoding.ASCII.GetString(t, 0, 4);
            Assert.That(AcpiTable.Sum(t), Is.EqualTo(0), sig + " checksum");
            found[sig] = t;
        }
        Assert.That(found.Keys, Is.EquivalentTo(new[] { "FACP", "APIC", "HPET" }));
        var fadt = found["FACP"];
        uint facsAddress = BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(36));
        var facs = mem.Read(facsAddress, 64);
        var dsdt = mem.Table(BinaryPrimitives.ReadUInt32LittleEndian(fadt.AsSpan(40)));
        Assert.Multiple(() =>
        {
            Assert.That(facsAddress % 64, Is.EqualTo(0), "the FACS is 64-byte aligned (5.2.10)");
            Assert.That(Encoding.ASCII.GetString(facs, 0, 4), Is.EqualTo("FACS"));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(facs.AsSpan(4)), Is.EqualTo(64));
            Assert.That(Encoding.ASCII.GetString(dsdt, 0, 4), Is.EqualTo("DSDT"));
            Assert.That(AcpiTable.Sum(dsdt), Is.EqualTo(0), "DSDT checksum");
            Assert.That(dsdt, Has.Length.EqualTo(AcpiDsdt.Compiled().Length));
        });
    }

    [Test]
    public void Direct_install_puts_the_rsdp_in_the_ebda_and_the_tables_at_the_top_of_ram()
    {
        var board = Board();
        board.Machine.Reset();
        var installed = board.InstallAcpiDirect();
        var memory = board.Machine.Memory;
        byte[] Read(ulong a, int n) { var b = new byte[n]; memory.Read(a, b); return b; }

        var rsdp = Read(0x9FC00, 20);
        uint rsdt = BinaryPrimitives.ReadUInt32LittleEndian(rsdp.AsSpan(16));
        Assert.Multiple(() =>
        {
            Assert.That(installed.Rsdp, Is.EqualTo(0x9FC00UL));
            Assert.That(Read(0x40E, 2), Is.EqualTo(new byte[] { 0xC0, 0x9F }), "EBDA segment in the BDA");
            Assert.That(Encoding.ASCII.GetString(rsdp, 0, 8), Is.EqualTo("RSD PTR "));
            Assert.That(AcpiTable.Sum(rsdp), Is.EqualTo(0));
            Assert.That(installed.RegionBase, Is.EqualTo((128UL << 20) - 0x10000));
            Assert.That(rsdt, Is.InRange((uint)installed.RegionBase, (uint)(128 << 20) - 40));
            Assert.That(Encoding.ASCII.GetString(Read(rsdt, 4)), Is.EqualTo("RSDT"));
            Assert.That(board.Acpi.PmBase, Is.EqualTo((ushort)0x600), "the PM block is decoded where the FADT says");
        });
        // The board's map (RAM 0-128 MiB, the IOAPIC, HPET and local APIC pages, the 64 KiB ROM below
        // 4 GiB) with the loader's claims: the EBDA KiB, the A0000-EFFFF hole left out, the BIOS
        // segment, and the 64 KiB of ACPI tables at the top of RAM.
        Assert.That(LinuxDirectBoot.MemoryMap(board.MemoryMap, installed.RegionSize), Is.EqualTo(new E820Entry[]
        {
            new(0, 0x9FC00, 1), new(0x9FC00, 0x400, 2), new(0xF0000, 0x10000, 2),
            new(0x100000, 0x7EF_0000, 1),
            new(0x7FF_0000, 0x10000, 3),
            new(0xFEC0_0000, 0x1000, 2), new(0xFED0_0000, 0x1000, 2), new(0xFEE0_0000, 0x1000, 2),
            new(0xFFFF_0000, 0x10000, 2),
        }));
    }
}
