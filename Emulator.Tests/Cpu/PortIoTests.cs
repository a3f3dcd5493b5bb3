using Emulator.Core.Cpu;
using Emulator.Core.Io;
using Emulator.Core.Machine;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Emulator.Tests.Cpu;

/// <summary>
/// IN/OUT/INS/OUTS (SDM vol. 2) and the I/O permission check (SDM vol. 1, 19.5-19.6;
/// vol. 3, 20.2.8) against a small recording device.
/// </summary>
public class PortIoTests
{
    /// <summary>Answers every port it claims: reads come from a queue, else a fixed value per size; writes are logged.</summary>
    sealed class RecordingDevice : IIoDevice
    {
        public readonly List<(ushort Port, int Size, uint Value)> Writes = new();
        public readonly List<(ushort Port, int Size)> Reads = new();
        public readonly Queue<uint> ReadValues = new();

        public uint In(ushort port, int size)
        {
            Reads.Add((port, size));
            if (ReadValues.Count > 0) return ReadValues.Dequeue();
            return size switch { 1 => 0xA5u, 2 => 0xBEEFu, _ => 0xDEADBEEFu };
        }

        public void Out(ushort port, int size, uint value) => Writes.Add((port, size, value));
    }

    static (TestMachine, RecordingDevice) Real(Action<Assembler> build, Action<TestMachine, RecordingDevice>? setup = null)
    {
        var m = new TestMachine();
        var dev = new RecordingDevice();
        m.Machine.Io.Register(0, 0x10000, dev);
        m.Load(16, 0x1000, build);
        m.StartReal(0, 0x1000);
        setup?.Invoke(m, dev);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        return (m, dev);
    }

