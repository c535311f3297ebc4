namespace Fenix.AspNetCore.Transports;

/// <summary>
/// Collects the connection writers that one broadcast wakes up, and hands them to the thread pool in chunks once the
/// dispatch is done: a broadcast to N idle connections costs N/32 work items instead of N, while each connection keeps
/// its own single writer (a chunk only starts writers; a writer that must wait for the network continues on its own).
/// </summary>
internal static class WriterBatch
{
    private const int ChunkSize = 32;

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

    public readonly struct Scope : IDisposable
    {
        public void Dispose()
        {
            if (--t_depth == 0)
            {
                Flush();
            }
        }
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
