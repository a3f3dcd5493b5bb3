using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Emulator.Core.Debugging;
using Emulator.Core.Machine;

namespace Emulator.Frontend.Debugging;

/// <summary>
/// One GDB connection speaking the remote serial protocol (GDB manual, appendix "GDB Remote
/// Serial Protocol") in all-stop mode with one thread. Input (packets, acks, Ctrl-C) and
/// machine events (stops, exit) arrive on one queue and are handled in order, so the
/// protocol state has one owner. Machine state is reached only through
/// <see cref="DebugTarget.Invoke{T}"/>, which runs on the machine thread while it is stopped.
/// </summary>
/// <remarks>
/// Addresses are linear (virtual) and translated through the guest's page tables; see
/// <see cref="GdbRegisters"/> for how real mode's CS:IP is shown. Unknown packets get the
/// empty reply the protocol asks for; malformed ones get <c>E22</c>, unmapped memory
/// <c>E14</c>. On disconnect the session removes its breakpoints and lets the machine run.
/// </remarks>
internal sealed class GdbSession
{
    /// <summary>Largest packet we send or accept, advertised as PacketSize (hex) in qSupported.</summary>
    public const int PacketSize = 0x4000;
    /// <summary>Largest memory read answered in one packet (two hex digits a byte, plus room).</summary>
    const int MaxMemoryRead = (PacketSize - 16) / 2;
    /// <summary>Largest watched range accepted (Z2-Z4 kinds are lengths).</summary>
    const ulong MaxWatchLength = 1 << 20;

    const byte SigInt = 2, SigTrap = 5;

    readonly Stream stream;
    readonly DebugTarget target;
    readonly IMonitorCommands monitor;
    readonly Channel<object> events = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    readonly Action<TargetEvent> onTarget;
    bool noAck;
    byte[]? lastSent;
    /// <summary>Run number of the resume we await a stop reply for; -1 when none.</summary>
    int awaitedRun = -1;
    bool killed;

    sealed record Closed;

    public GdbSession(Stream stream, DebugTarget target, IMonitorCommands monitor)
    {
        this.stream = stream;
        this.target = target;
        this.monitor = monitor;
        onTarget = e => events.Writer.TryWrite(e);
    }

    /// <summary>Serves the connection until GDB detaches, kills, disconnects or the machine ends.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        var reader = ReadLoopAsync(cancel);
        bool alreadyStopped = target.Attach(onTarget);
        // As QEMU does, a connecting debugger stops the machine; GDB then asks '?' for the reason.
        if (!alreadyStopped) target.Interrupt();
        try
        {
            while (await events.Reader.WaitToReadAsync(cancel))
            {
                while (events.Reader.TryRead(out var e))
                {
                    if (!await HandleEventAsync(e)) return;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
        finally
        {
            target.Detach(onTarget);
            if (!killed) await ReleaseMachineAsync();
            stream.Dispose();
            try { await reader; } catch (Exception) { }
        }
    }

    /// <summary>After the debugger leaves: no breakpoints left behind, and the machine runs on.</summary>
    async Task ReleaseMachineAsync()
    {
        target.Interrupt();
        try
        {
            await target.Invoke(m => { m.Debug.ClearAll(); return true; });
            target.Resume(ResumeKind.Continue);
        }
        catch (InvalidOperationException)
        {
            // The machine has ended.
        }
    }

    async Task ReadLoopAsync(CancellationToken cancel)
    {
        var parser = new GdbPacketParser();
        var buffer = new byte[4096];
        var parsed = new List<GdbInput>();
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, cancel);
                if (n == 0) break;
                parsed.Clear();
                parser.Feed(buffer.AsSpan(0, n), parsed);
                foreach (var input in parsed) events.Writer.TryWrite(input);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
        }
        events.Writer.TryWrite(new Closed());
    }

