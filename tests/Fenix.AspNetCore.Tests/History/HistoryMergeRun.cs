using System.Globalization;
using System.Text;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.AspNetCore.Tests.Interleaving;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Fenix.PubSub.History;
using Fenix.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.AspNetCore.Tests.History;

/// <summary>
/// One deterministic run of a (re)join with recovery on a history topic, under <see cref="DeterministicScheduler"/>:
/// messages are broadcast before the join, and live ones at seed-chosen points while it runs (before the join frame,
/// between the feed's attach and the store read, between the read and the reply, during the replay, after). The store
/// yields (seed-chosen) inside appends and reads, so each of those is a point of its own. Checks that the client gets
/// the join reply, then every message after its position exactly once, in order, as its channel would have had it
/// live (intercepted events through HandleOut, hidden ones never).
/// </summary>
internal sealed class HistoryMergeRun
{
    private readonly int _seed;
    private readonly Random _random;
    private readonly DeterministicScheduler _scheduler;
    private readonly StringBuilder _trace = new();

    public HistoryMergeRun(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _scheduler = new DeterministicScheduler(seed);
    }

    /// <summary>Returns what went wrong, or null.</summary>
    public string? Run(bool intercepting)
    {
        var store = new YieldingStore(new InMemoryHistoryStore(1 << 20, TimeSpan.FromDays(1), new FrozenTime()), _random);
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(new FrozenTime());
        services.AddFenix(o => o.History.Topic("hist:*", size: 1000).Topic("histout:*", size: 1000).UseStore(_ => store));
        var provider = services.BuildServiceProvider();
        try
        {
            return Run(provider, store, intercepting);
        }
        finally
        {
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult(); // the in-process PubSub disposes synchronously
        }
    }

