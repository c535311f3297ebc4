using System.Buffers;
using System.Text.Json;
using Fenix.AspNetCore.Broadcasting;
using Fenix.AspNetCore.Channels;
using Fenix.AspNetCore.Transports;
using Fenix.PubSub.History;

namespace Fenix.AspNetCore.History;

/// <summary>
/// One channel instance of a history topic: its join recovers (subscribe first and buffer live messages, read the
/// store, merge by offset, drop duplicates), and its live messages then come from the topic's <see cref="TopicFeed"/>.
/// Replayed and live messages take the same per-recipient path (<see cref="ChannelServer.ForwardHistory"/>).
/// </summary>
/// <remarks>
/// The buffer is under this object's lock while the channel recovers. The feed delivers to a channel in order, one
/// message at a time, so the switch to live (the buffer drained empty, under the lock) keeps the order.
/// </remarks>
internal sealed class ChannelHistory(ChannelServer channel, HistoryService service, HistoryTopic rule)
{
    /// <summary>The ref of pushes made while HandleOutAsync handles a history message: that message's position.</summary>
    internal static readonly AsyncLocal<string?> PushRef = new();

    private readonly Lock _lock = new();

    /// <summary>The topic's feed once attached (set by the join, on the channel's loop).</summary>
    private TopicFeed? _feed;

    /// <summary>Live messages that arrived while the join recovered; null once live (or detached).</summary>
    private List<BroadcastMessage>? _buffer = [];

    /// <summary>True once the buffer was drained: live messages go straight on.</summary>
    private volatile bool _live;

    /// <summary>What the join replays, in order; set by <see cref="RecoverAsync"/>, consumed by <see cref="Replay"/> (channel loop only).</summary>
    private List<BroadcastMessage>? _replay;

    /// <summary>The epoch and last offset the join's replay covers: live messages up to it are duplicates (written by the join before <see cref="_live"/> is set, then only read).</summary>
    private (string? Epoch, long Through) _covered;

    public HistoryTopic Rule => rule;

    /// <summary>A broadcast of this channel (broadcast_from skips <paramref name="excluded"/>): it goes out once the store gave it a position.</summary>
    public void Publish(string @event, Payload payload, ChannelServer? excluded)
    {
        using var batch = WriterBatch.Begin();
        service.Publish(rule, new Broadcast(channel.Topic, @event, payload), excluded);
    }

    /// <summary>
    /// Runs after JoinAsync accepted: attaches to the feed (live messages are buffered from now on), reads the store,
    /// decides what to replay, and returns the reply's history member. The replay itself waits for <see cref="Replay"/>.
    /// </summary>
    public async ValueTask<Payload> RecoverAsync(Payload joinPayload)
    {
        var options = service.Options;
        var request = HistoryRequest.Parse(joinPayload, options.MaxRecoveryMessages);
        if (request.Invalid is { } why)
        {
            service.Log.InvalidRequest(channel.Topic, why);
        }

        _feed = service.Attach(channel.Topic, rule, channel, out var start);
        var read = await ReadAsync(request.ToQuery(options.MaxRecoveryMessages));
        var slice = read?.Slice;
        if (slice is { Epoch: null })
        {
            slice = await StartStreamAsync(slice); // a position before the first message: a client that joined early recovers it
        }

        if (slice is not null)
        {
            var seeded = _feed.Seed(slice.Epoch, slice.Top);
            if (!start.Seeded)
            {
                start = seeded; // live messages reach this channel from where the feed started
            }
        }

        var plan = RecoveryPlanner.Plan(request, slice, rule.Limits, options.MaxRecoveryMessages, options.MaxRecoveryBytes);
        HistoryPosition? position = null;
        var entries = plan.Entries;
        SharedSlice? between = null;
        if (start.Seeded)
        {
            var epoch = start.Epoch ?? plan.Epoch;
            if (plan.Epoch is not null && epoch != plan.Epoch)
            {
                // The feed follows another epoch than the read (a restart raced this join): nothing consistent to replay.
                plan = plan with { Recovered = false, Reason = request.Since is null ? plan.Reason : NotRecovered.Epoch };
                entries = [];
            }

            var through = start.Through;
            if (entries.Count > 0 || plan.Recovered)
            {
                if (through > plan.Through)
                {
                    // The feed started after what was read (another join seeded it later): read the messages in between.
                    (between, var missing) = await ReadBetweenAsync(epoch!, plan.Through, through);
                    if (missing is null)
                    {
                        plan = plan with { Recovered = false, Reason = request.Since is null ? plan.Reason : NotRecovered.Unavailable };
                        entries = [];
                    }
                    else
                    {
                        entries = [.. entries, .. missing];
                    }
                }
            }

            if (entries.Count > 0 || plan.Recovered)
            {
                position = new HistoryPosition(epoch!, plan.Start);
                _covered = (epoch, Math.Max(plan.Through, through));
            }
            else
            {
                position = epoch is null ? null : new HistoryPosition(epoch, through);
                _covered = (epoch, through);
            }
        }

        // Decoded once for every recovery that shares the read: one message, and one frame per serializer, for all.
        var first = read is not null && ReferenceEquals(read.Slice, slice) ? read : null;
        var replay = new List<BroadcastMessage>(entries.Count);
        foreach (var entry in entries)
        {
            var shared = first is not null && first.Contains(_covered.Epoch!, entry) ? first : between;
            replay.Add(shared?.Decode(_covered.Epoch!, entry) ?? HistoryService.Decode(channel.Topic, _covered.Epoch!, entry));
        }

        _replay = replay;
        Report(request, plan, replay.Count, position);
        return ReplyMember(plan.Recovered, position, replay.Count, plan.Reason);
    }