    /// <summary>Handles one event; false ends the session.</summary>
    async Task<bool> HandleEventAsync(object e)
    {
        switch (e)
        {
            case Closed:
                return false;
            case TargetStopped s:
                if (s.Run == awaitedRun)
                {
                    awaitedRun = -1;
                    Send(StopReply(s.Stop));
                }
                return true;
            case TargetExited x:
                // W: the process exited with this status (the low 8 bits, as a wait status).
                Send($"W{x.ExitCode & 0xFF:x2}");
                x.Sent?.Set();
                return false;
            case GdbInput input:
                switch (input.Kind)
                {
                    case GdbInputKind.Ack:
                        return true;
                    case GdbInputKind.Nack:
                        if (lastSent != null && !noAck) Write(lastSent);
                        return true;
                    case GdbInputKind.BadChecksum:
                        if (!noAck) Write("-"u8.ToArray());
                        return true;
                    case GdbInputKind.Interrupt:
                        if (awaitedRun >= 0) target.Interrupt();
                        return true;
                    case GdbInputKind.TooLong:
                        if (!noAck) Write("+"u8.ToArray());
                        Send("E22");
                        return true;
                    default:
                        if (!noAck) Write("+"u8.ToArray());
                        return await HandlePacketAsync(input.Data!);
                }
        }
        return true;
    }

    static string StopReply(DebugStop stop) => stop.Kind switch
    {
        DebugStopKind.Interrupt => $"T{SigInt:x2}thread:01;",
        DebugStopKind.Watchpoint => $"T{SigTrap:x2}{WatchName(stop.Watch)}:{stop.Address:x};thread:01;",
        _ => $"T{SigTrap:x2}thread:01;",
    };

    static string WatchName(WatchKind kind) => kind switch
    {
        WatchKind.Write => "watch",
        WatchKind.Read => "rwatch",
        _ => "awatch",
    };

    /// <summary>Answers one packet; false ends the session (kill, detach).</summary>
    async Task<bool> HandlePacketAsync(byte[] data)
    {
        string p = Encoding.Latin1.GetString(data);
        if (p.Length == 0) { Send(""); return true; }
        try
        {
            switch (p[0])
            {
                case '?':
                    // Wait until the machine is stopped (it may still be on its way after the
                    // attach), then report SIGTRAP, as QEMU does for '?'.
                    await target.Invoke(_ => true);
                    Send($"T{SigTrap:x2}thread:01;");
                    return true;
                case 'g':
                    Send(await target.Invoke(m => ReadAllRegisters(m)));
                    return true;
                case 'G':
                    Send(await WriteAllRegistersAsync(p[1..]));
                    return true;
                case 'p':
                    Send(await ReadRegisterAsync(p[1..]));
                    return true;
                case 'P':
                    Send(await WriteRegisterAsync(p[1..]));
                    return true;
                case 'm':
                    Send(await ReadMemoryAsync(p[1..]));
                    return true;
                case 'M':
                    Send(await WriteMemoryHexAsync(p[1..]));
                    return true;
                case 'X':
                    Send(await WriteMemoryBinaryAsync(data));
                    return true;
                case 'Z':
                case 'z':
                    Send(await BreakpointAsync(p[0] == 'Z', p[1..]));
                    return true;
                case 'c':
                case 's':
                    await ResumeAsync(p[0] == 's' ? ResumeKind.Step : ResumeKind.Continue, p[1..]);
                    return true;
                case 'C':
                case 'S':
                {
                    // The signal has no meaning for a whole machine; only the address is used.
                    int semi = p.IndexOf(';');
                    await ResumeAsync(p[0] == 'S' ? ResumeKind.Step : ResumeKind.Continue, semi < 0 ? "" : p[(semi + 1)..]);
                    return true;
                }
                case 'v':
                    return await HandleVAsync(p);
                case 'q':
                case 'Q':
                    Send(await HandleQueryAsync(p));
                    return true;
                case 'H':
                case 'T':
                    Send("OK");
                    return true;
                case 'D':
                    Send("OK");
                    return false;   // RunAsync's cleanup removes breakpoints and resumes
                case 'k':
                    killed = true;
                    target.Interrupt();
                    target.Resume(ResumeKind.Kill);
                    return false;
                default:
                    Send("");
                    return true;
            }
        }
        catch (FormatException)
        {
            Send("E22");
            return true;
        }
        catch (InvalidOperationException)
        {
            // The machine ended while the request waited; the exit report follows.
            return true;
        }
        catch (Exception e) when (e is not (IOException or ObjectDisposedException or SocketException))
        {
            // A packet we could not handle must not end the session.
            Send("E01");
            return true;
        }
    }

    async Task ResumeAsync(ResumeKind kind, string address)
    {
        if (address.Length > 0)
        {
            uint eip = (uint)ParseHex(address);
            var bytes = BitConverter.GetBytes(eip);
            await target.Invoke(m => GdbRegisters.Write(m.Cpu, 8, bytes));
        }
        awaitedRun = target.Resume(kind);
    }

