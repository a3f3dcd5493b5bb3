namespace Emulator.Core.Cpu.Decoding;

/// <summary>
/// A run of instructions decoded once and executed many times: from its start to the
/// first instruction that ends a block (branch, mode change), the end of the page, or a
/// length cap.
/// </summary>
internal sealed class DecodedBlock
{
    public DecodedBlock(ulong key, ulong startIp, DecodedOp[] ops, int count, ulong physPage)
    {
        Key = key;
        StartIp = startIp;
        Ops = ops;
        Count = count;
        PhysPage = physPage;
    }

    /// <summary>Physical address of the first byte plus the code-size bits (<see cref="BlockCache.MakeKey"/>).</summary>
    public ulong Key { get; }

    /// <summary>The RIP the block was decoded at; a lookup at another RIP (same physical bytes) decodes anew.</summary>
    public ulong StartIp { get; }

    public DecodedOp[] Ops { get; }
    public int Count { get; }
    public ulong PhysPage { get; }

    /// <summary>Cleared when the code page is written; the loop then stops after the current instruction.</summary>
    public bool Valid = true;

    // Block chaining: the last two successors the loop found for this block, each with the
    // fetch context it was found under (TLB epoch, CS base). A link is only a cache of what
    // GetBlock returned; ExecutionLoop.FollowLink re-checks it before use.
    public DecodedBlock? Link0, Link1;
    public ulong LinkCsBase0, LinkCsBase1;
    public uint LinkEpoch0, LinkEpoch1;

    /// <summary>Drops the links so dropped blocks do not keep chains of other dropped blocks alive.</summary>
    public void Unlink()
    {
        Link0 = Link1 = null;
    }
}
