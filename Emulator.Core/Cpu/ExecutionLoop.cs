using System.Runtime.CompilerServices;
using Emulator.Core.Cpu.Decoding;

namespace Emulator.Core.Cpu;

// The execution loop: find the decoded block at CS:RIP, run its handlers, and between
// blocks deliver interrupts. Faults end the block; the loop restores RIP to the
// faulting instruction and delivers the exception. Debugging (TF, DR7 breakpoints)
// takes a separate single-instruction path, so it costs nothing when off.
public sealed partial class Cpu
{
    internal readonly BlockCache Blocks;
    readonly BlockDecoder decoder = new();

    /// <summary>Set by a handler (fault, HLT, code invalidation, I/O side effects) to leave the current block.</summary>
    internal bool exitBlock;
    /// <summary>Set from other threads or devices to leave <see cref="Execute"/> at the next block boundary.</summary>
    volatile bool asyncExit;

    internal int codeSize;   // 0 = 16-bit, 1 = 32-bit, 2 = 64-bit
    public CpuMode Mode { get; private set; }

    /// <summary>Instructions that the decoder met but no handler implements (for diagnostics).</summary>
    public long UnimplementedHits { get; internal set; }

    /// <summary>Asks <see cref="Execute"/> to return at the next instruction boundary (thread-safe).</summary>
    public void RequestExit()
    {
        asyncExit = true;
        exitBlock = true;
    }

    internal void OnCodeInvalidated() => exitBlock = true;

    /// <summary>Recomputes the mode, code size, CPL-derived state and linear mask after CR0, EFLAGS.VM or CS changed.</summary>
    internal void UpdateMode()
    {
        ref var cs = ref Seg((int)SegReg.CS);
        if ((cr0 & CrBits.CR0_PE) == 0) Mode = CpuMode.Real;
        else if ((eflagsBits & (uint)EFlags.VM) != 0) Mode = CpuMode.Virtual8086;
        else if ((efer & 0x400) != 0) Mode = cs.Long ? CpuMode.Long64 : CpuMode.Compatibility;
        else Mode = CpuMode.Protected;
        if (Mode == CpuMode.Real) Cpl = 0;
        else if (Mode == CpuMode.Virtual8086) Cpl = 3;
        codeSize = Mode == CpuMode.Long64 ? 2 : Mode == CpuMode.Virtual8086 ? 0 : cs.Big ? 1 : 0;
        linearMask = (efer & 0x400) != 0 ? ulong.MaxValue : 0xFFFF_FFFFUL;
        SetTlbPrivilege();
        // Code size, CPL (the fetch TLB table) and the linear mask are part of what a block link assumes.
        tlb.Epoch++;
    }

    /// <summary>True when an interrupt or NMI would be taken now (used to wake from HLT).</summary>
    public bool CanWake() => (nmiPending && !nmiBlocked) || (IF && InterruptController?.InterruptPending == true);

    public bool InterruptsEnabledForWake => IF;

    /// <summary>Guest single step or DR7 breakpoints, or a debugger hook (Cpu/DebugSupport.cs): the loop's debug branch.</summary>
    internal bool DebugArmed => (eflagsBits & (uint)EFlags.TF) != 0 || (dr[7] & 0xFF) != 0 || debugAttention;

