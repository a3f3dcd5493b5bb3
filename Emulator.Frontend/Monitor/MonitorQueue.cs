using System.Collections.Concurrent;
using Emulator.Core.Machine;

namespace Emulator.Frontend.Monitor;

/// <summary>
/// Where monitor sessions (TCP, stdio) meet the machine thread (design notes, "Threads": the
/// machine is touched only by its own thread). A session posts a command line with
/// <see cref="Post"/> from its own thread and waits for the reply; posting stops the running
/// machine at the next block boundary (<see cref="Machine.RequestStop"/>, which also wakes
/// a machine idling in HLT), and the runner calls <see cref="ServicePending"/> before it goes
/// on. While the VM is paused (<c>stop</c>, <c>-S</c>) the runner waits in
/// <see cref="WaitAndService"/> instead of running.
/// </summary>
internal sealed class MonitorQueue
{
    readonly BlockingCollection<(string Line, TaskCompletionSource<string> Reply)> pending = new();
    readonly Machine machine;
    readonly object gate = new();
    int wakeRequested;
    int unsent;
    bool ended;

    public MonitorQueue(Machine machine) => this.machine = machine;

    /// <summary>The VM is paused (<c>stop</c>); QEMU's "prelaunch" under <c>-S</c> until the first <c>cont</c>.</summary>
    public bool Paused { get; set; }

    /// <summary>Why the VM is paused, as <c>info status</c> shows it after "paused": null, "prelaunch"...</summary>
    public string? PauseReason { get; set; }

    /// <summary>Set by <c>quit</c>: the runner ends emu with status 0.</summary>
    public bool QuitRequested { get; set; }

    // ---------------- session side (any thread) ----------------

    /// <summary>Queues <paramref name="line"/> for the machine thread; the task ends with its output (failed once the machine has ended).</summary>
    public Task<string> Post(string line)
    {
        var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (ended) { reply.SetException(new InvalidOperationException("the machine has ended")); return reply.Task; }
            pending.Add((line, reply));
        }
        Interlocked.Exchange(ref wakeRequested, 1);
        machine.RequestStop();
        return reply.Task;
    }

    // ---------------- machine side ----------------

    /// <summary>True (once) when Run stopped because a command was posted.</summary>
    public bool TakeWake() => Interlocked.Exchange(ref wakeRequested, 0) != 0;

    /// <summary>Runs every queued command with <paramref name="execute"/>, on the machine thread.</summary>
    public void ServicePending(Func<string, string> execute)
    {
        while (!QuitRequested && pending.TryTake(out var item)) Run(item, execute);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a command while the VM is paused, then runs what is queued.</summary>
    public void WaitAndService(Func<string, string> execute, TimeSpan timeout)
    {
        if (pending.TryTake(out var item, timeout)) Run(item, execute);
        ServicePending(execute);
    }

    void Run((string Line, TaskCompletionSource<string> Reply) item, Func<string, string> execute)
    {
        string output;
        try { output = execute(item.Line); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A command must never take the machine down; say what went wrong instead.
            output = $"Error: {e.Message}\n";
        }
        Interlocked.Increment(ref unsent);
        item.Reply.SetResult(output);
    }

    /// <summary>Called by a session once it has written (or dropped) a reply <see cref="Post"/> gave it.</summary>
    public void ReplySent() => Interlocked.Decrement(ref unsent);

    /// <summary>
    /// The machine has ended: queued and later commands fail, so sessions close. Waits briefly
    /// for replies already given to reach their peers (the reply to a <c>system_powerdown</c>
    /// that the guest obeyed at once), as QEMU answers a command before it exits.
    /// </summary>
    public void End()
    {
        lock (gate)
        {
            ended = true;
            while (pending.TryTake(out var item)) item.Reply.TrySetException(new InvalidOperationException("the machine has ended"));
        }
        SpinWait.SpinUntil(() => Volatile.Read(ref unsent) <= 0, TimeSpan.FromSeconds(1));
    }
}
