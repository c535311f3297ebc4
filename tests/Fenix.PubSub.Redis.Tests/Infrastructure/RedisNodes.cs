using Fenix.PubSub.Specification;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Fenix.PubSub.Redis.Tests;

/// <summary>Nodes (PubSub over a <see cref="RedisAdapter"/>) for one test, with their logs; disposed with the test.</summary>
internal sealed class RedisNodes(string configuration, string prefix) : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly List<FenixPubSub> _nodes = [];

    public Fenix.Testing.TestLogSink Logs { get; } = new();

    public async Task<(FenixPubSub PubSub, RedisAdapter Adapter)> StartAsync(string node, Action<RedisAdapterOptions>? configure = null, bool expectConnected = true)
    {
        var options = new RedisAdapterOptions
        {
            Configuration = configuration,
            Prefix = prefix,
            ReconnectDelayMax = TimeSpan.FromMilliseconds(500),
            StartupTimeout = Timeout, // waits at its start until it joined: the default 5 s is within reach of a loaded machine
        };
        configure?.Invoke(options);
        var loggers = LoggerFactory.Create(builder => builder.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var adapter = new RedisAdapter(node, options, loggers);
        var pubSub = new FenixPubSub(adapter);
        _nodes.Add(pubSub);
        pubSub.RegisterDecoder(new ConformanceMessageDecoder());
        await pubSub.StartAsync(Cancel());
        if (expectConnected)
        {
            Assert.True(adapter.IsConnected, $"{node} did not join the cluster at start");
        }

        return (pubSub, adapter);
    }

    public static RecordingSubscriber Subscribe(FenixPubSub pubSub, string topic)
    {
        var subscriber = new RecordingSubscriber($"{pubSub.NodeName}/{topic}", Timeout);
        pubSub.Subscribe(topic, subscriber);
        return subscriber;
    }

    public static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    /// <summary>Polls a condition that the code under test reaches on its own (bounded; a failure names what never happened).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public bool Logged(int eventId) => Logs.Entries.Any(e => e.EventId.Id == eventId);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
        {
            await node.DisposeAsync();
        }
    }
}
