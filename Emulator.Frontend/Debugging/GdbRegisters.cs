using System.Buffers.Binary;
using Emulator.Core.Cpu;
using Emulator.Core.Cpu.X87;

namespace Emulator.Frontend.Debugging;

/// <summary>
/// The i386 register file as GDB numbers it (GDB's <c>org.gnu.gdb.i386.core</c> feature, the
/// order of <see cref="TargetXml"/>): eax..edi, eip, eflags, cs ss ds es fs gs, st0..st7
/// (80-bit), then fctrl fstat ftag fiseg fioff foseg fooff fop. Values are little-endian.
/// There is no <c>org.gnu.gdb.i386.sse</c> feature because the CPU has no SSE yet.
/// </summary>
/// <remarks>
/// <para>Real mode (CR0.PE = 0): GDB's i386 architecture has one flat program counter, so
/// <c>eip</c> is reported as the linear address CS × 16 + IP (CS's base plus IP). Then
/// <c>$pc</c>, <c>x/i $pc</c>, <c>break *0x7c00</c> and the stop addresses all agree. Writing
/// <c>eip</c> in real mode takes a linear address: if it lies within CS's 64 KiB window
/// (CS base ≤ value ≤ CS base + FFFFh) only IP changes; otherwise CS becomes value ÷ 16 and
/// IP value mod 16. Protected and virtual-8086 mode report EIP itself.</para>
/// <para>Segment registers: in real and virtual-8086 mode a write loads the selector as real
/// mode does (base = selector × 16); in protected mode only writing the current selector is
/// accepted (loading a descriptor for the debugger is not implemented).</para>
/// </remarks>
internal static class GdbRegisters
{
    public const int Count = 32;
    const int Eip = 8, Eflags = 9, FirstSeg = 10, FirstSt = 16, Fctrl = 24;

    /// <summary>Our segment register for GDB's order cs ss ds es fs gs.</summary>
    static readonly SegReg[] SegOrder = [SegReg.CS, SegReg.SS, SegReg.DS, SegReg.ES, SegReg.FS, SegReg.GS];

    /// <summary>Size in bytes of register <paramref name="n"/>.</summary>
    public static int Size(int n) => n is >= FirstSt and < FirstSt + 8 ? 10 : 4;

    /// <summary>Bytes of the whole <c>g</c> packet.</summary>
    public static int TotalSize { get; } = Enumerable.Range(0, Count).Sum(Size);

    static bool RealMode(Cpu cpu) => (cpu.Cr0 & CrBits.CR0_PE) == 0;

