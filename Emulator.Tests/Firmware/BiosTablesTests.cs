using System.Globalization;
using Emulator.Core.Machine;
using Emulator.Devices.Firmware.Acpi;
using Emulator.Devices.Firmware.Tables;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Firmware;

/// <summary>
/// The tables the project's BIOS installs from the board's fw_cfg files, read from guest memory
/// after POST as an OS finds them (signatures on 16-byte boundaries, checksums, lengths,
/// pointers), compared with the board's builders, and checked against the E820 map the BIOS then
/// reports to the booted code (INT 15h E820h, called by the test's boot code).
/// </summary>
/// <remarks>No OS boot shows these tables in use yet: Linux's -kernel path installs its own tables
/// without the BIOS, and the BIOS's ISOLINUX boot is another branch's work; these tests are the evidence.</remarks>
public class BiosTablesTests
{
    sealed record E820(ulong Base, ulong Length, uint Type);

    sealed record Posted(BiosRig Rig, TableScan Scan, IReadOnlyList<E820> Map);

    static Posted Post(ulong memory = 64UL << 20)
    {
        var rig = new BiosRig(memory, bootCode: a =>
        {
            var r = new GuestReport(a);
            var next = a.CreateLabel();
            var done = a.CreateLabel();
            a.xor(ax, ax);
            a.mov(es, ax);
            a.mov(ds, ax);
            a.xor(ebx, ebx);
            a.Label(ref next);
            a.mov(eax, 0xE820);
            a.mov(edx, 0x534D4150);
            a.mov(ecx, 20);
            a.mov(di, 0x600);
            a.@int(0x15);
            a.jc(done);
            r.Text("E820 ");
            foreach (int off in new[] { 4, 0, 12, 8, 16 }) { a.mov(eax, __dword_ptr[0x600 + off]); r.Hex(eax); }
            r.Text("\n");
            a.test(ebx, ebx);
            a.jnz(next);
            a.Label(ref done);
            r.End();
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        var map = new List<E820>();
        foreach (var line in rig.Console.Split('\n').Where(l => l.StartsWith("E820 ")))
        {
            var v = line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(h => uint.Parse(h, NumberStyles.HexNumber)).ToArray();
            map.Add(new E820((ulong)v[0] << 32 | v[1], (ulong)v[2] << 32 | v[3], v[4]));
        }
        Assert.That(map, Is.Not.Empty, rig.Console);
        return new Posted(rig, new TableScan(rig.Machine.Memory), map);
    }

    /// <summary>[address, address + length) lies in one E820 entry of type 2 (reserved) and in no RAM entry.</summary>
    static void AssertReserved(Posted p, ulong address, int length, string what)
    {
        ulong end = address + (ulong)length;
        Assert.That(p.Map.Any(e => e.Type == 2 && e.Base <= address && end <= e.Base + e.Length), Is.True,
            $"{what} at {address:X}-{end:X} is not in a reserved E820 range");
        Assert.That(p.Map.Any(e => e.Type == 1 && address < e.Base + e.Length && e.Base < end), Is.False, $"{what} overlaps RAM in E820");
    }

    [Test]
    public void Acpi_tables_are_found_from_the_rsdp_in_the_bios_area_and_reserved_in_e820()
    {
        var p = Post();
        var found = p.Scan.Acpi();
        var files = p.Rig.Board.AcpiTables;
        Assert.Multiple(() =>
        {
            Assert.That(found.Select(f => f.Signature), Is.EqualTo(new[] { "RSD PTR ", "RSDT", "FACP", "FACS", "DSDT", "APIC", "HPET" }));
            Assert.That(found[0].Address, Is.InRange(0xE0000UL, 0xFFFF0UL), "RSDP in E0000-FFFFF");
            foreach (var f in found)
            {
                if (f.Signature != "FACS" && f.Signature != "RSD PTR ")
                {
                    Assert.That(AcpiTable.Sum(f.Bytes), Is.EqualTo(0), f.Signature + " checksum");
                    Assert.That(TableScan.U32(f.Bytes, 4), Is.EqualTo(f.Bytes.Length), f.Signature + " length");
                }
                AssertReserved(p, f.Address, f.Bytes.Length, f.Signature);
            }
            // The FACS is 64-byte aligned (ACPI 6.4 5.2.10), as the loader's ALLOCATE asked.
            Assert.That(found.Single(f => f.Signature == "FACS").Address % 64, Is.EqualTo(0UL));
            // Contents: the tables without pointers are the board's bytes (the loader patched nothing
            // else in them; the FACS has no checksum to catch a stray patch).
            foreach (var sig in new[] { "FACS", "DSDT", "APIC", "HPET" })
            {
                int at = files.Offsets[sig];
                var board = files.Tables.AsSpan(at, found.Single(f => f.Signature == sig).Bytes.Length).ToArray();
                board[AcpiTable.ChecksumOffset] = found.Single(f => f.Signature == sig).Bytes[AcpiTable.ChecksumOffset];
                Assert.That(found.Single(f => f.Signature == sig).Bytes, Is.EqualTo(board), sig + " contents");
            }
        });
    }

    /// <summary>A reset runs POST again from the ROM's copy of the F segment: the tables are installed
    /// at the same places, once (the zones start over), with valid checksums.</summary>
    [Test]
    public void A_reset_installs_the_same_tables_again()
    {
        var p = Post();
        var before = p.Scan.Acpi().Select(f => (f.Signature, f.Address)).ToArray();
        ulong? smbios = p.Scan.Find("_SM_", 0xF0000, 0x100000, h => h[5]);
        p.Rig.Machine.Reset();
        Assert.That(p.Rig.Run(), Is.EqualTo(StopReason.Halted), p.Rig.Console);
        Assert.Multiple(() =>
        {
            Assert.That(p.Scan.Acpi().Select(f => (f.Signature, f.Address)), Is.EqualTo(before));
            Assert.That(p.Scan.Find("_SM_", 0xF0000, 0x100000, h => h[5]), Is.EqualTo(smbios));
            Assert.That(p.Rig.Console, Does.Not.Contain("no room"));
        });
    }

    [Test]
    public void The_e820_map_reserves_the_tables_high_zone_at_the_top_of_ram()
    {
        var p = Post(32UL << 20);
        Assert.That(p.Map.Take(5), Is.EqualTo(new[]
        {
            new E820(0, 0x9FC00, 1),
            new E820(0x9FC00, 0x400, 2),
            new E820(0xE0000, 0x20000, 2),
            new E820(0x100000, 0x1FF0000 - 0x100000, 1),
            new E820(0x1FF0000, 0x10000, 2),
        }));
    }

    [Test]
    public void The_mp_table_is_the_boards_behind_a_floating_pointer_in_the_f_segment()
    {
        var p = Post();
        var s = p.Scan;
        ulong? fp = s.Find("_MP_", 0xF0000, 0x100000, h => h[8] * 16);
        Assert.That(fp, Is.Not.Null, "no MP floating pointer in F0000-FFFFF");
        var floating = s.Read(fp!.Value, 16);
        ulong config = TableScan.U32(floating, 4);
        var header = s.Read(config, MpTable.HeaderLength);
        var table = s.Read(config, TableScan.U16(header, 4));
        var board = MpBytesFromFwCfg(p);
        Assert.Multiple(() =>
        {
            Assert.That(floating[8], Is.EqualTo(1), "length in paragraphs");
            Assert.That(floating[9], Is.EqualTo(4), "MP 1.4");
            Assert.That(floating[11], Is.EqualTo(0), "a configuration table, not a default configuration");
            Assert.That(TableScan.Ascii(header, 0, 4), Is.EqualTo("PCMP"));
            Assert.That(AcpiTable.Sum(table), Is.EqualTo(0), "configuration table checksum");
            Assert.That(table, Is.EqualTo(board[MpTable.FloatingLength..]), "the board's configuration table");
            Assert.That(config, Is.EqualTo(fp.Value + 16), "the table follows the floating pointer");
            AssertReserved(p, fp.Value, board.Length, "MP table");
        });
    }

    static byte[] MpBytesFromFwCfg(Posted p) => FwCfgFile(p, LegacyTables.MpFile);

    /// <summary>The bytes of a fw_cfg file, read through the device's port interface as firmware does.</summary>
    static byte[] FwCfgFile(Posted p, string name)
    {
        var fw = p.Rig.Board.FwCfg;
        ushort sel = fw.FileSelector(name) ?? throw new AssertionException($"fw_cfg has no {name}");
        fw.Out(0x510, 2, 0x19);
        var dir = Enumerable.Range(0, 4 + 64 * 0x20).Select(_ => (byte)fw.In(0x511, 1)).ToArray();
        int size = 0;
        for (int i = 0; i < 0x20; i++)
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(dir.AsSpan(4 + 64 * i + 4)) == sel)
                size = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(dir.AsSpan(4 + 64 * i));
        fw.Out(0x510, 2, sel);
        return Enumerable.Range(0, size).Select(_ => (byte)fw.In(0x511, 1)).ToArray();
    }

    [Test]
    public void The_pir_table_is_the_boards_in_the_f_segment()
    {
        var p = Post();
        ulong? at = p.Scan.Find("$PIR", 0xF0000, 0x100000, h => TableScan.U16(h, 6));
        Assert.That(at, Is.Not.Null, "no $PIR in F0000-FFFFF");
        var board = FwCfgFile(p, LegacyTables.PirFile);
        var pir = p.Scan.Read(at!.Value, board.Length);
        Assert.Multiple(() =>
        {
            Assert.That(pir, Is.EqualTo(board));
            Assert.That(TableScan.U16(pir, 4), Is.EqualTo(0x0100));
            // One entry for each of the 32 device numbers of bus 0: the wiring, filled slot or not.
            Assert.That(pir.Length, Is.EqualTo(32 + 32 * 16));
        });
    }

    /// <summary>INT 1Ah B10Eh (PCI BIOS 2.1, "Get PCI Interrupt Routing Options") answers from the same
    /// $PIR table: too small a buffer gets 89h and the size needed, a big one the slot entries.</summary>
    [Test]
    public void Pci_routing_options_are_the_pir_tables_slot_entries()
    {
        var rig = new BiosRig(bootCode: a =>
        {
            var r = new GuestReport(a);
            a.xor(ax, ax);
            a.mov(es, ax);
            a.mov(ds, ax);
            a.mov(__word_ptr[0x600], 0);                 // buffer size 0
            a.mov(__word_ptr[0x602], 0x700);
            a.mov(__word_ptr[0x604], 0);
            a.mov(di, 0x600);
            a.mov(ax, 0xB10E);
            a.xor(bx, bx);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
            a.movzx(eax, __word_ptr[0x600]);
            r.Hex(eax);
            a.mov(__word_ptr[0x600], 0x200);             // 32 slots of 16 bytes
            a.mov(di, 0x600);
            a.mov(ax, 0xB10E);
            a.mov(bx, 0xFFFF);
            a.@int(0x1A);
            r.Carry();
            a.movzx(eax, ah);
            r.Hex(eax);
            a.movzx(eax, bx);
            r.Hex(eax);
            a.movzx(eax, __word_ptr[0x600]);
            r.Hex(eax);
            r.Text("\n");
            var dump = a.CreateLabel();
            a.mov(si, 0x700);
            a.Label(ref dump);
            a.mov(eax, __dword_ptr[si]);
            r.Hex(eax);
            a.add(si, 4);
            a.cmp(si, 0x900);
            a.jb(dump);
            r.End();
        });
        Assert.That(rig.Run(), Is.EqualTo(StopReason.Halted), rig.Console);
        var pir = FwCfgFile(new Posted(rig, new TableScan(rig.Machine.Memory), []), LegacyTables.PirFile);
        int entries = pir.Length - 32;
        var lines = rig.Console.Split('\n');
        int at = Array.FindIndex(lines, l => l.StartsWith("C ") || l.StartsWith("NC "));
        Assert.That(at, Is.GreaterThanOrEqualTo(0), rig.Console);
        var buffer = lines[at + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(h => BitConverter.GetBytes(uint.Parse(h, NumberStyles.HexNumber))).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(lines[at], Is.EqualTo($"C 00000089 {entries:X8} NC 00000000 00000000 {entries:X8} "));
            Assert.That(buffer[..entries], Is.EqualTo(pir[32..]));
        });
    }

