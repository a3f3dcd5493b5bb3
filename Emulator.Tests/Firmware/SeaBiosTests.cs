using Emulator.Core.Machine;
using Emulator.Devices.Board;
using Emulator.Devices.Debug;

namespace Emulator.Tests.Firmware;

public class SeaBiosTests
{
    [Test, Explicit]
    public void Explore()
    {
        var log = new StringWriter();
        var board = new PcBoard(new PcBoardConfig
        {
            Bios = File.ReadAllBytes("/usr/share/seabios/bios-256k.bin"),
            DebugConsole = new DebugConsole(log),
            DebugConsolePort = 0x402,
            PostCode = c => log.Write($"[POST {c:X2}]"),
        });
        board.Machine.TripleFault += s => log.WriteLine("TRIPLE FAULT " + s);
        var ring = new Queue<string>();
        for (int port = 0; port < 0x10000; port++)
        {
            var inner = board.Machine.Io.DeviceAt((ushort)port);
            board.Machine.Io.Register((ushort)port, 1, new Tracer(inner, ring, board.Machine));
        }
        board.Machine.Reset();
        var counts = new int[256];
        board.Machine.Cpu.InterruptController = new CountingIc(board.Machine.Cpu.InterruptController!, counts);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = board.Machine.Run(200_000_000);
        TestContext.Out.WriteLine($"{r} after {board.Machine.Cpu.InstructionsRetired} instr, {sw.ElapsedMilliseconds} ms, rip {board.Machine.Cpu.Rip:X}");
        TestContext.Out.WriteLine(log.ToString());
        for (int v = 0; v < 256; v++) if (counts[v] > 0) TestContext.Out.WriteLine($"vector {v:X2}: {counts[v]}");
        foreach (var l in ring) TestContext.Out.WriteLine(l);
        for (int i = 0; i < 12; i++)
        {
            var rr = board.Machine.Run(1);
            TestContext.Out.WriteLine($"step {rr} rip={board.Machine.Cpu.Rip:X} ecx={board.Machine.Cpu.GetGpr(Emulator.Core.Cpu.Gpr.Rcx):X} retired={board.Machine.Cpu.InstructionsRetired} halted={board.Machine.Cpu.Halted} eflags={board.Machine.Cpu.Eflags:X}");
        }
        for (int i = 0; i < 1; i++)
        {
            board.Machine.Run(1000 + i * 37);
            var cpu = board.Machine.Cpu;
            TestContext.Out.WriteLine(cpu.ToString());
        }
    }

    sealed class Tracer(Emulator.Core.Io.IIoDevice? inner, Queue<string> ring, Machine m) : Emulator.Core.Io.IIoDevice
    {
        public uint In(ushort port, int size)
        {
            uint v = inner?.In(port, size) ?? (size == 1 ? 0xFFu : size == 2 ? 0xFFFFu : 0xFFFFFFFFu);
            Add($"in{size} {port:X4} = {v:X} @{m.Cpu.Rip:X}");
            return v;
        }
        public void Out(ushort port, int size, uint value)
        {
            Add($"out{size} {port:X4} <- {value:X} @{m.Cpu.Rip:X}");
            inner?.Out(port, size, value);
        }
        void Add(string s) { if (ring.Count > 200) ring.Dequeue(); ring.Enqueue(s); }
    }

    sealed class CountingIc(Emulator.Core.Interrupts.IInterruptController inner, int[] counts) : Emulator.Core.Interrupts.IInterruptController
    {
        public bool InterruptPending => inner.InterruptPending;
        public byte Acknowledge() { byte v = inner.Acknowledge(); counts[v]++; return v; }
    }
}