    async Task<bool> HandleVAsync(string p)
    {
        if (p == "vCont?")
        {
            Send("vCont;c;C;s;S");
            return true;
        }
        if (p.StartsWith("vCont;", StringComparison.Ordinal))
        {
            // One thread in all-stop mode: the first action decides (GDB puts the stepped thread first).
            string action = p[6..].Split(';')[0].Split(':')[0];
            if (action.Length == 0 || action[0] is not ('c' or 'C' or 's' or 'S'))
            {
                Send("E22");
                return true;
            }
            awaitedRun = target.Resume(action[0] is 's' or 'S' ? ResumeKind.Step : ResumeKind.Continue);
            return true;
        }
        if (p.StartsWith("vKill", StringComparison.Ordinal))
        {
            Send("OK");
            killed = true;
            target.Interrupt();
            target.Resume(ResumeKind.Kill);
            return false;
        }
        Send("");
        return true;
    }

    async Task<string> HandleQueryAsync(string p)
    {
        if (p.StartsWith("qSupported", StringComparison.Ordinal))
            return $"PacketSize={PacketSize:x};qXfer:features:read+;QStartNoAckMode+";
        if (p == "QStartNoAckMode")
        {
            // The OK still travels with acknowledgement; everything after it without.
            Send("OK");
            noAck = true;
            return NoReply;
        }
        if (p.StartsWith("qXfer:features:read:", StringComparison.Ordinal))
        {
            bool realMode = await target.Invoke(m => (m.Cpu.Cr0 & Emulator.Core.Cpu.CrBits.CR0_PE) == 0);
            return TargetXmlChunk(p[20..], realMode);
        }
        if (p == "qAttached" || p.StartsWith("qAttached:", StringComparison.Ordinal)) return "1";
        if (p == "qC") return "QC01";
        if (p == "qfThreadInfo") return "m01";
        if (p == "qsThreadInfo") return "l";
        if (p == "qSymbol::") return "OK";
        if (p.StartsWith("qRcmd,", StringComparison.Ordinal)) return await MonitorAsync(p[6..]);
        return "";
    }

    /// <summary>Marks a reply already sent by the handler.</summary>
    const string NoReply = "\0";

    static string TargetXmlChunk(string args, bool realMode)
    {
        // annex:offset,length
        int colon = args.IndexOf(':');
        if (colon < 0) throw new FormatException();
        if (args[..colon] != "target.xml") return "E00";
        var (offset, length) = ParsePair(args[(colon + 1)..]);
        byte[] xml = Encoding.UTF8.GetBytes(GdbRegisters.TargetXml(realMode));
        if (offset >= (ulong)xml.Length) return "l";
        int take = (int)Math.Min(Math.Min(length, (ulong)xml.Length - offset), (ulong)PacketSize - 16);
        string chunk = Encoding.UTF8.GetString(xml, (int)offset, take);
        return ((int)offset + take >= xml.Length ? "l" : "m") + chunk;
    }

    async Task<string> MonitorAsync(string hex)
    {
        string command = Encoding.UTF8.GetString(FromHex(hex)).Trim();
        string? output = await target.Invoke(m => monitor.Execute(m, command));
        output ??= $"unknown command: '{command}'\n";
        return output.Length == 0 ? "OK" : ToHex(Encoding.UTF8.GetBytes(output));
    }

    // ---------------- registers ----------------

    static string ReadAllRegisters(Machine m)
    {
        var bytes = new byte[GdbRegisters.TotalSize];
        int at = 0;
        for (int n = 0; n < GdbRegisters.Count; n++)
        {
            GdbRegisters.Read(m.Cpu, n, bytes.AsSpan(at, GdbRegisters.Size(n)));
            at += GdbRegisters.Size(n);
        }
        return ToHex(bytes);
    }

    async Task<string> WriteAllRegistersAsync(string hex)
    {
        byte[] bytes = FromHex(hex);
        if (bytes.Length != GdbRegisters.TotalSize) return "E22";
        return await target.Invoke(m =>
        {
            bool ok = true;
            int at = 0;
            for (int n = 0; n < GdbRegisters.Count; n++)
            {
                ok &= GdbRegisters.Write(m.Cpu, n, bytes.AsSpan(at, GdbRegisters.Size(n)));
                at += GdbRegisters.Size(n);
            }
            return ok ? "OK" : "E22";
        });
    }

    async Task<string> ReadRegisterAsync(string args)
    {
        ulong n = ParseHex(args);
        if (n >= GdbRegisters.Count) return "E22";
        return await target.Invoke(m =>
        {
            var bytes = new byte[GdbRegisters.Size((int)n)];
            GdbRegisters.Read(m.Cpu, (int)n, bytes);
            return ToHex(bytes);
        });
    }