    /// <summary>
    /// Runs at most about <paramref name="budget"/> instructions (whole blocks, so a few more may
    /// retire) and returns the number retired. Returns early on HLT, shutdown or <see cref="RequestExit"/>.
    /// <see cref="InstructionsRetired"/> and the virtual clock advance after every block, so a device
    /// that reads the time during the slice (a PM timer or PIT counter polled in a loop) sees it move.
    /// </summary>
    public long Execute(long budget)
    {
        long executed = 0, published = 0;
        // Cleared for this call, unless a debugger break already waits (it may have come just before).
        asyncExit = Debug.StopPending;
        DecodedBlock? prev = null;
        while (executed < budget)
        {
            if (executed != published)
            {
                Retire(executed - published);
                published = executed;
            }
            if (shutdown || asyncExit) break;
            bool shadow = interruptShadow;
            interruptShadow = false;
            if (!shadow) CheckInterrupts();
            if (shutdown) break;
            if (Halted) break;
            exitBlock = false;
            if (DebugArmed)
            {
                if (debugAttention && DebugBoundary()) break;
                if (Stepwise)
                {
                    prev = null;
                    if (!StepDebug()) break;
                    executed++;
                    continue;
                }
            }
            if (shadow)
            {
                // After STI, MOV SS or POP SS exactly one instruction runs before interrupts are
                // sampled again (SDM vol. 2, STI; vol. 3, 6.8.3), so it runs on its own.
                prev = null;
                executed += ExecuteOne();
                continue;
            }
            var block = prev != null ? FollowLink(prev) : null;
            if (block == null)
            {
                block = GetBlock();
                if (block == null)
                {
                    prev = null;
                    executed++;   // a fetch fault was delivered: it costs a step (see RunBlock)
                    continue;
                }
                if (prev != null && block.Key != ulong.MaxValue) AddLink(prev, block);
            }
            executed += RunBlock(block);
            prev = block;
        }
        if (executed != published) Retire(executed - published);
        return executed;
    }