    [Test]
    public void Smbios_entry_point_and_structures_with_the_bios_type_0_first()
    {
        var p = Post();
        ulong? ep = p.Scan.Find("_SM_", 0xF0000, 0x100000, h => h[5]);
        Assert.That(ep, Is.Not.Null, "no SMBIOS entry point in F0000-FFFFF");
        var e = p.Scan.Read(ep!.Value, 0x1F);
        var boardAnchor = FwCfgFile(p, Smbios.AnchorFile);
        var boardTables = FwCfgFile(p, Smbios.TablesFile);
        ulong tableAt = TableScan.U32(e, 0x18);
        int length = TableScan.U16(e, 0x16);
        var tables = p.Scan.Read(tableAt, length);
        // Walk the structures (DSP0134 6.1.2-6.1.3): formatted area of the length at +1, then strings to a double NUL.
        var types = new List<int>();
        var sizes = new List<int>();
        int o = 0;
        while (o < tables.Length)
        {
            int start = o;
            types.Add(tables[o]);
            o += tables[o + 1];
            while (!(tables[o] == 0 && tables[o + 1] == 0)) o++;
            o += 2;
            sizes.Add(o - start);
        }
        int t0 = sizes[0];
        Assert.Multiple(() =>
        {
            Assert.That(TableScan.Ascii(e, 0x10, 5), Is.EqualTo("_DMI_"));
            Assert.That(AcpiTable.Sum(e.AsSpan(0x10, 0x0F)), Is.EqualTo(0), "intermediate checksum");
            Assert.That((e[6], e[7]), Is.EqualTo(((byte)2, (byte)8)), "SMBIOS 2.8");
            Assert.That(types, Is.EqualTo(new[] { 0, 1, 3, 4, 16, 17, 19, 32, 127 }));
            Assert.That(o, Is.EqualTo(length), "structure table length");
            Assert.That(TableScan.U16(e, 0x1C), Is.EqualTo(types.Count), "number of structures");
            Assert.That(TableScan.U16(e, 8), Is.EqualTo(sizes.Max()), "maximum structure size");
            // Type 0: vendor, version and date strings of this BIOS, F000h, 64 KiB.
            Assert.That(System.Text.Encoding.ASCII.GetString(tables, tables[1], t0 - tables[1]), Is.EqualTo("emu\00.2\011/26/2026\0\0"));
            Assert.That(TableScan.U16(tables, 6), Is.EqualTo(0xF000));
            // The rest is the board's table as fw_cfg has it, and the anchor described it.
            Assert.That(tables[t0..], Is.EqualTo(boardTables));
            Assert.That(TableScan.U16(boardAnchor, 0x16) + t0, Is.EqualTo(length));
            AssertReserved(p, tableAt, length, "SMBIOS structures");
            AssertReserved(p, ep.Value, 0x1F, "SMBIOS entry point");
        });
    }
}