    /// <summary>Writes register <paramref name="n"/> into <paramref name="dest"/> (<see cref="Size"/> bytes).</summary>
    public static void Read(Cpu cpu, int n, Span<byte> dest)
    {
        if (n < 8) { BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)cpu.GetGpr((Gpr)n)); return; }
        switch (n)
        {
            case Eip:
                ulong eip = RealMode(cpu) ? cpu.GetSegment(SegReg.CS).Base + (cpu.Rip & 0xFFFF) : cpu.Rip;
                BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)eip);
                return;
            case Eflags:
                BinaryPrimitives.WriteUInt32LittleEndian(dest, cpu.Eflags);
                return;
        }
        if (n < FirstSt) { BinaryPrimitives.WriteUInt32LittleEndian(dest, cpu.GetSegment(SegOrder[n - FirstSeg]).Selector); return; }
        var fpu = cpu.Fpu;
        if (n < Fctrl)
        {
            // GDB's i387_ext: the 64-bit significand, then sign and exponent (the memory format of FSTP m80).
            Float80 v = fpu.St(n - FirstSt);
            BinaryPrimitives.WriteUInt64LittleEndian(dest, v.Significand);
            BinaryPrimitives.WriteUInt16LittleEndian(dest[8..], v.SignExponent);
            return;
        }
        uint value = (n - Fctrl) switch
        {
            0 => fpu.ControlWord,
            1 => fpu.StatusWord,
            2 => fpu.FullTagWord(),
            3 => fpu.InstructionSelector,
            4 => (uint)fpu.InstructionPointer,
            5 => fpu.DataSelector,
            6 => (uint)fpu.DataPointer,
            _ => fpu.Opcode,
        };
        BinaryPrimitives.WriteUInt32LittleEndian(dest, value);
    }

    /// <summary>Sets register <paramref name="n"/> from <paramref name="src"/>; false if the value cannot be set.</summary>
    public static bool Write(Cpu cpu, int n, ReadOnlySpan<byte> src)
    {
        if (n is < 0 or >= Count || src.Length != Size(n)) return false;
        if (n is >= FirstSt and < Fctrl)
        {
            cpu.Fpu.St(n - FirstSt) = new Float80(BinaryPrimitives.ReadUInt16LittleEndian(src[8..]), BinaryPrimitives.ReadUInt64LittleEndian(src));
            return true;
        }
        uint value = BinaryPrimitives.ReadUInt32LittleEndian(src);
        if (n < 8)
        {
            // A 32-bit register write: the upper half of the 64-bit register is kept (no long mode yet).
            ulong old = cpu.GetGpr((Gpr)n);
            cpu.SetGpr((Gpr)n, (old & ~0xFFFF_FFFFUL) | value);
            return true;
        }
        switch (n)
        {
            case Eip:
                WriteEip(cpu, value);
                return true;
            case Eflags:
                cpu.Eflags = value;
                return true;
        }
        if (n < FirstSt)
        {
            var seg = SegOrder[n - FirstSeg];
            if (cpu.GetSegment(seg).Selector == (ushort)value) return true;
            if ((cpu.Cr0 & CrBits.CR0_PE) != 0 && (cpu.Eflags & (uint)EFlags.VM) == 0) return false;
            cpu.SetSegmentReal(seg, (ushort)value);
            return true;
        }
        var fpu = cpu.Fpu;
        switch (n - Fctrl)
        {
            case 0: fpu.ControlWord = (ushort)value; break;
            case 1: fpu.Status = (ushort)(value & ~0x3800u); fpu.Top = (int)(value >> 11) & 7; break;
            case 2: fpu.TagWord = (ushort)value; break;
            case 3: fpu.InstructionSelector = (ushort)value; break;
            case 4: fpu.InstructionPointer = value; break;
            case 5: fpu.DataSelector = (ushort)value; break;
            case 6: fpu.DataPointer = value; break;
            default: fpu.Opcode = (ushort)(value & 0x7FF); break;
        }
        return true;
    }

    static void WriteEip(Cpu cpu, uint value)
    {
        if (!RealMode(cpu))
        {
            cpu.Rip = value;
            return;
        }
        ulong csBase = cpu.GetSegment(SegReg.CS).Base;
        if (value >= csBase && value - csBase <= 0xFFFF)
        {
            cpu.Rip = value - csBase;
            return;
        }
        cpu.SetSegmentReal(SegReg.CS, (ushort)(value >> 4));
        cpu.Rip = value & 0xF;
    }

    /// <summary>
    /// The target description GDB reads with <c>qXfer:features:read:target.xml</c> (GDB manual,
    /// "Target Descriptions", "i386 Features"): the core feature only, with architecture
    /// <c>i8086</c> when GDB connects in real mode and <c>i386</c> otherwise.
    /// </summary>
    /// <remarks>
    /// GDB combines the description's architecture with one the user sets and keeps the wider
    /// of the two, so an <c>i386</c> description makes <c>set architecture i8086</c> useless
    /// (x/i would decode 16-bit code as 32-bit). With <c>i8086</c>, <c>x/i $pc</c> decodes
    /// real-mode code, and <c>set architecture i386</c> (or a 32-bit ELF file) switches to
    /// 32-bit decoding once the guest is in protected mode, and back again with
    /// <c>set architecture i8086</c>. The registers are the same in both.
    /// </remarks>
    public static string TargetXml(bool realMode) => TargetXmlTemplate.Replace("ARCH", realMode ? "i8086" : "i386");

    const string TargetXmlTemplate = """
        <?xml version="1.0"?>
        <!DOCTYPE target SYSTEM "gdb-target.dtd">
        <target version="1.0">
          <architecture>ARCH</architecture>
          <feature name="org.gnu.gdb.i386.core">
            <flags id="i386_eflags" size="4">
              <field name="CF" start="0" end="0"/>
              <field name="" start="1" end="1"/>
              <field name="PF" start="2" end="2"/>
              <field name="AF" start="4" end="4"/>
              <field name="ZF" start="6" end="6"/>
              <field name="SF" start="7" end="7"/>
              <field name="TF" start="8" end="8"/>
              <field name="IF" start="9" end="9"/>
              <field name="DF" start="10" end="10"/>
              <field name="OF" start="11" end="11"/>
              <field name="NT" start="14" end="14"/>
              <field name="RF" start="16" end="16"/>
              <field name="VM" start="17" end="17"/>
              <field name="AC" start="18" end="18"/>
              <field name="VIF" start="19" end="19"/>
              <field name="VIP" start="20" end="20"/>
              <field name="ID" start="21" end="21"/>
            </flags>
            <reg name="eax" bitsize="32" type="int32" regnum="0"/>
            <reg name="ecx" bitsize="32" type="int32"/>
            <reg name="edx" bitsize="32" type="int32"/>
            <reg name="ebx" bitsize="32" type="int32"/>
            <reg name="esp" bitsize="32" type="data_ptr"/>
            <reg name="ebp" bitsize="32" type="data_ptr"/>
            <reg name="esi" bitsize="32" type="int32"/>
            <reg name="edi" bitsize="32" type="int32"/>
            <reg name="eip" bitsize="32" type="code_ptr"/>
            <reg name="eflags" bitsize="32" type="i386_eflags"/>
            <reg name="cs" bitsize="32" type="int32"/>
            <reg name="ss" bitsize="32" type="int32"/>
            <reg name="ds" bitsize="32" type="int32"/>
            <reg name="es" bitsize="32" type="int32"/>
            <reg name="fs" bitsize="32" type="int32"/>
            <reg name="gs" bitsize="32" type="int32"/>
            <reg name="st0" bitsize="80" type="i387_ext"/>
            <reg name="st1" bitsize="80" type="i387_ext"/>
            <reg name="st2" bitsize="80" type="i387_ext"/>
            <reg name="st3" bitsize="80" type="i387_ext"/>
            <reg name="st4" bitsize="80" type="i387_ext"/>
            <reg name="st5" bitsize="80" type="i387_ext"/>
            <reg name="st6" bitsize="80" type="i387_ext"/>
            <reg name="st7" bitsize="80" type="i387_ext"/>
            <reg name="fctrl" bitsize="32" type="int" group="float"/>
            <reg name="fstat" bitsize="32" type="int" group="float"/>
            <reg name="ftag" bitsize="32" type="int" group="float"/>
            <reg name="fiseg" bitsize="32" type="int" group="float"/>
            <reg name="fioff" bitsize="32" type="int" group="float"/>
            <reg name="foseg" bitsize="32" type="int" group="float"/>
            <reg name="fooff" bitsize="32" type="int" group="float"/>
            <reg name="fop" bitsize="32" type="int" group="float"/>
          </feature>
        </target>
        """;
}
