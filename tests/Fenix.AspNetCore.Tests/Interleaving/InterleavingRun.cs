using System.Text;
using Fenix.AspNetCore.Diagnostics;
using Fenix.AspNetCore.Hosting;
using Fenix.AspNetCore.Sockets;
using Fenix.Protocol;
using Fenix.Protocol.Serializers;
using Fenix.PubSub;
using Fenix.Testing;
using Fenix.Tests.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Fenix.AspNetCore.Tests.Interleaving;

/// <summary>How a run ends early: nothing, the client goes away, or the server closes it as a slow consumer.</summary>
public enum Disruption
{
    None,
    Disconnect,
    SlowConsumer,
}

/// <summary>
/// One deterministic run of the real <see cref="SocketSession"/> and channel servers under <see cref="DeterministicScheduler"/>:
/// the client's frames are handed over at points the seed chooses, between single steps of the channels' mailboxes and
/// continuations. Checks the frames against <see cref="PhoenixModel"/> (all of them, or a prefix of each topic's when the
/// connection was cut), then that nothing is left: no instance, no pending frame, no scope, no subscription, no joined channel.
/// </summary>
internal sealed class InterleavingRun
{
    private readonly int _seed;
    private readonly Random _random;
    private readonly DeterministicScheduler _scheduler;
    private readonly StringBuilder _trace = new();

    public InterleavingRun(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _scheduler = new DeterministicScheduler(seed);
    }

    /// <summary>Runs generated actions; returns a description of what went wrong, or null.</summary>
    public string? RunGenerated()
    {
        var generator = new ModelActionGenerator(_random.Next(), $"i{_seed}", routedTopics: 1 + _random.Next(3));
        var actions = Enumerable.Range(0, _random.Next(4, 40)).Select(_ => generator.Next()).ToList();
        actions.AddRange(generator.Barrier());
        var disruption = _random.Next(10) switch { 0 => Disruption.Disconnect, 1 => Disruption.SlowConsumer, _ => Disruption.None };
        return Run(actions, generator.Routed, disruption);
    }

