using Fenix.AspNetCore.Broadcasting;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>
/// Coalesces identical store reads of recovering joins (after an outage, many clients of a topic reconnect at once and
/// ask for the same messages): a read asked while the same read is in flight waits for the next one, issued as soon as
/// the current one ends. So every caller still gets a read issued after it asked — its channel attached to the feed
/// before asking, which the recovery's merge relies on — and N simultaneous joins cost a few reads instead of N, and
/// share the decoded messages (<see cref="SharedSlice"/>).
/// </summary>
/// <remarks>
/// The flights are under the lock; no store call is made under it. A store that answers at once (in memory) is read
/// by each caller directly, as before: there is nothing to share.
/// </remarks>
internal sealed class SharedReads(Func<IHistoryStore> store)
{
    private readonly Lock _lock = new();

    /// <summary>Reads in flight, by topic and query; each collects the callers that asked meanwhile for its next read.</summary>
    private readonly Dictionary<(string Topic, HistoryQuery Query), Flight> _flights = [];

    public Task<SharedSlice> ReadAsync(string topic, HistoryQuery query)
    {
        var key = (Topic: topic, Query: query);
        var flight = new Flight();
        lock (_lock)
        {
            if (_flights.TryGetValue(key, out var running))
            {
                return (running.Next ??= new TaskCompletionSource<SharedSlice>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            _flights[key] = flight;
        }

        var read = Start(key);
        if (read.IsCompleted)
        {
            var answer = Share(key.Topic, read);
            ServeNext(key, flight);
            return answer;
        }

        var first = new TaskCompletionSource<SharedSlice>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = RunAsync(key, flight, first, read);
        return first.Task;
    }

    private ValueTask<HistorySlice> Start((string Topic, HistoryQuery Query) key)
    {
        try
        {
            return store().ReadAsync(key.Topic, key.Query);
        }
        catch (Exception e)
        {
            return ValueTask.FromException<HistorySlice>(e);
        }
    }

    private static Task<SharedSlice> Share(string topic, ValueTask<HistorySlice> completed)
    {
        try
        {
            return Task.FromResult(new SharedSlice(topic, completed.Result));
        }
        catch (Exception e)
        {
            return Task.FromException<SharedSlice>(e);
        }
    }

    /// <summary>The flight's read ended: the callers that asked meanwhile get a new read, or the flight ends.</summary>
    private void ServeNext((string Topic, HistoryQuery Query) key, Flight flight)
    {
        TaskCompletionSource<SharedSlice>? next;
        lock (_lock)
        {
            next = flight.Next;
            flight.Next = null;
            if (next is null)
            {
                _flights.Remove(key);
                return;
            }
        }

        _ = RunAsync(key, flight, next, Start(key));
    }

    private async Task RunAsync((string Topic, HistoryQuery Query) key, Flight flight, TaskCompletionSource<SharedSlice> waiting, ValueTask<HistorySlice> read)
    {
        try
        {
            waiting.SetResult(new SharedSlice(key.Topic, await read));
        }
        catch (Exception e)
        {
            waiting.SetException(e);
        }

        ServeNext(key, flight);
    }

    private sealed class Flight
    {
        /// <summary>The callers that asked while this flight's read was in flight; under the lock.</summary>
        public TaskCompletionSource<SharedSlice>? Next;
    }
}

/// <summary>
/// A store read, shared by the recoveries that asked for it: each entry is decoded once, on first use, so a replayed
/// message is one <see cref="BroadcastMessage"/> for every channel that replays it and its frame is encoded once per
/// serializer, as a live broadcast's is.
/// </summary>
internal sealed class SharedSlice(string topic, HistorySlice slice)
{
    /// <summary>The entries decoded so far, by index in the slice (set once each, by whoever decodes first).</summary>
    private readonly BroadcastMessage?[] _decoded = new BroadcastMessage?[slice.Entries.Count];

    public HistorySlice Slice => slice;

    /// <summary>Whether <paramref name="entry"/> of <paramref name="epoch"/> is one of this slice's entries (an epoch and an offset name one message).</summary>
    public bool Contains(string epoch, HistoryEntry entry) => IndexOf(epoch, entry) >= 0;

    /// <summary>The message of <paramref name="entry"/> of <paramref name="epoch"/>: the shared one when it is one of this slice's entries.</summary>
    public BroadcastMessage Decode(string epoch, HistoryEntry entry)
    {
        var index = IndexOf(epoch, entry);
        if (index < 0)
        {
            return HistoryService.Decode(topic, epoch, entry);
        }

        ref var slot = ref _decoded[index];
        if (Volatile.Read(ref slot) is { } decoded)
        {
            return decoded;
        }

        var message = HistoryService.Decode(topic, epoch, entry);
        return Interlocked.CompareExchange(ref slot, message, null) ?? message;
    }

    /// <summary>The entry's index in the slice (offsets are consecutive in a slice), or -1.</summary>
    private int IndexOf(string epoch, HistoryEntry entry)
    {
        var entries = slice.Entries;
        if (epoch != slice.Epoch || entries.Count == 0)
        {
            return -1;
        }

        var index = entry.Offset - entries[0].Offset;
        return index >= 0 && index < entries.Count && entries[(int)index].Offset == entry.Offset ? (int)index : -1;
    }
}