    void Retire(long count)
    {
        InstructionsRetired += count;
        Clock.Advance(count * Clock.NanosecondsPerInstruction);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    unsafe int RunBlock(DecodedBlock block)
    {
        var ops = block.Ops;
        int n = block.Count;
        for (int i = 0; i < n; i++)
        {
            ref DecodedOp op = ref ops[i];
            Rip = op.NextIp;
            op.Handler(this, ref op);
            if (exitBlock)
            {
                exitBlock = false;
                if (pendingException)
                {
                    if (!faultKeepsRip) Rip = InstructionStart(ref op);
                    faultKeepsRip = false;
                    DeliverPendingException();
                    // A faulting instruction still costs one step of virtual time, so a guest
                    // stuck in a fault loop uses up its budget instead of hanging the host.
                    return i + 1;
                }
                return i + 1;
            }
        }
        return n;
    }

    /// <summary>
    /// The successor of <paramref name="prev"/> at CS:RIP if a link recorded it under the same
    /// fetch context: same TLB epoch (no flush, mode, CPL or code-size change since), same CS
    /// base, RIP within the CS limit, and the block still valid. Then it is exactly the block
    /// GetBlock would return, without the TLB and block-cache lookups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    DecodedBlock? FollowLink(DecodedBlock prev)
    {
        ref var cs = ref Seg((int)SegReg.CS);
        ulong rip = Rip;
        uint epoch = tlb.Epoch;
        var l = prev.Link0;
        if (l != null && l.StartIp == rip && prev.LinkEpoch0 == epoch && prev.LinkCsBase0 == cs.Base && l.Valid)
            return rip <= cs.Limit || Mode == CpuMode.Long64 ? l : null;
        l = prev.Link1;
        if (l != null && l.StartIp == rip && prev.LinkEpoch1 == epoch && prev.LinkCsBase1 == cs.Base && l.Valid)
            return rip <= cs.Limit || Mode == CpuMode.Long64 ? l : null;
        return null;
    }

    /// <summary>Records <paramref name="next"/> as a successor of <paramref name="prev"/>; the older link moves to slot 1.</summary>
    void AddLink(DecodedBlock prev, DecodedBlock next)
    {
        prev.Link1 = prev.Link0;
        prev.LinkEpoch1 = prev.LinkEpoch0;
        prev.LinkCsBase1 = prev.LinkCsBase0;
        prev.Link0 = next;
        prev.LinkEpoch0 = tlb.Epoch;
        prev.LinkCsBase0 = Seg((int)SegReg.CS).Base;
    }

    void CheckInterrupts()
    {
        if (nmiPending && !nmiBlocked)
        {
            nmiPending = false;
            nmiBlocked = true;
            Halted = false;
            DeliverEvent(Vector.NMI, InterruptKind.Nmi, false, 0);
            return;
        }
        if (IF && InterruptController is { InterruptPending: true } pic)
        {
            Halted = false;
            byte v = pic.Acknowledge();
            DeliverEvent(v, InterruptKind.External, false, 0);
        }
    }

    /// <summary>Runs only the first instruction of the block at CS:RIP; returns the number retired (0 or 1).</summary>
    unsafe int ExecuteOne()
    {
        var block = GetBlock();
        if (block == null) return 1;
        ref DecodedOp op = ref block.Ops[0];
        Rip = op.NextIp;
        op.Handler(this, ref op);
        if (exitBlock)
        {
            exitBlock = false;
            if (pendingException)
            {
                Rip = InstructionStart(ref op);
                DeliverPendingException();
                return 1;
            }
        }
        return 1;
    }

    /// <summary>Finds or decodes the block at CS:RIP. Returns null if fetching faulted (the fault is then delivered).</summary>
    DecodedBlock? GetBlock()
    {
        ref var cs = ref Seg((int)SegReg.CS);
        ulong rip = Rip;
        if (Mode != CpuMode.Long64 && rip > cs.Limit)
        {
            RaiseFault(Vector.GP, 0);
            DeliverPendingException();
            return null;
        }
        ulong lin = (cs.Base + rip) & linearMask;
        ref var e = ref tlb.Entry(tlbRead, lin);
        ulong phys;
        if (e.Tag == (lin & ~0xFFFUL)) phys = e.Physical | (lin & 0xFFF);
        else if (!Translate(lin, false, Cpl == 3, out phys))
        {
            DeliverPendingException();
            return null;
        }
        ulong key = BlockCache.MakeKey(phys, codeSize);
        var b = Blocks.Lookup(key);
        if (b != null && b.StartIp == rip) return b;
        int inPage = (int)(0x1000 - (lin & 0xFFF));
        int avail = CodeBytesAvailable(rip, inPage);
        b = decoder.Decode(this, rip, lin, phys, codeSize, avail, avail < inPage);
        if (b == null)
        {
            DeliverPendingException();
            return null;
        }
        if (b.Key != ulong.MaxValue) Blocks.Add(b);
        return b;
    }

    /// <summary>How many of <paramref name="want"/> bytes from <paramref name="rip"/> lie within the CS limit.</summary>
    internal int CodeBytesAvailable(ulong rip, int want)
    {
        if (Mode == CpuMode.Long64) return want;
        ulong limit = Seg((int)SegReg.CS).Limit;
        if (rip > limit) return 0;
        return (int)Math.Min((ulong)want, limit - rip + 1);
    }

    /// <summary>The slow path: one instruction at a time with single-step traps and instruction breakpoints.</summary>
    bool StepDebug()
    {
        if (instructionHook != null && !instructionHook(this)) return false;
        bool tf = (eflagsBits & (uint)EFlags.TF) != 0;
        if (CheckInstructionBreakpoint()) return true;
        var block = GetBlock();
        if (block == null) return true;
        ref DecodedOp op = ref block.Ops[0];
        Rip = op.NextIp;
        unsafe { op.Handler(this, ref op); }
        eflagsBits &= ~(uint)EFlags.RF;
        if (exitBlock)
        {
            exitBlock = false;
            if (pendingException)
            {
                if (!faultKeepsRip) Rip = InstructionStart(ref op);
                faultKeepsRip = false;
                DeliverPendingException();
                return true;
            }
        }
        if (tf && !shutdown)
        {
            dr[6] |= 0x4000;   // BS: single step (SDM vol. 3, 18.2.3)
            DeliverEvent(Vector.DB, InterruptKind.Exception, false, 0);
        }
        return true;
    }

    /// <summary>DR0-DR3 execute breakpoints (SDM vol. 3, 18.2.4): a fault before the instruction unless RF is set.</summary>
    bool CheckInstructionBreakpoint()
    {
        ulong dr7 = dr[7];
        if ((dr7 & 0xFF) == 0 || (eflagsBits & (uint)EFlags.RF) != 0) return false;
        ulong lin = (Seg((int)SegReg.CS).Base + Rip) & linearMask;
        for (int i = 0; i < 4; i++)
        {
            bool enabled = ((dr7 >> (i * 2)) & 3) != 0;
            int rw = (int)(dr7 >> (16 + i * 4)) & 3;
            if (enabled && rw == 0 && dr[i] == lin)
            {
                dr[6] = (dr[6] & ~0xFUL) | (1UL << i);
                DeliverEvent(Vector.DB, InterruptKind.Exception, false, 0);
                return true;
            }
        }
        return false;
    }
}
