using System.Collections.Concurrent;
using Emulator.Core.Debugging;
using Emulator.Core.Machine;

namespace Emulator.Frontend.Debugging;

/// <summary>How a stopped machine goes on.</summary>
internal enum ResumeKind { Continue, Step, Kill }

/// <summary>Something the machine thread tells a debugger session.</summary>
internal abstract record TargetEvent;

/// <summary>The machine stopped for the debugger; <paramref name="Run"/> numbers the run that ended (see <see cref="DebugTarget.Resume"/>).</summary>
internal sealed record TargetStopped(DebugStop Stop, int Run) : TargetEvent;

/// <summary>The machine ended (guest exit, power-off, halt for good) with emu's exit status.</summary>
internal sealed record TargetExited(int ExitCode) : TargetEvent
{
    /// <summary>Set by the session once the exit report is sent.</summary>
    public ManualResetEventSlim? Sent { get; init; }
}

/// <summary>
/// The meeting point of the machine thread and a debugger's thread (design notes, "Threads":
/// the machine is touched only by its own thread). The debugger queues work with
/// <see cref="Invoke{T}"/>; the machine thread runs it only while stopped, inside
/// <see cref="ServiceStop"/>, and leaves when the debugger calls <see cref="Resume"/>.
/// <see cref="Interrupt"/> is the one call that reaches a running machine (through the
/// thread-safe <see cref="DebugHooks.RequestBreak"/>).
/// </summary>
internal sealed class DebugTarget
{
    readonly Machine machine;
    readonly object gate = new();
    readonly BlockingCollection<Request> requests = new();
    Action<TargetEvent>? listener;
    bool stopped, exited;
    int run;

    abstract record Request;
    sealed record WorkRequest(Action<Machine> Work, Action<Exception> Fail) : Request;
    sealed record ResumeRequest(ResumeKind Kind) : Request;

    public DebugTarget(Machine machine) => this.machine = machine;

    // ---------------- debugger side (any thread) ----------------

    /// <summary>Starts sending events to <paramref name="events"/>; returns true if the machine is already stopped.</summary>
    public bool Attach(Action<TargetEvent> events)
    {
        lock (gate)
        {
            listener = events;
            if (exited) events(new TargetExited(machine.ExitCode));
            return stopped;
        }
    }

    public void Detach(Action<TargetEvent> events)
    {
        lock (gate) if (listener == events) listener = null;
    }

    /// <summary>Runs <paramref name="work"/> on the machine thread at the current (or next) stop.</summary>
    public Task<T> Invoke<T>(Func<Machine, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (exited) { done.SetException(new InvalidOperationException("the machine has ended")); return done.Task; }
            requests.Add(new WorkRequest(m =>
            {
                try { done.SetResult(work(m)); }
                catch (Exception e) { done.SetException(e); }
            }, e => done.TrySetException(e)));
        }
        return done.Task;
    }

    /// <summary>Lets a stopped machine go on; returns the number of the run it starts (carried by its <see cref="TargetStopped"/>).</summary>
    public int Resume(ResumeKind kind)
    {
        lock (gate)
        {
            requests.Add(new ResumeRequest(kind));
            return run + 1;
        }
    }

    /// <summary>Stops a running machine at the next block boundary; nothing if it is stopped already.</summary>
    public void Interrupt()
    {
        lock (gate) if (!stopped && !exited) machine.Debug.RequestBreak();
    }

    // ---------------- machine side ----------------

    /// <summary>
    /// Called by the machine thread when Run stopped for the debugger (or, with <c>-S</c>, before
    /// the first instruction): tells the session, then runs its requests until it resumes.
    /// </summary>
    public ResumeKind ServiceStop(DebugStop stop)
    {
        lock (gate)
        {
            stopped = true;
            // A break that raced with this stop must not stop the next run at once.
            machine.Debug.CancelBreak();
            listener?.Invoke(new TargetStopped(stop, run));
        }
        while (true)
        {
            var request = requests.Take();
            if (request is WorkRequest w)
            {
                w.Work(machine);
                continue;
            }
            var kind = ((ResumeRequest)request).Kind;
            lock (gate)
            {
                stopped = false;
                run++;
            }
            if (kind == ResumeKind.Step) machine.Debug.RequestStep();
            return kind;
        }
    }

    /// <summary>
    /// Called by the machine thread when the machine ends: the session reports the exit, and
    /// pending requests fail. Waits briefly so the exit report reaches GDB before emu exits.
    /// </summary>
    public void NotifyExit(int exitCode)
    {
        using var sent = new ManualResetEventSlim(false);
        Action<TargetEvent>? l;
        lock (gate)
        {
            exited = true;
            l = listener;
            while (requests.TryTake(out var r))
                if (r is WorkRequest w) w.Fail(new InvalidOperationException("the machine has ended"));
        }
        if (l == null) return;
        l(new TargetExited(exitCode) { Sent = sent });
        sent.Wait(TimeSpan.FromSeconds(2));
    }
}