    /// <summary>Runs right after the join reply was written: the replay, then what was buffered (without duplicates), then live.</summary>
    public void Replay()
    {
        foreach (var message in _replay ?? [])
        {
            channel.ForwardHistory(message, replayed: true);
        }

        _replay = null;
        while (true)
        {
            List<BroadcastMessage> buffered;
            lock (_lock)
            {
                if (_buffer is not { Count: > 0 } pending)
                {
                    _buffer = null;
                    _live = true;
                    return;
                }

                buffered = pending;
                _buffer = [];
            }

            foreach (var message in buffered)
            {
                if (!IsCovered(message))
                {
                    channel.ForwardHistory(message, replayed: false);
                }
            }
        }
    }

    /// <summary>A live message from the feed (in order): buffered while the join recovers, else handed on.</summary>
    public void Deliver(BroadcastMessage message)
    {
        if (!_live)
        {
            lock (_lock)
            {
                if (!_live)
                {
                    _buffer?.Add(message);
                    return;
                }
            }
        }

        if (!IsCovered(message))
        {
            channel.ForwardHistory(message, replayed: false); // _covered was written before _live was set: it is final here
        }
    }

    public void Detach()
    {
        _feed?.Detach(channel);
        lock (_lock)
        {
            _buffer = null;
        }
    }

    /// <summary>
    /// True for a live message the replay already gave: the store numbered it before the read, but its publication was
    /// still on its way (it may arrive after the buffer was drained, too).
    /// </summary>
    private bool IsCovered(BroadcastMessage message) =>
        message.Position is { } position && position.Epoch == _covered.Epoch && position.Offset <= _covered.Through;

    private async ValueTask<SharedSlice?> ReadAsync(HistoryQuery query)
    {
        try
        {
            return await service.Reads.ReadAsync(channel.Topic, query);
        }
        catch (Exception e)
        {
            service.Log.ReadFailed(channel.Topic, e);
            return null;
        }
    }

    /// <summary>The topic had no stream: create one (unless another join just did), so that the reply can give a position.</summary>
    private async ValueTask<HistorySlice?> StartStreamAsync(HistorySlice empty)
    {
        try
        {
            var top = await service.Store.StartEpochAsync(channel.Topic, rule.Limits, force: false);
            return empty with { Epoch = top.Epoch, Top = top.Offset };
        }
        catch (Exception e)
        {
            service.Log.ReadFailed(channel.Topic, e);
            return null;
        }
    }

    /// <summary>The entries (after, through] of <paramref name="epoch"/>, all of them, or null (with the read they came from).</summary>
    private async ValueTask<(SharedSlice? Read, IReadOnlyList<HistoryEntry>? Entries)> ReadBetweenAsync(string epoch, long after, long through)
    {
        var count = through - after;
        if (count > service.Options.MaxRecoveryMessages)
        {
            return (null, null);
        }

        var read = await ReadAsync(HistoryQuery.After(epoch, after, (int)count));
        if (read?.Slice is not { } slice || slice.Epoch != epoch || slice.Entries.Count < count || slice.Entries[0].Offset != after + 1)
        {
            return (null, null);
        }

        return (read, slice.Entries.Take((int)count).ToList());
    }

    private void Report(HistoryRequest request, RecoveryPlan plan, int replayed, HistoryPosition? position)
    {
        if (request.Since is not null || request.IsInvalid)
        {
            service.Metrics.Recoveries.Add(1, new KeyValuePair<string, object?>("result", plan.Recovered ? "recovered" : plan.Reason ?? "not_recovered"));
        }

        if (replayed > 0)
        {
            service.Metrics.Replayed.Add(replayed);
        }

        service.Log.Recovery(channel.Topic, plan.Recovered, plan.Reason, replayed, position?.ToString());
    }

    /// <summary>The join reply's <c>"history"</c> member: <c>{"recovered", "position", "replayed", "reason"?}</c>.</summary>
    private static Payload ReplyMember(bool recovered, HistoryPosition? position, int replayed, string? reason)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("recovered"u8, recovered);
            if (position is { } p)
            {
                writer.WriteString("position"u8, p.ToString());
            }
            else
            {
                writer.WriteNull("position"u8);
            }

            writer.WriteNumber("replayed"u8, replayed);
            if (reason is not null)
            {
                writer.WriteString("reason"u8, reason);
            }

            writer.WriteEndObject();
        }

        return Payload.FromUtf8Json(buffer.WrittenMemory.ToArray());
    }
}
