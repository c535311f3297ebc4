using Fenix.PubSub;

namespace Fenix.AspNetCore.Transports;

/// <summary>
/// The writes one broadcast causes. A connection with nothing queued, no write in flight and no recent write (its own
/// rule) is written on the broadcasting thread itself (<see cref="TryTakeInlineSlot"/>: no thread-pool hop, no writer
/// task), up to a budget per scope; the writers it wakes otherwise are handed to the thread pool in chunks once the
/// dispatch is done: N/32 work items instead of N, while each connection keeps its own single writer (a chunk only starts
/// writers; a writer that must wait for the network continues on its own).
/// </summary>
internal static class WriterBatch
{
    private const int ChunkSize = 32;

    /// <summary>
    /// Inline writes per outermost scope: a room of a thousand is written on the broadcasting thread, while a broadcast
    /// to a bigger topic still spreads the rest of its writes over the pool's threads (measured on a 10,000-subscriber
    /// burst: inline writes on one thread are what doubles its CPU per delivery).
    /// </summary>
    private const int InlineBudget = 1024;

    /// <summary>Inline writes made on this thread inside the outermost open scope.</summary>
    [ThreadStatic]
    private static int t_inline;

    /// <summary>Writers woken on this thread inside the outermost open scope.</summary>
    [ThreadStatic]
    private static List<IThreadPoolWorkItem>? t_pending;

    /// <summary>How many scopes are open on this thread; writers are collected while it is above zero.</summary>
    [ThreadStatic]
    private static int t_depth;

    /// <summary>Opens a scope (dispose it to flush); nested scopes flush with the outermost.</summary>
    public static Scope Begin()
    {
        t_depth++;
        return default;
    }

    /// <summary>
    /// Whether the caller, a connection that just took its writer role with nothing else queued, may write its frame now
    /// on this thread: only inside a scope (a broadcast's dispatch) and within the budget.
    /// </summary>
    public static bool TryTakeInlineSlot()
    {
        if (t_depth == 0 || t_inline >= InlineBudget)
        {
            return false;
        }

        t_inline++;
        return true;
    }

    /// <summary>Adds a writer to start when the scope closes; false outside any scope (start it yourself).</summary>
    public static bool TryAdd(IThreadPoolWorkItem writer)
    {
        if (t_depth == 0)
        {
            return false;
        }

        (t_pending ??= []).Add(writer);
        return true;
    }

    private static void Flush()
    {
        var pending = t_pending;
        if (pending is null || pending.Count == 0)
        {
            return;
        }

        for (var start = 0; start < pending.Count; start += ChunkSize)
        {
            var chunk = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending).Slice(start, Math.Min(ChunkSize, pending.Count - start)).ToArray();
            ThreadPool.UnsafeQueueUserWorkItem(new Chunk(chunk), preferLocal: false);
        }

        pending.Clear();
        if (pending.Capacity > 4096)
        {
            t_pending = null; // a one-off huge broadcast does not pin its list to the thread
        }
    }

    /// <summary>The same scope for <see cref="FenixPubSub"/>'s dispatches (messages from other nodes included).</summary>
    public static IDispatchBatch Dispatch { get; } = new DispatchScope();

    public readonly struct Scope : IDisposable
    {
        public void Dispose()
        {
            if (--t_depth == 0)
            {
                t_inline = 0;
                Flush();
            }
        }
    }

    private sealed class DispatchScope : IDispatchBatch
    {
        public void Begin() => WriterBatch.Begin();

        public void End() => default(Scope).Dispose();
    }

    private sealed class Chunk(IThreadPoolWorkItem[] writers) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            foreach (var writer in writers)
            {
                writer.Execute();
            }
        }
    }
}