    /// <summary>Runs the given actions with a seed-chosen interleaving and, if asked, a cut at a seed-chosen point.</summary>
    public string? Run(IReadOnlyList<ModelAction> actions, IReadOnlyList<string> topics, Disruption disruption)
    {
        var probe = new ModelProbe { YieldInCallbacks = _random.Next(2) == 0 };
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FrozenTime())
            .AddSingleton(probe)
            .AddScoped<ModelScope>();
        services.AddFenix();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            return Run(provider, actions, topics, disruption, probe);
        }
        finally
        {
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult(); // the in-process PubSub disposes synchronously
        }
    }

    private string? Run(ServiceProvider provider, IReadOnlyList<ModelAction> actions, IReadOnlyList<string> topics, Disruption disruption, ModelProbe probe)
    {
        var runtime = provider.GetRequiredService<FenixRuntime>();
        runtime.Scheduler = _scheduler;
        var transport = new RecordingTransport();
        var mount = new SocketMount("/socket", new ModelSocket(), new SocketMountOptions());
        var assigns = new Assigns { ["id"] = $"i{_seed}" };
        var session = new SocketSession(runtime, mount, V2JsonSerializer.Instance, assigns, $"model_sockets:i{_seed}", TestConnectInfo.Create(), transport);
        transport.Session = session;
        _scheduler.Run(session.Start);

        var model = new PhoenixModel();
        var frames = actions.Select(a => V2JsonSerializer.Instance.Decode(Encoding.UTF8.GetBytes(a.Frame!), isBinary: false)).ToList();
        var cutAt = disruption == Disruption.None ? -1 : _random.Next(frames.Count + 1);
        if (disruption == Disruption.SlowConsumer)
        {
            transport.OverflowAfter = _random.Next(1, 30); // the server closes when it writes that many frames (or never: fewer come)
            transport.OnOverflow = () => _scheduler.Schedule(new Work(() => _ = session.Terminate(TerminateReason.Closed)));
            cutAt = -1;
        }

        var clientSpeed = new[] { 0.05, 0.3, 0.7, 1.0 }[_random.Next(4)];
        var next = 0;
        while (true)
        {
            var canSend = next < frames.Count && !session.IsTerminated;
            if (!canSend && _scheduler.IsIdle)
            {
                break;
            }

            if (canSend && (_scheduler.IsIdle || _random.NextDouble() < clientSpeed))
            {
                if (next == cutAt)
                {
                    _trace.Append("client disconnects\n");
                    _scheduler.Run(() =>
                    {
                        transport.Closed = true;
                        _ = session.Terminate(TerminateReason.Closed);
                    });
                    continue;
                }

                var frame = frames[next];
                model.Apply(actions[next]);
                _trace.Append(actions[next].Frame).Append('\n');
                next++;
                _scheduler.Run(() => session.HandleInbound(frame));
            }
            else
            {
                _scheduler.Step();
            }

            if (_scheduler.Steps > 200_000)
            {
                return Fail("the run did not settle (a loop keeps scheduling work)");
            }
        }

        _describe = session.Describe;
        var cut = session.IsTerminated;
        if (!cut && !model.Matches(transport.Received, out var difference))
        {
            return Fail(difference);
        }

        if (cut && !model.IsPrefixOf(transport.Received, out var notPrefix))
        {
            return Fail($"after the connection was cut, frames are not a prefix of the model's: {notPrefix}");
        }

        _scheduler.Run(() => _ = session.Terminate(TerminateReason.Closed));
        if (!_scheduler.RunToIdle())
        {
            return Fail("the connection's end did not settle");
        }

        var pubSub = provider.GetRequiredService<FenixPubSub>();
        var left = new List<string>();
        left.AddRange(probe.Violations);
        Check(session.InstanceCount == 0, $"{session.InstanceCount} channel instances not retired");
        Check(session.PendingInbound == 0, $"{session.PendingInbound} client frames counted as pending");
        Check(probe.ScopesOpen == 0, $"{probe.ScopesOpen} channel scopes not disposed");
        Check(provider.GetRequiredService<FenixMetrics>().ActiveChannels == 0, "fenix.channels.active is not back to 0");
        foreach (var topic in topics)
        {
            Check(pubSub.SubscriberCount(topic) == 0, $"{topic} still has {pubSub.SubscriberCount(topic)} subscribers");
        }

        return left.Count == 0 ? null : Fail(string.Join("; ", left));

        void Check(bool ok, string what)
        {
            if (!ok)
            {
                left.Add(what);
            }
        }
    }

    private Func<string>? _describe;

    private string Fail(string what) => $"{what}\n(replay: FENIX_INTERLEAVING_SEED={_seed}; {_scheduler.Steps} steps; instances: {_describe?.Invoke()})\nclient frames:\n{_trace}";

    private sealed class Work(Action action) : IThreadPoolWorkItem
    {
        public void Execute() => action();
    }

    /// <summary>The connection as the client sees it: every frame decoded, per topic; optionally overflowing like a slow client's.</summary>
    private sealed class RecordingTransport : ISocketTransport
    {
        private int _written;

        public SocketSession? Session { get; set; }

        public Dictionary<string, List<string>> Received { get; } = [];

        public bool Closed { get; set; }

        public int OverflowAfter { get; set; } = int.MaxValue;

        public Action? OnOverflow { get; set; }

        public string Name => "test";

        public bool SupportsBinary => true;

        public void Send(EncodedFrame frame)
        {
            if (Closed)
            {
                return;
            }

            if (++_written > OverflowAfter)
            {
                // As the WebSocket writer does: the frame is not queued, the session is asked to close (re-entrantly,
                // from whatever sent it), and the receive loop ends the connection afterwards.
                Session!.Close(TransportCloseReason.SlowConsumer, TerminateReason.ShutdownWith("slow_consumer"));
                OnOverflow?.Invoke();
                return;
            }

            var message = V2JsonSerializer.Instance.Decode(frame.Data.Span, isBinary: false);
            if (!Received.TryGetValue(message.Topic, out var frames))
            {
                Received[message.Topic] = frames = [];
            }

            frames.Add(PhoenixModel.Frame(message.Event, message.JoinRef, message.Ref, message.Payload.ToString()));
        }

        public void Close(TransportCloseReason reason) => Closed = true;
    }
}