    [Test]
    public void InWithImmediateAndDxAllSizes()
    {
        var (m, dev) = Real(a =>
        {
            a.mov(eax, 0x12345678);
            a.@in(al, 0x60);            // AL only: 0x123456A5
            a.mov(ebx, eax);
            a.mov(dx, 0x1F0);
            a.@in(ax, dx);              // AX only: 0x1234BEEF
            a.mov(ecx, eax);
            a.@in(eax, 0x71);           // EAX = 0xDEADBEEF
            a.mov(esi, eax);
            a.mov(eax, 0);
            a.@in(eax, dx);
            a.hlt();
        }, (m, d) =>
        {
            foreach (var v in new[] { 0xA5u, 0xBEEFu, 0xDEADBEEFu, 0x01020304u }) d.ReadValues.Enqueue(v);
        });
        Assert.Multiple(() =>
        {
            Assert.That(m.Reg(Gpr.Rbx), Is.EqualTo(0x123456A5UL));
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(0x1234BEEFUL));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0xDEADBEEFUL));
            Assert.That(m.Reg(Gpr.Rax), Is.EqualTo(0x01020304UL));
            Assert.That(dev.Reads, Is.EqualTo(new[] { ((ushort)0x60, 1), ((ushort)0x1F0, 2), ((ushort)0x71, 4), ((ushort)0x1F0, 4) }));
        });
    }

    [Test]
    public void OutWithImmediateAndDxAllSizes()
    {
        var (_, dev) = Real(a =>
        {
            a.mov(eax, 0x89ABCDEF);
            a.@out(0x80, al);
            a.mov(dx, 0x3F8);
            a.@out(dx, al);
            a.@out(0x70, ax);
            a.@out(dx, ax);
            a.@out(0xF4, eax);
            a.mov(dx, 0xCFC);
            a.@out(dx, eax);
            a.hlt();
        });
        Assert.That(dev.Writes, Is.EqualTo(new[]
        {
            ((ushort)0x80, 1, 0xEFu), ((ushort)0x3F8, 1, 0xEFu),
            ((ushort)0x70, 2, 0xCDEFu), ((ushort)0x3F8, 2, 0xCDEFu),
            ((ushort)0xF4, 4, 0x89ABCDEFu), ((ushort)0xCFC, 4, 0x89ABCDEFu),
        }));
    }

    [Test]
    public void RepInswStoresToEsDi()
    {
        var (m, dev) = Real(a =>
        {
            a.mov(ax, 0x0300); a.mov(es, ax);   // ES base 0x3000
            a.mov(dx, 0x1F0); a.mov(di, 0x10); a.mov(cx, 3);
            a.rep.insw();
            a.hlt();
        }, (m, d) => { d.ReadValues.Enqueue(0x1111); d.ReadValues.Enqueue(0x2222); d.ReadValues.Enqueue(0x3333); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read16(0x3010), Is.EqualTo(0x1111));
            Assert.That(m.Read16(0x3012), Is.EqualTo(0x2222));
            Assert.That(m.Read16(0x3014), Is.EqualTo(0x3333));
            Assert.That(m.Reg(Gpr.Rdi) & 0xFFFF, Is.EqualTo(0x16));
            Assert.That(m.Reg(Gpr.Rcx) & 0xFFFF, Is.EqualTo(0));
            Assert.That(dev.Reads, Has.Count.EqualTo(3));
        });
    }

    /// <summary>Counts MMIO reads and keeps the last word written.</summary>
    sealed class MmioRecorder : Emulator.Core.Memory.IMmioHandler
    {
        public int Reads;
        public readonly Dictionary<ulong, ulong> Written = new();
        public ulong Read(ulong offset, int size) { Reads++; return 0; }
        public void Write(ulong offset, int size, ulong value) => Written[offset] = value;
    }

    [Test]
    public void RepInswToMmioOnlyWrites()
    {
        // INS stores port data to ES:[DI] (SDM vol. 2, INS); the destination's writability is checked
        // without reading it, so a device behind the destination sees two writes and no read.
        var rec = new MmioRecorder();
        var (_, dev) = Real(a =>
        {
            a.mov(ax, 0xD000); a.mov(es, ax);   // ES base 0xD0000
            a.mov(dx, 0x1F0); a.xor(di, di); a.mov(cx, 2);
            a.rep.insw();
            a.hlt();
        }, (m, d) =>
        {
            m.Machine.Memory.MapMmio(0xD0000, 0x1000, rec);
            d.ReadValues.Enqueue(0x1234); d.ReadValues.Enqueue(0x5678);
        });
        Assert.Multiple(() =>
        {
            Assert.That(rec.Reads, Is.EqualTo(0));
            Assert.That(rec.Written, Is.EquivalentTo(new Dictionary<ulong, ulong> { [0] = 0x1234, [2] = 0x5678 }));
            Assert.That(dev.Reads, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void InsbAndInsdWithDfSet()
    {
        var (m, _) = Real(a =>
        {
            a.std();
            a.mov(dx, 0x60); a.mov(di, 0x3004);
            a.insb();          // to 0x3004, DI = 0x3003
            a.sub(di, 3);
            a.insd();          // to 0x3000, DI = 0x2FFC
            a.hlt();
        }, (m, d) => { d.ReadValues.Enqueue(0x5A); d.ReadValues.Enqueue(0x44332211); });
        Assert.Multiple(() =>
        {
            Assert.That(m.Read8(0x3004), Is.EqualTo(0x5A));
            Assert.That(m.Read32(0x3000), Is.EqualTo(0x44332211u));
            Assert.That(m.Reg(Gpr.Rdi) & 0xFFFF, Is.EqualTo(0x2FFC));
        });
    }

    [Test]
    public void RepOutsbWithSegmentOverride()
    {
        var (m, dev) = Real(a =>
        {
            a.mov(ax, 0x0300); a.mov(es, ax);     // ES base 0x3000
            a.mov(dx, 0xE9); a.mov(si, 0x10); a.mov(cx, 3);
            a.db(0xF3, 0x26, 0x6E);               // REP ES: OUTSB
            a.outsw();                            // DS:SI = 0x0013
            a.hlt();
        }, (m, d) => { m.WriteBytes(0x3010, (byte)'a', (byte)'b', (byte)'c'); m.WriteBytes(0x0013, 0x34, 0x12); });
        Assert.Multiple(() =>
        {
            Assert.That(dev.Writes, Is.EqualTo(new[] { ((ushort)0xE9, 1, 0x61u), ((ushort)0xE9, 1, 0x62u), ((ushort)0xE9, 1, 0x63u), ((ushort)0xE9, 2, 0x1234u) }));
            Assert.That(m.Reg(Gpr.Rsi) & 0xFFFF, Is.EqualTo(0x15));
        });
    }

    [Test]
    public void OutsdOneElement()
    {
        var (_, dev) = Real(a => { a.mov(dx, 0xCFC); a.mov(si, 0x2000); a.outsd(); a.hlt(); },
            (m, d) => m.Write32(0x2000, 0x80001234));
        Assert.That(dev.Writes, Is.EqualTo(new[] { ((ushort)0xCFC, 4, 0x80001234u) }));
    }

    // ---------------- protection ----------------

    const ulong GdtAt = 0x10000, IdtAt = 0x11000, TssAt = 0x12000, UserCode = 0x20000, Handler = 0x30000, Ring0Stack = 0x9000;
    /// <summary>The bitmap covers ports 0-0x3FF (0x80 bytes) plus the required trailing 0xFF byte.</summary>
    const uint TssLimit = 0x68 + 0x80;

    /// <summary>
    /// Protected mode at CPL 3 with IOPL <paramref name="iopl"/> (or V86 mode), a 32-bit TSS whose I/O
    /// bitmap denies <paramref name="deniedPorts"/>, and #GP routed through an interrupt gate to a
    /// ring-0 HLT. The guest program ends with HLT, which itself is #GP(0) at CPL 3, so every run ends
    /// in the handler; the pushed EIP says which instruction faulted.
    /// </summary>
    static (TestMachine M, RecordingDevice Dev) Protected(int iopl, ushort[] deniedPorts, Action<Assembler> build,
        bool v86 = false, ushort tssAttributes = 0x8B, Action<TestMachine>? setup = null)
    {
        var m = new TestMachine();
        var dev = new RecordingDevice();
        m.Machine.Io.Register(0, 0x10000, dev);
        var c = m.Cpu;
        // GDT: null, ring-0 code 0x08, ring-0 data 0x10, ring-3 code 0x1B, ring-3 data 0x23, TSS 0x28.
        m.Write64(GdtAt + 0x08, 0x00CF9A000000FFFF);
        m.Write64(GdtAt + 0x10, 0x00CF92000000FFFF);
        m.Write64(GdtAt + 0x18, 0x00CFFA000000FFFF);
        m.Write64(GdtAt + 0x20, 0x00CFF2000000FFFF);
        m.Write64(GdtAt + 0x28, ((ulong)tssAttributes << 40) | (TssAt << 16) | TssLimit);
        c.GdtBase = GdtAt; c.GdtLimit = 0x2F;
        // IDT gate 13: 32-bit interrupt gate, DPL 0, to 0x08:Handler.
        m.Write64(IdtAt + 13 * 8, ((Handler & 0xFFFF0000) << 32) | (0x8E00UL << 32) | (0x08UL << 16) | (Handler & 0xFFFF));
        c.IdtBase = IdtAt; c.IdtLimit = 0x7FF;
        m.Load(32, Handler, a => a.hlt());
        // TSS: ESP0/SS0, I/O map base 0x68, bitmap all clear but the denied ports, trailing 0xFF.
        if ((tssAttributes & 8) != 0)
        {
            m.Write32(TssAt + 4, (uint)Ring0Stack);
            m.Write32(TssAt + 8, 0x10);
        }
        else
        {
            // 16-bit TSS layout (SDM vol. 3, 8.6): SP0 at +2, SS0 at +4.
            m.Write32(TssAt + 2, (uint)Ring0Stack | 0x10u << 16);
        }
        m.WriteBytes(TssAt + 0x66, 0x68, 0x00);
        var map = new byte[0x81];
        map[0x80] = 0xFF;
        foreach (var p in deniedPorts) map[p >> 3] |= (byte)(1 << (p & 7));
        m.WriteBytes(TssAt + 0x68, map);
        c.tr = new SegmentCache { Selector = 0x28, Base = TssAt, Limit = TssLimit, Attributes = tssAttributes };

        c.SetControlRegister(0, c.Cr0 | CrBits.CR0_PE);
        if (v86)
        {
            m.Load(16, UserCode, build);
            c.Eflags = 0x2 | (uint)EFlags.VM | ((uint)iopl << 12);
            foreach (var s in new[] { SegReg.ES, SegReg.SS, SegReg.DS, SegReg.FS, SegReg.GS })
            {
                var seg = new SegmentCache { Selector = (ushort)(UserCode >> 4), Base = UserCode, Limit = 0xFFFF, Attributes = 0xF3 };
                c.SetSegment(s, seg);
            }
            c.SetSegment(SegReg.CS, new SegmentCache { Selector = (ushort)(UserCode >> 4), Base = UserCode, Limit = 0xFFFF, Attributes = 0xF3 });
            c.Rip = 0;
            c.SetGpr(Gpr.Rsp, 0x8000);
        }
        else
        {
            m.Load(32, UserCode, build);
            c.Cpl = 3;
            var data = new SegmentCache { Selector = 0x23, Base = 0, Limit = 0xFFFF_FFFF, Attributes = 0xCFF3 };
            foreach (var s in new[] { SegReg.ES, SegReg.SS, SegReg.DS, SegReg.FS, SegReg.GS }) c.SetSegment(s, data);
            c.SetSegment(SegReg.CS, new SegmentCache { Selector = 0x1B, Base = 0, Limit = 0xFFFF_FFFF, Attributes = 0xCFFB });
            c.Eflags = 0x2 | ((uint)iopl << 12);
            c.Rip = UserCode;
            c.SetGpr(Gpr.Rsp, 0x28000);
        }
        setup?.Invoke(m);
        Assert.That(m.Run(), Is.EqualTo(StopReason.Halted));
        Assert.Multiple(() =>
        {
            Assert.That(c.GetSegment(SegReg.CS).Selector, Is.EqualTo(0x08), "ended in the ring-0 #GP handler");
            Assert.That(c.Rip, Is.EqualTo(Handler + 1));
        });
        return (m, dev);
    }

    /// <summary>The EIP and error code the #GP pushed on the ring-0 stack (SDM vol. 3, figure 6-4).</summary>
    static (uint Eip, uint Error) GpFrame(TestMachine m, bool v86 = false)
    {
        uint err = m.Read32(Ring0Stack - (v86 ? 40u : 24u));
        uint eip = m.Read32(Ring0Stack - (v86 ? 36u : 20u));
        return (eip, err);
    }

    static int Length(Action<Assembler> build, int bitness = 32)
    {
        var a = new Assembler(bitness);
        build(a);
        using var ms = new MemoryStream();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return (int)ms.Length;
    }

    [Test]
    public void AllowedPortAtCpl3WithIoplZero()
    {
        Action<Assembler> io = a => { a.mov(dx, 0x80); a.mov(al, 0x11); a.@out(dx, al); a.@in(al, 0x81); };
        var (m, dev) = Protected(0, [0x82], a => { io(a); a.hlt(); });
        var (eip, err) = GpFrame(m);
        Assert.Multiple(() =>
        {
            Assert.That(eip, Is.EqualTo((uint)UserCode + (uint)Length(io)), "only the final HLT faulted");
            Assert.That(err, Is.EqualTo(0u));
            Assert.That(dev.Writes, Is.EqualTo(new[] { ((ushort)0x80, 1, 0x11u) }));
            Assert.That(dev.Reads, Is.EqualTo(new[] { ((ushort)0x81, 1) }));
        });
    }

    [Test]
    public void DeniedPortIsGeneralProtectionFault()
    {
        Action<Assembler> setup = a => { a.mov(dx, 0x3F9); a.mov(al, 0x11); };
        var (m, dev) = Protected(0, [0x3F9], a => { setup(a); a.@out(dx, al); a.hlt(); });
        var (eip, err) = GpFrame(m);
        Assert.Multiple(() =>
        {
            Assert.That(eip, Is.EqualTo((uint)UserCode + (uint)Length(setup)), "the OUT faulted");
            Assert.That(err, Is.EqualTo(0u));
            Assert.That(dev.Writes, Is.Empty);
        });
    }

    [Test]
    public void DeniedInLeavesAccumulatorUnchanged()
    {
        var (m, dev) = Protected(0, [0x60], a => { a.@in(al, 0x60); a.hlt(); }, setup: m => m.Cpu.SetGpr(Gpr.Rax, 0x1234));
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode));
            Assert.That(m.Reg(Gpr.Rax) & 0xFFFF, Is.EqualTo(0x1234));
            Assert.That(dev.Reads, Is.Empty);
        });
    }

    [Test]
    public void WordAccessNeedsEveryPortBitClear()
    {
        // Port 0x87 is allowed, 0x88 (the next bitmap byte) is not: a word at 0x86 is fine, at 0x87 it is denied.
        Action<Assembler> ok = a => { a.mov(dx, 0x86); a.@out(dx, ax); a.mov(dx, 0x87); };
        var (m, dev) = Protected(0, [0x88], a => { ok(a); a.@out(dx, ax); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(ok)));
            Assert.That(dev.Writes, Has.Count.EqualTo(1));
            Assert.That(dev.Writes[0].Port, Is.EqualTo(0x86));
        });
    }

    [Test]
    public void DwordAccessChecksFourBits()
    {
        Action<Assembler> ok = a => { a.mov(dx, 0x3F8); a.@in(eax, dx); };
        var (m, dev) = Protected(0, [0x3FF], a => { ok(a); a.mov(dx, 0x3FC); a.@in(eax, dx); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(ok) + 4), "IN EAX,DX at 0x3FC faulted");
            Assert.That(dev.Reads, Is.EqualTo(new[] { ((ushort)0x3F8, 4) }));
        });
    }

    [Test]
    public void PortBeyondTheTssLimitIsDenied()
    {
        // The bitmap covers ports 0-0x3FF; port 0x400's byte lies past the map, where the TSS ends.
        var (m, dev) = Protected(0, [], a => { a.mov(dx, 0x400); a.@out(dx, al); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + 4));
            Assert.That(dev.Writes, Is.Empty);
        });
    }

    [Test]
    public void IoplThreeAllowsEveryPort()
    {
        Action<Assembler> io = a => { a.mov(dx, 0x400); a.@out(dx, al); a.@out(0x60, al); };
        var (m, dev) = Protected(3, [0x60], a => { io(a); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(io)));
            Assert.That(dev.Writes, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void SixteenBitTssHasNoBitmap()
    {
        // Type 3 (busy 16-bit TSS): no I/O map, so CPL > IOPL means denied.
        var (m, dev) = Protected(0, [], a => { a.@out(0x80, al); a.hlt(); }, tssAttributes: 0x83);
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode));
            Assert.That(dev.Writes, Is.Empty);
        });
    }

    [Test]
    public void RepOutsbToDeniedPortFaultsBeforeAnyElement()
    {
        Action<Assembler> setup = a => { a.mov(dx, 0x81); a.mov(esi, 0x5000); a.mov(ecx, 4); };
        var (m, dev) = Protected(0, [0x81], a => { setup(a); a.rep.outsb(); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(setup)));
            Assert.That(dev.Writes, Is.Empty);
            Assert.That(m.Reg(Gpr.Rcx), Is.EqualTo(4UL));
            Assert.That(m.Reg(Gpr.Rsi), Is.EqualTo(0x5000UL));
        });
    }

    [Test]
    public void InsbToDeniedPortFaults()
    {
        Action<Assembler> setup = a => { a.mov(dx, 0x70); a.mov(edi, 0x5000); };
        var (m, dev) = Protected(0, [0x70], a => { setup(a); a.insb(); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(setup)));
            Assert.That(dev.Reads, Is.Empty);
            Assert.That(m.Reg(Gpr.Rdi), Is.EqualTo(0x5000UL));
        });
    }

    [Test]
    public void AllowedRepInsbAtCpl3()
    {
        Action<Assembler> io = a => { a.mov(dx, 0x70); a.mov(edi, 0x5000); a.mov(ecx, 2); a.rep.insb(); };
        var (m, dev) = Protected(0, [0x71], a => { io(a); a.hlt(); });
        Assert.Multiple(() =>
        {
            Assert.That(GpFrame(m).Eip, Is.EqualTo((uint)UserCode + (uint)Length(io)));
            Assert.That(m.Read16(0x5000), Is.EqualTo(0xA5A5));
            Assert.That(dev.Reads, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void V86ModeChecksTheBitmapEvenWithIoplThree()
    {
        // SDM vol. 3, 20.2.8: in V86 mode IN/OUT consult the bitmap regardless of IOPL.
        Action<Assembler> ok = a => { a.@out(0x80, al); };
        var (m, dev) = Protected(3, [0x60], a => { ok(a); a.@out(0x60, al); a.hlt(); }, v86: true);
        var (eip, err) = GpFrame(m, v86: true);
        Assert.Multiple(() =>
        {
            Assert.That(eip, Is.EqualTo((uint)Length(ok, 16)), "OUT 0x60 faulted");
            Assert.That(err, Is.EqualTo(0u));
            Assert.That(dev.Writes, Is.EqualTo(new[] { ((ushort)0x80, 1, (uint)(m.Reg(Gpr.Rax) & 0xFF)) }));
        });
    }
}