    private string? Run(ServiceProvider provider, YieldingStore store, bool intercepting)
    {
        var runtime = provider.GetRequiredService<FenixRuntime>();
        runtime.Scheduler = _scheduler;
        var broadcaster = provider.GetRequiredService<IFenixBroadcaster>();
        var topic = intercepting ? "histout:r" : "hist:r";

        var transport = new FrameRecorder();
        var session = new SocketSession(runtime, new SocketMount("/socket", new HistorySocket(), new SocketMountOptions()), V2JsonSerializer.Instance, new Assigns(), null, TestConnectInfo.Create(), transport);
        _scheduler.Run(session.Start);

        // Half the runs have another client on the topic from the start: the topic's feed is then seeded and live when
        // the recovering client attaches, and the channel itself must drop the live messages its replay covers.
        FrameRecorder? observerFrames = null;
        SocketSession? observer = null;
        if (_random.Next(2) == 0)
        {
            observerFrames = new FrameRecorder();
            observer = new SocketSession(runtime, new SocketMount("/socket", new HistorySocket(), new SocketMountOptions()), V2JsonSerializer.Instance, new Assigns(), null, TestConnectInfo.Create(), observerFrames);
            _scheduler.Run(observer.Start);
            var observerJoin = V2JsonSerializer.Instance.Decode(Encoding.UTF8.GetBytes($$"""["1","1","{{topic}}","phx_join",{}]"""), isBinary: false);
            _scheduler.Run(() => observer.HandleInbound(observerJoin));
            if (!_scheduler.RunToIdle())
            {
                return Fail("the observer's join did not settle");
            }

            _trace.Append("an observer joined first\n");
        }

        var n = 0;
        var hidden = new HashSet<long>();
        void BroadcastNext()
        {
            var k = ++n;
            var secret = intercepting && _random.Next(2) == 0;
            var isHidden = secret && _random.Next(3) == 0;
            if (isHidden)
            {
                hidden.Add(k);
            }

            _trace.Append(CultureInfo.InvariantCulture, $"broadcast {k}{(secret ? " secret" : "")}{(isHidden ? " hidden" : "")} at step {_scheduler.Steps}\n");
            _scheduler.Run(() => broadcaster.Broadcast(topic, secret ? "secret" : "msg", isHidden ? new { n = k, hidden = true } : new { n = k }));
        }

        var before = _random.Next(0, 9);
        for (var i = 0; i < before; i++)
        {
            BroadcastNext();
            if (!_scheduler.RunToIdle())
            {
                return Fail("a broadcast did not settle");
            }
        }

        var epoch = before == 0 ? null : store.Inner.Read(topic, HistoryQuery.Top).Epoch;
        var since = _random.Next(0, before + 1);
        _trace.Append(CultureInfo.InvariantCulture, $"{before} broadcasts before, then live ones\n");
        var request = epoch is null ? "{}" : "{\"fenix_history\":{\"since\":\"" + epoch + ":" + since.ToString(CultureInfo.InvariantCulture) + "\"}}";
        var live = _random.Next(0, 7);
        var join = V2JsonSerializer.Instance.Decode(Encoding.UTF8.GetBytes($$"""["1","1","{{topic}}","phx_join",{{request}}]"""), isBinary: false);
        var joinSent = false;
        while (!joinSent || live > 0 || !_scheduler.IsIdle)
        {
            var act = _scheduler.IsIdle || _random.Next(3) == 0;
            if (act && !joinSent && (live == 0 || _random.Next(2) == 0))
            {
                _trace.Append(CultureInfo.InvariantCulture, $"join since {since} at step {_scheduler.Steps}\n");
                joinSent = true;
                _scheduler.Run(() => session.HandleInbound(join));
            }
            else if (act && live > 0)
            {
                live--;
                BroadcastNext();
            }
            else if (!_scheduler.Step())
            {
                continue;
            }

            if (_scheduler.Steps > 100_000)
            {
                return Fail("the run did not settle");
            }
        }

        epoch ??= store.Inner.Read(topic, HistoryQuery.Top).Epoch;
        var frames = transport.Frames;
        if (frames.Count == 0 || frames[0].Event != "phx_reply")
        {
            return Fail("the join reply is not the first frame");
        }

        var reply = frames[0].Payload;
        if (!reply.Contains("\"status\":\"ok\"", StringComparison.Ordinal) ||
            (before > 0 && !reply.Contains($"\"history\":{{\"recovered\":true,\"position\":\"{epoch}:{since}\"", StringComparison.Ordinal)))
        {
            return Fail($"unexpected join reply {reply}");
        }

        // Without a position to recover from, the client gets every message after the position of the reply.
        var from = since;
        if (before == 0)
        {
            var at = reply.IndexOf("\"position\":\"", StringComparison.Ordinal);
            if (at < 0)
            {
                return Fail($"the join reply {reply} has no position");
            }

            var text = reply[(at + 12)..reply.IndexOf('"', at + 12)];
            if (!HistoryPosition.TryParse(text, out var position) || position.Epoch != epoch)
            {
                return Fail($"the join reply {reply} has no position of epoch {epoch}");
            }

            from = (int)position.Offset;
        }

        var expected = new List<string>();
        for (var k = from + 1; k <= n; k++)
        {
            if (!hidden.Contains(k))
            {
                expected.Add($"{epoch}:{k}");
            }
        }

        var got = frames.Skip(1).Select(f => f.Ref ?? "<null>").ToList();
        if (!expected.SequenceEqual(got))
        {
            return Fail($"expected refs [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]; frames:\n{string.Join("\n", frames.Select(f => $"{f.Event} {f.JoinRef} {f.Ref} {f.Payload}"))}");
        }

        foreach (var frame in frames.Skip(1))
        {
            var k = long.Parse(frame.Ref![(frame.Ref!.IndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var intercepted = frame.Event == "secret";
            if (intercepted != (frame.JoinRef is not null) || (intercepted && !frame.Payload.Contains("\"out\":true", StringComparison.Ordinal)) ||
                !frame.Payload.Contains($"\"n\":{k}", StringComparison.Ordinal))
            {
                return Fail($"frame {frame} is not what the channel sends live for message {k}");
            }
        }

        if (observerFrames is not null)
        {
            var seen = observerFrames.Frames.Skip(1).Select(f => f.Ref).ToList();
            var all = Enumerable.Range(1, n).Where(k => !hidden.Contains(k)).Select(k => $"{epoch}:{k}").ToList();
            if (!all.SequenceEqual(seen))
            {
                return Fail($"the observer got [{string.Join(", ", seen)}], not [{string.Join(", ", all)}]");
            }

            _scheduler.Run(() => _ = observer!.Terminate(TerminateReason.Closed));
        }

        _scheduler.Run(() => _ = session.Terminate(TerminateReason.Closed));
        return _scheduler.RunToIdle() ? null : Fail("the connection's end did not settle");
    }

    private string Fail(string what) => $"{what}\n(seed {_seed}; {_scheduler.Steps} steps)\n{_trace}";

    internal sealed record Frame(string Event, string? JoinRef, string? Ref, string Payload);

    /// <summary>The connection as the client sees it.</summary>
    private sealed class FrameRecorder : ISocketTransport
    {
        public List<Frame> Frames { get; } = [];

        public string Name => "test";

        public bool SupportsBinary => true;

        public void Send(EncodedFrame frame)
        {
            var message = V2JsonSerializer.Instance.Decode(frame.Data.Span, isBinary: false);
            Frames.Add(new Frame(message.Event, message.JoinRef, message.Ref, message.Payload.ToString()));
        }

        public void Close(TransportCloseReason reason)
        {
        }
    }

    /// <summary>The in-memory store, numbering appends in call order, whose answers come back (seed-chosen) a step later.</summary>
    private sealed class YieldingStore(InMemoryHistoryStore inner, Random random) : IHistoryStore
    {
        public InMemoryHistoryStore Inner => inner;

        public bool IsShared => false;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async ValueTask<HistoryPosition> AppendAsync(string topic, ReadOnlyMemory<byte> data, HistoryLimits limits, bool newEpoch, CancellationToken cancellationToken = default)
        {
            var position = inner.Append(topic, data, limits, newEpoch);
            await MaybeYield();
            return position;
        }

        public async ValueTask<HistoryPosition> StartEpochAsync(string topic, HistoryLimits limits, bool force, CancellationToken cancellationToken = default)
        {
            await MaybeYield();
            var position = await inner.StartEpochAsync(topic, limits, force, cancellationToken);
            await MaybeYield();
            return position;
        }

        public async ValueTask<HistorySlice> ReadAsync(string topic, HistoryQuery query, CancellationToken cancellationToken = default)
        {
            await MaybeYield();
            var slice = inner.Read(topic, query);
            await MaybeYield();
            return slice;
        }

        private async ValueTask MaybeYield()
        {
            if (random.Next(2) == 0)
            {
                await Task.Yield();
            }
        }
    }
}