    async Task<string> WriteRegisterAsync(string args)
    {
        int eq = args.IndexOf('=');
        if (eq < 0) throw new FormatException();
        ulong n = ParseHex(args[..eq]);
        byte[] value = FromHex(args[(eq + 1)..]);
        if (n >= GdbRegisters.Count) return "E22";
        return await target.Invoke(m => GdbRegisters.Write(m.Cpu, (int)n, value) ? "OK" : "E22");
    }

    // ---------------- memory ----------------

    async Task<string> ReadMemoryAsync(string args)
    {
        var (address, length) = ParsePair(args);
        int count = (int)Math.Min(length, MaxMemoryRead);
        if (count == 0) return "";
        byte[] bytes = await target.Invoke(m => GuestMemoryAccess.Read(m, address, count));
        return bytes.Length == 0 ? "E14" : ToHex(bytes);
    }

    async Task<string> WriteMemoryHexAsync(string args)
    {
        int colon = args.IndexOf(':');
        if (colon < 0) throw new FormatException();
        var (address, length) = ParsePair(args[..colon]);
        byte[] data = FromHex(args[(colon + 1)..]);
        if ((ulong)data.Length != length) return "E22";
        return await target.Invoke(m => GuestMemoryAccess.Write(m, address, data) ? "OK" : "E14");
    }

    async Task<string> WriteMemoryBinaryAsync(byte[] packet)
    {
        int colon = Array.IndexOf(packet, (byte)':');
        if (colon < 0) throw new FormatException();
        var (address, length) = ParsePair(Encoding.Latin1.GetString(packet, 1, colon - 1));
        byte[] data = packet[(colon + 1)..];
        if ((ulong)data.Length != length) return "E22";
        if (data.Length == 0) return "OK";   // GDB probes X support with an empty write
        return await target.Invoke(m => GuestMemoryAccess.Write(m, address, data) ? "OK" : "E14");
    }

    // ---------------- breakpoints and watchpoints ----------------

    async Task<string> BreakpointAsync(bool insert, string args)
    {
        // type,addr,kind
        string[] parts = args.Split(';')[0].Split(',');
        if (parts.Length != 3) throw new FormatException();
        ulong type = ParseHex(parts[0]);
        ulong address = ParseHex(parts[1]) & 0xFFFF_FFFFUL;
        ulong kind = ParseHex(parts[2]);
        switch (type)
        {
            case 0:
            case 1:
                // Software and hardware breakpoints are the same thing here: the CPU checks the
                // address itself, so nothing is written into guest memory.
                return await target.Invoke(m =>
                {
                    if (insert) m.Debug.AddBreakpoint(address);
                    else m.Debug.RemoveBreakpoint(address);
                    return "OK";
                });
            case 2:
            case 3:
            case 4:
                if (kind == 0 || kind > MaxWatchLength) return "E22";
                var watch = type == 2 ? WatchKind.Write : type == 3 ? WatchKind.Read : WatchKind.Access;
                return await target.Invoke(m =>
                {
                    bool ok = insert ? m.Debug.AddWatchpoint(address, kind, watch) : m.Debug.RemoveWatchpoint(address, kind, watch);
                    return ok || !insert ? "OK" : "E22";
                });
            default:
                return "";
        }
    }

    // ---------------- output and encoding ----------------

    void Send(string body)
    {
        if (ReferenceEquals(body, NoReply)) return;
        byte[] framed = GdbPacketParser.Frame(Encoding.Latin1.GetBytes(body));
        lastSent = framed;
        Write(framed);
    }

    void Write(byte[] bytes)
    {
        stream.Write(bytes);
        stream.Flush();
    }

    static (ulong, ulong) ParsePair(string text)
    {
        int comma = text.IndexOf(',');
        if (comma < 0) throw new FormatException();
        return (ParseHex(text[..comma]), ParseHex(text[(comma + 1)..]));
    }

    /// <summary>A hex number of at most 16 digits; anything else is a <see cref="FormatException"/>.</summary>
    static ulong ParseHex(string text)
    {
        if (text.Length is 0 or > 16) throw new FormatException();
        return ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    static byte[] FromHex(string hex)
    {
        if (hex.Length % 2 != 0) throw new FormatException();
        return Convert.FromHexString(hex);
    }

    static string ToHex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
